"""Finance API: the exception queue and the weekly reconciliations."""

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from partnerdesk.core.listing import ApiPagination, apply_sort
from partnerdesk.finance import selectors
from partnerdesk.finance.api_common import ERRORS, XLSX, _internal_user, _named, _renamed
from partnerdesk.finance.filters import (
    EXCEPTION_SORTS,
    RECONCILIATION_SORTS,
    ReconciliationFilter,
)
from partnerdesk.finance.models import SupplierInvoice
from partnerdesk.finance.schemas import (
    ApproveIn,
    AssignIn,
    CreditNoteIn,
    ExceptionApiFilter,
    ExceptionOut,
    ReconciliationDetailOut,
    ReconciliationIn,
    ReconciliationOut,
    ResolveIn,
)
from partnerdesk.finance.services import (
    exceptions,
    reconciliation,
)

# Mounted on ``api.router`` (its "finance" tag); the operation ids are the ones these endpoints
# had there.
router = Router()


# --- The exception queue ---------------------------------------------------------------------


@router.get(
    "/match-exceptions",
    response={200: list[ExceptionOut], **ERRORS},
    operation_id="partnerdesk_finance_api_list_exceptions",
)
@paginate(ApiPagination)
def list_exceptions(request, filters: Query[ExceptionApiFilter], sort: str | None = None):
    qs = filters.filter(selectors.exception_list(user=request.user))
    return apply_sort(qs, sort, EXCEPTION_SORTS, "-opened_at")[0]


@router.get(
    "/match-exceptions/{int:exception_id}",
    response={200: ExceptionOut, **ERRORS},
    operation_id="partnerdesk_finance_api_get_exception",
)
def get_exception(request, exception_id: int):
    return selectors.exception_get(user=request.user, pk=exception_id)


@router.post(
    "/match-exceptions/{int:exception_id}/assign",
    response={200: ExceptionOut, **ERRORS},
    operation_id="partnerdesk_finance_api_assign_exception",
)
def assign_exception(request, exception_id: int, payload: AssignIn):
    exception = selectors.exception_get(user=request.user, pk=exception_id)
    exceptions.exception_assign(
        user=request.user,
        exception=exception,
        owner=_internal_user(payload.owner, "owner"),
        reason_code=payload.reason_code or "",
    )
    return selectors.exception_get(user=request.user, pk=exception_id)


@router.post(
    "/match-exceptions/{int:exception_id}/resolve",
    response={200: ExceptionOut, **ERRORS},
    operation_id="partnerdesk_finance_api_resolve_exception",
)
def resolve_exception(request, exception_id: int, payload: ResolveIn):
    """Accept (above the approval threshold a second person approves), request a credit
    note, reject the invoice, or correct the data."""
    exception = selectors.exception_get(user=request.user, pk=exception_id)
    exceptions.exception_resolve(
        user=request.user,
        exception=exception,
        resolution=payload.resolution,
        justification=payload.justification,
        reason_code=payload.reason_code or "",
        data_error_amount=payload.data_error_amount,
        found_by=_internal_user(payload.found_by, "found_by"),
    )
    return selectors.exception_get(user=request.user, pk=exception_id)


@router.post(
    "/match-exceptions/{int:exception_id}/approve",
    response={200: ExceptionOut, **ERRORS},
    operation_id="partnerdesk_finance_api_approve_exception",
)
def approve_exception(request, exception_id: int, payload: ApproveIn):
    """The second person approves an acceptance, or sends it back open (``approve: false``)."""
    exception = selectors.exception_get(user=request.user, pk=exception_id)
    exceptions.exception_approve(
        user=request.user, exception=exception, approve=payload.approve, note=payload.note
    )
    return selectors.exception_get(user=request.user, pk=exception_id)


@router.post(
    "/match-exceptions/{int:exception_id}/credit-note",
    response={200: ExceptionOut, **ERRORS},
    operation_id="partnerdesk_finance_api_record_credit_note",
)
def record_credit_note(request, exception_id: int, payload: CreditNoteIn):
    """The credit note asked for has arrived: record it and the amount recovered."""
    user = request.user
    exception = selectors.exception_get(user=user, pk=exception_id)
    credit_note = _named(
        SupplierInvoice.objects.restrict(user),
        "credit_note_id",
        _("Unknown credit note."),
        pk=payload.credit_note_id,
    )
    with _renamed({"credit_note": "credit_note_id"}):
        exceptions.exception_record_credit_note(
            user=user, exception=exception, credit_note=credit_note, amount=payload.amount
        )
    return selectors.exception_get(user=user, pk=exception_id)


# --- Weekly reconciliations ------------------------------------------------------------------


def _reconciliation(user, reconciliation_id: int):
    return (
        selectors.reconciliation_list(user=user)
        .prefetch_related("agenda")
        .get(pk=reconciliation_id)
    )


@router.get(
    "/reconciliations",
    response={200: list[ReconciliationOut], **ERRORS},
    operation_id="partnerdesk_finance_api_list_reconciliations",
)
@paginate(ApiPagination)
def list_reconciliations(request, filters: Query[ReconciliationFilter], sort: str | None = None):
    qs = filters.filter(selectors.reconciliation_list(user=request.user))
    return apply_sort(qs, sort, RECONCILIATION_SORTS, "-week")[0]


@router.post(
    "/reconciliations",
    response={201: ReconciliationDetailOut, **ERRORS},
    operation_id="partnerdesk_finance_api_create_reconciliation",
)
def create_reconciliation(request, payload: ReconciliationIn):
    """Match the ISO week's invoices and write its report and meeting agenda; a week
    reconciled before gets a new revision."""
    recon = reconciliation.reconcile(user=request.user, week=payload.week)
    return Status(201, _reconciliation(request.user, recon.pk))


@router.get(
    "/reconciliations/{int:reconciliation_id}",
    response={200: ReconciliationDetailOut, **ERRORS},
    operation_id="partnerdesk_finance_api_get_reconciliation",
)
def get_reconciliation(request, reconciliation_id: int):
    return _reconciliation(request.user, reconciliation_id)


@router.get(
    "/reconciliations/{int:reconciliation_id}/export.xlsx",
    response={200: None, **ERRORS},
    operation_id="partnerdesk_finance_api_export_reconciliation",
)
def export_reconciliation(request, reconciliation_id: int):
    """The report and agenda as an Excel workbook."""
    from partnerdesk.finance.services.export import reconciliation_xlsx

    recon = _reconciliation(request.user, reconciliation_id)
    response = HttpResponse(reconciliation_xlsx(recon), content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="reconciliation-{recon.week}-r{recon.revision}.xlsx"'
    )
    return response
