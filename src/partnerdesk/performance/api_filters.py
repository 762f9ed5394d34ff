"""Filters and sortable columns of the performance API lists that have no page of their own
(the metric and credit-proposal lists share the pages' filters in ``filters.py`` and
``result_filters.py``).

Periods are filtered as ``YYYY-MM`` and checked before they reach a query, so a malformed one
is a 422 on ``period``.
"""

from typing import Annotated

from django.db.models import Q
from ninja import Field, FilterLookup

from partnerdesk.core.schemas import InputFilterSchema
from partnerdesk.performance.result_filters import ProposalFilter
from partnerdesk.performance.schemas import PeriodIn, period_date

IdFilter = Field(None, ge=1, le=2**31 - 1)
CodeFilter = Field(None, max_length=40)


class _PeriodFilter(InputFilterSchema):
    period: PeriodIn | None = None

    def filter_period(self, value):
        return Q(period=period_date(value)) if value else Q()


class ServiceLevelFilter(InputFilterSchema):
    contract: Annotated[int | None, FilterLookup("contract_id")] = IdFilter
    metric: Annotated[str | None, FilterLookup("metric__code")] = CodeFilter


class MeasurementFilter(_PeriodFilter):
    contract: Annotated[int | None, FilterLookup("contract_id")] = IdFilter
    metric: Annotated[str | None, FilterLookup("metric__code")] = Field(
        None, max_length=40, description="Metric code"
    )
    current: bool = Field(True, description="Only current values (false: with corrected ones)")

    def filter_current(self, value):
        return Q(is_current=True) if value else Q()


MEASUREMENT_SORTS = {
    "measured_on": "measured_on",
    "contract": "contract__reference",
    "metric": "metric__code",
    "created": "created_at",
}


class PeriodCloseFilter(_PeriodFilter):
    standing: bool | None = Field(None, description="true: only closes not reopened")

    def filter_standing(self, value):
        return Q() if value is None else Q(reopened_at__isnull=value)


class CreditProposalFilter(ProposalFilter):
    """The page's proposal filter, with the period checked to a real month and a contract."""

    period: PeriodIn | None = None
    contract: Annotated[int | None, FilterLookup("contract_id")] = IdFilter

    def filter_period(self, value):
        return Q(period=period_date(value)) if value else Q()


class ScoreFilter(_PeriodFilter):
    partner: Annotated[int | None, FilterLookup("partner_id")] = IdFilter
    current: bool = Field(True, description="Only scores of closes not reopened")

    def filter_current(self, value):
        return Q(period_close__reopened_at__isnull=True) if value else Q()


SCORE_SORTS = {
    "period": "period",
    "partner": "partner__code",
    "score": "score",
    "overall": "overall",
}
