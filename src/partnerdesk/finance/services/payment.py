"""Payment status of invoices, release for payment, rejection, and service-credit deductions.

``refresh_payment_status`` is set-based: one UPDATE with a CASE over EXISTS sub-queries per
batch of invoices, so the weekly run updates a week of invoices in a few statements.

- blocked: rejected; an invoice not matched yet (credit notes are not matched: they are
  checked by their own review); an open exception that blocks; no complete review; a review
  item failed;
- warned: an open warning exception, or a review item answered with a warning;
- ready otherwise.
"""

from django.db import transaction
from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerdesk.audit.models import AuditAction
from partnerdesk.audit.services import record_change, snapshot
from partnerdesk.core.errors import Conflict, InvalidInput
from partnerdesk.core.services import require_perm
from partnerdesk.finance.choices import (
    CheckOutcome,
    ExceptionStatus,
    InvoiceKind,
    InvoiceStatus,
    PaymentStatus,
    Resolution,
    ReviewStatus,
    Severity,
)
from partnerdesk.finance.models import (
    DocumentReview,
    InvoiceDeduction,
    MatchException,
    ReviewCheck,
    SupplierInvoice,
)

BATCH = 500


def _status_expression(*, matching: bool = False):
    """The CASE giving the payment status; ``matching``: the UPDATE also sets matched_at (a
    statement sees the row as it was, so matched_at may not be read)."""
    invoice = OuterRef("pk")
    open_exceptions = MatchException.objects.filter(invoice=invoice).exclude(
        status=ExceptionStatus.RESOLVED
    )
    blocking = open_exceptions.filter(severity=Severity.BLOCK)
    warning = open_exceptions.filter(severity=Severity.WARN)
    complete = DocumentReview.objects.filter(invoice=invoice, status=ReviewStatus.COMPLETE)
    failed = ReviewCheck.objects.filter(review__invoice=invoice, outcome=CheckOutcome.FAILED)
    warned = ReviewCheck.objects.filter(review__invoice=invoice, outcome=CheckOutcome.WARNING)
    return Case(
        When(
            Q(status=InvoiceStatus.REJECTED)
            | (Q() if matching else Q(kind=InvoiceKind.INVOICE, matched_at__isnull=True))
            | Exists(blocking)
            | ~Exists(complete)
            | Exists(failed),
            then=Value(PaymentStatus.BLOCKED),
        ),
        When(Exists(warning) | Exists(warned), then=Value(PaymentStatus.WARNED)),
        default=Value(PaymentStatus.READY),
    )


def refresh_payment_status(invoice_ids=None, *, queryset=None, matched_at=None) -> None:
    """Recompute the payment status of the invoices given by id or by a queryset; a matching
    run passes ``matched_at`` with a queryset of the invoices it matched, set in the same
    statement."""
    if queryset is not None:
        if matched_at is not None:
            queryset.update(matched_at=matched_at, payment_status=_status_expression(matching=True))
        else:
            queryset.update(payment_status=_status_expression())
        return
    ids = sorted(set(invoice_ids or ()))
    for offset in range(0, len(ids), BATCH):
        SupplierInvoice.objects.filter(pk__in=ids[offset : offset + BATCH]).update(
            payment_status=_status_expression()
        )


@transaction.atomic
def invoice_release(*, user, invoice: SupplierInvoice) -> SupplierInvoice:
    """Release an invoice for payment: only when nothing blocks it."""
    require_perm(user, "finance.release_supplierinvoice")
    invoice = SupplierInvoice.objects.select_for_update().get(pk=invoice.pk)
    refresh_payment_status([invoice.pk])
    invoice.refresh_from_db()
    if invoice.status != InvoiceStatus.RECEIVED:
        raise Conflict(
            _("Invoice %(n)s is %(s)s.") % {"n": invoice.number, "s": invoice.get_status_display()}
        )
    if invoice.payment_status == PaymentStatus.BLOCKED:
        from partnerdesk.finance.selectors import payment_reasons

        reasons = [r.text for r in payment_reasons(invoice) if r.severity == Severity.BLOCK]
        raise Conflict(
            _("Invoice %(n)s is blocked: %(why)s")
            % {"n": invoice.number, "why": "; ".join(reasons) or _("see its exceptions")}
        )
    before = snapshot(invoice)
    invoice.status = InvoiceStatus.RELEASED
    invoice.released_at, invoice.released_by = timezone.now(), user
    invoice.save(update_fields=["status", "released_at", "released_by", "updated_at"])
    record_change(actor=user, instance=invoice, action=AuditAction.UPDATE, before=before)
    return invoice


@transaction.atomic
def invoice_reject(*, user, invoice: SupplierInvoice, reason: str) -> SupplierInvoice:
    """Reject an invoice (it will not be paid; the partner sends a corrected one). Its
    exceptions still open are resolved with it (a rejected invoice is not matched again, so
    nothing else would ever close them)."""
    require_perm(user, "finance.change_supplierinvoice")
    reason = (reason or "").strip()
    if not reason:
        message = _("Give the reason for the rejection.")
        raise InvalidInput(message, fields={"reason": [message]})
    invoice = SupplierInvoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.status != InvoiceStatus.RECEIVED:
        raise Conflict(
            _("Invoice %(n)s is %(s)s.") % {"n": invoice.number, "s": invoice.get_status_display()}
        )
    before = snapshot(invoice)
    invoice.status = InvoiceStatus.REJECTED
    invoice.rejection_reason = reason[:300]
    invoice.save(update_fields=["status", "rejection_reason", "updated_at"])
    record_change(actor=user, instance=invoice, action=AuditAction.UPDATE, before=before)
    resolve_with_rejection(
        user=user,
        invoice=invoice,
        justification=_("Invoice rejected: %(r)s") % {"r": invoice.rejection_reason},
    )
    refresh_payment_status([invoice.pk])
    return invoice


def resolve_with_rejection(*, user, invoice: SupplierInvoice, justification: str) -> None:
    """Resolve every exception of the invoice not resolved yet (open, awaiting approval or a
    credit note) as rejected with the invoice; audited."""
    now = timezone.now()
    for exception in (
        MatchException.objects.select_for_update()
        .filter(invoice=invoice)
        .exclude(status=ExceptionStatus.RESOLVED)
    ):
        before = snapshot(exception)
        exception.status, exception.resolution = ExceptionStatus.RESOLVED, Resolution.REJECTED
        exception.justification = justification[:4000]
        exception.resolved_by, exception.resolved_at = user, now
        exception.save()
        record_change(actor=user, instance=exception, action=AuditAction.UPDATE, before=before)


@transaction.atomic
def deduction_apply(*, user, invoice: SupplierInvoice, proposal) -> InvoiceDeduction:
    """Apply a proposed service credit (or earn-back) of a closed SLA period to an invoice of
    the same partner and currency that is not paid out yet. The proposal becomes applied; a
    proposal is applied once."""
    from partnerdesk.finance.selectors import net_payable
    from partnerdesk.performance.choices import ProposalKind, ProposalStatus
    from partnerdesk.performance.models import CreditProposal

    require_perm(user, "finance.add_invoicededuction")
    invoice = SupplierInvoice.objects.select_for_update().get(pk=invoice.pk)
    proposal = (
        CreditProposal.objects.select_for_update().select_related("contract").get(pk=proposal.pk)
    )
    if proposal.status != ProposalStatus.PROPOSED:
        raise Conflict(
            _("This proposal is %(s)s, not open.") % {"s": proposal.get_status_display()}
        )
    if proposal.contract.partner_id != invoice.partner_id:
        raise InvalidInput(_("The credit belongs to another partner."))
    if proposal.currency != invoice.currency:
        raise InvalidInput(
            _("The credit is in %(c)s, the invoice in %(i)s.")
            % {"c": proposal.currency, "i": invoice.currency}
        )
    if invoice.kind != InvoiceKind.INVOICE or invoice.status != InvoiceStatus.RECEIVED:
        raise Conflict(
            _("Credits are deducted from invoices not yet released for payment or rejected.")
        )
    if proposal.kind == ProposalKind.CREDIT:
        payable = net_payable(invoice, invoice.deductions.select_related("proposal"))
        if proposal.amount > payable:
            raise Conflict(
                _("The credit of %(c)s is more than the %(p)s still payable on this invoice.")
                % {"c": proposal.amount, "p": payable}
            )
    deduction = InvoiceDeduction.objects.create(
        invoice=invoice,
        proposal=proposal,
        amount=proposal.amount,
        currency=proposal.currency,
        applied_by=user,
    )
    before = snapshot(proposal)
    proposal.status = ProposalStatus.APPLIED
    proposal.applied_reference = invoice.number[:60]
    proposal.save(update_fields=["status", "applied_reference"])
    record_change(actor=user, instance=deduction, action=AuditAction.CREATE)
    record_change(actor=user, instance=proposal, action=AuditAction.UPDATE, before=before)
    return deduction
