"""Request ids, the login requirement, the health check and the shared list machinery."""

import re

import pytest

from partnerdesk.core.listing import apply_sort, parse_filters
from partnerdesk.partners.filters import PARTNER_SORTS, PartnerFilter
from partnerdesk.partners.models import Partner
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def test_a_sane_incoming_request_id_is_kept(client, outsourcing_user):
    client.force_login(outsourcing_user)

    response = client.get("/", HTTP_X_REQUEST_ID="abc123")

    assert response["X-Request-ID"] == "abc123"


@pytest.mark.parametrize("incoming", ["", "has-dashes", "x" * 65, "<script>"])
def test_an_odd_incoming_request_id_is_replaced(client, outsourcing_user, incoming):
    client.force_login(outsourcing_user)

    response = client.get("/", HTTP_X_REQUEST_ID=incoming)

    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_pages_need_a_signed_in_user(client):
    response = client.get("/partners/?status=active")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/partners/%3Fstatus%3Dactive"


def test_an_htmx_request_of_an_anonymous_user_is_told_where_to_sign_in(client):
    response = client.get("/partners/", HTTP_HX_REQUEST="true")

    assert response.status_code == 401
    assert response["HX-Redirect"] == "/accounts/login/"


def test_health_answers_anonymous_load_balancers(client):
    response = client.get("/health/")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.parametrize(
    ("sort", "ordering", "key"),
    [
        (None, ("code", "pk"), "code"),
        ("name", ("legal_name", "pk"), "name"),
        ("-updated", ("-updated_at", "-pk"), "-updated"),
        ("password", ("code", "pk"), "code"),
        ("-legal_name", ("code", "pk"), "code"),
    ],
)
def test_apply_sort_allows_only_whitelisted_columns(sort, ordering, key):
    queryset, applied = apply_sort(Partner.objects.all(), sort, PARTNER_SORTS, "code")

    assert queryset.query.order_by == ordering
    assert applied == key


def test_parse_filters_drops_invalid_values_and_reports_them():
    filters, errors = parse_filters(
        PartnerFilter, {"status": "retired", "kind": "logistics", "country": "C", "other": "x"}
    )

    assert filters.kind == "logistics"
    assert filters.status is None
    assert filters.country is None
    assert set(errors) == {"status", "country"}


def test_a_list_page_with_a_bad_filter_shows_the_error_and_the_unfiltered_rows(
    client, outsourcing_user
):
    PartnerFactory(code="CMO-1")
    client.force_login(outsourcing_user)

    response = client.get("/partners/?status=retired")

    html = response.content.decode()
    assert response.status_code == 200
    assert "status: Input should be" in html
    assert "CMO-1" in html


def test_an_htmx_list_request_renders_only_the_table(client, outsourcing_user):
    PartnerFactory(code="CMO-1")
    client.force_login(outsourcing_user)

    response = client.get("/partners/?q=cmo", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="list-results")

    html = response.content.decode()
    assert "CMO-1" in html
    assert "<html" not in html


@pytest.mark.parametrize(
    "method,path,data",
    [
        ("post", "/accounts/login/", {"username": "ad\x00min", "password": "x"}),
        ("get", "/accounts/users/", {"q": "\x00"}),
        ("get", "/history/", {"model": "part\x00ner"}),
        ("get", "/partners/", {"q": "a\x00b"}),
    ],
)
def test_pages_refuse_nul_characters_with_400(client, admin_user, method, path, data):
    # Given a signed-in administrator (the login page is public anyway)
    client.force_login(admin_user)

    # When a parameter carries a NUL character
    response = getattr(client, method)(path, data)

    # Then the page answers 400 instead of reaching the database
    assert response.status_code == 400
    assert b"NUL character" in response.content
