"""Schemas of tolerance profiles and item categories."""

import datetime
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema

from partnerdesk.contracts.schemas import Id
from partnerdesk.core.schemas import InputSchema
from partnerdesk.finance.choices import Combine
from partnerdesk.finance.schemas.common import Percent2, Price

# --- tolerance profiles and item categories --------------------------------------------------

LimitPercent = Annotated[Decimal, Field(ge=0, le=100, max_digits=6, decimal_places=2)]
LimitAbsolute = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=4)]


class ProfileOut(Schema):
    id: int
    name: str
    partner_id: int | None
    partner_code: str | None
    category_id: int | None
    category_code: str | None
    price_percent: Percent2 | None
    price_absolute: Price | None
    quantity_percent: Percent2 | None
    quantity_absolute: Price | None
    amount_percent: Percent2 | None
    amount_absolute: Price | None
    combine: Combine
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_partner_code(obj) -> str | None:
        return obj.partner.code if obj.partner_id else None

    @staticmethod
    def resolve_category_code(obj) -> str | None:
        return obj.category.code if obj.category_id else None


class ProfileIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=120)
    partner: Id | None = Field(None, description="Partner id; none for every partner")
    category: Id | None = Field(None, description="Item category id; none for every category")
    price_percent: LimitPercent | None = None
    price_absolute: LimitAbsolute | None = None
    quantity_percent: LimitPercent | None = None
    quantity_absolute: LimitAbsolute | None = None
    amount_percent: LimitPercent | None = None
    amount_absolute: LimitAbsolute | None = None
    combine: Combine = Combine.OR


# A field left out keeps its value; null clears a limit (or the partner/category scope).
class ProfilePatch(InputSchema):
    name: str = Field(None, min_length=1, max_length=120)
    partner: Id | None = None
    category: Id | None = None
    price_percent: LimitPercent | None = None
    price_absolute: LimitAbsolute | None = None
    quantity_percent: LimitPercent | None = None
    quantity_absolute: LimitAbsolute | None = None
    amount_percent: LimitPercent | None = None
    amount_absolute: LimitAbsolute | None = None
    combine: Combine = None


class CategoryOut(Schema):
    id: int
    code: str
    name: str


class CategoryIn(InputSchema):
    code: str = Field(..., min_length=1, max_length=30, pattern=r"^[-A-Za-z0-9_.]+$")
    name: str = Field(..., min_length=1, max_length=120)
