"""Duplicate invoices: the same invoice again (exact) and the likely ones.

Invoice numbers are compared normalised: upper case, leading zeros of every run of digits
dropped, then everything but letters and digits removed and leading zeros of the whole dropped
("inv-0042", "INV 42" and "Inv.042" all become "INV42").

A batch invoice is compared with the invoices of the same partner that come before it: every
existing invoice (another invoice_id; the caller passes the earlier, non-cancelled ones) and
the batch invoices earlier in (invoice_date, invoice_id) order.

- exact: the same normalised number → "duplicate", block, related to the earliest such invoice;
- likely (only without an exact one): another number but the same currency and gross total and
  invoice dates at most ``window_days`` apart (exactly ``window_days`` counts) → "duplicate",
  warn, related to the earliest such invoice.

The amount at stake is the flagged invoice's gross total.
"""

import re

import polars as pl

from partnerdesk.finance.engines import (
    EXCEPTIONS_SCHEMA,
    INVOICES_SCHEMA,
    ExceptionType,
    Severity,
    text,
)

col = pl.col
_ZEROS = r"(^|[^0-9])0+([0-9])"  # zeros leading a run of digits
_COLUMNS = ["invoice_id", "partner_id", "number", "invoice_date", "gross_total", "currency"]


def normalise_number(number: str) -> str:
    """The normalised form of an invoice number (the same as ``normalised_number``)."""
    value = re.sub(_ZEROS, r"\1\2", number.upper())
    value = "".join(ch for ch in value if ch.isalnum())
    return re.sub(r"^0+(.)", r"\1", value)


def normalised_number(number: pl.Expr) -> pl.Expr:
    """``normalise_number`` as a vectorised expression."""
    value = number.str.to_uppercase().str.replace_all(_ZEROS, "${1}${2}")
    return value.str.replace_all(r"[^\p{L}\p{N}]", "").str.replace(r"^0+(.)", "${1}")


def _earliest_before(batch: pl.DataFrame, pool: pl.DataFrame, on: list[str], keep: pl.Expr):
    """Per batch invoice, the earliest invoice of ``pool`` before it that matches."""
    same_day_before = (col("invoice_date_o") == col("invoice_date")) & (
        col("invoice_id_o") < col("invoice_id")
    )
    before = ~col("batch") | (col("invoice_date_o") < col("invoice_date")) | same_day_before
    pairs = batch.join(pool, on=on, suffix="_o")
    pairs = pairs.filter((col("invoice_id_o") != col("invoice_id")) & before & keep)
    pairs = pairs.sort("invoice_id", "invoice_date_o", "invoice_id_o")
    return pairs.unique("invoice_id", keep="first", maintain_order=True)


def find_duplicates(
    invoices: pl.DataFrame, existing: pl.DataFrame | None = None, *, window_days: int = 7
) -> pl.DataFrame:
    """Duplicate exceptions (EXCEPTIONS_SCHEMA) of the ``invoices`` batch; both frames follow
    INVOICES_SCHEMA (only invoice_id, partner_id, number, invoice_date, gross_total and currency
    are read)."""
    if window_days < 0:
        raise ValueError("window_days must not be negative")
    if existing is None:
        existing = pl.DataFrame(schema=INVOICES_SCHEMA)
    batch = invoices.select(_COLUMNS).with_columns(norm=normalised_number(col("number")))
    others = existing.select(_COLUMNS).join(batch, on="invoice_id", how="anti")
    others = others.with_columns(norm=normalised_number(col("number")))
    pool = pl.concat([batch.with_columns(batch=pl.lit(True)), others.with_columns(batch=False)])
    exact = _earliest_before(batch, pool, ["partner_id", "norm"], pl.lit(True))
    days = (col("invoice_date") - col("invoice_date_o")).dt.total_days().abs()
    likely = _earliest_before(
        batch,
        pool,
        ["partner_id", "currency", "gross_total"],
        (col("norm") != col("norm_o")) & (days <= window_days),
    ).join(exact.select("invoice_id"), on="invoice_id", how="anti")
    found = [
        (exact, Severity.BLOCK, "same number as invoice {invoice_id_o} ({number} vs {number_o},"
         " dated {invoice_date_o})"),
        (likely.with_columns(days=days), Severity.WARN, "likely duplicate of invoice"
         " {invoice_id_o} ({number_o}): same gross {gross_total:m} {currency}, dated"
         " {invoice_date_o}, {days} days apart"),
    ]  # fmt: skip
    out = pl.concat(
        [
            pairs.select(
                "invoice_id",
                invoice_line_id=pl.lit(None, pl.Int64),
                type=pl.lit(ExceptionType.DUPLICATE.value),
                severity=pl.lit(severity.value),
                amount_at_stake="gross_total",
                detail=text(template),
                related_invoice_id="invoice_id_o",
            )
            for pairs, severity, template in found
        ]
    )
    return out.cast(EXCEPTIONS_SCHEMA).sort("invoice_id")
