"""Reads of the SPC side for pages and endpoints: control charts and their analysis, limit
versions, signals, ingests and their refused rows, rankings, and the figures of the plant and
line dashboards. Rows are read through ``restrict(user, action)``.

``chart_analysis`` reads a window of a unit's ratios as arrays (``series``) and does the rest
in numpy (``engines.spc``): points, limits, run rules, dispersion breaches and capability, so a
window of a million readings costs no per-point ORM work. Times are read, by id, only for the
points shown (the last ``MAX_SHOWN``) and the latest signals.
"""

import datetime
from dataclasses import dataclass, field

import numpy as np
from django.db import connection
from django.db.models import Case, Count, F, FloatField, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Abs, Cast, Greatest, Least
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from partnerdesk.regrind import series
from partnerdesk.regrind.choices import SignalStatus
from partnerdesk.regrind.engines import spc
from partnerdesk.regrind.engines.rules import SignalArrays
from partnerdesk.regrind.models import (
    ControlChart,
    ControlLimits,
    PrecisionRanking,
    ProductionLine,
    ProductRun,
    Reading,
    ReadingIngest,
    RegrindProduct,
    RejectedReading,
    Signal,
    TeamPrecision,
)
from partnerdesk.regrind.rule_labels import DISPERSION_RULE, rule_label

MAX_SHOWN = 2000  # points drawn on the page (and returned by the API) with their times
LATEST_SIGNALS = 50  # window signals listed with their times
UTC = datetime.UTC


# --- charts, limits, signals -------------------------------------------------------------------


def chart_list(*, user, action: str = "view"):
    return ControlChart.objects.restrict(user, action).select_related("unit__line", "limits")


def chart_get(*, user, pk, action: str = "view") -> ControlChart:
    return chart_list(user=user, action=action).get(pk=pk)


def limit_versions(*, user, chart):
    return (
        ControlLimits.objects.restrict(user)
        .filter(chart=chart)
        .select_related("created_by")
        .order_by("-version")
    )


def signal_list(*, user, action: str = "view"):
    return Signal.objects.restrict(user, action).select_related(
        "chart__unit", "line", "team", "limits", "acknowledged_by"
    )


def signal_get(*, user, pk, action: str = "view") -> Signal:
    return signal_list(user=user, action=action).get(pk=pk)


# --- ingests -----------------------------------------------------------------------------------


def ingest_list(*, user):
    """Every ingest to who may read the readings; to an account that only sends them (a dosing
    machine's), the ingests it sent."""
    rows = ReadingIngest.objects.restrict(user).select_related("started_by")
    if not user.has_perm("regrind.view_reading"):
        rows = rows.filter(started_by_id=user.pk) if user.pk else rows.none()
    return rows


def ingest_get(*, user, pk) -> ReadingIngest:
    return ingest_list(user=user).get(pk=pk)


def ingest_rejections(*, user, ingest: ReadingIngest):
    """The refused rows of an ingest: to whoever may read refused rows, and to whoever sent
    the ingest (a machine's account reads what it was refused)."""
    if ingest.started_by_id is not None and ingest.started_by_id == user.pk:
        rows = RejectedReading.objects.filter(ingest=ingest)
    else:
        rows = RejectedReading.objects.restrict(user).filter(ingest=ingest)
    return rows.order_by("row")


# --- rankings ----------------------------------------------------------------------------------


def ranking_list(*, user):
    return PrecisionRanking.objects.restrict(user).select_related("computed_by")


def ranking_get(*, user, pk, action: str = "view") -> PrecisionRanking:
    return PrecisionRanking.objects.restrict(user, action).select_related("computed_by").get(pk=pk)


def ranking_for_month(*, user, month: datetime.date) -> PrecisionRanking | None:
    """The month's final revision, else its latest."""
    rows = ranking_list(user=user).filter(month=month.replace(day=1))
    return rows.order_by("-is_final", "-revision").first()


def ranking_teams(*, user, ranking):
    return (
        TeamPrecision.objects.restrict(user)
        .filter(ranking=ranking)
        .select_related("team")
        .order_by(F("rank").asc(nulls_last=True), "team__name")
    )


def line_codes(*, user, ids) -> dict[int, str]:
    return dict(ProductionLine.objects.restrict(user).filter(pk__in=ids).values_list("pk", "code"))


# --- figures of the dashboards -----------------------------------------------------------------


def _spec_fields():
    target = Cast("product__target_ratio", FloatField())
    tolerance = Cast("product__tolerance", FloatField())
    maximum = Cast("product__max_ratio", FloatField())
    lsl = Greatest(Value(0.0, output_field=FloatField()), target - tolerance)
    usl = Least(target + tolerance, maximum)
    return target, lsl, usl


def reading_figures(*, user, unit_ids, since, until=None, by: tuple[str, ...] = ("line_id",)):
    """Readings of the units from ``since`` grouped by ``by``: count, those with a product
    (judged), within the product's tolerance, and the sums of the deviation from target."""
    target, lsl, usl = _spec_fields()
    rows = Reading.objects.restrict(user).filter(unit_id__in=list(unit_ids), taken_at__gte=since)
    if until is not None:
        rows = rows.filter(taken_at__lt=until)
    judged = Q(product__isnull=False)
    inside = When(judged & Q(ratio__gte=lsl, ratio__lte=usl), then=1)
    rows = rows.values(*by).annotate(
        readings=Count("id"),
        judged=Count("product_id"),
        within=Sum(Case(inside, default=0, output_field=IntegerField())),
        sum_abs_dev=Sum(Abs(F("ratio") - target), filter=judged),
        sum_dev=Sum(F("ratio") - target, filter=judged),
    )
    return [_with_shares(row) for row in rows.order_by(*by)]


def _with_shares(row: dict) -> dict:
    judged = row["judged"]
    row["share_within"] = (row["within"] or 0) / judged if judged else None
    row["mean_abs_dev"] = (row["sum_abs_dev"] or 0) / judged if judged else None
    row["mean_dev"] = (row["sum_dev"] or 0) / judged if judged else None
    return row


def products_running(*, user, lines, at) -> dict[int, RegrindProduct]:
    runs = (
        ProductRun.objects.restrict(user)
        .filter(line__in=lines, starts_at__lte=at)
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=at))
        .select_related("product")
        .order_by("line_id", "-starts_at")
    )
    found: dict[int, RegrindProduct] = {}
    for run in runs:
        found.setdefault(run.line_id, run.product)
    return found


def open_signal_counts(*, user) -> dict[int, int]:
    rows = Signal.objects.restrict(user).filter(status=SignalStatus.OPEN)
    return dict(rows.values("line_id").annotate(n=Count("id")).values_list("line_id", "n"))


def first_charts(*, user, units) -> dict[int, ControlChart]:
    """The first (oldest) active chart of each unit."""
    charts = chart_list(user=user).filter(unit__in=units, is_active=True).order_by("unit_id", "pk")
    found: dict[int, ControlChart] = {}
    for chart in charts:
        found.setdefault(chart.unit_id, chart)
    return found


# --- the analysis of a chart's window ----------------------------------------------------------


@dataclass
class ChartLimits:
    """The limits a window is judged against: those in force, or phase-I limits computed from
    the window itself (``phase_one``) when the chart has none yet."""

    center: float
    ucl: float
    lcl: float
    sigma: float
    dispersion_center: float
    dispersion_ucl: float
    dispersion_lcl: float
    phase_one: bool
    version: int | None = None
    constants: dict = field(default_factory=dict)

    @property
    def zone_sigma(self) -> float:
        return (self.ucl - self.center) / 3.0


@dataclass
class Analysis:
    chart: ControlChart
    readings: int
    values: np.ndarray  # the plotted points (readings or subgroup statistics)
    dispersion: np.ndarray  # moving ranges, ranges or standard deviations (NaN: none)
    point_ids: np.ndarray  # the reading that completes each point
    limits: ChartLimits | None
    signals: SignalArrays
    breaches: np.ndarray  # points whose dispersion is beyond its limits
    note: str = ""
    product: RegrindProduct | None = None
    capability: spc.Capability | None = None
    times: dict[int, datetime.datetime] = field(default_factory=dict)  # point -> time

    @property
    def points(self) -> int:
        return len(self.values)

    @property
    def shown_from(self) -> int:
        return max(0, self.points - MAX_SHOWN)

    def flags(self) -> dict[int, list[str]]:
        """Rule codes of the shown points that signal (location chart)."""
        found: dict[int, list[str]] = {}
        keep = self.signals.index >= self.shown_from
        for index, rule in zip(
            self.signals.index[keep].tolist(), self.signals.rule[keep].tolist(), strict=True
        ):
            found.setdefault(index, []).append(rule)
        return found

    def dispersion_flags(self) -> dict[int, list[str]]:
        return {int(i): [DISPERSION_RULE] for i in self.breaches if i >= self.shown_from}

    def rule_counts(self) -> list[tuple[str, str, int]]:
        codes, counts = np.unique(self.signals.rule, return_counts=True)
        rows = [(str(c), rule_label(str(c)), int(k)) for c, k in zip(codes, counts, strict=True)]
        if len(self.breaches):
            rows.append((DISPERSION_RULE, rule_label(DISPERSION_RULE), len(self.breaches)))
        return rows

    def latest_signals(self, count: int = LATEST_SIGNALS) -> list[dict]:
        take = slice(max(0, len(self.signals.index) - count), None)
        rows = zip(
            self.signals.index[take].tolist(),
            self.signals.rule[take].tolist(),
            self.signals.first_index[take].tolist(),
            self.signals.value[take].tolist(),
            strict=True,
        )
        return [
            {
                "index": index,
                "rule": rule,
                "label": rule_label(rule),
                "value": value,
                "at": self.times.get(index),
                "first_at": self.times.get(first),
            }
            for index, rule, first, value in reversed(list(rows))
        ]


def _aware(value):
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


LIMIT_FIELDS = (
    "center",
    "ucl",
    "lcl",
    "sigma",
    "dispersion_center",
    "dispersion_ucl",
    "dispersion_lcl",
)


def _stored_limits(row: ControlLimits) -> ChartLimits:
    constants = dict(row.explanation.get("constants") or {})
    values = {name: getattr(row, name) for name in LIMIT_FIELDS}
    return ChartLimits(**values, phase_one=False, version=row.version, constants=constants)


def _window_limits(chart, values) -> tuple[ChartLimits | None, str]:
    try:
        found = spc.limits_for(chart.kind, values, chart.subgroup_size)
    except ValueError:
        return None, _("Too few readings in the window to compute limits.")
    if found.sigma <= 0:
        return None, _("The readings of the window do not vary; no limits can be computed.")
    values = {name: getattr(found, name) for name in LIMIT_FIELDS}
    return ChartLimits(**values, phase_one=True, constants=found.constants), ""


def analyse(chart: ControlChart, ids: np.ndarray, values: np.ndarray) -> Analysis:
    """Points, limits, rule signals and dispersion breaches of readings in time order (pure
    numpy; no queries)."""
    n = chart.subgroup_size
    usable = len(values) // n * n
    ids, values = ids[:usable], values[:usable]
    if usable:
        location, dispersion = spc.chart_points(chart.kind, values, n)
    else:
        location, dispersion = np.empty(0), np.empty(0)
    if chart.limits_id and chart.limits is not None:
        limits, note = _stored_limits(chart.limits), ""
    else:
        limits, note = _window_limits(chart, values)
    signals = spc.evaluate_arrays(np.empty(0), 0.0, 1.0, [])
    breaches = np.empty(0, dtype=np.int64)
    if limits is not None and limits.zone_sigma > 0 and len(location):
        codes = [r for r in chart.rules if r in spc.RULES]
        signals = spc.evaluate_arrays(
            location, limits.center, limits.zone_sigma, codes, lcl=limits.lcl, ucl=limits.ucl
        )
        with np.errstate(invalid="ignore"):
            beyond = dispersion > limits.dispersion_ucl
            if limits.dispersion_lcl > 0:
                beyond |= dispersion < limits.dispersion_lcl
        breaches = np.flatnonzero(np.nan_to_num(beyond, nan=0).astype(bool))
    return Analysis(
        chart=chart,
        readings=usable,
        values=location,
        dispersion=dispersion,
        point_ids=ids[n - 1 :: n],
        limits=limits,
        signals=signals,
        breaches=breaches,
        note=note,
    )


def _last_readings(unit_id: int, count: int) -> tuple[np.ndarray, np.ndarray]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, ratio FROM regrind_reading WHERE unit_id = %s "
            "ORDER BY taken_at DESC LIMIT %s",
            [unit_id, count],
        )
        rows = cursor.fetchall()[::-1]
    if not rows:
        return np.empty(0, dtype=np.int64), np.empty(0)
    ids, values = zip(*rows, strict=True)
    return np.asarray(ids, dtype=np.int64), np.asarray(values, dtype=float)


def chart_analysis(
    chart: ControlChart,
    *,
    start: datetime.datetime | None = None,
    end: datetime.datetime | None = None,
    last: int = 300,
) -> Analysis:
    """The window of a chart, analysed: readings from ``start`` to ``end`` (both inclusive),
    or, with neither, the last ``last`` plotted points; capability over the window's readings
    against the specification of the product of its last reading."""
    n = chart.subgroup_size
    if start is None and end is None:
        ids, values = _last_readings(chart.unit_id, max(1, last) * n)
    else:
        ids, values = series.ratios(chart.unit_id, start=start, end=end)
    result = analyse(chart, ids, values)
    if not result.points:
        return result
    shown = set(range(result.shown_from, result.points))
    latest = result.signals.index[-LATEST_SIGNALS:].tolist()
    shown.update(latest)
    shown.update(result.signals.first_index[-LATEST_SIGNALS:].tolist())
    wanted = {int(result.point_ids[i]): i for i in shown}
    last_id = int(result.point_ids[-1])
    product_id = None
    for pk, taken_at, product in Reading.objects.filter(pk__in=list(wanted)).values_list(
        "pk", "taken_at", "product_id"
    ):
        result.times[wanted[pk]] = taken_at
        if pk == last_id:
            product_id = product
    if product_id is not None:
        result.product = RegrindProduct.objects.filter(pk=product_id).first()
    if result.product is not None and result.limits is not None and result.readings >= 2:
        try:
            result.capability = spc.capability(
                values[: result.readings],
                lsl=float(result.product.lsl),
                usl=float(result.product.usl),
                sigma_within=result.limits.sigma,
            )
        except ValueError:
            result.capability = None
    return result


_LAST_OF_UNIT = (
    "SELECT * FROM (SELECT unit_id, id, ratio, taken_at FROM regrind_reading "
    "WHERE unit_id = %s ORDER BY taken_at DESC LIMIT %s) AS w"
)


def chart_sparklines(charts, *, last: int = 100) -> dict[int, Analysis]:
    """The last ``last`` points of several charts (of different units) in one query, each
    analysed, with the times of their points."""
    charts = list(charts)
    if not charts:
        return {}
    params = [v for chart in charts for v in (chart.unit_id, last * chart.subgroup_size)]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join([_LAST_OF_UNIT] * len(charts)), params)
        rows = cursor.fetchall()
    by_unit: dict[int, list] = {}
    for unit_id, pk, ratio, taken_at in rows:
        by_unit.setdefault(unit_id, []).append((taken_at, pk, ratio))
    found = {}
    for chart in charts:
        readings = sorted(by_unit.get(chart.unit_id, []), key=lambda r: _aware(r[0]))
        ids = np.asarray([r[1] for r in readings], dtype=np.int64)
        values = np.asarray([r[2] for r in readings], dtype=float)
        result = analyse(chart, ids, values)
        times = {pk: _aware(t) for t, pk, _ratio in readings}
        result.times = {i: times[int(pk)] for i, pk in enumerate(result.point_ids.tolist())}
        found[chart.pk] = result
    return found
