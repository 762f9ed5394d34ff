"""Schemas of nonconformances, 8D corrective actions and their stages, and cost events."""

import datetime

from django.utils import timezone
from ninja import Field, Schema

from partnerdesk.contracts.schemas import Currency, Day, Id, Money
from partnerdesk.core.schemas import InputSchema
from partnerdesk.quality.choices import (
    STAGE_TITLES,
    ActionStatus,
    CostKind,
    Effectiveness,
    NCSeverity,
    NCSource,
    NCStatus,
    StageStatus,
)
from partnerdesk.quality.engines import eightd
from partnerdesk.quality.schemas.common import (
    AmountIn,
    AmountOrZeroIn,
    AwareTime,
    LongText,
    Note,
    Quantity,
    QuantityIn,
    Reason,
    Text,
    blank_to_none,
)

# --- nonconformances ---------------------------------------------------------------------------


class DefectTypeOut(Schema):
    id: int
    code: str
    name: str
    description: str


def _related(obj, name: str):
    """A reverse one-to-one (the action of a nonconformance) or None when there is none."""
    return getattr(obj, name, None)


class NonconformanceOut(Schema):
    id: int
    number: str
    partner_id: int | None
    partner_code: str | None
    source: NCSource
    lot_inspection_id: int | None
    lot_number: str | None
    audit_answer_id: int | None
    audit_id: int | None
    audit_number: str | None
    defect_type_id: int
    defect_type_code: str = Field(..., alias="defect_type.code")
    title: str
    description: str
    detected_on: datetime.date
    reported_severity: NCSeverity
    severity: NCSeverity
    repeat_of_id: int | None
    repeat_of_number: str | None
    quantity_affected: Quantity | None
    unit: str
    cost_amount: Money | None
    currency: str
    customer_reference: str
    status: NCStatus
    owner_id: int | None
    corrective_action_id: int | None
    closed_at: datetime.datetime | None
    closing_note: str
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_partner_code(obj) -> str | None:
        return obj.partner.code if obj.partner_id else None

    @staticmethod
    def resolve_lot_number(obj) -> str | None:
        return obj.lot_inspection.number if obj.lot_inspection_id else None

    @staticmethod
    def resolve_audit_id(obj) -> int | None:
        return obj.audit_answer.audit_id if obj.audit_answer_id else None

    @staticmethod
    def resolve_audit_number(obj) -> str | None:
        return obj.audit_answer.audit.number if obj.audit_answer_id else None

    @staticmethod
    def resolve_repeat_of_number(obj) -> str | None:
        return obj.repeat_of.number if obj.repeat_of_id else None

    @staticmethod
    def resolve_corrective_action_id(obj) -> int | None:
        action = _related(obj, "corrective_action")
        return action.pk if action is not None else None


class NonconformanceIn(InputSchema):
    partner: Id | None = Field(None, description="Partner id (required for inspection and audit)")
    source: NCSource
    defect_type: Id = Field(..., description="Defect type id")
    title: Text(200)
    description: LongText = ""
    detected_on: Day | None = Field(None, description="Defaults to today; not in the future")
    reported_severity: NCSeverity
    quantity_affected: QuantityIn | None = None
    unit: Text(12, required=False) = ""
    cost_amount: AmountOrZeroIn | None = Field(None, description="Cost of poor quality")
    currency: Currency | None = Field(None, description="Defaults to the company currency")
    customer_reference: Text(60, required=False) = Field(
        "", description="Customer complaints: the complaint's reference (required)"
    )
    owner: Id | None = Field(None, description="User id of the owner (defaults to you)")


class NonconformancePatch(InputSchema):
    title: Text(200) = None
    description: LongText = None
    reported_severity: NCSeverity = None
    quantity_affected: QuantityIn | None = None
    unit: Text(12, required=False) = None
    cost_amount: AmountOrZeroIn | None = None
    currency: Currency = None
    customer_reference: Text(60, required=False) = None
    owner: Id | None = None


class NoteIn(InputSchema):
    note: Text(4000)


class ReasonIn(InputSchema):
    reason: Reason


class ActionOpenIn(InputSchema):
    owner: Id | None = Field(None, description="User id of the quality engineer (defaults to you)")


# --- corrective actions ------------------------------------------------------------------------


class StageOut(Schema):
    id: int
    action_id: int
    stage: int
    title: str
    due_at: datetime.datetime
    overdue: bool
    status: StageStatus
    content: str
    submitted_at: datetime.datetime | None
    submitted_by_id: int | None
    reviewed_at: datetime.datetime | None
    reviewed_by_id: int | None
    review_note: str
    times_sent_back: int

    @staticmethod
    def resolve_title(obj) -> str:
        return str(STAGE_TITLES[obj.stage])

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return eightd.is_overdue(obj.status, obj.due_at, timezone.now())


class ActionOut(Schema):
    id: int
    number: str
    nonconformance_id: int
    nonconformance_number: str = Field(..., alias="nonconformance.number")
    title: str = Field(..., alias="nonconformance.title")
    partner_id: int
    partner_code: str = Field(..., alias="partner.code")
    owner_id: int | None
    opened_at: datetime.datetime
    status: ActionStatus
    stages_accepted: int
    stages_overdue: int
    effectiveness: Effectiveness | None
    effectiveness_note: str
    effectiveness_checked_at: datetime.datetime | None
    effectiveness_checked_by_id: int | None
    closed_at: datetime.datetime | None
    closed_on_time: bool | None

    @staticmethod
    def resolve_effectiveness(obj) -> str | None:
        return blank_to_none(obj.effectiveness)

    @staticmethod
    def resolve_stages_accepted(obj) -> int:
        count = getattr(obj, "accepted_count", None)
        if count is not None:
            return count
        return sum(1 for s in obj.stages.all() if s.status == StageStatus.ACCEPTED)

    @staticmethod
    def resolve_stages_overdue(obj) -> int:
        count = getattr(obj, "overdue_count", None)
        if count is not None:
            return count
        now = timezone.now()
        return sum(1 for s in obj.stages.all() if eightd.is_overdue(s.status, s.due_at, now))


class ActionDetailOut(ActionOut):
    defect_type_code: str = Field(..., alias="nonconformance.defect_type.code")
    stages: list[StageOut]

    @staticmethod
    def resolve_stages(obj) -> list:
        return list(obj.stages.all())


class StageSubmitIn(InputSchema):
    content: Text(20_000)


class StageAcceptIn(InputSchema):
    note: Note = ""


class StageDueIn(InputSchema):
    due_at: AwareTime = Field(..., description="New due time, with its UTC offset")
    reason: Reason


class EffectivenessIn(InputSchema):
    result: Effectiveness
    note: Text(4000) = Field(..., description="The evidence checked (e.g. lots inspected since)")


# --- cost events -------------------------------------------------------------------------------


class CostOut(Schema):
    id: int
    kind: CostKind
    occurred_on: datetime.date
    amount: Money
    currency: str
    partner_id: int | None
    partner_code: str | None
    team_id: int | None
    team_name: str | None
    nonconformance_id: int | None
    nonconformance_number: str | None
    lot_inspection_id: int | None
    lot_number: str | None
    quantity: Quantity | None
    unit: str
    description: str
    chargeback: bool
    corrects_id: int | None
    recorded_by_id: int | None
    recorded_at: datetime.datetime

    @staticmethod
    def resolve_partner_code(obj) -> str | None:
        return obj.partner.code if obj.partner_id else None

    @staticmethod
    def resolve_team_name(obj) -> str | None:
        return obj.team.name if obj.team_id else None

    @staticmethod
    def resolve_nonconformance_number(obj) -> str | None:
        return obj.nonconformance.number if obj.nonconformance_id else None

    @staticmethod
    def resolve_lot_number(obj) -> str | None:
        return obj.lot_inspection.number if obj.lot_inspection_id else None


class CostIn(InputSchema):
    kind: CostKind
    occurred_on: Day = Field(..., description="Not in the future")
    amount: AmountIn
    currency: Currency
    partner: Id | None = Field(None, description="Partner responsible")
    team: Id | None = Field(None, description="Team responsible")
    nonconformance: Id | None = None
    lot_inspection: Id | None = None
    quantity: QuantityIn | None = Field(None, description="Quantity lost")
    unit: Text(12, required=False) = ""
    description: Text(300)
    chargeback: bool = Field(False, description="Charge back to the partner")


class CostCorrectIn(InputSchema):
    amount: AmountOrZeroIn = Field(..., description="The right amount; 0 withdraws the cost")
    reason: Reason


__all__ = [
    "ActionDetailOut",
    "ActionOpenIn",
    "ActionOut",
    "CostCorrectIn",
    "CostIn",
    "CostOut",
    "DefectTypeOut",
    "EffectivenessIn",
    "NonconformanceIn",
    "NonconformanceOut",
    "NonconformancePatch",
    "NoteIn",
    "ReasonIn",
    "StageAcceptIn",
    "StageDueIn",
    "StageOut",
    "StageSubmitIn",
]
