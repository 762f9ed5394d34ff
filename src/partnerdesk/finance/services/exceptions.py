"""The exception queue: owners, reason codes and resolutions.

- accept with a justification (above ``FINANCE_APPROVAL_THRESHOLD`` a second person approves;
  see ``approval_threshold`` for currencies other than the default one);
- request a credit note (the exception waits for it; the credit note received is recorded with
  the amount recovered);
- reject the invoice (all its open exceptions are resolved with it);
- correct the data (a data error: who found it and its amount are recorded for the incentives
  module); matching the invoice again then shows whether the correction holds.
Resolved exceptions are never edited; a new run that finds the discrepancy again opens a new
one.
"""

from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerdesk.audit.models import AuditAction
from partnerdesk.audit.services import record_change, snapshot
from partnerdesk.core.errors import Conflict, Forbidden, InvalidInput
from partnerdesk.core.services import require_perm
from partnerdesk.finance.choices import (
    ExceptionStatus,
    InvoiceKind,
    ReasonCode,
    Resolution,
)
from partnerdesk.finance.models import MatchException, SupplierInvoice

OPEN_STATES = (ExceptionStatus.OPEN, ExceptionStatus.AWAITING_CREDIT)


def approval_threshold(currency: str) -> Decimal | None:
    """The most at stake one person may accept alone in this currency: the setting in the
    default currency, ``FINANCE_APPROVAL_THRESHOLDS`` for the others; None (always a second
    approval) when none is configured for the currency."""
    if currency == settings.DEFAULT_CURRENCY:
        return settings.FINANCE_APPROVAL_THRESHOLD
    return settings.FINANCE_APPROVAL_THRESHOLDS.get(currency)


def _locked(exception: MatchException) -> MatchException:
    return MatchException.objects.select_for_update().select_related("invoice").get(pk=exception.pk)


def _field_error(name: str, message: str):
    return InvalidInput(message, fields={name: [message]})


@transaction.atomic
def exception_assign(
    *, user, exception: MatchException, owner, reason_code: str = ""
) -> MatchException:
    require_perm(user, "finance.resolve_matchexception")
    exception = _locked(exception)
    if exception.status == ExceptionStatus.RESOLVED:
        raise Conflict(_("This exception is resolved."))
    if reason_code and reason_code not in ReasonCode.values:
        raise _field_error("reason_code", _("Unknown reason code."))
    if owner is not None and not owner.is_active:
        raise _field_error("owner", _("Choose an active user."))
    before = snapshot(exception)
    exception.owner = owner
    if reason_code:
        exception.reason_code = reason_code
    exception.save(update_fields=["owner", "reason_code"])
    record_change(actor=user, instance=exception, action=AuditAction.UPDATE, before=before)
    return exception


@transaction.atomic
def exception_resolve(
    *,
    user,
    exception: MatchException,
    resolution: str,
    justification: str = "",
    reason_code: str = "",
    data_error_amount: Decimal | None = None,
    found_by=None,
) -> MatchException:
    """Resolve an open exception one of the four ways (see the module docstring)."""
    require_perm(user, "finance.resolve_matchexception")
    exception = _locked(exception)
    if exception.status not in OPEN_STATES:
        raise Conflict(
            _("This exception is %(s)s.") % {"s": exception.get_status_display().lower()}
        )
    justification = (justification or "").strip()
    if reason_code and reason_code not in ReasonCode.values:
        raise _field_error("reason_code", _("Unknown reason code."))
    if resolution not in (
        Resolution.ACCEPTED,
        Resolution.CREDIT_NOTE,
        Resolution.REJECTED,
        Resolution.CORRECTED,
    ):
        raise _field_error("resolution", _("Choose accept, credit note, reject or correct."))
    if not justification:
        raise _field_error("justification", _("Say why (the justification is kept as evidence)."))
    before = snapshot(exception)
    now = timezone.now()
    exception.resolution = resolution
    exception.justification = justification[:4000]
    exception.reason_code = reason_code or exception.reason_code
    exception.resolved_by, exception.resolved_at = user, now
    if resolution == Resolution.ACCEPTED:
        limit = approval_threshold(exception.currency)
        needs_approval = limit is None or exception.amount_at_stake > limit
        exception.status = (
            ExceptionStatus.AWAITING_APPROVAL if needs_approval else ExceptionStatus.RESOLVED
        )
    elif resolution == Resolution.CREDIT_NOTE:
        exception.status = ExceptionStatus.AWAITING_CREDIT
        exception.resolved_at = None
    elif resolution == Resolution.CORRECTED:
        amount = exception.amount_at_stake if data_error_amount is None else data_error_amount
        if amount < 0:
            raise _field_error("data_error_amount", _("Must not be negative."))
        exception.data_error_amount = amount
        exception.data_error_found_by = found_by or user
        exception.status = ExceptionStatus.RESOLVED
    else:
        exception.status = ExceptionStatus.RESOLVED
    exception.save()
    record_change(actor=user, instance=exception, action=AuditAction.UPDATE, before=before)
    if resolution == Resolution.REJECTED:
        _reject_invoice(user, exception, justification)
    from partnerdesk.finance.services.payment import refresh_payment_status

    refresh_payment_status([exception.invoice_id])
    return exception


def _reject_invoice(user, exception: MatchException, reason: str) -> None:
    """Reject the invoice and resolve all its other exceptions not resolved yet (also those
    awaiting approval or a credit note) with it."""
    from partnerdesk.finance.services.payment import invoice_reject, resolve_with_rejection

    invoice = exception.invoice
    resolve_with_rejection(
        user=user,
        invoice=invoice,
        justification=_("Invoice rejected with exception #%(n)s.") % {"n": exception.pk},
    )
    if invoice.status == "received":
        invoice_reject(user=user, invoice=invoice, reason=reason)


@transaction.atomic
def exception_approve(
    *, user, exception: MatchException, approve: bool, note: str = ""
) -> MatchException:
    """The second person approves an acceptance above the threshold, or sends it back open."""
    require_perm(user, "finance.approve_matchexception")
    exception = _locked(exception)
    if exception.status != ExceptionStatus.AWAITING_APPROVAL:
        raise Conflict(_("This exception is not awaiting approval."))
    if exception.resolved_by_id == user.pk:
        raise Forbidden(
            _("The approval must come from someone other than the person who accepted.")
        )
    before = snapshot(exception)
    if approve:
        exception.status = ExceptionStatus.RESOLVED
        exception.approved_by, exception.approved_at = user, timezone.now()
    else:
        exception.status = ExceptionStatus.OPEN
        exception.resolution = ""
        exception.resolved_by, exception.resolved_at = None, None
        exception.justification = (
            exception.justification + "\n" + _("Sent back: %(n)s") % {"n": (note or "").strip()}
        )[:4000]
    exception.save()
    record_change(actor=user, instance=exception, action=AuditAction.UPDATE, before=before)
    from partnerdesk.finance.services.payment import refresh_payment_status

    refresh_payment_status([exception.invoice_id])
    return exception


@transaction.atomic
def exception_record_credit_note(
    *, user, exception: MatchException, credit_note: SupplierInvoice, amount: Decimal | None = None
) -> MatchException:
    """The credit note asked for has arrived: record it and the amount recovered."""
    require_perm(user, "finance.resolve_matchexception")
    exception = _locked(exception)
    if exception.status != ExceptionStatus.AWAITING_CREDIT:
        raise Conflict(_("No credit note was requested for this exception."))
    if (
        credit_note.kind != InvoiceKind.CREDIT_NOTE
        or credit_note.partner_id != exception.invoice.partner_id
    ):
        raise _field_error("credit_note", _("Choose a credit note of the same partner."))
    if credit_note.currency != exception.currency:
        raise _field_error("credit_note", _("The credit note is in another currency."))
    amount = credit_note.gross_total if amount is None else amount
    if amount <= 0:
        raise _field_error("amount", _("Must be more than zero."))
    already = MatchException.objects.filter(credit_note=credit_note).exclude(
        pk=exception.pk
    ).aggregate(total=Sum("recovered_amount"))["total"] or Decimal(0)
    if already + amount > credit_note.gross_total:
        raise _field_error(
            "amount",
            _("Credit note %(n)s is for %(g)s; %(a)s of it is already counted elsewhere.")
            % {"n": credit_note.number, "g": credit_note.gross_total, "a": already},
        )
    before = snapshot(exception)
    exception.credit_note = credit_note
    exception.recovered_amount = amount
    exception.status = ExceptionStatus.RESOLVED
    exception.resolved_by, exception.resolved_at = user, timezone.now()
    exception.save()
    record_change(actor=user, instance=exception, action=AuditAction.UPDATE, before=before)
    from partnerdesk.finance.services.payment import refresh_payment_status

    refresh_payment_status([exception.invoice_id])
    return exception
