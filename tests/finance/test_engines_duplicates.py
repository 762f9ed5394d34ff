"""Duplicate invoices: number normalisation, exact and likely duplicates within the batch and
against existing invoices, the date window at its edge."""

from datetime import date, timedelta
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given, strategies as st

from partnerdesk.finance.engines import INVOICES_SCHEMA, frame, records
from partnerdesk.finance.engines.duplicates import (
    find_duplicates,
    normalise_number,
    normalised_number,
)
from tests.finance.test_engines_matching import line, run

D = Decimal
DAY = date(2025, 3, 10)


def invoice(invoice_id, number, *, days=0, gross="119.00", partner_id=7, currency="EUR"):
    return {
        "invoice_id": invoice_id,
        "partner_id": partner_id,
        "number": number,
        "invoice_date": DAY + timedelta(days=days),
        "net_total": D(100),
        "tax_total": D(gross) - 100,
        "gross_total": D(gross),
        "currency": currency,
    }


def duplicates(batch, existing=(), **kw):
    found = find_duplicates(
        frame(INVOICES_SCHEMA, batch), frame(INVOICES_SCHEMA, existing) if existing else None, **kw
    )
    return [(r["invoice_id"], r["severity"], r["related_invoice_id"]) for r in records(found)]


@pytest.mark.parametrize(
    ("number", "normalised"),
    [
        ("INV-0042", "INV42"),
        ("inv 42", "INV42"),
        ("Inv.042", "INV42"),
        ("0042", "42"),
        ("00A7", "A7"),
        ("2024/0007", "20247"),
        ("A-000", "A0"),
        ("000", "0"),
        ("INV-0420", "INV420"),
    ],
)
def test_numbers_are_compared_without_case_punctuation_and_leading_zeros(number, normalised):
    assert normalise_number(number) == normalised


@given(st.text(alphabet="0123456789ABab-/. _#", max_size=12))
def test_the_vectorised_normalisation_agrees_with_the_python_one(number):
    got = pl.Series([number]).to_frame("n").select(normalised_number(pl.col("n"))).item()
    assert got == normalise_number(number)


def test_the_same_number_again_is_an_exact_duplicate_of_the_existing_invoice():
    found = find_duplicates(
        frame(INVOICES_SCHEMA, [invoice(5, "inv 42", days=20)]),
        frame(INVOICES_SCHEMA, [invoice(1, "INV-0042")]),
    )
    [exc] = records(found)
    assert exc == {
        "invoice_id": 5,
        "invoice_line_id": None,
        "type": "duplicate",
        "severity": "block",
        "amount_at_stake": D(119),
        "detail": "same number as invoice 1 (inv 42 vs INV-0042, dated 2025-03-10)",
        "related_invoice_id": 1,
    }


def test_an_existing_invoice_counts_even_when_dated_later_and_the_earliest_is_named():
    existing = [invoice(1, "INV-42", days=5), invoice(2, "INV42", days=1)]
    assert duplicates([invoice(5, "INV 42")], existing) == [(5, "block", 2)]


def test_within_the_batch_only_the_later_invoice_is_flagged():
    batch = [invoice(1, "INV-7", days=3), invoice(2, "inv7", days=1), invoice(3, "INV-007", days=3)]
    assert duplicates(batch) == [(1, "block", 2), (3, "block", 2)]
    same_day = [invoice(2, "INV-7"), invoice(1, "INV7")]
    assert duplicates(same_day) == [(2, "block", 1)]


def test_an_invoice_is_not_its_own_duplicate_when_matched_again():
    assert (
        duplicates([invoice(1, "INV-42")], [invoice(1, "INV-42"), invoice(9, "X-1", gross="5.00")])
        == []
    )


def test_other_partners_may_use_the_same_number():
    assert duplicates([invoice(2, "INV-42", partner_id=8)], [invoice(1, "INV-42")]) == []


@pytest.mark.parametrize(("days", "flagged"), [(7, True), (-7, True), (8, False), (-8, False)])
def test_a_likely_duplicate_has_the_same_gross_within_the_window(days, flagged):
    found = duplicates([invoice(2, "INV-43", days=days)], [invoice(1, "INV-42")])
    assert found == ([(2, "warn", 1)] if flagged else [])


def test_the_window_is_a_parameter():
    batch, existing = [invoice(2, "INV-43", days=8)], [invoice(1, "INV-42")]
    assert duplicates(batch, existing, window_days=8) == [(2, "warn", 1)]
    with pytest.raises(ValueError, match="window_days"):
        duplicates(batch, existing, window_days=-1)


def test_likely_detail_and_amount():
    found = find_duplicates(
        frame(INVOICES_SCHEMA, [invoice(2, "INV-43", days=3)]),
        frame(INVOICES_SCHEMA, [invoice(1, "INV-42")]),
    )
    [exc] = records(found)
    assert (exc["severity"], exc["amount_at_stake"]) == ("warn", D(119))
    assert exc["detail"] == (
        "likely duplicate of invoice 1 (INV-42): same gross 119.0000 EUR, dated 2025-03-10,"
        " 3 days apart"
    )


@pytest.mark.parametrize(
    "other",
    [
        invoice(1, "INV-42", gross="119.01"),
        invoice(1, "INV-42", currency="USD"),
        invoice(1, "INV-42", partner_id=8),
    ],
)
def test_no_likely_duplicate_with_another_gross_currency_or_partner(other):
    assert duplicates([invoice(2, "INV-43")], [other]) == []


def test_an_exact_duplicate_is_not_also_reported_as_likely():
    existing = [invoice(1, "INV-40"), invoice(3, "INV-42", days=-30)]
    assert duplicates([invoice(2, "INV-42")], existing) == [(2, "block", 3)]


def test_likely_duplicates_within_the_batch():
    batch = [invoice(1, "A-1"), invoice(2, "A-2", days=2), invoice(3, "A-3", days=20)]
    assert duplicates(batch) == [(2, "warn", 1)]


def test_a_duplicate_blocks_the_invoice_but_not_its_lines():
    existing = frame(INVOICES_SCHEMA, [invoice(9, "inv-1", days=-30)])
    result = run([line()], existing_invoices=existing, duplicate_window_days=3)
    [exc] = result.exception_records()
    assert (exc["type"], exc["severity"], exc["related_invoice_id"]) == ("duplicate", "block", 9)
    assert (exc["invoice_id"], exc["invoice_line_id"], exc["amount_at_stake"]) == (1, None, D(1190))
    assert records(result.lines)[0]["status"] == "matched"
    assert records(result.invoices)[0]["status"] == "block"
