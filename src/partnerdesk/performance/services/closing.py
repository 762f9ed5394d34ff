"""Closing a month: attainment, breach, credit, caps and earn-back for every service level,
credit proposals for finance, and the partners' scores. Reopening with a reason.

Set-based: the inputs come from a few aggregate reads (``inputs``, each read once and shared
by the results and the scores), the arithmetic from the pure engines, and the results are
written in one transaction: results and scores with one prepared INSERT each
(``inputs.insert_rows``), proposals with bulk inserts. ``bench/period_close.py`` measures it.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerdesk.core.bulk import collector_paused
from partnerdesk.core.errors import Conflict, InvalidInput
from partnerdesk.core.services import require_perm
from partnerdesk.performance.choices import Outcome, ProposalKind, ProposalStatus
from partnerdesk.performance.engines.aggregation import Aggregation, aggregate_summary
from partnerdesk.performance.engines.credits import (
    EarnBack,
    LevelInput,
    compute_period,
    earn_back_state as engine_earn_back,
)
from partnerdesk.performance.models import (
    CreditProposal,
    PeriodClose,
    ServiceLevelResult,
    ServiceLevelTerms,
)
from partnerdesk.performance.periods import month_end, month_start
from partnerdesk.performance.services import explain, inputs
from partnerdesk.performance.services.scores import policy_in_force, score_partners


def is_closed(period: datetime.date) -> bool:
    return PeriodClose.objects.filter(period=month_start(period), reopened_at__isnull=True).exists()


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def period_close(*, user, period: datetime.date, today: datetime.date | None = None) -> PeriodClose:
    """Close one month (a past one). Refuses a month that is already closed: reopen it first."""
    require_perm(user, "performance.add_periodclose")
    return close_month(actor=user, period=period, today=today)


@collector_paused()
@transaction.atomic
def close_month(*, actor, period: datetime.date, today: datetime.date | None = None) -> PeriodClose:
    """The close itself, for a person (checked by ``period_close``) or the scheduled job
    (``actor`` None)."""
    start, end = month_start(period), month_end(period)
    today = today or timezone.localdate()
    if end >= today:
        message = _("Only a month that has ended can be closed (%(period)s ends on %(end)s).") % {
            "period": start.strftime("%Y-%m"),
            "end": end.isoformat(),
        }
        raise InvalidInput(message, fields={"period": [message]})
    # Lock the period's closes so two people closing at once cannot both succeed.
    existing = list(PeriodClose.objects.select_for_update().filter(period=start))
    if any(c.reopened_at is None for c in existing):
        message = _("%(period)s is already closed. Reopen it with a reason to recompute it.") % {
            "period": start.strftime("%Y-%m")
        }
        raise Conflict(message, fields={"period": [message]})
    try:
        # The lock above finds nothing to lock for a first close; two people closing the same
        # new month at once meet at the unique constraints instead, and one of them is told.
        with transaction.atomic():
            close = PeriodClose.objects.create(
                period=start,
                revision=max((c.revision for c in existing), default=0) + 1,
                closed_by=actor if getattr(actor, "pk", None) else None,
            )
    except IntegrityError as exc:
        message = _("%(period)s was closed by someone else a moment ago.") % {
            "period": start.strftime("%Y-%m")
        }
        raise Conflict(message, fields={"period": [message]}) from exc
    # Inputs read once for the results and the scores.
    all_metrics = inputs.metrics()
    levels = inputs.levels_in_scope(start, end)
    policy = policy_in_force(end)
    criteria_metrics = {c.metric_id for c in policy.criteria.all()} if policy else set()
    observed = inputs.observations(
        start, end, {row.metric_id for row in levels} | criteria_metrics, all_metrics
    )
    results = _compute_results(start, end, levels, observed, all_metrics)
    _write_results(close, results)
    proposals = [
        CreditProposal(
            contract_id=r.contract_id,
            service_level_id=r.service_level_id,
            result_id=r.pk,
            period=start,
            kind=ProposalKind.CREDIT,
            amount=r.credit,
            currency=r.currency,
            earn_back_state=EarnBack.PENDING if r.explanation.get("earn_back_periods") else "",
        )
        for r in results
        if r.credit > 0
    ]
    # The previous revision's open proposals are replaced by this revision's.
    CreditProposal.objects.filter(period=start, status=ProposalStatus.PROPOSED).update(
        status=ProposalStatus.SUPERSEDED
    )
    CreditProposal.objects.bulk_create(proposals, batch_size=1000)
    earned_back = _settle_earn_backs(start, {r.service_level_id: r for r in results})
    scored = score_partners(close, start, end, policy=policy, observed=observed)
    close.summary = {
        "service_levels": len(results),
        "breaches": sum(1 for r in results if r.outcome == Outcome.BREACH),
        "credits": len(proposals),
        "credit_totals": _totals(proposals),
        "earned_back": earned_back,
        "partners_scored": scored,
    }
    close.save(update_fields=["summary"])
    return close


@dataclass(slots=True)
class _Result:
    """A ``ServiceLevelResult`` row before it is written (``pk`` set once it is)."""

    service_level_id: int
    contract_id: int
    terms_version: int
    attainment: Decimal | None
    observations: int
    outcome: str
    raw_credit: Decimal
    pool_cap: Decimal
    credit: Decimal
    currency: str
    explanation: dict
    pk: int | None = None


_RESULT_COLUMNS = [
    "period_close_id",
    "service_level_id",
    "contract_id",
    "terms_version",
    "attainment",
    "observations",
    "outcome",
    "raw_credit",
    "pool_cap",
    "credit",
    "currency",
    "explanation",
]


def _write_results(close: PeriodClose, results: list[_Result]) -> None:
    """One prepared INSERT for all results (thousands per month), then their ids."""
    inputs.insert_rows(
        ServiceLevelResult,
        _RESULT_COLUMNS,
        [
            (
                close.pk,
                r.service_level_id,
                r.contract_id,
                r.terms_version,
                r.attainment,
                r.observations,
                r.outcome,
                r.raw_credit,
                r.pool_cap,
                r.credit,
                r.currency,
                r.explanation,
            )
            for r in results
        ],
    )
    # Only the results that proposals point at need their ids: those with a credit, and those
    # whose level has an earlier credit waiting for earn-back (read in a few small queries).
    wanted = {r.service_level_id for r in results if r.credit > 0}
    wanted |= set(
        CreditProposal.objects.filter(
            kind=ProposalKind.CREDIT, earn_back_state=EarnBack.PENDING, period__lt=close.period
        ).values_list("service_level_id", flat=True)
    )
    ids = {}
    wanted_list = sorted(wanted)
    for offset in range(0, len(wanted_list), 500):
        ids.update(
            ServiceLevelResult.objects.filter(
                period_close=close, service_level_id__in=wanted_list[offset : offset + 500]
            ).values_list("service_level_id", "id")
        )
    for r in results:
        r.pk = ids.get(r.service_level_id)


def _totals(proposals) -> dict[str, str]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for proposal in proposals:
        totals[proposal.currency] += proposal.amount
    return {currency: _money(total) for currency, total in sorted(totals.items())}


def _compute_results(start, end, levels, observed, all_metrics) -> list[_Result]:
    level_ids = {row.service_level_id for row in levels}
    terms = inputs.terms_in_force(level_ids, end, start=start)
    contracts = inputs.contract_terms({row.contract_id for row in levels}, end, start=start)
    excused = inputs.excused_levels(level_ids, start)

    by_contract: dict[int, list[inputs.LevelRow]] = defaultdict(list)
    for row in levels:
        if row.service_level_id in terms and row.contract_id in contracts:
            by_contract[row.contract_id].append(row)

    # Parts of the explanations shared by many levels, built once: per metric and per
    # distinct terms (levels with the same rule share one ``CreditTerms``).
    metric_parts: dict[int, tuple[dict, Aggregation]] = {}
    terms_parts: dict[int, dict] = {}
    results = []
    for contract_id, rows in by_contract.items():
        contract = contracts[contract_id]
        level_inputs, context = [], {}
        for row in rows:
            if row.metric_id not in metric_parts:
                metric = all_metrics[row.metric_id]
                metric_parts[row.metric_id] = (
                    {
                        "metric": metric.name,
                        "unit": metric.unit,
                        "aggregation": metric.aggregation,
                        "scale": str(metric.scale),
                    },
                    Aggregation(metric.aggregation),
                )
            parts, aggregation = metric_parts[row.metric_id]
            items = observed.get((contract_id, row.metric_id), explain.NOTHING)
            attainment = aggregate_summary(
                items, aggregation, scale=all_metrics[row.metric_id].scale
            )
            in_force = terms[row.service_level_id]
            level_inputs.append(
                LevelInput(
                    key=str(row.service_level_id),
                    critical=in_force.critical,
                    terms=in_force.terms,
                    attainment=attainment,
                    excused=row.service_level_id in excused,
                )
            )
            context[str(row.service_level_id)] = (row, in_force, items, parts)
        outcome = compute_period(
            monthly_fee=contract.monthly_fee,
            at_risk_percent=contract.at_risk_percent,
            levels=level_inputs,
        )
        contract_parts = {
            "contract_version": contract.version,
            "monthly_fee": _money(contract.monthly_fee),
            "at_risk_percent": str(contract.at_risk_percent),
            "at_risk_amount": _money(outcome.at_risk_amount),
            "contract_total_before_cap": _money(outcome.total_before_cap),
            "contract_total": _money(outcome.total_credit),
            "capped_by_at_risk": outcome.capped,
        }
        # The engine's lines are: the at-risk amount, one line per level, then the totals and
        # any scaling. Each level's own line is already in its steps, so a row keeps only the
        # contract-wide lines (the siblings' lines are on the siblings' rows).
        lines = outcome.explanation
        contract_steps = [lines[0], *lines[1 + len(outcome.levels) :]]
        for level in outcome.levels:
            row, in_force, items, parts = context[level.key]
            key = id(in_force.terms)
            if key not in terms_parts:
                terms_parts[key] = explain.terms_parts(in_force)
            results.append(
                _Result(
                    service_level_id=row.service_level_id,
                    contract_id=contract_id,
                    terms_version=in_force.version,
                    attainment=level.attainment,
                    observations=items.count,
                    outcome=level.outcome,
                    raw_credit=level.raw_credit,
                    pool_cap=level.pool_cap,
                    credit=level.credit,
                    currency=row.currency,
                    explanation={
                        **parts,
                        "sums": explain.sums(items),
                        "observations": [explain.observation(o) for o in items.items],
                        **terms_parts[key],
                        "critical": in_force.critical,
                        **contract_parts,
                        "attainment_step": explain.attainment_step(items, parts, level.attainment),
                        "steps": [*level.explanation, *contract_steps],
                    },
                )
            )
    return results


def _settle_earn_backs(start: datetime.date, current: dict[int, _Result]) -> int:
    """Decide the pending earn-backs of earlier credits with the outcomes known now; an earned
    back credit gets an earn-back proposal returning it. Returns how many were earned back."""
    pending = list(
        CreditProposal.objects.filter(
            kind=ProposalKind.CREDIT, period__lt=start, earn_back_state=EarnBack.PENDING
        )
        .exclude(status=ProposalStatus.SUPERSEDED)
        # The earn-back terms of the credited period's version (not the whole explanation).
        .annotate(
            periods_required=Subquery(
                ServiceLevelTerms.objects.filter(
                    service_level_id=OuterRef("service_level_id"),
                    version=OuterRef("result__terms_version"),
                ).values("earn_back_periods")[:1]
            )
        )
    )
    if not pending:
        return 0
    level_ids = {p.service_level_id for p in pending}
    # Outcomes of the standing closes after each credited period, plus this close's.
    history: dict[int, list[tuple[datetime.date, str]]] = defaultdict(list)
    # Only the months after the oldest pending credit count.
    since = min(p.period for p in pending)
    for sl, period, outcome in ServiceLevelResult.objects.filter(
        service_level_id__in=level_ids,
        period_close__reopened_at__isnull=True,
        period_close__period__gt=since,
        period_close__period__lt=start,
    ).values_list("service_level_id", "period_close__period", "outcome"):
        history[sl].append((period, outcome))
    for sl, result in current.items():
        if sl in level_ids:
            history[sl].append((start, result.outcome))
    earned, settled = [], []
    for proposal in pending:
        later = sorted((p, o) for p, o in history[proposal.service_level_id] if p > proposal.period)
        state = engine_earn_back(
            periods_required=proposal.periods_required or 0,
            # A month in which the level was only a KPI neither earns back nor loses.
            later_outcomes=["excused" if o == Outcome.KPI else o for _, o in later],
        )
        if state == EarnBack.PENDING:
            continue
        proposal.earn_back_state = state
        proposal.earn_back_settled_period = start
        settled.append(proposal)
        if state == EarnBack.EARNED_BACK:
            earned.append(
                CreditProposal(
                    contract_id=proposal.contract_id,
                    service_level_id=proposal.service_level_id,
                    result_id=current[proposal.service_level_id].pk
                    if proposal.service_level_id in current
                    else proposal.result_id,
                    period=start,
                    kind=ProposalKind.EARN_BACK,
                    amount=proposal.amount,
                    currency=proposal.currency,
                    earns_back=proposal,
                )
            )
    for state in (EarnBack.EARNED_BACK, EarnBack.FINAL):
        ids = [p.pk for p in settled if p.earn_back_state == state]
        if ids:
            CreditProposal.objects.filter(pk__in=ids).update(
                earn_back_state=state, earn_back_settled_period=start
            )
    CreditProposal.objects.bulk_create(earned, batch_size=500)
    return len(earned)


@transaction.atomic
def period_reopen(
    *, user, period: datetime.date, reason: str, check_permission: bool = True
) -> PeriodClose:
    """Reopen a closed month so it can be recomputed. Needs a reason; refused once a credit
    of the month was applied to an invoice (corrections then go through finance). The command
    line (an operator on the server) skips the permission check."""
    if check_permission:
        require_perm(user, "performance.reopen_periodclose")
    start = month_start(period)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            _("Give a reason for reopening."), fields={"reason": [_("This field is required.")]}
        )
    close = (
        PeriodClose.objects.select_for_update()
        .filter(period=start, reopened_at__isnull=True)
        .first()
    )
    if close is None:
        message = _("%(period)s is not closed.") % {"period": start.strftime("%Y-%m")}
        raise Conflict(message, fields={"period": [message]})
    if CreditProposal.objects.filter(period=start, status=ProposalStatus.APPLIED).exists():
        raise Conflict(
            _(
                "Credits of %(period)s were already applied to invoices; record a "
                "correction in finance instead."
            )
            % {"period": start.strftime("%Y-%m")}
        )
    # Earn-backs decided by this close are decided again when the month is closed anew.
    CreditProposal.objects.filter(earn_back_settled_period=start).update(
        earn_back_state=EarnBack.PENDING, earn_back_settled_period=None
    )
    close.reopened_at = timezone.now()
    close.reopened_by = user if getattr(user, "pk", None) else None
    close.reopen_reason = reason
    close.save(update_fields=["reopened_at", "reopened_by", "reopen_reason"])
    return close
