"""API shapes of the plant set-up: lines, dosing units, products, product runs, shifts, shift
assignments and roster generation.

Ratios go out as strings with two decimals, masses with three, prices with four, next to
their currency; times are aware ISO 8601. Input ids are bounded to what the database holds,
decimals to their column, texts to their column's length; times must carry their UTC offset.
"""

import datetime
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema
from pydantic import AfterValidator, StringConstraints, WithJsonSchema

from partnerdesk.contracts.schemas import Fixed, Id
from partnerdesk.core.schemas import InputSchema
from partnerdesk.regrind.services.plant import MAX_ROSTER_DAYS

Percent = Fixed(2)
Mass = Fixed(3)
Price = Fixed(4)


def Text(max_length: int, *, required: bool = True):
    """Text stripped of surrounding blanks; ``required`` refuses an empty one."""
    return Annotated[
        str,
        StringConstraints(
            strip_whitespace=True, min_length=1 if required else 0, max_length=max_length
        ),
    ]


def CodeText(max_length: int):
    return Annotated[
        str,
        StringConstraints(
            strip_whitespace=True,
            min_length=1,
            max_length=max_length,
            pattern=r"^[-A-Za-z0-9_.]+$",
        ),
    ]


def _aware(value: datetime.datetime) -> datetime.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("Give the time with its UTC offset (e.g. 2026-12-01T06:00:00+08:00).")
    if not 1900 <= value.year <= 2999:
        raise ValueError("Give a time between the years 1900 and 2999.")
    return value


def _plausible_day(value: datetime.date) -> datetime.date:
    if not 1900 <= value.year <= 2999:
        raise ValueError("Give a day between the years 1900 and 2999.")
    return value


def _wall_clock(value: datetime.time) -> datetime.time:
    if value.tzinfo is not None:
        raise ValueError("Give the time of day without a UTC offset: it is the company's time.")
    return value


AwareTime = Annotated[datetime.datetime, AfterValidator(_aware)]
# A time of day of the company's time zone (a shift's start): HH:MM or HH:MM:SS, no offset.
# Declared as a pattern: JSON Schema's "time" format is RFC 3339's, which needs an offset.
LocalTimeIn = Annotated[
    datetime.time,
    AfterValidator(_wall_clock),
    WithJsonSchema({"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$"}),
]
LocalTime = Annotated[
    datetime.time,
    WithJsonSchema({"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?$"}),
]
Day = Annotated[datetime.date, AfterValidator(_plausible_day)]
LongText = Text(10_000, required=False)
PercentIn = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)]
ToleranceIn = Annotated[Decimal, Field(ge=Decimal("0.01"), max_digits=5, decimal_places=2)]
MassIn = Annotated[Decimal, Field(ge=Decimal("0.001"), max_digits=10, decimal_places=3)]
PriceIn = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=4)]
CurrencyIn = Annotated[str, StringConstraints(min_length=3, max_length=3, pattern=r"^[A-Z]{3}$")]
Hours = Annotated[int, Field(ge=1, le=24)]

# --- lines -------------------------------------------------------------------------------------


class ProductionLineOut(Schema):
    id: int
    code: str
    name: str
    manager_id: int | None
    manager_name: str | None
    is_active: bool
    notes: str
    unit_count: int
    product_now: str | None = Field(None, description="Code of the product running now")
    team_now: str | None = Field(None, description="Name of the team on shift now")
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_manager_name(obj) -> str | None:
        return obj.manager.full_name if obj.manager_id else None

    @staticmethod
    def resolve_product_now(obj) -> str | None:
        return getattr(obj, "product_now_code", None)


class ProductionLineIn(InputSchema):
    code: CodeText(30)
    name: Text(150)
    manager: Id | None = Field(None, description="Person id of the line manager")
    is_active: bool = True
    notes: LongText = ""


class ProductionLinePatch(InputSchema):
    name: Text(150) = None
    manager: Id | None = None
    is_active: bool = None
    notes: LongText = None


# --- dosing units ------------------------------------------------------------------------------


class DosingUnitOut(Schema):
    id: int
    line_id: int
    line_code: str = Field(..., alias="line.code")
    code: str = Field(..., description="The machine id its exports and posts carry")
    name: str
    is_active: bool
    created_at: datetime.datetime
    updated_at: datetime.datetime


class DosingUnitIn(InputSchema):
    line: Id
    code: CodeText(40) = Field(..., description="The machine id; it cannot change later")
    name: Text(150)
    is_active: bool = True


class DosingUnitPatch(InputSchema):
    line: Id = None
    name: Text(150) = None
    is_active: bool = None


# --- products ----------------------------------------------------------------------------------


class RegrindProductOut(Schema):
    id: int
    code: str
    name: str
    target_ratio: Percent
    tolerance: Percent
    max_ratio: Percent
    lsl: Percent = Field(..., description="Target less the tolerance, not below zero")
    usl: Percent = Field(..., description="Target plus the tolerance, capped by the maximum")
    nominal_batch_kg: Mass
    currency: str
    virgin_price_per_kg: Price
    regrind_price_per_kg: Price
    risk_cost_per_kg: Price
    is_active: bool
    created_at: datetime.datetime
    updated_at: datetime.datetime


class RegrindProductIn(InputSchema):
    code: CodeText(30)
    name: Text(150)
    target_ratio: PercentIn = Field(..., description="Target regrind ratio (%)")
    tolerance: ToleranceIn = Field(..., description="± percentage points around the target")
    max_ratio: PercentIn = Field(..., description="Above it the part is a quality risk (%)")
    nominal_batch_kg: MassIn
    currency: CurrencyIn | None = Field(None, description="ISO 4217; the company's default")
    virgin_price_per_kg: PriceIn
    regrind_price_per_kg: PriceIn
    risk_cost_per_kg: PriceIn
    is_active: bool = True


class RegrindProductPatch(InputSchema):
    name: Text(150) = None
    target_ratio: PercentIn = None
    tolerance: ToleranceIn = None
    max_ratio: PercentIn = None
    nominal_batch_kg: MassIn = None
    currency: CurrencyIn = None
    virgin_price_per_kg: PriceIn = None
    regrind_price_per_kg: PriceIn = None
    risk_cost_per_kg: PriceIn = None
    is_active: bool = None


# --- product runs ------------------------------------------------------------------------------


class ProductRunOut(Schema):
    id: int
    line_id: int
    line_code: str = Field(..., alias="line.code")
    product_id: int
    product_code: str = Field(..., alias="product.code")
    starts_at: datetime.datetime
    ends_at: datetime.datetime | None
    running: bool

    @staticmethod
    def resolve_running(obj) -> bool:
        return obj.ends_at is None


class ProductRunIn(InputSchema):
    line: Id
    product: Id
    starts_at: AwareTime = Field(..., description="The line's open run ends at this time")


# --- shifts and assignments --------------------------------------------------------------------


class ShiftOut(Schema):
    id: int
    code: str
    name: str
    start_time: LocalTime = Field(..., description="In the company's time zone")
    hours: int


class ShiftIn(InputSchema):
    code: CodeText(20)
    name: Text(80)
    start_time: LocalTimeIn = Field(..., description="In the company's time zone")
    hours: Hours = Field(..., description="May run past midnight")


class ShiftPatch(InputSchema):
    name: Text(80) = None
    start_time: LocalTimeIn = None
    hours: Hours = None


class ShiftAssignmentOut(Schema):
    id: int
    line_id: int
    line_code: str = Field(..., alias="line.code")
    team_id: int
    team_name: str = Field(..., alias="team.name")
    shift_id: int | None
    shift_code: str | None
    starts_at: datetime.datetime
    ends_at: datetime.datetime

    @staticmethod
    def resolve_shift_code(obj) -> str | None:
        return obj.shift.code if obj.shift_id else None


class ShiftAssignmentIn(InputSchema):
    """Either ``starts_at`` and ``ends_at``, or a ``shift`` and the ``day`` it starts."""

    line: Id
    team: Id
    shift: Id | None = None
    day: Day | None = Field(None, description="With a shift: the day the shift starts")
    starts_at: AwareTime | None = None
    ends_at: AwareTime | None = None


class RosterGenerateIn(InputSchema):
    teams: list[Id] = Field(
        ..., min_length=1, max_length=20, description="Team ids in rotation order"
    )
    shifts: list[Id] = Field(..., min_length=1, max_length=20, description="Shift ids to fill")
    start: Day = Field(..., description="First day")
    end: Day = Field(..., description="Last day")
    rotation_days: int = Field(7, ge=1, le=MAX_ROSTER_DAYS)


class RosterGenerateOut(Schema):
    created: int = Field(..., description="Assignments written (slots already taken skipped)")
