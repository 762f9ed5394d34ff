"""Period-close pages: the months and their revisions, closing and reopening, the results of a
close with the differences to the previous revision, the explanation of a result and the
credit proposals for finance."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_http_methods

from partnerdesk.core.listing import build_list
from partnerdesk.core.permissions import can
from partnerdesk.core.views_helpers import render_list, save_form
from partnerdesk.partners.models import Partner
from partnerdesk.performance import result_selectors as selectors
from partnerdesk.performance.choices import ProposalKind, ProposalStatus
from partnerdesk.performance.models import CreditProposal, PeriodClose, ServiceLevelResult
from partnerdesk.performance.periods import parse_period, previous_month
from partnerdesk.performance.result_filters import PROPOSAL_SORTS, ProposalFilter
from partnerdesk.performance.services.closing import period_close, period_reopen


class CloseForm(forms.Form):
    period = forms.CharField(
        label=gettext_lazy("Month"),
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM", "size": 9}),
        help_text=gettext_lazy("Only a month that has ended can be closed."),
    )


class ReopenForm(forms.Form):
    period = forms.CharField(max_length=7, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=gettext_lazy("Reason for reopening"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 40}),
    )


def _reopen_form(month, bound: ReopenForm | None) -> ReopenForm:
    """The reopen form of one month: the posted one when it was this month's, else a new one;
    ids are unique per month."""
    if bound is not None and bound.data.get("period") == month.key:
        bound.auto_id = f"id_reopen_{month.key}_%s"
        return bound
    return ReopenForm(initial={"period": month.key}, auto_id=f"id_reopen_{month.key}_%s")


@require_http_methods(["GET", "POST"])
def close_list(request):
    user = request.user
    if not can(user, "view", PeriodClose):
        raise Http404
    may_close = user.has_perm("performance.add_periodclose")
    may_reopen = user.has_perm("performance.reopen_periodclose")
    default_month = previous_month(timezone.localdate()).strftime("%Y-%m")
    close_form = CloseForm(initial={"period": default_month})
    reopen_form = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "close" and may_close:
            close_form = CloseForm(request.POST)
            close = save_form(
                request,
                close_form,
                lambda data: period_close(user=user, period=parse_period(data["period"])),
            )
            if close:
                messages.success(
                    request,
                    _("%(period)s closed (revision %(revision)d).")
                    % {"period": close.period.strftime("%Y-%m"), "revision": close.revision},
                )
                return redirect("performance:close", close.pk)
        elif action == "reopen" and may_reopen:
            reopen_form = ReopenForm(request.POST)
            reopened = save_form(
                request,
                reopen_form,
                lambda data: period_reopen(
                    user=user, period=parse_period(data["period"]), reason=data["reason"]
                ),
            )
            if reopened:
                messages.success(
                    request,
                    _("%(period)s reopened; close it again to write revision %(revision)d.")
                    % {
                        "period": reopened.period.strftime("%Y-%m"),
                        "revision": reopened.revision + 1,
                    },
                )
                return redirect("performance:closes")
        else:
            raise Http404
    months = selectors.close_list(user=user)
    for month in months:
        month.reopen_form = _reopen_form(month, reopen_form) if may_reopen else None
    return render(
        request,
        "performance/close_list.html",
        {
            "months": months,
            "close_form": close_form,
            "may_close": may_close,
            "may_reopen": may_reopen,
            "reopen_failed": reopen_form is not None,
        },
    )


def close_detail(request, pk):
    user = request.user
    try:
        close = selectors.close_get(user=user, pk=pk)
    except PeriodClose.DoesNotExist as exc:
        raise Http404 from exc
    results = selectors.close_results(user=user, close=close)
    previous = selectors.close_previous(user=user, close=close)
    changes = (
        selectors.close_differences(user=user, previous=previous, results=results)
        if previous
        else []
    )
    return render(
        request,
        "performance/close_detail.html",
        {
            "close": close,
            "contracts": selectors.group_by_contract(results),
            "previous": previous,
            "changes": changes,
        },
    )


def explain_result(request, pk):
    try:
        result = selectors.result_get(user=request.user, pk=pk)
    except ServiceLevelResult.DoesNotExist as exc:
        raise Http404 from exc
    return render(
        request,
        "performance/explain_result.html",
        {
            "result": result,
            "siblings": selectors.result_siblings(user=request.user, result=result),
            **selectors.explain_result(result),
        },
    )


def proposal_list(request):
    user = request.user
    if not can(user, "view", CreditProposal):
        raise Http404
    state = build_list(
        request,
        selectors.proposal_list(user=user),
        filter_schema=ProposalFilter,
        sorts=PROPOSAL_SORTS,
        default_sort="-period",
    )
    context = {
        "list": state,
        "statuses": ProposalStatus.choices,
        "kinds": ProposalKind.choices,
        "partners": Partner.objects.restrict(user)
        .filter(contracts__credit_proposals__isnull=False)
        .distinct()
        .order_by("code")
        .values_list("pk", "code"),
        "columns": [
            ("period", _("Period")),
            ("partner", _("Partner")),
            ("contract", _("Contract")),
            ("kind", _("Kind")),
            ("amount", _("Amount")),
            ("status", _("Status")),
        ],
    }
    return render_list(
        request, "performance/proposal_list.html", "performance/_proposal_table.html", context
    )
