"""Reading a unit's regrind ratios as arrays, in time order, straight from the unit-and-time
index (the charts read a million points this way in a fraction of a second)."""

import datetime

import numpy as np
from django.db import connection

from partnerdesk.regrind.models import Reading


def _adapt(value):
    return connection.ops.adapt_datetimefield_value(value)


def ratios(
    unit_id: int,
    *,
    after: datetime.datetime | None = None,
    start: datetime.datetime | None = None,
    end: datetime.datetime | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(reading ids, ratios) of the unit in time order: later than ``after``, or from
    ``start`` (inclusive) to ``end`` (inclusive)."""
    sql = ["SELECT id, ratio FROM regrind_reading WHERE unit_id = %s"]
    params: list = [unit_id]
    if after is not None:
        sql.append("AND taken_at > %s")
        params.append(_adapt(after))
    if start is not None:
        sql.append("AND taken_at >= %s")
        params.append(_adapt(start))
    if end is not None:
        sql.append("AND taken_at <= %s")
        params.append(_adapt(end))
    sql.append("ORDER BY taken_at")
    with connection.cursor() as cursor:
        cursor.execute(" ".join(sql), params)
        rows = cursor.fetchall()
    if not rows:
        return np.empty(0, dtype=np.int64), np.empty(0)
    ids, values = zip(*rows, strict=True)
    return np.fromiter(ids, dtype=np.int64, count=len(ids)), np.fromiter(
        values, dtype=float, count=len(values)
    )


def values(unit_id: int, *, start, end) -> np.ndarray:
    """Just the ratios of the unit from ``start`` to ``end`` (inclusive), in time order."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ratio FROM regrind_reading WHERE unit_id = %s AND taken_at >= %s "
            "AND taken_at <= %s ORDER BY taken_at",
            [unit_id, _adapt(start), _adapt(end)],
        )
        rows = cursor.fetchall()
    return np.fromiter((row[0] for row in rows), dtype=float, count=len(rows))


def last_ratios(unit_id: int, *, until: datetime.datetime, count: int):
    """The ``count`` readings up to and including ``until``, in time order."""
    if count <= 0:
        return np.empty(0, dtype=np.int64), np.empty(0)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, ratio FROM regrind_reading WHERE unit_id = %s AND taken_at <= %s "
            "ORDER BY taken_at DESC LIMIT %s",
            [unit_id, _adapt(until), count],
        )
        rows = cursor.fetchall()[::-1]
    if not rows:
        return np.empty(0, dtype=np.int64), np.empty(0)
    ids, values = zip(*rows, strict=True)
    return np.asarray(ids, dtype=np.int64), np.asarray(values, dtype=float)


def details(ids) -> dict[int, tuple]:
    """Time and team of a few readings, by id."""
    return {
        pk: (taken_at, team_id)
        for pk, taken_at, team_id in Reading.objects.filter(pk__in=list(ids)).values_list(
            "pk", "taken_at", "team_id"
        )
    }
