"""Goods receipt pages: the list, a receipt with its lines and their inspection, a new
receipt with its lines."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from partnerdesk.audit.selectors import history_for
from partnerdesk.core.listing import build_list
from partnerdesk.core.permissions import can
from partnerdesk.core.views_helpers import render_list, save_form
from partnerdesk.finance import selectors
from partnerdesk.finance.filters import RECEIPT_SORTS, ReceiptFilter
from partnerdesk.finance.forms import InspectionForm, ReceiptForm, ReceiptLineForm
from partnerdesk.finance.models import GoodsReceipt, GoodsReceiptLine
from partnerdesk.finance.services.documents import receipt_create, receipt_line_inspect
from partnerdesk.finance.views.common import document_create, get_or_404, int_or_none
from partnerdesk.finance.views.orders import partner_choices
from partnerdesk.partners.models import Partner


def receipt_list(request):
    user = request.user
    if not can(user, "view", GoodsReceipt):
        raise Http404
    state = build_list(
        request,
        selectors.receipt_list(user=user),
        filter_schema=ReceiptFilter,
        sorts=RECEIPT_SORTS,
        default_sort="-received_on",
    )
    context = {
        "list": state,
        "partners": partner_choices(user),
        "can_add": can(user, "add", GoodsReceipt),
        "columns": [
            ("number", _("Delivery note")),
            ("partner", _("Partner")),
            ("received_on", _("Received on")),
        ],
    }
    return render_list(request, "finance/receipt_list.html", "finance/_receipt_table.html", context)


@require_http_methods(["GET", "POST"])
def receipt_detail(request, pk):
    """The receipt and its lines; users who inspect (quality) record accepted and rejected
    quantities and holds per line."""
    user = request.user
    receipt = get_or_404(selectors.receipt_get, user=user, pk=pk)
    may_inspect = can(user, "change", GoodsReceiptLine)
    bound = None
    if request.method == "POST":
        if not may_inspect or request.POST.get("action") != "inspect":
            raise Http404
        line_pk = int_or_none(request.POST.get("line"))
        line = (
            GoodsReceiptLine.objects.restrict(user, "change")
            .filter(receipt=receipt, pk=line_pk)
            .first()
        )
        if line is None:
            raise Http404
        bound = InspectionForm(request.POST, line=line)
        inspected = save_form(
            request,
            bound,
            lambda data: receipt_line_inspect(
                user=user,
                line=line,
                accepted=data["quantity_accepted"],
                rejected=data["quantity_rejected"],
                on_hold=data["on_hold"],
                hold_reason=data["hold_reason"],
            ),
            success_message=_("Line %(n)s inspected.") % {"n": line.line_no},
        )
        if inspected:
            return redirect("finance:receipt", receipt.pk)
    lines = list(receipt.lines.all())
    for line in lines:
        if bound is not None and line.pk == line_pk:
            line.form = bound
        elif may_inspect:
            line.form = InspectionForm(line=line)
    return render(
        request,
        "finance/receipt_detail.html",
        {
            "receipt": receipt,
            "lines": lines,
            "may_inspect": may_inspect,
            "history": history_for(instance=receipt, user=user),
        },
    )


@require_http_methods(["GET", "POST"])
def receipt_create_view(request):
    user = request.user
    if not can(user, "add", GoodsReceipt):
        raise Http404
    header = ReceiptForm(
        request.POST if request.method == "POST" else None,
        partners=Partner.objects.restrict(user).order_by("code"),
    )
    return document_create(
        request,
        header=header,
        line_form=ReceiptLineForm,
        line_kwargs={},
        create=lambda data, lines: receipt_create(user=user, data={**data, "lines": lines}),
        detail="finance:receipt",
        success_message=_("Receipt recorded."),
        title=_("New goods receipt"),
        cancel_url="finance:receipts",
    )
