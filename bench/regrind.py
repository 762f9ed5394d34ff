"""Benchmark: regrind readings at volume: CSV ingest, SPC over one long chart, the ranking.

Size at --scale 1: an equipment CSV export of 10,000,000 readings (100 lines with one dosing
unit each, March 2026, masses given, the ratio computed; a few rows per ten thousand refused
for a negative mass), 300 teams on three shifts a day; one further unit with 1,000,000
readings (February) for the chart.

1. Ingest (product path ``services.ingest.readings_ingest_csv``: read and check the file,
   stamp line, product and team, compute moving ranges, insert). Between runs the readings
   and ingests are deleted (untimed). Goal: at least 200,000 readings a second, within 1.5x
   of the floor.
   Floor: the same rows, already built as parameter tuples in memory, inserted with the
   driver's ``executemany`` and the same INSERT statement (``insert_rows``) in transactions of
   500,000 rows; only the inserts and commits are timed.
2. SPC over 1,000,000 points of one chart: limits from the whole series as a baseline (read
   from the database, limits, run rules for the explanation, capability) with
   ``chart_set_baseline``; and the chart page's analysis of the same window
   (``selectors_spc.chart_analysis``). Goal: each within 2 s.
3. The monthly ranking over the 100 lines and 10,000,000 readings (``ranking_compute``).
   Goal: within 10 s.
"""

import datetime
import time
from decimal import Decimal
from pathlib import Path

from _harness import median_seconds, report, setup, teardown

MONTH = datetime.date(2026, 3, 1)
FLOOR_CHUNK = 500_000


def _say(message: str) -> None:
    print(message, flush=True)


def build_plant(lines: int):
    from zoneinfo import ZoneInfo

    from django.conf import settings
    from django.contrib.auth.models import Group

    from partnerdesk.accounts.models import User
    from partnerdesk.accounts.services import sync_roles
    from partnerdesk.organisation.models import Department, Team
    from partnerdesk.regrind.models import (
        DosingUnit,
        ProductionLine,
        ProductRun,
        RegrindProduct,
        ShiftAssignment,
    )

    sync_roles()
    user = User.objects.create(username="bench")
    user.groups.add(Group.objects.get(name="administrator"))
    tz = ZoneInfo(settings.TIME_ZONE)
    department, _ = Department.objects.get_or_create(
        kind="manufacturing", defaults={"name": "Manufacturing"}
    )
    product = RegrindProduct.objects.create(
        code="P15",
        name="Housing",
        target_ratio=Decimal("15"),
        tolerance=Decimal("1.5"),
        max_ratio=Decimal("18"),
        nominal_batch_kg=Decimal("25"),
        currency="CNY",
        virgin_price_per_kg=Decimal("11.5"),
        regrind_price_per_kg=Decimal("4.2"),
        risk_cost_per_kg=Decimal("25"),
    )
    line_rows = ProductionLine.objects.bulk_create(
        [ProductionLine(code=f"L{i:03d}", name=f"Line {i}") for i in range(lines + 1)]
    )
    units = DosingUnit.objects.bulk_create(
        [
            DosingUnit(line=line, code=f"D{line.code[1:]}", name=f"Doser {line.code}")
            for line in line_rows
        ]
    )
    teams = Team.objects.bulk_create(
        [Team(department=department, name=f"T{i:03d}-{s}") for i in range(lines + 1) for s in "ABC"]
    )
    start = datetime.datetime(2026, 1, 1, tzinfo=tz)
    ProductRun.objects.bulk_create(
        [ProductRun(line=line, product=product, starts_at=start) for line in line_rows]
    )
    assignments = []
    for index, line in enumerate(line_rows[:lines]):
        for day in range(31):
            date = MONTH + datetime.timedelta(days=day)
            for shift in range(3):
                begins = datetime.datetime.combine(date, datetime.time(6), tzinfo=tz)
                begins += datetime.timedelta(hours=8 * shift)
                team = teams[index * 3 + (shift + day // 7) % 3]
                assignments.append(
                    ShiftAssignment(
                        line=line,
                        team=team,
                        starts_at=begins,
                        ends_at=begins + datetime.timedelta(hours=8),
                    )
                )
    ShiftAssignment.objects.bulk_create(assignments, batch_size=5000)
    return user, units


def write_csv(path: Path, n: int, lines: int, seed: int = 11) -> int:
    """The month's readings of the first ``lines`` units, interleaved in time order."""
    import polars as pl

    span = 31 * 86400 - 60
    step = span / (n / lines)
    idx = pl.int_range(0, n, eager=True)
    unit = idx % lines
    k = idx // lines
    base = datetime.datetime(2026, 3, 1, 0, 0, 30)
    frame = pl.DataFrame({"unit": unit, "k": k}).with_columns(
        (pl.lit(base) + pl.duration(milliseconds=(pl.col("k") * step * 1000).cast(pl.Int64)))
        .dt.strftime("%Y-%m-%d %H:%M:%S%.3f")
        .alias("timestamp"),
        # Ratio about 15 % with a drift on every tenth line and noise from a hash.
        (
            15.0
            + ((pl.col("unit") * 7919 + pl.col("k") * 104729 + seed).hash(seed) % 1000)
            .cast(pl.Int64)
            .sub(500)
            / 400.0
            + pl.when(pl.col("unit") % 10 == 0).then(pl.col("k") / (n / lines) * 2).otherwise(0)
        ).alias("ratio"),
    )
    mass = 25.0
    frame = frame.select(
        ("D" + pl.col("unit").cast(pl.String).str.zfill(3)).alias("machine"),
        "timestamp",
        ("B" + pl.col("k").cast(pl.String)).alias("batch"),
        pl.when(idx % 9973 == 5)
        .then(-1.0)
        .otherwise((pl.col("ratio") / 100 * mass).round(3))
        .alias("regrind_kg"),
        ((1 - pl.col("ratio") / 100) * mass).round(3).alias("virgin_kg"),
        pl.lit(None, dtype=pl.String).alias("ratio"),
    )
    frame.write_csv(path)
    return frame.filter(pl.col("regrind_kg") < 0).height


def reset_readings() -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM regrind_reading")
        cursor.execute("DELETE FROM regrind_rejectedreading")
        cursor.execute("DELETE FROM regrind_readingingest")


def floor_insert(rows_table: str, total: int) -> float:
    """Insert the saved rows again chunk by chunk; the seconds spent inserting."""
    from django.db import connection, transaction

    from partnerdesk.regrind.models import ReadingIngest
    from partnerdesk.regrind.services.ingest import COLUMNS, insert_rows

    reset_readings()
    ingest = ReadingIngest.objects.create(source="csv", filename="floor")
    spent = 0.0
    with connection.cursor() as cursor:
        for offset in range(0, total, FLOOR_CHUNK):
            cursor.execute(
                f"SELECT {', '.join(COLUMNS)} FROM {rows_table} "
                "WHERE rid > %s AND rid <= %s ORDER BY rid",
                [offset, offset + FLOOR_CHUNK],
            )
            rows = cursor.fetchall()
            started = time.perf_counter()
            with transaction.atomic():
                insert_rows(ingest.pk, rows)
            spent += time.perf_counter() - started
    return spent


def spc_bench(user, unit, points: int) -> tuple[float, float]:
    from django.db import connection, transaction

    from partnerdesk.regrind.models import ReadingIngest
    from partnerdesk.regrind.selectors_spc import chart_analysis
    from partnerdesk.regrind.services.charts import chart_create, chart_set_baseline
    from partnerdesk.regrind.services.ingest import insert_rows

    start = datetime.datetime(2026, 2, 1, tzinfo=datetime.UTC)
    ingest = ReadingIngest.objects.create(source="csv", filename="spc")
    rows = [
        (
            unit.pk,
            (start + datetime.timedelta(seconds=2 * k)).strftime("%Y-%m-%d %H:%M:%S"),
            "",
            None,
            None,
            15.0 + ((k * 7919) % 1000 - 500) / 500.0 + (0.8 if k > points * 0.9 else 0.0),
            None,
            unit.line_id,
            None,
            None,
        )
        for k in range(points)
    ]
    if connection.vendor != "sqlite":
        rows = [
            (r[0], start + datetime.timedelta(seconds=2 * k), *r[2:]) for k, r in enumerate(rows)
        ]
    with transaction.atomic():
        insert_rows(ingest.pk, rows)
    end = start + datetime.timedelta(seconds=2 * points)
    chart = chart_create(
        user=user,
        unit=unit,
        kind="imr",
        rules=["we1", "we2", "we3", "we4", "n2", "n3", "n4", "n7", "n8", "d1"],
    )
    baseline = median_seconds(
        lambda: chart_set_baseline(user=user, chart=chart, start=start, end=end), repeat=3
    )
    chart.refresh_from_db()
    analysis = median_seconds(
        lambda: chart_analysis(chart, start=start, end=end, last=points), repeat=3
    )
    return baseline, analysis


def main():
    args = setup(__doc__)
    from django.db import connection

    from partnerdesk.regrind.services.ingest import COLUMNS, readings_ingest_csv
    from partnerdesk.regrind.services.ranking import ranking_compute

    n = max(10_000, int(10_000_000 * args.scale))
    lines = 100
    spc_points = max(2_000, int(1_000_000 * args.scale))
    user, units = build_plant(lines)
    path = Path(args.tmp) / "readings.csv"
    started = time.perf_counter()
    bad = write_csv(path, n, lines)
    _say(
        f"wrote {n} readings ({bad} with a negative mass) in {time.perf_counter() - started:.1f} s"
    )

    results = []

    def product():
        with path.open("rb") as stream:
            started = time.perf_counter()
            ingest = readings_ingest_csv(user=user, stream=stream, filename="bench.csv")
            _say(
                f"  ingest: {time.perf_counter() - started:.2f} s stored={ingest.stored} "
                f"refused={ingest.refused}"
            )
            results.append(ingest)

    seconds = median_seconds(product, repeat=args.repeat, before=reset_readings)
    last = results[-1]
    assert last.stored == n - bad and last.refused == bad, (last.stored, last.refused)
    # Keep the rows of the last run for the floor, then time inserting them again.
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_rows")
        cursor.execute(
            f"CREATE TABLE bench_rows AS SELECT ROW_NUMBER() OVER (ORDER BY id) AS rid, "
            f"{', '.join(COLUMNS)} FROM regrind_reading"
        )
    floors = []
    for _ in range(max(1, args.repeat)):
        floors.append(floor_insert("bench_rows", last.stored))
        _say(f"  floor: {floors[-1]:.2f} s")
    floors.sort()
    floor_seconds = floors[len(floors) // 2]
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_rows")
    # The ranking reads the product's rows: put them back.
    reset_readings()
    product()

    ranking_seconds = median_seconds(
        lambda: ranking_compute(user=user, month=MONTH, min_readings=1), repeat=3
    )
    baseline_seconds, analysis_seconds = spc_bench(user, units[lines], spc_points)
    report(
        "regrind",
        n,
        seconds,
        floor_seconds,
        readings_per_second=f"{n / seconds:.0f}",
        spc_points=spc_points,
        spc_baseline_seconds=f"{baseline_seconds:.4f}",
        spc_analysis_seconds=f"{analysis_seconds:.4f}",
        ranking_lines=lines,
        ranking_seconds=f"{ranking_seconds:.4f}",
        db=connection.vendor,
    )
    teardown(args)


if __name__ == "__main__":
    main()
