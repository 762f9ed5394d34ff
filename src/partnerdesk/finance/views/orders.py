"""Purchase order pages: the list, an order with what was received and invoiced per line, a
new order with its lines, closing and cancelling."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from partnerdesk.audit.selectors import history_for
from partnerdesk.contracts.models import Contract
from partnerdesk.core.errors import ApplicationError
from partnerdesk.core.listing import build_list
from partnerdesk.core.permissions import can
from partnerdesk.core.views_helpers import render_list
from partnerdesk.finance import selectors
from partnerdesk.finance.choices import MatchMode, OrderStatus
from partnerdesk.finance.filters import ORDER_SORTS, OrderFilter
from partnerdesk.finance.forms import OrderForm, OrderLineForm
from partnerdesk.finance.models import ItemCategory, PurchaseOrder
from partnerdesk.finance.services.documents import purchase_order_create, purchase_order_set_status
from partnerdesk.finance.views.common import document_create, get_or_404
from partnerdesk.partners.models import Partner

# The status changes offered on an open order (closing when complete, cancelling).
STATUS_ACTIONS = {"close": OrderStatus.CLOSED, "cancel": OrderStatus.CANCELLED}


def partner_choices(user):
    return Partner.objects.restrict(user).only("pk", "code").order_by("code")


def order_list(request):
    user = request.user
    if not can(user, "view", PurchaseOrder):
        raise Http404
    state = build_list(
        request,
        selectors.order_list(user=user),
        filter_schema=OrderFilter,
        sorts=ORDER_SORTS,
        default_sort="-order_date",
    )
    context = {
        "list": state,
        "statuses": OrderStatus.choices,
        "match_modes": MatchMode.choices,
        "partners": partner_choices(user),
        "can_add": can(user, "add", PurchaseOrder),
        "columns": [
            ("number", _("Order")),
            ("partner", _("Partner")),
            ("order_date", _("Order date")),
            ("status", _("Status")),
        ],
    }
    return render_list(request, "finance/order_list.html", "finance/_order_table.html", context)


@require_http_methods(["GET", "POST"])
def order_detail(request, pk):
    user = request.user
    order = get_or_404(selectors.order_get, user=user, pk=pk)
    may_change = can(user, "change", PurchaseOrder)
    if request.method == "POST":
        status = STATUS_ACTIONS.get(request.POST.get("action", ""))
        if status is None or not may_change:
            raise Http404
        try:
            purchase_order_set_status(user=user, order=order, status=status)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Order %(n)s is %(s)s.") % {"n": order.number, "s": OrderStatus(status).label},
            )
        return redirect("finance:order", order.pk)
    return render(
        request,
        "finance/order_detail.html",
        {
            "order": order,
            "lines": selectors.order_lines_with_totals(user=user, order=order),
            "history": history_for(instance=order, user=user),
            "may_change": may_change and order.status == OrderStatus.OPEN,
        },
    )


@require_http_methods(["GET", "POST"])
def order_create(request):
    user = request.user
    if not can(user, "add", PurchaseOrder):
        raise Http404
    header = OrderForm(
        request.POST if request.method == "POST" else None,
        partners=Partner.objects.restrict(user).order_by("code"),
        contracts=Contract.objects.restrict(user).order_by("reference"),
    )
    return document_create(
        request,
        header=header,
        line_form=OrderLineForm,
        line_kwargs={"categories": list(ItemCategory.objects.restrict(user).order_by("code"))},
        create=lambda data, lines: purchase_order_create(user=user, data={**data, "lines": lines}),
        detail="finance:order",
        success_message=_("Order created."),
        title=_("New purchase order"),
        cancel_url="finance:orders",
    )
