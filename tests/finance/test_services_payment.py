"""Payment status, release, rejection and service-credit deductions on the real database."""

import datetime
from decimal import Decimal as D

import pytest

from partnerdesk.audit.models import AuditAction
from partnerdesk.core.errors import Conflict, Forbidden, InvalidInput
from partnerdesk.finance.choices import CheckOutcome, InvoiceStatus, PaymentStatus
from partnerdesk.finance.models import (
    InvoiceDeduction,
    ReviewCheck,
    SupplierInvoice,
    ToleranceProfile,
)
from partnerdesk.finance.selectors import net_payable, payment_reasons
from partnerdesk.finance.services import documents, payment, reviews
from partnerdesk.finance.services.payment import refresh_payment_status
from partnerdesk.performance.models import CreditProposal
from tests.factories import (
    ContractFactory,
    CreditProposalFactory,
    MatchExceptionFactory,
    PartnerFactory,
    SupplierInvoiceFactory,
)
from tests.support import audit_rows

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 10, 5)
TAX_ID = "91440300MA5FXX"


@pytest.fixture
def finance(make_user):
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
                {"item": f"PART-{n}", "quantity": "1000", "unit_price": "2.5"} for n in (1, 2, 3)
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
                {"order": "PO-1", "order_line": n, "quantity_received": "1000"} for n in (1, 2, 3)
            ],
        },
    )
    return order


def invoice(user, partner, number="INV-1", line=1, price="2.5", **overrides):
    """1000 x 2.50 = 2500.00 + 13 % = 325.00 -> 2825.00 on PO-1 line ``line``."""
    amount = (D(1000) * D(price)).quantize(D("0.01"))
    tax = (amount * D("0.13")).quantize(D("0.01"))
    data = {
        "partner": partner.pk,
        "number": number,
        "invoice_date": DAY + datetime.timedelta(days=5),
        "due_date": DAY + datetime.timedelta(days=35),
        "currency": "CNY",
        "net_total": str(amount),
        "tax_total": str(tax),
        "gross_total": str(amount + tax),
        "tax_id": TAX_ID,
        "bank_account": "6222 0000 1111",
        "lines": [
            {"order": "PO-1", "order_line": line, "quantity": "1000", "unit_price": price,
             "amount": str(amount), "tax_rate": "13", "tax_amount": str(tax)}
        ],
    }  # fmt: skip
    data.update(overrides)
    return documents.invoice_create(user=user, data=data)


def complete(user, inv):
    for c in ReviewCheck.objects.filter(review__invoice=inv, outcome=CheckOutcome.PENDING):
        reviews.review_answer(user=user, check=c, outcome=CheckOutcome.PASSED)
    inv.refresh_from_db()
    return inv


def status(inv) -> str:
    refresh_payment_status([inv.pk])
    return SupplierInvoice.objects.get(pk=inv.pk).payment_status


@pytest.fixture
def ready(finance, partner, order):
    inv = complete(finance, invoice(finance, partner))
    assert inv.payment_status == PaymentStatus.READY
    return inv


# --- payment status -------------------------------------------------------------------------


def test_all_good_is_ready(ready):
    assert status(ready) == PaymentStatus.READY
    assert payment_reasons(ready) == []


def test_rejected_is_blocked(ready):
    SupplierInvoice.objects.filter(pk=ready.pk).update(
        status=InvoiceStatus.REJECTED, rejection_reason="Duplicate"
    )
    assert status(ready) == PaymentStatus.BLOCKED


def test_never_matched_is_blocked(ready):
    SupplierInvoice.objects.filter(pk=ready.pk).update(matched_at=None)
    assert status(ready) == PaymentStatus.BLOCKED
    ready.refresh_from_db()
    assert [r.text for r in payment_reasons(ready)] == ["not matched yet"]


def test_a_credit_note_is_not_matched_its_review_decides(finance, partner, ready):
    note = invoice(finance, partner, number="CN-1", kind="credit_note", credits_invoice="INV-1")
    assert (note.kind, note.credits_invoice_id, note.matched_at) == ("credit_note", ready.pk, None)
    assert status(note) == PaymentStatus.BLOCKED  # its checklist is still open
    reasons = [r.text for r in payment_reasons(note)]
    assert "not matched yet" not in reasons and reasons
    note = complete(finance, note)
    assert status(note) == PaymentStatus.READY
    assert payment_reasons(note) == []


def test_a_blocking_exception_blocks_and_a_resolved_one_does_not(ready):
    exception = MatchExceptionFactory(invoice=ready, severity="block")
    assert status(ready) == PaymentStatus.BLOCKED
    for state in ("approval", "credit"):
        exception.status = state
        exception.save()
        assert status(ready) == PaymentStatus.BLOCKED
    exception.status = "resolved"
    exception.save()
    assert status(ready) == PaymentStatus.READY


def test_a_warning_exception_only_warns(ready):
    MatchExceptionFactory(invoice=ready, severity="warn", type="quantity_variance")
    assert status(ready) == PaymentStatus.WARNED


def test_an_incomplete_or_missing_review_blocks(ready):
    check = ReviewCheck.objects.filter(review__invoice=ready, item__auto_check="").first()
    check.outcome = CheckOutcome.PENDING
    check.save()
    ready.review.status = "open"
    ready.review.save()
    assert status(ready) == PaymentStatus.BLOCKED
    ready.review.delete()
    assert status(ready) == PaymentStatus.BLOCKED


def test_a_failed_item_blocks_a_warning_item_warns(finance, ready):
    check = ReviewCheck.objects.filter(review__invoice=ready, item__auto_check="").first()
    reviews.review_answer(user=finance, check=check, outcome="failed", note="Wrong entity")
    assert status(ready) == PaymentStatus.BLOCKED
    ReviewCheck.objects.filter(pk=check.pk).update(outcome=CheckOutcome.WARNING)
    assert status(ready) == PaymentStatus.WARNED


def test_refresh_by_queryset(ready, partner):
    other = SupplierInvoiceFactory(partner=partner)  # never matched, no review
    refresh_payment_status(queryset=SupplierInvoice.objects.filter(pk__in=[ready.pk, other.pk]))
    assert dict(SupplierInvoice.objects.values_list("number", "payment_status")) == {
        "INV-1": "ready",
        other.number: "blocked",
    }


# --- release --------------------------------------------------------------------------------


def test_release_is_refused_while_blocked_with_every_reason(finance, partner, order):
    inv = invoice(finance, partner, price="2.6")  # 0.10 over the PO price on 1,000
    with pytest.raises(Conflict) as error:
        payment.invoice_release(user=finance, invoice=inv)
    default = ToleranceProfile.objects.get(partner=None, category=None).pk
    assert error.value.message == (
        "Invoice INV-1 is blocked: "
        "Amount variance: amount 2600.0000 vs 2500.0000 (1000.000 at PO price 2.5000): "
        f"+100.0000 (+4.00 %) outside tolerance 1.00 % or 50.0000 (profile {default}); "
        "Price variance: price 2.6000 vs PO 2.5000: +0.1000 (+4.00 %) outside tolerance "
        f"2.00 % or 0.0500 (profile {default}); "
        "checklist not complete: 3 item(s) open, 0 awaiting a second reviewer"
    )
    inv.refresh_from_db()
    assert (inv.status, inv.released_at) == (InvoiceStatus.RECEIVED, None)
    assert [e.action for e in audit_rows(inv)] == [AuditAction.CREATE]


def test_release_when_ready(finance, ready):
    released = payment.invoice_release(user=finance, invoice=ready)
    assert (released.status, released.released_by) == (InvoiceStatus.RELEASED, finance)
    assert released.released_at is not None
    entry = audit_rows(ready)[-1]
    assert (entry.action, entry.actor, entry.changes["status"]) == (
        AuditAction.UPDATE,
        finance,
        ["received", "released"],
    )
    with pytest.raises(Conflict) as error:
        payment.invoice_release(user=finance, invoice=ready)
    assert error.value.message == "Invoice INV-1 is Released for payment."


def test_release_with_warnings_is_allowed(finance, ready):
    MatchExceptionFactory(invoice=ready, severity="warn")
    assert payment.invoice_release(user=finance, invoice=ready).status == InvoiceStatus.RELEASED


def test_only_finance_releases(make_user, ready):
    with pytest.raises(Forbidden):
        payment.invoice_release(user=make_user("outsourcing"), invoice=ready)


# --- reject ---------------------------------------------------------------------------------


def test_reject_needs_a_reason(finance, ready):
    with pytest.raises(InvalidInput) as error:
        payment.invoice_reject(user=finance, invoice=ready, reason="   ")
    assert error.value.fields == {"reason": ["Give the reason for the rejection."]}
    ready.refresh_from_db()
    assert ready.status == InvoiceStatus.RECEIVED


def test_reject(finance, ready):
    rejected = payment.invoice_reject(user=finance, invoice=ready, reason=" Wrong legal entity ")
    ready.refresh_from_db()
    assert (ready.status, ready.rejection_reason, ready.payment_status) == (
        InvoiceStatus.REJECTED,
        "Wrong legal entity",
        PaymentStatus.BLOCKED,
    )
    assert rejected.status == InvoiceStatus.REJECTED
    assert audit_rows(ready)[-1].changes["status"] == ["received", "rejected"]
    with pytest.raises(Conflict):
        payment.invoice_reject(user=finance, invoice=ready, reason="again")


def test_rejecting_an_invoice_resolves_its_open_exceptions(finance, ready):
    waiting = MatchExceptionFactory(invoice=ready, status="approval")
    open_ = MatchExceptionFactory(invoice=ready)
    done = MatchExceptionFactory(invoice=ready, status="resolved", resolution="accepted")
    payment.invoice_reject(user=finance, invoice=ready, reason="Sent twice")
    for exception in (waiting, open_):
        exception.refresh_from_db()
        assert (exception.status, exception.resolution, exception.resolved_by) == (
            "resolved",
            "rejected",
            finance,
        )
        assert exception.justification == "Invoice rejected: Sent twice"
    done.refresh_from_db()
    assert done.resolution == "accepted"


# --- deductions -----------------------------------------------------------------------------


@pytest.fixture
def contract(partner):
    return ContractFactory(partner=partner)


def proposal(contract, amount, kind="credit", currency="CNY"):
    from partnerdesk.performance.models import PeriodClose

    month = datetime.date(2026, 1 + PeriodClose.objects.count(), 1)
    return CreditProposalFactory(
        result__service_level__contract=contract,
        result__period_close__period=month,
        amount=D(amount),
        kind=kind,
        currency=currency,
    )


def test_deduction_apply_and_net_payable(finance, ready, contract):
    credit = proposal(contract, "600.00")
    deduction = payment.deduction_apply(user=finance, invoice=ready, proposal=credit)
    assert (deduction.invoice, deduction.amount, deduction.currency, deduction.applied_by) == (
        ready,
        D("600.00"),
        "CNY",
        finance,
    )
    credit.refresh_from_db()
    assert (credit.status, credit.applied_reference) == ("applied", "INV-1")
    assert [e.action for e in audit_rows(deduction)] == [AuditAction.CREATE]
    assert audit_rows(credit)[-1].changes["status"] == ["proposed", "applied"]
    earn_back = proposal(contract, "150.50", kind="earn_back")
    payment.deduction_apply(user=finance, invoice=ready, proposal=earn_back)
    deductions = list(InvoiceDeduction.objects.filter(invoice=ready).select_related("proposal"))
    # 2825.00 - 600.00 + 150.50
    assert net_payable(ready, deductions) == D("2375.50")

    # A proposal is applied once.
    with pytest.raises(Conflict) as error:
        payment.deduction_apply(user=finance, invoice=ready, proposal=credit)
    assert error.value.status == 409
    assert InvoiceDeduction.objects.count() == 2


def test_deduction_refusals(finance, ready, contract, partner):
    foreign = proposal(ContractFactory(), "100.00")
    with pytest.raises(InvalidInput) as error:
        payment.deduction_apply(user=finance, invoice=ready, proposal=foreign)
    assert error.value.message == "The credit belongs to another partner."
    dollars = proposal(contract, "100.00", currency="USD")
    with pytest.raises(InvalidInput) as error:
        payment.deduction_apply(user=finance, invoice=ready, proposal=dollars)
    assert error.value.message == "The credit is in USD, the invoice in CNY."
    credit_note = SupplierInvoiceFactory(partner=partner, kind="credit_note")
    with pytest.raises(Conflict):
        payment.deduction_apply(user=finance, invoice=credit_note, proposal=proposal(contract, "1"))
    payment.invoice_reject(user=finance, invoice=ready, reason="Wrong entity")
    with pytest.raises(Conflict):
        payment.deduction_apply(user=finance, invoice=ready, proposal=proposal(contract, "1"))
    with pytest.raises(Forbidden):
        payment.deduction_apply(
            user=_outsourcing(), invoice=ready, proposal=proposal(contract, "1")
        )
    assert not InvoiceDeduction.objects.exists()
    assert set(CreditProposal.objects.values_list("status", flat=True)) == {"proposed"}


def _outsourcing():
    from tests.factories import UserFactory

    return UserFactory(role="outsourcing")
