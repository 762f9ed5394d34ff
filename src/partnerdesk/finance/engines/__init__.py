"""Pure finance engines (invoice matching, duplicates): no Django imports.

This package module holds what the engines share: the integer scales, the exception and match
vocabulary, the input and output schemas, and the converters between records with ``Decimal``
values and frames.

Values are integer-scaled so that every comparison is exact: quantities * ``QTY_SCALE``
(1,000), unit prices and money * ``MONEY_SCALE`` (10,000), percentages * ``PCT_SCALE`` (100:
2.5 % -> 250). Input frames follow the ``*_SCHEMA`` dicts (Polars dtypes; columns non-null
unless marked nullable; extra columns are ignored). ``frame(schema, records)`` builds one from
plain records with ``Decimal`` values (tests, single-invoice re-matching, the demo);
``records(frame)`` turns any frame back into dicts with ``Decimal`` values.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

import polars as pl

QTY_SCALE = 1_000
MONEY_SCALE = 10_000
PCT_SCALE = 100
I64, STR = pl.Int64, pl.String


class MatchMode(StrEnum):
    TWO_WAY = "2way"
    THREE_WAY = "3way"
    FOUR_WAY = "4way"


class Severity(StrEnum):
    WARN = "warn"
    BLOCK = "block"


class ExceptionType(StrEnum):
    PRICE_VARIANCE = "price_variance"
    QUANTITY_VARIANCE = "quantity_variance"
    MISSING_RECEIPT = "missing_receipt"
    MISSING_PO = "missing_po"
    DUPLICATE = "duplicate"
    OVER_BILLING = "over_billing"
    TAX_MISMATCH = "tax_mismatch"
    QUALITY_HOLD = "quality_hold"
    AWAITING_INSPECTION = "awaiting_inspection"
    CURRENCY = "currency"
    AMOUNT_VARIANCE = "amount_variance"
    ARITHMETIC = "arithmetic"


# Scales: [Q] QTY_SCALE, [M] MONEY_SCALE, [P] PCT_SCALE.
# fmt: off
PO_LINES_SCHEMA = {
    "po_line_id": I64, "po_id": I64, "partner_id": I64,  # po_line_id unique
    "category": STR, "item": STR,  # category "" or null = none
    "qty_ordered": I64, "unit_price": I64,  # [Q], [M]
    "currency": STR, "match_mode": STR,  # MatchMode: "2way" | "3way" | "4way"
}
RECEIPT_LINES_SCHEMA = {
    "receipt_line_id": I64, "po_line_id": I64,
    "qty_received": I64,  # [Q]
    "qty_accepted": I64,  # [Q], nullable: not inspected yet
    "qty_rejected": I64,  # [Q], nullable; 3way bills what was received less this
    "on_hold": pl.Boolean,  # quality hold
}
INVOICE_LINES_SCHEMA = {
    "invoice_line_id": I64, "invoice_id": I64,  # line id unique; invoice_id in the invoices frame
    "po_line_id": I64,  # nullable: no PO reference
    "qty": I64, "unit_price": I64, "amount": I64, "tax_amount": I64,  # [Q], [M], [M] net, [M]
    "tax_rate_pct": I64,  # [P], nullable: no line tax check
    "currency": STR,
}
INVOICES_SCHEMA = {
    "invoice_id": I64, "partner_id": I64, "number": STR, "invoice_date": pl.Date,  # id unique
    "net_total": I64, "tax_total": I64, "gross_total": I64, "currency": STR,  # [M]
}
PRIOR_INVOICED_SCHEMA = {"po_line_id": I64, "qty": I64}  # [Q], summed per PO line
PROFILES_SCHEMA = {
    "profile_id": I64, "partner_id": I64, "category": STR,  # partner, category nullable
    "price_pct": I64, "price_abs": I64,  # nullable: [P], [M] per unit
    "qty_pct": I64, "qty_abs": I64,  # nullable: [P], [Q]
    "amount_pct": I64, "amount_abs": I64,  # nullable: [P], [M]
    "combine": STR,  # "and" | "or"
}
EXCEPTIONS_SCHEMA = {
    "invoice_id": I64, "invoice_line_id": I64,  # line null: invoice-level
    "type": STR, "severity": STR,  # ExceptionType, Severity
    "amount_at_stake": I64, "detail": STR,  # [M] >= 0, English explanation
    "related_invoice_id": I64,  # nullable: the earlier invoice of a duplicate
}
LINES_COLUMNS = [  # the lines frame of a match result; references null without a valid PO line
    "invoice_line_id", "invoice_id", "po_line_id", "status", "profile_id", "match_mode", "qty",
    "qty_basis", "qty_prior", "qty_ref", "qty_variance", "unit_price", "price_ref",
    "price_variance", "amount", "amount_ref", "amount_variance",
]
QTY_COLUMNS = frozenset([
    "qty", "qty_ordered", "qty_received", "qty_accepted", "qty_rejected", "qty_abs", "qty_basis",
    "qty_prior", "qty_ref", "qty_variance",
])
MONEY_COLUMNS = frozenset([
    "unit_price", "amount", "tax_amount", "net_total", "tax_total", "gross_total", "price_abs",
    "amount_abs", "price_ref", "price_variance", "amount_ref", "amount_variance", "amount_at_stake",
])
PCT_COLUMNS = frozenset(["tax_rate_pct", "price_pct", "qty_pct", "amount_pct"])
# fmt: on
_DEFAULTS = {"on_hold": False, "combine": "and"}


def _scaled(value: Decimal | int | str, scale: int) -> int:
    return int((Decimal(value) * scale).to_integral_value(rounding=ROUND_HALF_UP))


def to_qty(value: Decimal | int | str) -> int:
    """A quantity in QTY_SCALE units (rounded half up beyond 3 decimals)."""
    return _scaled(value, QTY_SCALE)


def to_money(value: Decimal | int | str) -> int:
    """Money or a unit price in MONEY_SCALE units (rounded half up beyond 4 decimals)."""
    return _scaled(value, MONEY_SCALE)


def to_pct(value: Decimal | int | str) -> int:
    """A percentage in PCT_SCALE units: 2.5 → 250."""
    return _scaled(value, PCT_SCALE)


def from_qty(value: int) -> Decimal:
    return Decimal(value).scaleb(-3)


def from_money(value: int) -> Decimal:
    return Decimal(value).scaleb(-4)


def from_pct(value: int) -> Decimal:
    return Decimal(value).scaleb(-2)


_TO = {"q": to_qty, "m": to_money, "p": to_pct}
_FROM = {"q": from_qty, "m": from_money, "p": from_pct}
_KIND = {c: "q" for c in QTY_COLUMNS} | {c: "m" for c in MONEY_COLUMNS}
_KIND |= {c: "p" for c in PCT_COLUMNS}


def frame(schema: Mapping[str, Any], rows: Iterable[Mapping[str, Any]]) -> pl.DataFrame:
    """A frame of ``schema`` from records (dicts) with Decimal values; missing keys are null
    (``on_hold`` defaults to False, ``combine`` to "and")."""

    def cell(row: Mapping[str, Any], c: str) -> Any:
        value = row.get(c, _DEFAULTS.get(c))
        return _TO[_KIND[c]](value) if c in _KIND and value is not None else value

    return pl.DataFrame([{c: cell(r, c) for c in schema} for r in rows], schema=dict(schema))


def records(df: pl.DataFrame) -> list[dict[str, Any]]:
    """Rows of a (small) frame as dicts, scaled columns back to ``Decimal``."""
    return [
        {k: _FROM[_KIND[k]](v) if k in _KIND and v is not None else v for k, v in row.items()}
        for row in df.iter_rows(named=True)
    ]


def div_half_up(num: pl.Expr, den: pl.Expr | int) -> pl.Expr:
    """num / den (den > 0) rounded half away from zero, exactly (Int128 inside), as Int64."""
    n = num.cast(pl.Int128)
    d = pl.lit(den, pl.Int128) if isinstance(den, int) else den.cast(pl.Int128)
    q = ((n.abs() * 2 + d) // (d * 2)).cast(I64)
    return pl.when(n < 0).then(-q).otherwise(q)


def mul_scaled(a: pl.Expr | str, b: pl.Expr | str, den: int = QTY_SCALE) -> pl.Expr:
    """a * b / den rounded half up: with the default, quantity * price (or money) -> money."""
    a, b = (pl.col(e) if isinstance(e, str) else e for e in (a, b))
    return div_half_up(a.cast(pl.Int128) * b, den)


def positive(e: pl.Expr) -> pl.Expr:
    """``e``, or 0 where it is negative."""
    return pl.max_horizontal(e, pl.lit(0, I64))


def fmt(e: pl.Expr, places: int, *, signed: bool = False) -> pl.Expr:
    """A scaled integer expression as a decimal string with ``places`` decimals."""
    scale, a = 10**places, e.abs()
    sign = pl.when(e < 0).then(pl.lit("-")).otherwise(pl.lit("+" if signed else ""))
    frac = (a % scale).cast(STR).str.zfill(places)
    return pl.concat_str([sign, (a // scale).cast(STR), pl.lit("."), frac])


_FIELD = re.compile(r"\{(\w+)(?::(\+?)([qmp]))?\}")
_PLACES = {"q": 3, "m": 4, "p": 2}


def text(template: str) -> pl.Expr:
    """A string expression from a template: ``{column}`` as is, ``{column:m}`` money,
    ``{column:q}`` quantity, ``{column:p}`` percentage, ``{column:+m}`` with its sign."""
    parts, end = [], 0
    for field in _FIELD.finditer(template):
        name, sign, kind = field.groups()
        col = pl.col(name)
        e = fmt(col, _PLACES[kind], signed=bool(sign)) if kind else col.cast(STR)
        parts += [pl.lit(template[end : field.start()]), e]
        end = field.end()
    return pl.concat_str([*parts, pl.lit(template[end:])])


def conform(df: pl.DataFrame | None, schema: Mapping[str, Any], name: str) -> pl.DataFrame:
    """``df`` reduced to the columns of ``schema`` and cast to its dtypes (an empty frame for
    None); raises ValueError naming the missing columns."""
    if df is None:
        return pl.DataFrame(schema=dict(schema))
    missing = [c for c in schema if c not in df.columns]
    if missing:
        raise ValueError(f"{name} lacks columns {missing}")
    return df.select(pl.col(c).cast(t) for c, t in schema.items())


@dataclass(frozen=True)
class MatchResult:
    """``lines``: per invoice line its status, profile_id and the references and variances
    (``LINES_COLUMNS``); ``exceptions``: ``EXCEPTIONS_SCHEMA``; ``invoices``: invoice_id,
    partner_id, status."""

    lines: pl.DataFrame
    exceptions: pl.DataFrame
    invoices: pl.DataFrame

    def exception_records(self) -> list[dict[str, Any]]:
        return records(self.exceptions)
