"""Filters and sortable columns of the contract list, used by the page and the API alike."""

import datetime
from typing import Annotated

from django.db.models import Q
from django.utils import timezone
from ninja import Field, FilterLookup

from partnerdesk.contracts.choices import ContractStatus
from partnerdesk.core.schemas import InputFilterSchema


class ContractFilter(InputFilterSchema):
    q: Annotated[
        str | None,
        FilterLookup(["reference__icontains", "title__icontains", "partner__code__icontains"]),
    ] = Field(None, max_length=100, description="Search reference, title and partner code")
    status: ContractStatus | None = None
    partner: Annotated[int | None, FilterLookup("partner_id")] = Field(
        None, ge=1, le=2**31, description="Partner id"
    )
    expiring_within: int | None = Field(
        None,
        ge=0,
        le=3660,
        description="Contracts in force whose end date falls within this many days from today",
    )

    def filter_expiring_within(self, days: int | None) -> Q:
        if days is None:
            return Q()
        today = timezone.localdate()
        return Q(end_date__gte=today, end_date__lte=today + datetime.timedelta(days=days)) & ~Q(
            status__in=[ContractStatus.EXPIRED, ContractStatus.TERMINATED]
        )


CONTRACT_SORTS = {
    "reference": "reference",
    "title": "title",
    "partner": "partner__code",
    "status": "status",
    "start": "start_date",
    "end": "end_date",
    "fee": "monthly_fee",
    "review": "next_review_date",
}
