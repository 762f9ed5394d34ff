"""Filters and sortable columns of the quality lists, used by the pages and the API alike."""

import datetime
from typing import Annotated

from django.db.models import Q
from ninja import Field, FilterLookup

from partnerdesk.core.schemas import InputFilterSchema
from partnerdesk.quality.choices import (
    ActionStatus,
    AuditStatus,
    CostKind,
    Disposition,
    LotStatus,
    NCSeverity,
    NCSource,
    NCStatus,
    Severity,
)

ID = Field(None, ge=1, le=2**31)


class AuditFilter(InputFilterSchema):
    q: Annotated[
        str | None,
        FilterLookup(
            ["number__icontains", "partner__code__icontains", "partner__legal_name__icontains"]
        ),
    ] = Field(None, max_length=100, description="Search audit number and partner")
    partner: Annotated[int | None, FilterLookup("partner_id")] = ID
    template: Annotated[int | None, FilterLookup("template_id")] = ID
    auditor: Annotated[int | None, FilterLookup("auditor_id")] = ID
    status: AuditStatus | None = None
    grade: Annotated[str | None, FilterLookup("grade")] = Field(None, pattern="^[ABC]$")
    planned_from: Annotated[datetime.date | None, FilterLookup("planned_date__gte")] = None
    planned_to: Annotated[datetime.date | None, FilterLookup("planned_date__lte")] = None


AUDIT_SORTS = {
    "number": "number",
    "partner": "partner__code",
    "planned_date": "planned_date",
    "status": "status",
    "score": "score",
}


class TemplateFilter(InputFilterSchema):
    q: Annotated[str | None, FilterLookup(["code__icontains", "name__icontains"])] = Field(
        None, max_length=100, description="Search code and name"
    )
    is_active: bool | None = None


TEMPLATE_SORTS = {"code": "code", "name": "name"}


class ScheduleFilter(InputFilterSchema):
    partner: Annotated[int | None, FilterLookup("partner_id")] = ID
    template: Annotated[int | None, FilterLookup("template_id")] = ID
    is_active: bool | None = None


SCHEDULE_SORTS = {"next_due": "next_due", "partner": "partner__code"}


class StandardFilter(InputFilterSchema):
    q: Annotated[
        str | None, FilterLookup(["code__icontains", "name__icontains", "item__icontains"])
    ] = Field(None, max_length=100, description="Search code, name and item")
    category: Annotated[int | None, FilterLookup("category_id")] = ID
    is_active: bool | None = None


STANDARD_SORTS = {"code": "code", "name": "name", "item": "item"}


class LotFilter(InputFilterSchema):
    q: Annotated[
        str | None,
        FilterLookup(
            [
                "number__icontains",
                "partner__code__icontains",
                "receipt_line__receipt__number__icontains",
                "receipt_line__order_line__item__icontains",
            ]
        ),
    ] = Field(None, max_length=100, description="Search lot number, partner, delivery note, item")
    partner: Annotated[int | None, FilterLookup("partner_id")] = ID
    standard: Annotated[int | None, FilterLookup("standard_id")] = ID
    status: LotStatus | None = None
    severity: Severity | None = None
    disposition: Disposition | None = None
    decided_from: Annotated[datetime.date | None, FilterLookup("decided_at__date__gte")] = None
    decided_to: Annotated[datetime.date | None, FilterLookup("decided_at__date__lte")] = None


LOT_SORTS = {
    "number": "number",
    "partner": "partner__code",
    "created_at": "created_at",
    "decided_at": "decided_at",
    "status": "status",
}


class NonconformanceFilter(InputFilterSchema):
    q: Annotated[
        str | None,
        FilterLookup(["number__icontains", "title__icontains", "partner__code__icontains"]),
    ] = Field(None, max_length=100, description="Search number, title and partner")
    partner: Annotated[int | None, FilterLookup("partner_id")] = ID
    defect_type: Annotated[int | None, FilterLookup("defect_type_id")] = ID
    source: NCSource | None = None
    severity: NCSeverity | None = None
    status: NCStatus | None = None
    repeat: bool | None = Field(None, description="Only repeats (true) or only first times")
    detected_from: Annotated[datetime.date | None, FilterLookup("detected_on__gte")] = None
    detected_to: Annotated[datetime.date | None, FilterLookup("detected_on__lte")] = None

    def filter_repeat(self, value: bool | None) -> Q:
        return Q() if value is None else Q(repeat_of__isnull=not value)


NC_SORTS = {
    "number": "number",
    "detected_on": "detected_on",
    "severity": "severity",
    "status": "status",
    "partner": "partner__code",
}


class ActionFilter(InputFilterSchema):
    q: Annotated[
        str | None,
        FilterLookup(
            ["number__icontains", "nonconformance__title__icontains", "partner__code__icontains"]
        ),
    ] = Field(None, max_length=100, description="Search number, title and partner")
    partner: Annotated[int | None, FilterLookup("partner_id")] = ID
    status: ActionStatus | None = None
    opened_from: Annotated[datetime.date | None, FilterLookup("opened_at__date__gte")] = None
    opened_to: Annotated[datetime.date | None, FilterLookup("opened_at__date__lte")] = None


ACTION_SORTS = {"number": "number", "opened_at": "opened_at", "status": "status"}


class CostFilter(InputFilterSchema):
    q: Annotated[str | None, FilterLookup(["description__icontains"])] = Field(
        None, max_length=100, description="Search the description"
    )
    partner: Annotated[int | None, FilterLookup("partner_id")] = ID
    team: Annotated[int | None, FilterLookup("team_id")] = ID
    kind: CostKind | None = None
    chargeback: bool | None = None
    occurred_from: Annotated[datetime.date | None, FilterLookup("occurred_on__gte")] = None
    occurred_to: Annotated[datetime.date | None, FilterLookup("occurred_on__lte")] = None


COST_SORTS = {"occurred_on": "occurred_on", "amount": "amount", "kind": "kind"}
