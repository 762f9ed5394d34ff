"""ISO 2859-1 sampling engine: Table 1, Tables 2-A/2-B/2-C with their arrows, lot decisions and
the switching rules of clause 9. Expected values are read from the published tables."""

from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from partnerdesk.quality.engines import sampling_tables as tables
from partnerdesk.quality.engines.sampling import (
    AQLS,
    Inspection,
    LotOutcome,
    SwitchingState,
    code_letter,
    lot_outcome,
    next_state,
    parse_aql,
    plan,
    resume,
    table_plan,
    tighter_aql,
)

# Table 1 as published, by column: one letter per lot-size range, smallest range first.
TABLE_1 = {
    "S-1": "AAAABBBBCCCCDDD",
    "S-2": "AAABBBCCCDDDEEE",
    "S-3": "AABBCCDDEEFFGGH",
    "S-4": "AABCCDEEFGGHJJK",
    "I": "AABCCDEFGHJKLMN",
    "II": "ABCDEFGHJKLMNPQ",
    "III": "BCDEFGHJKLMNPQR",
}
RANGES = [
    (2, 8), (9, 15), (16, 25), (26, 50), (51, 90), (91, 150), (151, 280), (281, 500),
    (501, 1200), (1201, 3200), (3201, 10000), (10001, 35000), (35001, 150000),
    (150001, 500000), (500001, None),
]  # fmt: skip
SEVERITIES = ["normal", "tightened", "reduced"]


@pytest.mark.parametrize("level", TABLE_1)
@pytest.mark.parametrize("row", range(len(RANGES)))
def test_code_letter_at_every_range_boundary(level, row):
    low, high = RANGES[row]
    expected = TABLE_1[level][row]
    assert code_letter(low, level) == expected
    assert code_letter(high or 10**9, level) == expected
    if row:
        assert code_letter(low - 1, level) == TABLE_1[level][row - 1]


def test_code_letter_of_a_single_item_lot_is_read_from_the_first_row():
    assert code_letter(1, "II") == "A"
    assert code_letter(1, "III") == "B"


@given(st.integers(1, 10**7), st.integers(1, 10**7), st.sampled_from(tables.LEVELS))
def test_code_letter_never_falls_as_the_lot_grows(a, b, level):
    small, large = sorted((a, b))
    assert tables.LETTERS.index(code_letter(small, level)) <= tables.LETTERS.index(
        code_letter(large, level)
    )


# (lot size, level, severity, AQL, Table 1 letter, letter used, n, Ac, Re)
PUBLISHED_PLANS = [
    (1000, "II", "normal", "1.0", "J", "J", 80, 2, 3),
    (1000, "II", "tightened", "1.0", "J", "J", 80, 1, 2),
    (1000, "II", "reduced", "1.0", "J", "J", 32, 1, 2),  # 1999 Table 2-C (Z1.4: Ac 1 Re 3)
    (1000, "II", "normal", "1.5", "J", "J", 80, 3, 4),
    (20, "I", "normal", "1.5", "B", "D", 8, 0, 1),  # two arrows down
    (125, "III", "reduced", "1.0", "G", "J", 32, 1, 2),  # ISO reduced, arrows down
    (2000, "II", "normal", "1.0", "K", "K", 125, 3, 4),
    (2000, "II", "reduced", "1.0", "K", "K", 50, 2, 3),
    (20000, "II", "reduced", "6.5", "M", "L", 80, 10, 11),
    (100000, "S-4", "normal", "0.65", "J", "J", 80, 1, 2),
    (100000, "S-3", "normal", "0.65", "G", "F", 20, 0, 1),
    (200000, "S-4", "normal", "0.40", "J", "K", 125, 1, 2),
    (200000, "S-3", "normal", "0.40", "G", "G", 32, 0, 1),
    (100000, "S-4", "normal", "0.25", "J", "H", 50, 0, 1),
    (100000, "S-4", "normal", "0.15", "J", "J", 80, 0, 1),
    (600000, "III", "normal", "0.015", "R", "P", 800, 0, 1),  # R cannot point down
    (600000, "III", "reduced", "0.015", "R", "P", 315, 0, 1),
    (200000, "III", "tightened", "0.025", "Q", "S", 3150, 1, 2),  # extra row S of 2-B
    (600000, "III", "tightened", "0.025", "R", "S", 3150, 1, 2),
    (600000, "III", "reduced", "0.025", "R", "N", 200, 0, 1),
    (5000, "II", "normal", "0.010", "L", "Q", 1250, 0, 1),
    (10000, "II", "normal", "100", "L", "E", 13, 21, 22),
    (10, "II", "normal", "1000", "B", "B", 3, 44, 45),
    (50, "II", "normal", "250", "D", "D", 8, 30, 31),
    (50, "II", "tightened", "250", "D", "D", 8, 27, 28),
    (50, "II", "reduced", "150", "D", "D", 3, 10, 11),
]


@pytest.mark.parametrize(
    ("lot", "level", "severity", "aql", "letter", "used", "n", "ac", "re"), PUBLISHED_PLANS
)
def test_published_plans(lot, level, severity, aql, letter, used, n, ac, re):
    result = plan(lot, aql, level, severity)
    assert (result.code_letter, result.plan_letter) == (letter, used)
    assert (result.table_sample_size, result.accept, result.reject) == (n, ac, re)
    assert (result.arrow is None) == (used == letter)
    assert result.hundred_percent is (n >= lot)


# Whole columns, letters A..R, as "n/Ac" (Re = Ac + 1): 2-A and 2-B as in MIL-STD-105E
# II-A/II-B (= ISO), 2-C as in the 1999 edition.
PUBLISHED_COLUMNS = {
    ("0.65", "normal"): "20/0 20/0 20/0 20/0 20/0 20/0 20/0 80/1 80/1 125/2 200/3 315/5 "
    "500/7 800/10 1250/14 2000/21",
    ("0.65", "tightened"): "32/0 32/0 32/0 32/0 32/0 32/0 32/0 125/1 125/1 125/1 200/2 315/3 "
    "500/5 800/8 1250/12 2000/18",
    ("0.65", "reduced"): "8/0 8/0 8/0 8/0 8/0 8/0 8/0 50/1 50/1 50/1 80/2 125/3 200/5 315/6 "
    "500/8 800/10",
    ("1.0", "normal"): "13/0 13/0 13/0 13/0 13/0 13/0 50/1 50/1 80/2 125/3 200/5 315/7 500/10 "
    "800/14 1250/21 1250/21",
    ("1.0", "tightened"): "20/0 20/0 20/0 20/0 20/0 20/0 80/1 80/1 80/1 125/2 200/3 315/5 "
    "500/8 800/12 1250/18 1250/18",
    ("1.0", "reduced"): "5/0 5/0 5/0 5/0 5/0 5/0 32/1 32/1 32/1 50/2 80/3 125/5 200/6 315/8 "
    "500/10 500/10",
    ("4.0", "normal"): "3/0 3/0 3/0 13/1 13/1 20/2 32/3 50/5 80/7 125/10 200/14 315/21 315/21 "
    "315/21 315/21 315/21",
    ("4.0", "tightened"): "5/0 5/0 5/0 20/1 20/1 20/1 32/2 50/3 80/5 125/8 200/12 315/18 "
    "315/18 315/18 315/18 315/18",
    ("4.0", "reduced"): "2/0 2/0 2/0 8/1 8/1 8/1 13/2 20/3 32/5 50/6 80/8 125/10 125/10 "
    "125/10 125/10 125/10",
}


@pytest.mark.parametrize(("aql", "severity"), PUBLISHED_COLUMNS)
def test_published_columns(aql, severity):
    cells = [table_plan(letter, aql, severity) for letter in tables.LETTERS]
    found = " ".join(f"{cell.sample_size}/{cell.accept}" for cell in cells)
    assert found == PUBLISHED_COLUMNS[aql, severity]


def test_arrow_down_from_the_tightest_aql_leads_to_a_larger_sample():
    result = plan(1000, "0.010")
    assert (result.code_letter, result.arrow, result.plan_letter) == ("J", "down", "Q")
    assert result.table_sample_size == 1250
    assert result.hundred_percent and result.sample_size == 1000
    assert "arrow down to letter Q" in result.explanation


def test_arrow_up_leads_to_a_smaller_sample():
    result = plan(1000, "0.25")
    assert (result.arrow, result.plan_letter, result.sample_size) == ("up", "H", 50)
    assert (result.accept, result.reject) == (0, 1)


def test_tightened_letter_a_at_aql_10_follows_mil_std_105e():
    result = plan(5, "10", severity="tightened")
    assert (result.plan_letter, result.table_sample_size, result.accept) == ("D", 8, 1)
    assert plan(5, "10").plan_letter == "C"  # normal: n = 5, Ac 1


@pytest.mark.parametrize("lot", [1, 2, 5, 8])
def test_tiny_lots_are_inspected_in_full(lot):
    result = plan(lot, "0.65")
    assert (result.hundred_percent, result.sample_size, result.table_sample_size) == (True, lot, 20)
    assert "100 %" in result.explanation


def test_a_plan_smaller_than_the_lot_is_a_sample():
    result = plan(21, "0.65", "II")  # letter C, arrow down to F, n = 20
    assert (result.hundred_percent, result.sample_size) == (False, 20)


def test_explanation_names_table_letter_n_ac_and_re():
    text = plan(1000, Decimal("1"), "ii", "Normal").explanation
    assert text == (
        "ISO 2859-1 Table 2-A (normal), lot 1000, level II: code letter J; AQL 1.0: "
        "n=80, Ac=2, Re=3"
    )
    assert "\n" not in plan(3, "0.010", "S-1", "reduced").explanation


def test_decide_at_ac_and_re():
    result = plan(1000, "1.0")  # Ac 2, Re 3
    decisions = [result.decide(defects) for defects in (0, 2, 3, 80)]
    assert decisions == ["accept", "accept", "reject", "reject"]


def test_decide_rejects_impossible_counts():
    result = plan(1000, "1.0")
    for bad in (-1, 81, 1.5, "2", True, None):
        with pytest.raises(ValueError):
            result.decide(bad)
    with pytest.raises(ValueError):
        plan(5, "0.65").decide(6)  # 100 % inspection of 5 items


def test_nonconformities_per_100_items_may_exceed_the_sample():
    result = plan(10, "1000")  # n = 3, Ac 44
    assert result.decide(44) == "accept"
    assert result.decide(45) == "reject"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1.0", "1.0"), ("1", "1.0"), (Decimal("0.4"), "0.40"), (10, "10"), (" 6.5 ", "6.5")],
)
def test_aql_is_compared_as_a_decimal(value, expected):
    assert str(parse_aql(value)) == expected


@pytest.mark.parametrize(
    "bad", ["0.3", "2", "abc", "", 1.0, None, True, Decimal("NaN"), Decimal("-1"), "1e9"]
)
def test_unknown_aql_is_refused(bad):
    with pytest.raises(ValueError, match="AQL"):
        plan(100, bad)


INVALID_INPUTS = [
    ("lot_size", 0, "lot size"), ("lot_size", -5, "lot size"), ("lot_size", 10.0, "lot size"),
    ("lot_size", "100", "lot size"), ("lot_size", True, "lot size"),
    ("level", "IV", "inspection level"), ("level", "S-5", "inspection level"),
    ("level", None, "inspection level"), ("severity", "strict", "severity"),
    ("severity", "discontinued", "clause 9.4"), ("severity", None, "severity"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "value", "message"), INVALID_INPUTS)
def test_invalid_inputs_are_refused(name, value, message):
    arguments = {"lot_size": 100, "aql": "1.0", "level": "II", "severity": "normal"}
    arguments[name] = value
    with pytest.raises(ValueError, match=message):
        plan(**arguments)


def test_tighter_aql():
    assert tighter_aql("1.0") == Decimal("0.65")
    assert tighter_aql("15") == Decimal("10")
    assert tighter_aql("0.010") is None


def test_every_cell_of_every_table_leads_to_a_plan():
    with pytest.raises(ValueError, match="code letter"):
        table_plan("I", "1.0")
    for severity, table in tables.MASTER_TABLES.items():
        for letter, row in table.items():
            assert len(row.split()) == len(tables.AQL_VALUES), (severity, letter)
            if letter == "S":
                continue
            for aql in tables.AQL_VALUES:
                cell = table_plan(letter, aql, severity)
                own = tables.SAMPLE_SIZES[severity][letter]
                assert cell.arrow != "down" or cell.sample_size >= own
                assert cell.arrow != "up" or cell.sample_size <= own
                assert (cell.arrow is None) == (cell.letter == letter)
                assert cell.reject == cell.accept + 1


@pytest.mark.parametrize("severity", SEVERITIES)
def test_acceptance_numbers_rise_with_the_aql_and_samples_down_the_columns(severity):
    for letter in tables.LETTERS:
        numbers = [table_plan(letter, aql, severity).accept for aql in tables.AQL_VALUES]
        assert numbers == sorted(numbers), letter
    for aql in tables.AQL_VALUES:
        sizes = [table_plan(letter, aql, severity).sample_size for letter in tables.LETTERS]
        assert sizes == sorted(sizes), aql


def test_the_tighter_normal_plan_keeps_the_sample_size_where_ac_is_two_or_more():
    for letter in tables.LETTERS:
        for aql in AQLS[1:]:
            cell = table_plan(letter, aql)
            if cell.accept >= 2:
                assert table_plan(cell.letter, tighter_aql(aql)).letter == cell.letter


LEVEL, SEVERITY = st.sampled_from(tables.LEVELS), st.sampled_from(SEVERITIES)


@given(st.integers(1, 10**7), st.sampled_from(AQLS), LEVEL, SEVERITY)
def test_plan_properties(lot, aql, level, severity):
    result = plan(lot, aql, level, severity)
    assert result.reject == result.accept + 1
    assert result.table_sample_size == tables.SAMPLE_SIZES[severity][result.plan_letter]
    assert result.sample_size == min(result.table_sample_size, lot)
    assert result.hundred_percent is (result.table_sample_size >= lot)
    assert result.code_letter == code_letter(lot, level)
    assert result.table in result.explanation
    if result.accept <= result.sample_size or aql > 10:
        assert result.decide(result.accept) == "accept"
    if result.reject <= result.sample_size or aql > 10:
        assert result.decide(result.reject) == "reject"


# Switching rules (clause 9).

ACCEPTED = LotOutcome(accepted=True, accept_number=1)
REJECTED = LotOutcome(accepted=False, accept_number=1)


def run(outcomes, state=None, **kwargs):
    state = state or SwitchingState()
    for outcome in outcomes:
        state = next_state(state, outcome, **kwargs)
    return state


def test_inspection_starts_at_normal_with_a_zero_score():
    state = SwitchingState()
    assert (state.inspection, state.switching_score) == ("normal", 0)
    assert "9.1" in state.reason


def test_two_rejections_within_five_lots_switch_to_tightened():
    state = run([REJECTED, ACCEPTED, ACCEPTED, ACCEPTED, REJECTED])
    assert state.inspection == Inspection.TIGHTENED
    assert state.switched_from == Inspection.NORMAL
    assert "2 of 5 consecutive lots" in state.reason and "9.3.1" in state.reason
    assert run([REJECTED, REJECTED]).reason.startswith("2 of 2 consecutive lots")


def test_two_rejections_six_lots_apart_keep_normal():
    state = run([REJECTED, ACCEPTED, ACCEPTED, ACCEPTED, ACCEPTED, REJECTED])
    assert state.inspection == Inspection.NORMAL
    assert state.recent == (True, True, True, True, False)


def test_five_accepted_lots_on_tightened_return_to_normal():
    tightened = run([REJECTED, REJECTED])
    state = run([ACCEPTED, ACCEPTED, REJECTED, *[ACCEPTED] * 4], tightened)
    assert state.inspection == Inspection.TIGHTENED
    assert state.consecutive_accepted == 4
    state = next_state(state, ACCEPTED)
    assert state.inspection == Inspection.NORMAL
    assert "5 consecutive lots accepted" in state.reason and "9.3.2" in state.reason
    assert state.switching_score == 0 and state.recent == ()


def test_switching_score_reaching_30_switches_to_reduced():
    state = run([ACCEPTED] * 14)
    assert (state.inspection, state.switching_score) == ("normal", 28)
    state = next_state(state, ACCEPTED)
    assert state.inspection == Inspection.REDUCED
    assert "switching score 30" in state.reason and "9.3.3" in state.reason


def test_score_of_30_waits_for_steady_production_and_approval():
    state = run([ACCEPTED] * 15, production_steady=False)
    assert (state.inspection, state.switching_score) == ("normal", 30)
    assert "steady production" in state.reason
    state = next_state(state, ACCEPTED, authority_approves_reduced=False)
    assert (state.inspection, state.switching_score) == ("normal", 32)
    assert "approval" in state.reason
    assert next_state(state, ACCEPTED).inspection == Inspection.REDUCED


def test_score_with_ac_two_or_more_counts_acceptance_at_the_tighter_aql():
    tighter = LotOutcome(True, accept_number=2, accepted_at_tighter_aql=True)
    only_here = LotOutcome(True, accept_number=2, accepted_at_tighter_aql=False)
    assert run([tighter] * 9).switching_score == 27
    assert run([tighter] * 9 + [only_here]).switching_score == 0
    assert run([tighter] * 10).inspection == Inspection.REDUCED
    with pytest.raises(ValueError, match="accepted_at_tighter_aql"):
        next_state(SwitchingState(), LotOutcome(True, accept_number=3))


def test_a_rejected_lot_resets_the_score():
    state = run([ACCEPTED] * 10 + [LotOutcome(False, accept_number=5)])
    assert (state.inspection, state.switching_score) == ("normal", 0)


@pytest.mark.parametrize(
    ("outcome", "kwargs", "clause"),
    [
        (REJECTED, {}, "9.3.4 a"),
        (ACCEPTED, {"production_steady": False}, "9.3.4 b"),
        (ACCEPTED, {"authority_approves_reduced": False}, "9.3.4 c"),
    ],
)
def test_reduced_returns_to_normal(outcome, kwargs, clause):
    reduced = run([ACCEPTED] * 15)
    assert next_state(reduced, ACCEPTED).inspection == Inspection.REDUCED
    state = next_state(reduced, outcome, **kwargs)
    assert (state.inspection, state.switched_from) == ("normal", "reduced")
    assert clause in state.reason


def test_five_lots_not_accepted_on_tightened_discontinue_inspection():
    tightened = run([REJECTED, REJECTED])
    state = run([REJECTED, ACCEPTED, REJECTED, ACCEPTED, ACCEPTED, REJECTED], tightened)
    assert state.not_accepted_on_tightened == 3
    state = run([ACCEPTED, ACCEPTED, ACCEPTED, REJECTED, REJECTED], state)
    assert state.inspection == Inspection.DISCONTINUED
    assert "9.4" in state.reason
    with pytest.raises(ValueError, match="discontinued"):
        next_state(state, ACCEPTED)
    with pytest.raises(ValueError, match="discontinued"):
        plan(1000, "1.0", severity=state.inspection)
    resumed = resume(state)
    assert (resumed.inspection, resumed.switched_from) == ("tightened", "discontinued")
    with pytest.raises(ValueError, match="not discontinued"):
        resume(resumed)


def test_lot_outcome_from_a_plan():
    normal = plan(1000, "1.0")  # J: n = 80, Ac 2; at AQL 0.65: n = 80, Ac 1
    assert lot_outcome(normal, 1) == LotOutcome(True, 2, True)
    assert lot_outcome(normal, 2) == LotOutcome(True, 2, False)
    assert lot_outcome(normal, 3) == LotOutcome(False, 2, False)
    assert lot_outcome(plan(1000, "1.0", severity="tightened"), 1) == LotOutcome(True, 1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"accepted": "yes"}, "accepted"),
        ({"accepted": True, "accept_number": -1}, "accept number"),
        ({"accepted": True, "accept_number": 1.0}, "accept number"),
        ({"accepted": False, "accepted_at_tighter_aql": True}, "tighter"),
    ],
)
def test_lot_outcome_validation(kwargs, message):
    with pytest.raises(ValueError, match=message):
        LotOutcome(**kwargs)


def test_next_state_needs_a_lot_outcome():
    with pytest.raises(ValueError, match="LotOutcome"):
        next_state(SwitchingState(), True)


@given(st.lists(st.tuples(st.booleans(), st.integers(0, 5), st.booleans()), max_size=60))
def test_switching_invariants(lots):
    state = SwitchingState()
    for accepted, ac, at_tighter in lots:
        if state.inspection == Inspection.DISCONTINUED:
            state = resume(state)
        before = state
        state = next_state(state, LotOutcome(accepted, ac, accepted and at_tighter))
        assert state.reason
        assert len(state.recent) <= 5 and state.recent.count(False) <= 1
        assert state.switching_score >= 0
        if state.inspection != before.inspection:
            assert state.switched_from == before.inspection
        if state.inspection == Inspection.DISCONTINUED:
            assert before.inspection == Inspection.TIGHTENED
        if state.inspection == Inspection.REDUCED:
            assert before.inspection in (Inspection.NORMAL, Inspection.REDUCED)
