"""Factors for variables control charts, as printed and from first principles.

``TABLE`` holds the factors of Montgomery, *Introduction to Statistical Quality Control*,
Appendix VI ("Factors for Constructing Variables Control Charts"), for subgroup sizes
n = 2..25, rounded as the book prints them (c4 to four decimals, the others to three). The
charts use these printed values, as the textbook's worked examples do, so a limit computed here
matches the book's arithmetic.

The values were typed from published copies of the table: Appendix VI itself for the rows it
showed (A, A2, A3, c4, B3..B6, d2, d3, D1..D4 for n = 2..6 and most of n = 7), the same table as
reprinted in Pyzdek's *Handbook for Quality Management* (Appendix A: A, A2, A3, c4, B3..B6 for
n = 2..25) and in "Table A.22 Factors for Constructing Control Charts" (A2..D4 for n = 2..21),
and ASTM's table as reprinted in Joglekar's *Statistical Methods for Six Sigma* (Appendix G: d2,
d3, A2, D3, D4, A3, B3, B4 for n = 2..25). ``UNVERIFIED`` lists the cells no retrieved copy
showed (D1 and D2 from n = 7, d3 from n = 22): they hold the first-principles value rounded to
three decimals (for d3, Joglekar's four-decimal value rounded).

Each factor can also be computed from first principles (``first_principles``):

* c4(n) = sqrt(2 / (n - 1)) * Gamma(n / 2) / Gamma((n - 1) / 2), through log-gamma;
* d2(n) and d3(n) are the mean and the standard deviation of the range of n independent
  standard normal variables. With F_W(w) = n * integral phi(x) [Phi(x + w) - Phi(x)]^(n - 1) dx
  (the distribution of the range), d2 = integral_0^inf (1 - F_W(w)) dw and
  E[W^2] = 2 integral_0^inf w (1 - F_W(w)) dw. Both integrals are evaluated on a grid of step
  0.01 (x in [-8, 8], w in [0, 12]): the rectangle rule over x, whose integrand vanishes
  smoothly at both ends, and Simpson's rule over w;
* A = 3 / sqrt(n), A2 = 3 / (d2 sqrt(n)), A3 = 3 / (c4 sqrt(n)),
  B3 = max(0, 1 - 3 sqrt(1 - c4^2) / c4), B4 = 1 + 3 sqrt(1 - c4^2) / c4,
  B5 = max(0, c4 - 3 sqrt(1 - c4^2)), B6 = c4 + 3 sqrt(1 - c4^2),
  D1 = max(0, d2 - 3 d3), D2 = d2 + 3 d3, D3 = max(0, 1 - 3 d3 / d2), D4 = 1 + 3 d3 / d2.

The tests compare every printed entry with its first-principles value to the printed precision;
the few entries where the book's rounding is one unit off (it derived them from rounded d2 and
d3) are listed there.
"""

import functools
import math
from types import MappingProxyType

import numpy as np

MIN_N = 2
MAX_N = 25

FACTOR_NAMES = ("A", "A2", "A3", "c4", "B3", "B4", "B5", "B6", "d2", "d3", "D1", "D2", "D3", "D4")

# Decimal places printed in the table for each factor (a printed "0" is an exact zero).
DECIMALS = MappingProxyType({name: (4 if name == "c4" else 3) for name in FACTOR_NAMES})

# One row per subgroup size, columns in the order of FACTOR_NAMES.
# fmt: off
_ROWS = {
    #     A      A2     A3     c4      B3     B4     B5     B6     d2     d3     D1     D2     D3     D4  # noqa: E501
    2:  (2.121, 1.880, 2.659, 0.7979, 0,     3.267, 0,     2.606, 1.128, 0.853, 0,     3.686, 0,     3.267),  # noqa: E501
    3:  (1.732, 1.023, 1.954, 0.8862, 0,     2.568, 0,     2.276, 1.693, 0.888, 0,     4.358, 0,     2.574),  # noqa: E501
    4:  (1.500, 0.729, 1.628, 0.9213, 0,     2.266, 0,     2.088, 2.059, 0.880, 0,     4.698, 0,     2.282),  # noqa: E501
    5:  (1.342, 0.577, 1.427, 0.9400, 0,     2.089, 0,     1.964, 2.326, 0.864, 0,     4.918, 0,     2.114),  # noqa: E501
    6:  (1.225, 0.483, 1.287, 0.9515, 0.030, 1.970, 0.029, 1.874, 2.534, 0.848, 0,     5.078, 0,     2.004),  # noqa: E501
    7:  (1.134, 0.419, 1.182, 0.9594, 0.118, 1.882, 0.113, 1.806, 2.704, 0.833, 0.205, 5.204, 0.076, 1.924),  # noqa: E501
    8:  (1.061, 0.373, 1.099, 0.9650, 0.185, 1.815, 0.179, 1.751, 2.847, 0.820, 0.388, 5.307, 0.136, 1.864),  # noqa: E501
    9:  (1.000, 0.337, 1.032, 0.9693, 0.239, 1.761, 0.232, 1.707, 2.970, 0.808, 0.547, 5.394, 0.184, 1.816),  # noqa: E501
    10: (0.949, 0.308, 0.975, 0.9727, 0.284, 1.716, 0.276, 1.669, 3.078, 0.797, 0.686, 5.469, 0.223, 1.777),  # noqa: E501
    11: (0.905, 0.285, 0.927, 0.9754, 0.321, 1.679, 0.313, 1.637, 3.173, 0.787, 0.811, 5.535, 0.256, 1.744),  # noqa: E501
    12: (0.866, 0.266, 0.886, 0.9776, 0.354, 1.646, 0.346, 1.610, 3.258, 0.778, 0.923, 5.594, 0.283, 1.717),  # noqa: E501
    13: (0.832, 0.249, 0.850, 0.9794, 0.382, 1.618, 0.374, 1.585, 3.336, 0.770, 1.025, 5.647, 0.307, 1.693),  # noqa: E501
    14: (0.802, 0.235, 0.817, 0.9810, 0.406, 1.594, 0.399, 1.563, 3.407, 0.763, 1.118, 5.696, 0.328, 1.672),  # noqa: E501
    15: (0.775, 0.223, 0.789, 0.9823, 0.428, 1.572, 0.421, 1.544, 3.472, 0.756, 1.203, 5.740, 0.347, 1.653),  # noqa: E501
    16: (0.750, 0.212, 0.763, 0.9835, 0.448, 1.552, 0.440, 1.526, 3.532, 0.750, 1.282, 5.782, 0.363, 1.637),  # noqa: E501
    17: (0.728, 0.203, 0.739, 0.9845, 0.466, 1.534, 0.458, 1.511, 3.588, 0.744, 1.356, 5.820, 0.378, 1.622),  # noqa: E501
    18: (0.707, 0.194, 0.718, 0.9854, 0.482, 1.518, 0.475, 1.496, 3.640, 0.739, 1.424, 5.856, 0.391, 1.608),  # noqa: E501
    19: (0.688, 0.187, 0.698, 0.9862, 0.497, 1.503, 0.490, 1.483, 3.689, 0.734, 1.489, 5.889, 0.403, 1.597),  # noqa: E501
    20: (0.671, 0.180, 0.680, 0.9869, 0.510, 1.490, 0.504, 1.470, 3.735, 0.729, 1.549, 5.921, 0.415, 1.585),  # noqa: E501
    21: (0.655, 0.173, 0.663, 0.9876, 0.523, 1.477, 0.516, 1.459, 3.778, 0.724, 1.606, 5.951, 0.425, 1.575),  # noqa: E501
    22: (0.640, 0.167, 0.647, 0.9882, 0.534, 1.466, 0.528, 1.448, 3.819, 0.720, 1.660, 5.979, 0.434, 1.566),  # noqa: E501
    23: (0.626, 0.162, 0.633, 0.9887, 0.545, 1.455, 0.539, 1.438, 3.858, 0.716, 1.711, 6.006, 0.443, 1.557),  # noqa: E501
    24: (0.612, 0.157, 0.619, 0.9892, 0.555, 1.445, 0.549, 1.429, 3.895, 0.712, 1.759, 6.032, 0.451, 1.548),  # noqa: E501
    25: (0.600, 0.153, 0.606, 0.9896, 0.565, 1.435, 0.559, 1.420, 3.931, 0.708, 1.805, 6.056, 0.459, 1.541),  # noqa: E501
}
# fmt: on

TABLE = MappingProxyType(
    {
        n: MappingProxyType(dict(zip(FACTOR_NAMES, map(float, row), strict=True)))
        for n, row in _ROWS.items()
    }
)

# Cells that no retrieved copy of Appendix VI showed (see the module docstring).
UNVERIFIED = frozenset(
    [("D1", n) for n in range(7, MAX_N + 1)]
    + [("D2", n) for n in range(7, MAX_N + 1)]
    + [("d3", n) for n in range(22, MAX_N + 1)]
)


def check_n(n: int) -> int:
    """The subgroup size as an int, or a ValueError when the table has no row for it."""
    if isinstance(n, bool) or not isinstance(n, int | np.integer):
        raise ValueError(f"subgroup size must be an integer, got {n!r}")
    if not MIN_N <= n <= MAX_N:
        raise ValueError(
            f"subgroup size must be between {MIN_N} and {MAX_N} (the factor table's range), got {n}"
        )
    return int(n)


def _check_name(name: str) -> str:
    if name not in FACTOR_NAMES:
        raise ValueError(f"unknown factor {name!r}; known factors: {', '.join(FACTOR_NAMES)}")
    return name


def factor(name: str, n: int) -> float:
    """The printed table value of factor ``name`` for subgroup size ``n`` (2..25)."""
    return TABLE[check_n(n)][_check_name(name)]


# --- first principles ---------------------------------------------------------------------

_STEP = 0.01
_X_MAX = 8.0
_W_MAX = 12.0


def c4(n: int) -> float:
    """E[s] / sigma for a normal sample of size n (s with n - 1 in the denominator)."""
    n = check_n(n)
    return math.sqrt(2.0 / (n - 1)) * math.exp(math.lgamma(n / 2) - math.lgamma((n - 1) / 2))


@functools.cache
def _normal_grid() -> tuple[np.ndarray, np.ndarray, int, int]:
    """Phi on x_i + w_j (one grid, since both steps are equal) and phi on x_i."""
    count_x = round(2 * _X_MAX / _STEP) + 1
    count_w = round(_W_MAX / _STEP) + 1
    grid = -_X_MAX + _STEP * np.arange(count_x + count_w - 1)
    cdf = np.array([0.5 * math.erfc(-v / math.sqrt(2.0)) for v in grid])
    pdf = np.exp(-0.5 * grid[:count_x] ** 2) / math.sqrt(2.0 * math.pi)
    return cdf, pdf, count_x, count_w


def _simpson(values: np.ndarray) -> float:
    """Simpson's rule on an odd number of equally spaced samples."""
    weights = np.ones(len(values))
    weights[1:-1:2] = 4.0
    weights[2:-1:2] = 2.0
    return float(_STEP / 3.0 * (weights @ values))


@functools.cache
def _range_moments(n: int) -> tuple[float, float]:
    cdf, pdf, count_x, count_w = _normal_grid()
    # shifted[j, i] = Phi(x_i + w_j)
    shifted = np.lib.stride_tricks.sliding_window_view(cdf, count_x)[:count_w]
    range_cdf = n * _STEP * (((shifted - cdf[:count_x]) ** (n - 1)) @ pdf)
    survival = 1.0 - range_cdf
    w = _STEP * np.arange(count_w)
    mean = _simpson(survival)
    second = 2.0 * _simpson(w * survival)
    return mean, math.sqrt(second - mean * mean)


def d2(n: int) -> float:
    """Mean of the range of n independent standard normal variables."""
    return _range_moments(check_n(n))[0]


def d3(n: int) -> float:
    """Standard deviation of the range of n independent standard normal variables."""
    return _range_moments(check_n(n))[1]


def first_principles(name: str, n: int) -> float:
    """Factor ``name`` for subgroup size ``n`` computed from its definition (not rounded)."""
    _check_name(name)
    n = check_n(n)
    if name in ("d2", "d3", "A2", "D1", "D2", "D3", "D4"):
        mean_range, sd_range = d2(n), d3(n)
        return {
            "d2": mean_range,
            "d3": sd_range,
            "A2": 3.0 / (mean_range * math.sqrt(n)),
            "D1": max(0.0, mean_range - 3.0 * sd_range),
            "D2": mean_range + 3.0 * sd_range,
            "D3": max(0.0, 1.0 - 3.0 * sd_range / mean_range),
            "D4": 1.0 + 3.0 * sd_range / mean_range,
        }[name]
    if name == "A":
        return 3.0 / math.sqrt(n)
    c = c4(n)
    spread = math.sqrt(1.0 - c * c)
    return {
        "c4": c,
        "A3": 3.0 / (c * math.sqrt(n)),
        "B3": max(0.0, 1.0 - 3.0 * spread / c),
        "B4": 1.0 + 3.0 * spread / c,
        "B5": max(0.0, c - 3.0 * spread),
        "B6": c + 3.0 * spread,
    }[name]
