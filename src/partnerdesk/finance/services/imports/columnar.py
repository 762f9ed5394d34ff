"""The columnar path of the invoice import: a large, clean CSV file checked and written as
columns (Polars) instead of row by row.

It takes only what it can decide exactly and declines everything else, before writing
anything, to the row-by-row importer (``importer._Importer``), which owns every rule and every
message. A file is taken when it is a CSV file of invoice lines of at least ``MIN_ROWS`` rows
with no quote characters (the two CSV readers agree on every such file) and every cell is in
the plain form the row importer accepts without normalising it: numbers like ``1234.56``,
dates ``YYYY-MM-DD``, no spaces around values, every document's own fields the same on each of
its rows, known partners and order lines of the same partner, new invoice numbers only (a file
that repeats recorded invoices is compared row by row), no credited-invoice references. For such
a file both paths write the same rows (``tests/finance/test_imports_columnar.py`` imports the
same files both ways and compares the tables); on anything else the row importer runs and
names the rows and columns at fault.

Checks that find nothing wrong cost a few vectorised passes over the columns; the rows are then
inserted as the row importer inserts them (one ``executemany`` per table), the invoices' audit
rows written by the same code.
"""

import datetime

import polars as pl

from partnerdesk.core.currencies import CURRENCIES
from partnerdesk.finance.choices import ImportKind, InvoiceKind
from partnerdesk.finance.engines.duplicates import normalised_number
from partnerdesk.finance.models import PurchaseOrderLine, SupplierInvoice
from partnerdesk.finance.services.import_files import max_rows
from partnerdesk.finance.services.imports.common import (
    PREVIEW_ROWS,
    PreviewRow,
    _all_columns,
    _Doc,
    _ids_by_pairs,
    _insert,
    _max_id,
    _plain_rows,
)
from partnerdesk.finance.services.imports.parsing import _NUMBERS

MIN_ROWS = 5_000  # smaller files are quick row by row
_EDGE = r"^[\s\x1c-\x1f]|[\s\x1c-\x1f]$"  # what str.strip() would take off
_KINDS = {"": InvoiceKind.INVOICE.value, "invoice": InvoiceKind.INVOICE.value}
_KINDS["credit_note"] = InvoiceKind.CREDIT_NOTE.value
_LOOKUP_CHUNK = 10_000


class _Decline(Exception):
    """The file is left to the row importer."""


def import_invoices(importer) -> bool:
    """Check and write the importer's file as columns; False (nothing written) when the file
    is not one this path takes."""
    source = importer.source
    if source.kind != ImportKind.INVOICES or source.delimiter is None or source.binary is None:
        return False
    try:
        frame = _read(source)
        docs, lines = _check(importer, frame)
    except _Decline:
        return False
    _write(importer, docs, lines)
    _preview(importer)
    report = importer.report
    report.rows = frame.height
    report.created, report.documents = lines.height, len(docs)
    return True


# --- reading ----------------------------------------------------------------------------------


def _read(source) -> pl.DataFrame:
    """The data rows of the mapped columns as text ("" for an empty cell); blank rows left
    out, as the row reader leaves them out."""
    handle = source.binary
    position = handle.tell()
    try:
        handle.seek(0)
        data = handle.read()
    finally:
        handle.seek(position)
    if b'"' in data:
        raise _Decline
    try:
        raw = pl.read_csv(
            data,
            has_header=False,
            infer_schema=False,
            separator=source.delimiter,
            quote_char=None,
            truncate_ragged_lines=True,
            encoding="utf8",
        )
    except Exception as exc:  # anything Polars cannot read is the row reader's to explain
        raise _Decline from exc
    if raw.width != len(source.headers):
        raise _Decline
    raw = raw.filter(~pl.all_horizontal(pl.all().is_null()))
    if raw.is_empty() or [str(c or "").strip() for c in raw.row(0)] != source.headers:
        raise _Decline
    rows = raw.slice(1)
    if not MIN_ROWS <= rows.height <= max_rows():
        raise _Decline
    names = raw.columns
    return rows.select(
        pl.col(names[index]).fill_null("").alias(name) for name, index in source.columns.items()
    )


# --- checking ---------------------------------------------------------------------------------


def _not_plain(f, minimum: str) -> pl.Expr:
    """True where the cell is not in the plain form the row importer takes as it is."""
    c = pl.col(f.name)
    empty = c == ""
    bad = c.str.contains(_EDGE)
    if f.required:
        bad = bad | empty
    if f.kind in ("text", "code"):
        if f.max_length:
            bad = bad | (c.str.len_chars() > f.max_length)
        return bad
    if f.kind == "int":
        ok = c.str.contains(r"^[0-9]{1,9}$") & c.str.contains("[1-9]")
    elif f.kind == "date":
        ok = (
            c.str.contains(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
            & ~c.str.starts_with("0000")
            & c.str.to_date("%Y-%m-%d", strict=False).is_not_null()
        )
    elif f.kind == "currency":
        ok = c.is_in(sorted(CURRENCIES))
    elif f.kind == "choice":
        return bad | ~c.is_in(list(_KINDS))
    else:
        places, digits = _NUMBERS[f.kind]
        ok = c.str.contains(rf"^[0-9]{{1,{digits}}}(\.[0-9]{{1,{places}}})?$")
        if minimum == "positive":
            ok = ok & c.str.contains("[1-9]")
    return bad | (~empty & ~ok)


def _check(importer, frame: pl.DataFrame) -> tuple[list[_Doc], pl.DataFrame]:
    mapped = [*importer.head_fields, *importer.line_fields]
    names = {f.name for f in mapped}
    flags = frame.select(
        pl.any_horizontal(_not_plain(f, importer.minimum.get(f.name, "")) for f in mapped).any()
    )
    if flags.item():
        raise _Decline
    if "credits_invoice" in names and (frame["credits_invoice"] != "").any():
        raise _Decline
    # ASCII numbers: their normalised keys are computed as columns, exactly as in Python.
    if not frame["invoice_number"].str.contains(r"^[\x20-\x7e]+$").all():
        raise _Decline
    kind = pl.col("kind").replace_strict(_KINDS) if "kind" in names else pl.lit(_KINDS[""])
    frame = frame.with_columns(kind=kind)
    key = ["partner", "kind", "invoice_number"]
    head = [f.name for f in importer.head_fields if f.name != "kind"]
    # Each document's own fields the same on every one of its rows.
    if frame.group_by(key).agg(pl.struct(head).n_unique().alias("n"))["n"].max() > 1:
        raise _Decline
    if "line_no" in names:
        if (frame["line_no"] == "").any():
            raise _Decline  # the row importer numbers such lines by their place
        frame = frame.with_columns(pl.col("line_no").cast(pl.Int64))
    else:
        frame = frame.with_columns(line_no=pl.int_range(1, pl.len() + 1).over(key))
    if frame.select(pl.struct([*key, "line_no"]).is_duplicated().any()).item():
        raise _Decline
    frame = _with_partners(importer, frame)
    frame = _with_order_lines(importer, frame, names)
    docs = _documents(importer, frame, key, head)
    return docs, frame


def _with_partners(importer, frame: pl.DataFrame) -> pl.DataFrame:
    from partnerdesk.partners.models import Partner

    codes = frame["partner"].unique().to_list()
    found = dict(
        Partner.objects.restrict(importer.user).filter(code__in=codes).values_list("code", "pk")
    )
    if len(found) != len(codes):
        raise _Decline
    return frame.with_columns(
        partner_id=pl.col("partner").replace_strict(found, return_dtype=pl.Int64)
    )


def _with_order_lines(importer, frame: pl.DataFrame, names: set[str]) -> pl.DataFrame:
    """The order line of each row that names one (an order of the same partner)."""
    number = pl.col("order_number") if "order_number" in names else pl.lit("")
    line = pl.col("order_line") if "order_line" in names else pl.lit("")
    frame = frame.with_columns(_order=number, _order_line=line)
    given = frame.select(
        (pl.col("_order") != "").sum().alias("orders"),
        (pl.col("_order_line") != "").sum().alias("lines"),
        ((pl.col("_order") != "") & (pl.col("_order_line") != "")).sum().alias("both"),
    ).row(0)
    if given[0] != given[2] or given[1] != given[2]:
        raise _Decline  # an order number without its line, or a line without the order
    frame = frame.with_columns(pl.col("_order_line").replace("", None).cast(pl.Int64))
    if not given[2]:
        return frame.with_columns(order_line_id=pl.lit(None, pl.Int64))
    numbers = frame.filter(pl.col("_order") != "")["_order"].unique().to_list()
    rows = []
    scope = PurchaseOrderLine.objects.restrict(importer.user).order_by()
    for offset in range(0, len(numbers), _LOOKUP_CHUNK):
        rows.extend(
            _plain_rows(
                scope.filter(
                    order__number__in=numbers[offset : offset + _LOOKUP_CHUNK]
                ).values_list("order__number", "order__partner_id", "line_no", "pk")
            )
        )
    known = pl.DataFrame(
        rows,
        schema={
            "_order": pl.String,
            "_po_partner": pl.Int64,
            "_order_line": pl.Int64,
            "order_line_id": pl.Int64,
        },
        orient="row",
    )
    frame = frame.join(known, on=["_order", "_order_line"], how="left", maintain_order="left")
    wrong = frame.select(
        (
            (pl.col("_order") != "")
            & (pl.col("_po_partner") != pl.col("partner_id")).fill_null(True)
        ).any()
    ).item()
    if wrong:
        raise _Decline
    return frame


def _documents(importer, frame: pl.DataFrame, key: list[str], head: list[str]) -> list[_Doc]:
    """The file's invoices in the order first met, as the row importer would hold them; all
    of them new (a number recorded before sends the file to the row importer)."""
    firsts = frame.unique(key, keep="first", maintain_order=True)
    today = importer.today
    tomorrow = today + datetime.timedelta(days=1)
    dates = [f.name for f in importer.head_fields if f.kind == "date"]
    firsts = firsts.with_columns(
        *(pl.col(name).replace("", None).str.to_date("%Y-%m-%d") for name in dates),
        _number_key=normalised_number(pl.col("invoice_number")).str.slice(0, 40),
    )
    if firsts.select(
        ((pl.col("due_date") < pl.col("invoice_date")) | (pl.col("invoice_date") > tomorrow)).any()
    ).item():
        raise _Decline
    nullable = {f.name for f in importer.head_fields if f.kind not in ("text", "code", "currency")}
    docs = []
    for row in firsts.select("partner_id", "kind", "_number_key", *head).iter_rows(named=True):
        values = {name: row[name] for name in head}
        for name in nullable & values.keys():
            if values[name] == "":
                values[name] = None
        values["partner"], values["kind"] = row["partner"], row["kind"]
        values["invoice_number"] = row["invoice_number"]
        values["_number_key"] = row["_number_key"]
        doc = _Doc((row["partner"], row["kind"], row["invoice_number"]), 0, None, values)
        doc.partner_id = row["partner_id"]
        docs.append(doc)
    if _ids_by_pairs(
        SupplierInvoice,
        "partner",
        "number_key",
        {(d.partner_id, d.head["_number_key"]) for d in docs},
    ):
        raise _Decline
    return docs


# --- writing ----------------------------------------------------------------------------------


def _write(importer, docs: list[_Doc], frame: pl.DataFrame) -> None:
    """The invoices, their audit rows and their lines, as ``write_documents`` writes them."""
    model = importer.model
    since = _max_id(model)
    _insert(model, _all_columns(model, importer.columns), [importer.header_row(d) for d in docs])
    ids = {
        row[1:]: row[0]
        for row in _plain_rows(
            model.objects.filter(pk__gt=since, created_at=importer.now).values_list(
                "pk", *importer.key_columns
            )
        )
    }
    for doc in docs:
        doc.pk = ids[importer.db_key(doc)]
    importer.audit(docs)
    pks = pl.DataFrame(
        {
            "partner_id": [d.partner_id for d in docs],
            "kind": [d.key[1] for d in docs],
            "invoice_number": [d.key[2] for d in docs],
            "invoice_id": [d.pk for d in docs],
        },
        schema={
            "partner_id": pl.Int64,
            "kind": pl.String,
            "invoice_number": pl.String,
            "invoice_id": pl.Int64,
        },
    )
    text = _texts(frame)
    reference = pl.when(text("order_reference") != "").then(text("order_reference"))
    reference = reference.when(pl.col("order_line_id").is_not_null()).then(
        pl.concat_str([pl.col("_order"), pl.lit("/"), pl.col("_order_line").cast(pl.String)])
    )
    lines = frame.join(
        pks, on=["partner_id", "kind", "invoice_number"], how="left", maintain_order="left"
    ).select(
        "invoice_id",
        "line_no",
        "order_line_id",
        reference.otherwise(pl.lit("")).alias("order_reference"),
        text("item"),
        text("description"),
        pl.col("quantity"),
        pl.col("unit_price"),
        pl.col("amount"),
        _optional(frame, "tax_rate", None),
        _optional(frame, "tax_amount", "0"),
    )
    _insert(
        importer.line_model, _all_columns(importer.line_model, importer.line_columns), lines.rows()
    )
    importer.new_ids.extend(d.pk for d in docs)
    importer.credit_note_ids.extend(d.pk for d in docs if d.key[1] == InvoiceKind.CREDIT_NOTE)


def _texts(frame):
    def text(name):
        return pl.col(name) if name in frame.columns else pl.lit("").alias(name)

    return text


def _optional(frame, name, empty):
    """A number column that may be missing or empty: ``empty`` then."""
    if name not in frame.columns:
        return pl.lit(empty, pl.String).alias(name)
    return (
        pl.when(pl.col(name) == "")
        .then(pl.lit(empty, pl.String))
        .otherwise(pl.col(name))
        .alias(name)
    )


def _preview(importer) -> None:
    """The first rows for the report, read as the row importer reads them."""
    preview, width = importer.report.preview, importer.width
    rows = importer.source.rows()
    try:
        for number, cells in rows:
            if len(cells) < width:
                cells = cells + [""] * (width - len(cells))
            preview.append(PreviewRow(number, [cells[i] for i in importer.preview_columns]))
            if len(preview) >= PREVIEW_ROWS:
                break
    finally:
        rows.close()
