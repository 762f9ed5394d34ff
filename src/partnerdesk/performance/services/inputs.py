"""Set-based reads that feed a period close: the service levels in scope, the terms in force,
the observations of the period. A handful of queries whatever the volume."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from partnerdesk.contracts.choices import ContractStatus
from partnerdesk.contracts.models import ContractVersion
from partnerdesk.performance.choices import ExclusionStatus
from partnerdesk.performance.engines.aggregation import Observation
from partnerdesk.performance.engines.credits import CreditModel, CreditTerms, Direction, Tier
from partnerdesk.performance.models import (
    Exclusion,
    Measurement,
    Metric,
    ServiceLevel,
    ServiceLevelTerms,
)
from partnerdesk.performance.sources import SOURCES


@dataclass(frozen=True)
class LevelRow:
    service_level_id: int
    contract_id: int
    partner_id: int
    metric_id: int
    currency: str
    name: str


@dataclass(frozen=True)
class ContractTerms:
    version: int
    monthly_fee: Decimal
    at_risk_percent: Decimal


def levels_in_scope(start: datetime.date, end: datetime.date) -> list[LevelRow]:
    """Service levels of contracts that ran during the period (not drafts)."""
    rows = (
        ServiceLevel.objects.filter(contract__start_date__lte=end, contract__end_date__gte=start)
        .exclude(contract__status=ContractStatus.DRAFT)
        .values_list(
            "id",
            "contract_id",
            "contract__partner_id",
            "metric_id",
            "contract__currency",
            "name",
            "metric__name",
        )
        .order_by("contract_id", "id")
    )
    return [
        LevelRow(sl, c, p, m, cur, name or metric_name)
        for sl, c, p, m, cur, name, metric_name in rows
    ]


@dataclass(frozen=True)
class TermsInForce:
    version: int
    critical: bool
    terms: CreditTerms


def terms_in_force(
    level_ids: set[int], end: datetime.date, *, start: datetime.date | None = None
) -> dict[int, TermsInForce]:
    """Per service level: the terms version in force on the last day of the period (the
    latest ``effective_from`` on or before it). Levels with no terms yet are left out.

    With ``start``, the rows are narrowed by the period's scope (contracts running, not drafts:
    a join) instead of a list of ids, which keeps the query small for thousands of levels."""
    chosen: dict[int, TermsInForce] = {}
    if start is None:
        scope = ServiceLevelTerms.objects.filter(service_level_id__in=level_ids)
    else:
        scope = ServiceLevelTerms.objects.filter(
            service_level__contract__start_date__lte=end,
            service_level__contract__end_date__gte=start,
        ).exclude(service_level__contract__status=ContractStatus.DRAFT)
    parsed_tiers: dict[tuple, tuple[Tier, ...]] = {}
    rows = (
        scope.filter(effective_from__lte=end)
        .order_by("service_level_id", "-effective_from", "-version")
        .values_list(
            "service_level_id",
            "version",
            "target",
            "critical",
            "credit_model",
            "tiers",
            "percent_per_point",
            "fixed_amount",
            "fixed_percent",
            "pool_allocation_percent",
            "earn_back_periods",
            "service_level__metric__direction",
        )
    )
    for (
        sl,
        version,
        target,
        critical,
        model,
        tiers,
        per_point,
        fixed_amount,
        fixed_percent,
        pool,
        earn_back,
        direction,
    ) in rows:
        if sl in chosen or sl not in level_ids:
            continue
        table = tuple((str(t["threshold"]), str(t["percent_of_fee"])) for t in tiers)
        if table not in parsed_tiers:
            parsed_tiers[table] = tuple(Tier(Decimal(t), Decimal(p)) for t, p in table)
        chosen[sl] = TermsInForce(
            version,
            critical,
            CreditTerms(
                model=CreditModel(model),
                direction=Direction(direction),
                target=target,
                tiers=parsed_tiers[table],
                percent_per_point=per_point,
                fixed_amount=fixed_amount,
                fixed_percent=fixed_percent,
                pool_allocation_percent=pool,
                earn_back_periods=earn_back,
                version=version,
            ),
        )
    return chosen


def contract_terms(
    contract_ids: set[int], end: datetime.date, *, start: datetime.date | None = None
) -> dict[int, ContractTerms]:
    """Per contract: fee and at-risk share of the version in force on the period's last day.
    With ``start``, narrowed by the period's scope (a join) instead of a list of ids."""
    chosen: dict[int, ContractTerms] = {}
    if start is None:
        scope = ContractVersion.objects.filter(contract_id__in=contract_ids)
    else:
        scope = ContractVersion.objects.filter(
            contract__start_date__lte=end, contract__end_date__gte=start
        ).exclude(contract__status=ContractStatus.DRAFT)
    rows = (
        scope.filter(effective_from__lte=end)
        .order_by("contract_id", "-effective_from", "-version")
        .values_list("contract_id", "version", "monthly_fee", "at_risk_percent")
    )
    for contract_id, version, fee, at_risk in rows:
        if contract_id in contract_ids:
            chosen.setdefault(contract_id, ContractTerms(version, fee, at_risk))
    return chosen


def metrics() -> dict[int, Metric]:
    return {m.pk: m for m in Metric.objects.all()}


def observations(
    start: datetime.date, end: datetime.date, metric_ids: set[int], all_metrics: dict[int, Metric]
) -> dict[tuple[int, int], list[Observation]]:
    """(contract, metric) → the period's observations: current measurements plus derived
    sources, each source computed once for all contracts."""
    grouped: dict[tuple[int, int], list[Observation]] = defaultdict(list)
    rows = Measurement.objects.filter(
        period=start, is_current=True, metric_id__in=metric_ids
    ).values_list(
        "id", "contract_id", "metric_id", "measured_on", "value", "numerator", "denominator"
    )
    for pk, contract_id, metric_id, measured_on, value, numerator, denominator in rows:
        grouped[(contract_id, metric_id)].append(
            Observation(
                value=value,
                numerator=numerator,
                denominator=denominator,
                at=measured_on,
                key=f"measurement:{pk}",
            )
        )
    for metric_id in metric_ids:
        metric = all_metrics[metric_id]
        if metric.derived_source and metric.derived_source in SOURCES:
            for contract_id, items in SOURCES[metric.derived_source].compute(start, end).items():
                grouped[(contract_id, metric_id)].extend(items)
    return grouped


def excused_levels(level_ids: set[int], start: datetime.date) -> set[int]:
    """The levels with an approved exclusion for the period (few rows: read them all)."""
    approved = Exclusion.objects.filter(period=start, status=ExclusionStatus.APPROVED).values_list(
        "service_level_id", flat=True
    )
    return {sl for sl in approved if sl in level_ids}


def insert_rows(model, columns: list[str], rows: list[tuple]) -> None:
    """Write many rows with one prepared INSERT run by ``executemany``: the same values
    ``bulk_create`` would send, without compiling SQL for each object. ``columns`` are
    attribute names (``contract_id``); JSON and date values are prepared by their fields."""
    from django.db import connection

    if not rows:
        return
    fields = [model._meta.get_field(name) for name in columns]
    prepare = [
        index
        for index, field in enumerate(fields)
        if field.get_internal_type() in ("JSONField", "DateField", "DateTimeField")
    ]
    if prepare:
        prepared = []
        for row in rows:
            row = list(row)
            for index in prepare:
                row[index] = fields[index].get_db_prep_save(row[index], connection)
            prepared.append(row)
        rows = prepared
    quote = connection.ops.quote_name
    # Table and column names come from the model, never from input.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    with connection.cursor() as cursor:
        for offset in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[offset : offset + 5000])
