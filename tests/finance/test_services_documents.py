"""Document services on the real database: orders, goods receipts, inspection, invoices and
credit notes. Every refusal names its field; a refused document writes nothing."""

import datetime
from decimal import Decimal as D

import pytest

from partnerdesk.audit.models import AuditAction
from partnerdesk.core.errors import Conflict, Forbidden, InvalidInput
from partnerdesk.finance.choices import (
    InvoiceKind,
    InvoiceStatus,
    MatchMode,
    OrderStatus,
    PaymentStatus,
    ReviewStatus,
)
from partnerdesk.finance.models import (
    DocumentReview,
    GoodsReceipt,
    GoodsReceiptLine,
    MatchException,
    MatchRun,
    PurchaseOrder,
    PurchaseOrderLine,
    ReviewCheck,
    SupplierInvoice,
    SupplierInvoiceLine,
)
from partnerdesk.finance.services import documents
from tests.factories import ItemCategoryFactory, PartnerFactory
from tests.support import audit_rows

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 10, 5)
TODAY = datetime.date(2026, 11, 21)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)


@pytest.fixture
def buyer(make_user):
    return make_user("outsourcing")


@pytest.fixture
def finance(make_user):
    return make_user("finance")


@pytest.fixture
def partner():
    return PartnerFactory(tax_id="91440300MA5FXX")


def order_data(owner, **overrides):
    data = {
        "partner": owner.pk,
        "number": "PO-1001",
        "order_date": DAY,
        "currency": "cny",
        "notes": "  Frame order Q4  ",
        "lines": [
            {
                "item": "HOUSING-A",
                "description": "Housing, black",
                "category": "MOULD",
                "quantity": "1000",
                "unit": "pcs",
                "unit_price": "2.5000",
                "promised_date": "2026-10-20",
            },
            {"item": "COVER-B", "quantity": "1,500", "unit_price": "1.2"},
        ],
    }
    data.update(overrides)
    return data


@pytest.fixture
def order(buyer, partner):
    ItemCategoryFactory(code="MOULD", name="Moulded parts")
    return documents.purchase_order_create(user=buyer, data=order_data(partner))


def receipt_data(owner, **overrides):
    data = {
        "partner": owner.pk,
        "number": "DN-77",
        "received_on": DAY + datetime.timedelta(days=3),
        "lines": [
            {"order": "PO-1001", "order_line": 1, "quantity_received": "1000"},
            {"order": "PO-1001", "order_line": "2", "quantity_received": "400.5"},
        ],
    }
    data.update(overrides)
    return data


def invoice_data(owner, **overrides):
    # 1000 x 2.50 = 2500.00 and 400 x 1.20 = 480.00; 13 % tax: 325.00 + 62.40.
    data = {
        "partner": owner.pk,
        "number": "INV-0001",
        "invoice_date": DAY + datetime.timedelta(days=5),
        "received_on": DAY + datetime.timedelta(days=6),
        "due_date": DAY + datetime.timedelta(days=35),
        "currency": "CNY",
        "net_total": "2980.00",
        "tax_total": "387.40",
        "gross_total": "3367.40",
        "tax_id": "91440300MA5FXX",
        "bank_account": "6222 0000 1111",
        "lines": [
            {"order": "PO-1001", "order_line": 1, "quantity": "1000", "unit_price": "2.5",
             "amount": "2500.00", "tax_rate": "13", "tax_amount": "325.00"},
            {"order": "PO-1001", "order_line": 2, "quantity": "400", "unit_price": "1.2",
             "amount": "480.00", "tax_rate": "13", "tax_amount": "62.40"},
        ],
    }  # fmt: skip
    data.update(overrides)
    return data


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            PurchaseOrder,
            PurchaseOrderLine,
            GoodsReceipt,
            GoodsReceiptLine,
            SupplierInvoice,
            SupplierInvoiceLine,
            DocumentReview,
            ReviewCheck,
            MatchRun,
            MatchException,
        )
    }


def refused(error_type, call, **kwargs):
    """Run ``call``, expect ``error_type``; return the error after checking nothing changed."""
    before = counts()
    with pytest.raises(error_type) as error:
        call(**kwargs)
    assert counts() == before
    return error.value


# --- purchase orders ------------------------------------------------------------------------


def test_purchase_order_create_stores_the_order_and_its_lines(buyer, order):
    assert (order.number, order.order_date, order.currency, order.status, order.match_mode) == (
        "PO-1001",
        DAY,
        "CNY",
        OrderStatus.OPEN,
        MatchMode.THREE_WAY,
    )
    assert order.notes == "Frame order Q4"
    lines = list(order.lines.order_by("line_no"))
    assert [
        (
            line.line_no,
            line.item,
            line.category.code if line.category else None,
            line.quantity,
            line.unit,
            line.unit_price,
            line.promised_date,
        )
        for line in lines
    ] == [
        (1, "HOUSING-A", "MOULD", D("1000.000"), "pcs", D("2.5000"), datetime.date(2026, 10, 20)),
        (2, "COVER-B", None, D("1500.000"), "pcs", D("1.2000"), None),
    ]
    [entry] = audit_rows(order)
    assert (entry.action, entry.actor) == (AuditAction.CREATE, buyer)


def test_purchase_order_create_takes_the_match_mode_and_contract(buyer, partner):
    from tests.factories import ContractFactory

    contract = ContractFactory(partner=partner)
    order = documents.purchase_order_create(
        user=buyer,
        data=order_data(partner, match_mode="4way", contract=contract.pk, lines=[
            {"item": "RESIN", "quantity": "0.5", "unit_price": "0"}
        ]),
    )  # fmt: skip
    assert (order.match_mode, order.contract) == (MatchMode.FOUR_WAY, contract)
    assert order.lines.get().quantity == D("0.500")


def test_purchase_order_refusals_name_their_fields_and_write_nothing(buyer, partner):
    ItemCategoryFactory(code="MOULD")
    data = order_data(partner)
    data["lines"][1]["quantity"] = "-5"
    error = refused(InvalidInput, documents.purchase_order_create, user=buyer, data=data)
    assert error.status == 422
    assert error.fields == {"lines.1.quantity": ["Must be more than zero."]}
    assert "lines.1.quantity" in error.message

    other = PartnerFactory()
    from tests.factories import ContractFactory

    bad = order_data(
        partner,
        partner=999_999,
        currency="XYZ",
        order_date="5 Oct",
        match_mode="5way",
        contract=ContractFactory(partner=other).pk,
        lines=[
            {"item": "", "category": "NOPE", "quantity": "abc", "unit_price": "-1"},
            {"line_no": 1, "item": "X" * 81, "quantity": "1", "unit_price": "1"},
        ],
    )
    error = refused(InvalidInput, documents.purchase_order_create, user=buyer, data=bad)
    assert error.fields == {
        "partner": ["Unknown partner."],
        "order_date": ["“5 Oct” is not a date (YYYY-MM-DD)."],
        "currency": ["Unknown currency “XYZ”."],
        "match_mode": ["Choose 2way, 3way or 4way."],
        "lines.0.category": ["Unknown category “NOPE”."],
        "lines.0.item": ["This field is required."],
        "lines.0.quantity": ["“abc” is not a number."],
        "lines.0.unit_price": ["Must not be negative."],
        "lines.1.line_no": ["Line number 1 repeats."],
        "lines.1.item": ["At most 80 characters."],
    }
    error = refused(
        InvalidInput,
        documents.purchase_order_create,
        user=buyer,
        data=order_data(partner, lines=[]),
    )
    assert error.fields == {"lines": ["Add at least one line."]}


def test_purchase_order_of_another_partners_contract_is_refused(buyer, partner):
    from tests.factories import ContractFactory

    contract = ContractFactory()  # another partner's
    error = refused(
        InvalidInput,
        documents.purchase_order_create,
        user=buyer,
        data=order_data(partner, contract=contract.pk, lines=[order_data(partner)["lines"][1]]),
    )
    assert error.fields == {"contract": ["Unknown contract of this partner."]}


def test_a_partner_id_that_is_not_a_number_is_an_unknown_partner(buyer):
    error = refused(
        InvalidInput,
        documents.purchase_order_create,
        user=buyer,
        data=order_data(PartnerFactory(), partner="abc", lines=[{"item": "X", "quantity": "1",
                                                                 "unit_price": "1"}]),
    )  # fmt: skip
    assert error.fields == {"partner": ["Unknown partner."]}


def test_a_taken_order_number_is_a_conflict(buyer, partner, order):
    error = refused(Conflict, documents.purchase_order_create, user=buyer, data=order_data(partner))
    assert (error.status, error.code) == (409, "conflict")
    assert error.message == "Order PO-1001 exists already."
    assert error.fields == {"number": ["This order number is taken."]}


def test_notes_longer_than_allowed_are_refused(buyer, partner):
    error = refused(
        InvalidInput,
        documents.purchase_order_create,
        user=buyer,
        data=order_data(partner, notes="x" * 2001, lines=[{"item": "X", "quantity": "1",
                                                          "unit_price": "1"}]),
    )  # fmt: skip
    assert error.fields == {"notes": ["At most 2000 characters."]}


def test_finance_cannot_place_orders(finance, partner):
    refused(Forbidden, documents.purchase_order_create, user=finance, data=order_data(partner))


def test_purchase_order_set_status(buyer, order):
    closed = documents.purchase_order_set_status(user=buyer, order=order, status="closed")
    assert PurchaseOrder.objects.get(pk=order.pk).status == OrderStatus.CLOSED == closed.status
    assert [e.action for e in audit_rows(order)] == [AuditAction.CREATE, AuditAction.UPDATE]
    assert audit_rows(order)[-1].changes == {"status": ["open", "closed"]}
    with pytest.raises(InvalidInput) as error:
        documents.purchase_order_set_status(user=buyer, order=order, status="paid")
    assert error.value.fields == {"status": ["Unknown status."]}


# --- goods receipts -------------------------------------------------------------------------


def test_receipt_create_links_the_order_lines(buyer, partner, order):
    receipt = documents.receipt_create(user=buyer, data=receipt_data(partner, notes="Dock 3"))
    assert (receipt.partner, receipt.number, receipt.received_on, receipt.notes) == (
        partner,
        "DN-77",
        datetime.date(2026, 10, 8),
        "Dock 3",
    )
    assert [
        (line.line_no, line.order_line.line_no, line.quantity_received, line.quantity_accepted)
        for line in receipt.lines.select_related("order_line").order_by("line_no")
    ] == [(1, 1, D("1000.000"), None), (2, 2, D("400.500"), None)]
    [entry] = audit_rows(receipt)
    assert (entry.action, entry.actor) == (AuditAction.CREATE, buyer)


def test_receipt_refusals_name_their_fields_and_write_nothing(buyer, partner, order):
    other = PartnerFactory()
    documents.purchase_order_create(
        user=buyer, data=order_data(other, number="PO-OTHER", lines=[order_data(other)["lines"][1]])
    )
    data = receipt_data(
        partner,
        received_on=TODAY + datetime.timedelta(days=1),
        lines=[
            {"order": "PO-1001", "order_line": 9, "quantity_received": "1"},
            {"order": "PO-OTHER", "order_line": 1, "quantity_received": "1"},
            {"order": "PO-1001", "order_line": "two", "quantity_received": "1"},
            {"order_line": 1, "quantity_received": "1"},
            {"order": "PO-1001", "order_line": 1, "quantity_received": "0"},
            {"quantity_received": "1"},
        ],
    )
    error = refused(InvalidInput, documents.receipt_create, user=buyer, data=data)
    assert error.fields == {
        "received_on": ["A receipt cannot be in the future."],
        "lines.0.order": ["Order PO-1001 has no line 9 for this partner."],
        "lines.1.order": ["Order PO-OTHER has no line 1 for this partner."],
        "lines.2.order_line": ["Give the order's line number."],
        "lines.2.order": ["Every receipt line names its order line."],
        "lines.3.order": ["Give the order number."],
        "lines.4.quantity_received": ["Must be more than zero."],
        "lines.5.order": ["Every receipt line names its order line."],
    }
    error = refused(
        InvalidInput, documents.receipt_create, user=buyer, data=receipt_data(partner, partner=0)
    )
    assert error.fields["partner"] == ["Unknown partner."]


def test_a_delivery_note_number_repeats_only_per_partner(buyer, partner, order):
    documents.receipt_create(user=buyer, data=receipt_data(partner))
    error = refused(Conflict, documents.receipt_create, user=buyer, data=receipt_data(partner))
    assert error.status == 409
    assert error.fields == {"number": ["This delivery note is recorded already."]}

    other = PartnerFactory()
    documents.purchase_order_create(
        user=buyer, data=order_data(other, number="PO-2", lines=[order_data(other)["lines"][1]])
    )
    again = documents.receipt_create(
        user=buyer,
        data=receipt_data(
            other, lines=[{"order": "PO-2", "order_line": 1, "quantity_received": "5"}]
        ),
    )
    assert again.number == "DN-77"
    assert GoodsReceipt.objects.filter(number="DN-77").count() == 2


# --- inspection -----------------------------------------------------------------------------


@pytest.fixture
def receipt_line(buyer, partner, order):
    receipt = documents.receipt_create(user=buyer, data=receipt_data(partner))
    return receipt.lines.get(line_no=1)  # 1000 received


@pytest.fixture
def inspector(make_user):
    return make_user("quality")


def test_inspection_records_accepted_rejected_and_hold(inspector, receipt_line):
    line = documents.receipt_line_inspect(
        user=inspector,
        line=receipt_line,
        accepted=D("950"),
        rejected=D("50"),
        on_hold=True,
        hold_reason="  Sink marks on 5 % of parts ",
    )
    line.refresh_from_db()
    assert (line.quantity_accepted, line.quantity_rejected, line.on_hold, line.hold_reason) == (
        D("950.000"),
        D("50.000"),
        True,
        "Sink marks on 5 % of parts",
    )
    [entry] = audit_rows(line)
    assert entry.action == AuditAction.UPDATE
    assert entry.actor == inspector
    assert set(entry.changes) == {
        "quantity_accepted",
        "quantity_rejected",
        "on_hold",
        "hold_reason",
    }
    # Lifting the hold.
    documents.receipt_line_inspect(
        user=inspector, line=line, accepted=D("1000"), rejected=D("0"), on_hold=False
    )
    line.refresh_from_db()
    assert (line.quantity_accepted, line.on_hold, line.hold_reason) == (D("1000.000"), False, "")


def test_inspection_refusals(inspector, receipt_line):
    with pytest.raises(InvalidInput) as error:
        documents.receipt_line_inspect(
            user=inspector, line=receipt_line, accepted=D("990"), rejected=D("11"), on_hold=False
        )
    assert error.value.fields == {
        "quantity_accepted": ["Accepted and rejected add up to more than the 1000.000 received."]
    }
    with pytest.raises(InvalidInput) as error:
        documents.receipt_line_inspect(
            user=inspector, line=receipt_line, accepted=None, rejected=None, on_hold=True,
            hold_reason="   ",
        )  # fmt: skip
    assert error.value.fields == {"hold_reason": ["Give the reason for the hold."]}
    with pytest.raises(InvalidInput) as error:
        documents.receipt_line_inspect(
            user=inspector, line=receipt_line, accepted=D("-1"), rejected=None, on_hold=False
        )
    assert error.value.fields == {"quantity_accepted": ["Must not be negative."]}
    receipt_line.refresh_from_db()
    assert (receipt_line.quantity_accepted, receipt_line.on_hold) == (None, False)
    assert audit_rows(receipt_line) == []
    # Exactly what was received is fine.
    documents.receipt_line_inspect(
        user=inspector, line=receipt_line, accepted=D("999"), rejected=D("1"), on_hold=False
    )


def test_finance_cannot_inspect(finance, receipt_line):
    with pytest.raises(Forbidden):
        documents.receipt_line_inspect(
            user=finance, line=receipt_line, accepted=D("1"), rejected=None, on_hold=False
        )


# --- invoices -------------------------------------------------------------------------------


@pytest.fixture
def received(buyer, partner, order):
    return documents.receipt_create(
        user=buyer,
        data=receipt_data(
            partner,
            lines=[
                {"order": "PO-1001", "order_line": 1, "quantity_received": "1000"},
                {"order": "PO-1001", "order_line": 2, "quantity_received": "400"},
            ],
        ),
    )


def test_invoice_create_records_reviews_and_matches(finance, partner, received):
    invoice = documents.invoice_create(user=finance, data=invoice_data(partner, number="inv-0012"))
    assert (invoice.kind, invoice.number, invoice.number_key, invoice.status) == (
        InvoiceKind.INVOICE,
        "inv-0012",
        "INV12",
        InvoiceStatus.RECEIVED,
    )
    assert (invoice.net_total, invoice.tax_total, invoice.gross_total) == (
        D("2980.00"),
        D("387.40"),
        D("3367.40"),
    )
    assert [
        (x.line_no, x.order_line.line_no, x.order_reference, x.quantity, x.amount, x.tax_amount)
        for x in invoice.lines.select_related("order_line").order_by("line_no")
    ] == [
        (1, 1, "PO-1001/1", D("1000.000"), D("2500.00"), D("325.00")),
        (2, 2, "PO-1001/2", D("400.000"), D("480.00"), D("62.40")),
    ]
    # The review started with the invoice checklist; its automatic items are answered.
    review = DocumentReview.objects.get(invoice=invoice)
    assert review.status == ReviewStatus.OPEN
    assert dict(review.checks.values_list("item__auto_check", "outcome").exclude(
        item__auto_check=""
    )) == {"po_open": "passed", "tax_id": "passed", "bank_account": "passed",
           "arithmetic": "passed"}  # fmt: skip
    assert review.checks.filter(outcome="pending").count() == 3
    # Matched: no exception; blocked only by the open checklist.
    assert invoice.matched_at is not None
    assert MatchRun.objects.get().label == "invoice inv-0012"
    assert not MatchException.objects.exists()
    assert invoice.payment_status == PaymentStatus.BLOCKED
    [entry] = audit_rows(invoice)
    assert (entry.action, entry.actor) == (AuditAction.CREATE, finance)


def test_invoice_received_on_defaults_to_today(finance, partner, received):
    data = invoice_data(partner)
    del data["received_on"]
    assert documents.invoice_create(user=finance, data=data).received_on == TODAY


def test_an_unknown_order_reference_is_kept_as_printed(finance, partner, received):
    data = invoice_data(partner, net_total="2500.00", tax_total="325.00", gross_total="2825.00")
    data["lines"] = [dict(data["lines"][0], order="PO-9999", order_line=3)]
    invoice = documents.invoice_create(user=finance, data=data)
    line = invoice.lines.get()
    assert (line.order_line, line.order_reference) == (None, "PO-9999/3")
    missing = MatchException.objects.get(invoice=invoice)
    assert (missing.type, missing.severity, missing.amount_at_stake) == (
        "missing_po",
        "block",
        D("2500.00"),
    )


def test_invoice_refusals_name_their_fields_and_write_nothing(finance, partner, received):
    data = invoice_data(partner)
    data["lines"][1]["quantity"] = "-400"
    error = refused(InvalidInput, documents.invoice_create, user=finance, data=data)
    assert error.fields == {"lines.1.quantity": ["Must not be negative."]}

    error = refused(
        InvalidInput,
        documents.invoice_create,
        user=finance,
        data=invoice_data(
            partner,
            partner=123_456,
            kind="bill",
            currency="RMB",
            due_date=DAY,  # before the invoice date (DAY + 5)
            net_total="",
            gross_total="NaN",
        ),
    )
    assert error.fields == {
        "partner": ["Unknown partner."],
        "kind": ["Choose invoice or credit_note."],
        "due_date": ["The due date is before the invoice date."],
        "currency": ["Unknown currency “RMB”."],
        "net_total": ["This field is required."],
        "gross_total": ["Enter a finite number."],
    }
    error = refused(
        InvalidInput,
        documents.invoice_create,
        user=finance,
        data=invoice_data(partner, invoice_date=TODAY + datetime.timedelta(days=2),
                          due_date=TODAY + datetime.timedelta(days=30)),
    )  # fmt: skip
    assert error.fields == {"invoice_date": ["The invoice date is in the future."]}
    # Tomorrow is fine (time zones).
    tomorrow = TODAY + datetime.timedelta(days=1)
    documents.invoice_create(
        user=finance,
        data=invoice_data(partner, number="INV-T", invoice_date=tomorrow, due_date=tomorrow),
    )


def test_invoice_text_fields_too_long_to_store_are_refused(finance, partner, received):
    error = refused(
        InvalidInput,
        documents.invoice_create,
        user=finance,
        data=invoice_data(partner, tax_id="9" * 41, bank_account="1" * 61),
    )
    assert error.fields == {
        "tax_id": ["At most 40 characters."],
        "bank_account": ["At most 60 characters."],
    }


def test_numbers_too_large_to_store_are_refused(finance, buyer, partner, received):
    data = invoice_data(partner, gross_total="123456789012345.00", net_total="1e30")
    data["lines"][0]["tax_rate"] = "1000"
    data["lines"][1]["unit_price"] = "1234567890123"
    error = refused(InvalidInput, documents.invoice_create, user=finance, data=data)
    assert error.fields == {
        "net_total": ["At most 14 digits before the decimal point."],
        "gross_total": ["At most 14 digits before the decimal point."],
        "lines.0.tax_rate": ["At most 3 digits before the decimal point."],
        "lines.1.unit_price": ["At most 12 digits before the decimal point."],
    }
    # Large values that fit are stored (SQLite keeps 15 significant digits, so not the largest).
    data = invoice_data(partner, number="INV-BIG", gross_total="1234567890123.45")
    data["lines"][0]["tax_rate"] = "999.99"
    invoice = documents.invoice_create(user=finance, data=data)
    invoice.refresh_from_db()
    assert invoice.gross_total == D("1234567890123.45")
    assert invoice.lines.get(line_no=1).tax_rate == D("999.99")


def test_quantities_are_rounded_to_what_is_stored_before_they_are_checked(buyer, partner):
    error = refused(
        InvalidInput,
        documents.purchase_order_create,
        user=buyer,
        data=order_data(partner, lines=[{"item": "X", "quantity": "0.0004", "unit_price": "1"}]),
    )
    assert error.fields == {"lines.0.quantity": ["Must be more than zero."]}
    order = documents.purchase_order_create(
        user=buyer,
        data=order_data(partner, lines=[{"item": "X", "quantity": "0.0005",
                                         "unit_price": "1.23456"}]),
    )  # fmt: skip
    line = order.lines.get()
    line.refresh_from_db()
    assert (line.quantity, line.unit_price) == (D("0.001"), D("1.2346"))


def test_a_credit_note_names_the_invoice_it_credits(finance, partner, received):
    invoice = documents.invoice_create(user=finance, data=invoice_data(partner))
    credit = documents.invoice_create(
        user=finance,
        data=invoice_data(
            partner,
            kind="credit_note",
            number="CN-1",
            credits_invoice="INV-0001",
            net_total="100.00",
            tax_total="13.00",
            gross_total="113.00",
            lines=[{"description": "Price correction", "quantity": "1", "unit_price": "100",
                    "amount": "100.00", "tax_rate": "13", "tax_amount": "13.00"}],
        ),
    )  # fmt: skip
    assert (credit.kind, credit.credits_invoice) == (InvoiceKind.CREDIT_NOTE, invoice)
    review = DocumentReview.objects.get(invoice=credit)
    assert review.template.document_type == "credit_note"
    assert review.checks.get(item__auto_check="credit_reference").outcome == "passed"
    # Credit notes are not matched against orders.
    assert credit.matched_at is None
    assert not MatchException.objects.filter(invoice=credit).exists()

    error = refused(
        InvalidInput,
        documents.invoice_create,
        user=finance,
        data=invoice_data(partner, kind="credit_note", number="CN-2", credits_invoice="INV-404"),
    )
    assert error.fields == {"credits_invoice": ["No invoice with this number from this partner."]}


def test_outsourcing_cannot_enter_invoices(buyer, partner, received):
    refused(Forbidden, documents.invoice_create, user=buyer, data=invoice_data(partner))
