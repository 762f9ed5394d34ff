"""The partners API: writes with the single error shape, lists with pagination, filters and sort,
document upload and download."""

import datetime
import hashlib

import pytest

from partnerdesk.partners.models import Partner, PartnerDocument, PartnerStatusChange
from tests.factories import (
    PDF,
    CertificationFactory,
    PartnerCategoryFactory,
    PartnerContactFactory,
    PartnerDocumentFactory,
    PartnerFactory,
)
from tests.support import assert_error, audit_rows, stored_files, upload

pytestmark = pytest.mark.django_db

NEW_PARTNER = {
    "code": "cmo-api",
    "legal_name": "API Moulding Ltd.",
    "kind": "contract_manufacturer",
    "country": "CN",
    "categories": ["Assembly"],
}


@pytest.fixture
def api(api_client, outsourcing_user):
    return api_client(outsourcing_user)


def codes(response) -> list[str]:
    return [item["code"] for item in response.json()["items"]]


# --- partners: writes ------------------------------------------------------------------------


def test_create_partner(api):
    response = api.post("/api/v1/partners", NEW_PARTNER, content_type="application/json")

    assert response.status_code == 201
    body = response.json()
    partner = Partner.objects.get()
    assert body == {
        "id": partner.pk,
        "code": "CMO-API",
        "legal_name": "API Moulding Ltd.",
        "kind": "contract_manufacturer",
        "status": "prospect",
        "country": "CN",
        "currency": "CNY",
        "tax_id": "",
        "website": "",
        "categories": ["Assembly"],
        "capabilities": [],
        "notes": "",
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }


def test_create_partner_with_bad_fields_answers_422_with_fields(api):
    # Given a body with a malformed code, an unknown kind and no legal name
    payload = {"code": "-x", "kind": "pirate", "country": "CN"}

    # When it is posted
    response = api.post("/api/v1/partners", payload, content_type="application/json")

    # Then every field is named in the error shape and nothing is stored
    assert_error(
        response,
        422,
        "validation_error",
        {
            "code": ["String should match pattern '^[A-Za-z0-9][A-Za-z0-9-]{1,19}$'"],
            "legal_name": ["Field required"],
            "kind": [
                "Input should be 'contract_manufacturer', 'material_supplier', "
                "'service_provider', 'logistics' or 'other'"
            ],
        },
    )
    assert Partner.objects.count() == 0


def test_create_partner_with_an_unknown_country_answers_422_from_the_model(api):
    response = api.post(
        "/api/v1/partners", {**NEW_PARTNER, "country": "XX"}, content_type="application/json"
    )

    error = assert_error(
        response, 422, "validation_error", {"country": ["Value 'XX' is not a valid choice."]}
    )
    assert error["message"] == "country: Value 'XX' is not a valid choice."
    assert Partner.objects.count() == 0


def test_create_partner_with_a_taken_code_answers_409(api):
    PartnerFactory(code="CMO-API")

    response = api.post("/api/v1/partners", NEW_PARTNER, content_type="application/json")

    assert_error(response, 409, "conflict", {"code": ["Partner with this Code already exists."]})
    assert Partner.objects.count() == 1


def test_create_partner_without_the_permission_answers_403(api_client, make_user):
    response = api_client(make_user("finance")).post(
        "/api/v1/partners", NEW_PARTNER, content_type="application/json"
    )

    error = assert_error(response, 403, "forbidden", {})
    assert error["message"] == "You are not allowed to do this (needs partners.add_partner)."
    assert Partner.objects.count() == 0


def test_patch_partner_changes_only_the_fields_sent(api):
    partner = PartnerFactory(code="CMO-1", legal_name="Old Ltd.", notes="Keep me.")

    response = api.patch(
        f"/api/v1/partners/{partner.pk}",
        {"legal_name": "New Ltd."},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json()["legal_name"] == "New Ltd."
    partner.refresh_from_db()
    assert (partner.legal_name, partner.notes) == ("New Ltd.", "Keep me.")
    assert audit_rows(partner)[-1].changes == {"legal_name": ["Old Ltd.", "New Ltd."]}


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"legal_name": ""}, {"legal_name": ["String should have at least 1 character"]}),
        ({"currency": "EURO"}, {"currency": ["String should have at most 3 characters"]}),
        ({"website": "not a url"}, {"website": ["Enter a valid URL."]}),
    ],
)
def test_patch_partner_with_bad_fields_answers_422_and_changes_nothing(api, payload, fields):
    partner = PartnerFactory(legal_name="Kept Ltd.", website="")

    response = api.patch(f"/api/v1/partners/{partner.pk}", payload, content_type="application/json")

    assert_error(response, 422, "validation_error", fields)
    partner.refresh_from_db()
    assert (partner.legal_name, partner.website, partner.currency) == ("Kept Ltd.", "", "CNY")


def test_patch_partner_to_a_taken_code_answers_409_and_changes_nothing(api):
    PartnerFactory(code="CMO-1")
    partner = PartnerFactory(code="CMO-2")

    response = api.patch(
        f"/api/v1/partners/{partner.pk}", {"code": "CMO-1"}, content_type="application/json"
    )

    assert_error(response, 409, "conflict", {"code": ["Partner with this Code already exists."]})
    partner.refresh_from_db()
    assert partner.code == "CMO-2"


def test_delete_partner(api_client, admin_user):
    partner = PartnerFactory()
    client = api_client(admin_user)

    response = client.delete(f"/api/v1/partners/{partner.pk}")

    assert response.status_code == 204
    assert not Partner.objects.filter(pk=partner.pk).exists()
    assert_error(client.get(f"/api/v1/partners/{partner.pk}"), 404, "not_found", {})


def test_delete_partner_with_users_answers_409(api_client, admin_user, make_user):
    partner = PartnerFactory()
    make_user("partner", partner=partner)

    response = api_client(admin_user).delete(f"/api/v1/partners/{partner.pk}")

    assert_error(response, 409, "conflict", {})
    assert Partner.objects.filter(pk=partner.pk).exists()


def test_status_change(api):
    partner = PartnerFactory(status="active")

    response = api.post(
        f"/api/v1/partners/{partner.pk}/status",
        {"to_status": "suspended", "reason": "Two rejected lots."},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json()["status"] == "suspended"
    assert PartnerStatusChange.objects.get().reason == "Two rejected lots."


def test_disallowed_status_change_answers_409_naming_the_allowed_ones(api):
    partner = PartnerFactory(status="prospect")

    response = api.post(
        f"/api/v1/partners/{partner.pk}/status",
        {"to_status": "active", "reason": "Skip qualification."},
        content_type="application/json",
    )

    message = "The partner is Prospect and cannot become Active. Allowed: Qualified, Terminated."
    error = assert_error(response, 409, "conflict", {"to_status": [message]})
    assert error["message"] == message
    partner.refresh_from_db()
    assert partner.status == "prospect"
    assert PartnerStatusChange.objects.count() == 0


def test_status_change_without_a_reason_answers_422(api):
    partner = PartnerFactory(status="active")

    response = api.post(
        f"/api/v1/partners/{partner.pk}/status",
        {"to_status": "suspended", "reason": ""},
        content_type="application/json",
    )

    assert_error(
        response, 422, "validation_error", {"reason": ["String should have at least 1 character"]}
    )
    partner.refresh_from_db()
    assert partner.status == "active"


def test_partner_history(api, outsourcing_user):
    partner = PartnerFactory(legal_name="Old Ltd.")
    api.patch(
        f"/api/v1/partners/{partner.pk}",
        {"legal_name": "New Ltd."},
        content_type="application/json",
    )

    response = api.get(f"/api/v1/partners/{partner.pk}/history")

    assert response.status_code == 200
    [entry] = response.json()
    assert entry["action"] == "update"
    assert entry["changes"] == {"legal_name": ["Old Ltd.", "New Ltd."]}
    assert entry["actor"] == str(outsourcing_user)


# --- partners: lists -------------------------------------------------------------------------


def test_partner_list_is_paginated_with_count_and_items(api):
    for n in range(1, 31):
        PartnerFactory(code=f"P-{n:02d}")

    first = api.get("/api/v1/partners")
    page = api.get("/api/v1/partners?page=2&page_size=10")

    assert first.json()["count"] == 30
    assert codes(first) == [f"P-{n:02d}" for n in range(1, 31)]
    assert set(page.json()) == {"count", "items"}
    assert page.json()["count"] == 30
    assert codes(page) == [f"P-{n:02d}" for n in range(11, 21)]


def test_partner_list_filters(api):
    resin = PartnerCategoryFactory(name="Resin")
    a = PartnerFactory(
        code="CMO-A", legal_name="Alpha Ltd.", status="active", country="CN", tax_id="T-777"
    )
    a.categories.add(resin)
    PartnerFactory(code="CMO-B", legal_name="Beta Ltd.", status="suspended", country="CN")
    PartnerFactory(code="LOG-C", legal_name="Gamma Ltd.", kind="logistics", country="VN")

    def get(query: str) -> list[str]:
        response = api.get(f"/api/v1/partners?{query}")
        assert response.status_code == 200, response.content
        return codes(response)

    assert get("status=suspended") == ["CMO-B"]
    assert get("kind=logistics") == ["LOG-C"]
    assert get("country=vn") == ["LOG-C"]
    assert get(f"category={resin.pk}") == ["CMO-A"]
    assert get("q=beta") == ["CMO-B"]
    assert get("q=t-777") == ["CMO-A"]
    assert get("q=cmo&country=CN&status=active") == ["CMO-A"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("code", ["A-1", "B-2", "C-3"]),
        ("-code", ["C-3", "B-2", "A-1"]),
        ("name", ["C-3", "A-1", "B-2"]),
        ("-name", ["B-2", "A-1", "C-3"]),
        ("no-such-column", ["A-1", "B-2", "C-3"]),
    ],
)
def test_partner_list_sort(api, sort, expected):
    PartnerFactory(code="B-2", legal_name="Zeta")
    PartnerFactory(code="A-1", legal_name="Mu")
    PartnerFactory(code="C-3", legal_name="Alpha")

    assert codes(api.get(f"/api/v1/partners?sort={sort}")) == expected


def test_partner_list_with_an_invalid_filter_answers_422(api):
    response = api.get("/api/v1/partners?status=retired&category=0")

    error = assert_error(response, 422, "validation_error")
    assert set(error["fields"]) == {"status", "category"}


def test_contact_list_filters_and_sorts(api):
    a, b = PartnerFactory(code="A-1"), PartnerFactory(code="B-1")
    PartnerContactFactory(partner=a, name="Zhou", role="quality")
    PartnerContactFactory(partner=a, name="Chen", role="finance")
    PartnerContactFactory(partner=b, name="Lin", role="quality")

    def names(query):
        return [c["name"] for c in api.get(f"/api/v1/contacts?{query}").json()["items"]]

    assert names("") == ["Chen", "Lin", "Zhou"]
    assert names(f"partner={a.pk}") == ["Chen", "Zhou"]
    assert names("role=quality&sort=-name") == ["Zhou", "Lin"]
    assert names("q=b-1") == ["Lin"]


def test_certification_list_filters_by_expiry(api):
    today = datetime.date(2026, 1, 10)
    for n, offset in enumerate([10, 50, 100]):
        CertificationFactory(
            certificate_number=f"C-{n}", expires_on=today + datetime.timedelta(days=offset)
        )

    def numbers(query):
        items = api.get(f"/api/v1/certifications?{query}").json()["items"]
        return [c["certificate_number"] for c in items]

    assert numbers("") == ["C-0", "C-1", "C-2"]
    assert numbers("expires_before=2026-03-01") == ["C-0", "C-1"]
    assert numbers("expires_after=2026-01-21&expires_before=2026-03-01") == ["C-1"]
    assert numbers("sort=-expires") == ["C-2", "C-1", "C-0"]
    assert_error(api.get("/api/v1/certifications?expires_before=soon"), 422, "validation_error")


# --- documents -------------------------------------------------------------------------------


def test_document_upload_and_download(api, settings):
    # Given a partner
    partner = PartnerFactory()

    # When a PDF is uploaded as multipart
    response = api.post(
        f"/api/v1/partners/{partner.pk}/documents",
        {
            "document_type": "contract",
            "title": "Supply agreement",
            "valid_until": "2027-12-31",
            "file": upload("agreement.pdf", PDF),
        },
    )

    # Then it is stored and described
    assert response.status_code == 201, response.content
    body = response.json()
    document = PartnerDocument.objects.get()
    assert body == {
        "id": document.pk,
        "partner_id": partner.pk,
        "document_type": "contract",
        "title": "Supply agreement",
        "original_name": "agreement.pdf",
        "content_type": "application/pdf",
        "size": len(PDF),
        "sha256": hashlib.sha256(PDF).hexdigest(),
        "valid_from": None,
        "valid_until": "2027-12-31",
        "confidential": False,
        "created_at": body["created_at"],
    }

    # and the download returns the same bytes as an attachment
    download = api.get(f"/api/v1/documents/{document.pk}/download")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="agreement.pdf"'


def test_document_upload_of_a_bad_file_answers_422_and_stores_nothing(api, settings):
    partner = PartnerFactory()

    response = api.post(
        f"/api/v1/partners/{partner.pk}/documents",
        {"document_type": "contract", "file": upload("agreement.pdf", b"plain text")},
    )

    assert_error(
        response, 422, "validation_error", {"file": ["The file's content is not a .pdf file."]}
    )
    assert PartnerDocument.objects.count() == 0
    assert stored_files(settings.MEDIA_ROOT) == []


def test_document_upload_without_a_file_answers_422(api):
    partner = PartnerFactory()

    response = api.post(f"/api/v1/partners/{partner.pk}/documents", {"document_type": "contract"})

    assert_error(response, 422, "validation_error", {"file": ["Field required"]})


def test_document_list_filters(api):
    partner = PartnerFactory()
    PartnerDocumentFactory(partner=partner, title="Supply agreement", document_type="contract")
    PartnerDocumentFactory(title="NDA", document_type="nda")

    def titles(query):
        return [d["title"] for d in api.get(f"/api/v1/documents?{query}").json()["items"]]

    assert titles("sort=title") == ["NDA", "Supply agreement"]
    assert titles("document_type=nda") == ["NDA"]
    assert titles(f"partner={partner.pk}") == ["Supply agreement"]
    assert titles("q=supply") == ["Supply agreement"]


def test_me(api_client, make_user):
    partner = PartnerFactory()
    user = make_user("partner", partner=partner, username="huang.lei", first_name="Huang")
    user.last_name = "Lei"
    user.save()

    response = api_client(user).get("/api/v1/me")

    assert response.json() == {
        "id": user.pk,
        "username": "huang.lei",
        "full_name": "Huang Lei",
        "email": "huang.lei@example.com",
        "partner_id": partner.pk,
        "roles": ["partner"],
    }
