"""The finance import API: order, receipt and invoice lines from CSV or XLSX files.

``POST /document-imports`` takes a multipart upload: ``kind`` (purchase_orders, receipts,
invoices), ``file``, optionally ``mapping`` (a JSON object ``{field: header}``; fields left
out are guessed from the headers, a field mapped to "" is not read) and ``dry_run``. A dry run
answers 200 with what the import would do and every row error; an import answers 201 with
the counts, 200 when the same file was imported before (nothing changes), or 422 with the
row errors (``fields``: ``rows.<row>.<field>``) when any row is wrong — nothing is written.
"""

import json

from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile

from partnerdesk.core.errors import InvalidInput
from partnerdesk.finance.services import imports

router = Router(tags=["finance imports"])
ERRORS = {400: dict, 401: dict, 403: dict, 404: dict, 409: dict, 422: dict}


class ImportIn(Schema):
    kind: str
    mapping: str | None = None
    dry_run: bool = False


class RowErrorOut(Schema):
    row: int
    column: str
    field: str
    message: str
    text: str


class ImportOut(Schema):
    kind: str
    file_name: str
    sha256: str
    dry_run: bool
    applied: bool
    already_imported: str | None = None
    import_id: int | None = None
    rows: int
    created: int
    unchanged: int
    documents: int
    documents_unchanged: int
    invoices_matched: int
    invoices_deferred: int = Field(
        0, description="Invoices left to the worker to review and match (a large file)."
    )
    mapping: dict[str, str]
    error_count: int
    errors: list[RowErrorOut]


def _mapping(text: str | None) -> dict[str, str] | None:
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str | None) for k, v in value.items()
    ):
        message = _('Give the mapping as a JSON object {"field": "header in the file"}.')
        raise InvalidInput(message, fields={"mapping": [message]})
    return {k: v or "" for k, v in value.items()}


def _out(report: imports.ImportReport, dry_run: bool) -> dict:
    return {
        "kind": report.kind,
        "file_name": report.file_name,
        "sha256": report.sha256,
        "dry_run": dry_run,
        "applied": report.applied,
        "already_imported": report.already_text or None,
        "import_id": report.record.pk if report.record else None,
        "rows": report.rows,
        "created": report.created,
        "unchanged": report.unchanged,
        "documents": report.documents,
        "documents_unchanged": report.documents_unchanged,
        "invoices_matched": report.invoices_matched,
        "invoices_deferred": report.invoices_deferred,
        "mapping": report.mapping,
        "error_count": report.error_count,
        "errors": [e.as_dict() for e in report.errors],
    }


@router.post("/document-imports", response={200: ImportOut, 201: ImportOut, **ERRORS})
def import_documents(request, meta: Form[ImportIn], file: File[UploadedFile]):
    """Import (or with ``dry_run`` check) a CSV or XLSX file of document lines."""
    mapping = _mapping(meta.mapping)
    if meta.dry_run:
        report = imports.check_import(
            user=request.user, uploaded=file, kind=meta.kind, mapping=mapping
        )
        return Status(200, _out(report, True))
    report = imports.import_documents(
        user=request.user, uploaded=file, kind=meta.kind, mapping=mapping
    )
    return Status(201 if report.applied else 200, _out(report, False))
