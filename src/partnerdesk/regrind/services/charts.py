"""Control charts: creating them, switching rules, and setting limits from a baseline (phase
I). Monitoring new points against the limits (phase II) is in ``monitoring.py``."""

import datetime
from collections import Counter

from django.db import transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _

from partnerdesk.audit.models import AuditAction
from partnerdesk.audit.services import record_change, snapshot
from partnerdesk.core.errors import InvalidInput
from partnerdesk.core.services import require_perm
from partnerdesk.regrind import series
from partnerdesk.regrind.choices import ChartKind
from partnerdesk.regrind.engines import spc
from partnerdesk.regrind.models import ControlChart, ControlLimits, ProductRun, RegrindProduct
from partnerdesk.regrind.rule_labels import DISPERSION_RULE, formula

MIN_BASELINE_POINTS = 20


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput(message, fields={field: [message]})


def _clean_rules(rules) -> list[str]:
    rules = list(dict.fromkeys(rules or []))
    unknown = [r for r in rules if r not in spc.RULES and r != DISPERSION_RULE]
    if unknown:
        raise _invalid("rules", _("Unknown run rules: %(rules)s.") % {"rules": ", ".join(unknown)})
    return rules


def _subgroup_size(kind: str, size: int | None) -> int:
    if kind not in ChartKind.values:
        raise _invalid("kind", _("Unknown chart kind."))
    if kind == ChartKind.INDIVIDUALS:
        return 1
    size = size or 5
    if not 2 <= size <= 25:
        raise _invalid("subgroup_size", _("Subgroups have 2 to 25 readings."))
    return size


def chart_create(*, user, unit, kind: str, subgroup_size: int | None = None, rules=None):
    require_perm(user, "regrind.add_controlchart")
    size = _subgroup_size(kind, subgroup_size)
    rules = _clean_rules(rules if rules is not None else ["we1", "we2", "we3", "we4", "d1"])
    with transaction.atomic():
        if ControlChart.objects.filter(unit=unit, kind=kind).exists():
            raise _invalid("kind", _("The unit has this chart already."))
        chart = ControlChart.objects.create(unit=unit, kind=kind, subgroup_size=size, rules=rules)
        record_change(actor=user, instance=chart, action=AuditAction.CREATE)
    return chart


def chart_update(*, user, chart, rules=None, is_active=None) -> ControlChart:
    """Switch run rules on or off, or the chart itself. Signals already raised stay."""
    require_perm(user, "regrind.change_controlchart")
    with transaction.atomic():
        chart = ControlChart.objects.select_for_update().get(pk=chart.pk)
        before = snapshot(chart)
        if rules is not None:
            chart.rules = _clean_rules(rules)
        if is_active is not None:
            chart.is_active = bool(is_active)
        chart.save()
        record_change(actor=user, instance=chart, action=AuditAction.UPDATE, before=before)
    return chart


def _spec(chart: ControlChart, end) -> RegrindProduct | None:
    """The product running on the unit's line at the end of the baseline."""
    run = (
        ProductRun.objects.filter(line_id=chart.unit.line_id, starts_at__lte=end)
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=end))
        .select_related("product")
        .order_by("-starts_at")
        .first()
    )
    return run.product if run else None


def explain(limits: spc.Limits, values, rules: list[str], product) -> dict:
    """What a limit version rests on: factors, formulas, the baseline's own rule signals and
    its capability against the product's specification."""
    location, _dispersion = spc.chart_points(limits.kind, values, limits.subgroup_size)
    found = spc.evaluate_arrays(
        location,
        limits.center,
        limits.zone_sigma,
        [r for r in rules if r in spc.RULES],
        lcl=limits.lcl,
        ucl=limits.ucl,
    )
    cap = None
    if product is not None and len(values) >= 2:
        c = spc.capability(
            values, lsl=float(product.lsl), usl=float(product.usl), sigma_within=limits.sigma
        )
        cap = {
            k: getattr(c, k)
            for k in ("n", "mean", "sigma_within", "sigma_overall", "cp", "cpk", "pp", "ppk")
        }
    return {
        "constants": limits.constants,
        "formulas": formula(limits.kind),
        "phase_one_signals": dict(Counter(found.rule.tolist())),
        "product": None
        if product is None
        else {
            "code": product.code,
            "target": float(product.target_ratio),
            "lsl": float(product.lsl),
            "usl": float(product.usl),
            "max": float(product.max_ratio),
        },
        "capability": cap,
    }


def chart_set_baseline(
    *, user, chart, start: datetime.datetime, end: datetime.datetime, note: str = ""
) -> ControlLimits:
    """Compute limits from the unit's readings between ``start`` and ``end`` (phase I) and put
    them in force as a new version; monitoring continues with the points after ``end``."""
    require_perm(user, "regrind.add_controllimits")
    if start >= end:
        raise _invalid("end", _("The baseline must end after it starts."))
    values = series.values(chart.unit_id, start=start, end=end)
    size = chart.subgroup_size
    points = len(values) // size
    if points < MIN_BASELINE_POINTS:
        raise _invalid(
            "start",
            _(
                "The baseline holds %(points)s points; at least %(min)s are needed for limits "
                "worth trusting."
            )
            % {"points": points, "min": MIN_BASELINE_POINTS},
        )
    try:
        limits = spc.limits_for(chart.kind, values, size)
    except ValueError as exc:
        raise _invalid("start", str(exc)) from exc
    if limits.sigma <= 0:
        raise _invalid(
            "start", _("The baseline readings do not vary; limits cannot be set from them.")
        )
    explanation = explain(limits, values, chart.rules, _spec(chart, end))
    with transaction.atomic():
        chart = ControlChart.objects.select_for_update().get(pk=chart.pk)
        version = (chart.limit_versions.aggregate(v=Max("version"))["v"] or 0) + 1
        row = ControlLimits.objects.create(
            chart=chart,
            version=version,
            baseline_start=start,
            baseline_end=end,
            points=limits.points,
            readings=len(values),
            center=limits.center,
            ucl=limits.ucl,
            lcl=limits.lcl,
            sigma=limits.sigma,
            dispersion_center=limits.dispersion_center,
            dispersion_ucl=limits.dispersion_ucl,
            dispersion_lcl=limits.dispersion_lcl,
            explanation=explanation,
            note=note[:300],
            created_by=user if getattr(user, "pk", None) else None,
        )
        before = snapshot(chart)
        chart.limits = row
        chart.monitored_until = end
        chart.save(update_fields=["limits", "monitored_until"])
        record_change(actor=user, instance=row, action=AuditAction.CREATE)
        record_change(actor=user, instance=chart, action=AuditAction.UPDATE, before=before)
    return row
