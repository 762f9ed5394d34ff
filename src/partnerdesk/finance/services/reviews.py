"""Document review checklists: starting a review, the automatic checks, a reviewer's answers,
the second reviewer for a changed bank account, and completion.

An invoice cannot be released until its review is complete (every item answered, every
warning that needs a second reviewer confirmed by someone other than the first) and no item
failed. The automatic checks run when the review starts and again on request.
"""

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerdesk.audit.models import AuditAction
from partnerdesk.audit.services import record_change, snapshot
from partnerdesk.core.errors import Conflict, Forbidden, InvalidInput
from partnerdesk.core.services import require_perm
from partnerdesk.finance.choices import (
    CheckOutcome,
    DocumentType,
    InvoiceKind,
    InvoiceStatus,
)
from partnerdesk.finance.models import (
    DocumentReview,
    ReviewCheck,
    SupplierInvoice,
)
from partnerdesk.finance.services.review_checks import (
    CENT,
    _refresh_status,
    _template,
    run_automatic_checks,
)
from partnerdesk.finance.services.reviews_bulk import BULK_CHUNK, start_reviews_bulk


@transaction.atomic
def review_start(*, invoice=None, receipt=None, contract=None) -> DocumentReview:
    """Open the review of a document with the checklist in use and run its automatic checks.
    A document that has a review keeps it."""
    if invoice is not None:
        existing = DocumentReview.objects.filter(invoice=invoice).first()
        kind = (
            DocumentType.CREDIT_NOTE
            if invoice.kind == InvoiceKind.CREDIT_NOTE
            else DocumentType.INVOICE
        )
        partner_id = invoice.partner_id
    elif receipt is not None:
        existing = DocumentReview.objects.filter(receipt=receipt).first()
        kind, partner_id = DocumentType.DELIVERY_NOTE, receipt.partner_id
    else:
        existing = None
        kind, partner_id = DocumentType.CONTRACT, contract.partner_id
    if existing:
        return existing
    template = _template(kind)
    review = DocumentReview.objects.create(
        template=template,
        partner_id=partner_id,
        invoice=invoice,
        receipt=receipt,
        contract=contract,
    )
    ReviewCheck.objects.bulk_create(
        ReviewCheck(review=review, item=item) for item in template.items.all()
    )
    run_automatic_checks(review)
    return review


@transaction.atomic
def review_answer(*, user, check: ReviewCheck, outcome: str, note: str = "") -> ReviewCheck:
    """A reviewer ticks an item: passed, failed (with a note) or not applicable. Automatic
    items are answered by the system; a reviewer may override one only with a note."""
    require_perm(user, "finance.change_documentreview")
    check = (
        ReviewCheck.objects.select_for_update().select_related("item", "review").get(pk=check.pk)
    )
    if outcome not in (CheckOutcome.PASSED, CheckOutcome.FAILED, CheckOutcome.NOT_APPLICABLE):
        raise InvalidInput(
            _("Choose passed, failed or not applicable."),
            fields={"outcome": [_("Choose passed, failed or not applicable.")]},
        )
    note = (note or "").strip()
    if (outcome != CheckOutcome.PASSED or check.item.auto_check) and not note:
        message = _("Say why in a note.")
        raise InvalidInput(message, fields={"note": [message]})
    before = snapshot(check)
    check.outcome, check.note = outcome, note[:300]
    check.checked_by, check.checked_at = user, timezone.now()
    if check.needs_second and check.second_by_id == user.pk:
        check.second_by, check.second_at = None, None
    check.save()
    record_change(actor=user, instance=check, action=AuditAction.UPDATE, before=before)
    # Who reviews by hand is a first reviewer: a second confirmation of theirs no longer counts.
    for other in check.review.checks.filter(second_by=user).exclude(pk=check.pk):
        other_before = snapshot(other)
        other.second_by, other.second_at = None, None
        other.save(update_fields=["second_by", "second_at"])
        record_change(actor=user, instance=other, action=AuditAction.UPDATE, before=other_before)
    _refresh_status(check.review)
    return check


@transaction.atomic
def review_confirm_second(*, user, check: ReviewCheck, note: str = "") -> ReviewCheck:
    """The second reviewer confirms a warning that needs one (a changed bank account): someone
    other than the person who reviewed it, who has checked the change with the partner."""
    require_perm(user, "finance.change_documentreview")
    check = ReviewCheck.objects.select_for_update().select_related("review").get(pk=check.pk)
    if not check.needs_second:
        raise Conflict(_("This item does not need a second reviewer."))
    if user.pk in _first_reviewers(check.review) | {check.checked_by_id}:
        raise Forbidden(_("A second reviewer must be someone else than the first."))
    before = snapshot(check)
    check.second_by, check.second_at = user, timezone.now()
    if note:
        check.note = (check.note + " · " if check.note else "") + note.strip()[:150]
    check.save()
    record_change(actor=user, instance=check, action=AuditAction.UPDATE, before=before)
    _refresh_status(check.review)
    return check


def _first_reviewers(review: DocumentReview) -> set[int]:
    """Everyone who answered an item of the review by hand; the second reviewer of an automatic
    warning must be someone else (whatever the order they act in)."""
    return set(review.checks.exclude(checked_by=None).values_list("checked_by_id", flat=True))


def unchecked_invoices() -> tuple[list[int], list[int]]:
    """(ids, credit note ids among them) of the documents a large import left to the worker:
    invoices and credit notes without a review, and invoices never matched (rejected ones
    aside)."""
    live = SupplierInvoice.objects.exclude(status=InvoiceStatus.REJECTED)
    no_review = live.filter(~Exists(DocumentReview.objects.filter(invoice=OuterRef("pk"))))
    unmatched = live.filter(kind=InvoiceKind.INVOICE, matched_at__isnull=True)
    rows = set(no_review.values_list("pk", "kind")) | set(unmatched.values_list("pk", "kind"))
    ids = sorted(pk for pk, _kind in rows)
    return ids, sorted(pk for pk, kind in rows if kind == InvoiceKind.CREDIT_NOTE)


@transaction.atomic
def review_rerun(*, user, review: DocumentReview) -> DocumentReview:
    require_perm(user, "finance.change_documentreview")
    run_automatic_checks(review)
    return review


__all__ = [
    "BULK_CHUNK",
    "CENT",
    "review_answer",
    "review_confirm_second",
    "review_rerun",
    "review_start",
    "run_automatic_checks",
    "start_reviews_bulk",
    "unchecked_invoices",
]
