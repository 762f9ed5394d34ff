"""Purchase order pages: list, detail with received and invoiced quantities, the form with
line rows, close and cancel, partner users."""

import pytest

from partnerdesk.finance.models import PurchaseOrder
from tests.finance.test_views_setup import make_books, row_html

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(make_user):
    return make_books(make_user)


def test_order_list_renders_and_filters(client, books):
    client.force_login(books.finance)

    page = client.get("/finance/orders/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "PO-1001" in html and "PO-BETA-1" in html
    assert "New order" not in html  # finance does not place orders

    filtered = client.get(
        f"/finance/orders/?partner={books.other.pk}&sort=-number",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="list-results",
    )
    part = filtered.content.decode()
    assert "<html" not in part  # only the table
    assert "PO-BETA-1" in part and "PO-1001" not in part


def test_order_detail_shows_received_and_invoiced_per_line(client, books):
    client.force_login(books.finance)

    html = client.get(f"/finance/orders/{books.order.pk}/").content.decode()

    line1, line2 = row_html(html, "line-1"), row_html(html, "line-2")
    assert "HOUSING-A" in line1 and "HOUS" in line1 and "2026-10-20" in line1
    assert '<td class="received">1000' in line1
    assert '<td class="invoiced">1000' in line1
    assert '<td class="received">400' in line2 and "open" in line2
    assert '<td class="invoiced">0' in line2


def test_new_order_form_creates_the_order_with_its_lines(client, books):
    client.force_login(books.buyer)
    assert client.get("/finance/orders/new/").status_code == 200

    response = client.post(
        "/finance/orders/new/",
        {
            "partner": books.partner.pk,
            "number": "PO-2001",
            "order_date": "2026-11-02",
            "currency": "CNY",
            "match_mode": "3way",
            "lines-0-item": "LID-C",
            "lines-0-quantity": "200",
            "lines-0-unit_price": "0.8",
            "lines-0-category": "HOUS",
            # row 1 left blank: not a line
            "lines-2-item": "BASE-D",
            "lines-2-quantity": "50",
            "lines-2-unit_price": "3",
        },
    )

    order = PurchaseOrder.objects.get(number="PO-2001")
    assert response.status_code == 302
    assert response["Location"] == f"/finance/orders/{order.pk}/"
    assert list(order.lines.values_list("line_no", "item", "category__code")) == [
        (1, "LID-C", "HOUS"),
        (2, "BASE-D", None),
    ]


def test_a_bad_line_shows_its_error_next_to_the_line(client, books):
    client.force_login(books.buyer)

    response = client.post(
        "/finance/orders/new/",
        {
            "partner": books.partner.pk,
            "number": "PO-2002",
            "order_date": "2026-11-02",
            "currency": "CNY",
            "match_mode": "3way",
            "lines-0-item": "LID-C",
            "lines-0-quantity": "200",
            "lines-0-unit_price": "0.8",
            "lines-3-item": "BASE-D",
            "lines-3-quantity": "many",
            "lines-3-unit_price": "3",
        },
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert not PurchaseOrder.objects.filter(number="PO-2002").exists()
    # The second line sent came from row 4 (index 3): its error is in that row.
    assert "is not a number" in row_html(html, "line-3")
    assert "is not a number" not in row_html(html, "line-0")
    assert 'value="BASE-D"' in row_html(html, "line-3")  # what was typed stays


def test_a_taken_number_is_shown_at_the_header_field(client, books):
    client.force_login(books.buyer)

    response = client.post(
        "/finance/orders/new/",
        {
            "partner": books.partner.pk,
            "number": "PO-1001",
            "order_date": "2026-11-02",
            "currency": "CNY",
            "match_mode": "3way",
            "lines-0-item": "LID-C",
            "lines-0-quantity": "1",
            "lines-0-unit_price": "1",
        },
    )

    assert "This order number is taken." in response.content.decode()


def test_add_rows(client, books):
    client.force_login(books.buyer)

    # HTMX: five more blank rows, and the button counting on
    part = client.get("/finance/orders/new/?rows_from=5", HTTP_HX_REQUEST="true").content.decode()
    assert 'id="line-5"' in part and 'id="line-9"' in part and 'id="line-10"' not in part
    assert "rows_from=10" in part and 'hx-swap-oob="true"' in part

    # Without script: the form comes back with what was typed and more rows
    page = client.post(
        "/finance/orders/new/", {"lines-0-item": "KEEP-ME", "add_rows": "1"}
    ).content.decode()
    assert 'value="KEEP-ME"' in page and 'id="line-5"' in page
    assert "This field is required" not in page


def test_close_and_cancel(client, books, make_user):
    client.force_login(books.finance)
    page = client.get(f"/finance/orders/{books.order.pk}/").content.decode()
    assert "Close order" not in page  # finance does not change orders
    assert client.post(f"/finance/orders/{books.order.pk}/", {"action": "close"}).status_code == 404

    client.force_login(books.buyer)
    assert "Close order" in client.get(f"/finance/orders/{books.order.pk}/").content.decode()
    response = client.post(f"/finance/orders/{books.order.pk}/", {"action": "close"})

    assert response.status_code == 302
    books.order.refresh_from_db()
    assert books.order.status == "closed"
    page = client.get(f"/finance/orders/{books.order.pk}/").content.decode()
    assert "Close order" not in page and "Closed" in page


def test_partner_users_see_only_their_own_orders(client, books, make_user):
    alpha = make_user("partner", partner=books.partner)
    client.force_login(alpha)

    html = client.get("/finance/orders/").content.decode()
    assert "PO-1001" in html and "PO-BETA-1" not in html and "CMO-BETA" not in html
    assert client.get(f"/finance/orders/{books.order.pk}/").status_code == 200
    assert client.get(f"/finance/orders/{books.other_order.pk}/").status_code == 404
    assert client.get("/finance/orders/new/").status_code == 404
