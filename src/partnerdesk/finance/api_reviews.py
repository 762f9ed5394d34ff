"""Finance API: an invoice's review checklist and its service-credit deductions."""

from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from partnerdesk.core.errors import NotFound
from partnerdesk.core.listing import ApiPagination
from partnerdesk.finance import selectors
from partnerdesk.finance.api_common import ERRORS, _named, _visible
from partnerdesk.finance.models import (
    DocumentReview,
    InvoiceDeduction,
    ReviewCheck,
)
from partnerdesk.finance.schemas import (
    AnswerIn,
    DeductionIn,
    DeductionOut,
    DeductionsOut,
    ReviewCheckOut,
    ReviewOut,
    SecondIn,
)
from partnerdesk.finance.services import (
    payment,
    reviews,
)
from partnerdesk.performance.models import CreditProposal
from partnerdesk.performance.schemas import CreditProposalOut

# Mounted on ``api.router`` (its "finance" tag); the operation ids are the ones these endpoints
# had there.
router = Router()


# --- Review checklists -----------------------------------------------------------------------


def _review(user, invoice_id: int) -> DocumentReview:
    invoice = selectors.invoice_get(user=user, pk=invoice_id)
    review = selectors.review_for(user=user, invoice=invoice)
    if review is None:
        raise NotFound(_("This invoice has no review."))
    return review


def _check(user, check_id: int) -> ReviewCheck:
    return (
        ReviewCheck.objects.restrict(user)
        .select_related("item", "checked_by", "second_by")
        .get(pk=check_id)
    )


@router.get(
    "/supplier-invoices/{int:invoice_id}/review",
    response={200: ReviewOut, **ERRORS},
    operation_id="partnerdesk_finance_api_get_review",
)
def get_review(request, invoice_id: int):
    return _review(request.user, invoice_id)


@router.post(
    "/supplier-invoices/{int:invoice_id}/review/rerun",
    response={200: ReviewOut, **ERRORS},
    operation_id="partnerdesk_finance_api_rerun_review",
)
def rerun_review(request, invoice_id: int):
    """Run the automatic checks again on the invoice as it is now."""
    review = _review(request.user, invoice_id)
    reviews.review_rerun(user=request.user, review=review)
    return _review(request.user, invoice_id)


@router.post(
    "/review-checks/{int:check_id}/answer",
    response={200: ReviewCheckOut, **ERRORS},
    operation_id="partnerdesk_finance_api_answer_check",
)
def answer_check(request, check_id: int, payload: AnswerIn):
    check = _check(request.user, check_id)
    reviews.review_answer(
        user=request.user, check=check, outcome=payload.outcome, note=payload.note
    )
    return _check(request.user, check_id)


@router.post(
    "/review-checks/{int:check_id}/confirm-second",
    response={200: ReviewCheckOut, **ERRORS},
    operation_id="partnerdesk_finance_api_confirm_second",
)
def confirm_second(request, check_id: int, payload: SecondIn):
    """The second reviewer of a warning that needs one (someone other than the first)."""
    check = _check(request.user, check_id)
    reviews.review_confirm_second(user=request.user, check=check, note=payload.note)
    return _check(request.user, check_id)


# --- Service-credit deductions ---------------------------------------------------------------


@router.get(
    "/supplier-invoices/{int:invoice_id}/deductions",
    response={200: DeductionsOut, **ERRORS},
    operation_id="partnerdesk_finance_api_invoice_deductions",
)
def invoice_deductions(request, invoice_id: int):
    """The service credits (and earn-backs) applied to the invoice, and what is left to pay."""
    invoice = selectors.invoice_get(user=request.user, pk=invoice_id)
    _visible(request.user, InvoiceDeduction)
    deductions = selectors.invoice_deductions(user=request.user, invoice=invoice)
    return {
        "invoice_id": invoice.pk,
        "currency": invoice.currency,
        "gross_total": invoice.gross_total,
        "net_payable": selectors.net_payable(invoice, deductions),
        "items": deductions,
    }


@router.get(
    "/supplier-invoices/{int:invoice_id}/credit-proposals",
    response={200: list[CreditProposalOut], **ERRORS},
    operation_id="partnerdesk_finance_api_invoice_credit_proposals",
)
@paginate(ApiPagination)
def invoice_credit_proposals(request, invoice_id: int):
    """Open service credits of the invoice's partner, in its currency, that it could take."""
    invoice = selectors.invoice_get(user=request.user, pk=invoice_id)
    _visible(request.user, InvoiceDeduction)
    return selectors.open_credit_proposals(user=request.user, invoice=invoice).select_related(
        "contract__partner"
    )


@router.post(
    "/supplier-invoices/{int:invoice_id}/deductions",
    response={201: DeductionOut, **ERRORS},
    operation_id="partnerdesk_finance_api_apply_deduction",
)
def apply_deduction(request, invoice_id: int, payload: DeductionIn):
    user = request.user
    invoice = selectors.invoice_get(user=user, pk=invoice_id)
    _visible(user, InvoiceDeduction)
    proposal = _named(
        CreditProposal.objects.restrict(user),
        "proposal_id",
        _("Unknown credit proposal."),
        pk=payload.proposal_id,
    )
    deduction = payment.deduction_apply(user=user, invoice=invoice, proposal=proposal)
    return Status(
        201,
        InvoiceDeduction.objects.select_related("proposal__service_level__metric").get(
            pk=deduction.pk
        ),
    )
