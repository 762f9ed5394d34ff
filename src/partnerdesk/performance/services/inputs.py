"""Set-based reads that feed a period close: the service levels in scope, the terms in force,
the observations of the period. A handful of queries whatever the volume."""

import datetime
import json
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

import orjson
from django.db.models import TextField
from django.db.models.functions import Cast

from partnerdesk.contracts.choices import ContractStatus
from partnerdesk.contracts.models import ContractVersion
from partnerdesk.performance.choices import ExclusionStatus
from partnerdesk.performance.engines.aggregation import (
    Aggregation,
    Observation,
    Summary,
    merge,
    summarise,
)
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
    # Tier tables arrive as their JSON text and are parsed once per distinct table; levels
    # with the same terms share one ``CreditTerms`` (thousands of levels, a few distinct rules).
    parsed_tiers: dict[str, tuple[Tier, ...]] = {}
    shared: dict[tuple, CreditTerms] = {}
    rows = (
        scope.filter(effective_from__lte=end)
        .order_by("service_level_id", "-effective_from", "-version")
        .annotate(tiers_text=Cast("tiers", TextField()))
        .values_list(
            "service_level_id",
            "version",
            "target",
            "critical",
            "credit_model",
            "tiers_text",
            "percent_per_point",
            "fixed_amount",
            "fixed_percent",
            "pool_allocation_percent",
            "earn_back_periods",
            "service_level__metric__direction",
        )
    )
    for row in converted_once(rows, vary=1):
        sl, version, critical = row[0], row[1], row[3]
        if sl in chosen or sl not in level_ids:
            continue
        key = row[1:3] + row[4:]
        terms = shared.get(key)
        if terms is None:
            tiers_text = row[5] or "[]"
            if tiers_text not in parsed_tiers:
                parsed_tiers[tiers_text] = tuple(
                    Tier(Decimal(str(t["threshold"])), Decimal(str(t["percent_of_fee"])))
                    for t in json.loads(tiers_text)
                )
            terms = shared[key] = CreditTerms(
                model=CreditModel(row[4]),
                direction=Direction(row[11]),
                target=row[2],
                tiers=parsed_tiers[tiers_text],
                percent_per_point=row[6],
                fixed_amount=row[7],
                fixed_percent=row[8],
                pool_allocation_percent=row[9],
                earn_back_periods=row[10],
                version=version,
            )
        chosen[sl] = TermsInForce(version, critical, terms)
    return chosen


def converted_once(queryset, *, vary: int):
    """The rows of a ``values_list`` whose first ``vary`` columns (ids) differ from row to row
    while the rest repeat (thousands of service levels, a few distinct terms): the database
    converters (decimals, dates, booleans) run once per distinct rest instead of per row."""
    from django.db import connection

    compiler = queryset.query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    converters = compiler.get_converters(
        [expression for expression, _sql, _alias in compiler.select]
    )
    if any(index < vary for index in converters):  # the ids need converting: the plain way
        yield from queryset
        return
    cache: dict[tuple, tuple] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for raw in cursor.fetchall():
            rest = raw[vary:]
            done = cache.get(rest)
            if done is None:
                row = next(iter(compiler.apply_converters([list(raw)], converters)))
                done = cache[rest] = tuple(row[vary:])
            yield raw[:vary] + done


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


_SCALE = 10_000  # measurement values have four decimals: sums of scaled integers are exact


def _scaled(column: str) -> str:
    return f"CAST(ROUND({column} * {_SCALE}) AS BIGINT)"


_PAIRED = "numerator IS NOT NULL AND denominator IS NOT NULL"
_SUMMARY_SQL = (
    "SELECT contract_id, metric_id, COUNT(*), COUNT(value), "  # noqa: S608
    f"SUM({_scaled('value')}), COUNT(CASE WHEN {_PAIRED} THEN 1 END), "
    f"SUM(CASE WHEN {_PAIRED} THEN {_scaled('numerator')} END), "
    f"SUM(CASE WHEN {_PAIRED} THEN {_scaled('denominator')} END) "
    "FROM performance_measurement WHERE period = %s AND is_current = %s AND metric_id IN ({ids}) "
    "GROUP BY contract_id, metric_id"
)


def _exact(total) -> Decimal:
    return Decimal(int(total or 0)).scaleb(-4)


def observations(
    start: datetime.date, end: datetime.date, metric_ids: set[int], all_metrics: dict[int, Metric]
) -> dict[tuple[int, int], Summary]:
    """(contract, metric) → the summary of the period's observations: current measurements
    (one GROUP BY with exact scaled sums; row by row only for last-value metrics, which need
    the latest row) plus derived sources, each computed once for all contracts and kept in the
    summary for the explanation."""
    from django.db import connection

    grouped: dict[tuple[int, int], Summary] = {}
    last_value = {m for m in metric_ids if all_metrics[m].aggregation == Aggregation.LAST}
    summed = sorted(metric_ids - last_value)
    if summed:
        with connection.cursor() as cursor:
            cursor.execute(
                _SUMMARY_SQL.format(ids=", ".join(["%s"] * len(summed))), (start, True, *summed)
            )
            for contract_id, metric_id, count, values, total, pairs, num, den in cursor:
                grouped[(contract_id, metric_id)] = Summary(
                    count=count,
                    values=values,
                    total=_exact(total),
                    pairs=pairs,
                    numerator=_exact(num),
                    denominator=_exact(den),
                )
    if last_value:
        rows: dict[tuple[int, int], list[Observation]] = defaultdict(list)
        for pk, contract_id, metric_id, measured_on, value, numerator, denominator in (
            Measurement.objects.filter(period=start, is_current=True, metric_id__in=last_value)
            .order_by("pk")
            .values_list(
                "id", "contract_id", "metric_id", "measured_on", "value", "numerator", "denominator"
            )
        ):
            rows[(contract_id, metric_id)].append(
                Observation(value, numerator, denominator, measured_on, f"measurement:{pk}")
            )
        for key, items in rows.items():
            grouped[key] = summarise(items)
    for metric_id in metric_ids:
        metric = all_metrics[metric_id]
        if metric.derived_source and metric.derived_source in SOURCES:
            for contract_id, items in SOURCES[metric.derived_source].compute(start, end).items():
                derived = summarise(items, keep=True)
                key = (contract_id, metric_id)
                grouped[key] = merge(grouped[key], derived) if key in grouped else derived
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
    prepare = []
    for index, field in enumerate(fields):
        kind = field.get_internal_type()
        if kind == "JSONField":
            prepare.append((index, _json_adapter(connection)))
        elif kind in ("DateField", "DateTimeField"):
            prepare.append((index, partial(field.get_db_prep_save, connection=connection)))
    if prepare:
        prepared = []
        for row in rows:
            row = list(row)
            for index, adapt in prepare:
                row[index] = adapt(row[index])
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


def _json_text(value) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)


def _json_adapter(connection):
    """JSON values as the database driver takes them, encoded by orjson (several times faster
    than the standard library on the thousands of explanations a close writes)."""
    if connection.vendor == "postgresql":
        from psycopg.types.json import Jsonb

        return lambda value: Jsonb(value, dumps=_json_text)
    return lambda value: _json_text(value).decode()
