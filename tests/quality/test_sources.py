"""The quality KPI sources the period close reads (lot acceptance, PPM defective, audit score,
8D on-time closure, repeat nonconformances), per contract with hand-counted values, periods cut
in the company's time (Shanghai, UTC+8), and a month close that uses one."""

import datetime
from decimal import Decimal as D

import pytest

from partnerdesk.contracts.services.contracts import contract_change_status, contract_create
from partnerdesk.performance.models import Metric
from partnerdesk.performance.services.closing import period_close
from partnerdesk.performance.services.service_levels import service_level_create
from partnerdesk.performance.sources import SOURCES
from partnerdesk.quality.sources import (
    audit_score,
    eightd_on_time,
    lot_acceptance,
    ppm_defective,
    repeat_nonconformances,
)
from tests.factories import (
    AuditFactory,
    ContractFactory,
    CorrectiveActionFactory,
    GoodsReceiptLineFactory,
    LotInspectionFactory,
    NonconformanceFactory,
    PartnerFactory,
    PurchaseOrderFactory,
    PurchaseOrderLineFactory,
)

pytestmark = pytest.mark.django_db

OCT = (datetime.date(2026, 10, 1), datetime.date(2026, 10, 31))
UTC = datetime.UTC


def at(day, hour=10, minute=0):
    return datetime.datetime(2026, *day, hour, minute, tzinfo=UTC)


# In Shanghai: 1 October 00:30 (in October) and 1 November 00:30 (in November).
FIRST_OCT_LOCAL = datetime.datetime(2026, 9, 30, 16, 30, tzinfo=UTC)
FIRST_NOV_LOCAL = datetime.datetime(2026, 10, 31, 16, 30, tzinfo=UTC)


@pytest.fixture
def contract():
    return ContractFactory(status="active")


def test_the_metrics_are_in_the_library_with_their_sources():
    codes = [
        "lot_acceptance_inspected",
        "ppm_defective_inspected",
        "audit_score",
        "eightd_on_time",
        "repeat_nonconformances",
    ]
    rows = {
        m.code: (
            m.source,
            m.derived_source,
            m.aggregation,
            m.unit,
            m.direction,
            m.scale,
            m.decimals,
        )
        for m in Metric.objects.filter(code__in=codes)
    }
    assert rows == {
        "lot_acceptance_inspected": (
            "derived",
            "lot_acceptance",
            "ratio",
            "%",
            "higher",
            D(100),
            2,
        ),
        "ppm_defective_inspected": (
            "derived",
            "ppm_defective",
            "ratio",
            "ppm",
            "lower",
            D(1000000),
            0,
        ),
        "audit_score": ("derived", "audit_score", "mean", "%", "higher", D(1), 2),
        "eightd_on_time": ("derived", "eightd_on_time", "ratio", "%", "higher", D(100), 2),
        "repeat_nonconformances": (
            "derived",
            "repeat_nonconformances",
            "sum",
            "count",
            "lower",
            D(1),
            0,
        ),
    }
    # Each names a source registered by the quality app.
    assert {row[1] for row in rows.values()} <= set(SOURCES)
    # The imported metrics of the same names (measurements entered or imported) stay as they were.
    imported = Metric.objects.filter(code__in=["lot_acceptance", "ppm_defective"])
    assert {(m.code, m.source, m.derived_source) for m in imported} == {
        ("lot_acceptance", "imported", ""),
        ("ppm_defective", "imported", ""),
    }


# --- lots ------------------------------------------------------------------------------------


def lot(contract, status, decided_at, received="1000", rejected=None, disposition=""):
    order = (
        PurchaseOrderFactory(partner=contract.partner, contract=contract)
        if contract
        else PurchaseOrderFactory()
    )
    line = GoodsReceiptLineFactory(
        order_line=PurchaseOrderLineFactory(order=order, quantity=D(received)),
        quantity_rejected=None if rejected is None else D(rejected),
    )
    return LotInspectionFactory(
        receipt_line=line, status=status, decided_at=decided_at, disposition=disposition
    )


def test_lot_acceptance_counts_the_lots_decided_in_the_period(contract):
    lot(contract, "accepted", at((10, 5)))
    lot(contract, "accepted", FIRST_OCT_LOCAL)  # 30 September in UTC, October in Shanghai
    lot(contract, "rejected", at((10, 20)), disposition="return_to_vendor")
    lot(contract, "accepted", FIRST_NOV_LOCAL)  # November in Shanghai
    lot(contract, "open", None)  # not decided
    lot(contract, "accepted", at((9, 29)))
    other = ContractFactory(status="active")
    lot(other, "rejected", at((10, 2)))
    lot(None, "rejected", at((10, 2)))  # an order without a contract counts nowhere
    found = lot_acceptance(*OCT)
    assert set(found) == {contract.pk, other.pk}
    [mine] = found[contract.pk]
    assert (mine.numerator, mine.denominator, mine.at) == (D(2), D(3), OCT[1])
    [theirs] = found[other.pk]
    assert (theirs.numerator, theirs.denominator) == (D(0), D(1))


def test_ppm_counts_an_undisposed_rejected_lot_in_full_and_a_sorted_one_as_sorted(contract):
    lot(contract, "accepted", at((10, 1)), received="1000", rejected="0")
    lot(contract, "rejected", at((10, 2)), received="500")  # no disposition yet: all 500
    lot(contract, "rejected", at((10, 3)), received="200", rejected="30", disposition="sort")
    lot(contract, "rejected", at((10, 4)), received="100", rejected="100", disposition="scrap")
    lot(contract, "rejected", at((11, 2)), received="9000")  # November
    [observation] = ppm_defective(*OCT)[contract.pk]
    # Rejected 0 + 500 + 30 + 100 = 630 of 1,000 + 500 + 200 + 100 = 1,800 received
    # (x 1,000,000 by the metric: 350,000 ppm).
    assert (observation.numerator, observation.denominator) == (D(630), D(1800))
    assert observation.numerator / observation.denominator * 1000000 == D(350000)


def test_ppm_follows_the_disposition_once_it_is_made(contract):
    rejected = lot(contract, "rejected", at((10, 2)), received="400")
    [before] = ppm_defective(*OCT)[contract.pk]
    assert (before.numerator, before.denominator) == (D(400), D(400))
    # Sorting found 390 good: 10 rejected.
    line = rejected.receipt_line
    line.quantity_accepted, line.quantity_rejected = D(390), D(10)
    line.save()
    rejected.disposition = "sort"
    rejected.save()
    [after] = ppm_defective(*OCT)[contract.pk]
    assert (after.numerator, after.denominator) == (D(10), D(400))


# --- partner-level sources: contracts in force only ---------------------------------------------


@pytest.fixture
def partner():
    return PartnerFactory()


@pytest.fixture
def in_force(partner):
    """Two contracts of the partner in force in October (one starting mid-month), a draft and
    one that ended in September."""
    first = ContractFactory(partner=partner, status="active")
    second = ContractFactory(
        partner=partner, status="active", start_date=datetime.date(2026, 10, 15)
    )
    ContractFactory(partner=partner)  # a draft
    ContractFactory(
        partner=partner,
        status="expired",
        start_date=datetime.date(2025, 1, 1),
        end_date=datetime.date(2026, 9, 30),
    )
    return first, second


def test_audit_score_gives_each_closed_audits_score(partner, in_force):
    first, second = in_force
    october = AuditFactory(
        partner=partner, status="closed", score=D("80.00"), closed_at=at((10, 10))
    )
    early = AuditFactory(
        partner=partner, status="closed", score=D("90.00"), closed_at=FIRST_OCT_LOCAL
    )
    AuditFactory(partner=partner, status="closed", score=D("50.00"), closed_at=FIRST_NOV_LOCAL)
    AuditFactory(partner=partner, status="closed", score=None, closed_at=at((10, 11)))  # all N/A
    AuditFactory(partner=partner, status="cancelled", score=D("10.00"), closed_at=at((10, 12)))
    AuditFactory(partner=PartnerFactory(), status="closed", score=D("20"), closed_at=at((10, 12)))
    found = audit_score(*OCT)
    assert set(found) == {first.pk, second.pk}
    for contract in in_force:
        observations = sorted(found[contract.pk], key=lambda o: o.at)
        assert [(o.value, o.at, o.key) for o in observations] == [
            # Closed at 00:30 on 1 October in Shanghai: dated 1 October, not 30 September.
            (D("90.00"), datetime.date(2026, 10, 1), f"audit:{early.number}"),
            (D("80.00"), datetime.date(2026, 10, 10), f"audit:{october.number}"),
        ]


def test_eightd_on_time_counts_the_actions_closed_in_the_period(partner, in_force):
    for closed_at, on_time in (
        (at((10, 3)), True),
        (FIRST_OCT_LOCAL, True),
        (at((10, 30)), False),
        (FIRST_NOV_LOCAL, True),  # November
    ):
        CorrectiveActionFactory(
            nonconformance__partner=partner,
            status="closed",
            closed_at=closed_at,
            closed_on_time=on_time,
        )
    CorrectiveActionFactory(nonconformance__partner=partner)  # still open
    CorrectiveActionFactory(status="closed", closed_at=at((10, 3)), closed_on_time=True)
    found = eightd_on_time(*OCT)
    assert set(found) == {c.pk for c in in_force}
    for contract in in_force:
        [observation] = found[contract.pk]
        assert (observation.numerator, observation.denominator) == (D(2), D(3))


def test_repeat_nonconformances_counts_repeats_detected_in_the_period(partner, in_force):
    first = NonconformanceFactory(partner=partner, detected_on=datetime.date(2026, 3, 1))
    for day, status in ((2, "open"), (31, "closed"), (15, "cancelled")):
        NonconformanceFactory(
            partner=partner,
            repeat_of=first,
            status=status,
            detected_on=datetime.date(2026, 10, day),
        )
    NonconformanceFactory(partner=partner, detected_on=datetime.date(2026, 10, 5))  # no repeat
    NonconformanceFactory(
        partner=partner, repeat_of=first, detected_on=datetime.date(2026, 11, 1)
    )  # November
    quiet = ContractFactory(status="active")  # in force, no nonconformance: 0
    ContractFactory(partner=PartnerFactory())  # a draft: nothing at all
    found = repeat_nonconformances(*OCT)
    assert set(found) == {first.pk for first in in_force} | {quiet.pk}
    for contract in in_force:
        [observation] = found[contract.pk]
        assert (observation.value, observation.at) == (D(2), OCT[1])
    assert found[quiet.pk][0].value == D(0)


# --- a month close ---------------------------------------------------------------------------


def test_a_month_close_reads_lot_acceptance(make_user):
    manager = make_user("administrator")
    partner = PartnerFactory(currency="EUR")
    made = contract_create(
        user=manager,
        partner=partner,
        data={
            "reference": "C-RG",
            "title": "Regrind supply",
            "outsourced_scope": "Regrind",
            "start_date": datetime.date(2026, 1, 1),
            "end_date": datetime.date(2027, 12, 31),
            "currency": "EUR",
            "monthly_fee": D("100000.00"),
            "at_risk_percent": D("12.00"),
        },
    )
    contract = contract_change_status(user=manager, contract=made, to_status="active", reason="Go")
    service_level_create(
        user=manager,
        contract=contract,
        metric=Metric.objects.get(code="lot_acceptance_inspected"),
        name="",
        terms={"target": D(95), "critical": False, "pool_allocation_percent": D(100)},
    )
    lot(contract, "accepted", at((10, 5)))
    lot(contract, "accepted", at((10, 6)))
    lot(contract, "rejected", at((10, 7)))
    lot(contract, "rejected", at((11, 7)))  # November: not in October's figure

    close = period_close(
        user=manager, period=datetime.date(2026, 10, 1), today=datetime.date(2026, 11, 21)
    )

    result = close.results.get()
    # 2 of 3 lots accepted: 66.6667 % (4 decimals kept), below the 95 % target of a KPI.
    assert (result.outcome, result.attainment, result.observations) == ("kpi", D("66.6667"), 1)
    [observation] = result.explanation["observations"]
    assert (observation["numerator"], observation["denominator"]) == ("2", "3")
