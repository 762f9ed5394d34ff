"""Phase II: checking the new points of control charts against their limits.

For each active chart with limits, the readings after ``monitored_until`` are turned into
plotted points (single readings, or subgroups of n consecutive readings; an incomplete last
subgroup waits for more readings) and checked with the chart's run rules, together with the
points just before them, so a run that started earlier is seen. A point of the dispersion
chart beyond its limits is signalled too (rule ``d1``). Signals are unique per chart, limits,
rule and point: checking again raises nothing twice. The team lead of the team on shift at
the first new signal of a rule (else the line manager) gets one notification per chart, rule
and check.
"""

import numpy as np
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from partnerdesk.notifications.services import NotificationDraft, notify_many
from partnerdesk.organisation.models import Team
from partnerdesk.regrind import series
from partnerdesk.regrind.engines import spc
from partnerdesk.regrind.models import ControlChart, Signal
from partnerdesk.regrind.rule_labels import DISPERSION_RULE, rule_label

CONTEXT_POINTS = max(info.window for info in spc.RULES.values()) - 1


def _dispersion_flags(dispersion: np.ndarray, limits) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        above = dispersion > limits.dispersion_ucl
        below = (dispersion < limits.dispersion_lcl) if limits.dispersion_lcl > 0 else False
    return np.flatnonzero(np.nan_to_num(above | below, nan=0).astype(bool))


def _check_chart(chart: ControlChart) -> list[Signal]:
    limits = chart.limits
    n = chart.subgroup_size
    new_ids, new_values = series.ratios(chart.unit_id, after=chart.monitored_until)
    usable = len(new_values) // n * n
    if usable == 0:
        return []
    new_ids, new_values = new_ids[:usable], new_values[:usable]
    context_ids, context_values = series.last_ratios(
        chart.unit_id, until=chart.monitored_until, count=CONTEXT_POINTS * n
    )
    skip = len(context_values) % n
    context_ids, context_values = context_ids[skip:], context_values[skip:]
    ids = np.concatenate([context_ids, new_ids])
    values = np.concatenate([context_values, new_values])
    location, dispersion = spc.chart_points(chart.kind, values, n)
    first_new = len(context_values) // n
    codes = [r for r in chart.rules if r in spc.RULES]
    found = spc.evaluate_arrays(
        location,
        limits.center,
        (limits.ucl - limits.center) / 3,
        codes,
        lcl=limits.lcl,
        ucl=limits.ucl,
    )
    hits = [
        (int(i), str(r), int(f), float(v))
        for i, r, f, v in zip(found.index, found.rule, found.first_index, found.value, strict=True)
        if i >= first_new
    ]
    if DISPERSION_RULE in chart.rules:
        hits += [
            (int(i), DISPERSION_RULE, int(i), float(dispersion[i]))
            for i in _dispersion_flags(dispersion, limits)
            if i >= first_new
        ]
    if not hits:
        chart.monitored_until = series.details([int(new_ids[-1])])[int(new_ids[-1])][0]
        return []

    # The reading that ends a point: the point itself, or the last reading of its subgroup.
    def last_reading(point: int) -> int:
        return int(ids[point * n + n - 1])

    def first_reading(point: int) -> int:
        return int(ids[point * n])

    wanted = {last_reading(i) for i, *_ in hits} | {first_reading(f) for _, _, f, _ in hits}
    wanted.add(int(new_ids[-1]))
    info = series.details(wanted)
    signals = [
        Signal(
            chart=chart,
            limits=limits,
            rule=rule,
            point_at=info[last_reading(i)][0],
            first_at=info[first_reading(f)][0],
            value=value,
            line_id=chart.unit.line_id,
            team_id=info[last_reading(i)][1],
        )
        for i, rule, f, value in hits
    ]
    chart.monitored_until = info[int(new_ids[-1])][0]
    return signals


def _alerts(chart: ControlChart, created: list[Signal]) -> list[NotificationDraft]:
    first_by_rule: dict[str, Signal] = {}
    for signal in sorted(created, key=lambda s: s.point_at):
        first_by_rule.setdefault(signal.rule, signal)
    teams = Team.objects.select_related("lead__user").in_bulk(
        {s.team_id for s in first_by_rule.values() if s.team_id}
    )
    manager = chart.unit.line.manager
    drafts = []
    for rule, signal in first_by_rule.items():
        team = teams.get(signal.team_id)
        person = team.lead if team and team.lead_id else manager
        user = getattr(person, "user", None) if person else None
        if user is None or not user.is_active:
            continue
        count = sum(1 for s in created if s.rule == rule)
        drafts.append(
            NotificationDraft(
                recipient_id=user.pk,
                kind="regrind_signal",
                title=_("%(unit)s: %(rule)s") % {"unit": chart.unit.code, "rule": rule_label(rule)},
                body=_(
                    "%(count)s new signal(s) on the %(chart)s of %(unit)s (line %(line)s), the "
                    "first at %(time)s (value %(value).2f)."
                )
                % {
                    "count": count,
                    "chart": chart.get_kind_display(),
                    "unit": chart.unit.code,
                    "line": chart.unit.line.code,
                    "time": signal.point_at.isoformat(" ", "minutes"),
                    "value": signal.value,
                },
                link=reverse("regrind:chart", args=[chart.pk]),
                dedupe_key=f"regrind:{chart.pk}:{rule}:{signal.point_at.isoformat()}",
            )
        )
    return drafts


def monitor_charts(*, unit_ids=None) -> int:
    """Check the new points of the active charts (of ``unit_ids``, or all); the number of
    signals raised."""
    charts = ControlChart.objects.filter(is_active=True, limits__isnull=False).select_related(
        "limits", "unit__line__manager__user"
    )
    if unit_ids is not None:
        charts = charts.filter(unit_id__in=list(unit_ids))
    raised = 0
    for chart_id in charts.values_list("pk", flat=True):
        with transaction.atomic():
            chart = charts.select_for_update(of=("self",)).get(pk=chart_id)
            signals = _check_chart(chart)
            created = Signal.objects.bulk_create(signals, ignore_conflicts=True)
            chart.save(update_fields=["monitored_until"])
            if signals:
                notify_many(_alerts(chart, created))
            raised += len(signals)
    return raised
