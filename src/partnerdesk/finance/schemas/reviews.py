"""Schemas of an invoice's payment status, match, review checklist and deductions."""

import datetime
from typing import Literal

from ninja import Field, Schema

from partnerdesk.contracts.schemas import Id, Money
from partnerdesk.core.schemas import InputSchema
from partnerdesk.finance.choices import (
    CheckOutcome,
    InvoiceStatus,
    PaymentStatus,
    ReviewStatus,
    Severity,
)
from partnerdesk.finance.schemas.common import Reason, _user_name


class ReasonOut(Schema):
    severity: Severity
    text: str
    exception_id: int | None


class PaymentStatusOut(Schema):
    invoice_id: int
    number: str
    status: InvoiceStatus
    payment_status: PaymentStatus
    reasons: list[ReasonOut]


class RejectIn(InputSchema):
    reason: Reason


class MatchRunOut(Schema):
    id: int
    label: str
    period_start: datetime.date | None
    period_end: datetime.date | None
    started_at: datetime.datetime
    finished_at: datetime.datetime | None
    started_by_id: int | None
    invoices: int
    lines: int
    exceptions_opened: int
    exceptions_cleared: int


class MatchOut(Schema):
    """One invoice matched again: the run, and where the invoice stands after it."""

    run: MatchRunOut
    lines: int
    lines_matched: int
    payment_status: PaymentStatus
    reasons: list[ReasonOut]


# --- review checklists -----------------------------------------------------------------------


class ReviewCheckOut(Schema):
    id: int
    review_id: int
    position: int = Field(..., alias="item.position")
    item: str
    auto: bool
    auto_check: str = Field(..., alias="item.auto_check")
    outcome: CheckOutcome
    detail: str
    note: str
    checked_by_id: int | None
    checked_by: str | None
    checked_at: datetime.datetime | None
    needs_second: bool
    second_by_id: int | None
    second_by: str | None
    second_at: datetime.datetime | None

    @staticmethod
    def resolve_item(obj) -> str:
        return obj.item.text

    @staticmethod
    def resolve_auto(obj) -> bool:
        return bool(obj.item.auto_check)

    @staticmethod
    def resolve_checked_by(obj) -> str | None:
        return _user_name(obj.checked_by)

    @staticmethod
    def resolve_second_by(obj) -> str | None:
        return _user_name(obj.second_by)


class ReviewOut(Schema):
    id: int
    invoice_id: int | None
    partner_id: int
    template: str
    template_version: int = Field(..., alias="template.version")
    status: ReviewStatus
    completed_at: datetime.datetime | None
    checks: list[ReviewCheckOut]

    @staticmethod
    def resolve_template(obj) -> str:
        return obj.template.name

    @staticmethod
    def resolve_checks(obj) -> list:
        return obj.check_rows


class AnswerIn(InputSchema):
    outcome: Literal["passed", "failed", "na"]
    note: str = Field("", max_length=300)


class SecondIn(InputSchema):
    note: str = Field("", max_length=150)


# --- service-credit deductions ---------------------------------------------------------------


class DeductionOut(Schema):
    id: int
    invoice_id: int
    proposal_id: int
    kind: str = Field(..., alias="proposal.kind")
    period: str
    service_level: str
    amount: Money
    currency: str
    applied_by_id: int | None
    applied_at: datetime.datetime

    @staticmethod
    def resolve_period(obj) -> str:
        return obj.proposal.period.strftime("%Y-%m")

    @staticmethod
    def resolve_service_level(obj) -> str:
        return str(obj.proposal.service_level)


class DeductionsOut(Schema):
    invoice_id: int
    currency: str
    gross_total: Money
    net_payable: Money
    items: list[DeductionOut]


class DeductionIn(InputSchema):
    proposal_id: Id = Field(..., description="Credit proposal id (status proposed)")
