"""Closing months on the real database: credits by model, caps, versions in force, derived
sources, earn-back, reopening, the scheduled task, the command, and partner scores."""

import datetime
import io
from decimal import Decimal as D

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from partnerdesk.contracts.services.contracts import (
    contract_amend,
    contract_change_status,
    contract_create,
)
from partnerdesk.contracts.services.parts import deliverable_create, deliverable_record
from partnerdesk.core.errors import Conflict, Forbidden, InvalidInput
from partnerdesk.notifications.models import Notification
from partnerdesk.performance.models import (
    CreditProposal,
    Metric,
    PartnerScore,
    PeriodClose,
    ServiceLevelResult,
)
from partnerdesk.performance.selectors import partner_standing
from partnerdesk.performance.services.closing import period_close, period_reopen
from partnerdesk.performance.services.measurements import measurement_correct, measurement_record
from partnerdesk.performance.services.policies import policy_create
from partnerdesk.performance.services.service_levels import service_level_create, terms_add_version
from partnerdesk.performance.tasks import close_previous_month
from tests.factories import InternalOwnerFactory, PartnerFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 21)
TIERS = [
    {"threshold": "99.9", "percent_of_fee": "10"},
    {"threshold": "99", "percent_of_fee": "25"},
    {"threshold": "95", "percent_of_fee": "100"},
]


def month(number: int) -> datetime.date:
    return datetime.date(2026, number, 1)


def last_day(number: int) -> datetime.date:
    return (month(number + 1) if number < 12 else datetime.date(2027, 1, 1)) - datetime.timedelta(
        days=1
    )


@pytest.fixture
def manager(make_user):
    return make_user("administrator", username="boss")


@pytest.fixture
def partner():
    return PartnerFactory(code="CMO-A", currency="EUR")


def make_contract(manager, partner, reference="C-1", **data):
    made = contract_create(
        user=manager,
        partner=partner,
        data={
            "reference": reference,
            "title": "Moulding",
            "outsourced_scope": "Housings",
            "start_date": datetime.date(2026, 1, 1),
            "end_date": datetime.date(2027, 12, 31),
            "currency": "EUR",
            "monthly_fee": D("100000.00"),
            "at_risk_percent": D("12.00"),
            **data,
        },
    )
    return contract_change_status(user=manager, contract=made, to_status="active", reason="Go")


@pytest.fixture
def contract(manager, partner):
    return make_contract(manager, partner)


def metric(code: str, *, aggregation="mean", unit="%", direction="higher", **extra) -> Metric:
    return Metric.objects.create(
        code=code,
        name=code.title(),
        unit=unit,
        direction=direction,
        aggregation=aggregation,
        **extra,
    )


@pytest.fixture
def uptime():
    return metric("t-uptime")


def level(manager, contract, measured, **terms):
    return service_level_create(
        user=manager,
        contract=contract,
        metric=measured,
        name="",
        terms={"target": D("99.9"), "critical": True, "pool_allocation_percent": D(100), **terms},
    )


def value(manager, contract, measured, day, amount):
    return measurement_record(
        user=manager, contract=contract, metric=measured, measured_on=day, value=D(amount)
    )


def close(manager, number: int):
    return period_close(user=manager, period=month(number), today=TODAY)


# --- credit models ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attainment", "outcome", "credit", "rule"),
    [
        ("99.9", "met", "0.00", "attainment 99.9000 meets target 99.9000 → no credit"),
        ("99.0", "breach", "10000.00", "attainment 99.0000 below 99.9 → 10 % of fee 100000.00"),
        ("98.99", "breach", "25000.00", "attainment 98.9900 below 99 → 25 % of fee 100000.00"),
        ("95", "breach", "25000.00", "attainment 95.0000 below 99 → 25 % of fee 100000.00"),
        ("94.99", "breach", "100000.00", "attainment 94.9900 below 95 → 100 % of fee 100000.00"),
    ],
)
def test_tiered_credit_at_and_around_the_thresholds(
    manager, partner, uptime, attainment, outcome, credit, rule
):
    # Given 100 % at risk (so only the tier decides) and "below 99.9: 10 %, below 99: 25 %,
    # below 95: 100 %"
    contract = make_contract(manager, partner, at_risk_percent=D(100))
    level(manager, contract, uptime, credit_model="tiered", tiers=TIERS)
    value(manager, contract, uptime, datetime.date(2026, 9, 30), attainment)

    # When September is closed
    result = close(manager, 9).results.get()

    # Then exactly at 99.0 the "below 99.9" tier applies, not "below 99"
    assert (result.outcome, result.attainment, result.credit) == (
        outcome,
        D(attainment),
        D(credit),
    )
    assert rule in result.explanation["steps"][1]


def test_per_point_credit_counts_full_points_of_a_fractional_shortfall(manager, contract, uptime):
    # Given 2 % of the fee per full point below 99.5
    level(
        manager,
        contract,
        uptime,
        target=D("99.5"),
        credit_model="per_point",
        percent_per_point=D(2),
    )
    # and a September mean of (97.0 + 97.5) / 2 = 97.25: 2.25 points short → 2 full points
    value(manager, contract, uptime, datetime.date(2026, 9, 15), "97.0")
    value(manager, contract, uptime, datetime.date(2026, 9, 30), "97.5")

    result = close(manager, 9).results.get()

    # Then 2 * 2 % = 4 % of 100,000.00 = 4,000.00 (within the pool of 12,000.00)
    assert (result.attainment, result.raw_credit, result.pool_cap, result.credit) == (
        D("97.25"),
        D("4000.00"),
        D("12000.00"),
        D("4000.00"),
    )
    assert result.observations == 2
    assert (
        "attainment 97.2500 below target 99.5000 by 2.2500 → 2 full points at 2.000 % each"
        " = 4.000 % of fee 100000.00"
    ) in result.explanation["steps"][1]


def test_per_point_credit_for_a_lower_is_better_metric(manager, contract):
    # 6.9 hours against a 4-hour target: 2.9 over → 2 full points * 1.5 % = 3 % = 3,000.00
    hours = metric("t-hours", unit="hours", direction="lower")
    level(
        manager,
        contract,
        hours,
        target=D(4),
        credit_model="per_point",
        percent_per_point=D("1.5"),
    )
    value(manager, contract, hours, datetime.date(2026, 9, 30), "6.9")

    result = close(manager, 9).results.get()

    assert (result.outcome, result.credit) == ("breach", D("3000.00"))


def test_fixed_amount_and_fixed_percent_credits(manager, contract, uptime):
    # Given a fixed 1,500.00 per breach and a fixed 3.5 % of the fee per breach (pools 50/50)
    response = metric("t-response", unit="hours", direction="lower")
    level(
        manager,
        contract,
        uptime,
        credit_model="fixed_amount",
        fixed_amount=D("1500.00"),
        pool_allocation_percent=D(50),
    )
    level(
        manager,
        contract,
        response,
        target=D(4),
        credit_model="fixed_percent",
        fixed_percent=D("3.5"),
        pool_allocation_percent=D(50),
    )
    value(manager, contract, uptime, datetime.date(2026, 9, 30), "99.8")
    value(manager, contract, response, datetime.date(2026, 9, 30), "4.01")

    result = close(manager, 9)

    assert list(
        result.results.order_by("service_level_id").values_list("outcome", "raw_credit", "credit")
    ) == [("breach", D("1500.00"), D("1500.00")), ("breach", D("3500.00"), D("3500.00"))]
    assert result.summary["credit_totals"] == {"EUR": "5000.00"}
    assert sorted(CreditProposal.objects.values_list("amount", flat=True)) == [
        D("1500.00"),
        D("3500.00"),
    ]


def test_a_kpi_never_carries_a_credit(manager, contract, uptime):
    level(manager, contract, uptime, critical=False)
    value(manager, contract, uptime, datetime.date(2026, 9, 30), "50")

    result = close(manager, 9).results.get()

    assert (result.outcome, result.attainment, result.credit) == ("kpi", D(50), D(0))
    assert (
        "attainment 50.0000 missed target 99.9000; a KPI carries no credit"
        in (result.explanation["steps"])
    )
    assert CreditProposal.objects.count() == 0


def test_the_at_risk_cap_binds_across_three_critical_levels(manager, partner):
    # Given a fee of 10,000.14 with 12 % at risk: 1,200.0168 → 1,200.02, and three critical
    # levels with pools of 40, 30 and 30 % (together 100 %): pool caps 480.00672 → 480.01,
    # 360.00504 → 360.01 and 360.01. The levels are all breached for 100 % of the fee, so
    # each is held to its pool cap: 1,200.03 in all, one cent above the at-risk amount.
    contract = make_contract(manager, partner, monthly_fee=D("10000.14"))
    metrics = [metric(f"t-level-{n}") for n in range(3)]
    for measured, pool in zip(metrics, ("40", "30", "30"), strict=True):
        level(
            manager,
            contract,
            measured,
            credit_model="fixed_percent",
            fixed_percent=D(100),
            pool_allocation_percent=D(pool),
        )
        value(manager, contract, measured, datetime.date(2026, 9, 30), "90")

    closed = close(manager, 9)

    # Then each is scaled by 1,200.02 / 1,200.03 and rounded down (480.00, 360.00, 360.00),
    # and the two missing cents go one each to the largest credits: the sum is the cap exactly
    results = list(closed.results.order_by("service_level_id"))
    assert [r.pool_cap for r in results] == [D("480.01"), D("360.01"), D("360.01")]
    assert [r.credit for r in results] == [D("480.01"), D("360.01"), D("360.00")]
    assert sum(r.credit for r in results) == D("1200.02")
    explanation = results[0].explanation
    assert (
        explanation["at_risk_amount"],
        explanation["contract_total_before_cap"],
        explanation["contract_total"],
        explanation["capped_by_at_risk"],
    ) == ("1200.02", "1200.03", "1200.02", True)
    assert closed.summary["credit_totals"] == {"EUR": "1200.02"}


# --- versions in force -----------------------------------------------------------------------


def test_the_contract_version_in_force_gives_the_fee(manager, contract, uptime):
    # Given a fixed 10 % credit, and the fee amended to 120,000.00 from October
    level(manager, contract, uptime, credit_model="fixed_percent", fixed_percent=D(10))
    contract_amend(
        user=manager,
        contract=contract,
        effective_from=month(10),
        summary="Indexation",
        changes={"monthly_fee": D("120000.00")},
        today=TODAY,
    )
    value(manager, contract, uptime, datetime.date(2026, 9, 30), "99")
    value(manager, contract, uptime, datetime.date(2026, 10, 31), "99")

    # When September and October are closed
    september = close(manager, 9).results.get()
    october = close(manager, 10).results.get()

    # Then September uses version 1 (100,000.00) and October version 2 (120,000.00)
    assert (
        september.explanation["contract_version"],
        september.explanation["monthly_fee"],
        september.credit,
    ) == (1, "100000.00", D("10000.00"))
    assert (
        october.explanation["contract_version"],
        october.explanation["monthly_fee"],
        october.explanation["at_risk_amount"],
        october.credit,
    ) == (2, "120000.00", "14400.00", D("12000.00"))


def test_the_terms_version_in_force_gives_the_rule(manager, contract, uptime):
    # Given 5 % per breach, changed to a target of 99 and 8 % from October
    sl = level(manager, contract, uptime, credit_model="fixed_percent", fixed_percent=D(5))
    terms_add_version(
        user=manager,
        service_level=sl,
        effective_from=month(10),
        data={
            "target": D(99),
            "credit_model": "fixed_percent",
            "fixed_percent": D(8),
            "pool_allocation_percent": D(100),
        },
    )
    value(manager, contract, uptime, datetime.date(2026, 9, 30), "98.5")
    value(manager, contract, uptime, datetime.date(2026, 10, 31), "98.5")

    september = close(manager, 9).results.get()
    october = close(manager, 10).results.get()

    assert (september.terms_version, september.explanation["target"], september.credit) == (
        1,
        "99.9000",
        D("5000.00"),
    )
    assert (october.terms_version, october.explanation["target"], october.credit) == (
        2,
        "99.0000",
        D("8000.00"),
    )


def test_no_measurements_means_no_data_and_no_credit(manager, contract, uptime):
    level(manager, contract, uptime, credit_model="tiered", tiers=TIERS)

    closed = close(manager, 9)

    result = closed.results.get()
    assert (result.outcome, result.attainment, result.observations, result.credit) == (
        "no_data",
        None,
        0,
        D(0),
    )
    assert CreditProposal.objects.count() == 0
    assert closed.summary == {
        "service_levels": 1,
        "breaches": 0,
        "credits": 0,
        "credit_totals": {},
        "earned_back": 0,
        "partners_scored": 0,
    }


def test_derived_milestone_on_time_counts_deliverables_due_in_the_month(manager, partner, contract):
    # Given the derived metric on the contract (KPI), and deliverables due in October:
    milestones = metric(
        "t-milestones", aggregation="ratio", source="derived", derived_source="milestone_on_time"
    )
    level(manager, contract, milestones, target=D(90), critical=False)

    def due(day, delivered=None, *, reject=False, on=contract):
        item = deliverable_create(
            user=manager, contract=on, data={"name": f"Due {day}", "due_date": day}
        )
        if delivered:
            deliverable_record(
                user=manager, deliverable=item, action="deliver", delivered_on=delivered
            )
        if reject:
            deliverable_record(user=manager, deliverable=item, action="reject")

    due(datetime.date(2026, 10, 5), datetime.date(2026, 10, 5))  # on time (on the day)
    due(datetime.date(2026, 10, 10), datetime.date(2026, 10, 12))  # late
    due(datetime.date(2026, 10, 20), datetime.date(2026, 10, 15))  # early
    due(datetime.date(2026, 10, 25), datetime.date(2026, 10, 24), reject=True)  # rejected
    due(datetime.date(2026, 10, 31))  # not delivered
    due(datetime.date(2026, 9, 30), datetime.date(2026, 9, 30))  # due in September
    due(datetime.date(2026, 11, 1), datetime.date(2026, 10, 30))  # due in November
    other = make_contract(manager, partner, "C-2")
    due(datetime.date(2026, 10, 5), datetime.date(2026, 10, 9), on=other)  # another contract

    # When October is closed
    result = close(manager, 10).results.get()

    # Then 2 of the 5 due in October were delivered on time (and accepted or pending): 40 %
    assert (result.outcome, result.attainment, result.observations) == ("kpi", D(40), 1)
    [observation] = result.explanation["observations"]
    assert (observation["numerator"], observation["denominator"]) == ("2", "5")


# --- earn-back -------------------------------------------------------------------------------


@pytest.fixture
def earn_back_level(manager, contract, uptime):
    return level(
        manager,
        contract,
        uptime,
        credit_model="fixed_percent",
        fixed_percent=D(5),
        earn_back_periods=2,
    )


def credit_states() -> list[tuple]:
    return list(
        CreditProposal.objects.order_by("id").values_list(
            "kind", "period", "amount", "status", "earn_back_state", "earn_back_settled_period"
        )
    )


def test_a_credit_is_earned_back_after_two_met_months(manager, contract, uptime, earn_back_level):
    # Given a breach in July and met months in August and September
    for number, amount in ((7, "99"), (8, "99.9"), (9, "100")):
        value(manager, contract, uptime, last_day(number), amount)

    # When July is closed, the credit is pending
    close(manager, 7)
    assert credit_states() == [("credit", month(7), D("5000.00"), "proposed", "pending", None)]
    # after one met month it still is
    close(manager, 8)
    assert credit_states() == [("credit", month(7), D("5000.00"), "proposed", "pending", None)]
    # and after the second it is earned back, with an earn-back proposal returning it
    september = close(manager, 9)
    credit, earn_back = CreditProposal.objects.order_by("id")
    assert credit_states() == [
        ("credit", month(7), D("5000.00"), "proposed", "earned_back", month(9)),
        ("earn_back", month(9), D("5000.00"), "proposed", "", None),
    ]
    assert (earn_back.earns_back, earn_back.signed_amount) == (credit, D("-5000.00"))
    assert september.summary["earned_back"] == 1


def test_a_breach_before_the_earn_back_makes_the_credit_final(
    manager, contract, uptime, earn_back_level
):
    for number, amount in ((7, "99"), (8, "99.9"), (9, "98")):
        value(manager, contract, uptime, last_day(number), amount)

    for number in (7, 8, 9):
        close(manager, number)

    assert credit_states() == [
        ("credit", month(7), D("5000.00"), "proposed", "final", month(9)),
        ("credit", month(9), D("5000.00"), "proposed", "pending", None),
    ]


def test_reopening_resets_the_earn_backs_decided_in_that_month(
    manager, contract, uptime, earn_back_level
):
    # Given July's credit earned back by the September close
    september_value = None
    for number, amount in ((7, "99"), (8, "99.9"), (9, "100")):
        september_value = value(manager, contract, uptime, last_day(number), amount)
    for number in (7, 8, 9):
        close(manager, number)

    # When September is reopened, the earn-back is pending again
    period_reopen(user=manager, period=month(9), reason="The September figure was wrong")
    assert credit_states()[0] == ("credit", month(7), D("5000.00"), "proposed", "pending", None)

    # and when September is corrected to a breach and closed again
    measurement_correct(user=manager, measurement=september_value, reason="Recount", value=D("97"))
    again = close(manager, 9)

    # Then July's credit is final, the old earn-back superseded, and September has a credit
    assert again.revision == 2
    assert credit_states() == [
        ("credit", month(7), D("5000.00"), "proposed", "final", month(9)),
        ("earn_back", month(9), D("5000.00"), "superseded", "", None),
        ("credit", month(9), D("5000.00"), "proposed", "pending", None),
    ]


# --- closing and reopening -------------------------------------------------------------------


def test_a_month_that_has_not_ended_cannot_be_closed(manager):
    with pytest.raises(InvalidInput) as error:
        period_close(user=manager, period=month(11), today=datetime.date(2026, 11, 30))

    assert error.value.fields == {
        "period": ["Only a month that has ended can be closed (2026-11 ends on 2026-11-30)."]
    }
    assert PeriodClose.objects.count() == 0
    assert period_close(user=manager, period=month(11), today=datetime.date(2026, 12, 1))


def test_closing_twice_is_a_conflict(manager, contract, uptime):
    level(manager, contract, uptime, credit_model="tiered", tiers=TIERS)
    value(manager, contract, uptime, datetime.date(2026, 9, 30), "99")
    close(manager, 9)
    before = (
        PeriodClose.objects.count(),
        ServiceLevelResult.objects.count(),
        CreditProposal.objects.count(),
    )

    with pytest.raises(Conflict) as error:
        close(manager, 9)

    assert error.value.message == (
        "2026-09 is already closed. Reopen it with a reason to recompute it."
    )
    assert (
        PeriodClose.objects.count(),
        ServiceLevelResult.objects.count(),
        CreditProposal.objects.count(),
    ) == before


def test_closing_needs_the_permission(make_user):
    with pytest.raises(Forbidden):
        period_close(user=make_user("outsourcing"), period=month(9), today=TODAY)

    assert PeriodClose.objects.count() == 0


def test_reopen_needs_a_reason_the_permission_and_a_closed_month(make_user, manager):
    close(manager, 9)

    with pytest.raises(InvalidInput) as no_reason:
        period_reopen(user=manager, period=month(9), reason="  ")
    with pytest.raises(Forbidden):
        period_reopen(user=make_user("outsourcing"), period=month(9), reason="Wrong")
    with pytest.raises(Conflict) as not_closed:
        period_reopen(user=manager, period=month(8), reason="Wrong")

    assert no_reason.value.fields == {"reason": ["This field is required."]}
    assert not_closed.value.message == "2026-08 is not closed."
    assert PeriodClose.objects.get().reopened_at is None

    closer = make_user("finance")
    reopened = period_reopen(user=closer, period=month(9), reason=" Late data ")
    assert (reopened.reopened_by, reopened.reopen_reason) == (closer, "Late data")
    assert reopened.reopened_at is not None


def test_reopen_is_refused_once_a_credit_was_applied(manager, contract, uptime):
    level(manager, contract, uptime, credit_model="tiered", tiers=TIERS)
    value(manager, contract, uptime, datetime.date(2026, 9, 30), "99")
    close(manager, 9)
    # finance applied the credit to an invoice
    CreditProposal.objects.update(status="applied", applied_reference="INV-2026-1042")

    with pytest.raises(Conflict) as error:
        period_reopen(user=manager, period=month(9), reason="Late data")

    assert error.value.message == (
        "Credits of 2026-09 were already applied to invoices; record a correction in finance"
        " instead."
    )
    assert PeriodClose.objects.get().reopened_at is None


def test_the_scheduled_task_closes_last_month_once(manager, contract, uptime, monkeypatch):
    level(manager, contract, uptime, credit_model="fixed_percent", fixed_percent=D(5))
    value(manager, contract, uptime, datetime.date(2026, 10, 31), "99")
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)

    first = close_previous_month.call()
    second = close_previous_month.call()

    assert (first, second) == ("2026-10 closed (revision 1)", "2026-10 already closed")
    closed = PeriodClose.objects.get()
    assert (closed.period, closed.closed_by, closed.summary["credit_totals"]) == (
        month(10),
        None,
        {"EUR": "5000.00"},
    )


def test_the_close_period_command_prints_the_summary(manager, contract, uptime, monkeypatch):
    level(manager, contract, uptime, credit_model="fixed_percent", fixed_percent=D(5))
    value(manager, contract, uptime, datetime.date(2026, 10, 31), "99")
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)
    out = io.StringIO()

    call_command("close-period", "--period", "2026-10", stdout=out)

    assert out.getvalue() == (
        "2026-10 closed, revision 1: 1 service levels, 1 breaches, 1 credits"
        " {'EUR': '5000.00'}, 0 earned back, 0 partners scored\n"
    )

    out = io.StringIO()
    call_command("close-period", "--period", "2026-10", "--reopen", "Late data", stdout=out)
    assert out.getvalue().startswith("2026-10 closed, revision 2: ")
    assert PeriodClose.objects.get(revision=1).reopen_reason == "Late data"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--period", "2026-13"], "A period is written YYYY-MM, for example 2026-10."),
        (["--period", "October"], "A period is written YYYY-MM, for example 2026-10."),
        (
            ["--period", "2026-11"],
            "Only a month that has ended can be closed (2026-11 ends on 2026-11-30).",
        ),
        (["--period", "2026-10", "--user", "nobody"], "No active user named 'nobody'."),
    ],
)
def test_the_close_period_command_reports_bad_input(monkeypatch, db, arguments, message):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)

    with pytest.raises(CommandError) as error:
        call_command("close-period", *arguments, stdout=io.StringIO())

    assert str(error.value) == message
    assert PeriodClose.objects.count() == 0


def test_the_command_refuses_a_month_already_closed(manager, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)
    close(manager, 10)

    with pytest.raises(CommandError) as error:
        call_command("close-period", "--period", "2026-10", stdout=io.StringIO())

    assert str(error.value) == "2026-10 is already closed. Reopen it with a reason to recompute it."


# --- scores ----------------------------------------------------------------------------------


@pytest.fixture
def policy(manager, uptime):
    # 90 % scores 0 and 100 % scores 100; newest month weighs 1, the one before 0.5, then 0.25
    return policy_create(
        user=manager,
        name="Default",
        effective_from=datetime.date(2026, 1, 1),
        decay=D("0.5"),
        window=3,
        criteria=[{"metric": "t-uptime", "weight": 100, "worst": 90, "best": 100}],
        bands=[
            {"name": "Good", "lower": 70, "upper": 100, "action": "none"},
            {"name": "Poor", "lower": 0, "upper": 70, "action": "block"},
        ],
    )


def scores(partner) -> list[tuple]:
    return list(
        PartnerScore.objects.filter(partner=partner, period_close__reopened_at=None)
        .order_by("period")
        .values_list("period", "score", "overall", "standing", "action", "declines")
    )


def test_a_month_without_activity_has_no_score(manager, partner, contract, policy):
    close(manager, 9)

    assert scores(partner) == [(month(9), None, None, "", "none", 0)]
    score = PartnerScore.objects.get()
    assert score.explanation["steps"] == ["no criterion has a value this period → no score"]


def test_the_overall_score_weights_recent_months_more(manager, partner, contract, uptime, policy):
    # Given uptime of 98 (80 points) in August, 96 (60) in September, 99 (90) in October
    for number, amount in ((8, "98"), (9, "96"), (10, "99")):
        value(manager, contract, uptime, last_day(number), amount)

    for number in (8, 9, 10, 11):
        period_close(user=manager, period=month(number), today=datetime.date(2026, 12, 1))

    # Then October's overall is (90 * 1 + 60 * 0.5 + 80 * 0.25) / 1.75 = 140 / 1.75 = 80.00,
    # and November, without activity, has no score but an overall of
    # (90 * 0.5 + 60 * 0.25) / 0.75 = 60 / 0.75 = 80.00 from the window before it
    assert scores(partner) == [
        (month(8), D("80.00"), D("80.00"), "Good", "none", 0),
        # (60 + 80 * 0.5) / 1.5 = 66.666… → 66.67
        (month(9), D("60.00"), D("66.67"), "Poor", "block", 1),
        (month(10), D("90.00"), D("80.00"), "Good", "none", 0),
        (month(11), None, D("80.00"), "Good", "none", 0),
    ]


@pytest.mark.parametrize(
    ("amount", "score", "standing"),
    [
        ("97", "70.00", "Good"),
        ("96.999", "69.99", "Poor"),
        ("100", "100.00", "Good"),
        ("90", "0.00", "Poor"),
    ],
)
def test_standing_band_edges(manager, partner, contract, uptime, policy, amount, score, standing):
    value(manager, contract, uptime, datetime.date(2026, 9, 30), amount)

    close(manager, 9)

    [(_period, period_score, overall, name, _action, _declines)] = scores(partner)
    assert (period_score, overall, name) == (D(score), D(score), standing)


def test_three_declines_in_a_row_notify_the_relationship_owners_once(
    manager, partner, contract, uptime, policy
):
    # Given a relationship owner, an escalation owner and a quality owner of the partner
    relation = UserFactory(username="relation")
    escalation = UserFactory(username="escalation")
    InternalOwnerFactory(partner=partner, person=PersonFactory(user=relation))
    InternalOwnerFactory(
        partner=partner, person=PersonFactory(user=escalation), role="escalation_1"
    )
    InternalOwnerFactory(partner=partner, person=PersonFactory(user=UserFactory()), role="quality")
    # and scores of 90, 80, 70, 60 from July to October
    for number, amount in ((7, "99"), (8, "98"), (9, "97"), (10, "96")):
        value(manager, contract, uptime, last_day(number), amount)

    # When July to September are closed: two declines, no alert yet
    for number in (7, 8, 9):
        close(manager, number)
    assert Notification.objects.filter(kind="score_decline").count() == 0

    # When October is closed: the third decline in a row
    close(manager, 10)

    # Then the relationship and escalation owners are told
    expected = [
        (
            "escalation",
            "CMO-A: score declined three periods in a row",
            "The scorecard of CMO-A for 2026-10 is the third decline in a row.",
            reverse("performance:scorecard", args=[partner.pk]),
        ),
        (
            "relation",
            "CMO-A: score declined three periods in a row",
            "The scorecard of CMO-A for 2026-10 is the third decline in a row.",
            reverse("performance:scorecard", args=[partner.pk]),
        ),
    ]
    alerts = Notification.objects.filter(kind="score_decline").order_by("recipient__username")
    assert list(alerts.values_list("recipient__username", "title", "body", "link")) == expected
    assert scores(partner)[-1][-1] == 3

    # and closing October again after a reopen does not tell them twice
    period_reopen(user=manager, period=month(10), reason="Recheck")
    close(manager, 10)
    assert list(alerts.values_list("recipient__username", "title", "body", "link")) == expected


def test_the_decline_alert_needs_actual_scores(manager, partner, contract, uptime, policy):
    # 90, 80, 70, then a month without activity: no alert (None breaks the run)
    relation = UserFactory(username="relation")
    InternalOwnerFactory(partner=partner, person=PersonFactory(user=relation))
    for number, amount in ((7, "99"), (8, "98"), (9, "97")):
        value(manager, contract, uptime, last_day(number), amount)

    for number in (7, 8, 9, 10):
        close(manager, number)

    assert Notification.objects.filter(kind="score_decline").count() == 0
    assert [row[-1] for row in scores(partner)] == [0, 1, 2, 0]


def test_a_reopened_close_no_longer_counts_for_the_standing(manager, partner, contract, uptime):
    # The standing comes from the standing close only
    policy_create(
        user=manager,
        name="Default",
        effective_from=datetime.date(2026, 1, 1),
        decay=D("0.5"),
        window=3,
        criteria=[{"metric": "t-uptime", "weight": 100, "worst": 90, "best": 100}],
        bands=[{"name": "All", "lower": 0, "upper": 100, "action": "none"}],
    )
    value(manager, contract, uptime, datetime.date(2026, 9, 30), "95")
    close(manager, 9)
    period_reopen(user=manager, period=month(9), reason="Recheck")

    assert scores(partner) == []
    assert partner_standing(partner_id=partner.pk) is None


def test_a_close_racing_another_for_the_same_month_is_a_conflict(manager, contract, monkeypatch):
    # Given another close of September that lands between our check and our insert
    from partnerdesk.performance.services import closing

    real_create = PeriodClose.objects.create

    def racing_create(**kwargs):
        real_create(period=kwargs["period"], revision=kwargs["revision"])
        return real_create(**kwargs)

    monkeypatch.setattr(PeriodClose.objects, "create", racing_create)

    # When we close it
    with pytest.raises(Conflict, match="closed by someone else"):
        closing.period_close(user=manager, period=datetime.date(2026, 9, 1), today=TODAY)

    # Then nothing of ours is written (the simulated racer ran inside our transaction, so it is
    # rolled back with it; a real one commits in its own)
    monkeypatch.undo()
    assert PeriodClose.objects.count() == 0
    assert ServiceLevelResult.objects.count() == 0
    assert CreditProposal.objects.count() == 0
