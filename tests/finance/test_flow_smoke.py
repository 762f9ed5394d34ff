"""End to end through the services: order, receipt, invoice with variances, the queue."""

import datetime
from decimal import Decimal

import pytest

from partnerdesk.finance.choices import ExceptionStatus, PaymentStatus
from partnerdesk.finance.models import MatchException, ToleranceProfile
from partnerdesk.finance.services import documents
from partnerdesk.finance.services.matching import match_invoices
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 10, 5)


@pytest.fixture
def finance(make_user):
    return make_user("finance")


@pytest.fixture
def world(finance, make_user):
    partner = PartnerFactory(tax_id="91440300MA5FXX")
    # The company default (shipped by migration): price 2 % or 0.05, quantity exact.
    assert ToleranceProfile.objects.filter(partner=None, category=None).count() == 1
    buyer = make_user("outsourcing")
    order = documents.purchase_order_create(
        user=buyer,
        data={
            "partner": partner.pk,
            "number": "PO-1001",
            "order_date": DAY,
            "currency": "CNY",
            "lines": [
                {"item": "HOUSING-A", "quantity": "1000", "unit_price": "2.5000"},
                {"item": "COVER-B", "quantity": "500", "unit_price": "1.2000"},
            ],
        },
    )
    documents.receipt_create(
        user=buyer,
        data={
            "partner": partner.pk,
            "number": "DN-77",
            "received_on": DAY + datetime.timedelta(days=3),
            "lines": [
                {"order": "PO-1001", "order_line": 1, "quantity_received": "1000"},
                {"order": "PO-1001", "order_line": 2, "quantity_received": "400"},
            ],
        },
    )
    return partner, order


def test_invoice_with_price_and_quantity_variances_is_blocked(finance, world):
    partner, _order = world
    invoice = documents.invoice_create(
        user=finance,
        data={
            "partner": partner.pk,
            "number": "INV-0001",
            "invoice_date": DAY + datetime.timedelta(days=5),
            "due_date": DAY + datetime.timedelta(days=35),
            "currency": "CNY",
            "net_total": "3200.00",
            "tax_total": "416.00",
            "gross_total": "3616.00",
            "tax_id": "91440300MA5FXX",
            "bank_account": "6222 0000 1111",
            "lines": [
                {
                    "order": "PO-1001",
                    "order_line": 1,
                    "quantity": "1000",
                    "unit_price": "2.6",
                    "amount": "2600.00",
                    "tax_rate": "13",
                    "tax_amount": "338.00",
                },
                {
                    "order": "PO-1001",
                    "order_line": 2,
                    "quantity": "500",
                    "unit_price": "1.2",
                    "amount": "600.00",
                    "tax_rate": "13",
                    "tax_amount": "78.00",
                },
            ],
        },
    )
    types = set(MatchException.objects.filter(invoice=invoice).values_list("type", flat=True))
    assert "price_variance" in types
    assert "quantity_variance" in types
    assert invoice.payment_status == PaymentStatus.BLOCKED
    price = MatchException.objects.get(invoice=invoice, type="price_variance")
    # 0.10 over the PO price on 1,000 pieces.
    assert price.amount_at_stake == Decimal("100.00")
    # Matching again changes nothing; the exception is kept, not doubled.
    match_invoices(invoice_ids=[invoice.pk])
    assert MatchException.objects.filter(invoice=invoice, type="price_variance").count() == 1
    assert price.status == ExceptionStatus.OPEN


def test_reconcile_week_reports_and_sets_the_agenda(finance, world):
    from django.core.management import call_command

    from partnerdesk.finance.models import WeeklyReconciliation

    partner, _order = world
    documents.invoice_create(
        user=finance,
        data={
            "partner": partner.pk,
            "number": "INV-0002",
            "invoice_date": DAY + datetime.timedelta(days=5),
            "due_date": DAY + datetime.timedelta(days=35),
            "currency": "CNY",
            "net_total": "2500.00",
            "tax_total": "325.00",
            "gross_total": "2825.00",
            "tax_id": "91440300MA5FXX",
            "bank_account": "6222 0000 1111",
            "lines": [
                {
                    "order": "PO-1001",
                    "order_line": 1,
                    "quantity": "1000",
                    "unit_price": "2.5",
                    "amount": "2500.00",
                    "tax_rate": "13",
                    "tax_amount": "325.00",
                },
            ],
        },
    )
    call_command("reconcile", "--week", "2026-W41")
    recon = WeeklyReconciliation.objects.get()
    assert recon.report["invoices"] == 1
    assert recon.report["lines_matched"] == 1
    assert recon.report["matched_share"] == "100.0"
    # Still blocked: its checklist has manual items nobody ticked yet.
    assert recon.report["payment_status"]["blocked"] == 1
    assert recon.agenda.exists()
