"""Importing purchase orders, goods receipts and supplier invoices from CSV or Excel files,
for the import pages and the API.

A file holds one kind of document, one row per document line, the document's own fields
repeated on each of its rows (``import_files.FIELDS`` lists the columns). Rows of a document
are grouped by its key (the order number; partner and delivery note; partner, kind and
invoice number) and need not be next to each other.

``check_import`` says what an import would do (a dry run: the rows, the documents to create,
the rows already recorded, every row error with its row and column); ``import_documents``
does it, all or nothing: any row error refuses the whole file and nothing is written. Every
rule of the form and API services (``services.documents``) holds: partners by code and
visible to the user; order numbers and lines that exist and belong to the partner (receipts,
invoices); numbers and dates (YYYY-MM-DD) well formed; quantities above zero (orders,
receipts) or not negative (invoices); known currencies, categories and contracts.

Idempotent: a file imported before (the same bytes, by SHA-256) is recognised and changes
nothing; a row of a document that already exists with the same values is counted as
unchanged; a document that exists with other values (the same order number with different
lines) is a row error, naming the first difference.

Set-based and streaming, so that a file of a million lines is imported at the speed of the
database: the file is read once, in steps of ``CHUNK`` rows; each step reads the partners,
orders and documents it refers to in one query each (cached for the next steps), checks its
rows, and — while no error has been found — inserts its documents, lines and audit rows
with one ``executemany`` each. An error stops the writing; the transaction is rolled back at
the end, so the writes made so far disappear. Only the documents (key, header, line numbers)
and the order lines referred to stay in memory, not the rows. Imported invoices get their
review started in bulk (``reviews.start_reviews_bulk``) and are matched
(``matching.match_invoices``) in one run where the database allows it; a large file leaves
both to the worker. A large, clean CSV file of invoice lines takes the columnar path
(``columnar``), which checks and writes it as Polars columns and declines, before writing
anything, whatever it cannot decide exactly, to the row-by-row importer.
``bench/document_import.py`` measures it.
"""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from partnerdesk.audit.models import AuditAction
from partnerdesk.audit.services import record_change
from partnerdesk.core.bulk import collector_paused
from partnerdesk.core.errors import Conflict
from partnerdesk.core.services import require_perm
from partnerdesk.finance.choices import ImportKind
from partnerdesk.finance.models import DocumentImport
from partnerdesk.finance.services.import_files import (
    ImportFile,
    fields_of,
    open_import_file,
)
from partnerdesk.finance.services.imports import columnar
from partnerdesk.finance.services.imports.common import (
    AUDIT_COLUMNS,
    MAX_ERRORS,
    PREVIEW_ROWS,
    ImportRefused,
    ImportReport,
    PreviewRow,
    already_imported_text,
)
from partnerdesk.finance.services.imports.invoices import _InvoiceImport
from partnerdesk.finance.services.imports.orders import _OrderImport
from partnerdesk.finance.services.imports.receipts import _ReceiptImport

CHUNK = 5_000  # rows per step

PERMISSIONS = {
    ImportKind.PURCHASE_ORDERS: "finance.add_purchaseorder",
    ImportKind.RECEIPTS: "finance.add_goodsreceipt",
    ImportKind.INVOICES: "finance.add_supplierinvoice",
}


def allowed_kinds(user) -> list[str]:
    """The kinds of file the user may import."""
    if not user.has_perm("finance.add_documentimport"):
        return []
    return [kind for kind, perm in PERMISSIONS.items() if user.has_perm(perm)]


def _require(user, kind: str) -> None:
    fields_of(kind)
    require_perm(user, "finance.add_documentimport", PERMISSIONS[kind])


def previous_import(kind: str, sha256: str) -> DocumentImport | None:
    return (
        DocumentImport.objects.filter(kind=kind, sha256=sha256)
        .select_related("uploaded_by")
        .order_by("-applied_at")
        .first()
    )


# --- entry points -----------------------------------------------------------------------------


def check_import(*, user, uploaded, kind: str, mapping: dict | None = None) -> ImportReport:
    """What importing the file would do, without writing anything (the preview, the API's
    dry run): counts, the first rows and every row error."""
    _require(user, kind)
    with open_import_file(uploaded, kind, mapping) as source:
        report = _report(source)
        report.already = previous_import(kind, source.sha256)
        if source.needs_mapping:
            _column_errors(report, source)
            return report
        with collector_paused():
            IMPORTERS[kind](user, source, report, write=False).run()
    return report


def import_documents(*, user, uploaded, kind: str, mapping: dict | None = None) -> ImportReport:
    """Import the file all or nothing; ``ImportRefused`` lists the row errors. A file imported
    before is recognised and changes nothing (``report.already``)."""
    _require(user, kind)
    with open_import_file(uploaded, kind, mapping) as source:
        report = _report(source)
        if source.needs_mapping:
            _column_errors(report, source)
            raise ImportRefused(report)
        report.already = previous_import(kind, source.sha256)
        if report.already is not None:
            return report
        try:
            with collector_paused(), transaction.atomic():
                importer = IMPORTERS[kind](user, source, report, write=True)
                if not columnar.import_invoices(importer):
                    importer.run()
                if report.error_count:
                    raise ImportRefused(report)
                importer.after_write()
                report.record = _record(user, report)
        except IntegrityError as exc:
            raise Conflict(
                _("Someone recorded some of these documents meanwhile; check the file again.")
            ) from exc
    report.applied = True
    return report


def _report(source: ImportFile) -> ImportReport:
    names = [f.name for f in fields_of(source.kind)]
    return ImportReport(
        kind=source.kind,
        file_name=source.name,
        sha256=source.sha256,
        headers=source.headers,
        mapping=source.mapping,
        columns=[name for name in names if name in source.columns],
    )


def _column_errors(report: ImportReport, source: ImportFile) -> None:
    report.errors = list(source.errors)
    report.error_count = len(report.errors)
    report.needs_mapping = True


def _record(user, report: ImportReport) -> DocumentImport:
    record = DocumentImport.objects.create(
        kind=report.kind,
        file_name=report.file_name[:200],
        sha256=report.sha256,
        mapping=report.mapping,
        rows=report.rows,
        created=report.created,
        unchanged=report.unchanged,
        uploaded_by=user,
    )
    record_change(actor=user, instance=record, action=AuditAction.CREATE)
    return record


IMPORTERS = {
    ImportKind.PURCHASE_ORDERS: _OrderImport,
    ImportKind.RECEIPTS: _ReceiptImport,
    ImportKind.INVOICES: _InvoiceImport,
}

__all__ = [
    "AUDIT_COLUMNS",
    "CHUNK",
    "IMPORTERS",
    "MAX_ERRORS",
    "PERMISSIONS",
    "PREVIEW_ROWS",
    "ImportRefused",
    "ImportReport",
    "PreviewRow",
    "allowed_kinds",
    "already_imported_text",
    "check_import",
    "import_documents",
    "previous_import",
]
