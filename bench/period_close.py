"""Benchmark: the monthly period close (service levels, credits, earn-back, partner scores).

Size at --scale 1: 1,000 partners with one active contract each, 10 service levels per
contract (10,000), three years (36 months) of monthly measurements (360,000 rows: one per
measured service level and month, two for the PPM level) and 1,000,000 delivery lines for
the derived on-time KPI. The finance module (goods receipts) does not exist yet, so the
delivery lines are ``contracts.Deliverable`` rows feeding the registered derived source
``milestone_on_time`` (the tenth service level of every contract). A scorecard policy over
six metrics scores every partner at each close.

Product path: ``performance.services.closing.close_month`` (what the page, the command and
the monthly job call): (a) closing one month (the last one; reopened untimed before each
run), target 5 s; (b) recomputing all 36 months, reopening and closing each in order,
target 60 s. Each product run is followed by its floor's run, so both see the same database
(the tables grow with every revision).

Floor: the same inputs as one hand-written SQL query per table the close reads (service
levels with their contracts and metrics; the terms in force; the contract versions in force;
measurements grouped by contract and metric for the month; deliverables grouped by contract
for the month; the partners' scores of the previous months), the attainment of each level in
Python, and the same number of result rows (one per service level, one score per partner)
written with ``executemany``. What the floor leaves out is the product's own work: credits,
caps, earn-back, scores, standings, proposals and the explanation of every number.
``floor_with_explanations_seconds`` is the same floor writing the explanation text the product
stored for that month instead of empty ones: the part of the gap that is the cost of keeping
an explanation of every number (``ratio_to_floor_with_explanations``).
"""

import datetime
import random
import statistics
from decimal import Decimal

from _harness import median_seconds, report, setup, teardown

MONTHS = 36
FIRST = datetime.date(2023, 1, 1)
TODAY = datetime.date(2026, 1, 15)
# Measured metrics (the default library) plus one of the benchmark's own; the milestone
# level is derived from the deliverables.
EXTRA_METRIC = "bench_availability"
MEASURED = [
    "on_time_delivery",
    "lot_acceptance",
    "ppm_defective",
    "invoice_accuracy",
    "budget_adherence",
    "customer_quality_index",
    "quality_response_time",
    "regrind_within_tolerance",
    EXTRA_METRIC,
]
DERIVED = "milestone_on_time"
# (target, tiers as (threshold, percent), pool %, earn-back) per metric code
TERMS = {
    "on_time_delivery": (95, [(95, 5), (92, 10), (85, 25)], 30, 2),
    "lot_acceptance": (96, [(96, 5), (93, 15), (88, 30)], 20, 0),
    "ppm_defective": (800, [(800, 5), (1500, 15), (2500, 30)], 20, 0),
    "invoice_accuracy": (97, [(97, 2), (94, 5), (90, 10)], 10, 0),
    "regrind_within_tolerance": (95, [(95, 5), (90, 10), (85, 20)], 10, 2),
    EXTRA_METRIC: (99, [(99, 5), (97, 10), (95, 20)], 10, 0),
}
# KPIs (reported only): target
KPIS = {
    "budget_adherence": 95,
    "customer_quality_index": 85,
    "quality_response_time": 24,
    DERIVED: 90,
}
CRITERIA = [
    ("on_time_delivery", 30, 80, 100),
    ("lot_acceptance", 20, 80, 100),
    ("ppm_defective", 15, 3000, 0),
    (DERIVED, 10, 50, 100),
    ("quality_response_time", 10, 96, 0),
    ("regrind_within_tolerance", 15, 80, 100),
]


def months() -> list[datetime.date]:
    out, day = [], FIRST
    for _ in range(MONTHS):
        out.append(day)
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    return out


def month_end(day: datetime.date) -> datetime.date:
    return (day + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)


def build(n_contracts: int, n_deliveries: int) -> dict[str, int]:
    from django.db import connection, transaction
    from django.utils import timezone

    from partnerdesk.contracts.models import Contract, ContractVersion
    from partnerdesk.partners.models import Partner
    from partnerdesk.performance.models import (
        Metric,
        ScorecardCriterion,
        ScorecardPolicy,
        ServiceLevel,
        ServiceLevelTerms,
        StandingBand,
    )

    rng = random.Random(11)
    now = timezone.now()
    periods = months()
    Metric.objects.get_or_create(
        code=EXTRA_METRIC,
        defaults={
            "name": "Equipment availability",
            "unit": "%",
            "direction": "higher",
            "aggregation": "ratio",
            "source": "imported",
        },
    )
    metrics = {m.code: m for m in Metric.objects.all()}
    with transaction.atomic():
        partners = Partner.objects.bulk_create(
            [
                Partner(
                    code=f"P{i:06d}",
                    legal_name=f"Partner {i}",
                    kind="contract_manufacturer",
                    status="active",
                    country="CN",
                )
                for i in range(n_contracts)
            ],
            batch_size=2000,
        )
        contracts = Contract.objects.bulk_create(
            [
                Contract(
                    partner=p,
                    reference=f"CT-B-{i:06d}",
                    title=f"Contract {i}",
                    outsourced_scope="Moulding",
                    status="active",
                    start_date=FIRST,
                    end_date=datetime.date(2027, 12, 31),
                    currency="CNY",
                    monthly_fee=Decimal(rng.randrange(50_000, 1_000_000, 1000)),
                    at_risk_percent=Decimal(12),
                )
                for i, p in enumerate(partners)
            ],
            batch_size=2000,
        )
        ContractVersion.objects.bulk_create(
            [
                ContractVersion(
                    contract=c,
                    version=1,
                    effective_from=FIRST,
                    summary="Original terms",
                    monthly_fee=c.monthly_fee,
                    at_risk_percent=c.at_risk_percent,
                    end_date=c.end_date,
                )
                for c in contracts
            ],
            batch_size=2000,
        )
        codes = [*MEASURED, DERIVED]
        levels = ServiceLevel.objects.bulk_create(
            [ServiceLevel(contract=c, metric=metrics[code]) for c in contracts for code in codes],
            batch_size=5000,
        )
        terms = []
        for level in levels:
            code = codes[len(terms) % len(codes)]
            if code in TERMS:
                target, tiers, pool, earn_back = TERMS[code]
                terms.append(
                    ServiceLevelTerms(
                        service_level=level,
                        version=1,
                        effective_from=FIRST,
                        target=Decimal(target),
                        critical=True,
                        credit_model="tiered",
                        tiers=[{"threshold": str(t), "percent_of_fee": str(p)} for t, p in tiers],
                        pool_allocation_percent=Decimal(pool),
                        earn_back_periods=earn_back,
                    )
                )
            else:
                terms.append(
                    ServiceLevelTerms(
                        service_level=level,
                        version=1,
                        effective_from=FIRST,
                        target=Decimal(KPIS[code]),
                        critical=False,
                    )
                )
        ServiceLevelTerms.objects.bulk_create(terms, batch_size=5000)
        policy = ScorecardPolicy.objects.create(
            name="Bench", version=1, effective_from=FIRST, decay=Decimal("0.8"), window=6
        )
        ScorecardCriterion.objects.bulk_create(
            ScorecardCriterion(
                policy=policy,
                metric=metrics[code],
                weight=Decimal(w),
                worst=Decimal(lo),
                best=Decimal(hi),
            )
            for code, w, lo, hi in CRITERIA
        )
        StandingBand.objects.bulk_create(
            StandingBand(policy=policy, name=n, lower=Decimal(lo), upper=Decimal(hi), action=a)
            for n, lo, hi, a in [
                ("Excellent", 85, 100, "none"),
                ("Good", 70, 85, "none"),
                ("Watch", 50, 70, "warn"),
                ("Poor", 0, 50, "block"),
            ]
        )

    # Measurements: raw executemany, one transaction.
    # Mostly met; about one value in 25 misses its target (a breach, usually a credit).
    ratio_ranges = {
        "on_time_delivery": ((95.5, 100), (86, 95)),
        "lot_acceptance": ((96.5, 100), (89, 96)),
        "invoice_accuracy": ((97.5, 100), (91, 97)),
        "regrind_within_tolerance": ((95.5, 100), (86, 95)),
        EXTRA_METRIC: ((99.2, 100), (95, 99)),
    }
    mean_ranges = {
        "ppm_defective": ((100, 780), (850, 2600)),
        "budget_adherence": ((95.5, 100), (88, 95)),
        "customer_quality_index": ((86, 100), (60, 85)),
        "quality_response_time": ((2, 23), (25, 60)),
    }

    def pick(ranges):
        good, bad = ranges
        lo, hi = bad if rng.random() < 0.04 else good
        return rng.uniform(lo, hi)

    sql = (
        "INSERT INTO performance_measurement (contract_id, metric_id, period, measured_on, "
        "value, numerator, denominator, source, evidence, author_id, created_at, is_current, "
        "replaced_by_id, correction_reason) VALUES (%s, %s, %s, %s, %s, %s, %s, 'import', '', "
        "NULL, %s, %s, NULL, '')"
    )
    n_measurements = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for period in periods:
            end = month_end(period)
            mid = period.replace(day=15)
            rows = []
            for c in contracts:
                for code in MEASURED:
                    metric_id = metrics[code].pk
                    if code in ratio_ranges:
                        den = rng.randint(200, 2000)
                        num = min(den, round(den * pick(ratio_ranges[code]) / 100))
                        value = Decimal(num * 100) / den
                        rows.append(
                            (c.pk, metric_id, period, end, f"{value:.4f}", num, den, now, True)
                        )
                    else:
                        days = (mid, end) if code == "ppm_defective" else (end,)
                        for day in days:
                            value = f"{pick(mean_ranges[code]):.2f}"
                            rows.append(
                                (c.pk, metric_id, period, day, value, None, None, now, True)
                            )
            cursor.executemany(sql, rows)
            n_measurements += len(rows)

    # Delivery lines: contracts.Deliverable rows due across the 36 months.
    sql = (
        "INSERT INTO contracts_deliverable (created_at, updated_at, contract_id, kind, name, "
        "due_date, delivered_on, status, accepted_by_id, accepted_at, notes) VALUES "
        "(%s, %s, %s, 'deliverable', %s, %s, %s, %s, NULL, NULL, '')"
    )
    span = (month_end(periods[-1]) - FIRST).days + 1
    batch = []
    with transaction.atomic(), connection.cursor() as cursor:
        for i in range(n_deliveries):
            contract = contracts[i % len(contracts)]
            due = FIRST + datetime.timedelta(days=rng.randrange(span))
            late = rng.random() < 0.06
            delivered = due + datetime.timedelta(days=rng.randint(1, 6) if late else -1)
            status = "rejected" if rng.random() < 0.01 else "accepted"
            batch.append((now, now, contract.pk, f"Delivery line {i}", due, delivered, status))
            if len(batch) == 50_000:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
    return {
        "measurements": n_measurements,
        "deliveries": n_deliveries,
        "service_levels": len(levels),
    }


def product_close(period: datetime.date) -> None:
    from partnerdesk.performance.services.closing import close_month

    close_month(actor=None, period=period, today=TODAY)


def reopen(period: datetime.date) -> None:
    from partnerdesk.performance.services.closing import period_reopen

    period_reopen(user=None, period=period, reason="bench", check_permission=False)


FLOOR_LEVELS = """
    SELECT sl.id, sl.contract_id, c.partner_id, sl.metric_id, m.aggregation, m.scale
    FROM performance_servicelevel sl
    JOIN contracts_contract c ON c.id = sl.contract_id
    JOIN performance_metric m ON m.id = sl.metric_id
    WHERE c.start_date <= %(end)s AND c.end_date >= %(start)s AND c.status <> 'draft'
"""
FLOOR_MEASUREMENTS = """
    SELECT contract_id, metric_id, COUNT(*), SUM(value), SUM(numerator), SUM(denominator)
    FROM performance_measurement
    WHERE period = %(start)s AND is_current
    GROUP BY contract_id, metric_id
"""
FLOOR_DELIVERIES = """
    SELECT contract_id, COUNT(*),
           SUM(CASE WHEN delivered_on <= due_date AND status <> 'rejected' THEN 1 ELSE 0 END)
    FROM contracts_deliverable
    WHERE due_date BETWEEN %(start)s AND %(end)s
    GROUP BY contract_id
"""
FLOOR_TERMS = """
    SELECT t.service_level_id, t.version, t.target, t.critical, t.credit_model, t.tiers,
           t.percent_per_point, t.fixed_amount, t.fixed_percent, t.pool_allocation_percent,
           t.earn_back_periods
    FROM performance_servicelevelterms t
    JOIN performance_servicelevel sl ON sl.id = t.service_level_id
    JOIN contracts_contract c ON c.id = sl.contract_id
    WHERE t.effective_from <= %(end)s
      AND c.start_date <= %(end)s AND c.end_date >= %(start)s AND c.status <> 'draft'
    ORDER BY t.service_level_id, t.effective_from DESC, t.version DESC
"""
FLOOR_CONTRACT_TERMS = """
    SELECT contract_id, version, monthly_fee, at_risk_percent
    FROM contracts_contractversion
    WHERE effective_from <= %(end)s
    ORDER BY contract_id, effective_from DESC, version DESC
"""
FLOOR_HISTORY = """
    SELECT s.partner_id, s.period, s.score
    FROM performance_partnerscore s
    JOIN performance_periodclose pc ON pc.id = s.period_close_id
    WHERE s.period >= %(history_from)s AND s.period < %(start)s AND pc.reopened_at IS NULL
"""
FLOOR_RESULT = (
    "INSERT INTO performance_servicelevelresult (period_close_id, service_level_id, "
    "contract_id, terms_version, attainment, observations, outcome, raw_credit, pool_cap, "
    "credit, currency, explanation) VALUES (%s, %s, %s, 1, %s, %s, 'met', 0, 0, 0, 'CNY', %s)"
)
FLOOR_SCORE = (
    "INSERT INTO performance_partnerscore (partner_id, period, policy_id, period_close_id, "
    "score, overall, standing, action, declines, explanation) "
    "VALUES (%s, %s, %s, %s, %s, %s, '', 'none', 0, %s)"
)


def floor_close(
    period: datetime.date, derived_metric_id: int, policy_id: int, texts: dict | None = None
) -> None:
    """The floor of one close: one aggregate query per table and the same result rows, with
    empty explanations, or with ``texts`` (the product's stored explanation text per service
    level and per partner) the same bytes the product stores."""
    texts = texts or {}
    from django.db import connection, transaction
    from django.utils import timezone

    from partnerdesk.performance.models import PeriodClose

    history_from = (period - datetime.timedelta(days=31 * 6)).replace(day=1)
    params = {"start": period, "end": month_end(period), "history_from": history_from}
    with transaction.atomic(), connection.cursor() as cursor:
        close = PeriodClose.objects.create(period=period, revision=0, reopened_at=timezone.now())
        cursor.execute(FLOOR_LEVELS, params)
        levels = cursor.fetchall()
        cursor.execute(FLOOR_MEASUREMENTS, params)
        measured = {(c, m): (n, v, num, den) for c, m, n, v, num, den in cursor.fetchall()}
        cursor.execute(FLOOR_DELIVERIES, params)
        delivered = {c: (n, on_time) for c, n, on_time in cursor.fetchall()}
        # The rules in force (first row per level and per contract) and the score history.
        cursor.execute(FLOOR_TERMS, params)
        terms = {}
        for row in cursor.fetchall():
            terms.setdefault(row[0], row)
        cursor.execute(FLOOR_CONTRACT_TERMS, params)
        fees = {}
        for row in cursor.fetchall():
            fees.setdefault(row[0], row)
        cursor.execute(FLOOR_HISTORY, params)
        cursor.fetchall()
        results, partners = [], set()
        for sl, contract_id, partner_id, metric_id, aggregation, scale in levels:
            if sl not in terms or contract_id not in fees:
                continue
            attainment, n = None, 0
            if metric_id == derived_metric_id:
                n, on_time = delivered.get(contract_id, (0, 0))
                if n:
                    attainment = Decimal(on_time) / Decimal(n) * Decimal(scale)
            elif (contract_id, metric_id) in measured:
                n, total, num, den = measured[(contract_id, metric_id)]
                if aggregation == "ratio":
                    attainment = Decimal(num) / Decimal(den) * Decimal(scale)
                else:
                    attainment = Decimal(total) / n
            results.append(
                (
                    close.pk,
                    sl,
                    contract_id,
                    None if attainment is None else f"{attainment:.4f}",
                    n,
                    texts.get(("sl", sl), "{}"),
                )
            )
            partners.add(partner_id)
        cursor.executemany(FLOOR_RESULT, results)
        scores = [
            (p, period, policy_id, close.pk, "80", "80", texts.get(("p", p), "{}"))
            for p in sorted(partners)
        ]
        cursor.executemany(FLOOR_SCORE, scores)


def stored_explanations(period: datetime.date) -> dict:
    """The explanation text the product stored per service level and per partner for the
    standing close of ``period``."""
    from django.db import connection

    texts = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.service_level_id, r.explanation FROM performance_servicelevelresult r "
            "JOIN performance_periodclose c ON c.id = r.period_close_id "
            "WHERE c.period = %s AND c.reopened_at IS NULL",
            (period,),
        )
        texts.update({("sl", sl): _text(e) for sl, e in cursor.fetchall()})
        cursor.execute(
            "SELECT s.partner_id, s.explanation FROM performance_partnerscore s "
            "JOIN performance_periodclose c ON c.id = s.period_close_id "
            "WHERE c.period = %s AND c.reopened_at IS NULL",
            (period,),
        )
        texts.update({("p", p): _text(e) for p, e in cursor.fetchall()})
    return texts


def _text(value) -> str:
    import json

    return value if isinstance(value, str) else json.dumps(value)


def clear_floor() -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM performance_servicelevelresult WHERE period_close_id IN "
            "(SELECT id FROM performance_periodclose WHERE revision = 0)"
        )
        cursor.execute(
            "DELETE FROM performance_partnerscore WHERE period_close_id IN "
            "(SELECT id FROM performance_periodclose WHERE revision = 0)"
        )
        cursor.execute("DELETE FROM performance_periodclose WHERE revision = 0")


def main():
    args = setup(__doc__)
    import time

    from django.db import connection

    from partnerdesk.performance.models import Metric, ScorecardPolicy

    n_contracts = max(3, int(1_000 * args.scale))
    n_deliveries = max(30, int(1_000_000 * args.scale))
    started = time.perf_counter()
    built = build(n_contracts, n_deliveries)
    build_seconds = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    periods = months()
    last = periods[-1]

    # First closes of the three years (untimed): history for earn-backs and scores.
    started = time.perf_counter()
    for period in periods:
        product_close(period)
    first_close_seconds = time.perf_counter() - started

    derived_id = Metric.objects.get(code=DERIVED).pk
    policy_id = ScorecardPolicy.objects.get().pk
    texts = stored_explanations(last)

    # (a) one month, the last, and its floors, turn about in the same database state (the
    # product's close reopened untimed before each run, the floor's rows deleted untimed).
    product, floor, explained = [], [], []
    for _ in range(max(1, args.repeat)):
        product.append(
            median_seconds(lambda: product_close(last), repeat=1, before=lambda: reopen(last))
        )
        floor.append(
            median_seconds(
                lambda: floor_close(last, derived_id, policy_id), repeat=1, before=clear_floor
            )
        )
        # The floor writing the explanations the product stored for the month (the same
        # bytes): what keeping an explanation of every number costs by itself.
        explained.append(
            median_seconds(
                lambda: floor_close(last, derived_id, policy_id, texts),
                repeat=1,
                before=clear_floor,
            )
        )
        clear_floor()
    seconds, floor_seconds = statistics.median(product), statistics.median(floor)
    explained_floor = statistics.median(explained)

    # (b) all 36 months, reopen and close each in order; and the floor of the 36 months.
    def recompute_all():
        for period in periods:
            reopen(period)
            product_close(period)

    def floor_all():
        for period in periods:
            floor_close(period, derived_id, policy_id)

    recompute, recompute_floors = [], []
    for _ in range(max(1, min(args.repeat, 2))):
        recompute.append(median_seconds(recompute_all, repeat=1))
        recompute_floors.append(median_seconds(floor_all, repeat=1, before=clear_floor))
        clear_floor()
    recompute_seconds = statistics.median(recompute)
    recompute_floor = statistics.median(recompute_floors)
    report(
        "period_close",
        built["measurements"] + built["deliveries"],
        seconds,
        floor_seconds,
        floor_with_explanations_seconds=f"{explained_floor:.4f}",
        ratio_to_floor_with_explanations=f"{seconds / explained_floor:.2f}",
        recompute_36_seconds=f"{recompute_seconds:.4f}",
        recompute_36_floor_seconds=f"{recompute_floor:.4f}",
        recompute_36_ratio=f"{recompute_seconds / recompute_floor:.2f}",
        first_close_36_seconds=f"{first_close_seconds:.4f}",
        service_levels=built["service_levels"],
        measurements=built["measurements"],
        deliveries=built["deliveries"],
        build_seconds=f"{build_seconds:.1f}",
        db=connection.vendor,
    )
    teardown(args)


if __name__ == "__main__":
    main()
