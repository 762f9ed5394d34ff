"""Scorecard policies: criteria with weights and normalisation rules, standing bands."""

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from partnerdesk.audit.models import AuditAction
from partnerdesk.audit.services import record_change
from partnerdesk.core.errors import Conflict, InvalidInput
from partnerdesk.core.services import require_perm, validate_and_save
from partnerdesk.performance.choices import BandAction
from partnerdesk.performance.engines.scoring import (
    Band,
    Criterion,
    Normalisation,
    validate_bands,
    validate_weights,
)
from partnerdesk.performance.models import (
    Metric,
    PeriodClose,
    ScorecardCriterion,
    ScorecardPolicy,
    StandingBand,
)


def _decimal(value, field: str, row: int) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError) as exc:
        message = _("Row %(row)d: %(field)s must be a number.") % {"row": row, "field": field}
        raise InvalidInput(message, fields={field: [message]}) from exc
    if not number.is_finite():
        message = _("Row %(row)d: %(field)s must be finite.") % {"row": row, "field": field}
        raise InvalidInput(message, fields={field: [message]})
    return number


@transaction.atomic
def policy_create(
    *,
    user,
    name: str,
    effective_from: datetime.date,
    decay,
    window: int,
    criteria: list[dict],
    bands: list[dict],
) -> ScorecardPolicy:
    """A new policy version. ``criteria``: [{metric (code), weight, worst, best}];
    ``bands``: [{name, lower, upper, action}]. Weights must sum to 100 and bands cover 0-100
    without gaps or overlaps; every error names its row."""
    require_perm(user, "performance.add_scorecardpolicy")
    closed = PeriodClose.objects.filter(reopened_at__isnull=True).aggregate(p=Max("period"))["p"]
    # A policy scores every month it is in force on the last day of, so it may not start
    # inside a closed month either.
    if closed and effective_from.replace(day=1) <= closed:
        message = _("%(period)s is closed: a new policy can start after it.") % {
            "period": closed.strftime("%Y-%m")
        }
        raise Conflict(message, fields={"effective_from": [message]})
    metrics = {m.code: m for m in Metric.objects.all()}
    parsed_criteria, engine_criteria = [], []
    for row, item in enumerate(criteria, start=1):
        code = str(item.get("metric", ""))
        if code not in metrics:
            message = _("Row %(row)d: unknown metric “%(code)s”.") % {"row": row, "code": code}
            raise InvalidInput(message, fields={"criteria": [message]})
        weight = _decimal(item.get("weight"), "weight", row)
        worst = _decimal(item.get("worst"), "worst", row)
        best = _decimal(item.get("best"), "best", row)
        if worst == best:
            message = _("Row %(row)d: the values scoring 0 and 100 must differ.") % {"row": row}
            raise InvalidInput(message, fields={"criteria": [message]})
        parsed_criteria.append((metrics[code], weight, worst, best))
        engine_criteria.append(Criterion(code, weight, Normalisation(worst, best)))
    problems = validate_weights(engine_criteria)
    if problems:
        raise InvalidInput("; ".join(problems), fields={"criteria": problems})
    parsed_bands = []
    for row, item in enumerate(bands, start=1):
        action = item.get("action", BandAction.NONE)
        if action not in BandAction.values:
            message = _("Row %(row)d: unknown action “%(action)s”.") % {
                "row": row,
                "action": action,
            }
            raise InvalidInput(message, fields={"bands": [message]})
        parsed_bands.append(
            Band(
                str(item.get("name", "")).strip() or f"#{row}",
                _decimal(item.get("lower"), "lower", row),
                _decimal(item.get("upper"), "upper", row),
                action,
            )
        )
    problems = validate_bands(parsed_bands)
    if problems:
        raise InvalidInput("; ".join(problems), fields={"bands": problems})
    decay = _decimal(decay, "decay", 1)
    if not Decimal(0) < decay <= Decimal(1):
        message = _("The weight of each older period is more than 0 and at most 1.")
        raise InvalidInput(message, fields={"decay": [message]})
    version = (ScorecardPolicy.objects.aggregate(v=Max("version"))["v"] or 0) + 1
    policy = validate_and_save(
        ScorecardPolicy(
            name=name,
            version=version,
            effective_from=effective_from,
            decay=decay,
            window=window,
            created_by=user,
        )
    )
    ScorecardCriterion.objects.bulk_create(
        ScorecardCriterion(policy=policy, metric=metric, weight=weight, worst=worst, best=best)
        for metric, weight, worst, best in parsed_criteria
    )
    StandingBand.objects.bulk_create(
        StandingBand(policy=policy, name=b.name, lower=b.lower, upper=b.upper, action=b.action)
        for b in parsed_bands
    )
    record_change(
        actor=user,
        instance=policy,
        action=AuditAction.CREATE,
        after={
            "name": name,
            "version": version,
            "effective_from": effective_from.isoformat(),
            "criteria": [
                {"metric": m.code, "weight": str(w), "worst": str(lo), "best": str(hi)}
                for m, w, lo, hi in parsed_criteria
            ],
            "bands": [
                {"name": b.name, "lower": str(b.lower), "upper": str(b.upper), "action": b.action}
                for b in parsed_bands
            ],
        },
    )
    return policy
