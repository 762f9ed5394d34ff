"""Signals: the list (filter by line, rule, status; sort; acknowledge in place) and a signal's
page with its acknowledge form."""

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from partnerdesk.core.listing import build_list
from partnerdesk.core.views_helpers import render_list
from partnerdesk.regrind import selectors_plant, selectors_spc as selectors
from partnerdesk.regrind.choices import SignalStatus
from partnerdesk.regrind.filters_spc import RULE_CODES, SIGNAL_SORTS, SignalFilter
from partnerdesk.regrind.forms_spc import AcknowledgeForm
from partnerdesk.regrind.rule_labels import rule_label
from partnerdesk.regrind.services.signals import signal_acknowledge
from partnerdesk.regrind.views.spc_common import back_to, get_or_404, require, run, with_ack_forms


@require_GET
def signals(request):
    user = request.user
    require(user, "regrind.view_signal")
    state = build_list(
        request,
        selectors.signal_list(user=user),
        filter_schema=SignalFilter,
        sorts=SIGNAL_SORTS,
        default_sort="-point_at",
        per_page=50,
    )
    state.page.object_list = with_ack_forms(user, state.page.object_list)
    context = {
        "list": state,
        "lines": [(line.pk, line.code) for line in selectors_plant.line_choices(user=user)],
        "rules": [(code, rule_label(code)) for code in RULE_CODES],
        "statuses": SignalStatus.choices,
        "columns": [
            ("point_at", _("Point")),
            ("rule", _("Rule")),
            ("line", _("Line")),
            ("unit", _("Unit")),
            ("status", _("Status")),
        ],
        "next": request.get_full_path(),
    }
    return render_list(request, "regrind/signal_list.html", "regrind/_signal_table.html", context)


@require_http_methods(["GET", "POST"])
def signal_ack(request, pk):
    """The signal with its acknowledge form (GET); acknowledging it (POST)."""
    user = request.user
    form = None
    if request.method == "POST":
        require(user, "regrind.change_signal")
        signal = get_or_404(selectors.signal_get, user=user, pk=pk, action="change")
        form = AcknowledgeForm(request.POST)
        done = run(
            request,
            form,
            lambda data: signal_acknowledge(
                user=user,
                signal=signal,
                note=data["note"],
                with_earlier=data.get("with_earlier", False),
            ),
            success_message=_("Signals acknowledged: %(rule)s on %(unit)s.")
            % {"rule": rule_label(signal.rule), "unit": signal.chart.unit.code},
        )
        if done is not None:
            return redirect(back_to(request, reverse("regrind:signals")))
    signal = get_or_404(selectors.signal_get, user=user, pk=pk)
    if form is None and signal.status == SignalStatus.OPEN:
        form = AcknowledgeForm() if user.has_perm("regrind.change_signal") else None
    context = {
        "signal": signal,
        "form": form,
        "rule": rule_label(signal.rule),
        "next": back_to(request, ""),
    }
    return render(request, "regrind/signal_detail.html", context)
