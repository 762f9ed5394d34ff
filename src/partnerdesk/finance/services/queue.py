"""Keeping the exception queue after a matching run.

An exception is identified by its fingerprint (invoice, line, type). A run that finds an open
one again refreshes its severity, amount and detail; one it no longer finds (the receipt
arrived, the order was corrected) is resolved as cleared by that run.

A discrepancy that people have settled stays settled: an exception resolved as accepted (after
the second approval where one was needed) or by a credit note received covers later runs that
find the same fingerprint with an amount at stake no larger than the settled one. When the
amount grows (another partial invoice on the same line, a price raised again), a new exception
opens and says what was settled before. Data corrections and cleared exceptions settle
nothing: if a run finds the discrepancy again, it is open again.
"""

import polars as pl
from django.db import connection
from django.utils import timezone

from partnerdesk.finance.choices import ExceptionStatus, Resolution
from partnerdesk.finance.engines import MONEY_SCALE, fmt

# Not resolved, spelled out so that the (status, type) index finds them.
UNRESOLVED = tuple(s for s in ExceptionStatus.values if s != ExceptionStatus.RESOLVED)
SETTLING = (Resolution.ACCEPTED, Resolution.CREDIT_NOTE)
CHUNK = 5000


def placeholders(values) -> str:
    """``%s, %s, …``: one per value."""
    return ", ".join(["%s"] * len(values))


def _existing(batch) -> pl.DataFrame:
    where, params = batch.on("i")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT e.id, e.fingerprint, e.status, e.severity, e.amount_at_stake, e.detail "  # noqa: S608
            "FROM finance_matchexception e JOIN finance_supplierinvoice i "
            f"ON i.id = e.invoice_id WHERE {where} AND e.status IN ({placeholders(UNRESOLVED)})",
            (*params, *UNRESOLVED),
        )
        rows = cursor.fetchall()
    return pl.DataFrame(
        [
            (pk, key, status, severity, None if amount is None else f"{amount:.2f}", text)
            for pk, key, status, severity, amount, text in rows
        ],
        schema={
            "id": pl.Int64,
            "fingerprint": pl.String,
            "status": pl.String,
            "old_severity": pl.String,
            "old_amount": pl.String,
            "old_detail": pl.String,
        },
        orient="row",
    )


def _settled(batch) -> pl.DataFrame:
    """Per fingerprint of the batch's invoices, the largest amount people settled, scaled."""
    where, params = batch.on("i")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT e.fingerprint, MAX(CAST(ROUND(e.amount_at_stake * 100) AS INTEGER)) "  # noqa: S608
            "FROM finance_matchexception e JOIN finance_supplierinvoice i "
            f"ON i.id = e.invoice_id WHERE {where} AND e.status = %s "
            f"AND e.resolution IN ({placeholders(SETTLING)}) GROUP BY e.fingerprint",
            (*params, ExceptionStatus.RESOLVED, *SETTLING),
        )
        rows = cursor.fetchall()
    return pl.DataFrame(
        [(key, cents * (MONEY_SCALE // 100)) for key, cents in rows],
        schema={"fingerprint": pl.String, "settled": pl.Int64},
        orient="row",
    )


def keep_queue(batch, run, exceptions: pl.DataFrame, invoices: pl.DataFrame) -> tuple[int, int]:
    """Write the run's exceptions (``EXCEPTIONS_SCHEMA``) into the queue; returns (opened,
    cleared)."""
    found = (
        exceptions.join(invoices.select("invoice_id", "currency"), on="invoice_id", how="left")
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
            detail=pl.col("detail").str.slice(0, 400),
        )
        .unique("fingerprint", keep="first", maintain_order=True)
    )
    existing = _existing(batch)
    settled = _settled(batch)
    col = pl.col
    if settled.height:
        found = (
            found.join(settled, on="fingerprint", how="left")
            # Rounded to cents like the stored amounts: the same discrepancy compares equal.
            .filter(
                col("settled").is_null()
                | (((col("amount_at_stake") + 50) // 100) * 100 > col("settled"))
            )
            .with_columns(
                detail=pl.when(col("settled").is_null())
                .then(col("detail"))
                .otherwise(
                    pl.concat_str(
                        [
                            col("detail"),
                            pl.lit("; settled before up to "),
                            fmt(col("settled") // 100, 2),
                        ]
                    )
                )
                .str.slice(0, 400)
            )
            .drop("settled")
        )
    now = timezone.now()
    columns = ["invoice_id", "invoice_line_id", "related_invoice_id", "type", "severity"]
    columns += ["amount", "currency", "detail", "fingerprint"]
    new = found.join(existing, on="fingerprint", how="anti", maintain_order="left")
    new_rows = [
        (*row, run.pk, run.pk, now, ExceptionStatus.OPEN) for row in new.select(columns).rows()
    ]
    changed = (
        found.join(existing, on="fingerprint", how="inner")
        .filter(
            col("old_severity").ne_missing(col("severity"))
            | col("old_amount").ne_missing(col("amount"))
            | col("old_detail").ne_missing(col("detail"))
        )
        .select("severity", "amount", "detail", pl.lit(run.pk), "id")
        .rows()
    )
    # Unresolved ones not found any more (or now covered by a settlement) are cleared; those
    # awaiting a second approval or a credit note wait for people.
    gone = (
        existing.join(found.select("fingerprint"), on="fingerprint", how="anti")
        .filter(col("status") == ExceptionStatus.OPEN)["id"]
        .to_list()
    )
    _write(run, now, new_rows, changed, gone)
    return len(new_rows), len(gone)


def _write(run, now, new_rows, changed, gone) -> None:
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
                f"WHERE id IN ({placeholders(ids)})",
                (
                    ExceptionStatus.RESOLVED,
                    Resolution.CLEARED,
                    now,
                    run.pk,
                    f"No longer found by run {run.pk}.",
                    *ids,
                ),
            )
