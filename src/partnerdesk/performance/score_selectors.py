"""Reads for the scorecard pages: scores and their explanations, the ranking, a partner's
scorecard with its trends, and the policies; always through the user's visibility."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F

from partnerdesk.performance.choices import BandAction, Outcome
from partnerdesk.performance.models import (
    Metric,
    PartnerScore,
    ScorecardPolicy,
    ServiceLevelResult,
)
from partnerdesk.performance.periods import previous_month
from partnerdesk.performance.result_selectors import choice_label


def score_get(*, user, pk) -> PartnerScore:
    """One score the user may see; raises ``PartnerScore.DoesNotExist`` otherwise."""
    return (
        PartnerScore.objects.restrict(user)
        .select_related("partner", "policy", "period_close")
        .get(pk=pk)
    )


def metric_names(*, user, codes) -> dict[str, Metric]:
    return {m.code: m for m in Metric.objects.restrict(user).filter(code__in=set(codes))}


@dataclass
class CriterionRow:
    metric: str
    name: str
    unit: str
    value: str | None
    worst: str | None
    best: str | None
    normalised: str | None
    weight: str | None
    effective_weight: str | None


@dataclass
class RecentScore:
    period: datetime.date
    score: str | None
    weight: Decimal
    is_current: bool


def explain_score(*, user, score: PartnerScore) -> dict:
    """The score's explanation laid out: criteria with their rule and weights, the recent
    scores with their decay weights, the bands and the one that applied."""
    data = score.explanation
    rules = {c["metric"]: c for c in data.get("criteria", [])}
    parts = data.get("parts", [])
    names = metric_names(user=user, codes=[p["metric"] for p in parts])
    criteria = []
    for part in parts:
        code = part["metric"]
        rule, metric = rules.get(code, {}), names.get(code)
        criteria.append(
            CriterionRow(
                metric=code,
                name=metric.name if metric else code,
                unit=metric.unit if metric else "",
                value=part.get("value"),
                worst=rule.get("worst"),
                best=rule.get("best"),
                normalised=part.get("normalised"),
                weight=rule.get("weight"),
                effective_weight=part.get("weight"),
            )
        )
    decay = Decimal(data.get("decay", "1"))
    recent_values = data.get("recent_scores", [])
    recent, month, weight = [], score.period, Decimal(1)
    for value in reversed(recent_values):
        recent.append(RecentScore(month, value, weight, month == score.period))
        month, weight = previous_month(month), weight * decay
    recent.reverse()
    bands = [
        dict(
            b,
            applied=b["name"] == score.standing,
            action_label=choice_label(BandAction, b["action"]),
        )
        for b in data.get("bands", [])
    ]
    return {"data": data, "criteria": criteria, "recent": recent, "bands": bands}


# --- credit proposals -------------------------------------------------------------------------


def _standing_scores(user):
    return PartnerScore.objects.restrict(user).filter(period_close__reopened_at__isnull=True)


def scored_periods(*, user) -> list[datetime.date]:
    """Months with scores of a standing close, newest first."""
    return list(
        _standing_scores(user).order_by("-period").values_list("period", flat=True).distinct()
    )


def ranking(*, user, period: datetime.date) -> list[PartnerScore]:
    """The partners' scores of a month, best overall first; each gets ``rank`` (ties share a
    rank; no overall score, no rank)."""
    scores = list(
        _standing_scores(user)
        .filter(period=period)
        .select_related("partner")
        .order_by(
            F("overall").desc(nulls_last=True), F("score").desc(nulls_last=True), "partner__code"
        )
    )
    previous, rank = None, 0
    for position, score in enumerate(scores, start=1):
        if score.overall is None:
            score.rank = None
            continue
        if score.overall != previous:
            rank, previous = position, score.overall
        score.rank = rank
    return scores


@dataclass
class KpiTrend:
    code: str
    name: str
    unit: str
    values: list[Decimal | None]
    flagged: list[bool]
    worst: Decimal | None
    best: Decimal | None


@dataclass
class Scorecard:
    """A partner's last periods (oldest first) and a trend per KPI criterion."""

    scores: list[PartnerScore]
    kpis: list[KpiTrend]
    bands: list[dict]

    @property
    def latest(self) -> PartnerScore | None:
        return self.scores[-1] if self.scores else None

    @property
    def periods(self) -> list[datetime.date]:
        return [s.period for s in self.scores]


def partner_scorecard(*, user, partner, periods: int = 12) -> Scorecard:
    """The partner's scores of the last ``periods`` standing closes with, per KPI criterion,
    its monthly values (from the scores' explanations) flagged where a service level on that
    metric was breached."""
    scores = list(
        _standing_scores(user)
        .filter(partner=partner)
        .select_related("policy")
        .order_by("-period")[:periods]
    )
    scores.reverse()
    if not scores:
        return Scorecard([], [], [])
    breaches = set(
        ServiceLevelResult.objects.restrict(user)
        .filter(
            contract__partner=partner,
            period_close__reopened_at__isnull=True,
            period_close__period__in=[s.period for s in scores],
            outcome=Outcome.BREACH,
        )
        .values_list("period_close__period", "service_level__metric__code")
    )
    latest = scores[-1].explanation
    codes = [c["metric"] for c in latest.get("criteria", [])]
    values: dict[str, list[Decimal | None]] = defaultdict(lambda: [None] * len(scores))
    for index, score in enumerate(scores):
        for part in score.explanation.get("parts", []):
            code = part["metric"]
            if code not in codes:
                codes.append(code)
            if part.get("value") is not None:
                values[code][index] = Decimal(part["value"])
    rules = {c["metric"]: c for c in latest.get("criteria", [])}
    names = metric_names(user=user, codes=codes)
    kpis = []
    for code in codes:
        metric, rule = names.get(code), rules.get(code, {})
        kpis.append(
            KpiTrend(
                code=code,
                name=metric.name if metric else code,
                unit=metric.unit if metric else "",
                values=values[code],
                flagged=[(s.period, code) in breaches for s in scores],
                worst=Decimal(rule["worst"]) if "worst" in rule else None,
                best=Decimal(rule["best"]) if "best" in rule else None,
            )
        )
    return Scorecard(scores, kpis, latest.get("bands", []))


def is_flagged_standing(score: PartnerScore) -> bool:
    return score.action in (BandAction.WARN, BandAction.BLOCK)


# --- scorecard policies -----------------------------------------------------------------------


def policy_list(*, user):
    return (
        ScorecardPolicy.objects.restrict(user)
        .select_related("created_by")
        .prefetch_related("criteria__metric", "bands")
    )


def metric_list(*, user):
    return Metric.objects.restrict(user).order_by("name")
