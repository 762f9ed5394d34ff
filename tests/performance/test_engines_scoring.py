"""The scoring engine: normalisation, weights, bands, period and overall scores, declines."""

from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given, strategies as st

from partnerdesk.performance.engines.scoring import (
    Band,
    Criterion,
    Normalisation,
    band_for,
    consecutive_declines,
    decline_alert_due,
    normalise,
    overall_score,
    score_period,
    validate_bands,
    validate_weights,
)

D = Decimal

ON_TIME = Normalisation(worst=D(80), best=D(100))  # % delivered on time, higher is better
DEFECTS = Normalisation(worst=D(500), best=D(0))  # ppm, lower is better
RESPONSE = Normalisation(worst=D(72), best=D(4))  # hours, lower is better
CRITERIA = (
    Criterion("on_time", D(50), ON_TIME),
    Criterion("quality", D(30), DEFECTS),
    Criterion("response", D(20), RESPONSE),
)
BANDS = (
    Band("Red", D(0), D(50), "block"),
    Band("Amber", D(50), D(75), "warn"),
    Band("Green", D(75), D(100), "none"),
)


# --- normalisation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("80", D(0)),  # at worst
        ("90", D(50)),  # (90 - 80) / (100 - 80) * 100 = 50
        ("95", D(75)),
        ("100", D(100)),  # at best
        ("70", D(0)),  # beyond worst: clamped
        ("105", D(100)),  # beyond best: clamped
    ],
)
def test_normalise_higher_is_better(value, expected):
    assert normalise(D(value), ON_TIME) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("500", D(0)),
        ("250", D(50)),
        ("100", D(80)),  # (100 - 500) / (0 - 500) * 100 = -400 / -500 * 100 = 80
        ("0", D(100)),
        ("600", D(0)),
    ],
)
def test_normalise_lower_is_better(value, expected):
    assert normalise(D(value), DEFECTS) == expected


def test_normalise_is_not_rounded():
    # 1 on 0..3 is a third: 33.333…
    assert normalise(D(1), Normalisation(D(0), D(3))) == D(1) / D(3) * 100


def test_worst_equal_to_best_is_invalid():
    with pytest.raises(ValueError, match="worst and best are both 95"):
        Normalisation(worst=D(95), best=D("95.0"))


# --- weights ---------------------------------------------------------------------------------


def test_weights_adding_up_to_100_are_valid():
    assert validate_weights(CRITERIA) == []


def test_weights_must_add_up_to_exactly_100():
    criteria = (Criterion("a", D(40), ON_TIME), Criterion("b", D("54.99"), ON_TIME))

    assert validate_weights(criteria) == ["Weights add up to 94.99, not 100."]


def test_each_weight_must_be_positive():
    criteria = (Criterion("quality", D(0), DEFECTS), Criterion("on_time", D(100), ON_TIME))

    assert validate_weights(criteria) == ["Criterion quality: weight 0 must be more than 0."]


def test_a_scorecard_needs_a_criterion():
    assert validate_weights(()) == ["At least one criterion is required."]


# --- bands -----------------------------------------------------------------------------------


def test_bands_covering_0_to_100_are_valid_in_any_order():
    assert validate_bands(BANDS) == []
    assert validate_bands(tuple(reversed(BANDS))) == []
    assert validate_bands((Band("All", D(0), D(100), "none"),)) == []


def test_band_gap_names_both_bands():
    bands = (BANDS[0], Band("Amber", D(55), D(75), "warn"), BANDS[2])

    assert validate_bands(bands) == [
        "Gap between band 'Red' (ends at 50) and band 'Amber' (starts at 55)."
    ]


def test_band_overlap_names_both_bands():
    bands = (Band("Red", D(0), D(60), "block"), BANDS[1], BANDS[2])

    assert validate_bands(bands) == [
        "Band 'Red' (ends at 60) overlaps band 'Amber' (starts at 50)."
    ]


def test_bands_must_start_at_0_and_end_at_100():
    bands = (Band("Red", D(10), D(50), "block"), BANDS[1], Band("Green", D(75), D(95), "none"))

    assert validate_bands(bands) == [
        "Band 'Red' starts at 10; the first must start at 0.",
        "Band 'Green' ends at 95; the last must end at 100.",
    ]


def test_band_lower_must_be_below_upper_and_action_known():
    bands = (
        Band("Red", D(0), D(50), "stop"),
        Band("Flat", D(50), D(50), "warn"),
        Band("Green", D(50), D(100), "none"),
    )

    assert validate_bands(bands) == [
        "Band 'Red': action 'stop' must be one of none, warn, block.",
        "Band 'Flat': lower 50 must be below upper 50.",
    ]


def test_a_band_table_needs_a_band():
    assert validate_bands(()) == ["At least one band is required."]


@pytest.mark.parametrize(
    ("score", "name"),
    [
        ("0", "Red"),
        ("49.99", "Red"),
        ("50", "Amber"),  # a band edge belongs to the upper band
        ("74.99", "Amber"),
        ("75", "Green"),
        ("100", "Green"),  # the top band includes 100
    ],
)
def test_band_for(score, name):
    assert band_for(D(score), BANDS).name == name


@pytest.mark.parametrize("score", ["-0.01", "100.01"])
def test_band_for_outside_0_to_100_fails(score):
    with pytest.raises(ValueError, match="no band contains"):
        band_for(D(score), BANDS)


# --- period score ----------------------------------------------------------------------------


def test_period_score_is_the_weighted_mean_of_normalised_values():
    # on_time 95 → 75, quality 100 ppm → 80, response 38 h → (38 - 72) / (4 - 72) * 100 = 50
    # (75 * 50 + 80 * 30 + 50 * 20) / 100 = (3750 + 2400 + 1000) / 100 = 71.50
    result = score_period({"on_time": D(95), "quality": D(100), "response": D(38)}, CRITERIA)

    assert result.score == D("71.50")
    assert result.parts == (
        ("on_time", D(95), D(75), D(50)),
        ("quality", D(100), D(80), D(30)),
        ("response", D(38), D(50), D(20)),
    )
    assert result.explanation == (
        "on_time: 95 on 80 (0) to 100 (100) → 75.00 at weight 50.00 %",
        "quality: 100 on 500 (0) to 0 (100) → 80.00 at weight 30.00 %",
        "response: 38 on 72 (0) to 4 (100) → 50.00 at weight 20.00 %",
        "score 71.50",
    )


def test_missing_criteria_are_left_out_and_weights_renormalised():
    # quality has no value: the remaining weights 50 + 20 = 70 are rescaled to 100:
    # on_time 50 * 100 / 70 = 71.43 %, response 20 * 100 / 70 = 28.57 %
    # score = (75 * 50 + 50 * 20) / 70 = 4750 / 70 = 67.857… → 67.86
    result = score_period({"on_time": D(95), "quality": None, "response": D(38)}, CRITERIA)

    assert result.score == D("67.86")
    assert result.parts[1] == ("quality", None, None, D(0))
    assert result.parts[0][3] == D(5000) / D(70)
    assert result.explanation[0] == (
        "no value for quality (weight 30); the remaining weights (70) are rescaled to 100"
    )
    assert result.explanation[1] == "on_time: 95 on 80 (0) to 100 (100) → 75.00 at weight 71.43 %"
    # a key absent from the mapping counts as missing too
    assert score_period({"on_time": D(95), "response": D(38)}, CRITERIA).score == D("67.86")


def test_no_activity_is_no_score_not_zero_or_hundred():
    result = score_period({"on_time": None}, CRITERIA)

    assert result.score is None
    assert [part[2] for part in result.parts] == [None, None, None]
    assert result.explanation == ("no criterion has a value this period → no score",)


def test_worst_and_best_everywhere_give_0_and_100():
    worst = {"on_time": D(80), "quality": D(500), "response": D(72)}
    best = {"on_time": D(100), "quality": D(0), "response": D(4)}

    assert score_period(worst, CRITERIA).score == D("0.00")
    assert score_period(best, CRITERIA).score == D("100.00")


def test_period_score_rounds_half_up():
    # (33.32 * 50 + 33.33 * 50) / 100 = 33.325 → 33.33 (half-even would give 33.32)
    identity = Normalisation(D(0), D(100))
    criteria = (Criterion("a", D(50), identity), Criterion("b", D(50), identity))

    assert score_period({"a": D("33.32"), "b": D("33.33")}, criteria).score == D("33.33")


# --- overall score ---------------------------------------------------------------------------


def test_overall_score_weighs_newer_periods_more():
    # newest 80 * 1 + 70 * 0.5 + 60 * 0.25 = 80 + 35 + 15 = 130; weights 1.75 → 74.2857… → 74.29
    assert overall_score([D(60), D(70), D(80)], decay=D("0.5"), window=3) == D("74.29")


def test_overall_score_only_looks_at_the_window():
    assert overall_score([D(10), D(60), D(70), D(80)], decay=D("0.5"), window=3) == D("74.29")


def test_overall_score_skips_periods_without_a_score():
    # 80 * 1 + (None, weight 0.5 not used) + 60 * 0.25 = 95; weights 1.25 → 76.00
    assert overall_score([D(60), None, D(80)], decay=D("0.5"), window=3) == D("76.00")


def test_overall_score_without_any_score_is_none():
    assert overall_score([], decay=D("0.8"), window=6) is None
    assert overall_score([None, None], decay=D("0.8"), window=6) is None
    assert overall_score([D(55), None], decay=D("0.8"), window=1) is None


def test_decay_of_1_is_the_plain_mean():
    assert overall_score([D(60), D(70), D(80)], decay=D(1), window=6) == D("70.00")


def test_decay_of_0_counts_only_the_newest_period():
    assert overall_score([D(60), D(70), D(80)], decay=D(0), window=6) == D("80.00")
    # older periods weigh 0, so nothing is left when the newest has no score
    assert overall_score([D(60), D(70), None], decay=D(0), window=6) is None


@pytest.mark.parametrize(("decay", "window"), [("-0.1", 3), ("1.5", 3), ("0.8", 0)])
def test_overall_score_rejects_bad_parameters(decay, window):
    with pytest.raises(ValueError):
        overall_score([D(50)], decay=D(decay), window=window)


# --- declines --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([], 0),
        (["50"], 0),
        (["90", "85", "80", "75"], 3),
        (["100", "90", "80", "70", "60"], 4),
        (["90", "85", "85", "80"], 1),  # equal is not a decline
        (["90", "85", "80", "82"], 0),  # the newest rose
        (["90", None, "80", "75", "70"], 2),  # None breaks the chain
        (["80", None], 0),
    ],
)
def test_consecutive_declines(scores, expected):
    values = [None if s is None else D(s) for s in scores]

    assert consecutive_declines(values) == expected
    assert decline_alert_due(values) == (expected >= 3)


# --- properties ------------------------------------------------------------------------------

numbers = st.decimals(min_value=-10000, max_value=10000, places=3)


@given(value=numbers, worst=numbers, best=numbers)
def test_normalise_stays_within_0_and_100(value, worst, best):
    if worst == best:
        return
    assert 0 <= normalise(value, Normalisation(worst, best)) <= 100


cut_points = st.lists(
    st.decimals(min_value="0.01", max_value="99.99", places=2), unique=True, max_size=6
)


@given(cuts=cut_points, score=st.decimals(min_value=0, max_value=100, places=4))
def test_band_for_finds_exactly_one_band_in_valid_bands(cuts, score):
    edges = [D(0), *sorted(cuts), D(100)]
    bands = [Band(f"b{i}", lo, hi, "none") for i, (lo, hi) in enumerate(pairwise(edges))]
    assert validate_bands(bands) == []

    containing = [b for b in bands if b.lower <= score < b.upper or score == b.upper == 100]

    assert len(containing) == 1
    assert band_for(score, bands) == containing[0]


percent_or_none = st.one_of(st.none(), st.decimals(min_value=-50, max_value=150, places=2))


@given(on_time=percent_or_none, quality=percent_or_none, response=percent_or_none)
def test_period_score_is_none_only_without_values_and_else_within_0_and_100(
    on_time, quality, response
):
    result = score_period({"on_time": on_time, "quality": quality, "response": response}, CRITERIA)

    if on_time is None and quality is None and response is None:
        assert result.score is None
    else:
        assert 0 <= result.score <= 100
        assert sum(part[3] for part in result.parts).quantize(D("0.0001")) == 100


@given(
    scores=st.lists(st.one_of(st.none(), st.decimals(min_value=0, max_value=100, places=2))),
    decay=st.decimals(min_value=0, max_value=1, places=2),
    window=st.integers(min_value=1, max_value=12),
)
def test_overall_score_lies_between_the_scores_it_weighs(scores, decay, window):
    result = overall_score(scores, decay=decay, window=window)

    # with decay 0 only the newest period weighs anything
    weighed = scores[-window:] if decay else scores[-1:]
    present = [s for s in weighed if s is not None]
    if not present:
        assert result is None
    else:
        assert min(present) <= result <= max(present)
