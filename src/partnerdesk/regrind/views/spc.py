"""Control chart pages: the dashboard of a line (a small chart per dosing unit, open signals,
who is on shift, product runs, today's figures per team) and the page of a chart (location and
dispersion charts of a window, capability, limit versions with their explanation, a new
baseline, the rule switches and the chart's signals); creating a chart."""

import datetime

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from partnerdesk.audit.selectors import history_for
from partnerdesk.core.permissions import can
from partnerdesk.regrind import selectors_plant, selectors_spc as selectors
from partnerdesk.regrind.charts_svg import analysis_charts
from partnerdesk.regrind.choices import SignalStatus
from partnerdesk.regrind.forms_spc import (
    DEFAULT_WINDOW_POINTS,
    BaselineForm,
    ChartCreateForm,
    RulesForm,
    WindowForm,
)
from partnerdesk.regrind.models import ShiftAssignment
from partnerdesk.regrind.rule_labels import (
    EDGE_CASES,
    RULE_GROUPS,
    RULE_LABELS,
    formula,
    rule_label,
)
from partnerdesk.regrind.services import charts as service
from partnerdesk.regrind.views.spc_common import get_or_404, require, run, with_ack_forms

SPARK_POINTS = 100
OPEN_SHOWN = 50
CHART_SIGNALS_SHOWN = 20


def _active_units(user, **filters):
    return selectors_plant.unit_list(user=user).filter(is_active=True, **filters)


# --- the line dashboard ------------------------------------------------------------------------


def _today_start(now: datetime.datetime) -> datetime.datetime:
    local = timezone.localtime(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


@require_GET
def line(request, pk):
    user = request.user
    line = get_or_404(selectors_plant.line_get, user=user, pk=pk)
    now = timezone.now()
    units = list(selectors_plant.unit_list(user=user).filter(line=line))
    charts = selectors.first_charts(user=user, units=units)
    sparks = selectors.chart_sparklines(charts.values(), last=SPARK_POINTS)
    cards = []
    for unit in units:
        chart = charts.get(unit.pk)
        analysis = sparks.get(chart.pk) if chart else None
        svg = analysis_charts(analysis, width=480, compact=True)[0] if analysis else None
        cards.append({"unit": unit, "chart": chart, "analysis": analysis, "svg": svg})
    open_signals = selectors.signal_list(user=user).filter(line=line, status=SignalStatus.OPEN)
    duty = selectors_plant.team_on_shift(line, now) if can(user, "view", ShiftAssignment) else None
    teams = selectors.reading_figures(
        user=user,
        unit_ids=[unit.pk for unit in units],
        since=_today_start(now),
        by=("team_id", "team__name"),
    )
    context = {
        "line": line,
        "cards": cards,
        "open_signals": with_ack_forms(user, open_signals[:OPEN_SHOWN]),
        "open_count": open_signals.count(),
        "signals_url": f"{reverse('regrind:signals')}?line={line.pk}&status=open",
        "duty": duty,
        "runs": list(selectors_plant.run_list(user=user).filter(line=line)[:8]),
        "teams": teams,
        "chart_form": (
            ChartCreateForm(units=_active_units(user, line=line))
            if user.has_perm("regrind.add_controlchart")
            else None
        ),
        "now": now,
    }
    return render(request, "regrind/line.html", context)


# --- the chart page ----------------------------------------------------------------------------


def _rule_groups(chart, form: RulesForm | None) -> list[dict]:
    chosen = set(form.data.getlist("rules")) if form and form.is_bound else set(chart.rules)
    return [
        {
            "label": label,
            "rules": [
                {"code": code, "label": RULE_LABELS[code], "checked": code in chosen}
                for code in codes
            ],
        }
        for label, codes in RULE_GROUPS
    ]


def _versions(user, chart) -> list:
    versions = list(selectors.limit_versions(user=user, chart=chart))
    for version in versions:
        explanation = version.explanation or {}
        version.formulas = explanation.get("formulas") or formula(chart.kind)
        version.constants = sorted((explanation.get("constants") or {}).items())
        version.phase_one = [
            (code, rule_label(code), count)
            for code, count in sorted((explanation.get("phase_one_signals") or {}).items())
        ]
        version.spec = explanation.get("product")
        version.capability = explanation.get("capability")
    return versions


def _chart_page(request, chart, *, baseline_form=None, rules_form=None):
    user = request.user
    window_form = WindowForm(request.GET or None, initial={"last": DEFAULT_WINDOW_POINTS})
    analysis = selectors.chart_analysis(chart, **window_form.window())
    location, dispersion = analysis_charts(analysis)
    if baseline_form is None and user.has_perm("regrind.add_controllimits"):
        first, last = (
            analysis.times.get(analysis.shown_from),
            analysis.times.get(analysis.points - 1),
        )
        initial = {
            "start": timezone.localtime(first) if first else None,
            "end": timezone.localtime(last) if last else None,
        }
        baseline_form = BaselineForm(initial=initial)
    may_switch = user.has_perm("regrind.change_controlchart")
    context = {
        "chart": chart,
        "analysis": analysis,
        "location": location,
        "dispersion": dispersion,
        "window_form": window_form,
        "window_signals": analysis.latest_signals(),
        "rule_counts": analysis.rule_counts(),
        "formulas": formula(chart.kind),
        "versions": _versions(user, chart),
        "baseline_form": baseline_form,
        "rule_groups": _rule_groups(chart, rules_form) if may_switch else None,
        "rules_form": rules_form,
        "edge_cases": EDGE_CASES,
        "signals": with_ack_forms(
            user, selectors.signal_list(user=user).filter(chart=chart)[:CHART_SIGNALS_SHOWN]
        ),
        "all_signals_url": f"{reverse('regrind:signals')}?line={chart.unit.line_id}",
        "history": (
            history_for(instance=chart, user=user)
            if user.has_perm("audit.view_auditentry")
            else None
        ),
    }
    return render(request, "regrind/chart.html", context)


@require_GET
def chart(request, pk):
    chart = get_or_404(selectors.chart_get, user=request.user, pk=pk)
    return _chart_page(request, chart)


@require_POST
def chart_rules(request, pk):
    user = request.user
    require(user, "regrind.change_controlchart")
    chart = get_or_404(selectors.chart_get, user=user, pk=pk, action="change")
    form = RulesForm(request.POST)
    saved = run(
        request,
        form,
        lambda data: service.chart_update(user=user, chart=chart, rules=data["rules"]),
        success_message=_("Run rules saved. They apply to the points checked from now on."),
    )
    if saved is None:
        return _chart_page(request, chart, rules_form=form)
    return redirect("regrind:chart", chart.pk)


@require_POST
def chart_baseline(request, pk):
    user = request.user
    require(user, "regrind.add_controllimits")
    chart = get_or_404(selectors.chart_get, user=user, pk=pk)
    form = BaselineForm(request.POST)
    limits = run(
        request,
        form,
        lambda data: service.chart_set_baseline(
            user=user, chart=chart, start=data["start"], end=data["end"], note=data["note"]
        ),
    )
    if limits is None:
        return _chart_page(request, chart, baseline_form=form)
    messages.success(
        request,
        _(
            "Limits version %(version)s set from %(points)s points: centre %(center).3f, "
            "UCL %(ucl).3f, LCL %(lcl).3f. Points after the baseline are checked against them."
        )
        % {
            "version": limits.version,
            "points": limits.points,
            "center": limits.center,
            "ucl": limits.ucl,
            "lcl": limits.lcl,
        },
    )
    return redirect("regrind:chart", chart.pk)


@require_http_methods(["GET", "POST"])
def chart_create(request):
    user = request.user
    require(user, "regrind.add_controlchart")
    units = _active_units(user)
    initial = {"unit": request.GET.get("unit")} if request.GET.get("unit", "").isdigit() else {}
    form = ChartCreateForm(request.POST or None, units=units, initial=initial)
    if request.method == "POST":
        created = run(
            request,
            form,
            lambda data: service.chart_create(
                user=user,
                unit=data["unit"],
                kind=data["kind"],
                subgroup_size=data.get("subgroup_size"),
            ),
            success_message=_("Chart created. Set a baseline to put limits in force."),
        )
        if created is not None:
            return redirect("regrind:chart", created.pk)
    context = {
        "form": form,
        "title": _("New control chart"),
        "cancel_url": reverse("regrind:home"),
        "note": _(
            "A unit has at most one chart of each kind. Until a baseline is set the chart shows "
            "phase-I limits computed from the readings shown."
        ),
    }
    return render(request, "regrind/form_page.html", context)
