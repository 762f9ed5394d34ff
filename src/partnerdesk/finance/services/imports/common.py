"""What the document importers share: the report, the refusal and the bulk database helpers."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerdesk.core.errors import InvalidInput
from partnerdesk.finance.models import DocumentImport
from partnerdesk.finance.services.import_files import RowError

MAX_ERRORS = 1_000  # row errors kept (all are counted)
PREVIEW_ROWS = 200


class ImportRefused(InvalidInput):
    """Some rows are wrong; nothing was imported. ``report.errors`` says which and why."""

    def __init__(self, report: "ImportReport"):
        self.report = report
        self.row_errors = report.errors
        count = report.error_count
        message = (
            _("The file has 1 error; nothing was imported.")
            if count == 1
            else _("The file has %(count)s errors; nothing was imported.") % {"count": f"{count:,}"}
        )
        fields: dict[str, list[str]] = {}
        for error in report.errors:
            fields.setdefault(f"rows.{error.row}.{error.field}", []).append(str(error))
        super().__init__(message, fields=fields)


@dataclass
class PreviewRow:
    row: int
    cells: list[str]
    failed: bool = False


@dataclass
class ImportReport:
    """What an import did or would do. ``created``/``unchanged`` count rows (document
    lines); ``documents``/``documents_unchanged`` count documents."""

    kind: str
    file_name: str
    sha256: str
    headers: list[str]
    mapping: dict[str, str]
    rows: int = 0
    created: int = 0
    unchanged: int = 0
    documents: int = 0
    documents_unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    preview: list[PreviewRow] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    already: DocumentImport | None = None
    record: DocumentImport | None = None
    applied: bool = False
    needs_mapping: bool = False
    invoices_matched: int = 0
    invoices_deferred: int = 0  # reviewed and matched by the worker (a large file)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    @property
    def already_text(self) -> str:
        if self.already is None:
            return ""
        return already_imported_text(self.already)


def already_imported_text(record: DocumentImport) -> str:
    when = timezone.localtime(record.applied_at).strftime("%Y-%m-%d %H:%M")
    who = str(record.uploaded_by) if record.uploaded_by_id else _("someone")
    return _(
        "This file was already imported on %(when)s by %(who)s (%(created)s new rows, "
        "%(unchanged)s unchanged); importing it again changes nothing."
    ) % {"when": when, "who": who, "created": record.created, "unchanged": record.unchanged}


# --- writing ----------------------------------------------------------------------------------


def _insert(model, columns: list[str], rows: list) -> None:
    """INSERT the rows (tuples in the order of ``columns``) with one ``executemany``."""
    if not rows:
        return
    names = [model._meta.get_field(name).column for name in columns]
    quote = connection.ops.quote_name
    # Table and column names come from the model, never from input.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        quote(model._meta.db_table),
        ", ".join(quote(n) for n in names),
        ", ".join(["%s"] * len(names)),
    )
    with connection.cursor() as cursor:
        for offset in range(0, len(rows), 50_000):
            cursor.executemany(sql, rows[offset : offset + 50_000])


def _all_columns(model, columns: list[str]) -> list[str]:
    """``columns`` if they are every stored field of the model but its id (a new field must
    be added here, not silently left to a default the database does not have)."""
    stored = {f.attname for f in model._meta.concrete_fields if not f.primary_key}
    given = {model._meta.get_field(name).attname for name in columns}
    if stored != given:
        raise RuntimeError(f"{model.__name__} import columns differ: {sorted(stored ^ given)}")
    return columns


_NOTHING = frozenset()


class _Doc:
    """One document of the file: where it starts, its header, and what happens to it."""

    __slots__ = (
        "count",
        "existing",
        "failed",
        "head",
        "key",
        "line_nos",
        "partner_id",
        "pk",
        "raw",
        "row",
    )

    def __init__(self, key, row, raw, head):
        self.key, self.row, self.raw, self.head = key, row, raw, head
        self.partner_id: int | None = None  # set when first checked (0: unknown partner)
        self.existing: dict | None = None  # the recorded document, when there is one
        self.pk: int | None = None  # once written
        self.count = 0
        self.line_nos: set[int] = set()
        self.failed = False


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return str(value)


def _plain_rows(queryset) -> list[tuple]:
    """The rows of a ``values_list`` of text and integer columns straight from the cursor
    (the ORM's per-row conversions cost more than the query for large reads)."""
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _ids_by_pairs(model, first: str, second: str, pairs) -> list[int]:
    """Ids of the rows whose (``first``, ``second``) is one of ``pairs``, each pair looked up
    in the index on the two columns (``first IN … AND second IN …`` would probe every
    combination of the two lists)."""
    pairs = list(pairs)
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    a, b = (quote(model._meta.get_field(name).column) for name in (first, second))
    ids = []
    with connection.cursor() as cursor:
        for offset in range(0, len(pairs), 2_000):
            part = pairs[offset : offset + 2_000]
            values = ", ".join(["(%s, %s)"] * len(part))
            cursor.execute(
                f"SELECT t.id FROM (VALUES {values}) v JOIN {table} t "  # noqa: S608
                f"ON t.{a} = v.column1 AND t.{b} = v.column2",
                [value for pair in part for value in pair],
            )
            ids.extend(row[0] for row in cursor.fetchall())
    return ids


def _max_id(model) -> int:
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {table}")  # noqa: S608
        return cursor.fetchone()[0] or 0


AUDIT_COLUMNS = [
    "content_type",
    "object_id",
    "object_repr",
    "action",
    "changes",
    "actor",
    "actor_repr",
    "request_id",
    "at",
    "confidential",
]
