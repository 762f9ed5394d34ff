"""Filters and sortable columns of the plant set-up lists, used by the pages and the API
alike."""

import datetime
from typing import Annotated

from django.db.models import Q
from ninja import Field, FilterLookup

from partnerdesk.core.schemas import InputFilterSchema

ID = Field(None, ge=1, le=2**31 - 1)


class ProductionLineFilter(InputFilterSchema):
    q: Annotated[str | None, FilterLookup(["code__icontains", "name__icontains"])] = Field(
        None, max_length=100, description="Search code and name"
    )
    manager: Annotated[int | None, FilterLookup("manager_id")] = ID
    is_active: bool | None = None


LINE_SORTS = {
    "code": "code",
    "name": "name",
    "manager": "manager__full_name",
    "units": "unit_count",
}


class DosingUnitFilter(InputFilterSchema):
    q: Annotated[
        str | None, FilterLookup(["code__icontains", "name__icontains", "line__code__icontains"])
    ] = Field(None, max_length=100, description="Search machine id, name and line")
    line: Annotated[int | None, FilterLookup("line_id")] = ID
    is_active: bool | None = None


UNIT_SORTS = {"code": "code", "name": "name", "line": "line__code"}


class RegrindProductFilter(InputFilterSchema):
    q: Annotated[str | None, FilterLookup(["code__icontains", "name__icontains"])] = Field(
        None, max_length=100, description="Search code and name"
    )
    currency: Annotated[str | None, FilterLookup("currency")] = Field(
        None, min_length=3, max_length=3
    )
    is_active: bool | None = None


PRODUCT_SORTS = {
    "code": "code",
    "name": "name",
    "target_ratio": "target_ratio",
    "max_ratio": "max_ratio",
}


class ProductRunFilter(InputFilterSchema):
    line: Annotated[int | None, FilterLookup("line_id")] = ID
    product: Annotated[int | None, FilterLookup("product_id")] = ID
    running: bool | None = Field(None, description="Only open runs (true) or only ended ones")
    starts_from: Annotated[datetime.date | None, FilterLookup("starts_at__date__gte")] = None
    starts_to: Annotated[datetime.date | None, FilterLookup("starts_at__date__lte")] = None

    def filter_running(self, value: bool | None) -> Q:
        return Q() if value is None else Q(ends_at__isnull=value)


RUN_SORTS = {
    "starts_at": "starts_at",
    "ends_at": "ends_at",
    "line": "line__code",
    "product": "product__code",
}


class ShiftFilter(InputFilterSchema):
    q: Annotated[str | None, FilterLookup(["code__icontains", "name__icontains"])] = Field(
        None, max_length=100, description="Search code and name"
    )


SHIFT_SORTS = {"start_time": "start_time", "code": "code", "name": "name", "hours": "hours"}


class ShiftAssignmentFilter(InputFilterSchema):
    line: Annotated[int | None, FilterLookup("line_id")] = ID
    team: Annotated[int | None, FilterLookup("team_id")] = ID
    shift: Annotated[int | None, FilterLookup("shift_id")] = ID
    starts_from: Annotated[datetime.date | None, FilterLookup("starts_at__date__gte")] = None
    starts_to: Annotated[datetime.date | None, FilterLookup("starts_at__date__lte")] = None


ASSIGNMENT_SORTS = {"starts_at": "starts_at", "line": "line__code", "team": "team__name"}
