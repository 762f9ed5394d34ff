"""Service levels, their versioned terms, exclusions and the metric library."""

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerdesk.audit.crud import audited_create, audited_update
from partnerdesk.audit.models import AuditAction
from partnerdesk.audit.services import record_change
from partnerdesk.core.errors import Conflict, Forbidden, InvalidInput
from partnerdesk.core.services import require_perm, validate_and_save
from partnerdesk.performance.choices import CreditModel, ExclusionStatus
from partnerdesk.performance.engines.credits import (
    Direction,
    Tier,
    validate_pool_allocations,
    validate_tiers as engine_validate_tiers,
)
from partnerdesk.performance.models import (
    Exclusion,
    Metric,
    PeriodClose,
    ServiceLevel,
    ServiceLevelTerms,
)
from partnerdesk.performance.periods import month_start, next_month

METRIC_FIELDS = {
    "code",
    "name",
    "description",
    "unit",
    "direction",
    "aggregation",
    "scale",
    "source",
    "derived_source",
    "decimals",
}
TERMS_FIELDS = {
    "target",
    "critical",
    "credit_model",
    "tiers",
    "percent_per_point",
    "fixed_amount",
    "fixed_percent",
    "pool_allocation_percent",
    "earn_back_periods",
    "note",
}


def metric_create(*, user, data: dict) -> Metric:
    return audited_create(user=user, model=Metric, data=data, allowed=METRIC_FIELDS)


def metric_update(*, user, metric: Metric, data: dict) -> Metric:
    return audited_update(user=user, instance=metric, data=data, allowed=METRIC_FIELDS)


def parse_tiers(rows) -> list[dict]:
    """Tier rows ({threshold, percent_of_fee}) as strings of decimals, with row-named errors."""
    parsed = []
    for index, row in enumerate(rows or [], start=1):
        try:
            threshold = Decimal(str(row["threshold"]))
            percent = Decimal(str(row["percent_of_fee"]))
        except (KeyError, TypeError, InvalidOperation) as exc:
            message = _("Row %(row)d: give a threshold and a percentage of the fee as numbers.") % {
                "row": index
            }
            raise InvalidInput(message, fields={"tiers": [message]}) from exc
        if not (threshold.is_finite() and percent.is_finite()):
            message = _("Row %(row)d: numbers must be finite.") % {"row": index}
            raise InvalidInput(message, fields={"tiers": [message]})
        parsed.append({"threshold": str(threshold), "percent_of_fee": str(percent)})
    return parsed


def _check_terms(terms: ServiceLevelTerms, metric: Metric) -> None:
    errors: dict[str, list[str]] = {}
    model = terms.credit_model
    if terms.critical:
        if model == CreditModel.TIERED:
            tiers = [
                Tier(Decimal(t["threshold"]), Decimal(t["percent_of_fee"])) for t in terms.tiers
            ]
            problems = engine_validate_tiers(tiers, Direction(metric.direction))
            if problems:
                errors["tiers"] = problems
        elif model == CreditModel.PER_POINT and terms.percent_per_point is None:
            errors["percent_per_point"] = [_("Give the percentage of the fee per point.")]
        elif model == CreditModel.FIXED_AMOUNT and terms.fixed_amount is None:
            errors["fixed_amount"] = [_("Give the amount per breach.")]
        elif model == CreditModel.FIXED_PERCENT and terms.fixed_percent is None:
            errors["fixed_percent"] = [_("Give the percentage of the fee per breach.")]
    if errors:
        raise InvalidInput("; ".join(m for msgs in errors.values() for m in msgs), fields=errors)


def _check_pool(terms: ServiceLevelTerms, contract_id: int) -> None:
    """The pool allocations of a contract's critical service levels add up to at most 100 %
    on every day this version is in force: on its first day and on each later day another
    level's terms change, until this level's own next version."""
    rows = list(
        ServiceLevelTerms.objects.filter(service_level__contract_id=contract_id)
        .order_by("service_level_id", "-effective_from", "-version")
        .values_list("service_level_id", "effective_from", "critical", "pool_allocation_percent")
    )
    own = terms.service_level_id
    until = min(
        (d for sl, d, _c, _p in rows if sl == own and d > terms.effective_from), default=None
    )
    others = [row for row in rows if row[0] != own]
    days = sorted(
        {terms.effective_from}
        | {
            d
            for _sl, d, _c, _p in others
            if d > terms.effective_from and (until is None or d < until)
        }
    )
    for day in days:
        seen, allocations = set(), []
        for sl, effective, critical, pool in others:
            if effective <= day and sl not in seen:
                seen.add(sl)
                if critical:
                    allocations.append(pool)
        if terms.critical:
            allocations.append(terms.pool_allocation_percent)
        problems = validate_pool_allocations(allocations)
        if problems:
            if day != terms.effective_from:
                problems = [
                    _("From %(date)s: %(problem)s") % {"date": day.isoformat(), "problem": p}
                    for p in problems
                ]
            raise InvalidInput("; ".join(problems), fields={"pool_allocation_percent": problems})


def _latest_closed_period() -> datetime.date | None:
    return PeriodClose.objects.filter(reopened_at__isnull=True).aggregate(p=Max("period"))["p"]


@transaction.atomic
def service_level_create(*, user, contract, metric: Metric, name: str, terms: dict) -> ServiceLevel:
    """Add a service level with its first terms, effective from the contract's start (or from
    the month after the last closed one, which keep their results)."""
    require_perm(user, "performance.add_servicelevel")
    if ServiceLevel.objects.filter(contract=contract, metric=metric).exists():
        message = _("%(contract)s already has a service level on %(metric)s.") % {
            "contract": contract.reference,
            "metric": metric.name,
        }
        raise Conflict(message, fields={"metric": [message]})
    level = validate_and_save(ServiceLevel(contract=contract, metric=metric, name=name or ""))
    record_change(actor=user, instance=level, action=AuditAction.CREATE)
    effective_from = contract.start_date
    closed = _latest_closed_period()
    if closed and month_start(effective_from) <= closed:
        effective_from = next_month(closed)
    terms_add_version(user=user, service_level=level, effective_from=effective_from, data=terms)
    return level


@transaction.atomic
def terms_add_version(
    *, user, service_level: ServiceLevel, effective_from: datetime.date, data: dict
) -> ServiceLevelTerms:
    """New terms from a date on. Closed months keep the terms they were closed with, so the
    date must lie after the last closed month."""
    require_perm(user, "performance.add_servicelevelterms")
    unknown = set(data) - TERMS_FIELDS
    if unknown:
        raise InvalidInput(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    closed = _latest_closed_period()
    if closed and month_start(effective_from) <= closed:
        message = _("%(period)s is closed: new terms can start from the month after it.") % {
            "period": closed.strftime("%Y-%m")
        }
        raise Conflict(message, fields={"effective_from": [message]})
    data = dict(data)
    data["tiers"] = parse_tiers(data.get("tiers"))
    version = (service_level.terms.aggregate(v=Max("version"))["v"] or 0) + 1
    terms = ServiceLevelTerms(
        service_level=service_level,
        version=version,
        effective_from=effective_from,
        created_by=user,
        **data,
    )
    _check_terms(terms, service_level.metric)
    _check_pool(terms, service_level.contract_id)
    validate_and_save(terms)
    record_change(actor=user, instance=terms, action=AuditAction.CREATE)
    return terms


@transaction.atomic
def exclusion_request(
    *, user, service_level: ServiceLevel, period: datetime.date, reason: str
) -> Exclusion:
    require_perm(user, "performance.add_exclusion")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            _("Give the reason (what happened, which clause excuses it)."),
            fields={"reason": [_("This field is required.")]},
        )
    exclusion = validate_and_save(
        Exclusion(
            service_level=service_level,
            period=month_start(period),
            reason=reason,
            requested_by=user,
        )
    )
    record_change(actor=user, instance=exclusion, action=AuditAction.CREATE)
    return exclusion


@transaction.atomic
def exclusion_decide(*, user, exclusion: Exclusion, approve: bool) -> Exclusion:
    """Approve or reject an exclusion: by someone with the right, not the requester, and only
    while its month is open."""
    require_perm(user, "performance.approve_exclusion")
    exclusion = Exclusion.objects.select_for_update().get(pk=exclusion.pk)
    if exclusion.requested_by_id == user.pk:
        raise Forbidden(_("The requester cannot approve their own exclusion."))
    if exclusion.status != ExclusionStatus.REQUESTED:
        raise Conflict(_("This exclusion was already decided."))
    if PeriodClose.objects.filter(period=exclusion.period, reopened_at__isnull=True).exists():
        raise Conflict(
            _("%(period)s is closed; reopen it first.")
            % {"period": exclusion.period.strftime("%Y-%m")}
        )
    before = {"status": exclusion.status}
    exclusion.status = ExclusionStatus.APPROVED if approve else ExclusionStatus.REJECTED
    exclusion.decided_by = user
    exclusion.decided_at = timezone.now()
    exclusion.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    record_change(
        actor=user,
        instance=exclusion,
        action=AuditAction.UPDATE,
        before=before,
        after={"status": exclusion.status},
    )
    return exclusion
