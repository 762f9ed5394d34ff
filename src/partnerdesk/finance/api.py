"""The finance API: documents, reviews, payment status, exceptions, reconciliations.

Every endpoint reads through ``restrict(user, action)`` (in ``finance.selectors`` or here), so a
row the user may not see is a 404, and an id in a body that names such a row is a 422 on that
field; the services check the permission again before writing. Partner users see their own
orders, receipts and invoices and nothing else of finance: the checklist, the payment reasons,
deductions and the exception queue are 404 for them.
"""

from ninja import Query, Router, Status
from ninja.pagination import paginate

from partnerdesk.core.listing import ApiPagination, apply_sort
from partnerdesk.finance import selectors
from partnerdesk.finance.api_common import ERRORS, XLSX, _visible
from partnerdesk.finance.api_exceptions import (
    approve_exception,
    assign_exception,
    create_reconciliation,
    export_reconciliation,
    get_exception,
    get_reconciliation,
    list_exceptions,
    list_reconciliations,
    record_credit_note,
    resolve_exception,
    router as exceptions_router,
)
from partnerdesk.finance.api_reviews import (
    answer_check,
    apply_deduction,
    confirm_second,
    get_review,
    invoice_credit_proposals,
    invoice_deductions,
    rerun_review,
    router as reviews_router,
)
from partnerdesk.finance.api_setup import (
    create_category,
    create_profile,
    delete_profile,
    get_profile,
    list_categories,
    list_match_runs,
    list_profiles,
    router as setup_router,
    update_profile,
)
from partnerdesk.finance.filters import (
    INVOICE_SORTS,
    ORDER_SORTS,
    RECEIPT_SORTS,
)
from partnerdesk.finance.models import (
    GoodsReceiptLine,
    MatchException,
    PurchaseOrder,
    SupplierInvoice,
)
from partnerdesk.finance.schemas import (
    InspectionIn,
    InvoiceApiFilter,
    InvoiceDetailOut,
    InvoiceIn,
    InvoiceOut,
    MatchOut,
    OrderApiFilter,
    OrderDetailOut,
    OrderIn,
    OrderOut,
    OrderStatusIn,
    PaymentStatusOut,
    ReceiptApiFilter,
    ReceiptDetailOut,
    ReceiptIn,
    ReceiptLineOut,
    ReceiptOut,
    RejectIn,
)
from partnerdesk.finance.services import (
    documents,
    matching,
    payment,
)

router = Router(tags=["finance"])


# --- Purchase orders -------------------------------------------------------------------------


@router.get("/purchase-orders", response={200: list[OrderOut], **ERRORS})
@paginate(ApiPagination)
def list_orders(request, filters: Query[OrderApiFilter], sort: str | None = None):
    # Filtered as a sub-query: the search looks into the lines, which would repeat orders and
    # inflate their line counts if joined to the list itself.
    matching_ids = filters.filter(PurchaseOrder.objects.all()).values("pk")
    qs = selectors.order_list(user=request.user).filter(pk__in=matching_ids)
    return apply_sort(qs, sort, ORDER_SORTS, "-order_date")[0]


@router.post("/purchase-orders", response={201: OrderDetailOut, **ERRORS})
def create_order(request, payload: OrderIn):
    order = documents.purchase_order_create(user=request.user, data=payload.dict())
    return Status(201, selectors.order_get(user=request.user, pk=order.pk))


@router.get("/purchase-orders/{int:order_id}", response={200: OrderDetailOut, **ERRORS})
def get_order(request, order_id: int):
    return selectors.order_get(user=request.user, pk=order_id)


@router.post("/purchase-orders/{int:order_id}/status", response={200: OrderDetailOut, **ERRORS})
def set_order_status(request, order_id: int, payload: OrderStatusIn):
    order = selectors.order_get(user=request.user, pk=order_id)
    documents.purchase_order_set_status(user=request.user, order=order, status=payload.status)
    return selectors.order_get(user=request.user, pk=order_id)


# --- Goods receipts --------------------------------------------------------------------------


@router.get("/goods-receipts", response={200: list[ReceiptOut], **ERRORS})
@paginate(ApiPagination)
def list_receipts(request, filters: Query[ReceiptApiFilter], sort: str | None = None):
    qs = filters.filter(selectors.receipt_list(user=request.user))
    return apply_sort(qs, sort, RECEIPT_SORTS, "-received_on")[0]


@router.post("/goods-receipts", response={201: ReceiptDetailOut, **ERRORS})
def create_receipt(request, payload: ReceiptIn):
    receipt = documents.receipt_create(user=request.user, data=payload.dict())
    return Status(201, selectors.receipt_get(user=request.user, pk=receipt.pk))


@router.get("/goods-receipts/{int:receipt_id}", response={200: ReceiptDetailOut, **ERRORS})
def get_receipt(request, receipt_id: int):
    return selectors.receipt_get(user=request.user, pk=receipt_id)


def _receipt_line(user, line_id: int) -> GoodsReceiptLine:
    return (
        GoodsReceiptLine.objects.restrict(user).select_related("order_line__order").get(pk=line_id)
    )


@router.post(
    "/goods-receipt-lines/{int:line_id}/inspection", response={200: ReceiptLineOut, **ERRORS}
)
def inspect_receipt_line(request, line_id: int, payload: InspectionIn):
    line = _receipt_line(request.user, line_id)
    documents.receipt_line_inspect(
        user=request.user,
        line=line,
        accepted=payload.accepted,
        rejected=payload.rejected,
        on_hold=payload.on_hold,
        hold_reason=payload.hold_reason,
    )
    return _receipt_line(request.user, line_id)


# --- Supplier invoices and credit notes ------------------------------------------------------


@router.get("/supplier-invoices", response={200: list[InvoiceOut], **ERRORS})
@paginate(ApiPagination)
def list_invoices(request, filters: Query[InvoiceApiFilter], sort: str | None = None):
    qs = filters.filter(selectors.invoice_list(user=request.user))
    return apply_sort(qs, sort, INVOICE_SORTS, "-invoice_date")[0]


@router.post("/supplier-invoices", response={201: InvoiceDetailOut, **ERRORS})
def create_invoice(request, payload: InvoiceIn):
    """An invoice or credit note as received: its checklist review starts and it is matched at
    once (see ``/payment-status`` for the outcome)."""
    invoice = documents.invoice_create(user=request.user, data=payload.dict())
    return Status(201, selectors.invoice_get(user=request.user, pk=invoice.pk))


@router.get("/supplier-invoices/{int:invoice_id}", response={200: InvoiceDetailOut, **ERRORS})
def get_invoice(request, invoice_id: int):
    return selectors.invoice_get(user=request.user, pk=invoice_id)


def _reasons(invoice: SupplierInvoice) -> list[dict]:
    return [
        {"severity": r.severity, "text": r.text, "exception_id": r.exception_id}
        for r in selectors.payment_reasons(invoice)
    ]


@router.get(
    "/supplier-invoices/{int:invoice_id}/payment-status",
    response={200: PaymentStatusOut, **ERRORS},
)
def invoice_payment_status(request, invoice_id: int):
    """The payment status and every reason it is blocked or warned, blocking ones first."""
    invoice = selectors.invoice_get(user=request.user, pk=invoice_id)
    _visible(request.user, MatchException)
    return {
        "invoice_id": invoice.pk,
        "number": invoice.number,
        "status": invoice.status,
        "payment_status": invoice.payment_status,
        "reasons": _reasons(invoice),
    }


@router.post(
    "/supplier-invoices/{int:invoice_id}/release", response={200: InvoiceDetailOut, **ERRORS}
)
def release_invoice(request, invoice_id: int):
    invoice = selectors.invoice_get(user=request.user, pk=invoice_id)
    payment.invoice_release(user=request.user, invoice=invoice)
    return selectors.invoice_get(user=request.user, pk=invoice_id)


@router.post(
    "/supplier-invoices/{int:invoice_id}/reject", response={200: InvoiceDetailOut, **ERRORS}
)
def reject_invoice(request, invoice_id: int, payload: RejectIn):
    invoice = selectors.invoice_get(user=request.user, pk=invoice_id)
    payment.invoice_reject(user=request.user, invoice=invoice, reason=payload.reason)
    return selectors.invoice_get(user=request.user, pk=invoice_id)


@router.post("/supplier-invoices/{int:invoice_id}/match", response={200: MatchOut, **ERRORS})
def match_invoice(request, invoice_id: int):
    """Match the invoice again (after its receipt arrived or its order was corrected)."""
    invoice = selectors.invoice_get(user=request.user, pk=invoice_id)
    outcome = matching.invoice_match(user=request.user, invoice=invoice)
    invoice.refresh_from_db()
    return {
        "run": outcome.run,
        "lines": outcome.lines,
        "lines_matched": outcome.lines_matched,
        "payment_status": invoice.payment_status,
        "reasons": _reasons(invoice),
    }


router.add_router("", reviews_router)
router.add_router("", exceptions_router)
router.add_router("", setup_router)

__all__ = [
    "ERRORS",
    "XLSX",
    "answer_check",
    "apply_deduction",
    "approve_exception",
    "assign_exception",
    "confirm_second",
    "create_category",
    "create_invoice",
    "create_order",
    "create_profile",
    "create_receipt",
    "create_reconciliation",
    "delete_profile",
    "export_reconciliation",
    "get_exception",
    "get_invoice",
    "get_order",
    "get_profile",
    "get_receipt",
    "get_reconciliation",
    "get_review",
    "inspect_receipt_line",
    "invoice_credit_proposals",
    "invoice_deductions",
    "invoice_payment_status",
    "list_categories",
    "list_exceptions",
    "list_invoices",
    "list_match_runs",
    "list_orders",
    "list_profiles",
    "list_receipts",
    "list_reconciliations",
    "match_invoice",
    "record_credit_note",
    "reject_invoice",
    "release_invoice",
    "rerun_review",
    "resolve_exception",
    "router",
    "set_order_status",
    "update_profile",
]
