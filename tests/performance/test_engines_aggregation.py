"""The aggregation engine: one value per metric and period from its observations."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from partnerdesk.performance.engines.aggregation import (
    Aggregation,
    Observation,
    Summary,
    aggregate,
    aggregate_summary,
    merge,
    summarise,
)

D = Decimal


def values(*numbers: str) -> list[Observation]:
    return [Observation(D(n), key=f"row{i}") for i, n in enumerate(numbers)]


@pytest.mark.parametrize("aggregation", list(Aggregation))
def test_no_observations_is_no_activity_not_zero(aggregation):
    assert aggregate([], aggregation) is None


def test_mean_is_the_arithmetic_mean():
    # (98 + 99.5 + 100) / 3 = 297.5 / 3 = 99.1666… (not rounded inside)
    result = aggregate(values("98", "99.5", "100"), Aggregation.MEAN)

    assert result == D("297.5") / 3
    assert result.quantize(D("0.01")) == D("99.17")


def test_mean_of_exact_values_is_exact():
    # (2 + 3 + 4 + 5) / 4 = 14 / 4 = 3.5
    assert aggregate(values("2", "3", "4", "5"), Aggregation.MEAN) == D("3.5")


def test_sum_adds_the_values():
    # 1.25 + 2.50 + 0.25 = 4.00
    assert aggregate(values("1.25", "2.50", "0.25"), Aggregation.SUM) == D("4.00")


def test_observations_without_a_value_are_ignored():
    observations = [Observation(D("10")), Observation(None), Observation(D("20"))]

    # mean of 10 and 20 = 15; the None row does not count as 0
    assert aggregate(observations, Aggregation.MEAN) == D(15)
    assert aggregate([Observation(None)], Aggregation.SUM) is None


def test_ratio_is_the_ratio_of_sums_times_scale():
    # on-time deliveries: (45 + 5) / (50 + 50) = 50 / 100 = 0.5, times 100 = 50 %
    observations = [
        Observation(None, numerator=D(45), denominator=D(50)),
        Observation(None, numerator=D(5), denominator=D(50)),
    ]
    assert aggregate(observations, Aggregation.RATIO, scale=D(100)) == D(50)


def test_ratio_weighs_by_volume_not_by_row():
    # (99 + 1) / (100 + 10) = 100 / 110 = 0.90909… * 100 = 90.909…; the mean of the row
    # ratios would be (99 % + 10 %) / 2 = 54.5 %
    observations = [
        Observation(None, numerator=D(99), denominator=D(100)),
        Observation(None, numerator=D(1), denominator=D(10)),
    ]
    result = aggregate(observations, Aggregation.RATIO, scale=D(100))

    assert result.quantize(D("0.0001")) == D("90.9091")


def test_ratio_without_scale_is_the_plain_fraction():
    observations = [Observation(None, numerator=D(3), denominator=D(4))]

    assert aggregate(observations, Aggregation.RATIO) == D("0.75")


def test_ratio_with_zero_denominator_sum_is_none():
    observations = [Observation(None, numerator=D(0), denominator=D(0))]

    assert aggregate(observations, Aggregation.RATIO, scale=D(100)) is None


def test_ratio_ignores_rows_missing_numerator_or_denominator():
    observations = [
        Observation(D(1), numerator=D(8), denominator=D(10)),
        Observation(D(1), numerator=None, denominator=D(90)),
    ]
    # only the first pair counts: 8 / 10 * 100 = 80
    assert aggregate(observations, Aggregation.RATIO, scale=D(100)) == D(80)
    assert aggregate([Observation(D(1))], Aggregation.RATIO) is None


def test_last_takes_the_latest_date_not_the_last_row():
    observations = [
        Observation(D(1), at=datetime.date(2025, 3, 31), key="march"),
        Observation(D(2), at=datetime.date(2025, 1, 31), key="january"),
    ]
    assert aggregate(observations, Aggregation.LAST) == D(1)


def test_last_on_a_date_tie_takes_the_last_in_sequence():
    day = datetime.date(2025, 3, 31)
    observations = [Observation(D(1), at=day), Observation(D(2), at=day), Observation(D(3), at=day)]

    assert aggregate(observations, Aggregation.LAST) == D(3)


def test_last_ranks_undated_rows_before_dated_ones():
    observations = [Observation(D(1), at=datetime.date(2025, 1, 1)), Observation(D(2))]

    assert aggregate(observations, Aggregation.LAST) == D(1)
    assert aggregate([Observation(D(5)), Observation(D(6))], Aggregation.LAST) == D(6)


decimals = st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False)


@given(st.lists(decimals, min_size=1, max_size=20))
def test_mean_lies_between_min_and_max_and_sum_is_exact(numbers):
    observations = [Observation(n) for n in numbers]

    mean = aggregate(observations, Aggregation.MEAN)

    assert min(numbers) <= mean <= max(numbers)
    assert aggregate(observations, Aggregation.SUM) == sum(numbers, D(0))


# --- summaries: the same results from sums (GROUP BY) and merged sets ---------------------------

_decimals = st.decimals(min_value=0, max_value=10_000, places=2, allow_nan=False)
_observations = st.lists(
    st.builds(
        Observation,
        value=st.none() | _decimals,
        numerator=st.none() | _decimals,
        denominator=st.none() | _decimals,
        at=st.none()
        | st.dates(min_value=datetime.date(2026, 1, 1), max_value=datetime.date(2026, 1, 31)),
    ),
    max_size=8,
)


@given(_observations, st.integers(min_value=0, max_value=8))
def test_a_summary_aggregates_like_the_observations_even_when_merged(observations, cut):
    merged = merge(summarise(observations[:cut]), summarise(observations[cut:]))
    for aggregation in Aggregation:
        expected = aggregate(observations, aggregation, scale=Decimal(100))
        assert (
            aggregate_summary(summarise(observations), aggregation, scale=Decimal(100)) == expected
        )
        assert aggregate_summary(merged, aggregation, scale=Decimal(100)) == expected


def test_an_empty_summary_has_no_value():
    for aggregation in Aggregation:
        assert aggregate_summary(Summary(), aggregation) is None


def test_the_later_observation_wins_a_tie_for_the_last_value_across_merged_sets():
    day = datetime.date(2026, 1, 31)
    first = summarise([Observation(value=Decimal(1), at=day)])
    second = summarise([Observation(value=Decimal(2), at=day)])
    assert aggregate_summary(merge(first, second), Aggregation.LAST) == Decimal(2)
    assert aggregate_summary(merge(second, first), Aggregation.LAST) == Decimal(1)
