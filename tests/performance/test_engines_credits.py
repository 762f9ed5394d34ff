"""The service-credit engine: breaches, credit rules, pool and at-risk caps, earn-back."""

from decimal import ROUND_DOWN, Decimal

import pytest
from hypothesis import given, strategies as st

from partnerdesk.performance.engines.aggregation import Aggregation, Observation, aggregate
from partnerdesk.performance.engines.credits import (
    CreditModel,
    CreditTerms,
    Direction,
    EarnBack,
    LevelInput,
    Tier,
    compute_period,
    earn_back_state,
    is_breach,
    raw_credit,
    validate_pool_allocations,
    validate_tiers,
)

D = Decimal

# "Below 99.9 %: 10 %, below 99 %: 25 %, below 95 %: 100 %", the Amazon S3 table
# (https://aws.amazon.com/s3/sla/historical/, version of July 31, 2019).
CLOUD_TIERS = (Tier(D("99.9"), D(10)), Tier(D("99.0"), D(25)), Tier(D("95.0"), D(100)))
CLOUD = CreditTerms(CreditModel.TIERED, Direction.HIGHER, D("99.9"), tiers=CLOUD_TIERS)


def credit_of(terms: CreditTerms, attainment: str, fee: str = "10000.00") -> Decimal:
    return raw_credit(terms, D(attainment), D(fee))[0]


# --- breach ---------------------------------------------------------------------------------


def test_exactly_at_target_is_met_in_both_directions():
    assert not is_breach(D("99.9"), D("99.9"), Direction.HIGHER)
    assert not is_breach(D(4), D("4.00"), Direction.LOWER)


def test_breach_is_on_the_bad_side_of_the_target():
    assert is_breach(D("99.89"), D("99.9"), Direction.HIGHER)
    assert not is_breach(D("99.91"), D("99.9"), Direction.HIGHER)
    assert is_breach(D("4.01"), D(4), Direction.LOWER)
    assert not is_breach(D("3.99"), D(4), Direction.LOWER)


# --- tiered ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attainment", "expected"),
    [
        ("99.95", D(0)),  # above target
        ("99.9", D(0)),  # exactly at target and at the 99.9 threshold: met
        ("99.89", D(1000)),  # below 99.9 → 10 % of 10000
        ("99.0", D(1000)),  # exactly at 99.0: the 25 % tier does not apply yet
        ("98.99", D(2500)),  # below 99.0 → 25 %
        ("95.0", D(2500)),  # exactly at 95.0: still 25 %
        ("94.99", D(10000)),  # below 95.0 → 100 %
        ("0", D(10000)),
    ],
)
def test_cloud_tier_table(attainment, expected):
    assert credit_of(CLOUD, attainment) == expected


def test_tiered_explanation_names_the_tier_and_fee():
    amount, text = raw_credit(CLOUD, D("98.50"), D("10000.00"))

    assert amount == D("2500.00")
    assert text == "attainment 98.50 below 99.0 → 25 % of fee 10000.00"


def test_published_s3_example_from_downtime_minutes():
    # A 30-day month has 30 * 24 * 60 = 43200 minutes. 432 minutes down gives
    # (43200 - 432) / 43200 * 100 = 42768 / 43200 * 100 = 99.00 % exactly: "less than 99.9 %
    # but greater than or equal to 99.0 %" → 10 % of a 100.00 bill = 10.00.
    # One more minute: 42767 / 43200 * 100 = 98.9976… % → 25 % = 25.00.
    def uptime(down: int) -> Decimal:
        minutes = [Observation(None, numerator=D(43200 - down), denominator=D(43200))]
        return aggregate(minutes, Aggregation.RATIO, scale=D(100))

    assert uptime(432) == D(99)
    assert raw_credit(CLOUD, uptime(432), D("100.00"))[0] == D("10.00")
    assert raw_credit(CLOUD, uptime(433), D("100.00"))[0] == D("25.00")
    # The S3 SLA's own wording: a 98 % month on a 100 bill is a 25 credit.
    assert credit_of(CLOUD, "98", "100") == D(25)


def test_lower_is_better_tiers_apply_strictly_above_threshold():
    # response hours: above 4 → 5 %, above 8 → 15 %, above 24 → 50 % of 2000.00
    tiers = (Tier(D(4), D(5)), Tier(D(8), D(15)), Tier(D(24), D(50)))
    terms = CreditTerms(CreditModel.TIERED, Direction.LOWER, D(4), tiers=tiers)

    assert credit_of(terms, "4", "2000.00") == D(0)  # at target
    assert credit_of(terms, "8", "2000.00") == D(100)  # exactly 8: only "above 4" → 5 % = 100
    assert credit_of(terms, "8.01", "2000.00") == D(300)  # 15 % of 2000 = 300
    assert credit_of(terms, "48", "2000.00") == D(1000)  # 50 % of 2000 = 1000


def test_the_tier_with_the_largest_percent_wins_in_any_order():
    shuffled = CreditTerms(
        CreditModel.TIERED, Direction.HIGHER, D("99.9"), tiers=tuple(reversed(CLOUD_TIERS))
    )
    # 90 is below all three thresholds: 10 %, 25 % and 100 % apply; 100 % wins
    assert credit_of(shuffled, "90") == D(10000)


def test_breach_outside_every_tier_gives_no_credit_but_says_so():
    terms = CreditTerms(
        CreditModel.TIERED, Direction.HIGHER, D("99.9"), tiers=(Tier(D("99.5"), D(10)),)
    )
    amount, text = raw_credit(terms, D("99.7"), D(1000))

    assert amount == 0
    assert text == "attainment 99.7 below target 99.9 but in no tier → no credit"


# --- per point, fixed ------------------------------------------------------------------------


def test_per_point_counts_full_points_only():
    terms = CreditTerms(CreditModel.PER_POINT, Direction.HIGHER, D(95), percent_per_point=D(2))

    # 95 - 92.4 = 2.6 → 2 full points * 2 % = 4 % of 10000 = 400
    amount, text = raw_credit(terms, D("92.4"), D("10000.00"))
    assert amount == D(400)
    assert text == (
        "attainment 92.4 below target 95 by 2.6 → 2 full points at 2 % each = 4 % of fee 10000.00"
    )
    assert credit_of(terms, "93") == D(400)  # exactly 2 points short
    assert credit_of(terms, "94.01") == D(0)  # 0.99 short: a breach, but no full point


def test_per_point_lower_is_better():
    terms = CreditTerms(CreditModel.PER_POINT, Direction.LOWER, D(24), percent_per_point=D("1.5"))

    # 27.5 - 24 = 3.5 → 3 points * 1.5 % = 4.5 % of 8000 = 360
    assert credit_of(terms, "27.5", "8000") == D(360)


def test_fixed_amount_and_fixed_percent_per_breach():
    amount = CreditTerms(CreditModel.FIXED_AMOUNT, Direction.LOWER, D(5), fixed_amount=D("500.00"))
    percent = CreditTerms(CreditModel.FIXED_PERCENT, Direction.LOWER, D(5), fixed_percent=D(5))

    assert credit_of(amount, "5") == D(0)
    assert credit_of(amount, "5.01") == D("500.00")
    assert credit_of(amount, "50") == D("500.00")
    assert credit_of(percent, "5.01", "8000.00") == D(400)  # 5 % of 8000


def test_terms_missing_their_parameter_fail_loudly():
    terms = CreditTerms(CreditModel.PER_POINT, Direction.HIGHER, D(95))

    with pytest.raises(ValueError, match="percent_per_point"):
        raw_credit(terms, D(90), D(100))


# --- tier validation -------------------------------------------------------------------------


def test_cloud_table_is_valid_in_any_row_order():
    assert validate_tiers(CLOUD_TIERS, Direction.HIGHER) == []
    assert validate_tiers(tuple(reversed(CLOUD_TIERS)), Direction.HIGHER) == []


def test_tier_table_needs_a_row():
    assert validate_tiers((), Direction.HIGHER) == ["At least one tier is required."]


def test_tier_percent_must_be_above_0_and_at_most_100():
    tiers = (Tier(D(99), D(0)), Tier(D(95), D(50)), Tier(D(90), D(120)))

    assert validate_tiers(tiers, Direction.HIGHER) == [
        "Row 1: credit 0 % must be more than 0 and at most 100.",
        "Row 3: credit 120 % must be more than 0 and at most 100.",
    ]
    assert validate_tiers((Tier(D(90), D(100)),), Direction.HIGHER) == []  # 100 % is allowed


def test_tier_thresholds_must_be_unique():
    tiers = (Tier(D("99.9"), D(10)), Tier(D("99.90"), D(25)))

    assert validate_tiers(tiers, Direction.HIGHER) == ["Row 2: threshold 99.90 repeats row 1."]


def test_higher_is_better_table_must_grow_as_threshold_falls():
    tiers = (Tier(D("99.9"), D(25)), Tier(D(99), D(10)), Tier(D(95), D(100)))

    assert validate_tiers(tiers, Direction.HIGHER) == [
        "Row 2: below 99 gives 10 %, which must be more than the 25 % of row 1 (below 99.9)."
    ]


def test_lower_is_better_table_must_grow_as_threshold_rises():
    assert validate_tiers((Tier(D(4), D(5)), Tier(D(8), D(15))), Direction.LOWER) == []
    assert validate_tiers((Tier(D(8), D(15)), Tier(D(4), D(20))), Direction.LOWER) == [
        "Row 1: above 8 gives 15 %, which must be more than the 20 % of row 2 (above 4)."
    ]


def test_equal_percentages_are_not_monotonic():
    tiers = (Tier(D(99), D(10)), Tier(D(95), D(10)))

    assert validate_tiers(tiers, Direction.HIGHER) == [
        "Row 2: below 95 gives 10 %, which must be more than the 10 % of row 1 (below 99)."
    ]


# --- a period ------------------------------------------------------------------------------


def level(key, terms, attainment, *, critical=True, excused=False) -> LevelInput:
    value = None if attainment is None else D(attainment)
    return LevelInput(key, critical, terms, value, excused=excused)


def fixed(amount: str, pool: str, *, version: int = 1) -> CreditTerms:
    return CreditTerms(
        CreditModel.FIXED_AMOUNT,
        Direction.HIGHER,
        D(95),
        fixed_amount=D(amount),
        pool_allocation_percent=D(pool),
        version=version,
    )


def test_period_with_every_kind_of_outcome():
    availability = CreditTerms(
        CreditModel.TIERED,
        Direction.HIGHER,
        D("99.9"),
        tiers=CLOUD_TIERS,
        pool_allocation_percent=D(40),
        version=3,
    )
    response = CreditTerms(
        CreditModel.PER_POINT,
        Direction.LOWER,
        D(4),
        percent_per_point=D(2),
        pool_allocation_percent=D(30),
    )
    on_time = CreditTerms(
        CreditModel.FIXED_PERCENT,
        Direction.HIGHER,
        D(95),
        fixed_percent=D(5),
        pool_allocation_percent=D(10),
    )
    nps = CreditTerms(CreditModel.FIXED_PERCENT, Direction.HIGHER, D(30), fixed_percent=D(5))

    result = compute_period(
        monthly_fee=D("10000.00"),
        at_risk_percent=D(15),
        levels=[
            level("availability", availability, "98.50"),
            level("response", response, "6.5"),
            level("on_time", on_time, "95"),
            level("nps", nps, "20", critical=False),
            level("defects", on_time, "80", excused=True),
            level("tickets", on_time, None),
        ],
    )

    # at risk: 10000.00 * 15 % = 1500.00
    assert result.at_risk_amount == D("1500.00")
    by_key = {r.key: r for r in result.levels}
    # 98.50 < 99.0 → 25 % of 10000 = 2500.00, pool 40 % of 1500 = 600.00 binds
    availability_result = by_key["availability"]
    assert (availability_result.outcome, availability_result.raw_credit) == ("breach", D(2500))
    assert (availability_result.pool_cap, availability_result.credit) == (D(600), D("600.00"))
    assert availability_result.explanation == (
        "availability (critical, tiered terms v3)",
        "attainment 98.50 below 99.0 → 25 % of fee 10000.00",
        "raw credit 2500.00; pool cap 40 % of at-risk 1500.00 = 600.00 (binds) → credit 600.00",
    )
    # 6.5 - 4 = 2.5 → 2 points * 2 % = 4 % of 10000 = 400.00; pool 30 % = 450.00 does not bind
    assert (by_key["response"].outcome, by_key["response"].credit) == ("breach", D(400))
    assert by_key["response"].pool_cap == D(450)
    assert (by_key["on_time"].outcome, by_key["on_time"].credit) == ("met", D(0))  # at target
    assert (by_key["nps"].outcome, by_key["nps"].credit) == ("kpi", D(0))
    assert "missed target 30; a KPI carries no credit" in by_key["nps"].explanation[1]
    assert (by_key["defects"].outcome, by_key["defects"].credit) == ("excused", D(0))
    assert (by_key["tickets"].outcome, by_key["tickets"].credit) == ("no_data", D(0))
    # 600.00 + 400.00 = 1000.00 ≤ 1500.00: the at-risk cap does not bind
    assert result.total_before_cap == result.total_credit == D("1000.00")
    assert not result.capped
    assert result.explanation[0] == "monthly fee 10000.00, 15 % at risk → at-risk amount 1500.00"
    assert result.explanation[-1] == "total credit 1000.00"


def test_credits_exactly_at_the_at_risk_amount_are_not_capped():
    # at risk 1000.00 * 10 % = 100.00; credits 50 + 30 + 20 = 100.00
    result = compute_period(
        monthly_fee=D("1000.00"),
        at_risk_percent=D(10),
        levels=[
            level("a", fixed("50", "50"), "90"),
            level("b", fixed("30", "50"), "90"),
            level("c", fixed("20", "50"), "90"),
        ],
    )

    assert (result.total_credit, result.capped) == (D("100.00"), False)


def test_at_risk_cap_scales_credits_proportionally():
    # at risk 100.00; credits 50 + 40 + 30 = 120.00 > 100.00 → * 100/120:
    # 41.666… → 41.67, 33.333… → 33.33, 25.00 → 25.00; sum 100.00, no remainder
    result = compute_period(
        monthly_fee=D("1000.00"),
        at_risk_percent=D(10),
        levels=[
            level("a", fixed("50", "50"), "90"),
            level("b", fixed("40", "50"), "90"),
            level("c", fixed("30", "50"), "90"),
        ],
    )

    assert result.capped
    assert result.total_before_cap == D("120.00")
    assert [r.credit for r in result.levels] == [D("41.67"), D("33.33"), D("25.00")]
    assert result.total_credit == D("100.00")
    assert "at-risk cap binds: 120.00 > 100.00; each credit scaled by 100.00 / 120.00" in (
        result.explanation
    )


def test_at_risk_cap_puts_a_missing_cent_on_the_largest_credit():
    # at risk 100.00; 3 * 40.00 = 120.00 → each 33.333… → 33.33 (rounded down), sum 99.99:
    # the missing 0.01 goes to the largest credit (the first of equals)
    result = compute_period(
        monthly_fee=D("1000.00"),
        at_risk_percent=D(10),
        levels=[level(k, fixed("40", "50"), "90") for k in ("a", "b", "c")],
    )

    assert [r.credit for r in result.levels] == [D("33.34"), D("33.33"), D("33.33")]
    assert result.total_credit == D("100.00")
    assert "rounding remainder 0.01 given 0.01 each to the largest: a" in result.explanation
    assert result.levels[0].explanation[-1] == "scaled to the at-risk cap: 40.00 → 33.34"


def test_at_risk_cap_never_raises_a_credit_when_several_cents_are_missing():
    # at risk 230.60 * 10 % = 23.06; credits 3.85 + 6.81 + 4.25 + 4.19 + 3.99 = 23.09.
    # * 23.06 / 23.09 = 3.84499…, 6.80115…, 4.24448…, 4.18455…, 3.98481…
    # rounded down: 3.84 + 6.80 + 4.24 + 4.18 + 3.98 = 23.04, 0.02 missing → one cent each to
    # the two largest credits (6.81 and 4.25): 6.81, 4.25. Putting both cents on 6.81 would
    # give 6.82, more than the level's credit before the cap.
    amounts = ["3.85", "6.81", "4.25", "4.19", "3.99"]
    result = compute_period(
        monthly_fee=D("230.60"),
        at_risk_percent=D(10),
        levels=[level(f"l{i}", fixed(a, "100"), "90") for i, a in enumerate(amounts)],
    )

    assert [r.credit for r in result.levels] == [
        D("3.84"),
        D("6.81"),
        D("4.25"),
        D("4.18"),
        D("3.98"),
    ]
    assert result.total_credit == D("23.06")


def test_pool_rounding_can_bind_the_at_risk_cap():
    # fee 10.10 * 10 % = 1.01 at risk; two pools of 50 % = 0.505 → 0.51 each, 1.02 > 1.01
    # scaled: 0.51 * 1.01 / 1.02 = 0.505 → 0.50 each (down) = 1.00: +0.01 on the first → 0.51
    result = compute_period(
        monthly_fee=D("10.10"),
        at_risk_percent=D(10),
        levels=[level("a", fixed("5", "50"), "90"), level("b", fixed("5", "50"), "90")],
    )

    assert [r.pool_cap for r in result.levels] == [D("0.51"), D("0.51")]
    assert [r.credit for r in result.levels] == [D("0.51"), D("0.50")]
    assert (result.total_before_cap, result.total_credit) == (D("1.02"), D("1.01"))


def test_zero_pool_allocation_means_no_credit():
    result = compute_period(
        monthly_fee=D("1000.00"), at_risk_percent=D(10), levels=[level("a", fixed("50", "0"), "90")]
    )

    assert (result.levels[0].raw_credit, result.levels[0].credit) == (D(50), D(0))


def test_money_is_rounded_half_up_to_the_places_asked():
    # fee 333.33 * 12.5 % = 41.66625 at risk → 41.67 (2 places) or 41.666 (3 places)
    # 5 % fixed of 333.33 = 16.6665 → 16.67 / 16.667 (pool 100 % does not bind)
    terms = CreditTerms(
        CreditModel.FIXED_PERCENT,
        Direction.HIGHER,
        D(95),
        fixed_percent=D(5),
        pool_allocation_percent=D(100),
    )
    two = compute_period(
        monthly_fee=D("333.33"), at_risk_percent=D("12.5"), levels=[level("a", terms, "90")]
    )
    three = compute_period(
        monthly_fee=D("333.33"),
        at_risk_percent=D("12.5"),
        levels=[level("a", terms, "90")],
        places=3,
    )

    assert (two.at_risk_amount, two.total_credit) == (D("41.67"), D("16.67"))
    assert (three.at_risk_amount, three.total_credit) == (D("41.666"), D("16.667"))


def test_a_period_without_levels_has_no_credit():
    result = compute_period(monthly_fee=D("1000.00"), at_risk_percent=D(10), levels=[])

    assert (result.total_credit, result.capped, result.levels) == (D("0.00"), False, ())


money = st.decimals(min_value=0, max_value=100000, places=2)
percent = st.decimals(min_value=0, max_value=100, places=2)
terms_strategy = st.builds(
    CreditTerms,
    model=st.sampled_from([CreditModel.FIXED_AMOUNT, CreditModel.FIXED_PERCENT]),
    direction=st.just(Direction.HIGHER),
    target=st.just(D(95)),
    fixed_amount=money,
    fixed_percent=percent,
    pool_allocation_percent=percent,
)
level_strategy = st.builds(
    LevelInput,
    key=st.text(min_size=1, max_size=5),
    critical=st.booleans(),
    terms=terms_strategy,
    attainment=st.one_of(st.none(), st.decimals(min_value=0, max_value=100, places=2)),
    excused=st.booleans(),
)


@given(fee=money, at_risk=percent, levels=st.lists(level_strategy, max_size=8))
def test_capped_credits_never_exceed_the_at_risk_amount_and_add_up(fee, at_risk, levels):
    result = compute_period(monthly_fee=fee, at_risk_percent=at_risk, levels=levels)

    credits = [r.credit for r in result.levels]
    assert result.total_credit <= result.at_risk_amount
    assert sum(credits, D(0)) == result.total_credit
    assert all(c >= 0 and c == c.quantize(D("0.01")) for c in credits)
    assert all(r.credit <= r.pool_cap for r in result.levels if r.outcome == "breach")
    assert all(r.credit == 0 for r in result.levels if r.outcome != "breach")
    assert all(r.credit <= min(r.raw_credit, r.pool_cap) for r in result.levels)
    if not result.capped:
        assert result.total_credit == result.total_before_cap


@given(
    amounts=st.lists(
        st.decimals(min_value="0.01", max_value=1000, places=2), min_size=1, max_size=8
    ),
    share=st.decimals(min_value=0, max_value=1, places=3),
)
def test_scaling_to_the_at_risk_cap_is_exact_and_never_raises_a_credit(amounts, share):
    # pools of 100 % cap each level at the at-risk amount, then the at-risk cap applies to the sum
    at_risk = (sum(amounts) * share).quantize(D("0.01"), rounding=ROUND_DOWN)
    levels = [level(f"l{i}", fixed(str(a), "100"), "90") for i, a in enumerate(amounts)]
    pooled = [min(a, at_risk) for a in amounts]

    result = compute_period(monthly_fee=at_risk, at_risk_percent=D(100), levels=levels)

    assert result.capped == (sum(pooled) > at_risk)
    assert sum(r.credit for r in result.levels) == result.total_credit == min(at_risk, sum(pooled))
    assert all(r.credit <= p for r, p in zip(result.levels, pooled, strict=True))


# --- earn-back -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("required", "later", "expected"),
    [
        (0, ["met", "met"], EarnBack.FINAL),  # no earn-back in the terms
        (3, [], EarnBack.PENDING),
        (3, ["met", "met"], EarnBack.PENDING),
        (3, ["met", "met", "met"], EarnBack.EARNED_BACK),
        (2, ["met", "met", "breach"], EarnBack.EARNED_BACK),  # a later breach is too late
        (3, ["met", "breach", "met", "met", "met"], EarnBack.FINAL),
        (2, ["met", "no_data"], EarnBack.FINAL),
        (2, ["met", "excused", "met"], EarnBack.EARNED_BACK),  # excused is skipped
        (2, ["excused", "excused", "met"], EarnBack.PENDING),  # the window extends
        (2, ["excused", "breach", "met", "met"], EarnBack.FINAL),
    ],
)
def test_earn_back_sequences(required, later, expected):
    assert earn_back_state(periods_required=required, later_outcomes=later) == expected


def test_earn_back_rejects_unknown_outcomes_and_negative_windows():
    with pytest.raises(ValueError, match="unknown outcome 'kpi'"):
        earn_back_state(periods_required=1, later_outcomes=["kpi"])
    with pytest.raises(ValueError):
        earn_back_state(periods_required=-1, later_outcomes=[])


# --- pool allocations ----------------------------------------------------------------------


def test_pool_allocations_up_to_100_are_valid():
    assert validate_pool_allocations([D(40), D(30), D(30)]) == []
    assert validate_pool_allocations([]) == []


def test_pool_allocations_over_100_name_the_sum():
    assert validate_pool_allocations([D(60), D("50.5")]) == [
        "Pool allocations add up to 110.5 %, more than 100 %."
    ]


def test_each_pool_allocation_is_between_0_and_100():
    assert validate_pool_allocations([D(-5), D(120)]) == [
        "Row 1: pool allocation -5 % must be between 0 and 100.",
        "Row 2: pool allocation 120 % must be between 0 and 100.",
        "Pool allocations add up to 115 %, more than 100 %.",
    ]
