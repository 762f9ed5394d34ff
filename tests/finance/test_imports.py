"""Importing purchase orders, receipts and invoices from CSV and XLSX files: row errors with
their row and column, all or nothing, idempotent re-imports, column mapping, bulk reviews."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from partnerdesk.audit.models import AuditEntry
from partnerdesk.core.errors import Forbidden, InvalidInput
from partnerdesk.finance.models import (
    DocumentImport,
    DocumentReview,
    GoodsReceipt,
    GoodsReceiptLine,
    ItemCategory,
    PurchaseOrder,
    PurchaseOrderLine,
    ReviewCheck,
    SupplierInvoice,
    SupplierInvoiceLine,
)
from partnerdesk.finance.services.imports import (
    ImportRefused,
    check_import,
    import_documents,
)
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db

PO_HEADER = (
    "partner,order_number,order_date,currency,match_mode,line_no,item,category,quantity,unit,"
    "unit_price,promised_date\n"
)
PO_ROWS = (
    "CMO-A,PO-1,2026-10-01,CNY,3way,1,HOUSING-A,RESIN,1000,pcs,2.5000,2026-10-20\n"
    "CMO-A,PO-1,2026-10-01,CNY,3way,2,COVER-B,,500,pcs,1.2,\n"
    "CMO-B,PO-2,2026-10-02,USD,2way,1,TRAY,,10,box,7.25,\n"
)
RC_HEADER = "partner,delivery_note,received_on,order_number,order_line,quantity_received\n"
INV_HEADER = (
    "partner,invoice_number,invoice_date,due_date,currency,net_total,tax_total,gross_total,"
    "tax_id,bank_account,order_number,order_line,quantity,unit_price,amount,tax_rate,tax_amount\n"
)
INV_ROWS = (
    "CMO-A,INV-1,2026-10-05,2026-11-05,CNY,3100.00,403.00,3503.00,TAX-A,6222 1111,"
    "PO-1,1,1000,2.5,2500.00,13,325.00\n"
    "CMO-A,INV-1,2026-10-05,2026-11-05,CNY,3100.00,403.00,3503.00,TAX-A,6222 1111,"
    "PO-1,2,500,1.2,600.00,13,78.00\n"
)


def upload(text: str, name: str = "lines.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"))


@pytest.fixture
def buyer(make_user):
    return make_user("outsourcing", username="buyer")


@pytest.fixture
def accountant(make_user):
    return make_user("finance", username="accountant")


@pytest.fixture
def partners():
    ItemCategory.objects.create(code="RESIN", name="Resin")
    return (
        PartnerFactory(code="CMO-A", tax_id="TAX-A"),
        PartnerFactory(code="CMO-B"),
    )


@pytest.fixture
def orders(buyer, partners):
    import_documents(user=buyer, uploaded=upload(PO_HEADER + PO_ROWS), kind="purchase_orders")
    return partners


def messages(exc_info) -> list[str]:
    return [str(e) for e in exc_info.value.report.errors]


# --- purchase orders ---------------------------------------------------------------------------


def test_orders_are_imported_with_lines_audit_and_a_record(buyer, partners):
    report = import_documents(
        user=buyer, uploaded=upload(PO_HEADER + PO_ROWS), kind="purchase_orders"
    )

    assert (report.rows, report.created, report.unchanged, report.documents) == (3, 3, 0, 2)
    po1 = PurchaseOrder.objects.get(number="PO-1")
    assert (po1.partner, po1.currency, po1.match_mode, str(po1.order_date)) == (
        partners[0],
        "CNY",
        "3way",
        "2026-10-01",
    )
    lines = list(po1.lines.values_list("line_no", "item", "category__code", "quantity"))
    assert [(n, i, c, str(q)) for n, i, c, q in lines] == [
        (1, "HOUSING-A", "RESIN", "1000.000"),
        (2, "COVER-B", None, "500.000"),
    ]
    assert PurchaseOrderLine.objects.count() == 3
    audit = AuditEntry.objects.filter(content_type__model="purchaseorder", action="create")
    assert sorted(audit.values_list("object_repr", flat=True)) == ["PO-1", "PO-2"]
    assert audit.get(object_repr="PO-1").changes["currency"] == [None, "CNY"]
    record = DocumentImport.objects.get()
    assert (record.kind, record.rows, record.created, record.uploaded_by) == (
        "purchase_orders",
        3,
        3,
        buyer,
    )
    assert record.mapping["quantity"] == "quantity"


def test_the_same_file_again_changes_nothing_and_says_when(buyer, partners):
    import_documents(user=buyer, uploaded=upload(PO_HEADER + PO_ROWS), kind="purchase_orders")

    again = import_documents(
        user=buyer, uploaded=upload(PO_HEADER + PO_ROWS), kind="purchase_orders"
    )

    assert again.already is not None and not again.applied
    assert "already imported on" in again.already_text and str(buyer) in again.already_text
    assert PurchaseOrder.objects.count() == 2 and DocumentImport.objects.count() == 1


def test_existing_identical_documents_are_unchanged_and_new_ones_created(buyer, partners):
    import_documents(user=buyer, uploaded=upload(PO_HEADER + PO_ROWS), kind="purchase_orders")
    more = PO_ROWS + "CMO-B,PO-3,2026-10-03,USD,,1,LID,,5,pcs,1,\n"

    report = import_documents(user=buyer, uploaded=upload(PO_HEADER + more), kind="purchase_orders")

    assert (report.created, report.unchanged, report.documents, report.documents_unchanged) == (
        1,
        3,
        1,
        2,
    )
    assert PurchaseOrder.objects.count() == 3
    assert PurchaseOrder.objects.get(number="PO-3").match_mode == "3way"


def test_a_conflicting_existing_order_is_a_row_error(buyer, partners):
    import_documents(user=buyer, uploaded=upload(PO_HEADER + PO_ROWS), kind="purchase_orders")
    changed = PO_ROWS.replace("COVER-B,,500", "COVER-B,,600")

    with pytest.raises(ImportRefused) as refused:
        import_documents(user=buyer, uploaded=upload(PO_HEADER + changed), kind="purchase_orders")

    assert messages(refused) == [
        "Row 3, column I “quantity”: PO-1 line 2 is recorded with “500”; the file says “600”."
    ]


# --- receipts ----------------------------------------------------------------------------------


def test_receipts_are_imported_against_the_partners_order_lines(buyer, orders):
    rows = "CMO-A,DN-1,2026-10-08,PO-1,1,1000\nCMO-A,DN-1,2026-10-08,PO-1,2,400\n"

    report = import_documents(user=buyer, uploaded=upload(RC_HEADER + rows), kind="receipts")

    assert (report.created, report.documents) == (2, 1)
    receipt = GoodsReceipt.objects.get()
    assert (receipt.number, receipt.partner) == ("DN-1", orders[0])
    assert list(
        GoodsReceiptLine.objects.values_list(
            "line_no", "order_line__order__number", "order_line__line_no", "quantity_received"
        )
    ) == [(1, "PO-1", 1, 1000), (2, "PO-1", 2, 400)]
    # Imported again (another file, the same rows): unchanged
    again = import_documents(
        user=buyer, uploaded=upload(RC_HEADER + rows + "\n", "again.csv"), kind="receipts"
    )
    assert (again.created, again.unchanged) == (0, 2)


def test_receipt_rows_name_unknown_and_foreign_orders(buyer, orders):
    rows = (
        "CMO-A,DN-1,2026-10-08,PO-9,1,10\n"  # row 2: no such order
        "CMO-A,DN-1,2026-10-08,PO-1,7,10\n"  # row 3: no such line
        "CMO-A,DN-1,2026-10-08,PO-2,1,10\n"  # row 4: PO-2 is CMO-B's
        "CMO-A,DN-1,2026-10-08,PO-1,1,-5\n"  # row 5: negative
        "CMO-A,DN-1,2026-10-08,PO-1,2,0\n"  # row 6: zero
    )

    with pytest.raises(ImportRefused) as refused:
        import_documents(user=buyer, uploaded=upload(RC_HEADER + rows), kind="receipts")

    assert messages(refused) == [
        "Row 2, column D “order_number”: Unknown order “PO-9”.",
        "Row 3, column E “order_line”: Order PO-1 has no line 7.",
        "Row 4, column D “order_number”: Order PO-2 is not an order of partner CMO-A.",
        "Row 5, column F “quantity_received”: “-5” is negative; it must not be.",
        "Row 6, column F “quantity_received”: Must be more than zero.",
    ]
    assert not GoodsReceipt.objects.exists()


# --- invoices ----------------------------------------------------------------------------------


def test_invoices_are_imported_reviewed_and_matched(accountant, orders):
    report = import_documents(
        user=accountant, uploaded=upload(INV_HEADER + INV_ROWS), kind="invoices"
    )

    assert (report.created, report.documents, report.invoices_matched) == (2, 1, 1)
    invoice = SupplierInvoice.objects.get()
    assert (invoice.number, invoice.number_key, invoice.kind, str(invoice.gross_total)) == (
        "INV-1",
        "INV1",
        "invoice",
        "3503.00",
    )
    assert invoice.matched_at is not None
    assert invoice.payment_status == "blocked"  # nothing received yet; manual items open
    assert list(invoice.lines.values_list("order_reference", flat=True)) == ["PO-1/1", "PO-1/2"]
    review = DocumentReview.objects.get(invoice=invoice)
    outcomes = dict(
        review.checks.values_list("item__auto_check", "outcome").exclude(item__auto_check="")
    )
    assert outcomes == {
        "po_open": "passed",
        "tax_id": "passed",
        "bank_account": "passed",
        "arithmetic": "passed",
    }
    assert invoice.exceptions.filter(type="missing_receipt").exists()


def test_a_large_invoice_file_is_checked_by_the_worker(
    accountant, orders, settings, django_capture_on_commit_callbacks
):
    from partnerdesk.finance.selectors import payment_reasons
    from partnerdesk.finance.tasks import check_new_invoices

    # Given a file with more new lines than are checked inside the import
    settings.FINANCE_IMPORT_INLINE_LINES = 1
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = import_documents(
            user=accountant, uploaded=upload(INV_HEADER + INV_ROWS), kind="invoices"
        )
    # Then the documents are in, unchecked, and the worker's job is queued after the commit
    assert (report.created, report.invoices_matched, report.invoices_deferred) == (2, 0, 1)
    invoice = SupplierInvoice.objects.get()
    assert (invoice.matched_at, invoice.payment_status) == (None, "unchecked")
    assert not DocumentReview.objects.exists()
    assert "not matched yet" in [r.text for r in payment_reasons(invoice)]
    assert len(callbacks) == 1
    # When the worker runs the job, the invoice is reviewed and matched, once
    assert check_new_invoices.call() == "1 documents checked, 1 invoices matched"
    invoice.refresh_from_db()
    assert invoice.matched_at is not None and invoice.payment_status == "blocked"
    assert DocumentReview.objects.filter(invoice=invoice).count() == 1
    assert invoice.exceptions.filter(type="missing_receipt").exists()
    assert check_new_invoices.call() == "nothing to check"


def test_bulk_reviews_answer_the_automatic_checks_as_review_start_does(accountant, orders):
    from partnerdesk.finance.services.reviews import run_automatic_checks

    rows = INV_ROWS + (
        # a second invoice: another bank account (a warning), wrong arithmetic, no tax id
        "CMO-A,INV-2,2026-10-06,2026-11-06,CNY,100.00,0.00,101.00,,9999 0000,"
        "PO-1,1,10,2.5,26.00,,\n"
        "CMO-A,INV-3,2026-10-07,2026-11-07,CNY,25.00,0.00,25.00,TAX-X,,,,10,2.5,25.00,,\n"
    )
    import_documents(user=accountant, uploaded=upload(INV_HEADER + rows), kind="invoices")

    bulk = {
        (c.review.invoice.number, c.item.auto_check): (c.outcome, c.detail, c.needs_second)
        for c in ReviewCheck.objects.exclude(item__auto_check="").select_related(
            "review__invoice", "item"
        )
    }
    for review in DocumentReview.objects.all():
        run_automatic_checks(review)
    again = {
        (c.review.invoice.number, c.item.auto_check): (c.outcome, c.detail, c.needs_second)
        for c in ReviewCheck.objects.exclude(item__auto_check="").select_related(
            "review__invoice", "item"
        )
    }
    assert bulk == again
    assert bulk[("INV-2", "bank_account")][0] == "warning"
    assert bulk[("INV-2", "arithmetic")] == (
        "failed",
        "line 1: 10.000 x 2.5000 = 25.00, invoiced 26.00; lines add up to 26.00, net total "
        "100.00; net 100.00 + tax 0.00 ≠ gross 101.00",
        False,
    )
    assert bulk[("INV-3", "po_open")] == ("failed", "no known order on line(s) 1", False)
    assert bulk[("INV-3", "tax_id")][0] == "failed"
    assert bulk[("INV-3", "bank_account")][0] == "failed"


def test_credit_notes_name_a_recorded_invoice(accountant, orders):
    import_documents(user=accountant, uploaded=upload(INV_HEADER + INV_ROWS), kind="invoices")
    header = (
        "partner,kind,invoice_number,invoice_date,due_date,currency,net_total,tax_total,"
        "gross_total,credits_invoice,quantity,unit_price,amount\n"
    )
    good = "CMO-A,credit note,CN-1,2026-10-09,2026-11-09,CNY,10.00,0,10.00,INV-1,1,10,10.00\n"
    bad = "CMO-A,credit_note,CN-2,2026-10-09,2026-11-09,CNY,10.00,0,10.00,INV-8,1,10,10.00\n"

    with pytest.raises(ImportRefused) as refused:
        import_documents(user=accountant, uploaded=upload(header + good + bad), kind="invoices")
    assert messages(refused) == [
        "Row 3, column J “credits_invoice”: No invoice INV-8 from partner CMO-A is recorded; "
        "import it first."
    ]

    import_documents(user=accountant, uploaded=upload(header + good), kind="invoices")
    note = SupplierInvoice.objects.get(number="CN-1")
    assert (note.kind, note.credits_invoice.number) == ("credit_note", "INV-1")
    assert note.review.checks.get(item__auto_check="credit_reference").outcome == "passed"


# --- bad input ---------------------------------------------------------------------------------


def test_wrong_numbers_dates_partners_and_headers_are_named_by_row_and_column(buyer, partners):
    rows = (
        "CMO-A,PO-1,2026-10-01,CNY,3way,1,HOUSING-A,,1000,pcs,2.5,\n"  # row 2: fine
        "CMO-A,PO-1,2026-10-01,CNY,3way,2,COVER,,1.000,pcs,abc,\n"  # row 3: price not a number
        "CMO-X,PO-5,01/10/2026,CNY,3way,1,X,,5,pcs,1,\n"  # row 4: partner, date
        "CMO-B,PO-6,2026-10-01,XYZ,5way,1,X,NOPE,5,pcs,1,2026-13-01\n"  # row 5: several
        "CMO-A,PO-1,2026-10-02,CNY,3way,3,Y,,1,pcs,1.23456,\n"  # row 6: date differs; 5 places
        "CMO-A,PO-1,2026-10-01,CNY,3way,1,Z,,1,pcs,1,\n"  # row 7: line 1 again
        'CMO-B,PO-7,2026-10-01,CNY,3way,1,Z,,"1,5",pcs,1,\n'  # row 8: decimal comma
    )

    with pytest.raises(ImportRefused) as refused:
        import_documents(user=buyer, uploaded=upload(PO_HEADER + rows), kind="purchase_orders")

    assert messages(refused) == [
        "Row 3, column K “unit_price”: “abc” is not a number; write it like 1234.56 (a point, no "
        "thousands separator).",
        "Row 4, column C “order_date”: “01/10/2026” is not a date written YYYY-MM-DD.",
        "Row 4, column A “partner”: Unknown partner “CMO-X”.",
        "Row 5, column D “currency”: Unknown currency “XYZ”.",
        "Row 5, column E “match_mode”: “5way”: choose 2way, 3way or 4way.",
        "Row 5, column L “promised_date”: “2026-13-01” is not a date written YYYY-MM-DD.",
        "Row 5, column H “category”: Unknown category “NOPE”.",
        "Row 6, column C “order_date”: “2026-10-02” differs from row 2 of the same document "
        "(“2026-10-01”).",
        "Row 6, column K “unit_price”: At most 4 decimal places.",
        "Row 7, column F “line_no”: Line 1 of PO-1 appears twice.",
        "Row 8, column I “quantity”: “1,5” is not a number; write it like 1234.56 (a point, no "
        "thousands separator).",
    ]
    assert refused.value.report.error_count == 11
    assert not PurchaseOrder.objects.exists() and not DocumentImport.objects.exists()


def test_one_bad_row_at_the_end_of_a_large_file_writes_nothing(buyer, partners, monkeypatch):
    monkeypatch.setattr("partnerdesk.finance.services.imports.CHUNK", 50)
    rows = "".join(f"CMO-A,PO-{n},2026-10-01,CNY,3way,1,ITEM,,5,pcs,1,\n" for n in range(1, 400))
    rows += "CMO-A,PO-400,2026-10-01,CNY,3way,1,ITEM,,-5,pcs,1,\n"

    with pytest.raises(ImportRefused) as refused:
        import_documents(user=buyer, uploaded=upload(PO_HEADER + rows), kind="purchase_orders")

    assert messages(refused) == ["Row 401, column I “quantity”: “-5” is negative; it must not be."]
    assert not PurchaseOrder.objects.exists()
    assert not PurchaseOrderLine.objects.exists()
    assert not AuditEntry.objects.filter(content_type__model="purchaseorder").exists()


def test_missing_columns_are_reported_at_the_header_row(buyer, partners):
    text = "partner,order_no,order_date,currency,item,qty\nCMO-A,PO-1,2026-10-01,CNY,X,1\n"

    report = check_import(user=buyer, uploaded=upload(text), kind="purchase_orders")

    assert [str(e) for e in report.errors] == [
        "Row 1, column “unit_price”: No column holds “unit_price” (Unit price); name or map one."
    ]
    assert report.mapping["order_number"] == "order_no"  # guessed from a synonym
    assert report.mapping["quantity"] == "qty"
    with pytest.raises(ImportRefused):
        import_documents(user=buyer, uploaded=upload(text), kind="purchase_orders")


def test_renamed_columns_are_read_through_a_mapping(buyer, partners):
    text = (
        "Lieferant;Bestellung;Datum;Währung;Artikel;Menge;Preis\n"
        "CMO-A;PO-1;2026-10-01;CNY;HOUSING;1000;2.5\n"
    )
    mapping = {
        "partner": "Lieferant",
        "order_number": "Bestellung",
        "order_date": "Datum",
        "currency": "Währung",
        "item": "Artikel",
        "quantity": "Menge",
        "unit_price": "Preis",
    }

    report = import_documents(
        user=buyer, uploaded=upload(text), kind="purchase_orders", mapping=mapping
    )

    assert report.created == 1
    assert PurchaseOrderLine.objects.get().unit_price == 2.5
    # A mapping naming a column the file does not have is an error at the header row
    wrong = check_import(
        user=buyer,
        uploaded=upload(text),
        kind="purchase_orders",
        mapping={**mapping, "quantity": "Qty"},
    )
    assert str(wrong.errors[0]) == ("Row 1, column “Qty”: The file has no column “Qty”.")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("lines.pdf", b"%PDF-1.7 ...", "“lines.pdf” is not a spreadsheet"),
        ("lines.csv", b"%PDF-1.7 ...", "The file is a PDF file, not a spreadsheet"),
        ("lines.csv", b"\x89PNG\r\n\x1a\n\x00\x00", "The file is a PNG file"),
        ("lines.xlsx", b"partner,order\n", "is called .xlsx but is not an Excel workbook"),
        ("lines.xlsx", b"PK\x03\x04garbage", "not a readable Excel workbook"),
        ("lines.xls", b"\xd0\xcf\x11\xe0\xa1\xb1", "is not a spreadsheet"),
        ("lines.csv", b"\xd0\xcf\x11\xe0\xa1\xb1", "Old Excel files (.xls) cannot be read"),
        ("lines.csv", b"", "The file is empty."),
        ("lines.csv", "partner;Lieferant\n".encode("utf-16"), "not a spreadsheet or CSV"),
        ("lines.csv", "Bestellnr.,Größe\n".encode("latin-1"), "not UTF-8"),
    ],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused(buyer, partners, name, content, message):
    with pytest.raises(InvalidInput) as refused:
        check_import(user=buyer, uploaded=SimpleUploadedFile(name, content), kind="purchase_orders")
    assert message in refused.value.message
    assert list(refused.value.fields) == ["file"]


def test_size_and_row_limits_come_from_settings(buyer, partners, settings):
    settings.FINANCE_IMPORT_MAX_ROWS = 2
    with pytest.raises(InvalidInput, match="more than 2 rows"):
        import_documents(user=buyer, uploaded=upload(PO_HEADER + PO_ROWS), kind="purchase_orders")
    settings.FINANCE_IMPORT_MAX_BYTES = 100
    with pytest.raises(InvalidInput, match="larger than"):
        check_import(user=buyer, uploaded=upload(PO_HEADER + PO_ROWS), kind="purchase_orders")
    assert not PurchaseOrder.objects.exists()


def test_an_xlsx_file_is_read_like_a_csv(buyer, partners):
    book = Workbook()
    sheet = book.active
    sheet.append(["Partner", "Order Number", "Order Date", "Currency", "Item", "Qty", "Price"])
    sheet.append(["CMO-A", "PO-1", datetime.datetime(2026, 10, 1), "CNY", "HOUSING", 1000, 2.5])
    sheet.append(["CMO-A", "PO-1", datetime.date(2026, 10, 1), "CNY", "COVER", 12.25, 0.1])
    sheet.append([None] * 7)
    sheet.append(["CMO-A", "PO-2", "1.10.2026", "CNY", "LID", -1, 1])
    content = io.BytesIO()
    book.save(content)

    def xlsx():
        return SimpleUploadedFile("lines.xlsx", content.getvalue())

    report = check_import(user=buyer, uploaded=xlsx(), kind="purchase_orders")
    assert [str(e) for e in report.errors] == [
        "Row 5, column C “Order Date”: “1.10.2026” is not a date written YYYY-MM-DD.",
        "Row 5, column F “Qty”: “-1” is negative; it must not be.",
    ]
    assert [r.cells for r in report.preview[:2]] == [
        ["CMO-A", "PO-1", "2026-10-01", "CNY", "HOUSING", "1000", "2.5"],
        ["CMO-A", "PO-1", "2026-10-01", "CNY", "COVER", "12.25", "0.1"],
    ]
    sheet.delete_rows(4, 2)
    content = io.BytesIO()
    book.save(content)
    report = import_documents(user=buyer, uploaded=xlsx(), kind="purchase_orders")
    assert report.created == 2
    assert [str(q) for q in PurchaseOrderLine.objects.values_list("quantity", flat=True)] == [
        "1000.000",
        "12.250",
    ]


def test_partners_the_user_cannot_see_are_unknown(make_user, partners):
    outsider = make_user("partner", partner=partners[1])
    with pytest.raises(Forbidden):
        check_import(user=outsider, uploaded=upload(PO_HEADER + PO_ROWS), kind="purchase_orders")
    accountant = make_user("finance")
    with pytest.raises(Forbidden):  # finance enters invoices, not orders
        check_import(user=accountant, uploaded=upload(PO_HEADER + PO_ROWS), kind="purchase_orders")


def test_a_dry_run_writes_nothing_and_counts(buyer, partners):
    report = check_import(user=buyer, uploaded=upload(PO_HEADER + PO_ROWS), kind="purchase_orders")

    assert (report.rows, report.created, report.documents, report.error_count) == (3, 3, 2, 0)
    assert not PurchaseOrder.objects.exists() and not DocumentImport.objects.exists()


def test_bulk_reviews_hold_every_item_and_start_once(accountant, orders):
    from partnerdesk.finance.services.reviews import start_reviews_bulk

    import_documents(user=accountant, uploaded=upload(INV_HEADER + INV_ROWS), kind="invoices")
    invoice = SupplierInvoice.objects.get()
    review = invoice.review
    items = review.template.items.count()
    assert review.checks.count() == items
    assert review.checks.filter(item__auto_check="", outcome="pending").count() == 3
    assert review.status == "open"

    assert start_reviews_bulk([invoice.pk]) == 0
    assert ReviewCheck.objects.count() == items


def test_invoice_rows_with_negative_quantities_or_unknown_orders_are_refused(accountant, orders):
    rows = INV_ROWS.replace("PO-1,2,500", "PO-1,2,-500").replace("PO-1,1,1000", "PO-7,1,1000")

    with pytest.raises(ImportRefused) as refused:
        import_documents(user=accountant, uploaded=upload(INV_HEADER + rows), kind="invoices")

    assert messages(refused) == [
        "Row 2, column K “order_number”: Unknown order “PO-7”.",
        "Row 3, column M “quantity”: “-500” is negative; it must not be.",
    ]
    assert not SupplierInvoice.objects.exists() and not SupplierInvoiceLine.objects.exists()


def test_an_unknown_kind_of_file_is_refused(buyer):
    with pytest.raises(InvalidInput) as refused:
        check_import(user=buyer, uploaded=upload(PO_HEADER), kind="contracts")
    assert list(refused.value.fields) == ["kind"]


def test_a_dry_run_of_a_file_imported_before_says_so(buyer, partners):
    import_documents(user=buyer, uploaded=upload(PO_HEADER + PO_ROWS), kind="purchase_orders")

    report = check_import(user=buyer, uploaded=upload(PO_HEADER + PO_ROWS), kind="purchase_orders")

    assert report.already is not None
    assert (report.created, report.unchanged, report.documents_unchanged) == (0, 3, 2)
