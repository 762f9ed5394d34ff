"""Process capability of a series of readings against a product's specification.

With mu the mean of the readings, sigma_w the within (short-term) sigma of the control chart
(MR-bar/d2, R-bar/d2 or s-bar/c4) and sigma_o the overall sample standard deviation (n - 1 in
the denominator):

* CPU = (USL - mu) / (3 sigma_w), CPL = (mu - LSL) / (3 sigma_w), Cpk = min(CPU, CPL),
  Cp = (USL - LSL) / (6 sigma_w);
* PPU, PPL, Ppk and Pp are the same with sigma_o (performance indices).

With a one-sided specification Cp and Pp are None and Cpk (Ppk) is the index of the one side
(Montgomery, *Introduction to Statistical Quality Control*, the one-sided ratios Cpu and Cpl).
An index whose sigma is 0 is None, as is every index that needs a missing limit.
"""

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Capability:
    n: int
    mean: float
    sigma_within: float
    sigma_overall: float
    cp: float | None
    cpk: float | None
    pp: float | None
    ppk: float | None
    cpu: float | None
    cpl: float | None
    ppu: float | None
    ppl: float | None


def _limit(value, what: str) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} must be a number, got {value!r}") from exc
    if not math.isfinite(number):
        raise ValueError(f"{what} must be finite, got {value!r}")
    return number


def _indices(mean: float, sigma: float, lsl: float | None, usl: float | None):
    """(C_p, C_pk, C_pu, C_pl) for one sigma; None where undefined."""
    if sigma <= 0:
        return None, None, None, None
    upper = (usl - mean) / (3.0 * sigma) if usl is not None else None
    lower = (mean - lsl) / (3.0 * sigma) if lsl is not None else None
    potential = (usl - lsl) / (6.0 * sigma) if usl is not None and lsl is not None else None
    sides = [index for index in (upper, lower) if index is not None]
    return potential, min(sides), upper, lower


def capability(values, *, lsl=None, usl=None, sigma_within) -> Capability:
    """Capability and performance indices of ``values`` against ``lsl``/``usl`` (at least one)."""
    lsl = _limit(lsl, "lsl")
    usl = _limit(usl, "usl")
    if lsl is None and usl is None:
        raise ValueError("capability needs at least one specification limit (lsl or usl)")
    if lsl is not None and usl is not None and not lsl < usl:
        raise ValueError(f"lsl must be below usl, got lsl={lsl} and usl={usl}")
    sigma_w = _limit(sigma_within, "sigma_within")
    if sigma_w is None or sigma_w < 0:
        raise ValueError(f"sigma_within must be a number >= 0, got {sigma_within!r}")
    try:
        x = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError("readings must be numbers") from exc
    if x.ndim != 1:
        raise ValueError(f"readings must be a one-dimensional sequence, got shape {x.shape}")
    if not np.isfinite(x).all():
        raise ValueError("readings must be finite numbers (no NaN or infinity)")
    if len(x) < 2:
        raise ValueError(f"capability needs at least 2 readings, got {len(x)}")
    mean = float(x.mean())
    sigma_o = float(x.std(ddof=1))
    cp, cpk, cpu, cpl = _indices(mean, sigma_w, lsl, usl)
    pp, ppk, ppu, ppl = _indices(mean, sigma_o, lsl, usl)
    return Capability(
        n=len(x),
        mean=mean,
        sigma_within=sigma_w,
        sigma_overall=sigma_o,
        cp=cp,
        cpk=cpk,
        pp=pp,
        ppk=ppk,
        cpu=cpu,
        cpl=cpl,
        ppu=ppu,
        ppl=ppl,
    )
