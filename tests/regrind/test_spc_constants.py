"""The factor table of Montgomery's Appendix VI against the factors' definitions."""

import math

import pytest

from partnerdesk.regrind.engines import constants
from partnerdesk.regrind.engines.constants import (
    DECIMALS,
    FACTOR_NAMES,
    TABLE,
    UNVERIFIED,
    c4,
    d2,
    d3,
    factor,
    first_principles,
)

# Entries where the printed value is one unit of its last place away from the exact value
# (more than half a unit, so plain rounding of the exact value would not give them). They are
# printed like this in every copy of the table we found; most follow from computing with the
# rounded d2 and d3 of the same row:
#   D4(3) = 1 + 3 * 0.888 / 1.693 = 2.5735 -> 2.574 (exact 2.5746)
#   D2(6) = 2.534 + 3 * 0.848 = 5.078 (exact 5.07853)
#   d3(19) = 0.734: ASTM's 0.7335 rounded again (exact 0.73347)
#   D3(19), D4(19) from d3 = 0.734; D3(22), D4(22) from d3 = 0.720 and d2 = 3.819
#   D4(18) = 1.608 and D3(24) = 0.451 follow from neither (exact 1.60872 and 0.45160).
KNOWN_ROUNDING = {
    ("D4", 3),
    ("D2", 6),
    ("D4", 18),
    ("d3", 19),
    ("D3", 19),
    ("D4", 19),
    ("D3", 22),
    ("D4", 22),
    ("D3", 24),
}

CELLS = [(name, n) for n in range(2, 26) for name in FACTOR_NAMES]


def test_table_has_every_factor_for_n_2_to_25():
    assert sorted(TABLE) == list(range(2, 26))
    for row in TABLE.values():
        assert tuple(row) == FACTOR_NAMES


@pytest.mark.parametrize(("name", "n"), CELLS, ids=[f"{name}-{n}" for name, n in CELLS])
def test_printed_value_agrees_with_first_principles(name, n):
    printed = TABLE[n][name]
    exact = first_principles(name, n)
    unit = 10.0 ** -DECIMALS[name]
    if printed == 0:
        # a printed "0" is the factor's lower bound of zero, not a rounded value
        assert exact == 0.0
    elif (name, n) in KNOWN_ROUNDING:
        assert 0.5 * unit < abs(printed - exact) < unit
    else:
        assert abs(printed - exact) <= 0.5 * unit + 1e-9


def test_unverified_cells_are_the_rounded_exact_values():
    assert len(UNVERIFIED) == 2 * 19 + 4
    for name, n in UNVERIFIED:
        assert TABLE[n][name] == round(first_principles(name, n), 3)


def test_spot_checks_for_n_5():
    assert factor("A2", 5) == 0.577
    assert factor("d2", 5) == 2.326
    assert factor("D4", 5) == 2.114
    assert factor("c4", 5) == 0.9400
    assert factor("B4", 5) == 2.089
    assert factor("A3", 5) == 1.427
    assert factor("D3", 5) == 0
    assert factor("d2", 2) == 1.128
    assert factor("D4", 2) == 3.267


def test_range_moments_for_two_and_three_normals_are_exact():
    # For n = 2 the range is |X1 - X2| with X1 - X2 ~ N(0, 2): E = 2/sqrt(pi), E[R^2] = 2.
    assert d2(2) == pytest.approx(2 / math.sqrt(math.pi), abs=1e-9)
    assert d3(2) == pytest.approx(math.sqrt(2 - 4 / math.pi), abs=1e-9)
    # For n = 3, E[range] = 3/sqrt(pi).
    assert d2(3) == pytest.approx(3 / math.sqrt(math.pi), abs=1e-9)


def test_c4_closed_forms():
    assert c4(2) == pytest.approx(math.sqrt(2 / math.pi), abs=1e-12)
    assert c4(3) == pytest.approx(math.sqrt(math.pi) / 2, abs=1e-12)


@pytest.mark.parametrize("n", [0, 1, 26, 100, -3])
def test_factor_outside_the_table_is_a_clear_error(n):
    with pytest.raises(ValueError, match="between 2 and 25"):
        factor("A2", n)
    with pytest.raises(ValueError, match="between 2 and 25"):
        first_principles("A2", n)


@pytest.mark.parametrize("n", [2.0, "5", None, True])
def test_factor_needs_an_integer_n(n):
    with pytest.raises(ValueError, match="integer"):
        factor("A2", n)


def test_unknown_factor_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown factor 'E2'"):
        factor("E2", 5)


def test_table_is_read_only():
    with pytest.raises(TypeError):
        TABLE[5]["A2"] = 0.5  # type: ignore[index]
    assert constants.TABLE[5]["A2"] == 0.577
