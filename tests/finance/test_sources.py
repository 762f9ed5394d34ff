"""The finance KPI sources the period close reads (receipts on time, matched invoices,
budget adherence), with hand-computed values, and a close that uses one."""

import datetime
from decimal import Decimal

import pytest

from partnerdesk.finance.sources import (
    adherence,
    budget_adherence,
    invoices_matched,
    monthly_budget,
    receipts_on_time,
)
from partnerdesk.performance.models import Metric
from partnerdesk.performance.sources import SOURCES
from tests.factories import (
    ContractFactory,
    GoodsReceiptFactory,
    GoodsReceiptLineFactory,
    MatchExceptionFactory,
    PurchaseOrderFactory,
    PurchaseOrderLineFactory,
    SupplierInvoiceFactory,
    SupplierInvoiceLineFactory,
)

pytestmark = pytest.mark.django_db

OCT = (datetime.date(2026, 10, 1), datetime.date(2026, 10, 31))


def test_the_sources_are_registered_and_in_the_metric_library():
    for code in ("receipts_on_time", "invoices_matched", "budget_adherence"):
        assert code in SOURCES
    derived = dict(Metric.objects.filter(source="derived").values_list("code", "derived_source"))
    assert derived["receipts_on_time"] == "receipts_on_time"
    assert derived["invoices_matched"] == "invoices_matched"
    assert derived["budget_adherence_invoiced"] == "budget_adherence"


def _order_line(contract, promised):
    order = PurchaseOrderFactory(partner=contract.partner, contract=contract)
    return PurchaseOrderLineFactory(order=order, promised_date=promised)


def test_receipts_on_time_counts_lines_received_by_the_promised_date():
    contract = ContractFactory()
    promised = datetime.date(2026, 10, 10)
    for received in (datetime.date(2026, 10, 9), datetime.date(2026, 10, 10)):  # on time
        line = _order_line(contract, promised)
        GoodsReceiptLineFactory(
            order_line=line,
            receipt=GoodsReceiptFactory(partner=contract.partner, received_on=received),
        )
    late = _order_line(contract, promised)
    GoodsReceiptLineFactory(
        order_line=late,
        receipt=GoodsReceiptFactory(
            partner=contract.partner, received_on=datetime.date(2026, 10, 11)
        ),
    )
    # Received in November: not in October's figure.
    GoodsReceiptLineFactory(
        order_line=_order_line(contract, promised),
        receipt=GoodsReceiptFactory(
            partner=contract.partner, received_on=datetime.date(2026, 11, 2)
        ),
    )
    [observation] = receipts_on_time(*OCT)[contract.pk]
    assert (observation.numerator, observation.denominator) == (Decimal(2), Decimal(3))


def test_invoices_matched_ignores_cleared_exceptions():
    contract = ContractFactory()
    line = _order_line(contract, None)
    matched_at = datetime.datetime(2026, 10, 20, tzinfo=datetime.UTC)
    invoices = [
        SupplierInvoiceFactory(
            partner=contract.partner, invoice_date=datetime.date(2026, 10, d), matched_at=matched_at
        )
        for d in (5, 6, 7)
    ]
    for invoice in invoices:
        SupplierInvoiceLineFactory(invoice=invoice, order_line=line)
    MatchExceptionFactory(invoice=invoices[0])  # a real discrepancy
    MatchExceptionFactory(invoice=invoices[1], status="resolved", resolution="cleared")
    [observation] = invoices_matched(*OCT)[contract.pk]
    assert (observation.numerator, observation.denominator) == (Decimal(2), Decimal(3))


def test_budget_adherence_spreads_the_value_over_the_months():
    # 24 months, value 2,400,000 → 100,000 a month.
    assert monthly_budget(
        Decimal("2400000"), Decimal("5"), datetime.date(2026, 1, 1), datetime.date(2027, 12, 31)
    ) == Decimal("100000")
    assert monthly_budget(
        None, Decimal("80000"), datetime.date(2026, 1, 1), datetime.date(2027, 12, 31)
    ) == Decimal("80000")
    assert adherence(Decimal("100000"), Decimal("100000")) == Decimal(100)  # exactly on budget
    assert adherence(Decimal("125000"), Decimal("100000")) == Decimal(80)
    assert adherence(Decimal(0), Decimal("100000")) is None


def test_budget_adherence_from_invoices():
    contract = ContractFactory(value=Decimal("2400000"), monthly_fee=Decimal("1"))
    line = _order_line(contract, None)
    invoice = SupplierInvoiceFactory(
        partner=contract.partner, invoice_date=datetime.date(2026, 10, 5)
    )
    SupplierInvoiceLineFactory(invoice=invoice, order_line=line, amount=Decimal("125000.00"))
    rejected = SupplierInvoiceFactory(
        partner=contract.partner, status="rejected", invoice_date=datetime.date(2026, 10, 6)
    )
    SupplierInvoiceLineFactory(invoice=rejected, order_line=line, amount=Decimal("999999.00"))
    [observation] = budget_adherence(*OCT)[contract.pk]
    assert observation.value == Decimal(80)
