"""The monthly team precision ranking (rule ``RULE_VERSION``).

For a calendar month (company time zone), the readings of each team on shift are summed per
line and product in one grouped query: readings, readings within the product's tolerance band
(LSL <= ratio <= USL, both inclusive; USL is target + tolerance capped by the maximum), the sums
of the deviation from target and of its absolute value, the moving ranges recorded at ingest,
the mass of virgin material used beyond the target mix and the mass of regrind above the
maximum. From these sums, per team:

* share within tolerance = within / readings;
* mean absolute deviation (percentage points) = sum of |ratio - target| / readings;
* Cpk per line and product = min(USL - mean, mean - LSL) / (3 sigma), with sigma = mean
  moving range / d2 (d2 = 1.128 for ranges of two); the team's Cpk is their reading-weighted
  mean;
* virgin cost = the sum of (target - ratio)/100 * batch mass over readings below target, times
  (virgin - regrind price per kg); quality risk cost = the sum of (ratio - maximum)/100 * batch
  mass over readings above the maximum, times the risk cost per kg. A batch without masses
  counts at the product's nominal batch mass.

Teams with at least ``min_readings`` readings are ranked: higher share within tolerance
first, then lower mean absolute deviation, then higher Cpk, then name. Every computation is a
new revision with its parameters and inputs, so a month's ranking can be reproduced and
explained; the final revision is the incentives module's evidence.
"""

import datetime
import itertools
import os
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from partnerdesk.audit.models import AuditAction
from partnerdesk.audit.services import record_change
from partnerdesk.core.currencies import quantize
from partnerdesk.core.errors import InvalidInput
from partnerdesk.core.services import require_perm
from partnerdesk.organisation.models import Team
from partnerdesk.regrind.models import PrecisionRanking, RegrindProduct, TeamPrecision

RULE_VERSION = "regrind-ranking-1"


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput(message, fields={field: [message]})


D2 = 1.128
MIN_READINGS = 100

# One pass over the month's readings. The specification is read once per product (a
# materialised CTE), and readings without a team or a product come out as their own groups,
# counted as unassigned.
_SUMS = """
WITH spec AS MATERIALIZED (
  SELECT id,
    CAST(target_ratio AS DOUBLE PRECISION) AS target,
    CASE WHEN target_ratio - tolerance < 0 THEN 0
      ELSE CAST(target_ratio - tolerance AS DOUBLE PRECISION) END AS lsl,
    CASE WHEN target_ratio + tolerance > max_ratio THEN CAST(max_ratio AS DOUBLE PRECISION)
      ELSE CAST(target_ratio + tolerance AS DOUBLE PRECISION) END AS usl,
    CAST(max_ratio AS DOUBLE PRECISION) AS maximum,
    CAST(nominal_batch_kg AS DOUBLE PRECISION) AS nominal
  FROM regrind_regrindproduct
)
SELECT r.team_id, r.line_id, r.product_id,
  COUNT(*),
  SUM(CASE WHEN r.ratio >= s.lsl AND r.ratio <= s.usl THEN 1 ELSE 0 END),
  SUM(ABS(r.ratio - s.target)),
  SUM(r.ratio),
  SUM(r.moving_range),
  COUNT(r.moving_range),
  SUM(CASE WHEN r.ratio < s.target
    THEN (s.target - r.ratio) * COALESCE(r.regrind_kg + r.virgin_kg, s.nominal) ELSE 0 END),
  SUM(CASE WHEN r.ratio > s.maximum
    THEN (r.ratio - s.maximum) * COALESCE(r.regrind_kg + r.virgin_kg, s.nominal) ELSE 0 END),
  SUM(CASE WHEN r.ratio > s.maximum THEN 1 ELSE 0 END)
FROM regrind_reading r
LEFT JOIN spec s ON s.id = r.product_id
WHERE r.taken_at >= %s AND r.taken_at < %s
GROUP BY r.team_id, r.line_id, r.product_id
"""


def _slice_sums(bounds: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(_SUMS, bounds)
        return cursor.fetchall()


def _slices(start, end, parts: int) -> list[tuple]:
    step = (end - start) / parts
    edges = [start + step * k for k in range(parts)] + [end]
    return list(itertools.pairwise(edges))


def _sums(start, end) -> list[tuple]:
    """The month's grouped sums. Outside a transaction the month is cut into one time slice per
    CPU, summed on as many connections at once (the database works on them in parallel), and
    the slices' sums are added; inside one (a test, a caller's transaction) other connections
    would not see its rows, so it is one query."""
    parts = 1 if connection.in_atomic_block else max(1, min(os.cpu_count() or 1, 4))
    slices = [
        [connection.ops.adapt_datetimefield_value(v) for v in pair]
        for pair in _slices(start, end, parts)
    ]
    if parts == 1:
        results = [_slice_sums(bounds) for bounds in slices]
    else:
        with ThreadPoolExecutor(parts, thread_name_prefix="ranking") as pool:
            results = list(pool.map(_in_own_connection, slices))
    return merge_sums(results)


def merge_sums(results: list[list[tuple]]) -> list[tuple]:
    """Add up the grouped sums of several slices (every column after the group key is a sum or
    a count; an empty SUM is NULL)."""
    merged: dict[tuple, list] = {}
    for rows in results:
        for row in rows:
            key, values = row[:3], list(row[3:])
            if key in merged:
                merged[key] = [
                    a if b is None else (b if a is None else a + b)
                    for a, b in zip(merged[key], values, strict=True)
                ]
            else:
                merged[key] = values
    return [(*key, *values) for key, values in merged.items()]


def _in_own_connection(bounds: list) -> list[tuple]:
    from django.db import connections

    try:
        return _slice_sums(bounds)
    finally:
        connections.close_all()


def month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The month's first moment and the next month's, in the company's time zone."""
    tz = ZoneInfo(settings.TIME_ZONE)
    first = month.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return (
        datetime.datetime.combine(first, datetime.time(), tzinfo=tz),
        datetime.datetime.combine(following, datetime.time(), tzinfo=tz),
    )


def _group_figures(row, product: RegrindProduct) -> dict:
    _team, line_id, _product, n, within, absdev, sx, smr, nmr, under, over, above = row
    mean = sx / n
    lsl, usl = float(product.lsl), float(product.usl)
    sigma = (smr / nmr) / D2 if nmr else None
    cpk = min(usl - mean, mean - lsl) / (3 * sigma) if sigma else None
    virgin_kg, risk_kg = (under or 0.0) / 100.0, (over or 0.0) / 100.0
    virgin_cost = quantize(
        Decimal(str(virgin_kg)) * (product.virgin_price_per_kg - product.regrind_price_per_kg),
        product.currency,
    )
    risk_cost = quantize(Decimal(str(risk_kg)) * product.risk_cost_per_kg, product.currency)
    return {
        "line_id": line_id,
        "product": product.code,
        "target": float(product.target_ratio),
        "lsl": lsl,
        "usl": usl,
        "max": float(product.max_ratio),
        "readings": n,
        "within": within,
        "sum_deviation": sx - n * float(product.target_ratio),
        "sum_abs_deviation": absdev,
        "mean": mean,
        "mean_moving_range": smr / nmr if nmr else None,
        "sigma_within": sigma,
        "cpk": cpk,
        "virgin_kg": virgin_kg,
        "risk_kg": risk_kg,
        "above_max": above,
        "virgin_cost": str(virgin_cost),
        "risk_cost": str(risk_cost),
        "currency": product.currency,
    }


def _team_row(groups: list[dict]) -> dict:
    n = sum(g["readings"] for g in groups)
    cpks = [(g["cpk"], g["readings"]) for g in groups if g["cpk"] is not None]
    weight = sum(w for _cpk, w in cpks)
    return {
        "readings": n,
        "within": sum(g["within"] for g in groups),
        "share_within": sum(g["within"] for g in groups) / n,
        "mean_abs_deviation": sum(g["sum_abs_deviation"] for g in groups) / n,
        "mean_deviation": sum(g["sum_deviation"] for g in groups) / n,
        "cpk": sum(c * w for c, w in cpks) / weight if weight else None,
        "above_max": sum(g["above_max"] for g in groups),
        "virgin_cost": sum(Decimal(g["virgin_cost"]) for g in groups),
        "risk_cost": sum(Decimal(g["risk_cost"]) for g in groups),
        "currency": groups[0]["currency"],
    }


def rank_key(row: dict, name: str):
    cpk = row["cpk"]
    return (
        -row["share_within"],
        row["mean_abs_deviation"],
        -(cpk if cpk is not None else float("-inf")),
        name,
    )


def ranking_compute(
    *, user, month: datetime.date, min_readings: int = MIN_READINGS
) -> PrecisionRanking:
    """Compute the month's ranking from the readings and store it as a new revision."""
    require_perm(user, "regrind.add_precisionranking")
    return _compute(actor=user, month=month, min_readings=min_readings)


def ranking_compute_system(*, month: datetime.date) -> PrecisionRanking | None:
    """The scheduled computation (no user): None when the month is final already."""
    if PrecisionRanking.objects.filter(month=month.replace(day=1), is_final=True).exists():
        return None
    return _compute(actor=None, month=month, min_readings=MIN_READINGS)


def _compute(*, actor, month: datetime.date, min_readings: int) -> PrecisionRanking:
    if min_readings < 1:
        raise _invalid("min_readings", _("At least one reading is needed to rank a team."))
    month = month.replace(day=1)
    start, end = month_bounds(month)
    everything = _sums(start, end)
    total = sum(r[3] for r in everything)
    unassigned = sum(r[3] for r in everything if r[0] is None or r[2] is None)
    rows = [r for r in everything if r[0] is not None and r[2] is not None]
    products = RegrindProduct.objects.in_bulk({r[2] for r in rows})
    by_team: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        by_team[row[0]].append(_group_figures(row, products[row[2]]))
    names = dict(Team.objects.filter(pk__in=by_team).values_list("pk", "name"))
    teams = {team_id: _team_row(groups) for team_id, groups in by_team.items()}
    order = sorted(teams, key=lambda t: rank_key(teams[t], names[t]))
    with transaction.atomic():
        last = (
            PrecisionRanking.objects.select_for_update()
            .filter(month=month)
            .aggregate(m=Max("revision"))["m"]
        )
        if PrecisionRanking.objects.filter(month=month, is_final=True).exists():
            raise _invalid("month", _("This month's ranking is final; it is not computed again."))
        ranking = PrecisionRanking.objects.create(
            month=month,
            revision=(last or 0) + 1,
            rule_version=RULE_VERSION,
            computed_by=actor if getattr(actor, "pk", None) else None,
            readings=total or 0,
            unassigned=unassigned or 0,
            parameters={
                "min_readings": min_readings,
                "time_zone": settings.TIME_ZONE,
                "from": start.isoformat(),
                "to": end.isoformat(),
                "d2": D2,
                "order": "share within desc, mean |deviation| asc, Cpk desc, name",
            },
        )
        rank = 0
        entries = []
        for team_id in order:
            row = teams[team_id]
            eligible = row["readings"] >= min_readings
            if eligible:
                rank += 1
            entries.append(
                TeamPrecision(
                    ranking=ranking,
                    team_id=team_id,
                    rank=rank if eligible else None,
                    eligible=eligible,
                    inputs=by_team[team_id],
                    **row,
                )
            )
        TeamPrecision.objects.bulk_create(entries)
        record_change(actor=actor, instance=ranking, action=AuditAction.CREATE)
    return ranking


def ranking_finalize(*, user, ranking: PrecisionRanking) -> PrecisionRanking:
    """Make a revision the month's final ranking: the month must be over, and it must be the
    latest revision (a later computation would otherwise be ignored unseen)."""
    require_perm(user, "regrind.finalize_precisionranking")
    from django.utils import timezone

    with transaction.atomic():
        ranking = PrecisionRanking.objects.select_for_update().get(pk=ranking.pk)
        _start, end = month_bounds(ranking.month)
        if timezone.now() < end:
            raise _invalid("month", _("The month is not over yet."))
        latest = PrecisionRanking.objects.filter(month=ranking.month).aggregate(m=Max("revision"))
        if ranking.revision != latest["m"]:
            raise _invalid(
                "revision",
                _("Only the latest revision can be made final; open the latest revision."),
            )
        if ranking.is_final:
            return ranking
        ranking.is_final = True
        ranking.save(update_fields=["is_final"])
        record_change(actor=user, instance=ranking, action=AuditAction.UPDATE)
    return ranking
