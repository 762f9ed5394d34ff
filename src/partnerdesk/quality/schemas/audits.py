"""Schemas of the audit programme: templates with sections and questions, schedules, audits
with their answers, evidence and score explanation."""

import datetime
from decimal import Decimal
from typing import Literal

from django.urls import reverse
from ninja import Field, Schema

from partnerdesk.contracts.schemas import Day, Id
from partnerdesk.core.schemas import InputSchema
from partnerdesk.quality.choices import AuditFrequency, AuditStatus, FindingGrade, QuestionKind
from partnerdesk.quality.schemas.common import (
    Code,
    LimitIn,
    LongText,
    Percent2,
    PercentIn,
    Reading,
    Reason,
    Text,
    Weight,
    WeightIn,
    blank_to_none,
)

Grade = Literal["A", "B", "C"]

# --- templates ---------------------------------------------------------------------------------


class QuestionOut(Schema):
    id: int
    section_id: int
    position: int
    text: str
    guidance: str
    kind: QuestionKind
    weight: Weight
    scale_max: int | None
    lower_limit: Reading | None
    upper_limit: Reading | None
    unit: str
    evidence_required: bool
    critical: bool


class SectionOut(Schema):
    id: int
    template_id: int
    position: int
    title: str
    questions: list[QuestionOut]

    @staticmethod
    def resolve_questions(obj) -> list:
        return list(obj.questions.all())


class TemplateOut(Schema):
    id: int
    code: str
    name: str
    description: str
    grade_a_min: Percent2
    grade_b_min: Percent2
    is_active: bool
    section_count: int
    question_count: int
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_section_count(obj) -> int:
        count = getattr(obj, "section_count", None)
        return count if count is not None else len(obj.sections.all())

    @staticmethod
    def resolve_question_count(obj) -> int:
        count = getattr(obj, "question_count", None)
        if count is not None:
            return count
        return sum(len(section.questions.all()) for section in obj.sections.all())


class TemplateDetailOut(TemplateOut):
    sections: list[SectionOut]

    @staticmethod
    def resolve_sections(obj) -> list:
        return list(obj.sections.all())


class TemplateIn(InputSchema):
    code: Code
    name: Text(150)
    description: LongText = ""
    grade_a_min: PercentIn = Field(Decimal(90), description="Grade A from this score (%)")
    grade_b_min: PercentIn = Field(Decimal(80), description="Grade B from this score (%)")
    is_active: bool = True


# A field left out keeps its value.
class TemplatePatch(InputSchema):
    code: Code = None
    name: Text(150) = None
    description: LongText = None
    grade_a_min: PercentIn = None
    grade_b_min: PercentIn = None
    is_active: bool = None


class SectionIn(InputSchema):
    title: Text(150)


class QuestionIn(InputSchema):
    text: Text(300)
    guidance: LongText = ""
    kind: QuestionKind = QuestionKind.YES_NO
    weight: WeightIn = Field(Decimal(1), description="Weight in the score (above 0)")
    scale_max: int | None = Field(None, ge=1, le=100, description="Scale questions: the top")
    lower_limit: LimitIn | None = Field(None, description="Numeric questions")
    upper_limit: LimitIn | None = Field(None, description="Numeric questions")
    unit: Text(20, required=False) = ""
    evidence_required: bool = False
    critical: bool = Field(False, description="Failing it is a major finding by itself")


class QuestionPatch(InputSchema):
    text: Text(300) = None
    guidance: LongText = None
    kind: QuestionKind = None
    weight: WeightIn = None
    scale_max: int | None = Field(None, ge=1, le=100)
    lower_limit: LimitIn | None = None
    upper_limit: LimitIn | None = None
    unit: Text(20, required=False) = None
    evidence_required: bool = None
    critical: bool = None


# --- schedules ---------------------------------------------------------------------------------


class ScheduleOut(Schema):
    id: int
    partner_id: int
    partner_code: str = Field(..., alias="partner.code")
    template_id: int
    template_code: str = Field(..., alias="template.code")
    frequency: AuditFrequency
    auditor_id: int | None
    next_due: datetime.date
    lead_days: int
    is_active: bool
    created_at: datetime.datetime
    updated_at: datetime.datetime


class ScheduleIn(InputSchema):
    partner: Id = Field(..., description="Partner id")
    template: Id = Field(..., description="Audit template id")
    frequency: AuditFrequency
    auditor: Id | None = Field(None, description="User id of the auditor")
    next_due: Day
    lead_days: int = Field(14, ge=0, le=365, description="Plan the audit this many days ahead")


class SchedulePatch(InputSchema):
    frequency: AuditFrequency = None
    auditor: Id | None = None
    next_due: Day = None
    lead_days: int = Field(None, ge=0, le=365)
    is_active: bool = None


# --- audits ------------------------------------------------------------------------------------


class EvidenceOut(Schema):
    id: int
    audit_id: int
    answer_id: int | None
    original_name: str
    content_type: str
    size: int
    sha256: str
    caption: str
    uploaded_by_id: int | None
    uploaded_at: datetime.datetime
    file_url: str

    @staticmethod
    def resolve_file_url(obj) -> str:
        return reverse("api:quality_evidence_file", args=[obj.pk])


class AnswerOut(Schema):
    id: int
    audit_id: int
    position: int
    section_title: str
    question_id: int | None
    text: str
    guidance: str
    kind: QuestionKind
    weight: Weight
    scale_max: int | None
    lower_limit: Reading | None
    upper_limit: Reading | None
    unit: str
    evidence_required: bool
    critical: bool
    answered: bool
    not_applicable: bool
    yes: bool | None
    value: Reading | None
    comment: str
    finding: FindingGrade | None
    answered_by_id: int | None
    answered_at: datetime.datetime | None
    nonconformance_id: int | None
    nonconformance_number: str | None
    evidence: list[EvidenceOut]

    @staticmethod
    def resolve_finding(obj) -> str | None:
        return blank_to_none(obj.finding)

    @staticmethod
    def resolve_nonconformance_id(obj) -> int | None:
        nc = getattr(obj, "nonconformance", None)
        return nc.pk if nc is not None else None

    @staticmethod
    def resolve_nonconformance_number(obj) -> str | None:
        nc = getattr(obj, "nonconformance", None)
        return nc.number if nc is not None else None

    @staticmethod
    def resolve_evidence(obj) -> list:
        return list(obj.evidence.all())


class SectionScoreOut(Schema):
    title: str
    points: str
    possible: str
    percent: str | None
    not_applicable: int


class ExplanationOut(Schema):
    """How the score and grade came about (rules of ``quality.engines.audit_scoring``)."""

    rule_version: int
    points: str
    possible: str
    score: str | None
    grade_by_score: str
    grade: str
    downgrade: str
    findings: dict[str, int]
    sections: list[SectionScoreOut]


class AuditOut(Schema):
    id: int
    number: str
    partner_id: int
    partner_code: str = Field(..., alias="partner.code")
    template_id: int
    template_code: str = Field(..., alias="template.code")
    template_name: str = Field(..., alias="template.name")
    schedule_id: int | None
    auditor_id: int | None
    planned_date: datetime.date
    status: AuditStatus
    started_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    closed_by_id: int | None
    score: Percent2 | None
    grade: Grade | None
    summary: str
    major_count: int
    minor_count: int
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_grade(obj) -> str | None:
        return blank_to_none(obj.grade)

    @staticmethod
    def resolve_major_count(obj) -> int:
        count = getattr(obj, "major_count", None)
        if count is not None:
            return count
        return sum(1 for a in obj.answer_rows if a.finding == FindingGrade.MAJOR)

    @staticmethod
    def resolve_minor_count(obj) -> int:
        count = getattr(obj, "minor_count", None)
        if count is not None:
            return count
        return sum(1 for a in obj.answer_rows if a.finding == FindingGrade.MINOR)


class AuditDetailOut(AuditOut):
    """An audit with its questions and answers in order, the evidence of the audit as a whole,
    and, once closed, the explanation of its score and grade."""

    answered_count: int
    question_count: int
    explanation: ExplanationOut | None
    answers: list[AnswerOut]
    evidence: list[EvidenceOut] = Field(..., description="Evidence of the audit as a whole")

    @staticmethod
    def resolve_answered_count(obj) -> int:
        return sum(1 for a in obj.answer_rows if a.answered)

    @staticmethod
    def resolve_question_count(obj) -> int:
        return len(obj.answer_rows)

    @staticmethod
    def resolve_explanation(obj) -> dict | None:
        return obj.explanation or None

    @staticmethod
    def resolve_answers(obj) -> list:
        return obj.answer_rows

    @staticmethod
    def resolve_evidence(obj) -> list:
        return obj.general_evidence


class AuditIn(InputSchema):
    partner: Id = Field(..., description="Partner id")
    template: Id = Field(..., description="Audit template id (active)")
    planned_date: Day
    auditor: Id | None = Field(None, description="User id of the auditor")


class AuditAnswerIn(InputSchema):
    """The whole answer to one question (a field left out is cleared): yes/no questions take
    ``yes``, scale and numeric questions ``value``; ``not_applicable`` leaves the question out
    of the score. ``finding`` may grade it more severely than the rules, never less."""

    not_applicable: bool = False
    yes: bool | None = None
    value: LimitIn | None = Field(None, description="Scale score or numeric reading")
    comment: LongText = ""
    finding: FindingGrade | None = None


class EvidenceMeta(InputSchema):
    answer: Id | None = Field(None, description="The answer (question) it documents, if any")
    caption: Text(200, required=False) = ""


class AuditCloseIn(InputSchema):
    summary: LongText = ""


class AuditCancelIn(InputSchema):
    reason: Reason


__all__ = [
    "AnswerOut",
    "AuditAnswerIn",
    "AuditCancelIn",
    "AuditCloseIn",
    "AuditDetailOut",
    "AuditIn",
    "AuditOut",
    "EvidenceMeta",
    "EvidenceOut",
    "ExplanationOut",
    "QuestionIn",
    "QuestionOut",
    "QuestionPatch",
    "ScheduleIn",
    "ScheduleOut",
    "SchedulePatch",
    "SectionIn",
    "SectionOut",
    "TemplateDetailOut",
    "TemplateIn",
    "TemplateOut",
    "TemplatePatch",
]
