"""Running the matching engine over invoices in the database, and keeping the exception queue.

Set-based from end to end: the batch (a week of invoices, or a few by id) is described by one
SQL predicate; each input table is read with one query whose values are already scaled to
integers in SQL (``finance.engines`` scales), straight into Polars frames; the engine matches
in bulk; exceptions are written with ``executemany`` and the invoices' payment status with one
UPDATE per batch. ``bench/reconciliation.py`` measures it.

The exception queue is kept by ``services.queue``. Exceptions the engine opens are recorded
with the run that found them (the run is the audit record of the system's writes); people's
changes to exceptions go through ``services.exceptions``.
"""

import datetime
from dataclasses import dataclass

import polars as pl
from django.db import connection, transaction
from django.utils import timezone

from partnerdesk.core.bulk import collector_paused
from partnerdesk.finance.choices import InvoiceKind, InvoiceStatus
from partnerdesk.finance.engines import (
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
    result: engine.MatchResult | None = None


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


def _frame(sql: str, params: tuple, schema: dict) -> pl.DataFrame:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return pl.DataFrame(rows, schema=list(schema), orient="row").cast(schema)


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


def _batch_lines_subquery(batch: _Batch) -> tuple[str, tuple]:
    where, params = batch.on("bi")
    return (
        "SELECT bl.order_line_id FROM finance_supplierinvoiceline bl "  # noqa: S608
        f"JOIN finance_supplierinvoice bi ON bi.id = bl.invoice_id WHERE {where} "
        "AND bl.order_line_id IS NOT NULL",
        params,
    )


def _read_inputs(batch: _Batch) -> dict:
    invoices = _invoices(batch)
    where, params = batch.on("i")
    lines = _frame(
        "SELECT l.id, l.invoice_id, l.order_line_id, "  # noqa: S608
        f"{_scaled('l.quantity', QTY_SCALE)}, {_scaled('l.unit_price', MONEY_SCALE)}, "
        f"{_scaled('l.amount', MONEY_SCALE)}, {_scaled('l.tax_amount', MONEY_SCALE)}, "
        f"{_scaled('l.tax_rate', PCT_SCALE)}, i.currency "
        "FROM finance_supplierinvoiceline l JOIN finance_supplierinvoice i "
        f"ON i.id = l.invoice_id WHERE {where}",
        params,
        INVOICE_LINES_SCHEMA,
    )
    referenced, ref_params = _batch_lines_subquery(batch)
    po_lines = _frame(
        "SELECT pl.id, pl.order_id, o.partner_id, COALESCE(c.code, ''), pl.item, "  # noqa: S608
        f"{_scaled('pl.quantity', QTY_SCALE)}, {_scaled('pl.unit_price', MONEY_SCALE)}, "
        "o.currency, o.match_mode FROM finance_purchaseorderline pl "
        "JOIN finance_purchaseorder o ON o.id = pl.order_id "
        "LEFT JOIN finance_itemcategory c ON c.id = pl.category_id "
        f"WHERE pl.id IN ({referenced})",
        ref_params,
        PO_LINES_SCHEMA,
    )
    receipts = _frame(
        f"SELECT r.id, r.order_line_id, {_scaled('r.quantity_received', QTY_SCALE)}, "  # noqa: S608
        f"{_scaled('r.quantity_accepted', QTY_SCALE)}, "
        f"{_scaled('r.quantity_rejected', QTY_SCALE)}, r.on_hold "
        f"FROM finance_goodsreceiptline r WHERE r.order_line_id IN ({referenced})",
        ref_params,
        RECEIPT_LINES_SCHEMA,
    )
    prior = _prior(batch, invoices, referenced, ref_params)
    existing = _existing(batch, invoices)
    return {
        "invoices": invoices,
        "invoice_lines": lines,
        "po_lines": po_lines,
        "receipt_lines": receipts,
        "prior_invoiced": prior,
        "existing_invoices": existing,
        "profiles": _profiles(),
    }


def _prior(batch, invoices, referenced, ref_params) -> pl.DataFrame:
    """Quantity invoiced on the batch's order lines by invoices outside the batch that come
    before it (dated before its first day, or on that day with a smaller id)."""
    if invoices.is_empty():
        return pl.DataFrame(schema=PRIOR_INVOICED_SCHEMA)
    first = invoices.sort("invoice_date", "invoice_id").row(0, named=True)
    not_batch, params = batch.on("p")
    return _frame(
        f"SELECT l.order_line_id, SUM({_scaled('l.quantity', QTY_SCALE)}) "  # noqa: S608
        "FROM finance_supplierinvoiceline l JOIN finance_supplierinvoice p "
        "ON p.id = l.invoice_id "
        f"WHERE l.order_line_id IN ({referenced}) AND NOT ({not_batch}) "
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
    (a week's batch reads the window by date, an invoice or a few by partner), whose pairs
    with a later batch invoice are then kept."""
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
    # "+" keeps SQLite off the partner index for a week (each partner's whole history).
    partner = "+e.partner_id" if batch.by_date else "e.partner_id"
    same_gross = _dated(
        _frame_raw(
            f"SELECT {_invoice_columns('e')} FROM finance_supplierinvoice e "  # noqa: S608
            f"WHERE e.invoice_date BETWEEN %s AND %s AND {eligible} AND ({partner}, "
            "e.gross_total) IN (SELECT b.partner_id, b.gross_total "
            f"FROM finance_supplierinvoice b WHERE {in_batch})",
            (low, high, *params, *batch_params),
        ),
        INVOICES_SCHEMA,
    )
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
    inputs = _read_inputs(batch)
    result = engine.match_invoices(**inputs, duplicate_window_days=DUPLICATE_WINDOW_DAYS)
    opened, cleared = keep_queue(batch, run, result, inputs["invoices"])
    # Every eligible invoice of the batch is matched now; its payment status follows.
    refresh_payment_status(
        queryset=SupplierInvoice.objects.filter(**batch.orm)
        .filter(kind=InvoiceKind.INVOICE)
        .exclude(status=InvoiceStatus.REJECTED),
        matched_at=timezone.now(),
    )
    lines = result.lines.height
    matched = result.lines.filter(pl.col("status") == "matched").height
    run.invoices, run.lines = inputs["invoices"].height, lines
    run.exceptions_opened, run.exceptions_cleared = opened, cleared
    run.finished_at = timezone.now()
    run.save()
    return MatchOutcome(run, run.invoices, lines, matched, result)
