"""Filters and sortable columns of the SPC lists (signals, ingests, charts, rankings), used by
the pages and the API alike."""

import datetime
from typing import Annotated

from django.db.models import Q
from ninja import Field, FilterLookup

from partnerdesk.core.schemas import InputFilterSchema
from partnerdesk.regrind.choices import ChartKind, IngestSource, IngestStatus, SignalStatus
from partnerdesk.regrind.engines.spc import RULES
from partnerdesk.regrind.rule_labels import DISPERSION_RULE

ID = Field(None, ge=1, le=2**31 - 1)
RULE_CODES = (*RULES, DISPERSION_RULE)


class SignalFilter(InputFilterSchema):
    line: Annotated[int | None, FilterLookup("line_id")] = ID
    chart: Annotated[int | None, FilterLookup("chart_id")] = ID
    unit: Annotated[int | None, FilterLookup("chart__unit_id")] = ID
    team: Annotated[int | None, FilterLookup("team_id")] = ID
    rule: Annotated[str | None, FilterLookup("rule")] = Field(
        None, max_length=4, description="Run rule code: " + ", ".join(RULE_CODES)
    )
    status: Annotated[str | None, FilterLookup("status")] = Field(
        None, max_length=15, description="open or acknowledged"
    )
    point_from: Annotated[datetime.date | None, FilterLookup("point_at__date__gte")] = None
    point_to: Annotated[datetime.date | None, FilterLookup("point_at__date__lte")] = None


SIGNAL_SORTS = {
    "point_at": "point_at",
    "rule": "rule",
    "line": "line__code",
    "unit": "chart__unit__code",
    "status": "status",
}
SIGNAL_STATUSES = SignalStatus.choices


class IngestFilter(InputFilterSchema):
    q: Annotated[str | None, FilterLookup("filename__icontains")] = Field(
        None, max_length=100, description="Search the file name"
    )
    source: Annotated[str | None, FilterLookup("source")] = Field(
        None, max_length=10, description=", ".join(IngestSource.values)
    )
    status: Annotated[str | None, FilterLookup("status")] = Field(
        None, max_length=10, description=", ".join(IngestStatus.values)
    )
    refused: bool | None = Field(None, description="Only ingests with refused rows (true)")
    started_from: Annotated[datetime.date | None, FilterLookup("started_at__date__gte")] = None
    started_to: Annotated[datetime.date | None, FilterLookup("started_at__date__lte")] = None

    def filter_refused(self, value: bool | None) -> Q:
        if value is None:
            return Q()
        return Q(refused__gt=0) if value else Q(refused=0)


INGEST_SORTS = {
    "started_at": "started_at",
    "rows": "rows",
    "stored": "stored",
    "refused": "refused",
    "status": "status",
}


class ChartFilter(InputFilterSchema):
    line: Annotated[int | None, FilterLookup("unit__line_id")] = ID
    unit: Annotated[int | None, FilterLookup("unit_id")] = ID
    kind: Annotated[str | None, FilterLookup("kind")] = Field(
        None, max_length=10, description=", ".join(ChartKind.values)
    )
    is_active: bool | None = None


CHART_SORTS = {"unit": "unit__code", "kind": "kind", "created_at": "created_at"}


MONTH_PATTERN = r"^[12][0-9]{3}-(0[1-9]|1[0-2])$"


def parse_month(value: str | None) -> datetime.date | None:
    """``YYYY-MM`` as the first day of that month; None when it is not one."""
    text = (value or "").strip()
    if len(text) != 7 or text[4] != "-" or not (text[:4] + text[5:]).isdigit():
        return None
    year, month = int(text[:4]), int(text[5:])
    return datetime.date(year, month, 1) if 1900 <= year <= 2999 and 1 <= month <= 12 else None


class RankingFilter(InputFilterSchema):
    month: str | None = Field(None, pattern=MONTH_PATTERN, description="YYYY-MM")
    is_final: bool | None = None

    def filter_month(self, value: str | None) -> Q:
        month = parse_month(value)
        return Q() if month is None else Q(month=month)


RANKING_SORTS = {"month": "month", "revision": "revision", "computed_at": "computed_at"}
