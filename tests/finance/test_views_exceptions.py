"""The exception queue: the list with totals per type, the exception page with its evidence,
owner, resolution, second approval, the credit note received and the history."""

from decimal import Decimal

import pytest

from partnerdesk.finance.models import MatchException
from partnerdesk.finance.services import documents
from tests.factories import MatchExceptionFactory, SupplierInvoiceFactory
from tests.finance.test_views_setup import invoice_data, make_books, price_exception

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(make_user):
    return make_books(make_user)


def _url(exception):
    return f"/finance/exceptions/{exception.pk}/"


def test_queue_lists_exceptions_with_totals_per_type(client, books):
    client.force_login(books.finance)

    html = client.get("/finance/exceptions/").content.decode()

    totals = html[html.index('id="totals"') : html.index("</section>", html.index('id="totals"'))]
    assert "Price variance" in totals and "100.00 CNY" in totals
    assert "INV-0001" in html
    part = client.get(
        "/finance/exceptions/?type=duplicate",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="list-results",
    ).content.decode()
    assert "<html" not in part and "No exception matches." in part
    assert 'id="totals"' in part  # the header comes along


def test_exception_page_shows_the_evidence(client, books):
    exception = price_exception(books.invoice)
    client.force_login(books.finance)

    html = client.get(_url(exception)).content.decode()

    evidence = html[
        html.index('id="evidence"') : html.index("</section>", html.index('id="evidence"'))
    ]
    assert f'href="/finance/invoices/{books.invoice.pk}/"' in evidence
    assert exception.detail in evidence and "100.00 CNY" in evidence
    assert exception.first_run.label in evidence
    for form in ('id="assign"', 'id="resolve"'):
        assert form in html


def test_a_duplicate_shows_the_earlier_invoice(client, books):
    earlier = SupplierInvoiceFactory(partner=books.partner, number="DUP-1")
    exception = MatchExceptionFactory(
        invoice=books.invoice, type="duplicate", related_invoice=earlier, detail="same number"
    )
    client.force_login(books.finance)

    html = client.get(_url(exception)).content.decode()

    assert "Earlier invoice" in html and f'href="/finance/invoices/{earlier.pk}/"' in html


def test_assign_owner_and_reason(client, books):
    exception = price_exception(books.invoice)
    client.force_login(books.finance)

    client.post(
        _url(exception),
        {"action": "assign", "owner": books.buyer.pk, "reason_code": "price_change"},
    )

    exception.refresh_from_db()
    assert exception.owner == books.buyer and exception.reason_code == "price_change"
    html = client.get(_url(exception)).content.decode()
    assert "History" in html and "Agreed price change not on the order" in html


def test_resolve_needs_a_justification(client, books):
    exception = price_exception(books.invoice)
    client.force_login(books.finance)

    response = client.post(_url(exception), {"action": "resolve", "resolution": "accepted"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Say why (the justification is kept as evidence)." in html
    exception.refresh_from_db()
    assert exception.status == "open"


def test_accept_above_the_threshold_needs_someone_else_to_approve(
    client, books, make_user, settings
):
    settings.FINANCE_APPROVAL_THRESHOLD = Decimal("50")
    exception = price_exception(books.invoice)
    client.force_login(books.finance)
    client.post(
        _url(exception),
        {"action": "resolve", "resolution": "accepted", "justification": "Agreed by phone"},
    )
    exception.refresh_from_db()
    assert exception.status == "approval"

    # Not for the person who accepted
    html = client.get(_url(exception)).content.decode()
    assert 'id="approve"' not in html
    assert (
        client.post(_url(exception), {"action": "decide", "decision": "approve"}).status_code == 404
    )

    manager = make_user("management")
    client.force_login(manager)
    assert 'id="approve"' in client.get(_url(exception)).content.decode()
    client.post(_url(exception), {"action": "decide", "decision": "approve", "note": "ok"})

    exception.refresh_from_db()
    assert exception.status == "resolved" and exception.approved_by == manager


def test_send_back(client, books, make_user, settings):
    settings.FINANCE_APPROVAL_THRESHOLD = Decimal("50")
    exception = price_exception(books.invoice)
    client.force_login(books.finance)
    client.post(
        _url(exception),
        {"action": "resolve", "resolution": "accepted", "justification": "Agreed"},
    )
    client.force_login(make_user("management"))

    client.post(_url(exception), {"action": "decide", "decision": "send_back", "note": "No"})

    exception.refresh_from_db()
    assert exception.status == "open" and "Sent back: No" in exception.justification


def test_credit_note_requested_then_recorded(client, books):
    exception = price_exception(books.invoice)
    client.force_login(books.finance)
    client.post(
        _url(exception),
        {"action": "resolve", "resolution": "credit_note", "justification": "Ask for 100"},
    )
    assert "No credit note of this partner" in client.get(_url(exception)).content.decode()
    note = documents.invoice_create(
        user=books.finance,
        data=invoice_data(
            books.partner,
            "CN-77",
            kind="credit_note",
            credits_invoice="INV-0001",
            price="0.1",
            amount="100.00",
            tax="13.00",
        ),
    )

    refused = client.post(
        _url(exception), {"action": "credit", "credit_note": note.pk, "amount": "0"}
    )
    assert "Must be more than zero." in refused.content.decode()
    client.post(_url(exception), {"action": "credit", "credit_note": note.pk})

    exception.refresh_from_db()
    assert exception.status == "resolved" and exception.credit_note == note
    assert exception.recovered_amount == Decimal("113.00")


def test_corrected_records_the_data_error(client, books, make_user):
    exception = price_exception(books.invoice)
    client.force_login(books.finance)

    client.post(
        _url(exception),
        {
            "action": "resolve",
            "resolution": "corrected",
            "justification": "Typo in the order",
            "reason_code": "data_entry",
            "data_error_amount": "100.00",
            "found_by": books.buyer.pk,
        },
    )

    exception.refresh_from_db()
    assert exception.resolution == "corrected" and exception.data_error_found_by == books.buyer
    html = client.get(_url(exception)).content.decode()
    assert 'id="resolve"' not in html and "found by" in html


def test_readers_see_no_forms_and_partners_see_nothing(client, books, make_user):
    exception = price_exception(books.invoice)
    client.force_login(make_user("manufacturing"))
    html = client.get(_url(exception)).content.decode()
    assert 'id="assign"' not in html and 'id="resolve"' not in html
    assert client.post(_url(exception), {"action": "assign"}).status_code == 404

    client.force_login(make_user("partner", partner=books.partner))
    assert client.get("/finance/exceptions/").status_code == 404
    assert client.get(_url(exception)).status_code == 404
    assert MatchException.objects.filter(pk=exception.pk, status="open").exists()
