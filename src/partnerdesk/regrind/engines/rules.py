"""Run rules (tests for special causes) on the points of a control chart, vectorised.

Two families are offered: the Western Electric rules ("we1".."we4", Western Electric,
*Statistical Quality Control Handbook*, 1956) and Nelson's eight tests ("n1".."n8", L. S. Nelson,
"The Shewhart Control Chart - Tests for Special Causes", Journal of Quality Technology 16(4),
1984). ``RULES`` describes each for the UI.

Definitions, exactly as implemented
-----------------------------------
The points are compared with the centre line c and the zone sigma s (the sigma of the plotted
statistic, ``Limits.zone_sigma``), through the distance d = (x - c) / s. The zone boundaries are
the floating-point numbers c + k*s and c - k*s (k = 1, 2, 3); a point is compared with them
directly, so a value that equals c + k*s as computed in floating point lies on the boundary.

* "Beyond k sigma" is strict: d > k above the centre, d < -k below it.
* "Within 1 sigma" is strict: |d| < 1.
* A point exactly on a boundary is neither beyond it nor within it: it does not count towards,
  and it breaks, a run that needs either.
* A point exactly on the centre line (d = 0) is on neither side: it breaks a same-side run
  ("we4", "n2").
* One point beyond the control limits ("we1", "n1"): when the chart's own ``ucl``/``lcl`` are
  given, x > ucl or x < lcl (strict), so asymmetric or clipped limits are respected; a limit
  that is not given falls back to c + 3s or c - 3s.
* "k of m" rules ("we2"/"n5": 2 of 3 beyond 2 sigma; "we3"/"n6": 4 of 5 beyond 1 sigma): the
  window of m consecutive points ends on the signalled point, that point is itself beyond the
  limit, and at least k points of the window are beyond it on the same side. A window needs m
  points, so the first m - 1 points of a series cannot signal: in phase II, pass the preceding
  points along as context.
* Runs ("we4": 8 on one side; "n2": 9 on one side; "n7": 15 within 1 sigma, either side; "n8": 8
  with none within 1 sigma, either side, i.e. every |d| > 1): w consecutive points meeting the
  condition.
* Trend ("n3"): "6 points in a row steadily increasing or decreasing" means 6 points, each
  strictly greater (or strictly smaller) than the one before: 5 increases. Equal neighbours
  break the trend.
* Alternation ("n4"): "14 points in a row alternating up and down" means 14 points whose 13
  successive differences change sign each time; a zero difference breaks it.
  Points, not differences, are counted as in Nelson's wording and in Minitab's description of
  its tests 3 and 4 ("Six points in a row, all increasing or all decreasing", "Fourteen points
  in a row, alternating up and down": Minitab Support, "Using tests for special causes in
  control charts").

A signal is placed on the point that completes the pattern (its last point); ``first_index``
is the pattern's first point: for runs, trends and alternations the first of the w points
ending on the signal; for "k of m" rules the earliest point of the window that counts (beyond
the limit on the signalled side); for one point beyond the limits, the point itself. A run
longer than its window signals again on each further point: a run of 11 points on one side
gives "n2" signals on its 9th, 10th and 11th points.

NaN values are skipped: they are removed before evaluation, as if absent, and indices refer to
the input array. Infinite values are rejected.
"""

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np


class RuleInfo(NamedTuple):
    label: str
    window: int  # points in the pattern
    description: str


RULES: dict[str, RuleInfo] = {
    "we1": RuleInfo(
        "WE 1: beyond a control limit", 1, "One point beyond a control limit (3 sigma)."
    ),
    "we2": RuleInfo(
        "WE 2: 2 of 3 beyond 2 sigma",
        3,
        "Two of three consecutive points more than 2 sigma from the centre line, same side.",
    ),
    "we3": RuleInfo(
        "WE 3: 4 of 5 beyond 1 sigma",
        5,
        "Four of five consecutive points more than 1 sigma from the centre line, same side.",
    ),
    "we4": RuleInfo(
        "WE 4: 8 on one side",
        8,
        "Eight consecutive points on the same side of the centre line.",
    ),
    "n1": RuleInfo(
        "Nelson 1: beyond a control limit", 1, "One point beyond a control limit (3 sigma)."
    ),
    "n2": RuleInfo(
        "Nelson 2: 9 on one side", 9, "Nine points in a row on the same side of the centre line."
    ),
    "n3": RuleInfo(
        "Nelson 3: trend of 6",
        6,
        "Six points in a row steadily increasing or steadily decreasing.",
    ),
    "n4": RuleInfo(
        "Nelson 4: 14 alternating",
        14,
        "Fourteen points in a row alternating up and down.",
    ),
    "n5": RuleInfo(
        "Nelson 5: 2 of 3 beyond 2 sigma",
        3,
        "Two of three points in a row more than 2 sigma from the centre line, same side.",
    ),
    "n6": RuleInfo(
        "Nelson 6: 4 of 5 beyond 1 sigma",
        5,
        "Four of five points in a row more than 1 sigma from the centre line, same side.",
    ),
    "n7": RuleInfo(
        "Nelson 7: 15 within 1 sigma",
        15,
        "Fifteen points in a row within 1 sigma of the centre line, either side.",
    ),
    "n8": RuleInfo(
        "Nelson 8: 8 outside 1 sigma",
        8,
        "Eight points in a row more than 1 sigma from the centre line, either side.",
    ),
}

_RULE_ORDER = {code: position for position, code in enumerate(RULES)}


@dataclass(frozen=True, slots=True)
class Signal:
    index: int  # the point that completes the pattern (index into the input array)
    rule: str
    first_index: int  # the pattern's first point
    value: float  # the value at ``index``


class SignalArrays(NamedTuple):
    """The signals as parallel arrays, sorted by index and then by rule (order of RULES)."""

    index: np.ndarray  # int64
    rule: np.ndarray  # str
    first_index: np.ndarray  # int64
    value: np.ndarray  # float64


_EMPTY = np.empty(0, dtype=np.int64)


def _run_ends(flag: np.ndarray, length: int) -> np.ndarray:
    """Positions where at least ``length`` consecutive True values end."""
    if len(flag) < length:
        return _EMPTY
    positions = np.arange(len(flag))
    last_false = np.maximum.accumulate(np.where(flag, -1, positions))
    return np.flatnonzero(positions - last_false >= length)


def _k_of_m(flag: np.ndarray, k: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    """(ends, first counted point) where ``flag`` holds on the end point and on at least k of
    the m points of the window ending there."""
    if len(flag) < m:
        return _EMPTY, _EMPTY
    totals = np.concatenate(([0], np.cumsum(flag, dtype=np.int64)))
    ends = np.arange(m - 1, len(flag))
    counts = totals[ends + 1] - totals[ends + 1 - m]
    ends = ends[flag[ends] & (counts >= k)]
    first = ends.copy()
    for offset in range(1, m):  # later offsets are earlier points: the earliest flagged wins
        candidate = ends - offset
        first = np.where(flag[candidate], candidate, first)
    return ends, first


class _Zones:
    """Flags of the points against the centre line and the zone boundaries, computed once."""

    def __init__(self, x: np.ndarray, center: float, sigma: float, lcl, ucl):
        self.x = x
        self.center = center
        self.sigma = sigma
        self.lcl = lcl
        self.ucl = ucl
        self._cache: dict = {}

    def above(self, k: int) -> np.ndarray:
        key = ("above", k)
        if key not in self._cache:
            self._cache[key] = self.x > self.center + k * self.sigma
        return self._cache[key]

    def below(self, k: int) -> np.ndarray:
        key = ("below", k)
        if key not in self._cache:
            self._cache[key] = self.x < self.center - k * self.sigma
        return self._cache[key]

    def steps(self) -> np.ndarray:
        if "steps" not in self._cache:
            self._cache["steps"] = np.sign(np.diff(self.x))
        return self._cache["steps"]


def _beyond_limits(zones: _Zones):
    high = zones.x > zones.ucl if zones.ucl is not None else zones.above(3)
    low = zones.x < zones.lcl if zones.lcl is not None else zones.below(3)
    ends = np.flatnonzero(high | low)
    return ends, ends


def _both_sides_k_of_m(k: int, m: int, beyond: int):
    def detect(zones: _Zones):
        up_ends, up_first = _k_of_m(zones.above(beyond), k, m)
        down_ends, down_first = _k_of_m(zones.below(beyond), k, m)
        return np.concatenate((up_ends, down_ends)), np.concatenate((up_first, down_first))

    return detect


def _one_side_run(length: int):
    def detect(zones: _Zones):
        ends = np.concatenate(
            (_run_ends(zones.above(0), length), _run_ends(zones.below(0), length))
        )
        return ends, ends - (length - 1)

    return detect


def _within_one(zones: _Zones):
    within = (zones.x > zones.center - zones.sigma) & (zones.x < zones.center + zones.sigma)
    ends = _run_ends(within, 15)
    return ends, ends - 14


def _outside_one(zones: _Zones):
    ends = _run_ends(zones.above(1) | zones.below(1), 8)
    return ends, ends - 7


def _trend(zones: _Zones):
    steps = zones.steps()
    # a run of 5 rises (or falls) ending at step j ends at point j + 1
    ends = np.concatenate((_run_ends(steps > 0, 5), _run_ends(steps < 0, 5))) + 1
    return ends, ends - 5


def _alternation(zones: _Zones):
    steps = zones.steps()
    flips = steps[:-1] * steps[1:] < 0  # steps j and j + 1 have opposite, non-zero signs
    # 13 alternating steps make 12 consecutive flips; the flip at j ends at point j + 2
    ends = _run_ends(flips, 12) + 2
    return ends, ends - 13


_DETECTORS = {
    "we1": _beyond_limits,
    "we2": _both_sides_k_of_m(2, 3, 2),
    "we3": _both_sides_k_of_m(4, 5, 1),
    "we4": _one_side_run(8),
    "n1": _beyond_limits,
    "n2": _one_side_run(9),
    "n3": _trend,
    "n4": _alternation,
    "n5": _both_sides_k_of_m(2, 3, 2),
    "n6": _both_sides_k_of_m(4, 5, 1),
    "n7": _within_one,
    "n8": _outside_one,
}


def _check_rules(rules) -> list[str]:
    if isinstance(rules, str):
        rules = [rules]
    codes = list(dict.fromkeys(rules))
    unknown = [code for code in codes if code not in RULES]
    if unknown:
        raise ValueError(f"unknown rule(s) {unknown}; known rules: {', '.join(RULES)}")
    return sorted(codes, key=_RULE_ORDER.__getitem__)


def _finite_number(value, what: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} must be a number, got {value!r}") from exc
    if not np.isfinite(number):
        raise ValueError(f"{what} must be finite, got {value!r}")
    return number


def evaluate_arrays(values, center, sigma, rules, *, lcl=None, ucl=None) -> SignalArrays:
    """The signals of ``rules`` on ``values`` as arrays (see the module docstring)."""
    codes = _check_rules(rules)
    center = _finite_number(center, "centre")
    sigma = _finite_number(sigma, "sigma")
    if sigma <= 0:
        raise ValueError(f"sigma must be positive, got {sigma!r}")
    lcl = None if lcl is None else _finite_number(lcl, "lcl")
    ucl = None if ucl is None else _finite_number(ucl, "ucl")
    try:
        raw = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError("values must be numbers") from exc
    if raw.ndim != 1:
        raise ValueError(f"values must be a one-dimensional sequence, got shape {raw.shape}")
    if np.isinf(raw).any():
        raise ValueError("values must not be infinite")
    if not codes:
        return SignalArrays(_EMPTY, np.empty(0, dtype="<U3"), _EMPTY, np.empty(0))
    kept = np.flatnonzero(~np.isnan(raw))
    x = raw[kept]
    zones = _Zones(x, center, sigma, lcl, ucl)

    ends_parts, first_parts, rule_parts = [], [], []
    for code in codes:
        ends, first = _DETECTORS[code](zones)
        ends_parts.append(ends)
        first_parts.append(first)
        rule_parts.append(np.full(len(ends), _RULE_ORDER[code], dtype=np.int64))
    ends = np.concatenate(ends_parts).astype(np.int64)
    first = np.concatenate(first_parts).astype(np.int64)
    rule_positions = np.concatenate(rule_parts)
    order = np.lexsort((rule_positions, ends))
    ends, first, rule_positions = ends[order], first[order], rule_positions[order]
    names = np.array(list(RULES), dtype="<U3")
    return SignalArrays(kept[ends], names[rule_positions], kept[first], x[ends])


def evaluate(values, center, sigma, rules, *, lcl=None, ucl=None) -> list[Signal]:
    """The signals of ``rules`` (codes of ``RULES``) on ``values``, sorted by index and then by
    rule. ``sigma`` is the zone sigma (the sigma of the plotted statistic); ``lcl``/``ucl``, when
    given, replace centre -/+ 3 sigma for the rule of one point beyond the limits.

    Bulk callers should prefer ``evaluate_arrays``: the numbers are the same, and building one
    ``Signal`` object per signal costs more than finding the signals when there are many."""
    found = evaluate_arrays(values, center, sigma, rules, lcl=lcl, ucl=ucl)
    return [
        Signal(index, rule, first, value)
        for index, rule, first, value in zip(
            found.index.tolist(),
            found.rule.tolist(),
            found.first_index.tolist(),
            found.value.tolist(),
            strict=True,
        )
    ]
