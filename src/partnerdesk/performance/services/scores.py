"""Scoring partners at a period close, under the scorecard policy in force."""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _

from partnerdesk.contracts.choices import ContractStatus
from partnerdesk.contracts.models import Contract
from partnerdesk.notifications.services import NotificationDraft, notify_many
from partnerdesk.partners.choices import OwnerRole
from partnerdesk.partners.models import InternalOwner
from partnerdesk.performance.engines.aggregation import (
    Aggregation,
    Summary,
    aggregate_summary,
    merge,
)
from partnerdesk.performance.engines.scoring import (
    Band,
    Criterion,
    Normalisation,
    band_for,
    consecutive_declines,
    overall_score,
    score_period,
)
from partnerdesk.performance.models import PartnerScore, ScorecardPolicy
from partnerdesk.performance.periods import previous_month
from partnerdesk.performance.services import inputs

DECLINE_ALERT = 3
SCORE_COLUMNS = [
    "partner_id",
    "period",
    "policy_id",
    "period_close_id",
    "score",
    "overall",
    "standing",
    "action",
    "declines",
    "explanation",
]


def policy_in_force(day: datetime.date) -> ScorecardPolicy | None:
    return (
        ScorecardPolicy.objects.filter(effective_from__lte=day)
        .prefetch_related("criteria__metric", "bands")
        .order_by("-effective_from")
        .first()
    )


_LOOK_UP = object()
_NOTHING = Summary()


def score_partners(
    close, start: datetime.date, end: datetime.date, *, policy=_LOOK_UP, observed=None
) -> int:
    """Score every partner with a contract running in the period; returns how many.

    The close passes the policy in force and the period's observations it has already read
    (they must cover the criteria's metrics); otherwise they are read here."""
    if policy is _LOOK_UP:
        policy = policy_in_force(end)
    if policy is None:
        return 0
    criteria_rows = list(policy.criteria.all())
    criteria = [
        Criterion(
            key=c.metric.code, weight=c.weight, rule=Normalisation(worst=c.worst, best=c.best)
        )
        for c in criteria_rows
    ]
    bands = [Band(b.name, b.lower, b.upper, b.action) for b in policy.bands.all()]
    contract_partner = dict(
        Contract.objects.filter(start_date__lte=end, end_date__gte=start)
        .exclude(status=ContractStatus.DRAFT)
        .values_list("id", "partner_id")
    )
    metric_ids = {c.metric_id for c in criteria_rows}
    if observed is None:
        observed = inputs.observations(start, end, metric_ids, inputs.metrics())

    by_partner: dict[int, dict[int, Summary]] = defaultdict(dict)
    for (contract_id, metric_id), summary in sorted(observed.items()):
        if metric_id not in metric_ids:
            continue  # the close's observations cover its service levels' metrics too
        partner_id = contract_partner.get(contract_id)
        if partner_id is not None:
            known = by_partner[partner_id].get(metric_id)
            by_partner[partner_id][metric_id] = summary if known is None else merge(known, summary)
    partners = set(contract_partner.values())
    history = _history(partners, start, policy.window)

    # The explanation parts every partner shares under this policy.
    criteria_explained = [
        {
            "metric": c.metric.code,
            "weight": str(c.weight),
            "worst": str(c.worst),
            "best": str(c.best),
        }
        for c in criteria_rows
    ]
    bands_explained = [
        {"name": b.name, "lower": str(b.lower), "upper": str(b.upper), "action": b.action}
        for b in bands
    ]
    scores, alerts = [], []
    for partner_id in sorted(partners):
        values = {}
        for row in criteria_rows:
            metric = row.metric
            values[metric.code] = aggregate_summary(
                by_partner[partner_id].get(row.metric_id, _NOTHING),
                Aggregation(metric.aggregation),
                scale=metric.scale,
            )
        result = score_period(values, criteria)
        series = history.get(partner_id, []) + [result.score]
        overall = overall_score(series, decay=policy.decay, window=policy.window)
        band = band_for(overall, bands) if overall is not None and bands else None
        declines = consecutive_declines(series)
        scores.append(
            (
                partner_id,
                start,
                policy.pk,
                close.pk,
                result.score,
                overall,
                band.name if band else "",
                band.action if band else "none",
                declines,
                {
                    "policy": str(policy),
                    "policy_version": policy.version,
                    "decay": str(policy.decay),
                    "window": policy.window,
                    "parts": [
                        {
                            "metric": key,
                            "value": _text(value),
                            "normalised": _text(norm),
                            "weight": str(weight),
                        }
                        for key, value, norm, weight in result.parts
                    ],
                    "criteria": criteria_explained,
                    "steps": list(result.explanation),
                    "recent_scores": [_text(s) for s in series[-policy.window :]],
                    "bands": bands_explained,
                },
            )
        )
        if declines >= DECLINE_ALERT and result.score is not None:
            alerts.append(partner_id)
    inputs.insert_rows(PartnerScore, SCORE_COLUMNS, scores)
    _alert_declines(alerts, start)
    return len(scores)


def _text(value):
    return None if value is None else str(value)


def _history(
    partner_ids: set[int], start: datetime.date, window: int
) -> dict[int, list[Decimal | None]]:
    """Each partner's period scores of the standing closes before ``start``, oldest first,
    one slot per month (None for a month without a score), as many as the window needs."""
    months = []
    month = start
    for _step in range(max(window, DECLINE_ALERT + 1) - 1):
        month = previous_month(month)
        months.append(month)
    months.reverse()
    # Filtered on the months only (a list of ids would be as long as the partner list).
    known = {
        (partner, period): score
        for partner, period, score in PartnerScore.objects.filter(
            period__in=months,
            period_close__reopened_at__isnull=True,
        ).values_list("partner_id", "period", "score")
        if partner in partner_ids
    }
    return {p: [known.get((p, m)) for m in months] for p in partner_ids}


def _alert_declines(partner_ids: list[int], period: datetime.date) -> None:
    if not partner_ids:
        return
    owners = InternalOwner.objects.filter(
        partner_id__in=partner_ids,
        role__in=(OwnerRole.RELATIONSHIP, OwnerRole.ESCALATION_1, OwnerRole.ESCALATION_2),
        person__user__is_active=True,
    ).values_list("partner_id", "partner__code", "person__user_id")
    drafts = [
        NotificationDraft(
            user_id,
            "score_decline",
            _("%(partner)s: score declined three periods in a row") % {"partner": code},
            _("The scorecard of %(partner)s for %(period)s is the third decline in a row.")
            % {"partner": code, "period": period.strftime("%Y-%m")},
            reverse("performance:scorecard", args=[partner_id]),
            f"score-decline-{partner_id}-{period.isoformat()}",
        )
        for partner_id, code, user_id in owners
    ]
    notify_many(drafts)
