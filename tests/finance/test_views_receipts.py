"""Goods receipt pages: list, detail with hold badges, inspection per line, the form."""

import pytest

from partnerdesk.audit.models import AuditEntry
from partnerdesk.finance.models import GoodsReceipt
from tests.finance.test_views_setup import make_books, row_html

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(make_user):
    return make_books(make_user)


def test_receipt_list_and_detail(client, books):
    client.force_login(books.finance)

    html = client.get("/finance/receipts/").content.decode()
    assert "DN-77" in html and "New receipt" not in html

    detail = client.get(f"/finance/receipts/{books.receipt.pk}/").content.decode()
    line2 = row_html(detail, "line-2")
    assert "PO-1001" in line2 and "COVER-B" in line2 and "400" in line2
    assert "not inspected" in line2
    assert "Inspect" not in detail  # finance does not inspect


def test_quality_inspects_a_line_and_puts_it_on_hold(client, books, make_user):
    quality = make_user("quality")
    client.force_login(quality)
    line = books.receipt.lines.get(line_no=2)
    assert (
        "Save inspection" in client.get(f"/finance/receipts/{books.receipt.pk}/").content.decode()
    )

    response = client.post(
        f"/finance/receipts/{books.receipt.pk}/",
        {
            "action": "inspect",
            "line": line.pk,
            "quantity_accepted": "380",
            "quantity_rejected": "20",
            "on_hold": "on",
            "hold_reason": "Sink marks",
        },
    )

    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.quantity_accepted, line.quantity_rejected, line.on_hold) == (380, 20, True)
    assert AuditEntry.objects.filter(object_id=str(line.pk), actor=quality).exists()
    detail = client.get(f"/finance/receipts/{books.receipt.pk}/").content.decode()
    assert "on hold" in row_html(detail, "line-2") and "Sink marks" in detail
    listed = client.get("/finance/receipts/").content.decode()
    assert "1 line on hold" in listed


def test_an_inspection_that_does_not_add_up_shows_the_error(client, books, make_user):
    client.force_login(make_user("quality"))
    line = books.receipt.lines.get(line_no=2)

    response = client.post(
        f"/finance/receipts/{books.receipt.pk}/",
        {
            "action": "inspect",
            "line": line.pk,
            "quantity_accepted": "400",
            "quantity_rejected": "1",
        },
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "add up to more than the" in row_html(html, "line-2")


def test_new_receipt_with_a_bad_order_reference(client, books):
    client.force_login(books.buyer)
    data = {
        "partner": books.partner.pk,
        "number": "DN-78",
        "received_on": "2026-10-12",
        "lines-0-order": "PO-1001",
        "lines-0-order_line": "2",
        "lines-0-quantity_received": "100",
        "lines-1-order": "PO-1001",
        "lines-1-order_line": "9",
        "lines-1-quantity_received": "5",
    }

    refused = client.post("/finance/receipts/new/", data)

    html = refused.content.decode()
    assert refused.status_code == 200
    assert "has no line 9 for this partner" in row_html(html, "line-1")
    assert not GoodsReceipt.objects.filter(number="DN-78").exists()

    data["lines-1-order_line"] = "1"
    created = client.post("/finance/receipts/new/", data)
    receipt = GoodsReceipt.objects.get(number="DN-78")
    assert created["Location"] == f"/finance/receipts/{receipt.pk}/"
    assert receipt.lines.count() == 2


def test_partner_users_see_only_their_own_receipts(client, books, make_user):
    client.force_login(make_user("partner", partner=books.other))

    assert "DN-77" not in client.get("/finance/receipts/").content.decode()
    assert client.get(f"/finance/receipts/{books.receipt.pk}/").status_code == 404
