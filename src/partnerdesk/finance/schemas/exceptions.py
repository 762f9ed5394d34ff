"""Schemas of the exception queue and the weekly reconciliations."""

import datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import StringConstraints

from partnerdesk.contracts.schemas import Id, Money, Money16
from partnerdesk.core.schemas import InputSchema
from partnerdesk.finance.choices import (
    AgendaStatus,
    ExceptionStatus,
    ExceptionType,
    ReasonCode,
    Severity,
)

# --- the exception queue ---------------------------------------------------------------------


class ExceptionOut(Schema):
    id: int
    invoice_id: int
    invoice_number: str = Field(..., alias="invoice.number")
    partner_id: int = Field(..., alias="invoice.partner_id")
    partner_code: str = Field(..., alias="invoice.partner.code")
    invoice_line_id: int | None
    invoice_line_no: int | None
    related_invoice_id: int | None
    type: ExceptionType
    severity: Severity
    amount_at_stake: Money
    currency: str
    detail: str
    opened_at: datetime.datetime
    first_run_id: int
    last_run_id: int
    status: ExceptionStatus
    owner_id: int | None
    reason_code: str
    resolution: str
    justification: str
    resolved_by_id: int | None
    resolved_at: datetime.datetime | None
    approved_by_id: int | None
    approved_at: datetime.datetime | None
    credit_note_id: int | None
    recovered_amount: Money
    data_error_found_by_id: int | None
    data_error_amount: Money | None

    @staticmethod
    def resolve_invoice_line_no(obj) -> int | None:
        return obj.invoice_line.line_no if obj.invoice_line_id else None


class AssignIn(InputSchema):
    owner: Id | None = Field(..., description="User id of the new owner, or null for none")
    reason_code: ReasonCode | None = None


class ResolveIn(InputSchema):
    resolution: Literal["accepted", "credit_note", "rejected", "corrected"]
    justification: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)
    ]
    reason_code: ReasonCode | None = None
    data_error_amount: Money16 | None = Field(
        None,
        description="Corrections: the amount of the data error (defaults to the amount at stake)",
    )
    found_by: Id | None = Field(
        None, description="Corrections: user id of who found the error (defaults to you)"
    )


class ApproveIn(InputSchema):
    approve: bool
    note: str = Field("", max_length=2000)


class CreditNoteIn(InputSchema):
    credit_note_id: Id = Field(..., description="The credit note (a supplier invoice) received")
    amount: Annotated[Decimal, Field(gt=0, max_digits=16, decimal_places=2)] | None = Field(
        None, description="Amount recovered (defaults to the credit note's gross total)"
    )


# --- weekly reconciliations ------------------------------------------------------------------


# Years 1900-2999, as for dates: a week at the edge of the calendar would overflow its Sunday.
WEEK_PATTERN = r"^(19|2[0-9])[0-9]{2}-W(0[1-9]|[1-4][0-9]|5[0-3])$"


class AgendaItemOut(Schema):
    id: int
    position: int
    title: str
    detail: str
    partner_id: int | None
    exception_id: int | None
    status: AgendaStatus


class ReconciliationOut(Schema):
    id: int
    week: str
    revision: int
    week_start: datetime.date
    week_end: datetime.date
    run_id: int
    created_at: datetime.datetime
    created_by_id: int | None
    invoices: int
    matched_share: str | None

    @staticmethod
    def resolve_invoices(obj) -> int:
        return int(obj.report.get("invoices") or 0)

    @staticmethod
    def resolve_matched_share(obj) -> str | None:
        return obj.report.get("matched_share")


class ReconciliationDetailOut(ReconciliationOut):
    report: dict
    agenda: list[AgendaItemOut]

    @staticmethod
    def resolve_agenda(obj) -> list:
        return list(obj.agenda.all())


class ReconciliationIn(InputSchema):
    week: str = Field(..., pattern=WEEK_PATTERN, description="ISO week, YYYY-Www (e.g. 2026-W47)")
