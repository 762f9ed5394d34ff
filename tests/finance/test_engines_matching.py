"""The matching engine: references, tolerances at their limits, every exception type, 2/3/4-way,
partial and split documents, profile precedence. All values are worked out by hand."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import polars as pl
import pytest
from hypothesis import given, settings, strategies as st

from partnerdesk.finance.engines import (
    INVOICE_LINES_SCHEMA,
    INVOICES_SCHEMA,
    PO_LINES_SCHEMA,
    PRIOR_INVOICED_SCHEMA,
    PROFILES_SCHEMA,
    RECEIPT_LINES_SCHEMA,
    ExceptionType,
    frame,
    from_money,
    from_pct,
    from_qty,
    records,
    to_money,
    to_pct,
    to_qty,
)
from partnerdesk.finance.engines.matching import match_invoices, resolve_profiles

D = Decimal
T = ExceptionType
ZERO = {"profile_id": 1}  # the default profile: zero tolerance everywhere
LOOSE_AMOUNT = {"profile_id": 1, "amount_pct": D(1000)}


def quantize(value: Decimal, places: str = "0.0001") -> Decimal:
    return value.quantize(D(places), rounding=ROUND_HALF_UP)


def po(**kw):
    row = {"po_line_id": 1, "po_id": 1, "partner_id": 7, "category": "bolts", "item": "M8"}
    row |= {"qty_ordered": D(100), "unit_price": D(10), "currency": "EUR", "match_mode": "3way"}
    return row | kw


def receipt(**kw):
    return {"receipt_line_id": 1, "po_line_id": 1, "qty_received": D(100)} | kw


def line(**kw):
    row = {"invoice_line_id": 1, "invoice_id": 1, "po_line_id": 1, "qty": D(100)}
    row |= {"unit_price": D(10), "tax_rate_pct": D(19), "currency": "EUR"} | kw
    row.setdefault("amount", quantize(row["qty"] * row["unit_price"]))
    rate = row["tax_rate_pct"]
    row.setdefault("tax_amount", D(0) if rate is None else quantize(row["amount"] * rate / 100))
    return row


def invoices_for(lines, heads=None):
    """One invoice per invoice_id, totals adding up unless overridden in ``heads[id]``."""
    out = []
    for invoice_id in sorted({r["invoice_id"] for r in lines}):
        own = [r for r in lines if r["invoice_id"] == invoice_id]
        head = {"invoice_id": invoice_id, "partner_id": 7, "number": f"INV-{invoice_id}"}
        head |= {"invoice_date": date(2025, 3, 3), "currency": own[0]["currency"]}
        head |= {
            "net_total": sum(r["amount"] for r in own),
            "tax_total": sum(r["tax_amount"] for r in own),
        }
        head |= (heads or {}).get(invoice_id, {})
        head.setdefault("gross_total", head["net_total"] + head["tax_total"])
        out.append(head)
    return out


def run(lines, *, pos=None, receipts=None, profiles=None, prior=(), heads=None, **kw):
    return match_invoices(
        po_lines=frame(PO_LINES_SCHEMA, [po()] if pos is None else pos),
        receipt_lines=frame(RECEIPT_LINES_SCHEMA, [receipt()] if receipts is None else receipts),
        invoice_lines=frame(INVOICE_LINES_SCHEMA, lines),
        invoices=frame(INVOICES_SCHEMA, invoices_for(lines, heads)),
        profiles=frame(PROFILES_SCHEMA, profiles or [ZERO]),
        prior_invoiced=frame(PRIOR_INVOICED_SCHEMA, prior),
        **kw,
    )


def found(result):
    """{(type, severity, invoice_line_id)} of the exceptions."""
    return {(e["type"], e["severity"], e["invoice_line_id"]) for e in result.exception_records()}


def one(result, kind):
    matches = [e for e in result.exception_records() if e["type"] == kind]
    assert len(matches) == 1, result.exception_records()
    return matches[0]


def lines_of(result):
    return {r["invoice_line_id"]: r for r in records(result.lines)}


def status_of(result):
    return {r["invoice_id"]: r["status"] for r in records(result.invoices)}


# --- a clean match ---------------------------------------------------------------------------


def test_a_line_that_agrees_with_po_and_receipt_is_matched_with_its_references():
    result = run([line()])
    assert result.exceptions.is_empty()
    row = lines_of(result)[1]
    assert row["status"] == "matched"
    assert row["profile_id"] == 1
    assert (row["qty_basis"], row["qty_prior"], row["qty_ref"]) == (D(100), D(0), D(100))
    assert (row["price_ref"], row["amount_ref"]) == (D(10), D(1000))
    assert row["qty_variance"] == row["price_variance"] == row["amount_variance"] == 0
    assert status_of(result) == {1: "matched"}


# --- price, quantity and amount variance -----------------------------------------------------


def test_price_above_tolerance_blocks_with_variance_times_qty_at_stake():
    result = run([line(unit_price=D("10.50"))], profiles=[LOOSE_AMOUNT | {"price_pct": D(2)}])
    exc = one(result, T.PRICE_VARIANCE)
    assert (exc["severity"], exc["amount_at_stake"]) == ("block", D(50))
    assert exc["detail"] == (
        "price 10.5000 vs PO 10.0000: +0.5000 (+5.00 %) outside tolerance 2.00 % (profile 1)"
    )
    assert found(result) == {("price_variance", "block", 1)}
    assert lines_of(result)[1]["status"] == "block"
    assert status_of(result) == {1: "block"}


def test_price_below_tolerance_only_warns_and_puts_nothing_at_stake():
    result = run([line(unit_price=D("9.50"))], profiles=[LOOSE_AMOUNT | {"price_pct": D(2)}])
    exc = one(result, T.PRICE_VARIANCE)
    assert (exc["severity"], exc["amount_at_stake"]) == ("warn", D(0))
    assert "-0.5000 (-5.00 %)" in exc["detail"]
    assert lines_of(result)[1]["status"] == "warn"
    assert status_of(result) == {1: "warn"}


def test_quantity_above_the_received_blocks_with_variance_times_po_price():
    result = run([line(qty=D(95))], receipts=[receipt(qty_received=D(90))], profiles=[LOOSE_AMOUNT])
    exc = one(result, T.QUANTITY_VARIANCE)
    assert (exc["severity"], exc["amount_at_stake"]) == ("block", D(50))
    assert exc["detail"] == (
        "quantity 95.000 vs 90.000 (received 90.000 - invoiced before 0.000): +5.000 (+5.56 %)"
        " outside tolerance zero (profile 1)"
    )


def test_quantity_below_the_received_warns():
    result = run([line(qty=D(60))])
    exc = one(result, T.QUANTITY_VARIANCE)
    assert (exc["severity"], exc["amount_at_stake"]) == ("warn", D(0))
    assert found(result) == {("quantity_variance", "warn", 1)}  # the amount is 60 at 10: fine


def test_amount_variance_catches_what_the_price_tolerance_lets_through():
    profile = {"profile_id": 1, "price_abs": D("0.10"), "amount_abs": D(2)}
    result = run([line(unit_price=D("10.05"))], profiles=[profile])
    exc = one(result, T.AMOUNT_VARIANCE)
    assert (exc["severity"], exc["amount_at_stake"]) == ("block", D(5))
    assert exc["detail"] == (
        "amount 1005.0000 vs 1000.0000 (100.000 at PO price 10.0000): +5.0000 (+0.50 %)"
        " outside tolerance 2.0000 (profile 1)"
    )
    at_limit = run([line(unit_price=D("10.05"))], profiles=[profile | {"amount_abs": D(5)}])
    assert at_limit.exceptions.is_empty()


def test_an_amount_within_one_cent_of_qty_times_price_is_rounding_not_variance():
    result = run(
        [line(qty=D(3), unit_price=D("0.3333"), amount=D("1.00"))],
        pos=[po(unit_price=D("0.3333"))],
        receipts=[receipt(qty_received=D(3))],
    )
    assert result.exceptions.is_empty()  # 3 x 0.3333 = 0.9999


# --- tolerance limits: AND / OR, exactly at, just inside, just outside ------------------------

PRICE = {"profile_id": 1, "price_pct": D(2), "price_abs": D("0.15"), "amount_pct": D(1000)}


@pytest.mark.parametrize(
    ("combine", "pct", "abs_", "price", "expected"),
    [
        ("or", D(2), D("0.15"), "10.2000", None),  # exactly at the 2 % limit
        ("or", D(2), D("0.15"), "10.1999", None),
        ("or", D(2), D("0.15"), "10.2001", "block"),
        ("or", D(2), D("0.15"), "9.8000", None),
        ("or", D(2), D("0.15"), "9.7999", "warn"),
        ("and", D(2), D("0.15"), "10.1500", None),  # exactly at the 0.15 limit
        ("and", D(2), D("0.15"), "10.1499", None),
        ("and", D(2), D("0.15"), "10.1501", "block"),
        ("and", D(2), D("0.15"), "9.8500", None),
        ("and", D(2), D("0.15"), "9.8499", "warn"),
        ("and", D(2), None, "10.2000", None),  # percentage only
        ("and", D(2), None, "10.2001", "block"),
        ("or", D(2), None, "10.2001", "block"),
        ("or", None, D("0.15"), "10.1500", None),  # absolute only
        ("or", None, D("0.15"), "10.1501", "block"),
        ("and", None, D("0.15"), "9.8499", "warn"),
        ("and", None, None, "10.0000", None),  # neither: zero tolerance
        ("or", None, None, "10.0001", "block"),
        ("and", None, None, "9.9999", "warn"),
    ],
)
def test_price_tolerance_limits(combine, pct, abs_, price, expected):
    profile = PRICE | {"combine": combine, "price_pct": pct, "price_abs": abs_}
    result = run([line(qty=D(1), unit_price=D(price), tax_rate_pct=None)], profiles=[profile])
    got = {e["severity"] for e in result.exception_records() if e["type"] == "price_variance"}
    assert got == ({expected} if expected else set())


@pytest.mark.parametrize(
    ("combine", "qty", "expected"),
    [
        ("or", "105", None),  # at 5 % of 100 received
        ("or", "105.001", "block"),
        ("and", "103", None),  # at the 3 units
        ("and", "103.001", "block"),
        ("and", "97", None),
        ("and", "96.999", "warn"),
        ("or", "95", None),
        ("or", "94.999", "warn"),
    ],
)
def test_quantity_tolerance_limits(combine, qty, expected):
    profile = LOOSE_AMOUNT | {"qty_pct": D(5), "qty_abs": D(3), "combine": combine}
    result = run([line(qty=D(qty))], pos=[po(qty_ordered=D(200))], profiles=[profile])
    got = {e["severity"] for e in result.exception_records() if e["type"] == "quantity_variance"}
    assert got == ({expected} if expected else set())


@pytest.mark.parametrize(
    ("price", "expected"),
    [("10.10", None), ("10.1001", "block"), ("9.90", None), ("9.8999", "warn")],
)
def test_amount_tolerance_limits(price, expected):
    profile = {"profile_id": 1, "price_pct": D(100), "amount_pct": D(1)}  # 1 % of 1000.00
    result = run([line(unit_price=D(price))], profiles=[profile])
    got = {e["severity"] for e in result.exception_records() if e["type"] == "amount_variance"}
    assert got == ({expected} if expected else set())


# --- missing PO and receipt, quality hold, currency, over-billing ----------------------------


@pytest.mark.parametrize(
    ("po_line_id", "pos", "detail"),
    [
        (None, None, "no PO line referenced"),
        (99, None, "PO line 99 not found"),
        (1, [po(partner_id=8)], "PO line 1 is partner 8's, not partner 7's"),
    ],
)
def test_missing_po_blocks_the_whole_line(po_line_id, pos, detail):
    result = run([line(po_line_id=po_line_id)], pos=pos)
    exc = one(result, T.MISSING_PO)
    assert (exc["severity"], exc["amount_at_stake"], exc["detail"]) == ("block", D(1000), detail)
    assert found(result) == {("missing_po", "block", 1)}
    assert lines_of(result)[1]["qty_ref"] is None


@pytest.mark.parametrize("mode", ["3way", "4way"])
def test_nothing_received_is_a_missing_receipt_and_not_a_quantity_variance(mode):
    result = run([line()], pos=[po(match_mode=mode)], receipts=[])
    exc = one(result, T.MISSING_RECEIPT)
    assert (exc["severity"], exc["amount_at_stake"]) == ("block", D(1000))
    assert exc["detail"] == f"nothing received on PO line 1 ({mode} match)"
    assert found(result) == {("missing_receipt", "block", 1)}


def test_two_way_needs_no_receipt():
    assert run([line()], pos=[po(match_mode="2way")], receipts=[]).exceptions.is_empty()


def test_receipts_on_quality_hold_block_the_held_quantity():
    receipts = [
        receipt(qty_received=D(60)),
        receipt(receipt_line_id=2, qty_received=D(40), on_hold=True),
    ]
    result = run([line()], receipts=receipts)
    exc = one(result, T.QUALITY_HOLD)
    assert (exc["severity"], exc["amount_at_stake"]) == ("block", D(400))
    assert exc["detail"] == "PO line 1: 40.000 on quality hold"
    assert found(result) == {("quality_hold", "block", 1)}


def test_four_way_counts_only_accepted_and_holds_what_awaits_inspection():
    receipts = [
        receipt(qty_received=D(60), qty_accepted=D(55), qty_rejected=D(5)),
        receipt(receipt_line_id=2, qty_received=D(40)),  # not inspected yet
    ]
    result = run([line()], pos=[po(match_mode="4way")], receipts=receipts, profiles=[LOOSE_AMOUNT])
    hold = one(result, T.AWAITING_INSPECTION)
    assert (hold["severity"], hold["amount_at_stake"], hold["detail"]) == (
        "block",
        D(400),
        "PO line 1: 40.000 received, awaiting inspection",
    )
    assert result.exceptions.filter(pl.col("type") == T.QUALITY_HOLD).is_empty()
    qty = one(result, T.QUANTITY_VARIANCE)
    assert (qty["severity"], qty["amount_at_stake"]) == ("block", D(450))  # 45 over 55 accepted
    # The same receipts in 3-way: received counts, less the 5 rejected (returned goods are
    # not billable); the 40 awaiting inspection count as received.
    three_way = run([line()], receipts=receipts, profiles=[LOOSE_AMOUNT])
    assert found(three_way) == {("quantity_variance", "block", 1)}
    assert one(three_way, T.QUANTITY_VARIANCE)["amount_at_stake"] == D(50)
    # Nothing rejected: received is what counts.
    receipts[0] = receipt(qty_received=D(60), qty_accepted=D(60), qty_rejected=D(0))
    assert run([line()], receipts=receipts).exceptions.is_empty()


def test_a_hold_and_pending_inspection_together_never_stake_more_than_the_line():
    # Line of 100 at 10; 70 on hold, 50 not inspected yet (4-way): 70 held, 30 left pending.
    receipts = [
        receipt(qty_received=D(70), on_hold=True),
        receipt(receipt_line_id=2, qty_received=D(50)),
    ]
    result = run([line()], pos=[po(match_mode="4way")], receipts=receipts, profiles=[LOOSE_AMOUNT])
    hold, pending = one(result, T.QUALITY_HOLD), one(result, T.AWAITING_INSPECTION)
    assert (hold["amount_at_stake"], pending["amount_at_stake"]) == (D(700), D(300))
    assert hold["detail"] == "PO line 1: 70.000 on quality hold"
    assert pending["detail"] == "PO line 1: 50.000 received, awaiting inspection"
    # In 3-way nothing awaits inspection: only the hold is reported.
    three = run([line()], receipts=receipts, profiles=[LOOSE_AMOUNT])
    assert {r["type"] for r in three.exceptions.iter_rows(named=True)} >= {"quality_hold"}
    assert three.exceptions.filter(pl.col("type") == T.AWAITING_INSPECTION).is_empty()


def test_another_currency_blocks_and_prices_are_not_compared():
    result = run([line(currency="USD", unit_price=D(11))])
    exc = one(result, T.CURRENCY)
    assert (exc["severity"], exc["amount_at_stake"]) == ("block", D(1100))
    assert exc["detail"] == "invoice line in USD, PO line 1 in EUR"
    assert found(result) == {("currency", "block", 1)}


def test_over_billing_counts_what_was_invoiced_before():
    result = run(
        [line(qty=D(20))],
        pos=[po(match_mode="2way")],
        prior=[{"po_line_id": 1, "qty": D(90)}],
        profiles=[LOOSE_AMOUNT],
    )
    exc = one(result, T.OVER_BILLING)
    assert (exc["severity"], exc["amount_at_stake"]) == ("block", D(100))
    assert exc["detail"] == (
        "invoiced 90.000 before + 20.000 on this line > ordered 100.000: 10.000 over"
    )
    assert one(result, T.QUANTITY_VARIANCE)["amount_at_stake"] == D(100)  # 20 vs 10 still open


# --- tax and arithmetic ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tax", "expected", "at_stake"),
    [
        ("190.00", None, None),
        ("190.01", None, None),
        ("189.99", None, None),
        ("190.02", "block", D("0.02")),
        ("189.98", "block", D(0)),
    ],
)
def test_line_tax_allows_one_cent_of_rounding(tax, expected, at_stake):
    result = run([line(tax_amount=D(tax))])
    got = [e for e in result.exception_records() if e["type"] == "tax_mismatch"]
    assert [(e["severity"], e["amount_at_stake"]) for e in got] == (
        [(expected, at_stake)] if expected else []
    )


def test_line_tax_detail_and_a_line_without_rate_is_not_checked():
    exc = one(run([line(tax_amount=D("191.00"))]), T.TAX_MISMATCH)
    assert exc["detail"] == "tax 191.0000 vs 19.00 % of 1000.0000 = 190.0000: +1.0000"
    assert run([line(tax_rate_pct=None, tax_amount=D(7))]).exceptions.is_empty()


def test_the_allowance_follows_the_currency_minor_unit():
    pos = [po(currency="JPY", unit_price=D(1000))]
    lines = [line(currency="JPY", unit_price=D(1000), tax_rate_pct=D(10), tax_amount=D("10000.9"))]
    assert run(lines, pos=pos).exceptions.is_empty()  # JPY has no minor unit: 1 yen allowed
    result = run(lines, pos=pos, minor_units={"JPY": 2})
    assert found(result) == {("tax_mismatch", "block", 1)}


def test_invoice_tax_total_must_match_the_sum_of_line_taxes():
    result = run([line()], heads={1: {"tax_total": D("190.50")}})
    exc = one(result, T.TAX_MISMATCH)
    assert (exc["invoice_line_id"], exc["severity"], exc["amount_at_stake"]) == (
        None,
        "block",
        D("0.5"),
    )
    assert exc["detail"] == "tax total 190.5000 vs sum of line taxes 190.0000: +0.5000"
    assert lines_of(result)[1]["status"] == "matched"
    assert status_of(result) == {1: "block"}


def test_arithmetic_of_lines_and_totals():
    result = run([line(amount=D("1000.02"))], profiles=[LOOSE_AMOUNT])
    exc = one(result, T.ARITHMETIC)
    assert (exc["invoice_line_id"], exc["amount_at_stake"]) == (1, D("0.02"))
    assert exc["detail"] == "amount 1000.0200 vs 100.000 at 10.0000 = 1000.0000: +0.0200"
    net = run([line()], heads={1: {"net_total": D(990)}})
    assert one(net, T.ARITHMETIC)["detail"] == (
        "net total 990.0000 vs sum of line amounts 1000.0000: -10.0000"
    )
    assert one(net, T.ARITHMETIC)["amount_at_stake"] == D(0)
    gross = run([line()], heads={1: {"gross_total": D(1200)}})
    assert one(gross, T.ARITHMETIC)["detail"] == (
        "gross total 1200.0000 vs net 1000.0000 + tax 190.0000: +10.0000"
    )


# --- 2/3/4-way, partial deliveries, split invoices -------------------------------------------


@pytest.mark.parametrize(
    ("mode", "basis", "expected"),
    [
        ("2way", D(100), {("quantity_variance", "warn", 1)}),
        ("3way", D(90), set()),
        ("4way", D(80), {("quantity_variance", "block", 1)}),
    ],
)
def test_the_quantity_basis_follows_the_match_mode(mode, basis, expected):
    # 3-way: received less rejected (100 - 10); 4-way: accepted (80).
    receipts = [receipt(qty_received=D(100), qty_accepted=D(80), qty_rejected=D(10))]
    result = run(
        [line(qty=D(90))], pos=[po(match_mode=mode)], receipts=receipts, profiles=[LOOSE_AMOUNT]
    )
    assert found(result) == expected
    assert lines_of(result)[1]["qty_basis"] == basis


def test_partial_deliveries_in_several_receipts_add_up():
    receipts = [receipt(qty_received=D(40)), receipt(receipt_line_id=2, qty_received=D(30))]
    result = run([line(qty=D(70))], receipts=receipts)
    assert result.exceptions.is_empty()
    assert lines_of(result)[1]["qty_basis"] == D(70)
    over = run([line(qty=D(80))], receipts=receipts, profiles=[LOOSE_AMOUNT])
    assert found(over) == {("quantity_variance", "block", 1)}


def test_split_invoices_in_one_batch_are_counted_in_date_order():
    lines = [line(qty=D(60)), line(invoice_line_id=2, invoice_id=2, qty=D(40))]
    later_first = {1: {"invoice_date": date(2025, 3, 5)}, 2: {"invoice_date": date(2025, 3, 4)}}
    result = run(lines, heads=later_first)
    rows = lines_of(result)
    assert (rows[2]["qty_prior"], rows[2]["qty_ref"]) == (D(0), D(100))  # invoice 2 comes first
    assert (rows[1]["qty_prior"], rows[1]["qty_ref"]) == (D(40), D(60))
    assert found(result) == {("quantity_variance", "warn", 2)}  # 40 of 100 so far
    same_day = lines_of(run(lines))  # same date: by invoice id
    assert (same_day[1]["qty_prior"], same_day[2]["qty_prior"]) == (D(0), D(60))


def test_split_invoices_over_the_ordered_quantity_are_over_billing():
    lines = [line(qty=D(70)), line(invoice_line_id=2, invoice_id=2, qty=D(50))]
    result = run(lines, pos=[po(match_mode="2way")], profiles=[LOOSE_AMOUNT])
    exc = one(result, T.OVER_BILLING)
    assert (exc["invoice_id"], exc["amount_at_stake"]) == (2, D(200))
    assert status_of(result) == {1: "warn", 2: "block"}


def test_a_split_invoice_after_an_earlier_batch_uses_prior_invoiced():
    prior = [{"po_line_id": 1, "qty": D(25)}, {"po_line_id": 1, "qty": D(35)}]
    result = run([line(qty=D(40))], prior=prior)
    assert result.exceptions.is_empty()
    assert (lines_of(result)[1]["qty_prior"], lines_of(result)[1]["qty_ref"]) == (D(60), D(40))


# --- profiles --------------------------------------------------------------------------------

PROFILES = [
    {"profile_id": 1},
    {"profile_id": 2, "category": "bolts"},
    {"profile_id": 3, "partner_id": 7},
    {"profile_id": 4, "partner_id": 7, "category": "bolts"},
]


def test_the_most_specific_profile_wins():
    keys = pl.DataFrame(
        {"partner_id": [7, 7, 8, 8, 7], "category": ["bolts", "nuts", "bolts", "", ""]}
    )
    resolved = resolve_profiles(frame(PROFILES_SCHEMA, PROFILES), keys)
    got = {(r["partner_id"], r["category"]): r["profile_id"] for r in resolved.to_dicts()}
    assert got == {(7, "bolts"): 4, (7, "nuts"): 3, (8, "bolts"): 2, (8, ""): 1, (7, ""): 3}


def test_lines_take_the_profile_of_their_partner_and_category():
    pos = [po(), po(po_line_id=2, category="nuts"), po(po_line_id=3, category="")]
    lines = [
        line(),
        line(invoice_line_id=2, po_line_id=2),
        line(invoice_line_id=3, po_line_id=3),
        line(invoice_line_id=4, po_line_id=None),
    ]
    receipts = [
        receipt(),
        receipt(receipt_line_id=2, po_line_id=2),
        receipt(receipt_line_id=3, po_line_id=3),
    ]
    rows = lines_of(run(lines, pos=pos, receipts=receipts, profiles=PROFILES))
    assert [rows[i]["profile_id"] for i in (1, 2, 3, 4)] == [4, 3, 3, 3]
    only_category = [p for p in PROFILES if p["profile_id"] in (1, 2)]
    rows = lines_of(run(lines, pos=pos, receipts=receipts, profiles=only_category))
    assert [rows[i]["profile_id"] for i in (1, 2, 3, 4)] == [2, 1, 1, 1]


def test_the_profile_tolerance_is_the_one_applied():
    profiles = [
        {"profile_id": 1},
        {
            "profile_id": 4,
            "partner_id": 7,
            "category": "bolts",
            "price_pct": D(10),
            "amount_pct": D(10),
        },
    ]
    assert run([line(unit_price=D(11))], profiles=profiles).exceptions.is_empty()
    other = run([line(unit_price=D(11))], pos=[po(category="nuts")], profiles=profiles)
    assert "(profile 1)" in one(other, T.PRICE_VARIANCE)["detail"]


@pytest.mark.parametrize(
    ("profiles", "message"),
    [
        ([{"profile_id": 3, "partner_id": 7}], "exactly one default profile"),
        ([{"profile_id": 1}, {"profile_id": 2}], "exactly one default profile"),
        (
            [
                {"profile_id": 1},
                {"profile_id": 2, "partner_id": 7},
                {"profile_id": 3, "partner_id": 7, "category": ""},
            ],
            "same partner and category",
        ),
        ([{"profile_id": 1, "combine": "xor"}], "combine"),
        ([{"profile_id": 1, "combine": None}], "combine"),
        ([{"profile_id": 1}, {"profile_id": 1, "partner_id": 7}], "profile_id must be unique"),
    ],
)
def test_invalid_profile_sets_are_refused(profiles, message):
    with pytest.raises(ValueError, match=message):
        run([line()], profiles=profiles)


def test_invalid_inputs_are_refused():
    with pytest.raises(ValueError, match="match_mode"):
        run([line()], pos=[po(match_mode="3-way")])
    with pytest.raises(ValueError, match="match_mode"):
        run([line()], pos=[po(match_mode=None)])
    with pytest.raises(ValueError, match="unique"):
        run([line()], pos=[po(), po()])
    with pytest.raises(ValueError, match="missing from the invoices"):
        match_invoices(
            po_lines=frame(PO_LINES_SCHEMA, [po()]),
            receipt_lines=None,
            invoice_lines=frame(INVOICE_LINES_SCHEMA, [line()]),
            invoices=None,
            profiles=frame(PROFILES_SCHEMA, [ZERO]),
        )
    with pytest.raises(ValueError, match="lacks columns"):
        match_invoices(
            po_lines=pl.DataFrame({"po_line_id": [1]}),
            receipt_lines=None,
            invoice_lines=None,
            invoices=None,
            profiles=None,
        )


def test_exception_records_carry_decimals():
    [exc] = run(
        [
            line(
                po_line_id=None,
                amount=D("12.3456"),
                qty=D(1),
                unit_price=D("12.3456"),
                tax_rate_pct=None,
            )
        ]
    ).exception_records()
    assert exc["amount_at_stake"] == D("12.3456")
    assert isinstance(exc["amount_at_stake"], Decimal)


# --- properties ------------------------------------------------------------------------------

quantities = st.decimals(min_value=D("0.001"), max_value=D(100000), places=3)
prices = st.decimals(min_value=D("0.0001"), max_value=D(100000), places=4)
percents = st.none() | st.decimals(min_value=D(0), max_value=D(50), places=2)
amounts = st.none() | st.decimals(min_value=D(0), max_value=D(50), places=4)


@settings(max_examples=60, deadline=None)
@given(
    qty=quantities,
    price=prices,
    mode=st.sampled_from(["2way", "3way", "4way"]),
    rate=st.sampled_from([None, D(0), D(7), D(19), D("8.1")]),
    split=st.booleans(),
    pct=percents,
    abs_=amounts,
    combine=st.sampled_from(["and", "or"]),
)
def test_a_line_exactly_at_its_references_raises_nothing(
    qty, price, mode, rate, split, pct, abs_, combine
):
    first = (qty / 2).quantize(D("0.001")) if split else qty
    receipts = [receipt(qty_received=first, qty_accepted=first)]
    if split:
        receipts.append(
            receipt(receipt_line_id=2, qty_received=qty - first, qty_accepted=qty - first)
        )
    profile = {"profile_id": 1, "combine": combine} | {
        f"{dim}_{kind}": value
        for dim in ("price", "qty", "amount")
        for kind, value in (("pct", pct), ("abs", abs_))
    }
    result = run(
        [line(qty=qty, unit_price=price, tax_rate_pct=rate)],
        pos=[po(qty_ordered=qty, unit_price=price, match_mode=mode)],
        receipts=receipts,
        profiles=[profile],
    )
    assert result.exceptions.is_empty()
    assert records(result.lines)[0]["status"] == "matched"


@settings(max_examples=80, deadline=None)
@given(
    ref=st.decimals(min_value=D("0.0001"), max_value=D(1000), places=4),
    delta=st.decimals(min_value=D(-50), max_value=D(50), places=4),
    pct=percents,
    abs_=amounts,
    combine=st.sampled_from(["and", "or"]),
)
def test_the_price_tolerance_agrees_with_decimal_arithmetic(ref, delta, pct, abs_, combine):
    price = max(ref + delta, D(0))
    variance = price - ref
    limits = []
    if pct is not None:
        limits.append(abs(variance) <= pct / 100 * ref)
    if abs_ is not None:
        limits.append(abs(variance) <= abs_)
    within = variance == 0 or (any(limits) if combine == "or" else bool(limits) and all(limits))
    profile = {"profile_id": 1, "price_pct": pct, "price_abs": abs_, "combine": combine}
    result = run(
        [line(qty=D(1), unit_price=price, tax_rate_pct=None)],
        pos=[po(unit_price=ref)],
        receipts=[receipt(qty_received=D(1))],
        profiles=[profile],
    )
    got = [e["severity"] for e in result.exception_records() if e["type"] == "price_variance"]
    assert got == ([] if within else ["block" if variance > 0 else "warn"])


@given(st.decimals(min_value=D(-(10**9)), max_value=D(10**9), places=4))
def test_money_round_trips(value):
    assert from_money(to_money(value)) == value


@given(st.decimals(min_value=D(-(10**9)), max_value=D(10**9), places=3))
def test_quantities_round_trip(value):
    assert from_qty(to_qty(value)) == value


@given(st.decimals(min_value=D(-1000), max_value=D(1000), places=2))
def test_percentages_round_trip(value):
    assert from_pct(to_pct(value)) == value


def test_scaling_rounds_half_up_beyond_its_places():
    assert to_money(D("1.00005")) == 10001
    assert to_money(D("-1.00005")) == -10001
    assert to_qty(D("0.0004")) == 0
    assert to_pct(D("2.5")) == 250


def test_a_line_on_another_partners_po_line_does_not_use_up_its_quantity():
    lines = [line(), line(invoice_line_id=2, invoice_id=2)]
    heads = {1: {"partner_id": 8}}  # invoice 1 comes first but is not partner 7's
    result = run(lines, heads=heads)
    assert found(result) == {("missing_po", "block", 1)}
    assert lines_of(result)[2]["qty_prior"] == D(0)
