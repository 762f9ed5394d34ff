"""A month's close from measurements to credit proposals, earn-back and scores."""

import datetime
from decimal import Decimal

import pytest

from partnerdesk.contracts.services.contracts import contract_change_status, contract_create
from partnerdesk.performance.models import CreditProposal, Metric, PartnerScore
from partnerdesk.performance.services.closing import period_close, period_reopen
from partnerdesk.performance.services.measurements import measurement_record
from partnerdesk.performance.services.policies import policy_create
from partnerdesk.performance.services.service_levels import service_level_create
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 21)
TIERS = [
    {"threshold": "99.9", "percent_of_fee": "10"},
    {"threshold": "99", "percent_of_fee": "25"},
    {"threshold": "95", "percent_of_fee": "100"},
]


@pytest.fixture
def setup(make_user):
    manager = make_user("administrator", username="boss")
    partner = PartnerFactory(code="CMO-A")
    contract = contract_create(
        user=manager,
        partner=partner,
        data={
            "reference": "C-1",
            "title": "Moulding",
            "outsourced_scope": "Housings",
            "start_date": datetime.date(2026, 1, 1),
            "end_date": datetime.date(2027, 12, 31),
            "monthly_fee": Decimal("100000.00"),
            "at_risk_percent": Decimal("12"),
        },
    )
    contract_change_status(user=manager, contract=contract, to_status="active", reason="Signed")
    uptime = Metric.objects.create(
        code="otd", name="On-time delivery", unit="%", direction="higher", aggregation="ratio"
    )
    level = service_level_create(
        user=manager,
        contract=contract,
        metric=uptime,
        name="OTD",
        terms={
            "target": Decimal("99.9"),
            "critical": True,
            "credit_model": "tiered",
            "tiers": TIERS,
            "pool_allocation_percent": Decimal("50"),
            "earn_back_periods": 2,
        },
    )
    return manager, partner, contract, uptime, level


def record(manager, contract, metric, day, on_time, total):
    return measurement_record(
        user=manager,
        contract=contract,
        metric=metric,
        measured_on=day,
        numerator=Decimal(on_time),
        denominator=Decimal(total),
    )


def test_a_breach_becomes_a_capped_credit_proposal(setup):
    manager, _partner, contract, metric, _level = setup
    # 980 of 1000 on time = 98.0 % → below 99 → 25 % of the fee = 25,000.00, but the pool cap
    # is 50 % of the at-risk amount (12 % of 100,000 = 12,000) = 6,000.00.
    record(manager, contract, metric, datetime.date(2026, 9, 30), 980, 1000)
    close = period_close(user=manager, period=datetime.date(2026, 9, 1), today=TODAY)
    result = close.results.get()
    assert (result.outcome, result.attainment) == ("breach", Decimal("98.0000"))
    assert (result.raw_credit, result.pool_cap, result.credit) == (
        Decimal("25000.00"),
        Decimal("6000.00"),
        Decimal("6000.00"),
    )
    proposal = CreditProposal.objects.get()
    assert (proposal.kind, proposal.amount, proposal.status) == (
        "credit",
        Decimal("6000.00"),
        "proposed",
    )
    assert close.summary["credit_totals"] == {"CNY": "6000.00"}


def test_two_met_months_earn_the_credit_back(setup):
    manager, _partner, contract, metric, _level = setup
    record(manager, contract, metric, datetime.date(2026, 8, 31), 980, 1000)
    record(manager, contract, metric, datetime.date(2026, 9, 30), 1000, 1000)
    record(manager, contract, metric, datetime.date(2026, 10, 31), 999, 1000)  # exactly 99.9
    for month in (8, 9, 10):
        period_close(user=manager, period=datetime.date(2026, month, 1), today=TODAY)
    credit = CreditProposal.objects.get(kind="credit")
    earn_back = CreditProposal.objects.get(kind="earn_back")
    assert credit.earn_back_state == "earned_back"
    assert (earn_back.amount, earn_back.period, earn_back.earns_back) == (
        Decimal("6000.00"),
        datetime.date(2026, 10, 1),
        credit,
    )


def test_reopen_and_close_again_supersedes_the_proposals(setup):
    manager, _partner, contract, metric, _level = setup
    measurement = record(manager, contract, metric, datetime.date(2026, 9, 30), 980, 1000)
    period_close(user=manager, period=datetime.date(2026, 9, 1), today=TODAY)
    period_reopen(user=manager, period=datetime.date(2026, 9, 1), reason="Wrong count")
    from partnerdesk.performance.services.measurements import measurement_correct

    measurement_correct(
        user=manager,
        measurement=measurement,
        reason="Recount",
        numerator=Decimal(999),
        denominator=Decimal(1000),
    )
    second = period_close(user=manager, period=datetime.date(2026, 9, 1), today=TODAY)
    assert second.revision == 2
    assert second.results.get().outcome == "met"
    assert list(CreditProposal.objects.values_list("status", flat=True)) == ["superseded"]


def test_scores_and_blocking_standing(setup):
    manager, partner, contract, metric, _level = setup
    policy_create(
        user=manager,
        name="Default",
        effective_from=datetime.date(2026, 1, 1),
        decay=Decimal("0.5"),
        window=3,
        criteria=[{"metric": "otd", "weight": 100, "worst": 90, "best": 100}],
        bands=[
            {"name": "Good", "lower": 70, "upper": 100, "action": "none"},
            {"name": "Poor", "lower": 0, "upper": 70, "action": "block"},
        ],
    )
    record(manager, contract, metric, datetime.date(2026, 9, 30), 950, 1000)
    period_close(user=manager, period=datetime.date(2026, 9, 1), today=TODAY)
    score = PartnerScore.objects.get(partner=partner)
    # 95 % between 90 (0) and 100 (100) → 50.00; one period → overall 50.00 → Poor, block.
    assert (score.score, score.overall, score.standing, score.action) == (
        Decimal("50.00"),
        Decimal("50.00"),
        "Poor",
        "block",
    )
    from partnerdesk.core.errors import Conflict

    with pytest.raises(Conflict, match="blocked"):
        contract_create(
            user=manager,
            partner=partner,
            data={
                "reference": "C-2",
                "title": "More",
                "outsourced_scope": "x",
                "start_date": datetime.date(2027, 1, 1),
                "end_date": datetime.date(2027, 6, 30),
            },
        )


def test_the_explain_page_lists_the_levels_sharing_the_cap(setup, client):
    manager, _partner, contract, metric, level = setup
    ppm = Metric.objects.create(
        code="ppm", name="PPM defective", unit="ppm", direction="lower", aggregation="mean"
    )
    service_level_create(
        user=manager,
        contract=contract,
        metric=ppm,
        name="PPM",
        terms={
            "target": Decimal("500"),
            "critical": True,
            "credit_model": "fixed_amount",
            "fixed_amount": Decimal("800"),
            "pool_allocation_percent": Decimal("50"),
        },
    )
    record(manager, contract, metric, datetime.date(2026, 9, 30), 980, 1000)
    measurement_record(
        user=manager,
        contract=contract,
        metric=ppm,
        measured_on=datetime.date(2026, 9, 30),
        value=Decimal("900"),
    )
    close = period_close(user=manager, period=datetime.date(2026, 9, 1), today=TODAY)
    otd = close.results.get(service_level=level)
    client.force_login(manager)

    page = client.get(f"/performance/results/{otd.pk}/explain/").content.decode()

    # The OTD result's own steps, the contract totals, and its sibling PPM with its 800.00
    assert "25 % of fee" in page or "25%" in page or "25 %" in page
    assert "PPM" in page and "800.00" in page
    assert otd.explanation["contract_total"] == "6800.00"
    assert not any("PPM" in step for step in otd.explanation["steps"])
