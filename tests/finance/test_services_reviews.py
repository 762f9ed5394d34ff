"""Document review checklists on the real database: the shipped templates, the automatic checks
(order open, tax id, bank account, arithmetic), reviewers' answers, the second reviewer of a
changed bank account, and completion."""

import datetime
from decimal import Decimal as D

import pytest

from partnerdesk.audit.models import AuditAction
from partnerdesk.core.errors import Conflict, Forbidden, InvalidInput
from partnerdesk.finance.choices import CheckOutcome, PaymentStatus, ReviewStatus
from partnerdesk.finance.models import (
    ChecklistTemplate,
    DocumentReview,
    GoodsReceipt,
    ReviewCheck,
)
from partnerdesk.finance.services import documents, payment, reviews
from tests.factories import PartnerFactory
from tests.support import audit_rows

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 10, 5)
TAX_ID = "91440300MA5FXX"


@pytest.fixture
def finance(make_user):
    return make_user("finance")


@pytest.fixture
def colleague(make_user):
    return make_user("finance")


@pytest.fixture
def partner():
    return PartnerFactory(tax_id=TAX_ID)


@pytest.fixture
def order(make_user, partner):
    buyer = make_user("outsourcing")
    order = documents.purchase_order_create(
        user=buyer,
        data={
            "partner": partner.pk,
            "number": "PO-1",
            "order_date": DAY,
            "currency": "CNY",
            "lines": [
                {"item": f"PART-{n}", "quantity": "100", "unit_price": "2.5"} for n in range(1, 7)
            ],
        },
    )
    documents.receipt_create(
        user=buyer,
        data={
            "partner": partner.pk,
            "number": "DN-1",
            "received_on": DAY,
            "lines": [
                {"order": "PO-1", "order_line": n, "quantity_received": "100"} for n in range(1, 7)
            ],
        },
    )
    return order


def invoice(user, partner, number="INV-1", day=0, line=None, **overrides):
    """An invoice of 100 x 2.50 = 250.00 + 13 % tax 32.50 = 282.50 on PO-1, the line numbered
    like the invoice (INV-2 on line 2): each invoice bills what was received of its line."""
    data = {
        "partner": partner.pk,
        "number": number,
        "invoice_date": DAY + datetime.timedelta(days=5 + day),
        "due_date": DAY + datetime.timedelta(days=40 + day),
        "currency": "CNY",
        "net_total": "250.00",
        "tax_total": "32.50",
        "gross_total": "282.50",
        "tax_id": TAX_ID,
        "bank_account": "6222 0000 1111",
        "lines": [
            {
                "order": "PO-1",
                "order_line": int(number[-1]),
                "quantity": "100",
                "unit_price": "2.5",
                "amount": "250.00",
                "tax_rate": "13",
                "tax_amount": "32.50",
                **(line or {}),
            }
        ],
    }
    data.update(overrides)
    return documents.invoice_create(user=user, data=data)


def check(inv, code) -> ReviewCheck:
    return ReviewCheck.objects.select_related("item").get(
        review__invoice=inv, item__auto_check=code
    )


def outcome(inv, code) -> tuple[str, str, bool]:
    c = check(inv, code)
    return c.outcome, c.detail, c.needs_second


def manual(inv) -> list[ReviewCheck]:
    return list(
        ReviewCheck.objects.filter(review__invoice=inv, item__auto_check="").order_by(
            "item__position"
        )
    )


def answer_manual(user, inv) -> None:
    for c in manual(inv):
        reviews.review_answer(user=user, check=c, outcome=CheckOutcome.PASSED)


def review_of(inv) -> DocumentReview:
    return DocumentReview.objects.get(invoice=inv)


# --- templates ------------------------------------------------------------------------------


def test_the_four_default_checklists_are_shipped():
    templates = {t.document_type: t for t in ChecklistTemplate.objects.filter(is_active=True)}
    assert sorted(templates) == ["contract", "credit_note", "delivery_note", "invoice"]
    assert {t.version for t in templates.values()} == {1}
    autos = {
        kind: [i.auto_check for i in t.items.order_by("position")] for kind, t in templates.items()
    }
    assert autos == {
        "invoice": ["po_open", "tax_id", "bank_account", "arithmetic", "", "", ""],
        "credit_note": ["credit_reference", "tax_id", "arithmetic", ""],
        "delivery_note": ["receipt_po", "", "", ""],
        "contract": ["contract_active", "", "", ""],
    }


def test_a_document_keeps_its_review(finance, partner, order):
    inv = invoice(finance, partner)
    first = review_of(inv)
    assert reviews.review_start(invoice=inv) == first
    assert DocumentReview.objects.count() == 1
    assert first.checks.count() == 7


def test_a_receipt_review_checks_its_order_lines(partner, order):
    receipt = GoodsReceipt.objects.get()
    review = reviews.review_start(receipt=receipt)
    c = review.checks.get(item__auto_check="receipt_po")
    assert (c.outcome, c.detail) == ("passed", "6 lines, all on the partner's orders")
    assert review.status == ReviewStatus.OPEN


def test_without_a_checklist_in_use_a_review_cannot_start(partner, order):
    ChecklistTemplate.objects.filter(document_type="delivery_note").update(is_active=False)
    receipt = GoodsReceipt.objects.get()
    with pytest.raises(Conflict) as error:
        reviews.review_start(receipt=receipt)
    assert error.value.message == "No checklist is in use for Delivery note documents."


# --- order open -----------------------------------------------------------------------------


def test_po_open_passes_on_an_open_order(finance, partner, order):
    assert outcome(invoice(finance, partner), "po_open") == ("passed", "open order(s) PO-1", False)


def test_po_open_fails_on_a_closed_order_and_a_missing_one(finance, partner, order):
    documents.purchase_order_set_status(user=_buyer(), order=order, status="closed")
    inv = invoice(finance, partner)
    assert outcome(inv, "po_open") == ("failed", "order(s) not open: PO-1", False)

    mixed = invoice(
        finance,
        partner,
        "INV-2",
        net_total="500.00",
        tax_total="65.00",
        gross_total="565.00",
        lines=[
            {"item": "X", "quantity": "100", "unit_price": "2.5", "amount": "250.00",
             "tax_rate": "13", "tax_amount": "32.50"},
            {"order": "PO-1", "order_line": 2, "quantity": "100", "unit_price": "2.5",
             "amount": "250.00", "tax_rate": "13", "tax_amount": "32.50"},
        ],
    )  # fmt: skip
    assert outcome(mixed, "po_open") == (
        "failed",
        "no known order on line(s) 1; order(s) not open: PO-1",
        False,
    )


def _buyer():
    from tests.factories import UserFactory

    return UserFactory(role="outsourcing")


def test_rerun_answers_the_automatic_items_again(finance, partner, order):
    inv = invoice(finance, partner)
    assert check(inv, "po_open").outcome == "passed"
    documents.purchase_order_set_status(user=_buyer(), order=order, status="closed")
    reviews.review_rerun(user=finance, review=review_of(inv))
    assert outcome(inv, "po_open") == ("failed", "order(s) not open: PO-1", False)
    assert check(inv, "po_open").checked_by is None


# --- tax id ---------------------------------------------------------------------------------


def test_tax_id_matches_whatever_the_spelling(finance, partner, order):
    inv = invoice(finance, partner, tax_id="9144-0300 ma5fxx")
    assert outcome(inv, "tax_id") == ("passed", TAX_ID, False)


def test_tax_id_mismatch_or_missing_fails(finance, partner, order):
    wrong = invoice(finance, partner, tax_id="91440300MA5FYY")
    assert outcome(wrong, "tax_id") == (
        "failed",
        "invoice shows 91440300MA5FYY, the partner's is 91440300MA5FXX",
        False,
    )
    none = invoice(finance, partner, "INV-2", tax_id="")
    assert outcome(none, "tax_id") == ("failed", "no tax id on the invoice", False)


def test_a_partner_without_tax_id_is_a_warning(finance, order, partner):
    partner.tax_id = ""
    partner.save()
    inv = invoice(finance, partner)
    assert outcome(inv, "tax_id") == (
        "warning",
        "the partner has no tax id on file; check by hand",
        False,
    )


# --- bank account ---------------------------------------------------------------------------


def test_bank_account_first_same_and_missing(finance, partner, order):
    first = invoice(finance, partner)
    assert outcome(first, "bank_account") == (
        "passed",
        "first invoice with a bank account from this partner",
        False,
    )
    same = invoice(finance, partner, "INV-2", day=2, bank_account="6222-0000-1111")
    assert outcome(same, "bank_account") == ("passed", "same account as invoice INV-1", False)
    none = invoice(finance, partner, "INV-3", day=3, bank_account="")
    assert outcome(none, "bank_account") == ("failed", "no bank account on the invoice", False)


def test_a_changed_bank_account_needs_a_second_reviewer(finance, colleague, partner, order):
    invoice(finance, partner)
    changed = invoice(finance, partner, "INV-2", day=2, bank_account="6222 9999 0000")
    assert outcome(changed, "bank_account") == (
        "warning",
        "account changed from 6222 0000 1111 (invoice INV-1) to 6222 9999 0000: a second "
        "reviewer must confirm",
        True,
    )
    answer_manual(finance, changed)
    review = review_of(changed)
    assert review.status == ReviewStatus.OPEN  # everything answered, the second is missing
    bank = check(changed, "bank_account")

    # The person who reviewed the invoice cannot be the second reviewer.
    with pytest.raises(Forbidden):
        reviews.review_confirm_second(user=finance, check=bank, note="called them")
    assert review_of(changed).status == ReviewStatus.OPEN

    reviews.review_confirm_second(user=colleague, check=bank, note=" Called the partner ")
    bank.refresh_from_db()
    assert (bank.second_by, bank.note, bank.outcome) == (colleague, "Called the partner", "warning")
    review = review_of(changed)
    assert review.status == ReviewStatus.COMPLETE
    assert review.completed_at is not None
    assert [e.actor for e in audit_rows(bank)] == [colleague]
    # Complete, with a warning: the invoice can be paid, with warnings.
    changed.refresh_from_db()
    assert changed.payment_status == PaymentStatus.WARNED


def test_a_check_without_a_warning_needs_no_second_reviewer(finance, colleague, partner, order):
    inv = invoice(finance, partner)
    with pytest.raises(Conflict):
        reviews.review_confirm_second(user=colleague, check=check(inv, "bank_account"))


def test_the_second_reviewer_cannot_then_review_the_rest_alone(finance, colleague, partner, order):
    invoice(finance, partner)
    changed = invoice(finance, partner, "INV-2", day=2, bank_account="6222 9999 0000")
    # The colleague confirms before anyone reviewed the invoice by hand ...
    reviews.review_confirm_second(user=colleague, check=check(changed, "bank_account"))
    # ... and then answers the manual items: one person did both, the review is not complete.
    answer_manual(colleague, changed)
    assert review_of(changed).status == ReviewStatus.OPEN
    assert check(changed, "bank_account").second_by is None
    # Someone else confirms: complete.
    reviews.review_confirm_second(user=finance, check=check(changed, "bank_account"))
    assert review_of(changed).status == ReviewStatus.COMPLETE


def test_any_manual_reviewer_is_a_first_reviewer(finance, colleague, make_user, partner, order):
    invoice(finance, partner)
    changed = invoice(finance, partner, "INV-2", day=2, bank_account="6222 9999 0000")
    first, *rest = manual(changed)
    reviews.review_answer(user=finance, check=first, outcome="passed")
    for c in rest:
        reviews.review_answer(user=colleague, check=c, outcome="passed")
    bank = check(changed, "bank_account")
    with pytest.raises(Forbidden):
        reviews.review_confirm_second(user=finance, check=bank)
    with pytest.raises(Forbidden):
        reviews.review_confirm_second(user=colleague, check=bank)
    reviews.review_confirm_second(user=make_user("finance"), check=bank)
    assert review_of(changed).status == ReviewStatus.COMPLETE


def test_a_rejected_invoice_does_not_set_the_trusted_bank_account(finance, partner, order):
    invoice(finance, partner)
    fraud = invoice(finance, partner, "INV-2", day=2, bank_account="6222 6666 6666")
    assert check(fraud, "bank_account").outcome == "warning"
    payment.invoice_reject(user=finance, invoice=fraud, reason="Bank account not confirmed")
    again = invoice(finance, partner, "INV-3", day=4, bank_account="6222 6666 6666")
    assert outcome(again, "bank_account") == (
        "warning",
        "account changed from 6222 0000 1111 (invoice INV-1) to 6222 6666 6666: a second "
        "reviewer must confirm",
        True,
    )


def test_a_rerun_that_finds_a_changed_account_opens_the_review_again(
    finance, colleague, partner, order
):
    invoice(finance, partner)
    later = invoice(finance, partner, "INV-3", day=6)
    answer_manual(finance, later)
    review = review_of(later)
    assert review.status == ReviewStatus.COMPLETE
    # An invoice dated in between arrives late with another account: for INV-3 the account has
    # changed since the last invoice.
    invoice(finance, partner, "INV-2", day=3, bank_account="6222 9999 0000")
    reviews.review_rerun(user=finance, review=review)
    review.refresh_from_db()
    assert outcome(later, "bank_account")[0::2] == ("warning", True)
    assert (review.status, review.completed_at) == (ReviewStatus.OPEN, None)


# --- arithmetic -----------------------------------------------------------------------------


def test_arithmetic_passes_and_allows_a_cent_on_a_line(finance, partner, order):
    inv = invoice(finance, partner)
    assert outcome(inv, "arithmetic") == (
        "passed",
        "1 lines, net 250.00 + tax 32.50 = 282.50",
        False,
    )
    cent = invoice(
        finance,
        partner,
        "INV-2",
        line={"amount": "250.01"},
        net_total="250.01",
        gross_total="282.51",
    )
    assert check(cent, "arithmetic").outcome == "passed"


@pytest.mark.parametrize(
    ("overrides", "line", "detail"),
    [
        (
            {"net_total": "251.00", "gross_total": "283.50"},
            {"amount": "251.00"},
            "line 1: 100.000 x 2.5000 = 250.00, invoiced 251.00",
        ),
        (
            {"net_total": "260.00", "gross_total": "292.50"},
            {},
            "lines add up to 250.00, net total 260.00",
        ),
        (
            {"tax_total": "33.00", "gross_total": "283.00"},
            {},
            "line taxes add up to 32.50, tax total 33.00",
        ),
        ({"gross_total": "283.00"}, {}, "net 250.00 + tax 32.50 ≠ gross 283.00"),
        (
            {"net_total": "300.00", "tax_total": "30.00", "gross_total": "340.00"},
            {"quantity": "120"},
            "line 1: 120.000 x 2.5000 = 300.00, invoiced 250.00; lines add up to 250.00, net "
            "total 300.00; line taxes add up to 32.50, tax total 30.00; net 300.00 + tax 30.00 "
            "≠ gross 340.00",
        ),
    ],
)
def test_arithmetic_fails_on_each_part(finance, partner, order, overrides, line, detail):
    inv = invoice(finance, partner, line=line, **overrides)
    assert outcome(inv, "arithmetic") == ("failed", detail, False)


# --- answers and completion -----------------------------------------------------------------


def test_answers_need_a_note_when_not_passed_or_overriding(finance, partner, order):
    inv = invoice(finance, partner)
    first = manual(inv)[0]
    for value in ("failed", "na"):
        with pytest.raises(InvalidInput) as error:
            reviews.review_answer(user=finance, check=first, outcome=value, note="  ")
        assert error.value.fields == {"note": ["Say why in a note."]}
    with pytest.raises(InvalidInput) as error:
        reviews.review_answer(user=finance, check=first, outcome="warning")
    assert error.value.fields == {"outcome": ["Choose passed, failed or not applicable."]}
    # Overriding an automatic item needs a note, even to pass it.
    tax = check(inv, "tax_id")
    with pytest.raises(InvalidInput) as error:
        reviews.review_answer(user=finance, check=tax, outcome="passed")
    assert error.value.fields == {"note": ["Say why in a note."]}
    assert audit_rows(first) == audit_rows(tax) == []

    reviews.review_answer(user=finance, check=tax, outcome="na", note="Exempt supplier")
    tax.refresh_from_db()
    assert (tax.outcome, tax.note, tax.checked_by) == ("na", "Exempt supplier", finance)
    answered = reviews.review_answer(user=finance, check=first, outcome="passed")
    assert (answered.outcome, answered.note, answered.checked_by) == ("passed", "", finance)
    [entry] = audit_rows(first)
    assert (entry.action, entry.changes["outcome"]) == (AuditAction.UPDATE, ["pending", "passed"])


def test_only_finance_reviews(make_user, partner, order, finance):
    inv = invoice(finance, partner)
    with pytest.raises(Forbidden):
        reviews.review_answer(user=make_user("outsourcing"), check=manual(inv)[0], outcome="passed")


def test_the_review_completes_with_the_last_answer(finance, partner, order):
    inv = invoice(finance, partner)
    first, second, third = manual(inv)
    reviews.review_answer(user=finance, check=first, outcome="passed")
    reviews.review_answer(user=finance, check=second, outcome="na", note="Not in contract")
    review = review_of(inv)
    assert (review.status, review.completed_at) == (ReviewStatus.OPEN, None)
    inv.refresh_from_db()
    assert inv.payment_status == PaymentStatus.BLOCKED

    reviews.review_answer(user=finance, check=third, outcome="passed")
    review.refresh_from_db()
    assert review.status == ReviewStatus.COMPLETE
    assert review.completed_at is not None
    inv.refresh_from_db()
    assert inv.payment_status == PaymentStatus.READY

    # A failed answer keeps the review complete but blocks payment.
    reviews.review_answer(user=finance, check=third, outcome="failed", note="Paper copy missing")
    review.refresh_from_db()
    inv.refresh_from_db()
    assert (review.status, inv.payment_status) == (ReviewStatus.COMPLETE, PaymentStatus.BLOCKED)


def test_a_credit_note_review(finance, partner, order):
    invoice(finance, partner)
    credit = invoice(
        finance,
        partner,
        "CN-1",
        kind="credit_note",
        credits_invoice="INV-1",
        lines=[{"item": "Price correction", "quantity": "100", "unit_price": "2.5",
                "amount": "250.00", "tax_rate": "13", "tax_amount": "32.50"}],
    )  # fmt: skip
    review = review_of(credit)
    assert review.template.document_type == "credit_note"
    assert outcome(credit, "credit_reference") == ("passed", "credits invoice INV-1", False)
    assert outcome(credit, "arithmetic")[0] == "passed"
    loose = invoice(finance, partner, "CN-2", kind="credit_note",
                    lines=[{"item": "X", "quantity": "1", "unit_price": "250", "amount": "250.00",
                            "tax_rate": "13", "tax_amount": "32.50"}])  # fmt: skip
    assert outcome(loose, "credit_reference") == (
        "failed",
        "the credit note names no invoice of the partner",
        False,
    )


def test_review_answer_amounts_are_decimal(finance, partner, order):
    # The arithmetic check compares exact decimals: 3 x 0.3333 = 0.9999 -> 1.00 (half up).
    inv = invoice(
        finance,
        partner,
        line={"quantity": "3", "unit_price": "0.3333", "amount": "1.00", "tax_amount": "0.13"},
        net_total="1.00",
        tax_total="0.13",
        gross_total="1.13",
    )
    assert check(inv, "arithmetic").outcome == "passed"
    assert inv.lines.get().unit_price == D("0.3333")
