"""The server errors and stray answers the API fuzzer found, pinned as plain tests."""

import pytest

from tests.factories import CertificationFactory, PartnerDocumentFactory, PartnerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(api_client, admin_user):
    return api_client(admin_user)


def assert_error(response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["status"] == status
    assert {"code", "message", "fields"} <= error.keys()
    if field:
        assert field in error["fields"], error
    return error


@pytest.mark.parametrize("value", ["2024-02-30", "0000-00-00", "2024-13-01"])
def test_impossible_date_filter_is_a_422_not_a_server_error(api, value):
    response = api.get("/api/v1/certifications", {"expires_before": value})
    assert_error(response, 422, "expires_before")


def test_date_filters_still_filter(api):
    soon = CertificationFactory(expires_on="2030-01-10")
    CertificationFactory(expires_on="2031-06-01")
    response = api.get(
        "/api/v1/certifications", {"expires_after": "2030-01-01", "expires_before": "2030-12-31"}
    )
    assert response.status_code == 200
    assert [c["id"] for c in response.json()["items"]] == [soon.pk]


def test_impossible_date_filter_on_the_page_is_reported_not_a_server_error(
    client, outsourcing_user
):
    client.force_login(outsourcing_user)
    response = client.get("/partners/certifications/", {"expires_before": "2024-02-30"})
    assert response.status_code == 200
    assert "expires_before" in response.context["list"].filter_errors


def test_huge_page_number_is_a_422_not_a_server_error(api):
    assert_error(api.get("/api/v1/certifications", {"page": 10**18}), 422, "page")
    assert api.get("/api/v1/partners", {"page": 5}).status_code == 200


def test_null_for_a_required_column_in_a_patch_is_a_field_error(api):
    partner = PartnerFactory()
    certification = CertificationFactory(partner=partner)
    response = api.patch(
        f"/api/v1/partners/{partner.pk}", {"tax_id": None}, content_type="application/json"
    )
    assert_error(response, 422, "tax_id")
    response = api.patch(
        f"/api/v1/certifications/{certification.pk}",
        {"certificate_number": None},
        content_type="application/json",
    )
    assert_error(response, 422, "certificate_number")


def test_null_still_clears_a_nullable_column(api, admin_user):
    document = PartnerDocumentFactory(valid_from="2024-01-01", uploaded_by=admin_user)
    response = api.patch(
        f"/api/v1/documents/{document.pk}", {"valid_from": None}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["valid_from"] is None


def test_nul_character_is_a_field_error_not_a_database_error(api):
    body = {"code": "NUL-1", "legal_name": "Bad\x00Name", "kind": "supplier", "country": "CN"}
    response = api.post("/api/v1/partners", body, content_type="application/json")
    assert_error(response, 422, "legal_name")
    assert_error(api.get("/api/v1/partners", {"q": "a\x00"}), 422, "q")


def test_nul_character_in_a_page_filter_is_refused(client, outsourcing_user):
    client.force_login(outsourcing_user)
    response = client.get("/partners/", {"q": "a\x00"})
    assert response.status_code == 400


def test_url_matching_no_route_answers_in_the_error_shape(api):
    error = assert_error(api.get("/api/v1/partners/not-a-number"), 404)
    assert error["code"] == "not_found"
    assert_error(api.get("/api/v1/no-such-thing"), 404)


def test_method_not_allowed_answers_in_the_error_shape(api):
    response = api.put("/api/v1/me")
    error = assert_error(response, 405)
    assert error["code"] == "method_not_allowed"
    assert "GET" in response["Allow"]


def test_pages_outside_the_api_keep_their_html_errors(client, outsourcing_user):
    client.force_login(outsourcing_user)
    response = client.get("/partners/999999/")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


def test_a_shift_start_with_a_utc_offset_is_a_field_error_not_a_server_error(api):
    # (A number is read as seconds after midnight UTC: a time with an offset.)
    for start_time in (0, "06:00+08:00"):
        body = {"code": "S0", "name": "Early", "start_time": start_time, "hours": 8}
        response = api.post("/api/v1/regrind/shifts", body, content_type="application/json")
        assert_error(response, 422, "start_time")
    body = {"code": "S0", "name": "Early", "start_time": "06:00", "hours": 8}
    shift = api.post("/api/v1/regrind/shifts", body, content_type="application/json").json()
    response = api.patch(
        f"/api/v1/regrind/shifts/{shift['id']}",
        {"start_time": "07:00Z"},
        content_type="application/json",
    )
    assert_error(response, 422, "start_time")


def test_a_ranking_month_out_of_range_is_a_field_error_not_a_server_error(api):
    body = {"month": "1000-01", "min_readings": 1}
    response = api.post("/api/v1/regrind/rankings", body, content_type="application/json")
    assert_error(response, 422, "month")
