"""API shapes of the contracts app, and the small types the performance API shares.

Money and other decimals go out as strings (``"6000.00"``) next to their currency, so no
client reads them as floats; dates are ISO. Input dates are bounded to years 1900-2999: date
arithmetic on year 1 or 9999 (a notice deadline, the month after) would fail as a server error.
"""

import datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, FilterLookup, Schema
from pydantic import BeforeValidator, StringConstraints

from partnerdesk.contracts.choices import (
    ContractStatus,
    DeliverableKind,
    DeliverableStatus,
    RaciRole,
)
from partnerdesk.contracts.filters import ContractFilter
from partnerdesk.core.schemas import InputSchema


def Fixed(places: int):
    """A Decimal written as a string with the column's decimal places ("12.50"), the same
    whether the row was just saved (holding the value as given) or read back."""

    def text(value):
        if isinstance(value, Decimal | int):
            return format(Decimal(value).quantize(Decimal(1).scaleb(-places)), "f")
        return value

    return Annotated[str, BeforeValidator(text)]


Money = Fixed(2)
Day = Annotated[
    datetime.date,
    Field(ge=datetime.date(1900, 1, 1), le=datetime.date(2999, 12, 31), description="YYYY-MM-DD"),
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]
SmallCount = Annotated[int, Field(ge=0, le=32767)]
Money16 = Annotated[Decimal, Field(ge=0, max_digits=16, decimal_places=2)]
Money14 = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
Percent = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)]
Currency = Annotated[str, Field(min_length=3, max_length=3, description="ISO 4217")]


class ContractOut(Schema):
    id: int
    partner_id: int
    partner_code: str = Field(..., alias="partner.code")
    reference: str
    title: str
    outsourced_scope: str
    objectives: str
    scope_of_work: str
    status: ContractStatus
    start_date: datetime.date
    end_date: datetime.date
    currency: str
    value: Money
    monthly_fee: Money
    at_risk_percent: Money
    payment_terms: str
    auto_renew: bool
    renewal_months: int
    notice_days: int
    notice_deadline: datetime.date
    review_every_months: int
    next_review_date: datetime.date | None
    termination_triggers: str
    termination_notice_days: int
    owner_id: int | None
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime


class ContractIn(InputSchema):
    partner: Id = Field(..., description="Partner id")
    reference: str = Field(..., min_length=1, max_length=30)
    title: str = Field(..., min_length=1, max_length=200)
    outsourced_scope: str = Field(..., min_length=1, max_length=10_000)
    objectives: str = Field("", max_length=10_000)
    scope_of_work: str = Field("", max_length=10_000)
    start_date: Day
    end_date: Day
    currency: Currency = "CNY"
    value: Money16 = Decimal(0)
    monthly_fee: Money14 = Decimal(0)
    at_risk_percent: Percent = Decimal(12)
    payment_terms: str = Field("", max_length=100)
    auto_renew: bool = False
    renewal_months: SmallCount = 12
    notice_days: SmallCount = 90
    review_every_months: SmallCount = 3
    next_review_date: Day | None = None
    termination_triggers: str = Field("", max_length=10_000)
    termination_notice_days: SmallCount = 90
    owner: Id | None = Field(None, description="Person id of the contract owner")


# A field left out keeps its value; types are not Optional where the column cannot be null.
class ContractPatch(InputSchema):
    reference: str = Field(None, min_length=1, max_length=30)
    title: str = Field(None, min_length=1, max_length=200)
    outsourced_scope: str = Field(None, min_length=1, max_length=10_000)
    objectives: str = Field(None, max_length=10_000)
    scope_of_work: str = Field(None, max_length=10_000)
    start_date: Day = None
    end_date: Day = None
    currency: Currency = None
    value: Money16 = None
    monthly_fee: Money14 = None
    at_risk_percent: Percent = None
    payment_terms: str = Field(None, max_length=100)
    auto_renew: bool = None
    renewal_months: SmallCount = None
    notice_days: SmallCount = None
    review_every_months: SmallCount = None
    next_review_date: Day | None = None
    termination_triggers: str = Field(None, max_length=10_000)
    termination_notice_days: SmallCount = None
    owner: Id | None = None


class ContractStatusIn(InputSchema):
    to_status: ContractStatus
    reason: str = Field(..., min_length=1, max_length=2000)


class AmendmentChanges(InputSchema):
    monthly_fee: Money14 = None
    at_risk_percent: Percent = None
    end_date: Day = None
    value: Money16 = None


class AmendmentIn(InputSchema):
    effective_from: Day
    summary: Text = Field(..., max_length=5000)
    changes: AmendmentChanges


class ContractVersionOut(Schema):
    id: int
    contract_id: int
    version: int
    effective_from: datetime.date
    summary: str
    monthly_fee: Money
    at_risk_percent: Money
    end_date: datetime.date
    currency: str = Field(..., alias="contract.currency")
    snapshot: dict
    created_at: datetime.datetime


class DeliverableOut(Schema):
    id: int
    contract_id: int
    kind: DeliverableKind
    name: str
    due_date: datetime.date
    delivered_on: datetime.date | None
    on_time: bool | None
    status: DeliverableStatus
    accepted_by_id: int | None
    accepted_at: datetime.datetime | None
    notes: str


class DeliverableIn(InputSchema):
    kind: DeliverableKind = DeliverableKind.MILESTONE
    name: str = Field(..., min_length=1, max_length=200)
    due_date: Day
    notes: str = Field("", max_length=10_000)


class DeliverableActionIn(InputSchema):
    action: Literal["deliver", "accept", "reject"]
    delivered_on: Day | None = Field(None, description="Required to deliver")


class RaciCellOut(Schema):
    party_kind: Literal["team", "contact"]
    party_id: int
    party: str
    role: RaciRole

    @staticmethod
    def resolve_party_kind(obj) -> str:
        return "team" if obj.team_id else "contact"

    @staticmethod
    def resolve_party_id(obj) -> int:
        return obj.team_id or obj.contact_id

    @staticmethod
    def resolve_party(obj) -> str:
        return str(obj.team if obj.team_id else obj.contact.name)


class RaciActivityOut(Schema):
    id: int
    name: str
    position: int
    assignments: list[RaciCellOut]

    @staticmethod
    def resolve_assignments(obj) -> list:
        return list(obj.assignments.all())


class PersonRef(Schema):
    id: int
    name: str


class DisputeLevelOut(Schema):
    level: int
    name: str
    response_hours: int
    internal_people: list[PersonRef]
    partner_contacts: list[PersonRef]

    @staticmethod
    def resolve_internal_people(obj) -> list[dict]:
        return [{"id": p.pk, "name": p.full_name} for p in obj.internal_people.all()]

    @staticmethod
    def resolve_partner_contacts(obj) -> list[dict]:
        return [{"id": c.pk, "name": c.name} for c in obj.partner_contacts.all()]


class ContractApiFilter(ContractFilter):
    """The page's contract filter, plus the end date the API is asked about."""

    ending_before: Annotated[datetime.date | None, FilterLookup("end_date__lte")] = Field(
        None, description="Contracts ending on or before this date (YYYY-MM-DD)"
    )
