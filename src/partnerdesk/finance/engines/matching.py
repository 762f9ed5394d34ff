"""Invoice matching, 2-, 3- and 4-way, per line, in bulk: exact, vectorised Polars.

Inputs and scales: see the package module (``partnerdesk.finance.engines``). Products are taken
in Int128 and rounded half up (away from zero) to the scale of the result.

Rules ("line" = invoice line, "PO line" = the one it references):

- **References.** Price: the PO unit price. Quantity basis by the PO line's ``match_mode``:
  2way ordered, 3way the sum received less what inspection rejected (returned or scrapped
  goods are not billable), 4way the sum accepted by inspection. Quantity reference
  = basis - quantity invoiced before (``prior_invoiced`` plus the earlier lines of this batch on
  the PO line in invoice_date, invoice_id, invoice_line_id order), never below 0. Amount
  reference = min(line qty, quantity reference) * PO price. Variance = invoice - reference.
- **Tolerance** per dimension (price, qty, amount) of the line's profile: within when
  |variance| <= pct % of the reference and/or |variance| <= abs; with both given, ``combine``
  "and" needs both, "or" either; exactly at a limit is within; with neither, zero tolerance.
  Amount differences of up to one minor unit of the currency (rounding) are always within.
  Out of tolerance above (variance > 0) blocks, below (variance < 0) warns.
- **Profile** of a line: the most specific wins: partner + category > partner > category > the
  one default (partner and category null). The category is the PO line's ("" = none).
- **Exceptions** ("block" unless said) and the amount at stake of each: what the company would
  overpay if it paid as invoiced, never below 0. "Unit value" is the PO price, or the invoice
  price when the currencies differ.

  - missing_po: no PO line, an unknown one or another partner's; the line amount. The checks
    against the PO (all but tax and arithmetic) are skipped.
  - currency: line currency != PO currency; the line amount. Price and amount not compared.
  - missing_receipt: 3way/4way and nothing received; the line amount. Quantity and amount
    not compared.
  - quality_hold: receipts on quality hold (any mode); min(line qty, qty on hold) * unit value.
  - awaiting_inspection: 4way only, receipts not inspected yet (qty_accepted null, not on
    hold); min(line qty - the quantity counted as on hold, qty pending) * unit value, so the two
    together never stake more than the line.
  - over_billing: invoiced before + this line > ordered, no tolerance; the excess (at most the
    line qty) * unit value.
  - price_variance: variance * line qty. quantity_variance: variance * unit value.
    amount_variance (added to the issue's list): the variance.
  - tax_mismatch: tax_amount != amount * tax_rate_pct (when a rate is given), or the invoice's
    tax_total != the sum of its line taxes; the excess.
  - arithmetic (added): amount != qty * unit_price, net_total != the sum of line amounts, or
    gross_total != net_total + tax_total; the excess. Tax and arithmetic allow one minor unit
    of the currency (rounding) and block either way.
  - duplicate (invoice-level): see ``duplicates``; the gross total.
- **Status** of a line: the worst of its exceptions ("block" > "warn"), else "matched"; of an
  invoice: the worst of its lines and its invoice-level exceptions.
"""

from collections.abc import Mapping

import polars as pl

from partnerdesk.core.currencies import MINOR_UNITS
from partnerdesk.finance.engines import (
    EXCEPTIONS_SCHEMA,
    INVOICE_LINES_SCHEMA,
    INVOICES_SCHEMA,
    LINES_COLUMNS,
    PCT_SCALE,
    PO_LINES_SCHEMA,
    PRIOR_INVOICED_SCHEMA,
    PROFILES_SCHEMA,
    RECEIPT_LINES_SCHEMA,
    ExceptionType,
    MatchMode,
    MatchResult,
    Severity,
    conform,
    div_half_up,
    fmt,
    mul_scaled,
    positive,
    text,
)
from partnerdesk.finance.engines.duplicates import find_duplicates

I64 = pl.Int64


# --- expressions ---------------------------------------------------------------------------

col = pl.col


def _within(dim: str) -> pl.Expr:
    """Whether the variance of ``dim`` is within its tolerance (exactly at a limit is within)."""
    pct, abs_, ref = col(f"{dim}_pct"), col(f"{dim}_abs"), col(f"{dim}_ref")
    a = col(f"{dim}_variance").abs().cast(pl.Int128)
    pct_ok, abs_ok = a * (100 * PCT_SCALE) <= pct.cast(pl.Int128) * ref, a <= abs_
    either = pct_ok.fill_null(False) | abs_ok.fill_null(False)
    both = (
        pct_ok.fill_null(True) & abs_ok.fill_null(True) & (pct.is_not_null() | abs_.is_not_null())
    )
    return (a == 0) | pl.when(col("combine") == "or").then(either).otherwise(both)


def _variance_text(head: str | pl.Expr, dim: str, kind: str) -> pl.Expr:
    """``head: +variance (+share %) outside tolerance ... (profile n)`` of one dimension."""
    v, ref = col(f"{dim}_variance"), col(f"{dim}_ref")
    share = div_half_up(v.cast(pl.Int128) * (100 * PCT_SCALE), ref.cast(pl.Int128))
    share = pl.when(ref > 0).then(fmt(share, 2, signed=True) + " %").otherwise(pl.lit("n/a"))
    p, a = text(f"{{{dim}_pct:p}} %"), text(f"{{{dim}_abs:{kind}}}")
    tolerance = pl.coalesce(
        pl.concat_str([p, col("combine"), a], separator=" "), p, a, pl.lit("zero")
    )
    return pl.concat_str(
        [text(head) if isinstance(head, str) else head, text(f": {{{dim}_variance:+{kind}}} (")]
        + [share, pl.lit(") outside tolerance ")]
        + [tolerance, text(" (profile {profile_id})")]
    )


# --- the line frame ------------------------------------------------------------------------


def resolve_profiles(profiles: pl.DataFrame, keys: pl.DataFrame | pl.LazyFrame):
    """The distinct (partner_id, category) rows of ``keys`` ("" = no category) with the
    profile_id that applies (a LazyFrame for a LazyFrame); raises ValueError unless there is
    exactly one default profile and at most one per partner and category."""
    prof = conform(profiles, PROFILES_SCHEMA, "profiles")
    prof = prof.with_columns(category=pl.when(col("category") != "").then("category"))
    has_p, has_c = col("partner_id").is_not_null(), col("category").is_not_null()
    default = prof.filter(~has_p & ~has_c)["profile_id"]
    if default.len() != 1:
        raise ValueError(f"exactly one default profile is required, found {default.len()}")
    if prof.select(pl.struct("partner_id", "category").is_duplicated().any()).item():
        raise ValueError("two profiles for the same partner and category")
    if prof["profile_id"].is_duplicated().any():
        raise ValueError("profile_id must be unique")
    if not prof["combine"].is_in(["and", "or"]).fill_null(False).all():
        raise ValueError('profile combine must be "and" or "or"')
    out = keys.lazy().select("partner_id", "category").unique()
    tiers = [(has_p & has_c, ["partner_id", "category"]), (has_p & ~has_c, ["partner_id"])]
    for i, (mask, on) in enumerate([*tiers, (~has_p & has_c, ["category"])]):
        tier = prof.lazy().filter(mask).select(*on, col("profile_id").alias(f"_p{i}"))
        out = out.join(tier, on=on, how="left")
    fallback = pl.lit(default.item(), I64)
    out = out.select(
        "partner_id", "category", profile_id=pl.coalesce("_p0", "_p1", "_p2", fallback)
    )
    return out if isinstance(keys, pl.LazyFrame) else out.collect()


def _prepare(po, receipts, lines, invoices, prior, profiles) -> pl.LazyFrame:
    """Invoice lines with their invoice, PO line, receipt and prior sums and the profile."""
    if not po["match_mode"].is_in([m.value for m in MatchMode]).fill_null(False).all():
        raise ValueError(f"match_mode must be one of {[m.value for m in MatchMode]}")
    if (
        po["po_line_id"].n_unique() < po.height
        or invoices["invoice_id"].n_unique() < invoices.height
    ):
        raise ValueError("po_line_id and invoice_id must be unique")
    if lines.join(invoices, on="invoice_id", how="anti").height:
        raise ValueError("invoice lines reference invoices missing from the invoices frame")
    pending = col("qty_accepted").is_null() & ~col("on_hold")
    rec = (
        receipts.lazy()
        .group_by("po_line_id")
        .agg(
            col("qty_received", "qty_accepted").sum(),
            qty_rejected=col("qty_rejected").fill_null(0).sum(),
            qty_on_hold=pl.when("on_hold").then("qty_received").otherwise(0).sum(),
            qty_pending=pl.when(pending).then("qty_received").otherwise(0).sum(),
        )
    )
    pri = prior.lazy().group_by("po_line_id").agg(qty_before=col("qty").sum())
    # Keys of the profiles: a valid PO line's partner and category, else the invoice's partner.
    keys = pl.concat(
        [
            po.lazy().select("partner_id", category=col("category").fill_null("")),
            invoices.lazy().select("partner_id", category=pl.lit("")),
        ]
    )
    keys = resolve_profiles(profiles, keys).join(
        profiles.lazy().select(pl.exclude("partner_id", "category")), on="profile_id"
    )
    po_cols = ["partner_id", "category", "qty_ordered", "unit_price", "currency", "match_mode"]
    ok = col("po_partner_id").eq(col("partner_id")).fill_null(False)
    lf = (
        lines.lazy()
        .join(invoices.lazy().select("invoice_id", "partner_id", "invoice_date"), on="invoice_id")
        .join(
            po.lazy().select("po_line_id", *(col(c).name.prefix("po_") for c in po_cols)),
            on="po_line_id",
            how="left",
        )
        .with_columns(po_ok=ok)
    )
    # Earlier lines of this batch on the same (valid) PO line: only shared PO lines are sorted.
    shared = lf.filter(col("po_ok") & col("po_line_id").is_duplicated())
    shared = shared.sort("po_line_id", "invoice_date", "invoice_id", "invoice_line_id")
    earlier = shared.select(
        "invoice_line_id", earlier=col("qty").cum_sum().over("po_line_id") - col("qty")
    )
    return (
        lf.join(earlier, on="invoice_line_id", how="left")
        .join(rec, on="po_line_id", how="left")
        .join(pri, on="po_line_id", how="left")
        .with_columns(
            col("^qty_(received|accepted|rejected|on_hold|pending|before)$", "earlier").fill_null(
                0
            ),
            category=pl.when("po_ok").then(col("po_category").fill_null("")).otherwise(pl.lit("")),
            match_mode=col("po_match_mode"),
        )
        .join(keys, on=["partner_id", "category"], how="left")
    )


def _references(df: pl.LazyFrame, allowance: pl.Expr) -> pl.LazyFrame:
    mode, same = col("match_mode"), (col("currency") == col("po_currency")).fill_null(False)
    basis = pl.when(mode == "2way").then("po_qty_ordered").when(mode == "3way")
    df = df.with_columns(
        qty_basis=basis.then(col("qty_received") - col("qty_rejected")).otherwise("qty_accepted"),
        qty_prior=col("qty_before") + col("earlier"),
        price_ref=col("po_unit_price"),
        same_currency=same,
        unit_value=pl.when(same).then("po_unit_price").otherwise("unit_price"),
        none_received=(mode != "2way") & (col("qty_received") == 0),
        held=col("qty_on_hold") + pl.when(mode == "4way").then("qty_pending").otherwise(0),
        allowance=allowance,
        amount_expected=mul_scaled("qty", "unit_price"),
        tax_expected=mul_scaled("amount", "tax_rate_pct", 100 * PCT_SCALE),
    ).with_columns(
        qty_ref=positive(col("qty_basis") - col("qty_prior")),
        price_variance=col("unit_price") - col("price_ref"),
        excess=col("qty_prior") + col("qty") - col("po_qty_ordered"),
        tax_diff=col("tax_amount") - col("tax_expected"),
        sum_diff=col("amount") - col("amount_expected"),
    )
    df = df.with_columns(
        qty_variance=col("qty") - col("qty_ref"),
        qty_capped=positive(pl.min_horizontal("qty", "qty_ref")),
    ).with_columns(amount_ref=mul_scaled("qty_capped", "price_ref"))
    ok, counted = col("po_ok"), col("po_ok") & ~col("none_received")
    return df.with_columns(
        amount_variance=col("amount") - col("amount_ref"),
    ).with_columns(
        c_missing_po=~ok,
        c_currency=ok & ~same,
        c_missing_receipt=ok & col("none_received"),
        c_hold=ok & (col("qty_on_hold") > 0),
        c_awaiting=ok & (col("held") > col("qty_on_hold")),
        c_over=ok & (col("excess") > 0),
        c_price=ok & same & ~_within("price"),
        c_qty=counted & ~_within("qty"),
        c_amount=counted
        & same
        & ~_within("amount")
        & (col("amount_variance").abs() > col("allowance")),
        c_tax=(col("tax_diff").abs() > col("allowance")).fill_null(False),
        c_sum=col("sum_diff").abs() > col("allowance"),
    )


# --- checks --------------------------------------------------------------------------------

T, BLOCK = ExceptionType, pl.lit(Severity.BLOCK.value)


def _by_sign(dim: str) -> pl.Expr:
    return pl.when(col(f"{dim}_variance") > 0).then(BLOCK).otherwise(pl.lit(Severity.WARN.value))


def _line_checks() -> list[tuple[ExceptionType, str, pl.Expr, pl.Expr, pl.Expr]]:
    """(type, condition column, severity, amount at stake, detail) per line-level check."""
    line = positive(col("amount"))
    po = col("po_line_id")
    missing_po = pl.when(po.is_null()).then(pl.lit("no PO line referenced"))
    missing_po = missing_po.when(col("po_partner_id").is_null()).then(
        text("PO line {po_line_id} not found")
    )
    missing_po = missing_po.otherwise(
        text("PO line {po_line_id} is partner {po_partner_id}'s, not partner {partner_id}'s")
    )
    hold = text("PO line {po_line_id}: {qty_on_hold:q} on quality hold")
    awaiting = text("PO line {po_line_id}: {qty_pending:q} received, awaiting inspection")
    currency = text("invoice line in {currency}, PO line {po_line_id} in {po_currency}")
    receipt = text("nothing received on PO line {po_line_id} ({match_mode} match)")
    over = text(
        "invoiced {qty_prior:q} before + {qty:q} on this line > ordered {po_qty_ordered:q}:"
        " {excess:q} over"
    )
    price = _variance_text("price {unit_price:m} vs PO {price_ref:m}", "price", "m")
    mode = col("match_mode")
    basis = pl.when(mode == "2way").then(pl.lit("ordered")).when(mode == "3way")
    basis = basis.then(pl.lit("received")).otherwise(pl.lit("accepted"))
    qty = text("quantity {qty:q} vs {qty_ref:q} (")
    qty += basis + text(" {qty_basis:q} - invoiced before {qty_prior:q})")
    qty = _variance_text(qty, "qty", "q")
    amount = _variance_text(
        "amount {amount:m} vs {amount_ref:m} ({qty_capped:q} at PO price {price_ref:m})",
        "amount",
        "m",
    )
    tax = text(
        "tax {tax_amount:m} vs {tax_rate_pct:p} % of {amount:m} = {tax_expected:m}: {tax_diff:+m}"
    )
    arithmetic = text(
        "amount {amount:m} vs {qty:q} at {unit_price:m} = {amount_expected:m}: {sum_diff:+m}"
    )
    on_hold = pl.min_horizontal("qty", "qty_on_hold")
    pending = pl.min_horizontal(col("qty") - on_hold, col("held") - col("qty_on_hold"))
    over_qty = pl.min_horizontal("qty", "excess")
    price_stake = mul_scaled("price_variance", "qty")
    qty_stake = mul_scaled("qty_variance", "unit_value")
    # fmt: off
    return [
        (T.MISSING_PO, "c_missing_po", BLOCK, line, missing_po),
        (T.CURRENCY, "c_currency", BLOCK, line, currency),
        (T.MISSING_RECEIPT, "c_missing_receipt", BLOCK, line, receipt),
        (T.QUALITY_HOLD, "c_hold", BLOCK, mul_scaled(on_hold, col("unit_value")), hold),
        (T.AWAITING_INSPECTION, "c_awaiting", BLOCK, mul_scaled(pending, col("unit_value")),
         awaiting),
        (T.OVER_BILLING, "c_over", BLOCK, mul_scaled(over_qty, col("unit_value")), over),
        (T.PRICE_VARIANCE, "c_price", _by_sign("price"), positive(price_stake), price),
        (T.QUANTITY_VARIANCE, "c_qty", _by_sign("qty"), positive(qty_stake), qty),
        (T.AMOUNT_VARIANCE, "c_amount", _by_sign("amount"), positive(col("amount_variance")),
         amount),
        (T.TAX_MISMATCH, "c_tax", BLOCK, positive(col("tax_diff")), tax),
        (T.ARITHMETIC, "c_sum", BLOCK, positive(col("sum_diff")), arithmetic),
    ]
    # fmt: on


def _invoice_checks() -> list[tuple[ExceptionType, str, pl.Expr, pl.Expr, pl.Expr]]:
    # fmt: off
    return [
        (T.TAX_MISMATCH, "c_tax", BLOCK, positive(col("tax_diff")),
         text("tax total {tax_total:m} vs sum of line taxes {line_tax:m}: {tax_diff:+m}")),
        (T.ARITHMETIC, "c_net", BLOCK, positive(col("net_diff")),
         text("net total {net_total:m} vs sum of line amounts {line_net:m}: {net_diff:+m}")),
        (T.ARITHMETIC, "c_gross", BLOCK, positive(col("gross_diff")),
         text("gross total {gross_total:m} vs net {net_total:m} + tax {tax_total:m}:"
              " {gross_diff:+m}")),
    ]
    # fmt: on


def _heads(invoices: pl.DataFrame, lines: pl.DataFrame, allowance: pl.Expr) -> pl.DataFrame:
    sums = lines.group_by("invoice_id").agg(
        line_net=pl.sum("amount"), line_tax=pl.sum("tax_amount")
    )
    heads = invoices.join(sums, on="invoice_id", how="left").with_columns(
        col("line_net", "line_tax").fill_null(0), allowance=allowance
    )
    heads = heads.with_columns(
        tax_diff=col("tax_total") - col("line_tax"),
        net_diff=col("net_total") - col("line_net"),
        gross_diff=col("gross_total") - col("net_total") - col("tax_total"),
    )
    limit = col("allowance")
    return heads.with_columns(
        c_tax=col("tax_diff").abs() > limit,
        c_net=col("net_diff").abs() > limit,
        c_gross=col("gross_diff").abs() > limit,
    )


def _exceptions(df: pl.DataFrame, checks: list, line_id: pl.Expr) -> list[pl.LazyFrame]:
    return [
        df.lazy()
        .filter(condition)
        .select(
            "invoice_id",
            line_id.cast(I64).alias("invoice_line_id"),
            type=pl.lit(kind.value),
            severity=severity,
            amount_at_stake=stake,
            detail=detail,
            related_invoice_id=pl.lit(None, I64),
        )
        for kind, condition, severity, stake, detail in checks
    ]


def _status(rank: pl.Expr) -> pl.Expr:
    return rank.fill_null(0).replace_strict({2: "block", 1: "warn"}, default="matched")


def match_invoices(
    *,
    po_lines: pl.DataFrame,
    receipt_lines: pl.DataFrame,
    invoice_lines: pl.DataFrame,
    invoices: pl.DataFrame,
    profiles: pl.DataFrame,
    prior_invoiced: pl.DataFrame | None = None,
    existing_invoices: pl.DataFrame | None = None,
    duplicate_window_days: int = 7,
    minor_units: Mapping[str, int] | None = None,
) -> MatchResult:
    """Match a batch of invoices against PO and receipt lines (rules: the module docstring).

    ``existing_invoices`` (INVOICES_SCHEMA) are earlier invoices for the duplicate check;
    ``minor_units`` maps currency to decimals for the rounding allowance (defaults:
    ``core.currencies.MINOR_UNITS``, else 2).
    """
    lines = conform(invoice_lines, INVOICE_LINES_SCHEMA, "invoice_lines")
    invs = conform(invoices, INVOICES_SCHEMA, "invoices")
    units = {**MINOR_UNITS, **(minor_units or {})}
    allowance = col("currency").replace_strict(
        {c: 10 ** max(0, 4 - places) for c, places in units.items()}, default=100, return_dtype=I64
    )
    df = _prepare(
        conform(po_lines, PO_LINES_SCHEMA, "po_lines"),
        conform(receipt_lines, RECEIPT_LINES_SCHEMA, "receipt_lines"),
        lines,
        invs,
        conform(prior_invoiced, PRIOR_INVOICED_SCHEMA, "prior_invoiced"),
        conform(profiles, PROFILES_SCHEMA, "profiles"),
    )
    df = _references(df, allowance).collect()
    parts = _exceptions(df, _line_checks(), col("invoice_line_id"))
    parts += _exceptions(_heads(invs, lines, allowance), _invoice_checks(), pl.lit(None))
    existing = conform(existing_invoices, INVOICES_SCHEMA, "existing_invoices")
    parts.append(find_duplicates(invs, existing, window_days=duplicate_window_days).lazy())
    exceptions = (
        pl.concat(parts)
        .cast(EXCEPTIONS_SCHEMA)
        .sort("invoice_id", "invoice_line_id", "type", maintain_order=True)
        .collect()
    )
    ranked = exceptions.select(
        "invoice_id",
        "invoice_line_id",
        rank=pl.when(col("severity") == "block").then(2).otherwise(1),
    )
    line_rank = ranked.drop_nulls("invoice_line_id").group_by("invoice_line_id").agg(pl.max("rank"))
    inv_rank = ranked.group_by("invoice_id").agg(pl.max("rank"))
    refs = col("^(qty_(basis|prior|ref|variance)|(price|amount)_(ref|variance))$")
    out = (
        df.select(*(c for c in LINES_COLUMNS if c != "status"), "po_ok")
        .with_columns(pl.when("po_ok").then(refs).name.keep())
        .join(line_rank, on="invoice_line_id", how="left")
    )
    status = _status(col("rank")).alias("status")
    return MatchResult(
        lines=out.select(status if c == "status" else col(c) for c in LINES_COLUMNS).sort(
            "invoice_line_id"
        ),
        exceptions=exceptions,
        invoices=invs.select("invoice_id", "partner_id")
        .join(inv_rank, on="invoice_id", how="left")
        .select("invoice_id", "partner_id", status)
        .sort("invoice_id"),
    )
