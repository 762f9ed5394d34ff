"""Running the matching engine over invoices in the database, and keeping the exception queue.

Set-based from end to end: the batch (a week of invoices, or a few by id) is described by one
SQL predicate; each input table is read with one query whose values are already scaled to
integers in SQL (``finance.engines`` scales), straight into Polars frames; the engine matches
in bulk; exceptions are written with ``executemany`` and the invoices' payment status with one
UPDATE per batch. ``bench/reconciliation.py`` measures it.

The queue: an exception is identified by its fingerprint (invoice, line, type). A run that
finds an open one again refreshes its severity, amount and detail; one it no longer finds (the
receipt arrived, the order was corrected) is resolved as cleared by that run. Exceptions the
engine opens are recorded with the run that found them (the run is the audit record of the
system's writes); people's changes to exceptions go through ``services.exceptions``.
"""

import datetime
from dataclasses import dataclass

import polars as pl
from django.db import connection, transaction
from django.utils import timezone

from partnerdesk.finance.choices import ExceptionStatus, InvoiceKind, InvoiceStatus, Resolution
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
    fmt,
    to_money,
    to_pct,
    to_qty,
)
from partnerdesk.finance.engines import matching as engine
from partnerdesk.finance.models import MatchRun, SupplierInvoice, ToleranceProfile

DUPLICATE_WINDOW_DAYS = 7
CHUNK = 5000


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

    def on(self, alias: str) -> tuple[str, tuple]:
        return self.sql.replace("{a}", alias), self.params


_ELIGIBLE = f"{{a}}.kind = '{InvoiceKind.INVOICE}' AND {{a}}.status <> '{InvoiceStatus.REJECTED}'"


def _week_batch(start: datetime.date, end: datetime.date) -> _Batch:
    return _Batch(
        f"{{a}}.invoice_date BETWEEN %s AND %s AND {_ELIGIBLE}",
        (start, end),
        {"invoice_date__gte": start, "invoice_date__lte": end},
    )


def _id_batch(ids: list[int]) -> _Batch:
    ids = sorted({int(i) for i in ids}) or [0]
    marks = ", ".join(["%s"] * len(ids))
    return _Batch(f"{{a}}.id IN ({marks}) AND {_ELIGIBLE}", tuple(ids), {"pk__in": ids})


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
    the same normalised number, or the same gross total dated near the batch."""
    if invoices.is_empty():
        return pl.DataFrame(schema=INVOICES_SCHEMA)
    window = datetime.timedelta(days=DUPLICATE_WINDOW_DAYS)
    low = invoices["invoice_date"].min() - window
    high = invoices["invoice_date"].max() + window
    not_batch, params = batch.on("e")
    in_batch, batch_params = batch.on("b")
    sql = (
        f"SELECT {_invoice_columns('e')} "  # noqa: S608
        f"FROM finance_supplierinvoice e WHERE NOT ({not_batch}) "
        f"AND e.kind = '{InvoiceKind.INVOICE}' AND e.status <> '{InvoiceStatus.REJECTED}' "
        f"AND EXISTS (SELECT 1 FROM finance_supplierinvoice b WHERE {in_batch} "
        "AND b.partner_id = e.partner_id AND (b.number_key = e.number_key "
        "OR (b.gross_total = e.gross_total AND e.invoice_date BETWEEN %s AND %s)))"
    )
    return _dated(_frame_raw(sql, (*params, *batch_params, low, high)), INVOICES_SCHEMA)


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
    opened, cleared = _keep_queue(batch, run, result, inputs["invoices"])
    now = timezone.now()
    where, params = batch.on("finance_supplierinvoice")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE finance_supplierinvoice SET matched_at = %s WHERE {where}",  # noqa: S608
            (now, *params),
        )
    refresh_payment_status(
        queryset=SupplierInvoice.objects.filter(**batch.orm)
        .filter(kind=InvoiceKind.INVOICE)
        .exclude(status=InvoiceStatus.REJECTED)
    )
    lines = result.lines.height
    matched = result.lines.filter(pl.col("status") == "matched").height
    run.invoices, run.lines = inputs["invoices"].height, lines
    run.exceptions_opened, run.exceptions_cleared = opened, cleared
    run.finished_at = timezone.now()
    run.save()
    return MatchOutcome(run, run.invoices, lines, matched, result)


def _keep_queue(batch: _Batch, run: MatchRun, result, invoices: pl.DataFrame) -> tuple[int, int]:
    """Write the run's exceptions into the queue; returns (opened, cleared)."""
    found = (
        result.exceptions.join(
            invoices.select("invoice_id", "currency"), on="invoice_id", how="left"
        )
        .with_columns(
            fingerprint=pl.concat_str(
                [
                    pl.col("invoice_id").cast(pl.String),
                    pl.col("invoice_line_id").cast(pl.String).fill_null("-"),
                    pl.col("type"),
                ],
                separator=":",
            ),
            # Money scale to cents, half up (amounts at stake are never negative).
            amount=fmt((pl.col("amount_at_stake") + 50) // 100, 2),
        )
        .unique("fingerprint", keep="first", maintain_order=True)
    )
    where, params = batch.on("i")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT e.id, e.fingerprint, e.status, e.severity, e.amount_at_stake, e.detail "  # noqa: S608
            "FROM finance_matchexception e JOIN finance_supplierinvoice i "
            f"ON i.id = e.invoice_id WHERE {where} AND e.status <> %s",
            (*params, ExceptionStatus.RESOLVED),
        )
        existing = {row[1]: row for row in cursor.fetchall()}
    now = timezone.now()
    new_rows, changed, seen = [], [], set()
    for row in found.select(
        "fingerprint",
        "invoice_id",
        "invoice_line_id",
        "related_invoice_id",
        "type",
        "severity",
        "amount",
        "currency",
        "detail",
    ).iter_rows():
        fingerprint, invoice_id, line_id, related, kind, severity, amount, currency, detail = row
        seen.add(fingerprint)
        old = existing.get(fingerprint)
        if old is None:
            new_rows.append(
                (
                    invoice_id,
                    line_id,
                    related,
                    kind,
                    severity,
                    amount,
                    currency,
                    detail[:400],
                    fingerprint,
                    run.pk,
                    run.pk,
                    now,
                    ExceptionStatus.OPEN,
                )
            )
        elif (old[3], f"{old[4]:.2f}" if old[4] is not None else None, old[5]) != (
            severity,
            amount,
            detail[:400],
        ):
            changed.append((severity, amount, detail[:400], run.pk, old[0]))
    gone = [
        row[0]
        for fingerprint, row in existing.items()
        if fingerprint not in seen and row[2] == ExceptionStatus.OPEN
    ]
    with connection.cursor() as cursor:
        for offset in range(0, len(new_rows), CHUNK):
            cursor.executemany(
                "INSERT INTO finance_matchexception (invoice_id, invoice_line_id, "
                "related_invoice_id, type, severity, amount_at_stake, currency, detail, "
                "fingerprint, first_run_id, last_run_id, opened_at, status, reason_code, "
                "resolution, justification, recovered_amount) VALUES (%s, %s, %s, %s, %s, "
                "%s, %s, %s, %s, %s, %s, %s, %s, '', '', '', 0)",
                new_rows[offset : offset + CHUNK],
            )
        if changed:
            cursor.executemany(
                "UPDATE finance_matchexception SET severity = %s, amount_at_stake = %s, "
                "detail = %s, last_run_id = %s WHERE id = %s",
                changed,
            )
        for offset in range(0, len(gone), 500):
            ids = gone[offset : offset + 500]
            cursor.execute(
                "UPDATE finance_matchexception SET status = %s, resolution = %s, "  # noqa: S608
                "resolved_at = %s, last_run_id = %s, justification = %s "
                f"WHERE id IN ({', '.join(['%s'] * len(ids))})",
                (
                    ExceptionStatus.RESOLVED,
                    Resolution.CLEARED,
                    now,
                    run.pk,
                    f"No longer found by run {run.pk}.",
                    *ids,
                ),
            )
    return len(new_rows), len(gone)
