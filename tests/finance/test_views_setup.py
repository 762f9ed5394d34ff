"""Shared data for the finance page tests: a partner's order, receipt and invoices entered
through the services (so reviews, matching and the queue are real), and small helpers.
The other ``test_views_*`` modules import the fixtures from here."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest

from partnerdesk.finance.models import ItemCategory, MatchException
from partnerdesk.finance.services import documents
from tests.factories import (
    ContractFactory,
    CreditProposalFactory,
    PartnerFactory,
    PeriodCloseFactory,
    ServiceLevelFactory,
    ServiceLevelResultFactory,
)

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 10, 5)
TAX_ID = "91440300MA5FXX"
BANK = "6222 0000 1111"


def invoice_data(partner, number, *, price="2.6", amount="2600.00", tax="338.00", **extra):
    """An invoice on PO-1001 line 1 (1,000 pieces) at ``price``: 2.6 is 0.10 over the order."""
    net = Decimal(amount)
    data = {
        "partner": partner.pk,
        "number": number,
        "invoice_date": DAY + datetime.timedelta(days=5),
        "due_date": DAY + datetime.timedelta(days=35),
        "currency": "CNY",
        "net_total": str(net),
        "tax_total": tax,
        "gross_total": str(net + Decimal(tax)),
        "tax_id": TAX_ID,
        "bank_account": BANK,
        "lines": [
            {
                "order": "PO-1001",
                "order_line": 1,
                "quantity": "1000",
                "unit_price": price,
                "amount": amount,
                "tax_rate": "13",
                "tax_amount": tax,
            }
        ],
    }
    data.update(extra)
    return data


@dataclass
class Books:
    partner: object
    other: object
    order: object
    receipt: object
    invoice: object  # blocked: price variance on line 1
    other_order: object
    other_invoice: object
    finance: object
    buyer: object


def make_books(make_user) -> Books:
    partner = PartnerFactory(code="CMO-ALPHA", legal_name="Alpha Moulding", tax_id=TAX_ID)
    other = PartnerFactory(code="CMO-BETA", legal_name="Beta Plastics", tax_id="BETA-TAX")
    finance = make_user("finance", username="fin")
    buyer = make_user("outsourcing", username="buyer")
    category = ItemCategory.objects.create(code="HOUS", name="Housings")
    order = documents.purchase_order_create(
        user=buyer,
        data={
            "partner": partner.pk,
            "number": "PO-1001",
            "order_date": DAY,
            "currency": "CNY",
            "lines": [
                {
                    "item": "HOUSING-A",
                    "quantity": "1000",
                    "unit_price": "2.5000",
                    "category": category.code,
                    "promised_date": "2026-10-20",
                },
                {"item": "COVER-B", "quantity": "500", "unit_price": "1.2000"},
            ],
        },
    )
    receipt = documents.receipt_create(
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
    invoice = documents.invoice_create(user=finance, data=invoice_data(partner, "INV-0001"))
    other_order = documents.purchase_order_create(
        user=buyer,
        data={
            "partner": other.pk,
            "number": "PO-BETA-1",
            "order_date": DAY,
            "currency": "CNY",
            "lines": [{"item": "TRAY", "quantity": "10", "unit_price": "1"}],
        },
    )
    other_invoice = documents.invoice_create(
        user=finance,
        data={
            **invoice_data(other, "BETA-INV-1", price="1", amount="10.00", tax="1.30"),
            "tax_id": "BETA-TAX",
            "lines": [
                {
                    "order": "PO-BETA-1",
                    "order_line": 1,
                    "quantity": "10",
                    "unit_price": "1",
                    "amount": "10.00",
                    "tax_rate": "13",
                    "tax_amount": "1.30",
                }
            ],
        },
    )
    return Books(
        partner, other, order, receipt, invoice, other_order, other_invoice, finance, buyer
    )


@pytest.fixture
def books(make_user) -> Books:
    return make_books(make_user)


def price_exception(invoice) -> MatchException:
    return MatchException.objects.get(invoice=invoice, type="price_variance")


def make_proposal(partner, *, month=9, amount="300.00", kind="credit", currency="CNY"):
    """A proposed service credit of a closed month for the partner (a performance close)."""
    contract = ContractFactory(partner=partner)
    result = ServiceLevelResultFactory(
        period_close=PeriodCloseFactory(period=datetime.date(2026, month, 1)),
        service_level=ServiceLevelFactory(contract=contract),
        credit=Decimal(amount),
        currency=currency,
    )
    return CreditProposalFactory(
        result=result, kind=kind, amount=Decimal(amount), currency=currency
    )


def row_html(html: str, row_id: str) -> str:
    """The HTML of the table row with this id (to assert an error sits next to its line)."""
    start = html.index(f'id="{row_id}"')
    return html[start : html.index("</tr>", start)]


def test_books_are_real(books):
    # The shared data is what the page tests rely on.
    assert books.invoice.payment_status == "blocked"
    assert price_exception(books.invoice).amount_at_stake == Decimal("100.00")
    assert books.other_invoice.partner == books.other
