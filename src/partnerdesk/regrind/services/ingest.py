"""Ingesting dosing readings from equipment CSV exports and machine posts.

Every row is either stored, recognised as stored before (same unit and time: a resend changes
nothing), or refused with its reasons and kept as a :class:`RejectedReading`, so nothing is
lost and nothing doubled. A refused row does not stop the others (one bad sensor row must not
throw away a shift of good measurements), unless the ingest is *strict* (all or nothing), or
only a *check* (everything is run and then rolled back, to show what would happen).

A file is read and checked in chunks (``engines/readings_csv.py``, ``engines/readings.py``) on
a second thread while the previous chunk is written, so a file of any size streams in constant
memory. Non-strict ingests commit chunk by chunk (other writers are not held up for long);
strict ones and checks run in one transaction. Readings of one unit must come in time order:
a reading earlier than the unit's latest one is refused as out of order unless it is stored
already. After commit the units' control charts are checked (``tasks.monitor_units``).
"""

import contextlib
import datetime
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import polars as pl
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerdesk.core.bulk import collector_paused
from partnerdesk.core.errors import InvalidInput
from partnerdesk.core.services import require_perm
from partnerdesk.regrind.choices import IngestSource, IngestStatus
from partnerdesk.regrind.engines import readings as engine
from partnerdesk.regrind.engines.readings import HeaderError, Issue
from partnerdesk.regrind.engines.readings_csv import chunks, open_csv
from partnerdesk.regrind.models import (
    DosingUnit,
    ProductRun,
    Reading,
    ReadingIngest,
    ShiftAssignment,
)
from partnerdesk.regrind.services.ingest_messages import header_message

MAX_KEPT_REJECTIONS = 100_000
MAX_POST_ROWS = 50_000
COLUMNS = (
    "unit_id",
    "taken_at",
    "batch",
    "regrind_kg",
    "virgin_kg",
    "ratio",
    "moving_range",
    "line_id",
    "product_id",
    "team_id",
)
US = pl.Datetime("us", "UTC")


class _Refused(Exception):
    """Raised inside a strict or check-only ingest to roll everything back."""


@dataclass
class _Tally:
    rows: int = 0
    stored: int = 0
    duplicates: int = 0
    refused: int = 0
    first_at: datetime.datetime | None = None
    last_at: datetime.datetime | None = None
    rejections: list = field(default_factory=list)
    units: set = field(default_factory=set)

    def seen(self, first, last):
        if first is not None and (self.first_at is None or first < self.first_at):
            self.first_at = first
        if last is not None and (self.last_at is None or last > self.last_at):
            self.last_at = last


def insert_sql(vendor: str, ingest_id: int) -> str:
    """The INSERT every ingest (and the benchmark's floor) writes readings with, for the
    driver's own cursor (``?`` on SQLite). The ingest id is a literal: one parameter less per
    row. A unit and time stored meanwhile is skipped."""
    columns = ", ".join(COLUMNS)
    marks = ", ".join(["?" if vendor == "sqlite" else "%s"] * len(COLUMNS))
    head = f"INSERT INTO regrind_reading ({columns}, ingest_id)"
    return f"{head} VALUES ({marks}, {int(ingest_id)}) ON CONFLICT (unit_id, taken_at) DO NOTHING"


def sql_rows(frame: pl.DataFrame, vendor: str):
    """The frame's rows as parameter tuples: times as Django stores them on SQLite (UTC text,
    microseconds only when there are any), aware datetimes elsewhere."""
    if vendor == "sqlite":
        seconds = pl.col("t").dt.strftime("%Y-%m-%d %H:%M:%S")
        if frame.select((pl.col("t").dt.microsecond() != 0).any()).item():
            whole = pl.col("t").dt.microsecond() == 0
            seconds = (
                pl.when(whole)
                .then(seconds)
                .otherwise(pl.col("t").dt.strftime("%Y-%m-%d %H:%M:%S%.6f"))
            )
        frame = frame.with_columns(seconds.alias("taken_at"))
    else:
        frame = frame.with_columns(pl.col("t").alias("taken_at"))
    return zip(*[frame[name].to_list() for name in COLUMNS], strict=True)


def insert_rows(ingest_id: int, rows) -> int:
    """Insert reading rows with the driver's executemany (on SQLite its own cursor: Django's
    wrapper costs a sixth more per row at volume); the number stored. Runs in the caller's
    transaction."""
    sql = insert_sql(connection.vendor, ingest_id)
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        cursor = connection.connection.cursor()
        try:
            cursor.executemany(sql, rows)
            return max(cursor.rowcount, 0)
        finally:
            cursor.close()
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
        return max(cursor.rowcount, 0)


class _Context:
    """What a chunk needs besides its rows: units, product runs, shifts and the last reading
    of each unit seen so far (from the database, then from the ingest's own rows)."""

    def __init__(self, now):
        self.now = now
        self.tz = settings.TIME_ZONE
        units = list(DosingUnit.objects.values_list("code", "id", "line_id", "is_active"))
        self.units = pl.DataFrame(
            units,
            schema={
                "code": pl.String,
                "unit_id": pl.Int64,
                "line_id": pl.Int64,
                "active": pl.Boolean,
            },
            orient="row",
        )
        self.runs = pl.DataFrame(
            list(ProductRun.objects.values_list("line_id", "starts_at", "ends_at", "product_id")),
            schema={"line_id": pl.Int64, "starts_at": US, "ends_at": US, "product_id": pl.Int64},
            orient="row",
        )
        self.shifts = pl.DataFrame(
            list(ShiftAssignment.objects.values_list("line_id", "starts_at", "ends_at", "team_id")),
            schema={"line_id": pl.Int64, "starts_at": US, "ends_at": US, "team_id": pl.Int64},
            orient="row",
        )
        self.last: dict[int, tuple] = {}

    def carry(self, unit_ids) -> pl.DataFrame:
        for unit_id in unit_ids:
            if unit_id not in self.last:
                row = (
                    Reading.objects.filter(unit_id=unit_id)
                    .order_by("-taken_at")
                    .values_list("taken_at", "ratio", "team_id", "product_id")
                    .first()
                )
                self.last[unit_id] = row or (None, None, None, None)
        rows = [(u, *self.last[u]) for u in unit_ids]
        return pl.DataFrame(
            rows,
            schema={
                "unit_id": pl.Int64,
                "last_t": US,
                "prev_ratio": pl.Float64,
                "prev_team": pl.Int64,
                "prev_product": pl.Int64,
            },
            orient="row",
        )


def _stored_keys(frame: pl.DataFrame) -> pl.DataFrame:
    """Which of the frame's (unit, time) pairs are in the database already."""
    found = []
    for unit_id, lo, hi in (
        frame.group_by("unit_id").agg(pl.col("t").min().alias("lo"), pl.col("t").max().alias("hi"))
    ).iter_rows():
        found.extend(
            Reading.objects.filter(unit_id=unit_id, taken_at__range=(lo, hi)).values_list(
                "unit_id", "taken_at"
            )
        )
    return pl.DataFrame(found, schema={"unit_id": pl.Int64, "t": US}, orient="row").with_columns(
        pl.lit(True).alias("stored")
    )


def _write_chunk(ctx: _Context, ingest_id: int, good: pl.DataFrame, tally: _Tally) -> list[Issue]:
    """Place, stamp and insert one chunk's good rows; the rows refused as out of order."""
    if good.is_empty():
        return []
    unit_ids = good["unit_id"].unique().sort().to_list()
    if connection.vendor != "sqlite":
        list(DosingUnit.objects.select_for_update().filter(id__in=unit_ids).values_list("id"))
    carry = ctx.carry(unit_ids)
    placed = engine.order(good, carry.select("unit_id", "last_t"))
    placed = placed.with_columns((pl.int_range(pl.len()).over("unit_id", "t") > 0).alias("again"))
    new = placed.filter((pl.col("place") == "new") & ~pl.col("again"))
    rest = placed.filter((pl.col("place") != "new") & ~pl.col("again"))
    issues = []
    duplicates = placed.filter(pl.col("again")).height
    if rest.height:
        rest = rest.join(_stored_keys(rest), on=["unit_id", "t"], how="left")
        duplicates += rest.filter(pl.col("stored").fill_null(False)).height
        for rec in rest.filter(pl.col("stored").is_null()).iter_rows(named=True):
            prior = timezone.localtime(rec["prior"])
            issues.append(
                Issue(rec["row"], "timestamp", "out_of_order", {"previous": prior.isoformat(" ")})
            )
    inserted = 0
    if new.height:
        ranged = engine.moving_ranges(new, carry.drop("last_t"))
        inserted = insert_rows(ingest_id, sql_rows(ranged, connection.vendor))
        last = ranged.group_by("unit_id").agg(pl.all().sort_by("t").last())
        for unit_id, t, ratio, team, product in last.select(
            "unit_id", "t", "ratio", "team_id", "product_id"
        ).iter_rows():
            ctx.last[unit_id] = (t, ratio, team, product)
        tally.seen(ranged["t"].min(), ranged["t"].max())
        tally.units.update(unit_ids)
    tally.stored += inserted
    tally.duplicates += duplicates + (new.height - inserted)
    return issues


def _keep(tally: _Tally, issues: list[Issue], raw: dict[int, str]) -> None:
    by_row: dict[int, list] = {}
    for issue in issues:
        by_row.setdefault(issue.row, []).append(
            {"field": issue.field, "code": issue.code, "params": issue.params}
        )
    tally.refused += len(by_row)
    room = MAX_KEPT_REJECTIONS - len(tally.rejections)
    for row in sorted(by_row)[: max(room, 0)]:
        tally.rejections.append((row, raw.get(row, ""), by_row[row]))


def _flush_rejections(ingest: ReadingIngest, tally: _Tally) -> None:
    """Store the refused rows kept so far (plain executemany: a bad file can refuse many)."""
    if tally.rejections:
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO regrind_rejectedreading (ingest_id, row, raw, errors) "
                "VALUES (%s, %s, %s, %s)",
                [(ingest.pk, r, raw[:2000], json.dumps(e)) for r, raw, e in tally.rejections],
            )
    tally.rejections.clear()


def _prefetched(frames, ctx: _Context):
    """Check the next chunk on a second thread while this one is written."""

    def step():
        raw = next(frames, None)
        if raw is None:
            return None
        good, issues = engine.check(raw, units=ctx.units, tz=ctx.tz, now=ctx.now)
        # The product running and the team on shift depend on the row alone: stamp them here,
        # off the writing thread, and keep the file's order for the ordering checks.
        good = engine.stamp(good, ctx.runs, ctx.shifts).sort("row")
        bad_rows = {i.row for i in issues}
        texts = {}
        if "raw" in raw.columns:
            texts = dict(
                raw.filter(pl.col("row").is_in(list(bad_rows))).select("row", "raw").iter_rows()
            )
        return good, issues, texts, raw

    with ThreadPoolExecutor(1, thread_name_prefix="ingest-check") as pool:
        future = pool.submit(step)
        while True:
            result = future.result()
            if result is None:
                return
            future = pool.submit(step)
            yield result


def _run(ingest: ReadingIngest, frames, ctx: _Context, *, per_chunk: bool) -> _Tally:
    tally = _Tally()
    for good, issues, texts, raw in _prefetched(frames, ctx):
        tally.rows += raw.height
        with transaction.atomic():
            late = _write_chunk(ctx, ingest.pk, good, tally)
            if late and "raw" in raw.columns:
                rows = [i.row for i in late]
                texts.update(raw.filter(pl.col("row").is_in(rows)).select("row", "raw").iter_rows())
            _keep(tally, issues + late, texts)
            if per_chunk:
                _flush_rejections(ingest, tally)
                _save_progress(ingest, tally, IngestStatus.RUNNING)
    return tally


def _save_progress(ingest: ReadingIngest, tally: _Tally, status: str) -> None:
    ingest.rows, ingest.stored, ingest.duplicates = tally.rows, tally.stored, tally.duplicates
    ingest.refused, ingest.first_at, ingest.last_at = tally.refused, tally.first_at, tally.last_at
    ingest.status = status
    if status != IngestStatus.RUNNING:
        ingest.finished_at = timezone.now()
    ingest.save()


@collector_paused()
def _ingest(*, user, source, filename, frames_factory, strict, check_only, now) -> ReadingIngest:
    require_perm(user, "regrind.add_reading")
    now = now or timezone.now()
    ingest = ReadingIngest.objects.create(
        source=source,
        filename=filename[:255],
        strict=strict or check_only,
        started_by=user if getattr(user, "pk", None) else None,
    )
    try:
        ctx = _Context(now)
        frames = frames_factory()
        if strict or check_only:
            try:
                with transaction.atomic():
                    tally = _run(ingest, frames, ctx, per_chunk=False)
                    if check_only or tally.refused:
                        raise _Refused
            except _Refused:
                status = IngestStatus.CHECKED if check_only else IngestStatus.REFUSED
                if status == IngestStatus.REFUSED:
                    tally.duplicates, tally.stored = tally.duplicates + tally.stored, 0
                with transaction.atomic():
                    _flush_rejections(ingest, tally)
                    _save_progress(ingest, tally, status)
                return ingest
        else:
            tally = _run(ingest, frames, ctx, per_chunk=True)
    except HeaderError as exc:
        ingest.status = IngestStatus.FAILED
        ingest.message = str(header_message(exc.code, exc.params))
        ingest.finished_at = timezone.now()
        ingest.save()
        raise InvalidInput(ingest.message, fields={"file": [ingest.message]}) from exc
    except Exception as exc:
        # Whatever else stopped it (the database, the disk): the ingest says so instead of
        # looking as if it were still running; what earlier chunks stored stays stored.
        _mark_failed(ingest, exc)
        raise
    with transaction.atomic():
        _flush_rejections(ingest, tally)
        _save_progress(ingest, tally, IngestStatus.DONE)
    if tally.units:
        _after_commit(sorted(tally.units))
    return ingest


def _mark_failed(ingest: ReadingIngest, exc: Exception) -> None:
    # A broken transaction may refuse even this; the original error is the one to raise.
    with contextlib.suppress(Exception):
        ReadingIngest.objects.filter(pk=ingest.pk).update(
            status=IngestStatus.FAILED,
            message=f"{type(exc).__name__}: {exc}"[:1000],
            finished_at=timezone.now(),
        )


def _after_commit(unit_ids: list[int]) -> None:
    from partnerdesk.regrind.tasks import monitor_units

    transaction.on_commit(lambda: monitor_units.enqueue(unit_ids))


def readings_ingest_csv(
    *, user, stream, filename="", strict=False, check_only=False, now=None, chunk_bytes=None
) -> ReadingIngest:
    """Ingest an equipment CSV export (a binary stream of any size)."""

    def frames():
        mapping, separator, rest = open_csv(stream)
        return chunks(stream, rest, mapping, separator, chunk_bytes=chunk_bytes)

    # The header is read before the ingest record exists, so a file that is not a CSV
    # export leaves a failed ingest with the reason and nothing else.
    return _ingest(
        user=user,
        source=IngestSource.CSV,
        filename=filename,
        frames_factory=frames,
        strict=strict,
        check_only=check_only,
        now=now,
    )


def readings_ingest_rows(
    *, user, rows: list[dict], strict=False, now=None, source=IngestSource.API
) -> ReadingIngest:
    """Ingest a machine's post: a list of readings as mappings of field names to values."""
    if len(rows) > MAX_POST_ROWS:
        message = _(
            "At most %(max)s readings per post (got %(n)s); send the rest in further posts."
        ) % {"max": MAX_POST_ROWS, "n": len(rows)}
        raise InvalidInput(message, fields={"readings": [message]})
    columns: dict[str, list] = {name: [] for name in engine.FIELDS}
    for item in rows:
        for name in engine.FIELDS:
            value = item.get(name) if isinstance(item, dict) else None
            columns[name].append(None if value is None else str(value))
    raw = pl.DataFrame(
        {
            "row": pl.Series(range(1, len(rows) + 1), dtype=pl.Int64),
            "raw": [json.dumps(item, default=str, separators=(",", ":")) for item in rows],
            **{name: pl.Series(values, dtype=pl.String) for name, values in columns.items()},
        }
    )
    return _ingest(
        user=user,
        source=source,
        filename="",
        frames_factory=lambda: iter([raw] if rows else []),
        strict=strict,
        check_only=False,
        now=now,
    )
