"""Performance services on the real database: measurements and their corrections, service
levels and their terms, exclusions and scorecard policies. Refusals write nothing."""

import datetime
from decimal import Decimal as D

import pytest

from partnerdesk.audit.models import AuditEntry
from partnerdesk.contracts.services.contracts import contract_change_status, contract_create
from partnerdesk.core.errors import Conflict, Forbidden, InvalidInput
from partnerdesk.performance.models import (
    CreditProposal,
    Exclusion,
    Measurement,
    Metric,
    PeriodClose,
    ScorecardCriterion,
    ScorecardPolicy,
    ServiceLevel,
    ServiceLevelTerms,
    StandingBand,
)
from partnerdesk.performance.services.closing import period_close, period_reopen
from partnerdesk.performance.services.measurements import measurement_correct, measurement_record
from partnerdesk.performance.services.policies import policy_create
from partnerdesk.performance.services.service_levels import (
    exclusion_decide,
    exclusion_request,
    service_level_create,
    terms_add_version,
)
from tests.factories import PartnerFactory
from tests.support import audit_rows

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 21)
SEPTEMBER = datetime.date(2026, 9, 1)
TIERS = [
    {"threshold": "99.9", "percent_of_fee": "10"},
    {"threshold": "99", "percent_of_fee": "25"},
    {"threshold": "95", "percent_of_fee": "100"},
]
BANDS = [
    {"name": "Good", "lower": 70, "upper": 100, "action": "none"},
    {"name": "Watch", "lower": 50, "upper": 70, "action": "warn"},
    {"name": "Poor", "lower": 0, "upper": 50, "action": "block"},
]


@pytest.fixture
def manager(make_user):
    return make_user("administrator", username="boss")


@pytest.fixture
def contract(manager):
    made = contract_create(
        user=manager,
        partner=PartnerFactory(code="CMO-A"),
        data={
            "reference": "C-1",
            "title": "Moulding",
            "outsourced_scope": "Housings",
            "start_date": datetime.date(2026, 1, 1),
            "end_date": datetime.date(2027, 12, 31),
            "monthly_fee": D("100000.00"),
            "at_risk_percent": D("12.00"),
        },
    )
    return contract_change_status(user=manager, contract=made, to_status="active", reason="Go")


@pytest.fixture
def otd():
    return Metric.objects.create(
        code="t-otd", name="OTD", unit="%", direction="higher", aggregation="ratio"
    )


@pytest.fixture
def uptime():
    return Metric.objects.create(
        code="t-uptime", name="Uptime", unit="%", direction="higher", aggregation="mean"
    )


@pytest.fixture
def response():
    return Metric.objects.create(
        code="t-response", name="Response time", unit="hours", direction="lower", aggregation="mean"
    )


def counts() -> tuple[int, ...]:
    """What a refused write must leave as it was."""
    return (
        Measurement.objects.count(),
        Measurement.objects.filter(is_current=True).count(),
        ServiceLevel.objects.count(),
        ServiceLevelTerms.objects.count(),
        Exclusion.objects.exclude(status="requested").count(),
        ScorecardPolicy.objects.count(),
        ScorecardCriterion.objects.count(),
        StandingBand.objects.count(),
        AuditEntry.objects.count(),
    )


def record(user, contract, metric, day, **values) -> Measurement:
    return measurement_record(
        user=user, contract=contract, metric=metric, measured_on=day, **values
    )


def tiered(pool="50", **extra) -> dict:
    return {
        "target": D("99.9"),
        "critical": True,
        "credit_model": "tiered",
        "tiers": TIERS,
        "pool_allocation_percent": D(pool),
        **extra,
    }


def fixed_percent(pool: str, percent="5") -> dict:
    return {
        "target": D("99.9"),
        "credit_model": "fixed_percent",
        "fixed_percent": D(percent),
        "pool_allocation_percent": D(pool),
    }


# --- measurement_record ----------------------------------------------------------------------


def test_a_ratio_measurement_stores_its_value_and_an_audit_row(manager, contract, otd):
    # When 980 of 1000 deliveries on time are recorded for 2026-09-30
    measurement = record(
        manager,
        contract,
        otd,
        datetime.date(2026, 9, 30),
        numerator=D(980),
        denominator=D(1000),
        evidence="ERP report 2026-09",
    )

    # Then the value is their ratio in %, in the September period, by the manager
    measurement = Measurement.objects.get(pk=measurement.pk)
    assert (
        measurement.period,
        measurement.value,
        measurement.numerator,
        measurement.denominator,
        measurement.source,
        measurement.evidence,
        measurement.author,
        measurement.is_current,
    ) == (
        SEPTEMBER,
        D("98.0000"),
        D("980.0000"),
        D("1000.0000"),
        "manual",
        "ERP report 2026-09",
        manager,
        True,
    )
    [entry] = audit_rows(measurement)
    assert entry.action == "create"
    assert entry.changes["value"] == [None, "98.0000"]


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"numerator": D(5)}, "numerator", "OTD is a ratio: give numerator and denominator."),
        ({"value": D(98)}, "numerator", "OTD is a ratio: give numerator and denominator."),
        (
            {"numerator": D(1001), "denominator": D(1000)},
            "numerator",
            "The numerator must be between 0 and the denominator.",
        ),
        (
            {"numerator": D(-1), "denominator": D(1000)},
            "numerator",
            "The numerator must be between 0 and the denominator.",
        ),
        (
            {"numerator": D(0), "denominator": D(0)},
            "denominator",
            "The denominator must be greater than 0.",
        ),
    ],
)
def test_bad_ratio_values_are_refused(manager, contract, otd, values, field, message):
    before = counts()

    with pytest.raises(InvalidInput) as error:
        record(manager, contract, otd, datetime.date(2026, 9, 30), **values)

    assert error.value.fields == {field: [message]}
    assert counts() == before


@pytest.mark.parametrize("value", [D("-0.01"), D("100.01")])
def test_a_percentage_outside_0_to_100_is_refused(manager, contract, uptime, value):
    before = counts()

    with pytest.raises(InvalidInput) as error:
        record(manager, contract, uptime, datetime.date(2026, 9, 30), value=value)

    assert error.value.fields == {"value": ["A percentage lies between 0 and 100."]}
    assert counts() == before


def test_percentages_at_0_and_100_are_accepted(manager, contract, uptime):
    record(manager, contract, uptime, datetime.date(2026, 9, 29), value=D(0))
    record(manager, contract, uptime, datetime.date(2026, 9, 30), value=D(100))

    assert list(Measurement.objects.order_by("measured_on").values_list("value", flat=True)) == [
        D("0.0000"),
        D("100.0000"),
    ]


def test_a_value_is_required_for_a_mean_metric(manager, contract, response):
    with pytest.raises(InvalidInput) as error:
        record(manager, contract, response, datetime.date(2026, 9, 30))

    assert error.value.fields == {"value": ["Give a value."]}


def test_a_derived_metric_cannot_be_entered(manager, contract):
    milestones = Metric.objects.create(
        code="t-milestones",
        name="Milestones on time",
        unit="%",
        direction="higher",
        aggregation="ratio",
        source="derived",
        derived_source="milestone_on_time",
    )
    before = counts()

    with pytest.raises(InvalidInput) as error:
        record(
            manager,
            contract,
            milestones,
            datetime.date(2026, 9, 30),
            numerator=D(1),
            denominator=D(1),
        )

    assert error.value.fields == {
        "metric": ["Milestones on time is derived from platform data and cannot be entered."]
    }
    assert counts() == before


@pytest.mark.parametrize("day", [datetime.date(2025, 12, 31), datetime.date(2028, 1, 1)])
def test_a_date_outside_the_contract_is_refused(manager, contract, uptime, day):
    before = counts()

    with pytest.raises(InvalidInput) as error:
        record(manager, contract, uptime, day, value=D(99))

    assert error.value.fields == {
        "measured_on": ["The date is outside the contract (2026-01-01 to 2027-12-31)."]
    }
    assert counts() == before


def test_a_duplicate_measurement_is_a_conflict_naming_contract_metric_and_date(
    manager, contract, otd
):
    day = datetime.date(2026, 9, 30)
    record(manager, contract, otd, day, numerator=D(980), denominator=D(1000))
    before = counts()

    with pytest.raises(Conflict) as error:
        record(manager, contract, otd, day, numerator=D(990), denominator=D(1000))

    message = "C-1 already has OTD for 2026-09-30 (value 98.0000); correct that one instead."
    assert error.value.message == message
    assert error.value.fields == {"measured_on": [message]}
    assert counts() == before


def test_a_measurement_in_a_closed_period_is_a_conflict(manager, contract, uptime):
    # Given September closed
    period_close(user=manager, period=SEPTEMBER, today=TODAY)
    before = counts()

    # When a September value is recorded
    with pytest.raises(Conflict) as error:
        record(manager, contract, uptime, datetime.date(2026, 9, 15), value=D(99))

    # Then it is refused, while October is still open
    assert error.value.fields == {
        "measured_on": ["2026-09 is closed; reopen it to change its measurements."]
    }
    assert counts() == before
    record(manager, contract, uptime, datetime.date(2026, 10, 1), value=D(99))


def test_recording_needs_the_permission(make_user, contract, uptime):
    before = counts()

    with pytest.raises(Forbidden):
        record(make_user("finance"), contract, uptime, datetime.date(2026, 9, 30), value=D(99))

    assert counts() == before


# --- measurement_correct ---------------------------------------------------------------------


def test_a_correction_keeps_the_history(manager, contract, otd):
    # Given a recorded value
    old = record(
        manager,
        contract,
        otd,
        datetime.date(2026, 9, 30),
        numerator=D(980),
        denominator=D(1000),
        evidence="ERP report",
    )

    # When it is corrected
    new = measurement_correct(
        user=manager,
        measurement=old,
        reason=" Two late deliveries were cancelled orders ",
        numerator=D(980),
        denominator=D(998),
    )

    # Then the new row is current with the reason, and the old one is kept, replaced by it
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.is_current, old.replaced_by, old.value) == (False, new, D("98.0000"))
    assert (
        new.is_current,
        new.value,
        new.measured_on,
        new.period,
        new.correction_reason,
        new.evidence,
    ) == (
        True,
        D("98.1964"),  # 980 / 998 * 100 = 98.19639… → 98.1964
        datetime.date(2026, 9, 30),
        SEPTEMBER,
        "Two late deliveries were cancelled orders",
        "ERP report",
    )
    assert audit_rows(new)[0].changes["correction_reason"] == [
        None,
        "Two late deliveries were cancelled orders",
    ]


def test_correcting_a_replaced_row_is_refused(manager, contract, uptime):
    old = record(manager, contract, uptime, datetime.date(2026, 9, 30), value=D(99))
    measurement_correct(user=manager, measurement=old, reason="Typo", value=D("99.5"))
    before = counts()

    with pytest.raises(Conflict) as error:
        measurement_correct(user=manager, measurement=old, reason="Again", value=D(98))

    assert error.value.fields == {
        "measurement": ["This value was already corrected; correct the newest one."]
    }
    assert counts() == before


def test_a_correction_needs_a_reason_and_valid_values(manager, contract, uptime):
    old = record(manager, contract, uptime, datetime.date(2026, 9, 30), value=D(99))
    before = counts()

    with pytest.raises(InvalidInput) as no_reason:
        measurement_correct(user=manager, measurement=old, reason="  ", value=D(98))
    with pytest.raises(InvalidInput) as bad_value:
        measurement_correct(user=manager, measurement=old, reason="Typo", value=D(101))

    assert no_reason.value.fields == {"correction_reason": ["Say why the value is corrected."]}
    assert bad_value.value.fields == {"value": ["A percentage lies between 0 and 100."]}
    assert Measurement.objects.get(pk=old.pk).is_current
    assert counts() == before


def test_a_correction_in_a_closed_period_is_refused_until_it_is_reopened(manager, contract, uptime):
    old = record(manager, contract, uptime, datetime.date(2026, 9, 30), value=D(99))
    period_close(user=manager, period=SEPTEMBER, today=TODAY)
    before = counts()

    with pytest.raises(Conflict):
        measurement_correct(user=manager, measurement=old, reason="Typo", value=D(98))

    assert counts() == before
    period_reopen(user=manager, period=SEPTEMBER, reason="Typo in September")
    new = measurement_correct(user=manager, measurement=old, reason="Typo", value=D(98))
    assert new.value == D(98)


# --- service levels and terms ----------------------------------------------------------------


def test_service_level_create_writes_the_level_and_terms_version_1(manager, contract, uptime):
    level = service_level_create(
        user=manager, contract=contract, metric=uptime, name="Line uptime", terms=tiered()
    )

    [terms] = ServiceLevelTerms.objects.filter(service_level=level)
    assert (terms.version, terms.effective_from, terms.target, terms.pool_allocation_percent) == (
        1,
        datetime.date(2026, 1, 1),
        D("99.9000"),
        D("50.00"),
    )
    assert terms.tiers == TIERS
    assert [e.action for e in audit_rows(level)] == ["create"]
    assert [e.action for e in audit_rows(terms)] == ["create"]


def test_a_level_added_after_a_close_starts_the_month_after_it(manager, contract, uptime):
    period_close(user=manager, period=SEPTEMBER, today=TODAY)

    level = service_level_create(
        user=manager, contract=contract, metric=uptime, name="", terms=tiered()
    )

    assert level.terms.get().effective_from == datetime.date(2026, 10, 1)


def test_a_non_monotonic_tier_table_is_refused_with_row_named_errors(manager, contract, uptime):
    before = counts()

    with pytest.raises(InvalidInput) as error:
        service_level_create(
            user=manager,
            contract=contract,
            metric=uptime,
            name="Uptime",
            terms=tiered(
                tiers=[
                    {"threshold": "99.9", "percent_of_fee": "25"},
                    {"threshold": "99", "percent_of_fee": "10"},
                    {"threshold": "99", "percent_of_fee": "50"},
                ]
            ),
        )

    # The level is not saved either
    assert error.value.fields == {
        "tiers": [
            "Row 3: threshold 99 repeats row 2.",
            "Row 2: below 99 gives 10 %, which must be more than the 25 % of row 1 (below 99.9).",
        ]
    }
    assert counts() == before


def test_a_tier_row_that_is_not_a_number_is_named(manager, contract, uptime):
    before = counts()

    with pytest.raises(InvalidInput) as error:
        service_level_create(
            user=manager,
            contract=contract,
            metric=uptime,
            name="Uptime",
            terms=tiered(
                tiers=[
                    {"threshold": "99.9", "percent_of_fee": "10"},
                    {"threshold": "ninety", "percent_of_fee": "25"},
                ]
            ),
        )

    assert error.value.fields == {
        "tiers": ["Row 2: give a threshold and a percentage of the fee as numbers."]
    }
    assert counts() == before


def test_a_per_point_model_needs_its_percentage(manager, contract, uptime):
    with pytest.raises(InvalidInput) as error:
        service_level_create(
            user=manager,
            contract=contract,
            metric=uptime,
            name="Uptime",
            terms={"target": D(99), "credit_model": "per_point"},
        )

    assert error.value.fields == {
        "percent_per_point": ["Give the percentage of the fee per point."]
    }


def test_pool_allocations_above_100_are_refused_naming_the_sum(
    manager, contract, uptime, otd, response
):
    # Given two critical levels with 60 % and 30 % of the pool, and a KPI (not in the pool)
    service_level_create(
        user=manager, contract=contract, metric=uptime, name="", terms=tiered("60")
    )
    service_level_create(
        user=manager, contract=contract, metric=otd, name="", terms=fixed_percent("30")
    )
    kpi = Metric.objects.create(
        code="t-kpi", name="KPI", unit="index", direction="higher", aggregation="mean"
    )
    service_level_create(
        user=manager,
        contract=contract,
        metric=kpi,
        name="",
        terms={"target": D(80), "critical": False, "pool_allocation_percent": D(100)},
    )
    before = counts()

    # When a third critical level asks for 20 %
    with pytest.raises(InvalidInput) as error:
        service_level_create(
            user=manager,
            contract=contract,
            metric=response,
            name="",
            terms={
                "target": D(4),
                "credit_model": "fixed_amount",
                "fixed_amount": D("500.00"),
                "pool_allocation_percent": D("20.5"),
            },
        )

    # Then the sum is named and nothing is saved
    assert error.value.fields == {
        "pool_allocation_percent": ["Pool allocations add up to 110.50 %, more than 100 %."]
    }
    assert counts() == before


def test_a_later_terms_version_of_another_level_counts_towards_the_pool(
    manager, contract, uptime, otd
):
    # Given two levels at 30 % each, and the second raised to 70 % from July
    first = service_level_create(
        user=manager, contract=contract, metric=uptime, name="", terms=tiered("30")
    )
    second = service_level_create(
        user=manager, contract=contract, metric=otd, name="", terms=fixed_percent("30")
    )
    terms_add_version(
        user=manager,
        service_level=second,
        effective_from=datetime.date(2026, 7, 1),
        data=fixed_percent("70"),
    )
    before = counts()

    # When the first is raised to 70 % from March (70 + 30 in March, but 70 + 70 from July)
    with pytest.raises(InvalidInput) as error:
        terms_add_version(
            user=manager,
            service_level=first,
            effective_from=datetime.date(2026, 3, 1),
            data=tiered("70"),
        )

    # Then it is refused for July
    assert error.value.fields == {
        "pool_allocation_percent": [
            "From 2026-07-01: Pool allocations add up to 140.00 %, more than 100 %."
        ]
    }
    assert counts() == before
    # while a raise that ends before July (the first level's own version from June) is fine
    terms_add_version(
        user=manager,
        service_level=first,
        effective_from=datetime.date(2026, 6, 1),
        data=tiered("30"),
    )
    terms_add_version(
        user=manager,
        service_level=first,
        effective_from=datetime.date(2026, 3, 1),
        data=tiered("70"),
    )
    assert list(
        first.terms.order_by("effective_from").values_list(
            "effective_from", "pool_allocation_percent"
        )
    ) == [
        (datetime.date(2026, 1, 1), D("30.00")),
        (datetime.date(2026, 3, 1), D("70.00")),
        (datetime.date(2026, 6, 1), D("30.00")),
    ]


def test_terms_effective_in_a_closed_month_are_refused(manager, contract, uptime):
    level = service_level_create(
        user=manager, contract=contract, metric=uptime, name="", terms=tiered()
    )
    period_close(user=manager, period=SEPTEMBER, today=TODAY)
    before = counts()

    with pytest.raises(Conflict) as error:
        terms_add_version(
            user=manager,
            service_level=level,
            effective_from=datetime.date(2026, 9, 30),
            data=tiered(target=D(99)),
        )

    assert error.value.fields == {
        "effective_from": ["2026-09 is closed: new terms can start from the month after it."]
    }
    assert counts() == before
    version = terms_add_version(
        user=manager,
        service_level=level,
        effective_from=datetime.date(2026, 10, 1),
        data=tiered(target=D(99)),
    )
    assert (version.version, version.target) == (2, D(99))


def test_a_second_level_on_the_same_metric_is_refused(manager, contract, uptime):
    service_level_create(user=manager, contract=contract, metric=uptime, name="", terms=tiered())
    before = counts()

    with pytest.raises(Conflict) as error:
        service_level_create(
            user=manager, contract=contract, metric=uptime, name="Again", terms=tiered("10")
        )

    assert error.value.fields == {"metric": ["C-1 already has a service level on Uptime."]}
    assert counts() == before


# --- exclusions ------------------------------------------------------------------------------


@pytest.fixture
def level(manager, contract, uptime):
    return service_level_create(
        user=manager,
        contract=contract,
        metric=uptime,
        name="Uptime",
        terms=fixed_percent("100"),
    )


def test_an_exclusion_cannot_be_approved_by_its_requester(manager, level):
    exclusion = exclusion_request(
        user=manager,
        service_level=level,
        period=datetime.date(2026, 9, 14),
        reason="Typhoon closed the plant (force majeure, clause 14.2)",
    )
    assert (exclusion.period, exclusion.status) == (SEPTEMBER, "requested")
    before = counts()

    with pytest.raises(Forbidden) as error:
        exclusion_decide(user=manager, exclusion=exclusion, approve=True)

    assert error.value.message == "The requester cannot approve their own exclusion."
    assert Exclusion.objects.get(pk=exclusion.pk).status == "requested"
    assert counts() == before


def test_an_exclusion_needs_a_reason(manager, level):
    with pytest.raises(InvalidInput) as error:
        exclusion_request(user=manager, service_level=level, period=SEPTEMBER, reason=" ")

    assert error.value.fields == {"reason": ["This field is required."]}
    assert Exclusion.objects.count() == 0


def test_an_exclusion_is_decided_once_and_only_while_its_month_is_open(make_user, manager, level):
    approver = make_user("finance")
    first = exclusion_request(user=manager, service_level=level, period=SEPTEMBER, reason="Flood")
    second = exclusion_request(user=manager, service_level=level, period=SEPTEMBER, reason="Fire")
    exclusion_decide(user=approver, exclusion=first, approve=False)
    period_close(user=manager, period=SEPTEMBER, today=TODAY)

    with pytest.raises(Conflict) as twice:
        exclusion_decide(user=approver, exclusion=first, approve=True)
    with pytest.raises(Conflict) as closed:
        exclusion_decide(user=approver, exclusion=second, approve=True)

    assert twice.value.message == "This exclusion was already decided."
    assert closed.value.message == "2026-09 is closed; reopen it first."
    assert list(Exclusion.objects.order_by("id").values_list("status", flat=True)) == [
        "rejected",
        "requested",
    ]


@pytest.mark.parametrize(
    ("approve", "outcome", "credit", "proposals"),
    [(True, "excused", D("0.00"), 0), (False, "breach", D("5000.00"), 1)],
)
def test_an_approved_exclusion_excuses_the_breach_at_close(
    make_user, manager, contract, uptime, level, approve, outcome, credit, proposals
):
    # Given a breach in September (95 < 99.9; 5 % of 100,000.00 = 5,000.00)
    record(manager, contract, uptime, datetime.date(2026, 9, 30), value=D(95))
    exclusion = exclusion_request(
        user=manager, service_level=level, period=SEPTEMBER, reason="Typhoon"
    )

    # When someone else decides the exclusion and the month is closed
    approver = make_user("finance")
    decided = exclusion_decide(user=approver, exclusion=exclusion, approve=approve)
    close = period_close(user=manager, period=SEPTEMBER, today=TODAY)

    # Then only an approved exclusion excuses it
    assert (decided.decided_by, decided.decided_at is not None) == (approver, True)
    result = close.results.get()
    assert (result.outcome, result.attainment, result.credit) == (outcome, D(95), credit)
    assert CreditProposal.objects.count() == proposals


# --- scorecard policies ----------------------------------------------------------------------


def test_policy_create_stores_criteria_and_bands(manager, otd, uptime):
    policy = policy_create(
        user=manager,
        name="Default",
        effective_from=datetime.date(2026, 1, 1),
        decay=D("0.8"),
        window=6,
        criteria=[
            {"metric": "t-otd", "weight": 60, "worst": 90, "best": 100},
            {"metric": "t-uptime", "weight": "40", "worst": "95", "best": "99.9"},
        ],
        bands=BANDS,
    )

    assert (policy.version, policy.decay, policy.window) == (1, D("0.8"), 6)
    assert list(policy.criteria.values_list("metric__code", "weight", "worst", "best")) == [
        ("t-otd", D("60.00"), D("90.0000"), D("100.0000")),
        ("t-uptime", D("40.00"), D("95.0000"), D("99.9000")),
    ]
    assert list(policy.bands.values_list("name", "lower", "upper", "action")) == [
        ("Good", D(70), D(100), "none"),
        ("Watch", D(50), D(70), "warn"),
        ("Poor", D(0), D(50), "block"),
    ]
    [entry] = audit_rows(policy)
    assert entry.changes["criteria"][1][0] == {
        "metric": "t-otd",
        "weight": "60",
        "worst": "90",
        "best": "100",
    }


@pytest.mark.parametrize(
    ("criteria", "bands", "field", "problems"),
    [
        (
            [
                {"metric": "t-otd", "weight": 60, "worst": 90, "best": 100},
                {"metric": "t-uptime", "weight": 30, "worst": 95, "best": 100},
            ],
            BANDS,
            "criteria",
            ["Weights add up to 90, not 100."],
        ),
        (
            [
                {"metric": "t-otd", "weight": 60, "worst": 90, "best": 100},
                {"metric": "nope", "weight": 40, "worst": 0, "best": 1},
            ],
            BANDS,
            "criteria",
            ["Row 2: unknown metric “nope”."],
        ),
        (
            [{"metric": "t-otd", "weight": 100, "worst": 90, "best": 90}],
            BANDS,
            "criteria",
            ["Row 1: the values scoring 0 and 100 must differ."],
        ),
        (
            [{"metric": "t-otd", "weight": 100, "worst": 90, "best": 100}],
            [
                {"name": "Good", "lower": 70, "upper": 100},
                {"name": "Watch", "lower": 50, "upper": 60, "action": "warn"},
                {"name": "Poor", "lower": 0, "upper": 50, "action": "block"},
            ],
            "bands",
            ["Gap between band 'Watch' (ends at 60) and band 'Good' (starts at 70)."],
        ),
        (
            [{"metric": "t-otd", "weight": 100, "worst": 90, "best": 100}],
            [
                {"name": "Good", "lower": 70, "upper": 100},
                {"name": "Watch", "lower": 50, "upper": 75, "action": "warn"},
                {"name": "Poor", "lower": 0, "upper": 50, "action": "block"},
            ],
            "bands",
            ["Band 'Watch' (ends at 75) overlaps band 'Good' (starts at 70)."],
        ),
        (
            [{"metric": "t-otd", "weight": 100, "worst": 90, "best": 100}],
            [{"name": "All", "lower": 0, "upper": 100, "action": "ban"}],
            "bands",
            ["Row 1: unknown action “ban”."],
        ),
    ],
)
def test_a_bad_policy_names_the_problem_and_saves_nothing(
    manager, otd, uptime, criteria, bands, field, problems
):
    before = counts()

    with pytest.raises(InvalidInput) as error:
        policy_create(
            user=manager,
            name="Default",
            effective_from=datetime.date(2026, 1, 1),
            decay=D("0.8"),
            window=6,
            criteria=criteria,
            bands=bands,
        )

    assert error.value.fields == {field: problems}
    assert counts() == before


@pytest.mark.parametrize("decay", [0, "-0.5", "1.5"])
def test_a_policy_decay_must_be_above_0_and_at_most_1(manager, otd, decay):
    before = counts()

    with pytest.raises(InvalidInput) as error:
        policy_create(
            user=manager,
            name="Default",
            effective_from=datetime.date(2026, 1, 1),
            decay=decay,
            window=6,
            criteria=[{"metric": "t-otd", "weight": 100, "worst": 90, "best": 100}],
            bands=BANDS,
        )

    assert "decay" in error.value.fields
    assert counts() == before


def test_a_policy_cannot_start_inside_a_closed_month(manager, otd):
    PeriodClose.objects.create(period=SEPTEMBER)
    before = counts()

    with pytest.raises(Conflict) as error:
        policy_create(
            user=manager,
            name="Mid-month",
            effective_from=datetime.date(2026, 9, 15),
            decay=D("0.8"),
            window=6,
            criteria=[{"metric": "t-otd", "weight": 100, "worst": 90, "best": 100}],
            bands=BANDS,
        )

    assert error.value.fields == {
        "effective_from": ["2026-09 is closed: a new policy can start after it."]
    }
    assert counts() == before


def test_a_measurement_racing_an_identical_one_is_a_conflict(monkeypatch, make_user):
    # Given a duplicate that appears between the duplicate check and the insert
    from partnerdesk.performance.models import Measurement
    from partnerdesk.performance.services import measurements
    from tests.factories import ContractFactory, MetricFactory

    user = make_user("outsourcing")
    contract, metric = ContractFactory(), MetricFactory(aggregation="mean", unit="days")
    real_create = Measurement.objects.create

    def racing_create(**kwargs):
        real_create(**kwargs)
        return real_create(**kwargs)

    monkeypatch.setattr(Measurement.objects, "create", racing_create)

    # When the value is recorded
    with pytest.raises(Conflict, match="correct that one instead") as exc:
        measurements.measurement_record(
            user=user,
            contract=contract,
            metric=metric,
            measured_on=datetime.date(2026, 9, 30),
            value=D("3"),
        )

    # Then the error names the date field and nothing of this request is written
    assert list(exc.value.fields) == ["measured_on"]
    monkeypatch.undo()
    assert Measurement.objects.count() == 0
