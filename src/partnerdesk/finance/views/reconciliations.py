"""The weekly reconciliation: the weeks reconciled (with their revisions), reconciling a week,
a week's report with charts and the meeting agenda, and its XLSX export."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from partnerdesk.core.charts import bar_chart
from partnerdesk.core.errors import ApplicationError
from partnerdesk.core.listing import build_list
from partnerdesk.core.permissions import can
from partnerdesk.core.views_helpers import render_list, save_form
from partnerdesk.finance import selectors
from partnerdesk.finance.choices import AgendaStatus, ExceptionType, PaymentStatus, Severity
from partnerdesk.finance.filters import RECONCILIATION_SORTS, ReconciliationFilter
from partnerdesk.finance.forms import ReconcileForm
from partnerdesk.finance.models import AgendaItem, WeeklyReconciliation
from partnerdesk.finance.services.export import reconciliation_xlsx
from partnerdesk.finance.services.reconciliation import (
    agenda_item_set_status,
    previous_week,
    reconcile,
)
from partnerdesk.finance.views.common import get_or_404, int_or_none

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _get(user, pk) -> WeeklyReconciliation:
    return selectors.reconciliation_list(user=user).get(pk=pk)


@require_http_methods(["GET", "POST"])
def reconciliation_list(request):
    user = request.user
    if not can(user, "view", WeeklyReconciliation):
        raise Http404
    may_reconcile = can(user, "add", WeeklyReconciliation)
    form = ReconcileForm(initial={"week": previous_week()})
    if request.method == "POST":
        if not may_reconcile:
            raise Http404
        form = ReconcileForm(request.POST)
        recon = save_form(request, form, lambda data: reconcile(user=user, week=data["week"]))
        if recon:
            messages.success(
                request,
                _("Week %(w)s reconciled (revision %(r)s).")
                % {"w": recon.week, "r": recon.revision},
            )
            return redirect("finance:reconciliation", recon.pk)
    state = build_list(
        request,
        selectors.reconciliation_list(user=user),
        filter_schema=ReconciliationFilter,
        sorts=RECONCILIATION_SORTS,
        default_sort="-week",
    )
    context = {
        "list": state,
        "form": form,
        "may_reconcile": may_reconcile,
        "columns": [("week", _("Week")), ("revision", _("Revision"))],
    }
    return render_list(
        request,
        "finance/reconciliation_list.html",
        "finance/_reconciliation_table.html",
        context,
    )


def _number(value) -> float:
    try:
        return float(Decimal(str(value)))
    except (InvalidOperation, TypeError, ValueError):
        return 0.0


def _label(choices, value) -> str:
    return str(choices(value).label) if value in choices.values else str(value or "")


def charts(report: dict) -> dict:
    """The report's bar charts: open exceptions by type, money at stake by partner, aging."""
    by_type: dict[str, int] = {}
    for row in report.get("exceptions_by_type", []):
        label = _label(ExceptionType, row.get("type"))
        by_type[label] = by_type.get(label, 0) + int(row.get("count", 0))
    by_partner = [
        (f"{row.get('partner') or '—'} ({row.get('currency', '')})", _number(row.get("amount")))
        for row in report.get("exceptions_by_partner", [])[:10]
    ]
    aging = [(row["label"], int(row.get("count", 0))) for row in report.get("aging", [])]
    return {
        "by_type": bar_chart(
            sorted(by_type.items(), key=lambda kv: -kv[1]),
            title=_("Open exceptions by type"),
            label_width=170,
        ),
        "by_partner": bar_chart(by_partner, title=_("Amount at stake by partner"), label_width=150),
        "aging": bar_chart(aging, title=_("Open exceptions by age"), label_width=90),
    }


@require_http_methods(["GET", "POST"])
def reconciliation_detail(request, pk):
    user = request.user
    recon = get_or_404(_get, user=user, pk=pk)
    may_tick = user.has_perm("finance.change_agendaitem")
    if request.method == "POST":
        if not may_tick or request.POST.get("action") != "agenda":
            raise Http404
        item = (
            AgendaItem.objects.restrict(user)
            .filter(reconciliation=recon, pk=int_or_none(request.POST.get("item")))
            .first()
        )
        if item is None:
            raise Http404
        status = request.POST.get("status", "")
        try:
            agenda_item_set_status(user=user, item=item, status=status)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        if request.htmx:
            item.refresh_from_db()
            return render(
                request,
                "finance/_agenda_item.html",
                {"item": item, "recon": recon, "may_tick": may_tick},
            )
        return redirect("finance:reconciliation", recon.pk)
    report = recon.report or {}
    statuses = report.get("payment_status", {})
    return render(
        request,
        "finance/reconciliation_detail.html",
        {
            "recon": recon,
            "report": report,
            "payment_statuses": [
                (label, statuses.get(value, 0)) for value, label in PaymentStatus.choices
            ],
            "exception_types": [
                {
                    **row,
                    "label": _label(ExceptionType, row.get("type")),
                    "severity_label": _label(Severity, row.get("severity")),
                }
                for row in report.get("exceptions_by_type", [])
            ],
            "charts": charts(report),
            "agenda": AgendaItem.objects.restrict(user)
            .filter(reconciliation=recon)
            .select_related("partner", "exception")
            .order_by("position"),
            "may_tick": may_tick,
            "agenda_done": AgendaStatus.DONE,
            "revisions": selectors.reconciliation_list(user=user)
            .filter(week=recon.week)
            .order_by("-revision"),
        },
    )


def reconciliation_export(request, pk):
    recon = get_or_404(_get, user=request.user, pk=pk)
    response = HttpResponse(reconciliation_xlsx(recon), content_type=XLSX)
    name = f"reconciliation-{recon.week}-r{recon.revision}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
