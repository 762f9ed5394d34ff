"""Shewhart control charts for the regrind ratio of dosing machines: phase I limits.

Three charts, each a location chart with its dispersion companion:

* ``imr``: individuals and moving ranges. The moving range has span 2 (MR_i = |x_i - x_(i-1)|,
  undefined for the first point). Centre x-bar; limits x-bar +/- 3 MR-bar / d2 with d2 = 1.128;
  MR chart MR-bar, D3 MR-bar = 0 and D4 MR-bar with D4 = 3.267. Sigma (within) = MR-bar / d2.
* ``xbar_r``: subgroup means and ranges of k subgroups of n consecutive readings. Centre x-double-
  bar; limits x-double-bar +/- A2 R-bar; R chart R-bar, D3 R-bar, D4 R-bar. Sigma = R-bar / d2.
* ``xbar_s``: subgroup means and standard deviations (n - 1 in the denominator). Limits
  x-double-bar +/- A3 s-bar; S chart s-bar, B3 s-bar, B4 s-bar. Sigma = s-bar / c4.

The factors are the printed values of Montgomery's Appendix VI (``constants.factor``), so the
limits reproduce the textbook's arithmetic. ``Limits.constants`` records the factors used, for
showing users how a limit was obtained.

Phase II checks new points against stored limits with the run rules of ``rules.evaluate``;
``chart_points`` turns raw readings into the plotted statistics for that. Process capability is
in ``capability``. Both are re-exported here.

Input is validated: every reading must be finite (NaN or infinity is a ValueError), an
individuals chart needs at least 2 readings and a subgroup chart at least 2 subgroups of equal
size n between 2 and 25.
"""

from dataclasses import dataclass, field

import numpy as np

from partnerdesk.regrind.engines.capability import Capability, capability
from partnerdesk.regrind.engines.constants import check_n, factor
from partnerdesk.regrind.engines.rules import RULES, RuleInfo, Signal, evaluate, evaluate_arrays

__all__ = [
    "KINDS",
    "RULES",
    "Capability",
    "Limits",
    "RuleInfo",
    "Signal",
    "capability",
    "chart_points",
    "evaluate",
    "evaluate_arrays",
    "individuals_limits",
    "limits_for",
    "subgroups",
    "xbar_r_limits",
    "xbar_s_limits",
]

KINDS = ("imr", "xbar_r", "xbar_s")


@dataclass(frozen=True)
class Limits:
    """Phase I limits of one chart pair (location and dispersion)."""

    kind: str  # "imr" | "xbar_r" | "xbar_s"
    subgroup_size: int  # 1 for imr
    center: float  # centre line of the location chart (x-bar or x-double-bar)
    ucl: float
    lcl: float
    sigma: float  # estimated process sigma (within): MR-bar/d2, R-bar/d2 or s-bar/c4
    dispersion_center: float  # MR-bar, R-bar or s-bar
    dispersion_ucl: float
    dispersion_lcl: float
    points: int  # number of plotted points used (individuals or subgroups)
    constants: dict = field(default_factory=dict)  # the factors used, name -> value

    @property
    def zone_sigma(self) -> float:
        """Sigma of the plotted statistic: a third of the distance from centre to UCL."""
        return (self.ucl - self.center) / 3.0


def _finite_array(values, *, what: str) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} must be numbers") from exc
    if not np.isfinite(array).all():
        raise ValueError(f"{what} must be finite numbers (no NaN or infinity)")
    return array


def _readings(values) -> np.ndarray:
    array = _finite_array(values, what="readings")
    if array.ndim != 1:
        raise ValueError(f"readings must be a one-dimensional sequence, got shape {array.shape}")
    return array


def _subgroup_matrix(groups) -> np.ndarray:
    if not isinstance(groups, np.ndarray):
        try:
            sizes = {len(group) for group in groups}
        except TypeError:
            sizes = set()
        if len(sizes) > 1:
            raise ValueError(f"subgroups must all have the same size, got sizes {sorted(sizes)}")
    array = _finite_array(groups, what="subgroup readings")
    if array.ndim != 2:
        raise ValueError(
            f"subgroups must be a two-dimensional array (k subgroups x n readings), "
            f"got shape {array.shape}"
        )
    count, size = array.shape
    check_n(size)
    if count < 2:
        raise ValueError(f"a subgroup chart needs at least 2 subgroups, got {count}")
    return array


def subgroups(values, n: int) -> np.ndarray:
    """Consecutive groups of ``n`` readings as a (k, n) array; an incomplete tail is dropped."""
    array = _readings(values)
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"subgroup size must be a positive integer, got {n!r}")
    count = len(array) // n
    return array[: count * n].reshape(count, int(n))


def individuals_limits(values) -> Limits:
    """Individuals and moving-range (span 2) limits from a baseline of single readings."""
    x = _readings(values)
    if len(x) < 2:
        raise ValueError(f"an individuals chart needs at least 2 readings, got {len(x)}")
    d2, d3_factor, d4_factor = factor("d2", 2), factor("D3", 2), factor("D4", 2)
    mr_bar = float(np.abs(np.diff(x)).mean())
    center = float(x.mean())
    sigma = mr_bar / d2
    return Limits(
        kind="imr",
        subgroup_size=1,
        center=center,
        ucl=center + 3.0 * sigma,
        lcl=center - 3.0 * sigma,
        sigma=sigma,
        dispersion_center=mr_bar,
        dispersion_ucl=d4_factor * mr_bar,
        dispersion_lcl=d3_factor * mr_bar,
        points=len(x),
        constants={"d2": d2, "D3": d3_factor, "D4": d4_factor},
    )


def xbar_r_limits(groups) -> Limits:
    """X-bar and R limits from a (k, n) array of k baseline subgroups of n readings."""
    data = _subgroup_matrix(groups)
    count, n = data.shape
    a2, d2, d3_factor, d4_factor = (factor(name, n) for name in ("A2", "d2", "D3", "D4"))
    center = float(data.mean(axis=1).mean())
    r_bar = float(np.ptp(data, axis=1).mean())
    return Limits(
        kind="xbar_r",
        subgroup_size=n,
        center=center,
        ucl=center + a2 * r_bar,
        lcl=center - a2 * r_bar,
        sigma=r_bar / d2,
        dispersion_center=r_bar,
        dispersion_ucl=d4_factor * r_bar,
        dispersion_lcl=d3_factor * r_bar,
        points=count,
        constants={"A2": a2, "d2": d2, "D3": d3_factor, "D4": d4_factor},
    )


def xbar_s_limits(groups) -> Limits:
    """X-bar and S limits from a (k, n) array of k baseline subgroups of n readings."""
    data = _subgroup_matrix(groups)
    count, n = data.shape
    a3, c4, b3, b4 = (factor(name, n) for name in ("A3", "c4", "B3", "B4"))
    center = float(data.mean(axis=1).mean())
    s_bar = float(data.std(axis=1, ddof=1).mean())
    return Limits(
        kind="xbar_s",
        subgroup_size=n,
        center=center,
        ucl=center + a3 * s_bar,
        lcl=center - a3 * s_bar,
        sigma=s_bar / c4,
        dispersion_center=s_bar,
        dispersion_ucl=b4 * s_bar,
        dispersion_lcl=b3 * s_bar,
        points=count,
        constants={"A3": a3, "c4": c4, "B3": b3, "B4": b4},
    )


def _check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown chart kind {kind!r}; known kinds: {', '.join(KINDS)}")
    return kind


def limits_for(kind: str, values, n: int = 1) -> Limits:
    """Phase I limits of chart ``kind`` from a flat series of readings (subgroups of ``n``
    consecutive readings for the subgroup charts, the incomplete tail dropped)."""
    _check_kind(kind)
    if kind == "imr":
        if n != 1:
            raise ValueError(f"an individuals chart has subgroup size 1, got {n!r}")
        return individuals_limits(values)
    groups = subgroups(values, check_n(n))
    return xbar_r_limits(groups) if kind == "xbar_r" else xbar_s_limits(groups)


def chart_points(kind: str, values, n: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """The plotted statistics of a flat series of readings.

    ``imr``: (the readings, their moving ranges with NaN at index 0); ``n`` must be 1.
    ``xbar_r``: (subgroup means, subgroup ranges); ``xbar_s``: (subgroup means, subgroup standard
    deviations), for consecutive subgroups of ``n`` readings (2..25), the incomplete tail
    dropped. Fewer readings than one point give empty arrays.
    """
    _check_kind(kind)
    x = _readings(values)
    if kind == "imr":
        if n != 1:
            raise ValueError(f"an individuals chart has subgroup size 1, got {n!r}")
        moving = np.empty_like(x)
        if len(x):
            moving[0] = np.nan
            moving[1:] = np.abs(np.diff(x))
        return x, moving
    groups = subgroups(x, check_n(n))
    if not len(groups):
        return np.empty(0), np.empty(0)
    means = groups.mean(axis=1)
    if kind == "xbar_r":
        return means, np.ptp(groups, axis=1)
    return means, groups.std(axis=1, ddof=1)
