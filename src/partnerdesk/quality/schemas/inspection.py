"""Schemas of incoming inspection: standards and their parameters, lot inspections with their
plan, switching information and readings, dispositions, sampling states."""

import datetime
from typing import Annotated

from ninja import Field, FilterLookup, Schema

from partnerdesk.contracts.schemas import Id
from partnerdesk.core.schemas import InputFilterSchema, InputSchema
from partnerdesk.quality.choices import (
    Disposition,
    InspectionLevel,
    LotStatus,
    ParameterKind,
)
from partnerdesk.quality.filters import LotFilter
from partnerdesk.quality.schemas.common import (
    ID_MAX,
    AmountIn,
    Aql,
    AqlIn,
    Code,
    InspectionSeverity,
    LimitIn,
    LongText,
    Note,
    PositiveInt,
    Quantity,
    QuantityIn,
    Reading,
    ReadingValue,
    Reason,
    Slug,
    Text,
    blank_to_none,
)
from partnerdesk.quality.services.inspection import MAX_READING_ROWS

# --- standards and parameters ------------------------------------------------------------------


class ParameterOut(Schema):
    id: int
    standard_id: int
    position: int
    code: str
    name: str
    kind: ParameterKind
    unit: str
    target: Reading | None
    lower_limit: Reading | None
    upper_limit: Reading | None
    plausible_min: Reading | None
    plausible_max: Reading | None
    defect_type_id: int | None
    defect_type_code: str | None

    @staticmethod
    def resolve_defect_type_code(obj) -> str | None:
        return obj.defect_type.code if obj.defect_type_id else None


class StandardOut(Schema):
    id: int
    code: str
    name: str
    item: str
    category_id: int | None
    category_code: str | None
    level: InspectionLevel
    aql: Aql
    allow_reduced: bool
    is_active: bool
    notes: str
    parameter_count: int
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_category_code(obj) -> str | None:
        return obj.category.code if obj.category_id else None

    @staticmethod
    def resolve_parameter_count(obj) -> int:
        count = getattr(obj, "parameter_count", None)
        return count if count is not None else len(obj.parameters.all())


class StandardDetailOut(StandardOut):
    parameters: list[ParameterOut]

    @staticmethod
    def resolve_parameters(obj) -> list:
        return list(obj.parameters.all())


class StandardIn(InputSchema):
    code: Code
    name: Text(150)
    item: Text(80, required=False) = Field("", description="The item it applies to")
    category: Id | None = Field(
        None, description="Item category id: applies to its items that no standard names"
    )
    level: InspectionLevel = InspectionLevel.II
    aql: AqlIn = Field(..., description="Acceptance quality limit of ISO 2859-1 (e.g. 1.0)")
    allow_reduced: bool = True
    notes: LongText = ""


class StandardPatch(InputSchema):
    name: Text(150) = None
    item: Text(80, required=False) = None
    category: Id | None = None
    level: InspectionLevel = None
    aql: AqlIn = None
    allow_reduced: bool = None
    is_active: bool = None
    notes: LongText = None


class ParameterIn(InputSchema):
    code: Slug = Field(..., description="Code used in readings (letters, digits, - and _)")
    name: Text(100)
    kind: ParameterKind = ParameterKind.MEASURED
    unit: Text(20, required=False) = ""
    target: LimitIn | None = None
    lower_limit: LimitIn | None = None
    upper_limit: LimitIn | None = None
    plausible_min: LimitIn | None = Field(None, description="Readings below are refused")
    plausible_max: LimitIn | None = Field(None, description="Readings above are refused")
    defect_type: Id | None = Field(None, description="Defect type id when out of limits")


class ParameterPatch(InputSchema):
    code: Slug = None
    name: Text(100) = None
    kind: ParameterKind = None
    unit: Text(20, required=False) = None
    target: LimitIn | None = None
    lower_limit: LimitIn | None = None
    upper_limit: LimitIn | None = None
    plausible_min: LimitIn | None = None
    plausible_max: LimitIn | None = None
    defect_type: Id | None = None


# --- lots --------------------------------------------------------------------------------------


class LotOut(Schema):
    id: int
    number: str
    receipt_line_id: int
    receipt_id: int = Field(..., alias="receipt_line.receipt_id")
    receipt_number: str = Field(..., alias="receipt_line.receipt.number")
    item: str = Field(..., alias="receipt_line.order_line.item")
    partner_id: int
    partner_code: str = Field(..., alias="partner.code")
    standard_id: int
    standard_code: str = Field(..., alias="standard.code")
    inspector_id: int | None
    lot_size: int
    level: InspectionLevel
    aql: Aql
    severity: InspectionSeverity
    code_letter: str
    plan_letter: str
    sample_size: int
    accept_number: int
    reject_number: int
    hundred_percent: bool
    status: LotStatus
    defectives: int | None
    decided_at: datetime.datetime | None
    decided_by_id: int | None
    disposition: Disposition | None
    created_at: datetime.datetime

    @staticmethod
    def resolve_disposition(obj) -> str | None:
        return blank_to_none(obj.disposition)


class SwitchingOut(Schema):
    """The switching rules (ISO 2859-1 clause 9) applied when the lot was decided."""

    before: InspectionSeverity
    after: InspectionSeverity
    reason: str
    switching_score: int


class LotParameterOut(Schema):
    code: str
    name: str
    kind: ParameterKind
    unit: str
    lower_limit: Reading | None
    upper_limit: Reading | None


class ReadingOut(Schema):
    unit: int = Field(..., alias="unit_no")
    parameter: str
    value: Reading
    conforming: bool


class LotDetailOut(LotOut):
    """A lot with its plan, the switching decision, the readings taken so far (unit by unit)
    and what happened to it."""

    plan_explanation: str
    switching: SwitchingOut | None
    quantity_received: Quantity = Field(..., alias="receipt_line.quantity_received")
    quantity_unit: str = Field(..., alias="receipt_line.order_line.unit")
    on_hold: bool = Field(..., alias="receipt_line.on_hold")
    hold_reason: str = Field(..., alias="receipt_line.hold_reason")
    disposition_note: str
    concession_reference: str
    disposed_at: datetime.datetime | None
    disposed_by_id: int | None
    nonconformance_id: int | None
    nonconformance_number: str | None
    readings_expected: int
    readings_recorded: int
    parameters: list[LotParameterOut]
    readings: list[ReadingOut]

    @staticmethod
    def resolve_switching(obj) -> dict | None:
        return obj.switching or None

    # The endpoint sets ``nc_row`` (the nonconformance as the user may see it),
    # ``parameter_rows`` and ``reading_rows``.
    @staticmethod
    def resolve_nonconformance_id(obj) -> int | None:
        return obj.nc_row.pk if obj.nc_row is not None else None

    @staticmethod
    def resolve_nonconformance_number(obj) -> str | None:
        return obj.nc_row.number if obj.nc_row is not None else None

    @staticmethod
    def resolve_readings_expected(obj) -> int:
        return obj.sample_size * len(obj.parameter_rows)

    @staticmethod
    def resolve_readings_recorded(obj) -> int:
        return len(obj.reading_rows)

    @staticmethod
    def resolve_parameters(obj) -> list:
        return obj.parameter_rows

    @staticmethod
    def resolve_readings(obj) -> list:
        return obj.reading_rows


class LotOpenIn(InputSchema):
    receipt_line: Id = Field(..., description="Goods receipt line id")
    lot_size: PositiveInt | None = Field(
        None, description="Units in the lot (defaults to the quantity received when counted)"
    )
    standard: Id | None = Field(None, description="Standard id (defaults to the item's)")
    inspector: Id | None = Field(None, description="User id of the inspector (defaults to you)")


class ReadingIn(InputSchema):
    unit: PositiveInt = Field(..., description="Sample unit, 1 to the sample size")
    parameter: Slug = Field(..., description="Parameter code")
    value: ReadingValue


class ReadingsIn(InputSchema):
    readings: list[ReadingIn] = Field(..., min_length=1, max_length=MAX_READING_ROWS)


class DispositionIn(InputSchema):
    disposition: Disposition
    note: Note = ""
    concession_reference: Text(60, required=False) = Field(
        "", description="Use as is: the concession's reference (required)"
    )
    quantity_accepted: QuantityIn | None = Field(
        None, description="Sort: the good quantity found (required)"
    )
    cost_amount: AmountIn | None = Field(
        None,
        description="Cost of the disposition, recorded as a cost event in the currency "
        "of the order",
    )
    chargeback: bool = Field(True, description="Charge the cost back to the partner")


class ReceiptLineToInspectOut(Schema):
    id: int
    receipt_id: int
    receipt_number: str = Field(..., alias="receipt.number")
    received_on: datetime.date = Field(..., alias="receipt.received_on")
    partner_id: int = Field(..., alias="receipt.partner_id")
    partner_code: str = Field(..., alias="receipt.partner.code")
    line_no: int
    item: str = Field(..., alias="order_line.item")
    quantity_received: Quantity
    unit: str = Field(..., alias="order_line.unit")


class LotApiFilter(LotFilter):
    severity: InspectionSeverity | None = None


# --- sampling states ---------------------------------------------------------------------------


class SamplingStateOut(Schema):
    id: int
    partner_id: int
    partner_code: str = Field(..., alias="partner.code")
    standard_id: int
    standard_code: str = Field(..., alias="standard.code")
    severity: InspectionSeverity
    recent: str = Field(..., description="Last results on normal inspection, A or R, oldest first")
    consecutive_accepted: int
    not_accepted_on_tightened: int
    switching_score: int
    reason: str
    updated_at: datetime.datetime


class SamplingStateFilter(InputFilterSchema):
    partner: Annotated[int | None, FilterLookup("partner_id")] = Field(None, ge=1, le=ID_MAX)
    standard: Annotated[int | None, FilterLookup("standard_id")] = Field(None, ge=1, le=ID_MAX)
    severity: InspectionSeverity | None = None


class ResumeIn(InputSchema):
    reason: Reason


__all__ = [
    "DispositionIn",
    "LotApiFilter",
    "LotDetailOut",
    "LotOpenIn",
    "LotOut",
    "ParameterIn",
    "ParameterOut",
    "ParameterPatch",
    "ReadingIn",
    "ReadingsIn",
    "ReceiptLineToInspectOut",
    "ResumeIn",
    "SamplingStateFilter",
    "SamplingStateOut",
    "StandardDetailOut",
    "StandardIn",
    "StandardOut",
    "StandardPatch",
]
