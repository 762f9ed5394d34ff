"""The matching service on the real database (SQLite and PostgreSQL run the same raw SQL):
batches, the exception queue kept across runs, prior invoicing, 4-way, holds, duplicates,
currencies and the payment status of the batch."""

import datetime
from decimal import Decimal as D

import pytest

from partnerdesk.finance.choices import PaymentStatus
from partnerdesk.finance.models import MatchException, MatchRun, SupplierInvoice
from partnerdesk.finance.services import documents, exceptions, payment
from partnerdesk.finance.services.matching import match_invoices, match_week
from tests.factories import PartnerFactory, SupplierInvoiceFactory

pytestmark = pytest.mark.django_db

W41 = (datetime.date(2026, 10, 5), datetime.date(2026, 10, 11))
W42 = (datetime.date(2026, 10, 12), datetime.date(2026, 10, 18))
CENT = D("0.01")


@pytest.fixture
def finance(make_user):
    return make_user("finance")


@pytest.fixture
def buyer(make_user):
    return make_user("outsourcing")


@pytest.fixture
def inspector(make_user):
    return make_user("quality")


@pytest.fixture
def partner():
    return PartnerFactory(tax_id="91440300MA5FXX")


def order(buyer, partner, number="PO-1", mode="3way", lines=(("1000", "2.5"),), currency="CNY"):
    return documents.purchase_order_create(
        user=buyer,
        data={
            "partner": partner.pk,
            "number": number,
            "order_date": W41[0] - datetime.timedelta(days=20),
            "currency": currency,
            "match_mode": mode,
            "lines": [
                {"item": f"PART-{i}", "quantity": qty, "unit_price": price}
                for i, (qty, price) in enumerate(lines, start=1)
            ],
        },
    )


def receive(buyer, partner, number, lines, day=W41[0]):
    """lines: [(order number, line no, quantity)]"""
    return documents.receipt_create(
        user=buyer,
        data={
            "partner": partner.pk,
            "number": number,
            "received_on": day,
            "lines": [{"order": o, "order_line": n, "quantity_received": q} for o, n, q in lines],
        },
    )


def invoice(user, partner, number, day, lines, currency="CNY", **overrides):
    """lines: [(order number, line no, quantity, unit price)]; 13 % tax, totals add up."""
    built, net, tax = [], D(0), D(0)
    for o, n, q, p in lines:
        amount = (D(q) * D(p)).quantize(CENT)
        line_tax = (amount * D("0.13")).quantize(CENT)
        net, tax = net + amount, tax + line_tax
        built.append(
            {"order": o, "order_line": n, "quantity": q, "unit_price": p, "amount": str(amount),
             "tax_rate": "13", "tax_amount": str(line_tax)}
        )  # fmt: skip
    data = {
        "partner": partner.pk,
        "number": number,
        "invoice_date": day,
        "due_date": day + datetime.timedelta(days=30),
        "currency": currency,
        "net_total": str(net),
        "tax_total": str(tax),
        "gross_total": str(net + tax),
        "tax_id": "91440300MA5FXX",
        "bank_account": "6222 0000 1111",
        "lines": built,
    }
    data.update(overrides)
    return documents.invoice_create(user=user, data=data)


def found(inv, **filters) -> dict[str, tuple[str, D]]:
    """The invoice's exceptions not resolved: type -> (severity, amount at stake)."""
    rows = MatchException.objects.filter(invoice=inv, **filters).exclude(status="resolved")
    return {e.type: (e.severity, e.amount_at_stake) for e in rows}


# --- batches --------------------------------------------------------------------------------


def test_a_weeks_batch_and_a_batch_by_ids(finance, buyer, partner):
    order(buyer, partner, lines=[("1000", "2.5"), ("500", "1.2")])
    receive(buyer, partner, "DN-1", [("PO-1", 1, "1000"), ("PO-1", 2, "500")])
    a = invoice(finance, partner, "A", W41[0] + datetime.timedelta(days=1),
                [("PO-1", 1, "1000", "2.5"), ("PO-1", 2, "500", "1.2")])  # fmt: skip
    b = invoice(finance, partner, "B", W42[0], [("PO-1", 2, "0", "1.2")])
    b_matched = SupplierInvoice.objects.get(pk=b.pk).matched_at

    outcome = match_week(start=W41[0], end=W41[1], actor=finance, label="week 2026-W41")
    run = outcome.run
    assert (outcome.invoices, outcome.lines, outcome.lines_matched) == (1, 2, 2)
    assert (run.label, run.period_start, run.period_end, run.started_by) == (
        "week 2026-W41",
        W41[0],
        W41[1],
        finance,
    )
    assert (run.invoices, run.lines, run.exceptions_opened, run.exceptions_cleared) == (1, 2, 0, 0)
    assert run.finished_at is not None
    assert SupplierInvoice.objects.get(pk=b.pk).matched_at == b_matched  # not in the batch
    assert SupplierInvoice.objects.get(pk=a.pk).matched_at >= run.started_at

    both = match_invoices(invoice_ids=[a.pk, b.pk, a.pk])
    assert (both.invoices, both.lines) == (3 - 1, 3)
    assert (both.run.period_start, both.run.label) == (None, "match")
    assert match_invoices(invoice_ids=[]).invoices == 0


def test_a_rerun_keeps_the_queue_without_duplicates(finance, buyer, partner):
    order(buyer, partner)
    receive(buyer, partner, "DN-1", [("PO-1", 1, "1000")])
    inv = invoice(finance, partner, "INV-1", W41[0], [("PO-1", 1, "1000", "2.6")])
    # 0.10 over the PO price (2 % or 0.05 allowed) on 1,000: 100.00; the amount 2600.00 vs
    # 2500.00 is 100.00 over (1 % or 50.00 allowed).
    assert found(inv) == {
        "price_variance": ("block", D("100.00")),
        "amount_variance": ("block", D("100.00")),
    }
    first = {e.pk: e.first_run_id for e in MatchException.objects.all()}

    for _ in range(2):
        outcome = match_week(start=W41[0], end=W41[1])
        assert (outcome.run.exceptions_opened, outcome.run.exceptions_cleared) == (0, 0)
    assert {e.pk: e.first_run_id for e in MatchException.objects.all()} == first
    assert MatchException.objects.count() == 2
    assert found(inv)["price_variance"] == ("block", D("100.00"))


def test_an_exception_is_cleared_when_its_cause_goes_away(finance, buyer, partner):
    order(buyer, partner)
    inv = invoice(finance, partner, "INV-1", W41[0], [("PO-1", 1, "1000", "2.5")])
    assert found(inv) == {"missing_receipt": ("block", D("2500.00"))}
    missing = MatchException.objects.get(invoice=inv)
    assert missing.detail == f"nothing received on PO line {inv.lines.get().order_line_id} " \
        "(3way match)"  # fmt: skip

    receive(buyer, partner, "DN-1", [("PO-1", 1, "1000")])
    outcome = match_week(start=W41[0], end=W41[1])
    missing.refresh_from_db()
    assert (missing.status, missing.resolution, missing.last_run) == (
        "resolved",
        "cleared",
        outcome.run,
    )
    assert missing.justification == f"No longer found by run {outcome.run.pk}."
    assert missing.resolved_at is not None
    assert (outcome.run.exceptions_opened, outcome.run.exceptions_cleared) == (0, 1)
    assert found(inv) == {}
    # Found again later: a new exception, the resolved one stays as it was.
    SupplierInvoice.objects.filter(pk=inv.pk)  # (same invoice)
    from partnerdesk.finance.models import GoodsReceiptLine

    GoodsReceiptLine.objects.all().delete()
    match_week(start=W41[0], end=W41[1])
    assert MatchException.objects.filter(invoice=inv).count() == 2
    assert found(inv) == {"missing_receipt": ("block", D("2500.00"))}


def test_exceptions_waiting_for_approval_or_a_credit_note_are_not_cleared(
    finance, buyer, partner, settings
):
    settings.FINANCE_APPROVAL_THRESHOLD = D("1000")
    order(buyer, partner, lines=[("1000", "2.5"), ("1000", "2.5")])
    inv = invoice(finance, partner, "INV-1", W41[0],
                  [("PO-1", 1, "1000", "2.5"), ("PO-1", 2, "1000", "2.5")])  # fmt: skip
    one, two = MatchException.objects.filter(invoice=inv).order_by("invoice_line__line_no")
    exceptions.exception_resolve(user=finance, exception=one, resolution="accepted",
                                 justification="Receipt on paper")  # fmt: skip
    exceptions.exception_resolve(user=finance, exception=two, resolution="credit_note",
                                 justification="Not delivered")  # fmt: skip
    receive(buyer, partner, "DN-1", [("PO-1", 1, "1000"), ("PO-1", 2, "1000")])
    outcome = match_week(start=W41[0], end=W41[1])
    assert outcome.run.exceptions_cleared == 0
    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.status, one.resolution) == ("approval", "accepted")
    assert (two.status, two.resolution) == ("credit", "credit_note")


def test_settled_exceptions_stay_settled_until_the_amount_grows(finance, make_user, buyer, partner):
    order(buyer, partner, lines=[("1000", "2.5"), ("1000", "2.5")])
    receive(buyer, partner, "DN-1", [("PO-1", 1, "1000"), ("PO-1", 2, "1000")])
    inv = invoice(finance, partner, "INV-1", W41[0],
                  [("PO-1", 1, "1000", "2.6"), ("PO-1", 2, "1000", "2.6")])  # fmt: skip
    price = MatchException.objects.filter(invoice=inv, type="price_variance")
    one, two = price.order_by("invoice_line__line_no")
    exceptions.exception_resolve(user=finance, exception=one, resolution="accepted",
                                 justification="New price agreed")  # fmt: skip
    exceptions.exception_resolve(user=finance, exception=two, resolution="credit_note",
                                 justification="Old price applies")  # fmt: skip
    note = SupplierInvoiceFactory(partner=partner, kind="credit_note", number="CN-1",
                                  currency="CNY", gross_total=D("100.00"))  # fmt: skip
    exceptions.exception_record_credit_note(user=finance, exception=two, credit_note=note)
    for _ in range(2):  # the weekly run, twice: nothing reopens
        outcome = match_week(start=W41[0], end=W41[1])
        assert outcome.run.exceptions_opened == 0
        assert "price_variance" not in found(inv)
    assert price.count() == 2
    # A data correction settles nothing: found again, it is open again.
    amount = MatchException.objects.get(invoice=inv, type="amount_variance",
                                        invoice_line__line_no=1)  # fmt: skip
    exceptions.exception_resolve(user=finance, exception=amount, resolution="corrected",
                                 justification="Typo")  # fmt: skip
    match_week(start=W41[0], end=W41[1])
    assert MatchException.objects.filter(type="amount_variance", status="open").count() == 2
    # The price goes up again on line 1: 0.20 over on 1,000 is more than the 100.00 accepted.
    line = inv.lines.get(line_no=1)
    type(line).objects.filter(pk=line.pk).update(unit_price=D("2.7"))
    match_week(start=W41[0], end=W41[1])
    reopened = MatchException.objects.get(invoice=inv, type="price_variance", status="open")
    assert reopened.amount_at_stake == D("200.00")
    assert reopened.detail.endswith("; settled before up to 100.00")
    assert reopened.invoice_line.line_no == 1


def test_split_invoices_across_weeks_count_what_was_invoiced_before(finance, buyer, partner):
    order(buyer, partner)
    receive(buyer, partner, "DN-1", [("PO-1", 1, "1000")])
    first = invoice(finance, partner, "INV-1", W41[0], [("PO-1", 1, "600", "2.5")])
    # A partial invoice: 600 of the 1,000 received is below the quantity (warning, nothing at
    # stake).
    assert found(first) == {"quantity_variance": ("warn", D("0.00"))}
    # (13 days later: the same gross total is not a likely duplicate.)
    second = invoice(finance, partner, "INV-2", W42[1], [("PO-1", 1, "600", "2.5")])
    # 600 before + 600 > 1,000 ordered: 200 over x 2.50 = 500.00; 600 vs the 400 left is +200
    # (500.00); the amount 1500.00 vs 400 x 2.50 = 1000.00 is 500.00 over.
    expected = {
        "over_billing": ("block", D("500.00")),
        "quantity_variance": ("block", D("500.00")),
        "amount_variance": ("block", D("500.00")),
    }
    assert found(second) == expected
    over = MatchException.objects.get(invoice=second, type="over_billing")
    assert over.detail == "invoiced 600.000 before + 600.000 on this line > ordered 1000.000: " \
        "200.000 over"  # fmt: skip

    # The same when the week is matched, and when both are matched in one batch.
    match_week(start=W42[0], end=W42[1])
    assert found(second) == expected
    outcome = match_invoices(invoice_ids=[second.pk, first.pk])
    assert (outcome.run.exceptions_opened, outcome.run.exceptions_cleared) == (0, 0)
    assert found(second) == expected
    # The first week does not count the later invoice.
    match_week(start=W41[0], end=W41[1])
    assert found(first) == {"quantity_variance": ("warn", D("0.00"))}


def test_rejected_invoices_do_not_count_as_invoiced_before(finance, buyer, partner):
    order(buyer, partner)
    receive(buyer, partner, "DN-1", [("PO-1", 1, "1000")])
    first = invoice(finance, partner, "INV-1", W41[0], [("PO-1", 1, "1000", "2.5")])
    payment.invoice_reject(user=finance, invoice=first, reason="Wrong entity")
    again = invoice(finance, partner, "INV-1B", W42[0], [("PO-1", 1, "1000", "2.5")])
    assert found(again) == {}


def test_four_way_waits_for_inspection(finance, buyer, inspector, partner):
    order(buyer, partner, number="PO-4", mode="4way")
    receipt = receive(buyer, partner, "DN-4", [("PO-4", 1, "1000")])
    inv = invoice(finance, partner, "INV-4", W41[0], [("PO-4", 1, "1000", "2.5")])
    line_id = inv.lines.get().order_line_id
    hold = MatchException.objects.get(invoice=inv, type="awaiting_inspection")
    assert (hold.severity, hold.amount_at_stake, hold.detail) == (
        "block",
        D("2500.00"),
        f"PO line {line_id}: 1000.000 received, awaiting inspection",
    )
    # Inspected: 900 accepted, 100 rejected -> 100 invoiced over what was accepted.
    documents.receipt_line_inspect(
        user=inspector, line=receipt.lines.get(), accepted=D("900"), rejected=D("100"),
        on_hold=False,
    )  # fmt: skip
    match_week(start=W41[0], end=W41[1])
    assert found(inv) == {
        "quantity_variance": ("block", D("250.00")),
        "amount_variance": ("block", D("250.00")),
    }
    hold.refresh_from_db()
    assert (hold.status, hold.resolution) == ("resolved", "cleared")
    # All accepted: matched.
    documents.receipt_line_inspect(
        user=inspector, line=receipt.lines.get(), accepted=D("1000"), rejected=None,
        on_hold=False,
    )  # fmt: skip
    outcome = match_week(start=W41[0], end=W41[1])
    assert found(inv) == {}
    assert (outcome.lines, outcome.lines_matched) == (1, 1)


def test_a_quality_hold_blocks(finance, buyer, inspector, partner):
    order(buyer, partner)
    receipt = receive(buyer, partner, "DN-1", [("PO-1", 1, "1000")])
    documents.receipt_line_inspect(user=inspector, line=receipt.lines.get(), accepted=None,
                                   rejected=None, on_hold=True, hold_reason="Cracks")  # fmt: skip
    inv = invoice(finance, partner, "INV-1", W41[0], [("PO-1", 1, "1000", "2.5")])
    line_id = inv.lines.get().order_line_id
    hold = MatchException.objects.get(invoice=inv)
    assert (hold.type, hold.severity, hold.amount_at_stake, hold.detail) == (
        "quality_hold",
        "block",
        D("2500.00"),
        f"PO line {line_id}: 1000.000 on quality hold",
    )
    inv.refresh_from_db()
    assert inv.payment_status == PaymentStatus.BLOCKED


def test_a_hold_placed_after_matching_blocks_the_invoice_at_once(
    finance, buyer, inspector, partner
):
    order(buyer, partner)
    receipt = receive(buyer, partner, "DN-1", [("PO-1", 1, "1000")])
    inv = invoice(finance, partner, "INV-1", W41[0], [("PO-1", 1, "1000", "2.5")])
    assert found(inv) == {}
    documents.receipt_line_inspect(user=inspector, line=receipt.lines.get(), accepted=None,
                                   rejected=None, on_hold=True, hold_reason="Cracks")  # fmt: skip
    # Without waiting for the weekly run: the invoice cannot be released while the hold lasts.
    assert found(inv) == {"quality_hold": ("block", D("2500.00"))}
    inv.refresh_from_db()
    assert inv.payment_status == PaymentStatus.BLOCKED
    # Lifting the hold clears it.
    documents.receipt_line_inspect(user=inspector, line=receipt.lines.get(), accepted=None,
                                   rejected=None, on_hold=False)  # fmt: skip
    assert found(inv) == {}


def test_the_same_invoice_number_again_is_a_duplicate(finance, buyer, partner):
    order(buyer, partner, lines=[("1000", "2.5"), ("1000", "2.5"), ("1000", "2.5")])
    receive(buyer, partner, "DN-1", [("PO-1", n, "1000") for n in (1, 2, 3)])
    original = invoice(finance, partner, "INV-007", W41[0], [("PO-1", 1, "1000", "2.5")])
    again = invoice(finance, partner, "inv 7", W41[0] + datetime.timedelta(days=2),
                    [("PO-1", 2, "400", "2.5")])  # fmt: skip
    duplicate = MatchException.objects.get(invoice=again, type="duplicate")
    # 400 x 2.50 = 1000.00 + 130.00 tax
    assert (duplicate.severity, duplicate.amount_at_stake, duplicate.related_invoice) == (
        "block",
        D("1130.00"),
        original,
    )
    assert duplicate.detail.startswith(f"same number as invoice {original.pk} (inv 7 vs INV-007")
    # The original is not a duplicate of the later one, however the batch is cut.
    for rerun in (
        lambda: match_week(start=W41[0], end=W41[1]),
        lambda: match_invoices(invoice_ids=[original.pk]),
        lambda: match_week(start=W41[0], end=W41[0]),
    ):
        rerun()
        assert not MatchException.objects.filter(invoice=original).exists()
        assert found(again)["duplicate"] == ("block", D("1130.00"))
    # Another partner may use the same number.
    other = PartnerFactory()
    order(buyer, other, number="PO-X")
    receive(buyer, other, "DN-X", [("PO-X", 1, "1000")])
    theirs = invoice(finance, other, "INV-007", W41[0], [("PO-X", 1, "1000", "2.5")],
                     tax_id="", bank_account="")  # fmt: skip
    assert not MatchException.objects.filter(invoice=theirs, type="duplicate").exists()


def test_the_same_gross_total_within_a_week_is_a_likely_duplicate(finance, buyer, partner):
    order(buyer, partner, lines=[("1000", "2.5")] * 3)
    receive(buyer, partner, "DN-1", [("PO-1", n, "1000") for n in (1, 2, 3)])
    first = invoice(finance, partner, "INV-1", W41[0], [("PO-1", 1, "1000", "2.5")])
    near = invoice(finance, partner, "INV-2", W41[0] + datetime.timedelta(days=7),
                   [("PO-1", 2, "1000", "2.5")])  # fmt: skip
    far = invoice(finance, partner, "INV-3", W41[0] + datetime.timedelta(days=15),
                  [("PO-1", 3, "1000", "2.5")])  # fmt: skip
    likely = MatchException.objects.get(invoice=near, type="duplicate")
    assert (likely.severity, likely.amount_at_stake, likely.related_invoice) == (
        "warn",
        D("2825.00"),
        first,
    )
    assert not MatchException.objects.filter(invoice__in=[first, far]).exists()
    near.refresh_from_db()
    assert near.payment_status == PaymentStatus.BLOCKED  # the checklist is still open


def test_an_invoice_in_another_currency_than_the_order(finance, buyer, partner):
    order(buyer, partner)
    receive(buyer, partner, "DN-1", [("PO-1", 1, "1000")])
    inv = invoice(finance, partner, "INV-1", W41[0], [("PO-1", 1, "1000", "0.35")],
                  currency="USD")  # fmt: skip
    currency = MatchException.objects.get(invoice=inv, type="currency")
    assert (currency.severity, currency.amount_at_stake, currency.currency) == (
        "block",
        D("350.00"),
        "USD",
    )
    assert currency.detail == f"invoice line in USD, PO line {inv.lines.get().order_line_id} in CNY"
    assert "price_variance" not in found(inv)


def test_the_batch_gets_its_payment_status(partner):
    day = W41[0] + datetime.timedelta(days=2)
    a = SupplierInvoiceFactory(partner=partner, invoice_date=day)
    b = SupplierInvoiceFactory(partner=partner, invoice_date=W42[0])
    assert {a.payment_status, b.payment_status} == {PaymentStatus.UNCHECKED}
    match_week(start=W41[0], end=W41[1])
    a.refresh_from_db()
    b.refresh_from_db()
    # No lines, no review: blocked (the review is missing), but matched.
    assert (a.payment_status, a.matched_at is not None) == (PaymentStatus.BLOCKED, True)
    assert (b.payment_status, b.matched_at) == (PaymentStatus.UNCHECKED, None)


def test_rejected_invoices_and_credit_notes_are_not_matched(finance, buyer, partner):
    order(buyer, partner)
    receive(buyer, partner, "DN-1", [("PO-1", 1, "1000")])
    rejected = invoice(finance, partner, "INV-1", W41[0], [("PO-1", 1, "1000", "2.6")])
    payment.invoice_reject(user=finance, invoice=rejected, reason="Price not agreed")
    assert found(rejected) == {}  # resolved with the rejection
    matched_at = SupplierInvoice.objects.get(pk=rejected.pk).matched_at
    credit = SupplierInvoiceFactory(
        partner=partner, kind="credit_note", invoice_date=W41[0], gross_total=D("1.00")
    )
    runs = MatchRun.objects.count()
    outcome = match_week(start=W41[0], end=W41[1])
    assert MatchRun.objects.count() == runs + 1
    assert (outcome.invoices, outcome.lines) == (0, 0)
    assert SupplierInvoice.objects.get(pk=rejected.pk).matched_at == matched_at
    credit.refresh_from_db()
    assert credit.matched_at is None
    assert not MatchException.objects.filter(invoice=credit).exists()
    assert MatchException.objects.filter(invoice=rejected, status="resolved").count() == 2
    assert match_invoices(invoice_ids=[rejected.pk, credit.pk]).invoices == 0


def test_a_default_profile_is_made_when_none_exists(finance, buyer, partner):
    from partnerdesk.finance.models import ToleranceProfile

    ToleranceProfile.objects.all().delete()
    order(buyer, partner)
    receive(buyer, partner, "DN-1", [("PO-1", 1, "1000")])
    inv = invoice(finance, partner, "INV-1", W41[0], [("PO-1", 1, "1000", "2.51")])
    default = ToleranceProfile.objects.get()
    assert (default.partner, default.category, default.price_percent) == (None, None, None)
    # Zero tolerance: 0.01 over on 1,000 is 10.00 at stake.
    assert found(inv)["price_variance"] == ("block", D("10.00"))
