"""Invoice and credit note pages: the list with payment status, a new invoice with its lines,
and the invoice page: lines with their exceptions, the payment status with every reason, the
review checklist, service-credit deductions, release, rejection and matching again."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from partnerdesk.audit.selectors import history_for
from partnerdesk.core.errors import ApplicationError
from partnerdesk.core.listing import build_list
from partnerdesk.core.permissions import can
from partnerdesk.core.services import require_perm
from partnerdesk.core.views_helpers import render_list, save_form
from partnerdesk.finance import selectors
from partnerdesk.finance.choices import (
    CheckOutcome,
    InvoiceKind,
    InvoiceStatus,
    PaymentStatus,
)
from partnerdesk.finance.filters import INVOICE_SORTS, InvoiceFilter
from partnerdesk.finance.forms import (
    InvoiceForm,
    InvoiceLineForm,
    RejectForm,
    ReviewAnswerForm,
    SecondReviewForm,
)
from partnerdesk.finance.models import (
    DocumentReview,
    InvoiceDeduction,
    MatchException,
    ReviewCheck,
    SupplierInvoice,
)
from partnerdesk.finance.services.documents import invoice_create
from partnerdesk.finance.services.matching import match_invoices
from partnerdesk.finance.services.payment import deduction_apply, invoice_reject, invoice_release
from partnerdesk.finance.services.reviews import review_answer, review_confirm_second, review_rerun
from partnerdesk.finance.views.common import document_create, get_or_404, int_or_none
from partnerdesk.finance.views.orders import partner_choices
from partnerdesk.partners.models import Partner

ACTIONS = ("answer", "second", "rerun", "match", "release", "reject", "apply")


def invoice_list(request):
    user = request.user
    if not can(user, "view", SupplierInvoice):
        raise Http404
    state = build_list(
        request,
        selectors.invoice_list(user=user),
        filter_schema=InvoiceFilter,
        sorts=INVOICE_SORTS,
        default_sort="-invoice_date",
    )
    context = {
        "list": state,
        "kinds": InvoiceKind.choices,
        "statuses": InvoiceStatus.choices,
        "payment_statuses": PaymentStatus.choices,
        "partners": partner_choices(user),
        "can_add": can(user, "add", SupplierInvoice),
        "show_exceptions": can(user, "view", MatchException),
        "columns": [
            ("number", _("Number")),
            ("partner", _("Partner")),
            ("invoice_date", _("Invoice date")),
            ("due_date", _("Due")),
            ("gross_total", _("Gross total")),
            ("payment_status", _("Payment status")),
        ],
    }
    return render_list(request, "finance/invoice_list.html", "finance/_invoice_table.html", context)


@require_http_methods(["GET", "POST"])
def invoice_create_view(request):
    user = request.user
    if not can(user, "add", SupplierInvoice):
        raise Http404
    header = InvoiceForm(
        request.POST if request.method == "POST" else None,
        partners=Partner.objects.restrict(user).order_by("code"),
    )
    return document_create(
        request,
        header=header,
        line_form=InvoiceLineForm,
        line_kwargs={},
        create=lambda data, lines: invoice_create(user=user, data={**data, "lines": lines}),
        detail="finance:invoice",
        success_message=_("Invoice recorded, its checklist started and matched."),
        title=_("New invoice or credit note"),
        cancel_url="finance:invoices",
    )


def _perms(user, invoice) -> dict:
    received = invoice.status == InvoiceStatus.RECEIVED
    payable = invoice.kind == InvoiceKind.INVOICE and invoice.status != InvoiceStatus.REJECTED
    return {
        "reasons": can(user, "view", MatchException),
        "review": user.has_perm("finance.change_documentreview"),
        "release": received and user.has_perm("finance.release_supplierinvoice"),
        "reject": received and user.has_perm("finance.change_supplierinvoice"),
        "match": payable and user.has_perm("finance.change_supplierinvoice"),
        "deductions": can(user, "view", InvoiceDeduction),
        "apply": payable and user.has_perm("finance.add_invoicededuction"),
    }


@require_http_methods(["GET", "POST"])
def invoice_detail(request, pk):
    user = request.user
    invoice = get_or_404(selectors.invoice_get, user=user, pk=pk)
    perms = _perms(user, invoice)
    bound: dict = {}
    if request.method == "POST":
        response = _act(request, invoice, perms, bound)
        if response is not None:
            return response
    return render(request, "finance/invoice_detail.html", _context(user, invoice, perms, bound))


def _context(user, invoice, perms, bound) -> dict:
    exceptions = list(
        selectors.exception_list(user=user).filter(invoice=invoice).order_by("status", "-pk")
    )
    lines = list(invoice.lines.all())
    for line in lines:
        line.exception_rows = [e for e in exceptions if e.invoice_line_id == line.pk]
    review = selectors.review_for(user=user, invoice=invoice)
    if review is not None and perms["review"]:
        for check in review.check_rows:
            answer = bound.get(("answer", check.pk))
            check.answer_form = answer or ReviewAnswerForm(
                check=check,
                initial={"outcome": check.outcome if check.outcome != CheckOutcome.PENDING else ""},
            )
            if check.needs_second and not check.second_by_id and check.checked_by_id != user.pk:
                check.second_form = bound.get(("second", check.pk)) or SecondReviewForm(check=check)
    deductions = (
        selectors.invoice_deductions(user=user, invoice=invoice) if perms["deductions"] else []
    )
    proposals = (
        list(selectors.open_credit_proposals(user=user, invoice=invoice)) if perms["apply"] else []
    )
    return {
        "invoice": invoice,
        "lines": lines,
        "exceptions": exceptions,
        "reasons": selectors.payment_reasons(invoice) if perms["reasons"] else None,
        "review": review,
        "deductions": deductions,
        "proposals": proposals,
        "net_payable": selectors.net_payable(invoice, deductions),
        "reject_form": bound.get("reject") or RejectForm(),
        "history": history_for(instance=invoice, user=user),
        "perms_for": perms,
        "credit_notes": invoice.credit_notes.restrict(user).order_by("invoice_date", "pk")
        if invoice.kind == InvoiceKind.INVOICE
        else (),
    }


def _act(request, invoice, perms, bound):
    """Run the posted action; a redirect when done (or refused with a message), None to show
    the page again with a form's errors."""
    user, post = request.user, request.POST
    action = post.get("action", "")
    if action not in ACTIONS:
        raise Http404
    back = redirect("finance:invoice", invoice.pk)
    if action in ("answer", "second"):
        if not perms["review"]:
            raise Http404
        check = (
            ReviewCheck.objects.restrict(user)
            .filter(review__invoice=invoice, pk=int_or_none(post.get("check")))
            .select_related("item")
            .first()
        )
        if check is None:
            raise Http404
        if action == "answer":
            form = ReviewAnswerForm(post, check=check)
            done = save_form(
                request,
                form,
                lambda data: review_answer(
                    user=user, check=check, outcome=data["outcome"], note=data["note"]
                ),
                success_message=_("%(item)s: answered.") % {"item": check.item.text},
            )
        else:
            form = SecondReviewForm(post, check=check)
            done = save_form(
                request,
                form,
                lambda data: review_confirm_second(user=user, check=check, note=data["note"]),
                success_message=_("%(item)s: confirmed by a second reviewer.")
                % {"item": check.item.text},
            )
        if done:
            return back
        bound[(action, check.pk)] = form
        return None
    if action == "reject":
        if not perms["reject"]:
            raise Http404
        form = RejectForm(post)
        if save_form(
            request,
            form,
            lambda data: invoice_reject(user=user, invoice=invoice, reason=data["reason"]),
            success_message=_("Invoice %(n)s rejected.") % {"n": invoice.number},
        ):
            return back
        bound["reject"] = form
        return None
    try:
        message = _simple_action(user, invoice, perms, action, post)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, message)
    return back


def _simple_action(user, invoice, perms, action, post) -> str:
    """The buttons without a form: re-run the checks, match again, release, apply a credit."""
    if action == "rerun":
        if not perms["review"]:
            raise Http404
        review = DocumentReview.objects.restrict(user).filter(invoice=invoice).first()
        if review is None:
            raise Http404
        review_rerun(user=user, review=review)
        return _("Automatic checks run again.")
    if action == "match":
        if not perms["match"]:
            raise Http404
        require_perm(user, "finance.change_supplierinvoice")
        outcome = match_invoices(
            invoice_ids=[invoice.pk], actor=user, label=f"invoice {invoice.number}"
        )
        return _("Matched again: %(o)s exception(s) opened, %(c)s cleared.") % {
            "o": outcome.run.exceptions_opened,
            "c": outcome.run.exceptions_cleared,
        }
    if action == "release":
        if not perms["release"]:
            raise Http404
        invoice_release(user=user, invoice=invoice)
        return _("Invoice %(n)s released for payment.") % {"n": invoice.number}
    # apply
    if not perms["apply"]:
        raise Http404
    proposal = (
        selectors.open_credit_proposals(user=user, invoice=invoice)
        .filter(pk=int_or_none(post.get("proposal")))
        .first()
    )
    if proposal is None:
        raise Http404
    deduction = deduction_apply(user=user, invoice=invoice, proposal=proposal)
    return _("Deduction of %(a)s %(c)s applied.") % {
        "a": deduction.amount,
        "c": deduction.currency,
    }
