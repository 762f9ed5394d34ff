"""Reads of the period-close, explain, credit-proposal, scorecard and policy pages.

Every read goes through ``restrict(user, action)``; each page needs a fixed number of queries
whatever the number of periods, partners or results.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from partnerdesk.performance.choices import (
    Aggregation,
    CreditModel,
    Direction as DirectionChoice,
    Outcome,
)
from partnerdesk.performance.engines.credits import Direction, is_breach
from partnerdesk.performance.models import (
    CreditProposal,
    Measurement,
    PeriodClose,
    ServiceLevelResult,
)

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
    observations = measurements_at_close(result)
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
            "aggregation": choice_label(Aggregation, data.get("aggregation")),
            "credit_model": choice_label(CreditModel, data.get("credit_model")),
            "direction": choice_label(DirectionChoice, data.get("direction")),
        },
        "pool_cap_binds": result.outcome == Outcome.BREACH and result.raw_credit > result.pool_cap,
        "at_risk_binds": bool(data.get("capped_by_at_risk")),
    }


def measurements_at_close(result: ServiceLevelResult) -> list[ObservationRow]:
    """The measurements the close counted: those of the level's contract, metric and month
    that were current when it closed (a later correction does not change what it saw)."""
    close = result.period_close
    rows = (
        Measurement.objects.filter(
            contract_id=result.contract_id,
            metric_id=result.service_level.metric_id,
            period=close.period,
            created_at__lte=close.closed_at,
        )
        .filter(Q(replaced_by__isnull=True) | Q(replaced_by__created_at__gt=close.closed_at))
        .order_by("measured_on", "pk")
    )
    return [
        ObservationRow(
            at=m.measured_on.isoformat(),
            value=_plain(m.value),
            numerator=_plain(m.numerator),
            denominator=_plain(m.denominator),
            source="measurement",
            measurement_id=m.pk,
        )
        for m in rows
    ]


def _plain(value) -> str | None:
    return None if value is None else str(value)


def choice_label(choices, value) -> str:
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


def proposal_list(*, user):
    return CreditProposal.objects.restrict(user).select_related(
        "contract__partner", "service_level__metric", "earns_back"
    )


# --- scorecards -------------------------------------------------------------------------------
