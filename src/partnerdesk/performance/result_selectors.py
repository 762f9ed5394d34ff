"""Reads of the period-close, explain, credit-proposal, scorecard and policy pages.

Every read goes through ``restrict(user, action)``; each page needs a fixed number of queries
whatever the number of periods, partners or results.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F

from partnerdesk.performance.choices import Aggregation, BandAction, CreditModel, Outcome
from partnerdesk.performance.choices import Direction as DirectionChoice
from partnerdesk.performance.engines.credits import Direction, is_breach
from partnerdesk.performance.models import (
    CreditProposal,
    Metric,
    PartnerScore,
    PeriodClose,
    ScorecardPolicy,
    ServiceLevelResult,
)
from partnerdesk.performance.periods import previous_month

# --- period closes ----------------------------------------------------------------------------


@dataclass
class MonthCloses:
    """A month with its standing close (None once reopened) and its earlier revisions."""

    period: datetime.date
    standing: PeriodClose | None = None
    earlier: list[PeriodClose] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.period.strftime("%Y-%m")


def close_list(*, user) -> list[MonthCloses]:
    """Months that were ever closed, newest first, each with its revisions."""
    closes = (
        PeriodClose.objects.restrict(user)
        .select_related("closed_by", "reopened_by")
        .order_by("-period", "-revision")
    )
    months: dict[datetime.date, MonthCloses] = {}
    for close in closes:
        month = months.setdefault(close.period, MonthCloses(close.period))
        if close.is_standing:
            month.standing = close
        else:
            month.earlier.append(close)
    return list(months.values())


def close_get(*, user, pk) -> PeriodClose:
    """One close the user may see; raises ``PeriodClose.DoesNotExist`` otherwise."""
    return PeriodClose.objects.restrict(user).select_related("closed_by", "reopened_by").get(pk=pk)


def _results(user):
    return ServiceLevelResult.objects.restrict(user).select_related(
        "contract__partner", "service_level__metric", "period_close"
    )


@dataclass
class ContractResults:
    contract: object
    results: list[ServiceLevelResult]

    @property
    def credit_total(self) -> Decimal:
        return sum((r.credit for r in self.results), Decimal(0))


def close_results(*, user, close: PeriodClose) -> list[ServiceLevelResult]:
    return list(
        _results(user)
        .filter(period_close=close)
        .order_by("contract__partner__code", "contract__reference", "service_level_id")
    )


def group_by_contract(results: list[ServiceLevelResult]) -> list[ContractResults]:
    groups: dict[int, ContractResults] = {}
    for result in results:
        groups.setdefault(result.contract_id, ContractResults(result.contract, [])).results.append(
            result
        )
    return list(groups.values())


@dataclass
class ResultChange:
    """A service level whose attainment, outcome or credit differs between two revisions."""

    before: ServiceLevelResult | None
    after: ServiceLevelResult | None

    @property
    def current(self) -> ServiceLevelResult:
        return self.after or self.before

    def changed(self, name: str) -> bool:
        return getattr(self.before, name, None) != getattr(self.after, name, None)

    @property
    def changed_attainment(self) -> bool:
        return self.changed("attainment")

    @property
    def changed_outcome(self) -> bool:
        return self.changed("outcome")

    @property
    def changed_credit(self) -> bool:
        return self.changed("credit")


def close_previous(*, user, close: PeriodClose) -> PeriodClose | None:
    """The revision before ``close`` of the same month, if any."""
    if close.revision <= 1:
        return None
    return (
        PeriodClose.objects.restrict(user)
        .filter(period=close.period, revision__lt=close.revision)
        .order_by("-revision")
        .first()
    )


def close_differences(
    *, user, previous: PeriodClose, results: list[ServiceLevelResult]
) -> list[ResultChange]:
    """Per service level: the previous revision's result and this one's, changed rows only."""
    before = {r.service_level_id: r for r in close_results(user=user, close=previous)}
    after = {r.service_level_id: r for r in results}
    changes = []
    for level_id in sorted(set(before) | set(after)):
        change = ResultChange(before.get(level_id), after.get(level_id))
        if any(change.changed(name) for name in ("attainment", "outcome", "credit")):
            changes.append(change)
    return changes


# --- explain views ----------------------------------------------------------------------------


def result_get(*, user, pk) -> ServiceLevelResult:
    """One result the user may see; raises ``ServiceLevelResult.DoesNotExist`` otherwise."""
    return _results(user).get(pk=pk)


def result_siblings(*, user, result: ServiceLevelResult) -> list[ServiceLevelResult]:
    """The contract's other service levels in the same close: together they share the
    at-risk cap, so the explanation of one credit lists them."""
    return list(
        _results(user)
        .filter(period_close_id=result.period_close_id, contract_id=result.contract_id)
        .exclude(pk=result.pk)
        .order_by("service_level_id")
    )


@dataclass
class ObservationRow:
    at: str | None
    value: str | None
    numerator: str | None
    denominator: str | None
    source: str
    measurement_id: int | None


@dataclass
class TierRow:
    threshold: str
    percent_of_fee: str
    applied: bool


def explain_result(result: ServiceLevelResult) -> dict:
    """The result's explanation laid out for the page: observations, tiers with the one that
    applied, caps and whether they bound."""
    data = result.explanation
    observations = []
    for item in data.get("observations", []):
        source, _sep, ident = str(item.get("key", "")).partition(":")
        observations.append(
            ObservationRow(
                at=item.get("at"),
                value=item.get("value"),
                numerator=item.get("numerator"),
                denominator=item.get("denominator"),
                source=source,
                measurement_id=int(ident) if source == "measurement" and ident.isdigit() else None,
            )
        )
    tiers = data.get("tiers", [])
    applied = _applied_tier(result, data) if tiers else None
    return {
        "data": data,
        "observations": observations,
        "tiers": [
            TierRow(t["threshold"], t["percent_of_fee"], index == applied)
            for index, t in enumerate(tiers)
        ],
        "labels": {
            "aggregation": _label(Aggregation, data.get("aggregation")),
            "credit_model": _label(CreditModel, data.get("credit_model")),
            "direction": _label(DirectionChoice, data.get("direction")),
        },
        "pool_cap_binds": result.outcome == Outcome.BREACH and result.raw_credit > result.pool_cap,
        "at_risk_binds": bool(data.get("capped_by_at_risk")),
    }


def _label(choices, value) -> str:
    try:
        return choices(value).label
    except ValueError:
        return str(value or "—")


def _applied_tier(result: ServiceLevelResult, data: dict) -> int | None:
    """Index of the tier the credits engine applied: the largest credit among the tiers the
    attainment is past (only for a tiered breach)."""
    if result.outcome != Outcome.BREACH or data.get("credit_model") != "tiered":
        return None
    direction = Direction(data.get("direction", Direction.HIGHER))
    applying = [
        (Decimal(t["percent_of_fee"]), index)
        for index, t in enumerate(data["tiers"])
        if is_breach(result.attainment, Decimal(t["threshold"]), direction)
    ]
    return max(applying)[1] if applying else None


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
        dict(b, applied=b["name"] == score.standing, action_label=_label(BandAction, b["action"]))
        for b in data.get("bands", [])
    ]
    return {"data": data, "criteria": criteria, "recent": recent, "bands": bands}


# --- credit proposals -------------------------------------------------------------------------


def proposal_list(*, user):
    return CreditProposal.objects.restrict(user).select_related(
        "contract__partner", "service_level__metric", "earns_back"
    )


# --- scorecards -------------------------------------------------------------------------------


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
