"""Running the matching engine over invoices in the database, and keeping the exception queue.

Set-based from end to end: the batch (a week of invoices, or a few by id) is described by one
SQL predicate, which reads its invoices; the batch is then matched in parts of whole partners
(``_parts``), each part's tables read with one query apiece, driven by the part's sorted ids
(``_id_source``), whose values are already scaled to integers in SQL (``finance.engines``
scales), straight into Polars frames; the engine matches each part in bulk; the exceptions of
all parts are written with ``executemany`` and the invoices' payment status with one UPDATE per
batch, all in one transaction. ``bench/reconciliation.py`` measures it.

The exception queue is kept by ``services.queue``. Exceptions the engine opens are recorded
with the run that found them (the run is the audit record of the system's writes); people's
changes to exceptions go through ``services.exceptions``.
"""

import datetime
from dataclasses import dataclass

import polars as pl
from django.db import connection, transaction
from django.utils import timezone

from partnerdesk.core.bulk import collector_paused, large_page_cache
from partnerdesk.finance.choices import InvoiceKind, InvoiceStatus
from partnerdesk.finance.engines import (
    EXCEPTIONS_SCHEMA,
    INVOICE_LINES_SCHEMA,
    INVOICES_SCHEMA,
    MONEY_SCALE,
    PCT_SCALE,
    PO_LINES_SCHEMA,
    PRIOR_INVOICED_SCHEMA,
    PROFILES_SCHEMA,
    QTY_SCALE,
    RECEIPT_LINES_SCHEMA,
    matching as engine,
    to_money,
    to_pct,
    to_qty,
)
from partnerdesk.finance.models import MatchRun, SupplierInvoice, ToleranceProfile
from partnerdesk.finance.services.queue import keep_queue, placeholders

DUPLICATE_WINDOW_DAYS = 7


@dataclass
class MatchOutcome:
    run: MatchRun
    invoices: int
    lines: int
    lines_matched: int


@dataclass(frozen=True)
class _Batch:
    """Which invoices a run matches: SQL over an alias, the same as an ORM filter."""

    sql: str
    params: tuple
    orm: dict
    by_date: bool = False  # a week: its neighbours are found through the date index

    def on(self, alias: str) -> tuple[str, tuple]:
        return self.sql.replace("{a}", alias), self.params


_ELIGIBLE = f"{{a}}.kind = '{InvoiceKind.INVOICE}' AND {{a}}.status <> '{InvoiceStatus.REJECTED}'"


def _week_batch(start: datetime.date, end: datetime.date) -> _Batch:
    return _Batch(
        f"{{a}}.invoice_date BETWEEN %s AND %s AND {_ELIGIBLE}",
        (start, end),
        {"invoice_date__gte": start, "invoice_date__lte": end},
        by_date=True,
    )


def _id_batch(ids: list[int]) -> _Batch:
    ids = sorted({int(i) for i in ids}) or [0]
    return _Batch(f"{{a}}.id IN ({placeholders(ids)}) AND {_ELIGIBLE}", tuple(ids), {"pk__in": ids})


def _scaled(column: str, scale: int) -> str:
    return f"CAST(ROUND({column} * {scale}) AS BIGINT)"


FETCH_ROWS = 100_000


def _frame(sql: str, params: tuple, schema: dict) -> pl.DataFrame:
    """A query's rows as a frame, fetched a block at a time: only one block's Python tuples
    are alive at once (ten million rows fetched whole are gigabytes of tuples), and their
    memory is reused for the next block."""
    names, parts = list(schema), []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(FETCH_ROWS):
            frame = pl.DataFrame(rows, schema=names, orient="row", infer_schema_length=None)
            parts.append(frame.cast(schema))
    return pl.concat(parts) if parts else pl.DataFrame(schema=schema)


def _invoices(batch: _Batch) -> pl.DataFrame:
    where, params = batch.on("i")
    sql = f"SELECT {_invoice_columns('i')} FROM finance_supplierinvoice i WHERE {where}"  # noqa: S608
    return _dated(_frame_raw(sql, params), INVOICES_SCHEMA)


def _invoice_columns(a: str) -> str:
    money = ", ".join(
        _scaled(f"{a}.{c}", MONEY_SCALE) for c in ("net_total", "tax_total", "gross_total")
    )
    return f"{a}.id, {a}.partner_id, {a}.number, {a}.invoice_date, {money}, {a}.currency"


def _frame_raw(sql: str, params: tuple) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _dated(rows: list[tuple], schema: dict) -> pl.DataFrame:
    """Rows whose date column may arrive as text (SQLite) or a date (PostgreSQL)."""
    raw = {name: (pl.String if dtype == pl.Date else dtype) for name, dtype in schema.items()}
    if rows and not isinstance(rows[0][3], str):
        raw = dict(schema)
    df = pl.DataFrame(rows, schema=raw, orient="row")
    return df.with_columns(pl.col("invoice_date").cast(pl.Date)) if rows else df.cast(schema)


def _id_source(ids: pl.Series) -> tuple[str, tuple]:
    """A relation ``j(value)`` of the given ids, passed as one parameter, for a join.

    Sorted and distinct, the ids drive index probes in key order, so the probed tables and
    indexes are walked from front to back instead of being looked up at random; and nothing
    has to be collected into a temporary table first (``IN (subquery)`` builds a B-tree of
    every id, whose cost grows faster than the batch)."""
    values = ids.drop_nulls().unique().sort().cast(pl.String).str.join(",").item()
    if connection.vendor == "postgresql":
        return "unnest(%s::bigint[]) AS j(value)", ("{" + values + "}",)
    return "json_each(%s) j", ("[" + values + "]",)


PART_INVOICES = 20_000


def _parts(invoices: pl.DataFrame) -> list[pl.DataFrame]:
    """The batch's invoices in parts of whole partners, about ``PART_INVOICES`` invoices each
    (a partner with more is a part of its own).

    Matching never looks across partners: a line is matched against its order line (another
    partner's order line is a discrepancy whatever it holds), invoices billing the same order
    line are the same partner's, and duplicates are sought within a partner. So the parts are
    read and matched one after the other with the same outcome as the whole batch at once, in
    bounded memory: only the exceptions found so far outlive a part (a week of ten million
    lines peaked at 5.5 GB in parts, against over 10 GB matched at once)."""
    if invoices.is_empty():
        return []
    sizes = invoices.group_by("partner_id").len().sort("partner_id")
    start = pl.col("len").cum_sum() - pl.col("len")
    sizes = sizes.select("partner_id", part=start // PART_INVOICES)
    return invoices.join(sizes, on="partner_id").partition_by(
        "part", include_key=False, maintain_order=True
    )


def _read_part(batch: _Batch, invoices: pl.DataFrame, first: dict) -> dict:
    """The lines of a part's invoices, the order and receipt lines they reference and what
    earlier invoices billed on those order lines."""
    source, params = _id_source(invoices["invoice_id"])
    lines = _frame(
        "SELECT l.id, l.invoice_id, l.order_line_id, "  # noqa: S608
        f"{_scaled('l.quantity', QTY_SCALE)}, {_scaled('l.unit_price', MONEY_SCALE)}, "
        f"{_scaled('l.amount', MONEY_SCALE)}, {_scaled('l.tax_amount', MONEY_SCALE)}, "
        f"{_scaled('l.tax_rate', PCT_SCALE)} "
        f"FROM {source} JOIN finance_supplierinvoiceline l ON l.invoice_id = j.value",
        params,
        {k: v for k, v in INVOICE_LINES_SCHEMA.items() if k != "currency"},
    ).join(invoices.select("invoice_id", "currency"), on="invoice_id", how="left")
    source, ref_params = _id_source(lines["po_line_id"])
    po_lines = _frame(
        "SELECT pl.id, pl.order_id, o.partner_id, COALESCE(c.code, ''), pl.item, "  # noqa: S608
        f"{_scaled('pl.quantity', QTY_SCALE)}, {_scaled('pl.unit_price', MONEY_SCALE)}, "
        f"o.currency, o.match_mode FROM {source} "
        "JOIN finance_purchaseorderline pl ON pl.id = j.value "
        "JOIN finance_purchaseorder o ON o.id = pl.order_id "
        "LEFT JOIN finance_itemcategory c ON c.id = pl.category_id",
        ref_params,
        PO_LINES_SCHEMA,
    )
    receipts = _frame(
        f"SELECT r.id, r.order_line_id, {_scaled('r.quantity_received', QTY_SCALE)}, "  # noqa: S608
        f"{_scaled('r.quantity_accepted', QTY_SCALE)}, "
        f"{_scaled('r.quantity_rejected', QTY_SCALE)}, r.on_hold "
        f"FROM {source} JOIN finance_goodsreceiptline r ON r.order_line_id = j.value",
        ref_params,
        RECEIPT_LINES_SCHEMA,
    )
    return {
        "invoice_lines": lines.select(list(INVOICE_LINES_SCHEMA)),
        "po_lines": po_lines,
        "receipt_lines": receipts,
        "prior_invoiced": _prior(batch, first, source, ref_params),
    }


def _prior(batch, first: dict, source, ref_params) -> pl.DataFrame:
    """Quantity invoiced on the order lines of ``source`` by invoices outside the batch that
    come before it (dated before its ``first`` invoice's day, or on that day with a smaller
    id)."""
    not_batch, params = batch.on("p")
    return _frame(
        f"SELECT l.order_line_id, SUM({_scaled('l.quantity', QTY_SCALE)}) "  # noqa: S608
        f"FROM {source} JOIN finance_supplierinvoiceline l ON l.order_line_id = j.value "
        "JOIN finance_supplierinvoice p ON p.id = l.invoice_id "
        f"WHERE NOT ({not_batch}) "
        f"AND p.kind = '{InvoiceKind.INVOICE}' AND p.status <> '{InvoiceStatus.REJECTED}' "
        "AND (p.invoice_date < %s OR (p.invoice_date = %s AND p.id < %s)) "
        "GROUP BY l.order_line_id",
        (*ref_params, *params, first["invoice_date"], first["invoice_date"], first["invoice_id"]),
        PRIOR_INVOICED_SCHEMA,
    )


def _existing(batch, invoices) -> pl.DataFrame:
    """Earlier invoices of the batch's partners that could be duplicates of a batch invoice:
    the same normalised number, or the same gross total dated near the batch. Only invoices
    that come before a batch invoice (by date, then id) are read: the engine takes every
    existing invoice as earlier, and the original must not be flagged as a duplicate of the
    copy that came after it.

    Read through indexes, never the whole table: the same number from each batch invoice
    through (partner, number key); the same gross total among the invoices dated in the window
    (a week's batch reads the days of the window before the week by date, an invoice or a few
    look up their partners' by gross total), whose pairs with a later batch invoice are then
    kept."""
    if invoices.is_empty():
        return pl.DataFrame(schema=INVOICES_SCHEMA)
    window = datetime.timedelta(days=DUPLICATE_WINDOW_DAYS)
    low = invoices["invoice_date"].min() - window
    high = invoices["invoice_date"].max() + window
    not_batch, params = batch.on("e")
    in_batch, batch_params = batch.on("b")
    eligible = (
        f"e.kind = '{InvoiceKind.INVOICE}' AND e.status <> '{InvoiceStatus.REJECTED}' "
        f"AND NOT ({not_batch})"
    )
    same_number = _frame_raw(
        f"SELECT DISTINCT {_invoice_columns('e')} FROM finance_supplierinvoice b "  # noqa: S608
        "JOIN finance_supplierinvoice e ON e.partner_id = b.partner_id "
        f"AND e.number_key = b.number_key WHERE {in_batch} AND {eligible} "
        "AND (e.invoice_date < b.invoice_date "
        "OR (e.invoice_date = b.invoice_date AND e.id < b.id))",
        (*batch_params, *params),
    )
    if batch.by_date:
        # Only invoices dated before the week can come before a batch invoice: the days
        # between the window's start and the week's, read by date and paired below (a pass
        # over a few days' invoices, where a look-up per batch invoice grows faster).
        same_gross = _frame_raw(
            f"SELECT {_invoice_columns('e')} FROM finance_supplierinvoice e "  # noqa: S608
            f"WHERE e.invoice_date >= %s AND e.invoice_date < %s AND {eligible}",
            (low, batch.params[0], *params),
        )
    else:
        same_gross = _frame_raw(
            f"SELECT {_invoice_columns('e')} FROM finance_supplierinvoice e "  # noqa: S608
            f"WHERE e.invoice_date BETWEEN %s AND %s AND {eligible} AND (e.partner_id, "
            "e.gross_total) IN (SELECT b.partner_id, b.gross_total "
            f"FROM finance_supplierinvoice b WHERE {in_batch})",
            (low, high, *params, *batch_params),
        )
    same_gross = _dated(same_gross, INVOICES_SCHEMA)
    later = invoices.select("partner_id", "gross_total", b_date="invoice_date", b_id="invoice_id")
    col = pl.col
    same_gross = (
        same_gross.join(later, on=["partner_id", "gross_total"])
        .filter(
            (col("invoice_date") < col("b_date"))
            | ((col("invoice_date") == col("b_date")) & (col("invoice_id") < col("b_id")))
        )
        .select(list(INVOICES_SCHEMA))
    )
    return (
        pl.concat([_dated(same_number, INVOICES_SCHEMA), same_gross])
        .unique("invoice_id")
        .sort("invoice_id")
    )


def _profiles() -> pl.DataFrame:
    rows = []
    for p in ToleranceProfile.objects.select_related("category"):
        rows.append(
            {
                "profile_id": p.pk,
                "partner_id": p.partner_id,
                "category": p.category.code if p.category_id else None,
                "price_pct": None if p.price_percent is None else to_pct(p.price_percent),
                "price_abs": None if p.price_absolute is None else to_money(p.price_absolute),
                "qty_pct": None if p.quantity_percent is None else to_pct(p.quantity_percent),
                "qty_abs": None if p.quantity_absolute is None else to_qty(p.quantity_absolute),
                "amount_pct": None if p.amount_percent is None else to_pct(p.amount_percent),
                "amount_abs": None if p.amount_absolute is None else to_money(p.amount_absolute),
                "combine": p.combine,
            }
        )
    return pl.DataFrame(rows, schema=PROFILES_SCHEMA)


def match_week(*, start, end, actor=None, label="") -> MatchOutcome:
    return _match(_week_batch(start, end), actor, label, start, end)


def match_invoices(*, invoice_ids, actor=None, label="") -> MatchOutcome:
    return _match(_id_batch(list(invoice_ids)), actor, label, None, None)


def invoice_match(*, user, invoice: SupplierInvoice) -> MatchOutcome:
    """A person matches one invoice again (after its receipt arrived or its order was
    corrected). Credit notes and rejected invoices are not matched."""
    from django.utils.translation import gettext as _

    from partnerdesk.core.errors import Conflict
    from partnerdesk.core.services import require_perm

    require_perm(user, "finance.change_supplierinvoice")
    if invoice.kind != InvoiceKind.INVOICE or invoice.status == InvoiceStatus.REJECTED:
        raise Conflict(_("Only invoices that are not rejected are matched."))
    return match_invoices(
        invoice_ids=[invoice.pk], actor=user, label=_("invoice %(n)s") % {"n": invoice.number}
    )


@collector_paused()
@large_page_cache()
@transaction.atomic
def _match(batch: _Batch, actor, label: str, start, end) -> MatchOutcome:
    from partnerdesk.finance.services.payment import refresh_payment_status

    if not ToleranceProfile.objects.filter(partner=None, category=None).exists():
        ToleranceProfile.objects.create(name="Default (zero tolerance)")
    run = MatchRun.objects.create(
        label=label[:40] or "match",
        period_start=start,
        period_end=end,
        started_by=actor if getattr(actor, "pk", None) else None,
    )
    invoices = _invoices(batch)
    first = invoices.sort("invoice_date", "invoice_id").row(0, named=True) if len(invoices) else {}
    existing, profiles = _existing(batch, invoices), _profiles()
    found, lines, matched = [pl.DataFrame(schema=EXCEPTIONS_SCHEMA)], 0, 0
    for part in _parts(invoices):
        result = engine.match_invoices(
            invoices=part,
            **_read_part(batch, part, first),
            existing_invoices=existing.join(part.select("partner_id").unique(), on="partner_id"),
            profiles=profiles,
            duplicate_window_days=DUPLICATE_WINDOW_DAYS,
        )
        found.append(result.exceptions)
        lines += result.lines.height
        matched += result.lines.filter(pl.col("status") == "matched").height
        del result
    exceptions = pl.concat(found).sort("invoice_id", "invoice_line_id", "type", maintain_order=True)
    opened, cleared = keep_queue(batch, run, exceptions, invoices)
    # Every eligible invoice of the batch is matched now; its payment status follows.
    refresh_payment_status(
        queryset=SupplierInvoice.objects.filter(**batch.orm)
        .filter(kind=InvoiceKind.INVOICE)
        .exclude(status=InvoiceStatus.REJECTED),
        matched_at=timezone.now(),
    )
    run.invoices, run.lines = invoices.height, lines
    run.exceptions_opened, run.exceptions_cleared = opened, cleared
    run.finished_at = timezone.now()
    run.save()
    return MatchOutcome(run, run.invoices, lines, matched)
