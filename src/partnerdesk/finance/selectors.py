"""Finance reads for pages and endpoints, always through ``restrict``."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, Sum
from django.utils.translation import gettext as _

from partnerdesk.finance.choices import (
    CheckOutcome,
    ExceptionStatus,
    InvoiceKind,
    InvoiceStatus,
    ReviewStatus,
    Severity,
)
from partnerdesk.finance.models import (
    DocumentReview,
    GoodsReceipt,
    GoodsReceiptLine,
    InvoiceDeduction,
    MatchException,
    PurchaseOrder,
    ReviewCheck,
    SupplierInvoice,
    SupplierInvoiceLine,
    WeeklyReconciliation,
)


def order_list(*, user):
    return (
        PurchaseOrder.objects.restrict(user)
        .select_related("partner")
        .annotate(line_count=Count("lines"))
    )


def order_get(*, user, pk) -> PurchaseOrder:
    return (
        PurchaseOrder.objects.restrict(user)
        .select_related("partner", "contract")
        .prefetch_related("lines__category")
        .get(pk=pk)
    )


def receipt_list(*, user):
    return (
        GoodsReceipt.objects.restrict(user)
        .select_related("partner")
        .annotate(
            line_count=Count("lines"),
            held=Count("lines", filter=Q(lines__on_hold=True)),
        )
    )


def receipt_get(*, user, pk) -> GoodsReceipt:
    return (
        GoodsReceipt.objects.restrict(user)
        .select_related("partner")
        .prefetch_related(
            # Each line with its lot inspection (quality), shown on the receipt's page.
            Prefetch(
                "lines",
                queryset=GoodsReceiptLine.objects.select_related(
                    "order_line__order", "lot_inspection"
                ),
            )
        )
        .get(pk=pk)
    )


def invoice_list(*, user):
    return (
        SupplierInvoice.objects.restrict(user)
        .select_related("partner")
        .annotate(
            open_exceptions=Count(
                "exceptions", filter=~Q(exceptions__status=ExceptionStatus.RESOLVED)
            )
        )
    )


def invoice_get(*, user, pk) -> SupplierInvoice:
    return (
        SupplierInvoice.objects.restrict(user)
        .select_related("partner", "credits_invoice", "released_by")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=SupplierInvoiceLine.objects.select_related("order_line__order"),
            )
        )
        .get(pk=pk)
    )


@dataclass(frozen=True)
class Reason:
    severity: str
    text: str
    exception_id: int | None = None


def payment_reasons(invoice: SupplierInvoice) -> list[Reason]:
    """Every reason the invoice is blocked or warned, blocking ones first."""
    reasons: list[Reason] = []
    if invoice.status == InvoiceStatus.REJECTED:
        reasons.append(
            Reason(Severity.BLOCK, _("rejected: %(r)s") % {"r": invoice.rejection_reason})
        )
    if invoice.matched_at is None and invoice.kind == InvoiceKind.INVOICE:
        reasons.append(Reason(Severity.BLOCK, _("not matched yet")))
    for exc in (
        MatchException.objects.filter(invoice=invoice)
        .exclude(status=ExceptionStatus.RESOLVED)
        .order_by("severity", "pk")
    ):
        reasons.append(Reason(exc.severity, f"{exc.get_type_display()}: {exc.detail}", exc.pk))
    review = DocumentReview.objects.filter(invoice=invoice).first()
    if review is None:
        reasons.append(Reason(Severity.BLOCK, _("no checklist review")))
    else:
        checks = list(review.checks.select_related("item"))
        pending = [c for c in checks if c.outcome == CheckOutcome.PENDING]
        seconds = [c for c in checks if c.needs_second and not c.second_by_id]
        if review.status != ReviewStatus.COMPLETE:
            reasons.append(
                Reason(
                    Severity.BLOCK,
                    _(
                        "checklist not complete: %(n)s item(s) open, "
                        "%(s)s awaiting a second reviewer"
                    )
                    % {"n": len(pending), "s": len(seconds)},
                )
            )
        for check in checks:
            if check.outcome == CheckOutcome.FAILED:
                reasons.append(
                    Reason(
                        Severity.BLOCK,
                        _("checklist: %(item)s failed (%(d)s)")
                        % {"item": check.item.text, "d": check.note or check.detail},
                    )
                )
            elif check.outcome == CheckOutcome.WARNING:
                reasons.append(
                    Reason(
                        Severity.WARN,
                        _("checklist: %(item)s: %(d)s")
                        % {"item": check.item.text, "d": check.detail},
                    )
                )
    reasons.sort(key=lambda r: r.severity != Severity.BLOCK)
    return reasons


def review_for(*, user, invoice=None, receipt=None) -> DocumentReview | None:
    qs = DocumentReview.objects.restrict(user).select_related("template")
    qs = qs.filter(invoice=invoice) if invoice is not None else qs.filter(receipt=receipt)
    review = qs.first()
    if review is not None:
        review.check_rows = list(
            ReviewCheck.objects.filter(review=review).select_related(
                "item", "checked_by", "second_by"
            )
        )
    return review


def exception_list(*, user):
    return MatchException.objects.restrict(user).select_related(
        "invoice__partner", "invoice_line", "owner", "related_invoice"
    )


def exception_get(*, user, pk) -> MatchException:
    return (
        exception_list(user=user)
        .select_related("resolved_by", "approved_by", "credit_note", "data_error_found_by")
        .get(pk=pk)
    )


def invoice_deductions(*, user, invoice) -> list[InvoiceDeduction]:
    return list(
        InvoiceDeduction.objects.restrict(user)
        .filter(invoice=invoice)
        .select_related("proposal__service_level__metric", "applied_by")
    )


def open_credit_proposals(*, user, invoice):
    """Service credits and earn-backs of closed periods proposed for this partner and currency,
    not applied yet: the deductions finance can make on this invoice."""
    from partnerdesk.performance.choices import ProposalStatus
    from partnerdesk.performance.models import CreditProposal

    return (
        CreditProposal.objects.restrict(user)
        .filter(
            contract__partner_id=invoice.partner_id,
            currency=invoice.currency,
            status=ProposalStatus.PROPOSED,
        )
        .select_related("contract", "service_level__metric")
        .order_by("period", "pk")
    )


def net_payable(invoice, deductions) -> Decimal:
    """Gross total less applied credits plus applied earn-backs."""
    from partnerdesk.performance.choices import ProposalKind

    total = invoice.gross_total
    for deduction in deductions:
        sign = 1 if deduction.proposal.kind == ProposalKind.EARN_BACK else -1
        total += sign * deduction.amount
    return total


def reconciliation_list(*, user):
    return WeeklyReconciliation.objects.restrict(user).select_related("run", "created_by")


def exception_totals(*, user):
    """Open exceptions and the money at stake per type (for the queue's header)."""
    return list(
        MatchException.objects.restrict(user)
        .exclude(status=ExceptionStatus.RESOLVED)
        .values("type", "severity", "currency")
        .annotate(n=Count("id"), at_stake=Sum("amount_at_stake"))
        .order_by("type", "severity", "currency")
    )


def order_lines_with_totals(*, user, order) -> list:
    """The order's lines with what was received, accepted and invoiced against each: one query
    (a correlated sum per figure), however many lines, receipts and invoices there are.
    Invoiced counts invoices (not credit notes) that were not rejected."""
    from django.db.models import DecimalField, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    from partnerdesk.finance.choices import InvoiceKind
    from partnerdesk.finance.models import GoodsReceiptLine, PurchaseOrderLine

    def total(queryset, field):
        summed = queryset.order_by().values("order_line").annotate(s=Sum(field)).values("s")
        return Coalesce(
            Subquery(summed),
            Value(Decimal(0)),
            output_field=DecimalField(max_digits=16, decimal_places=3),
        )

    receipts = GoodsReceiptLine.objects.filter(order_line=OuterRef("pk"))
    invoices = SupplierInvoiceLine.objects.filter(
        order_line=OuterRef("pk"), invoice__kind=InvoiceKind.INVOICE
    ).exclude(invoice__status=InvoiceStatus.REJECTED)
    return list(
        PurchaseOrderLine.objects.restrict(user)
        .filter(order=order)
        .select_related("category")
        .annotate(
            received=total(receipts, "quantity_received"),
            accepted=total(receipts, "quantity_accepted"),
            invoiced=total(invoices, "quantity"),
        )
        .order_by("line_no")
    )


def exception_workers():
    """Active internal users who may work the exception queue (owners, who found an error)."""
    from django.contrib.auth import get_user_model

    granted = Q(
        groups__permissions__codename="resolve_matchexception",
        groups__permissions__content_type__app_label="finance",
    ) | Q(
        user_permissions__codename="resolve_matchexception",
        user_permissions__content_type__app_label="finance",
    )
    return (
        get_user_model()
        .objects.filter(is_active=True, partner__isnull=True)
        .filter(granted | Q(is_superuser=True))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def credit_notes_for(*, user, exception):
    """The partner's credit notes in the exception's currency (the one received for it)."""
    from partnerdesk.finance.choices import InvoiceKind

    return (
        SupplierInvoice.objects.restrict(user)
        .filter(
            partner_id=exception.invoice.partner_id,
            kind=InvoiceKind.CREDIT_NOTE,
            currency=exception.currency,
        )
        .exclude(status=InvoiceStatus.REJECTED)
        .order_by("-invoice_date", "-pk")
    )
