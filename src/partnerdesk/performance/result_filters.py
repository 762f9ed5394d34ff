"""Filters and sortable columns of the credit-proposal list (the page and an API list alike)."""

import re
from typing import Annotated

from django.db.models import Q
from ninja import Field, FilterLookup
from pydantic import field_validator

from partnerdesk.core.schemas import InputFilterSchema
from partnerdesk.performance.choices import ProposalKind, ProposalStatus
from partnerdesk.performance.periods import parse_period

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class ProposalFilter(InputFilterSchema):
    q: Annotated[
        str | None,
        FilterLookup(
            [
                "contract__reference__icontains",
                "contract__partner__code__icontains",
                "contract__partner__legal_name__icontains",
            ]
        ),
    ] = Field(None, max_length=100, description="Search contract reference and partner")
    status: ProposalStatus | None = None
    kind: ProposalKind | None = None
    partner: Annotated[int | None, FilterLookup("contract__partner_id")] = Field(
        None, ge=1, le=2**31, description="Partner id"
    )
    period: str | None = Field(None, description="YYYY-MM")

    @field_validator("period")
    @classmethod
    def _month(cls, value):
        if value is not None and not _MONTH.match(value):
            raise ValueError("A period is written YYYY-MM, for example 2026-10.")
        return value

    def filter_period(self, value) -> Q:
        return Q(period=parse_period(value)) if value else Q()


PROPOSAL_SORTS = {
    "period": "period",
    "partner": "contract__partner__code",
    "contract": "contract__reference",
    "kind": "kind",
    "amount": "amount",
    "status": "status",
}
