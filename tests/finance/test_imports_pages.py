"""The document import pages (upload → columns → preview → apply) and the API endpoint."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from partnerdesk.finance.models import DocumentImport, PurchaseOrder, SupplierInvoice
from partnerdesk.finance.services.import_files import prune_stashed_uploads
from tests.factories import PartnerFactory
from tests.finance.test_imports import INV_HEADER, INV_ROWS, PO_HEADER, PO_ROWS

pytestmark = pytest.mark.django_db

URL = "/finance/imports/"


@pytest.fixture
def buyer(make_user, client):
    user = make_user("outsourcing", username="buyer")
    client.force_login(user)
    return user


@pytest.fixture
def partners():
    from partnerdesk.finance.models import ItemCategory

    ItemCategory.objects.create(code="RESIN", name="Resin")
    return PartnerFactory(code="CMO-A", tax_id="TAX-A"), PartnerFactory(code="CMO-B")


def hidden(html: str) -> dict[str, str]:
    import re

    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html))


def test_the_url_is_named():
    assert reverse("finance:document_import") == URL


def test_upload_preview_apply(client, buyer, partners):
    # Upload: the headers name every field, so the preview comes at once
    page = client.post(
        URL,
        {
            "step": "upload",
            "import_kind": "purchase_orders",
            "file": SimpleUploadedFile("orders.csv", (PO_HEADER + PO_ROWS).encode()),
        },
    )
    html = page.content.decode()
    assert page.status_code == 200 and "Preview" in html
    assert "No errors" in html and "HOUSING-A" in html
    fields = hidden(html)
    assert fields["import_kind"] == "purchase_orders" and fields["col_quantity"] == "quantity"
    assert not PurchaseOrder.objects.exists()

    # Apply
    done = client.post(URL, {**fields, "step": "apply"})
    assert done.status_code == 302 and done["Location"] == reverse("finance:orders")
    assert PurchaseOrder.objects.count() == 2
    assert DocumentImport.objects.get().uploaded_by == buyer

    # The same file again: the preview says so, and applying changes nothing
    again = client.post(
        URL,
        {
            "step": "upload",
            "import_kind": "purchase_orders",
            "file": SimpleUploadedFile("orders.csv", (PO_HEADER + PO_ROWS).encode()),
        },
    )
    assert "already imported on" in again.content.decode()
    page = client.get(URL)
    assert "orders.csv" in page.content.decode()  # the recent imports


def test_renamed_columns_are_mapped_then_previewed_with_row_errors(client, buyer, partners):
    text = (
        "Lieferant;Bestellung;Datum;Währung;Artikel;Menge;Preis\nCMO-A;PO-1;2026-10-01;CNY;X;-4;1\n"
    )
    page = client.post(
        URL,
        {
            "step": "upload",
            "import_kind": "purchase_orders",
            "file": SimpleUploadedFile("bestellung.csv", text.encode()),
        },
    )
    html = page.content.decode()
    assert "Which column holds what?" in html
    assert "No column holds “partner”" in html
    fields = hidden(html)

    preview = client.post(
        URL,
        {
            **fields,
            "step": "map",
            "col_partner": "Lieferant",
            "col_order_number": "Bestellung",
            "col_order_date": "Datum",
            "col_currency": "Währung",
            "col_item": "Artikel",
            "col_quantity": "Menge",
            "col_unit_price": "Preis",
        },
    )
    html = preview.content.decode()
    assert "Row 2, column F “Menge”: “-4” is negative; it must not be." in html
    assert "Nothing was imported" in html
    fields = hidden(html)
    assert fields["col_quantity"] == "Menge" and fields["col_line_no"] == ""
    # Applying anyway (a crafted post) is refused with the same errors and writes nothing
    refused = client.post(URL, {**fields, "step": "apply"})
    assert "“-4” is negative" in refused.content.decode()
    assert not PurchaseOrder.objects.exists()
    # The columns can be changed again
    remap = client.post(URL, {**fields, "step": "remap"})
    assert "Which column holds what?" in remap.content.decode()


def test_a_file_that_is_not_a_spreadsheet_is_refused_on_the_upload_form(client, buyer):
    page = client.post(
        URL,
        {
            "step": "upload",
            "import_kind": "receipts",
            "file": SimpleUploadedFile("scan.pdf", b"%PDF-1.4"),
        },
    )
    assert page.status_code == 200
    assert "“scan.pdf” is not a spreadsheet" in page.content.decode()


def test_a_lost_stash_sends_back_to_the_upload(client, buyer):
    page = client.post(
        URL,
        {"step": "apply", "import_kind": "receipts", "token": "0" * 32, "extension": ".csv"},
    )
    assert page.status_code == 302 and page["Location"] == URL


def test_the_kinds_offered_follow_the_permissions(client, make_user):
    client.force_login(make_user("finance"))
    html = client.get(URL).content.decode()
    assert 'value="invoices"' in html and 'value="purchase_orders"' not in html
    client.force_login(make_user("quality"))
    assert client.get(URL).status_code == 404


def test_abandoned_uploads_are_pruned(client, buyer, partners, settings):
    client.post(
        URL,
        {
            "step": "upload",
            "import_kind": "purchase_orders",
            "file": SimpleUploadedFile("orders.csv", (PO_HEADER + PO_ROWS).encode()),
        },
    )
    assert prune_stashed_uploads(hours=24) == 0
    assert prune_stashed_uploads(hours=-1) == 1


# --- API ----------------------------------------------------------------------------------------


def test_api_dry_run_then_import_then_again(api_client, make_user, partners):
    from tests.finance.test_imports import upload

    user = make_user("outsourcing")
    client = api_client(user)
    PO = "/api/v1/document-imports"

    dry = client.post(
        PO, {"kind": "purchase_orders", "dry_run": "true", "file": upload(PO_HEADER + PO_ROWS)}
    )
    assert dry.status_code == 200, dry.content
    body = dry.json()
    assert (body["dry_run"], body["rows"], body["created"], body["error_count"]) == (
        True,
        3,
        3,
        0,
    )
    assert not PurchaseOrder.objects.exists()

    done = client.post(PO, {"kind": "purchase_orders", "file": upload(PO_HEADER + PO_ROWS)})
    assert done.status_code == 201, done.content
    assert done.json()["import_id"] == DocumentImport.objects.get().pk

    again = client.post(PO, {"kind": "purchase_orders", "file": upload(PO_HEADER + PO_ROWS)})
    assert again.status_code == 200
    assert "already imported" in again.json()["already_imported"]
    assert PurchaseOrder.objects.count() == 2


def test_api_row_errors_and_mapping(api_client, make_user, partners):
    from tests.finance.test_imports import upload

    client = api_client(make_user("finance"))
    text = INV_HEADER.replace("quantity", "Menge") + INV_ROWS.replace("CMO-A", "CMO-Z", 1)
    mapping = json.dumps({"quantity": "Menge"})

    dry = client.post(
        "/api/v1/document-imports",
        {"kind": "invoices", "dry_run": "true", "mapping": mapping, "file": upload(text)},
    )
    body = dry.json()
    # the quantity is read through the mapping; the partner and the orders are unknown
    assert [e["text"] for e in body["errors"]] == [
        "Row 2, column A “partner”: Unknown partner “CMO-Z”.",
        "Row 2, column K “order_number”: Unknown order “PO-1”.",
        "Row 3, column K “order_number”: Unknown order “PO-1”.",
    ]
    assert body["errors"][0] == {
        "row": 2,
        "column": "partner",
        "field": "partner",
        "message": "Unknown partner “CMO-Z”.",
        "text": "Row 2, column A “partner”: Unknown partner “CMO-Z”.",
    }

    refused = client.post(
        "/api/v1/document-imports", {"kind": "invoices", "mapping": mapping, "file": upload(text)}
    )
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["message"] == "The file has 3 errors; nothing was imported."
    assert error["fields"]["rows.2.partner"] == [
        "Row 2, column A “partner”: Unknown partner “CMO-Z”."
    ]
    assert not SupplierInvoice.objects.exists()

    bad_mapping = client.post(
        "/api/v1/document-imports", {"kind": "invoices", "mapping": "[1]", "file": upload(text)}
    )
    assert bad_mapping.status_code == 422 and "mapping" in bad_mapping.json()["error"]["fields"]
    not_a_sheet = client.post(
        "/api/v1/document-imports",
        {"kind": "invoices", "file": SimpleUploadedFile("x.png", b"\x89PNG\r\n")},
    )
    assert not_a_sheet.status_code == 422 and "file" in not_a_sheet.json()["error"]["fields"]
