"""Regrind API, the SPC side (under ``/api/v1/regrind/``): machine posts and CSV files of
readings, ingests with their refused rows, control charts (limits, baselines, the analysed
window), signals and their acknowledgement, and the monthly precision rankings.

A post or file with refused rows still answers 200: its ``status`` and ``refused`` say what
happened, each refused row comes back with its row number and reasons, and a resend answers
its rows as ``duplicates``. A request that cannot be read at all is a 422. Reads go through
``restrict(user, action)``: what the user may not see is a 404 (lists are empty); writes
without the permission are a 403. Partner users see nothing of the module.
"""

import math
from dataclasses import asdict

from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status, UploadedFile
from ninja.pagination import paginate

from partnerdesk.core.errors import InvalidInput
from partnerdesk.core.listing import ApiPagination, apply_sort
from partnerdesk.core.services import require_perm
from partnerdesk.regrind import filters_spc as lists, selectors_plant, selectors_spc as selectors
from partnerdesk.regrind.schemas_spc import (
    AcknowledgeIn,
    BaselineIn,
    ChartDetailOut,
    ChartIn,
    ChartOut,
    ChartPatch,
    CsvIngestIn,
    DosingReadingsIn,
    IngestDetailOut,
    IngestOut,
    IngestResultOut,
    LimitsOut,
    PointsOut,
    RankingComputeIn,
    RankingDetailOut,
    RankingOut,
    SignalOut,
    WindowIn,
)
from partnerdesk.regrind.services import charts, ranking as rankings
from partnerdesk.regrind.services.ingest import readings_ingest_csv, readings_ingest_rows
from partnerdesk.regrind.services.ingest_messages import describe
from partnerdesk.regrind.services.signals import signal_acknowledge

router = Router(tags=["regrind"])

ERRORS = {400: dict, 401: dict, 403: dict, 404: dict, 409: dict, 422: dict}
MAX_REJECTIONS = 500


def _rejections(user, ingest) -> list[dict]:
    rows = selectors.ingest_rejections(user=user, ingest=ingest)[:MAX_REJECTIONS]
    return [{"row": r.row, "raw": r.raw, "errors": describe(r.errors)} for r in rows]


def _result(user, ingest) -> dict:
    return {
        "ingest": ingest.pk,
        "status": ingest.status,
        "rows": ingest.rows,
        "stored": ingest.stored,
        "duplicates": ingest.duplicates,
        "refused": ingest.refused,
        "rejections": _rejections(user, ingest),
    }


# --- readings and ingests ----------------------------------------------------------------------


@router.post("/readings", response={200: IngestResultOut, **ERRORS}, summary="Post readings")
def post_readings(request, payload: DosingReadingsIn):
    """A dosing machine's readings (up to 50,000 per post). Each row is stored, recognised as
    stored before (a resend), or refused with its reasons; ``strict`` stores nothing when any
    row is refused. The control charts of the units are checked after the post."""
    rows = [reading.dict() for reading in payload.readings]
    ingest = readings_ingest_rows(user=request.user, rows=rows, strict=payload.strict)
    return _result(request.user, ingest)


@router.post(
    "/readings/csv", response={200: IngestResultOut, **ERRORS}, summary="Upload a CSV file"
)
def post_readings_csv(request, meta: Form[CsvIngestIn], file: File[UploadedFile]):
    """An equipment CSV export (multipart ``file``): a header row naming the columns machine,
    timestamp, batch, regrind_kg, virgin_kg and ratio (or their aliases); ``check_only`` runs
    every check and stores nothing. A file whose header cannot be read is a 422."""
    ingest = readings_ingest_csv(
        user=request.user,
        stream=file,
        filename=file.name or "",
        strict=meta.strict,
        check_only=meta.check_only,
    )
    return _result(request.user, ingest)


@router.get("/ingests", response={200: list[IngestOut], **ERRORS}, summary="List ingests")
@paginate(ApiPagination)
def list_ingests(request, filters: Query[lists.IngestFilter], sort: str | None = None):
    qs = filters.filter(selectors.ingest_list(user=request.user))
    return apply_sort(qs, sort, lists.INGEST_SORTS, "-started_at")[0]


@router.get(
    "/ingests/{int:ingest_id}", response={200: IngestDetailOut, **ERRORS}, summary="An ingest"
)
def get_ingest(request, ingest_id: int):
    """With its first 500 refused rows, each with the reasons."""
    ingest = selectors.ingest_get(user=request.user, pk=ingest_id)
    ingest.rejection_rows = _rejections(request.user, ingest)
    return ingest


# --- charts ------------------------------------------------------------------------------------


def _detail(user, chart_id: int):
    chart = selectors.chart_get(user=user, pk=chart_id)
    chart.version_rows = list(selectors.limit_versions(user=user, chart=chart))
    return chart


@router.get("/charts", response={200: list[ChartOut], **ERRORS}, summary="List control charts")
@paginate(ApiPagination)
def list_charts(request, filters: Query[lists.ChartFilter], sort: str | None = None):
    qs = filters.filter(selectors.chart_list(user=request.user))
    return apply_sort(qs, sort, lists.CHART_SORTS, "unit")[0]


@router.post("/charts", response={201: ChartDetailOut, **ERRORS}, summary="Create a chart")
def create_chart(request, payload: ChartIn):
    """I-MR on single readings, or X̄-R / X̄-S on subgroups of ``subgroup_size`` (2 to 25)
    consecutive readings. Rules default to Western Electric 1 to 4 and the dispersion rule."""
    user = request.user
    require_perm(user, "regrind.add_controlchart")
    unit = selectors_plant.unit_list(user=user).filter(pk=payload.unit).first()
    if unit is None:
        raise InvalidInput(_("Unknown dosing unit."), fields={"unit": [_("Unknown dosing unit.")]})
    chart = charts.chart_create(
        user=user,
        unit=unit,
        kind=payload.kind,
        subgroup_size=payload.subgroup_size,
        rules=payload.rules,
    )
    return Status(201, _detail(user, chart.pk))


@router.get("/charts/{int:chart_id}", response={200: ChartDetailOut, **ERRORS}, summary="A chart")
def get_chart(request, chart_id: int):
    """With every limit version and its explanation (constants, formulas, baseline signals,
    capability)."""
    return _detail(request.user, chart_id)


@router.patch(
    "/charts/{int:chart_id}", response={200: ChartDetailOut, **ERRORS}, summary="Change a chart"
)
def update_chart(request, chart_id: int, payload: ChartPatch):
    """Switch run rules (codes we1-we4, n1-n8, d1) or the chart itself on or off."""
    user = request.user
    chart = selectors.chart_get(user=user, pk=chart_id, action="change")
    data = payload.dict(exclude_unset=True)
    charts.chart_update(
        user=user, chart=chart, rules=data.get("rules"), is_active=data.get("is_active")
    )
    return _detail(user, chart_id)


@router.post(
    "/charts/{int:chart_id}/baseline",
    response={201: LimitsOut, **ERRORS},
    summary="Set limits from a baseline",
)
def set_baseline(request, chart_id: int, payload: BaselineIn):
    """Compute limits from the unit's readings from ``start`` to ``end`` (at least 20 points)
    and put them in force as a new version."""
    user = request.user
    require_perm(user, "regrind.add_controllimits")
    chart = selectors.chart_get(user=user, pk=chart_id)
    limits = charts.chart_set_baseline(
        user=user, chart=chart, start=payload.start, end=payload.end, note=payload.note
    )
    return Status(201, limits)


@router.get(
    "/charts/{int:chart_id}/points",
    response={200: PointsOut, **ERRORS},
    summary="The analysed window of a chart",
)
def chart_points(request, chart_id: int, window: Query[WindowIn]):
    """The last ``last`` points, or the points from ``start`` to ``end``: values and times
    (the last 2,000), the limits in force (or phase-I limits of the window when none are set),
    the rule signals with the chart's rules, dispersion breaches and capability against the
    product of the window's last reading."""
    chart = selectors.chart_get(user=request.user, pk=chart_id)
    start, end = window.start, window.end
    if start and end and start >= end:
        message = _("The window must end after it starts.")
        raise InvalidInput(message, fields={"end": [message]})
    bounds = {"start": start, "end": end} if start or end else {"last": window.last}
    return _points(selectors.chart_analysis(chart, **bounds))


def _points(result) -> dict:
    flags = result.flags()
    for index, codes in result.dispersion_flags().items():
        flags.setdefault(index, []).extend(codes)
    first = result.shown_from
    dispersion = result.dispersion.tolist()
    limits = result.limits
    product = result.product
    return {
        "chart": result.chart.pk,
        "kind": result.chart.kind,
        "subgroup_size": result.chart.subgroup_size,
        "readings": result.readings,
        "points": result.points,
        "returned": result.points - first,
        "limits": None if limits is None else {**vars(limits), "zone_sigma": limits.zone_sigma},
        "note": result.note,
        "items": [
            {
                "index": i,
                "at": result.times.get(i),
                "value": value,
                "dispersion": None if math.isnan(dispersion[i]) else dispersion[i],
                "rules": flags.get(i, []),
            }
            for i, value in enumerate(result.values.tolist()[first:], start=first)
        ],
        "rule_counts": [
            {"rule": code, "label": label, "count": count}
            for code, label, count in result.rule_counts()
        ],
        "signals": result.latest_signals(),
        "product": None
        if product is None
        else {
            "code": product.code,
            "target": float(product.target_ratio),
            "lsl": float(product.lsl),
            "usl": float(product.usl),
            "max": float(product.max_ratio),
        },
        "capability": None if result.capability is None else asdict(result.capability),
    }


# --- signals -----------------------------------------------------------------------------------


@router.get("/signals", response={200: list[SignalOut], **ERRORS}, summary="List signals")
@paginate(ApiPagination)
def list_signals(request, filters: Query[lists.SignalFilter], sort: str | None = None):
    qs = filters.filter(selectors.signal_list(user=request.user))
    return apply_sort(qs, sort, lists.SIGNAL_SORTS, "-point_at")[0]


@router.post(
    "/signals/{int:signal_id}/acknowledge",
    response={200: SignalOut, **ERRORS},
    summary="Acknowledge a signal",
)
def acknowledge_signal(request, signal_id: int, payload: AcknowledgeIn):
    """With a note on the cause and the action taken; a second acknowledgement is a 409."""
    user = request.user
    require_perm(user, "regrind.change_signal")
    signal = selectors.signal_get(user=user, pk=signal_id, action="change")
    signal_acknowledge(
        user=user, signal=signal, note=payload.note, with_earlier=payload.with_earlier
    )
    return selectors.signal_get(user=user, pk=signal_id)


# --- rankings ----------------------------------------------------------------------------------


def _ranking(user, ranking_id: int):
    found = selectors.ranking_get(user=user, pk=ranking_id)
    found.team_rows = list(selectors.ranking_teams(user=user, ranking=found))
    return found


@router.get("/rankings", response={200: list[RankingOut], **ERRORS}, summary="List rankings")
@paginate(ApiPagination)
def list_rankings(request, filters: Query[lists.RankingFilter], sort: str | None = None):
    """Every computed revision; ``month=YYYY-MM`` for one month's."""
    qs = filters.filter(selectors.ranking_list(user=request.user))
    return apply_sort(qs, sort, lists.RANKING_SORTS, "-month")[0]


@router.get(
    "/rankings/{int:ranking_id}", response={200: RankingDetailOut, **ERRORS}, summary="A ranking"
)
def get_ranking(request, ranking_id: int):
    """With each team's figures and their inputs per line and product."""
    return _ranking(request.user, ranking_id)


@router.post("/rankings", response={201: RankingDetailOut, **ERRORS}, summary="Compute a ranking")
def compute_ranking(request, payload: RankingComputeIn):
    """Compute the month from the readings now stored, as a new revision (refused once the
    month's ranking is final)."""
    user = request.user
    require_perm(user, "regrind.add_precisionranking")
    month = lists.parse_month(payload.month)
    if month is None:
        message = _("Give a month from 1900-01 to 2999-12.")
        raise InvalidInput(message, fields={"month": [message]})
    done = rankings.ranking_compute(user=user, month=month, min_readings=payload.min_readings)
    return Status(201, _ranking(user, done.pk))


@router.post(
    "/rankings/{int:ranking_id}/finalize",
    response={200: RankingDetailOut, **ERRORS},
    summary="Make a revision final",
)
def finalize_ranking(request, ranking_id: int):
    """The month must be over and the revision the latest."""
    user = request.user
    require_perm(user, "regrind.finalize_precisionranking")
    found = selectors.ranking_get(user=user, pk=ranking_id)
    rankings.ranking_finalize(user=user, ranking=found)
    return _ranking(user, ranking_id)
