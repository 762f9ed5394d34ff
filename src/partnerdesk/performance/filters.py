"""Filters and sortable columns of the performance lists, used by the pages and the API alike."""

from typing import Annotated

from ninja import Field, FilterLookup

from partnerdesk.core.schemas import InputFilterSchema
from partnerdesk.performance.choices import Aggregation, Direction, MetricSource


class MetricFilter(InputFilterSchema):
    q: Annotated[
        str | None,
        FilterLookup(["code__icontains", "name__icontains", "description__icontains"]),
    ] = Field(None, max_length=100, description="Search code, name and description")
    source: MetricSource | None = None
    aggregation: Aggregation | None = None
    direction: Direction | None = None


METRIC_SORTS = {
    "code": "code",
    "name": "name",
    "unit": "unit",
    "aggregation": "aggregation",
    "source": "source",
}
