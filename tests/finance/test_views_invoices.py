"""Invoice pages: list with payment status, the form (also credit notes), and the invoice page
with reasons, checklist, exceptions, deductions, release, rejection and matching again."""

import pytest

from partnerdesk.finance.models import InvoiceDeduction, ReviewCheck, SupplierInvoice
from partnerdesk.finance.services import documents
from tests.finance.test_views_setup import (
    BANK,
    invoice_data,
    make_books,
    make_proposal,
    price_exception,
    row_html,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(make_user):
    return make_books(make_user)


def _url(invoice):
    return f"/finance/invoices/{invoice.pk}/"


def test_invoice_list_shows_payment_status_and_open_exceptions(client, books):
    client.force_login(books.finance)

    html = client.get("/finance/invoices/").content.decode()
    row = html[html.index("INV-0001") : html.index("</tr>", html.index("INV-0001"))]
    assert "payment-blocked" in row
    assert f'href="/finance/exceptions/?invoice={books.invoice.pk}"' in row
    part = client.get(
        "/finance/invoices/?payment_status=ready",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="list-results",
    ).content.decode()
    assert "INV-0001" not in part


def _line(prefix, **values):
    return {f"lines-{prefix}-{k}": v for k, v in values.items()}


def _form(books, number, **extra):
    data = {
        "partner": books.partner.pk,
        "kind": "invoice",
        "number": number,
        "invoice_date": "2026-10-12",
        "due_date": "2026-11-11",
        "currency": "CNY",
        "net_total": "600.00",
        "tax_total": "78.00",
        "gross_total": "678.00",
        "tax_id": "91440300MA5FXX",
        "bank_account": BANK,
        **_line(
            0,
            order="PO-1001",
            order_line="2",
            quantity="500",
            unit_price="1.2",
            amount="600.00",
            tax_rate="13",
            tax_amount="78.00",
        ),
    }
    data.update(extra)
    return data


def test_new_invoice_is_recorded_reviewed_and_matched(client, books):
    client.force_login(books.finance)
    assert client.get("/finance/invoices/new/").status_code == 200

    response = client.post("/finance/invoices/new/", _form(books, "INV-0002"))

    invoice = SupplierInvoice.objects.get(number="INV-0002")
    assert response["Location"] == _url(invoice)
    assert invoice.matched_at is not None and hasattr(invoice, "review")


def test_new_credit_note_names_the_invoice_it_credits(client, books):
    client.force_login(books.finance)
    data = _form(books, "CN-1", kind="credit_note", credits_invoice="NOPE")

    refused = client.post("/finance/invoices/new/", data).content.decode()
    assert "No invoice with this number from this partner." in refused

    data["credits_invoice"] = "INV-0001"
    client.post("/finance/invoices/new/", data)
    note = SupplierInvoice.objects.get(number="CN-1")
    assert note.kind == "credit_note" and note.credits_invoice == books.invoice
    page = client.get(_url(books.invoice)).content.decode()
    assert "CN-1" in page


def test_a_bad_invoice_line_shows_its_error_next_to_the_line(client, books):
    client.force_login(books.finance)
    data = _form(books, "INV-0003", **_line(1, item="X", quantity="1", unit_price="1", amount="-5"))

    response = client.post("/finance/invoices/new/", data)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Must not be negative." in row_html(html, "line-1")
    assert "Must not be negative." not in row_html(html, "line-0")
    assert not SupplierInvoice.objects.filter(number="INV-0003").exists()


def test_invoice_page_for_finance(client, books):
    client.force_login(books.finance)

    html = client.get(_url(books.invoice)).content.decode()

    exc = price_exception(books.invoice)
    assert "Price variance" in html  # a reason, and on its line
    assert f'href="/finance/exceptions/{exc.pk}/"' in row_html(html, "line-1")
    assert "checklist not complete" in html
    assert "Invoice addressed to our legal entity" in html  # a manual checklist item
    for button in (
        "Match again",
        "Release for payment",
        "Reject this invoice",
        "Save answer",
        "Re-run automatic checks",
    ):
        assert button in html, button


def test_answering_the_checklist(client, books):
    client.force_login(books.finance)
    check = ReviewCheck.objects.get(
        review__invoice=books.invoice, item__text="Invoice addressed to our legal entity"
    )

    refused = client.post(
        _url(books.invoice), {"action": "answer", "check": check.pk, "outcome": "failed"}
    )
    assert "Say why in a note." in row_html(refused.content.decode(), f"check-{check.pk}")

    done = client.post(
        _url(books.invoice), {"action": "answer", "check": check.pk, "outcome": "passed"}
    )
    assert done.status_code == 302
    check.refresh_from_db()
    assert check.outcome == "passed" and check.checked_by == books.finance

    assert client.post(_url(books.invoice), {"action": "rerun"}).status_code == 302


def test_a_changed_bank_account_needs_a_second_reviewer(client, books, make_user):
    invoice = documents.invoice_create(
        user=books.finance,
        data=invoice_data(
            books.partner,
            "INV-0009",
            price="2.5",
            amount="2500.00",
            tax="325.00",
            bank_account="6222 9999 0000",
        ),
    )
    bank = ReviewCheck.objects.get(review__invoice=invoice, item__auto_check="bank_account")
    manual = ReviewCheck.objects.filter(review__invoice=invoice, item__auto_check="").first()
    assert bank.needs_second
    client.force_login(books.finance)
    client.post(_url(invoice), {"action": "answer", "check": manual.pk, "outcome": "passed"})

    # The first reviewer cannot be the second
    page = client.get(_url(invoice)).content.decode()
    assert f"confirm-second-{bank.pk}" in page
    refused = client.post(_url(invoice), {"action": "second", "check": bank.pk})
    assert "someone else than the first" in refused.content.decode()

    other = make_user("finance", username="fin2")
    client.force_login(other)
    assert client.post(_url(invoice), {"action": "second", "check": bank.pk}).status_code == 302
    bank.refresh_from_db()
    assert bank.second_by == other
    assert f"confirm-second-{bank.pk}" not in client.get(_url(invoice)).content.decode()


def test_release_blocked_then_ready(client, books):
    client.force_login(books.finance)

    blocked = client.post(_url(books.invoice), {"action": "release"}, follow=True)
    assert "is blocked" in blocked.content.decode()

    # Line 2 of the order: 400 received at 1.20
    clean = documents.invoice_create(
        user=books.finance,
        data=invoice_data(
            books.partner,
            "INV-0010",
            amount="480.00",
            tax="62.40",
            lines=[
                {
                    "order": "PO-1001",
                    "order_line": 2,
                    "quantity": "400",
                    "unit_price": "1.2",
                    "amount": "480.00",
                    "tax_rate": "13",
                    "tax_amount": "62.40",
                }
            ],
        ),
    )
    for check in ReviewCheck.objects.filter(review__invoice=clean, item__auto_check=""):
        client.post(_url(clean), {"action": "answer", "check": check.pk, "outcome": "passed"})
    clean.refresh_from_db()
    assert clean.payment_status == "ready"
    assert "Nothing blocks or warns" in client.get(_url(clean)).content.decode()

    client.post(_url(clean), {"action": "release"})

    clean.refresh_from_db()
    assert clean.status == "released" and clean.released_by == books.finance
    assert "Release for payment" not in client.get(_url(clean)).content.decode()


def test_reject_needs_a_reason(client, books):
    client.force_login(books.finance)

    refused = client.post(_url(books.invoice), {"action": "reject", "reason": ""})
    assert refused.status_code == 200 and "This field is required." in refused.content.decode()

    client.post(_url(books.invoice), {"action": "reject", "reason": "Wrong price"})
    books.invoice.refresh_from_db()
    assert books.invoice.status == "rejected"
    assert "rejected: Wrong price" in client.get(_url(books.invoice)).content.decode()


def test_match_again(client, books):
    client.force_login(books.finance)

    page = client.post(_url(books.invoice), {"action": "match"}, follow=True).content.decode()

    assert "Matched again: 0 exception(s) opened, 0 cleared." in page


def test_apply_a_service_credit(client, books):
    proposal = make_proposal(books.partner, amount="300.00")
    client.force_login(books.finance)
    page = client.get(_url(books.invoice)).content.decode()
    assert f"apply-{proposal.pk}" in page

    client.post(_url(books.invoice), {"action": "apply", "proposal": proposal.pk})

    deduction = InvoiceDeduction.objects.get(invoice=books.invoice)
    assert deduction.amount == 300
    page = client.get(_url(books.invoice)).content.decode()
    assert f"apply-{proposal.pk}" not in page
    assert '<dd id="net-payable"><strong>2638.00 CNY' in page  # 2,938.00 less 300.00


def test_buttons_are_hidden_without_permission(client, books, make_user):
    make_proposal(books.partner)
    client.force_login(make_user("manufacturing"))

    html = client.get(_url(books.invoice)).content.decode()

    assert "Price variance" in html  # may read the reasons
    for button in (
        "Match again",
        "Release for payment",
        "Reject this invoice",
        "Save answer",
        "Re-run automatic checks",
        "Apply",
        "Confirm as second reviewer",
    ):
        assert button not in html, button
    for action in ("match", "release", "reject", "rerun", "apply"):
        assert client.post(_url(books.invoice), {"action": action}).status_code == 404


def test_partner_users_see_their_invoices_without_internal_reasons(client, books, make_user):
    client.force_login(make_user("partner", partner=books.partner))

    listed = client.get("/finance/invoices/").content.decode()
    assert "INV-0001" in listed and "BETA-INV-1" not in listed and "CMO-BETA" not in listed
    html = client.get(_url(books.invoice)).content.decode()
    assert "payment-blocked" in html
    assert "Price variance" not in html and "Review checklist" not in html
    assert client.get(_url(books.other_invoice)).status_code == 404
    assert client.post(_url(books.invoice), {"action": "release"}).status_code == 404
