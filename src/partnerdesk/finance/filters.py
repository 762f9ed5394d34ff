"""Filters and sortable columns of the finance lists, used by the pages and the API alike."""

import datetime
from typing import Annotated

from ninja import Field, FilterLookup

from partnerdesk.core.schemas import InputFilterSchema
from partnerdesk.finance.choices import (
    ExceptionStatus,
    ExceptionType,
    InvoiceKind,
    InvoiceStatus,
    MatchMode,
    OrderStatus,
    PaymentStatus,
    Severity,
)

# Ids as filters: positive and within the database's integer range (a huge number is a 422,
# not a database error).
ID = Field(None, ge=1, le=2**31)


class OrderFilter(InputFilterSchema):
    q: Annotated[
        str | None,
        FilterLookup(["number__icontains", "partner__code__icontains", "lines__item__icontains"]),
    ] = Field(None, max_length=100, description="Search order number, partner code and items")
    partner: Annotated[int | None, FilterLookup("partner_id")] = ID
    status: OrderStatus | None = None
    match_mode: MatchMode | None = None
    ordered_from: Annotated[datetime.date | None, FilterLookup("order_date__gte")] = None
    ordered_to: Annotated[datetime.date | None, FilterLookup("order_date__lte")] = None


ORDER_SORTS = {
    "number": "number",
    "partner": "partner__code",
    "order_date": "order_date",
    "status": "status",
}


class ReceiptFilter(InputFilterSchema):
    q: Annotated[
        str | None,
        FilterLookup(["number__icontains", "partner__code__icontains"]),
    ] = Field(None, max_length=100, description="Search delivery note and partner code")
    partner: Annotated[int | None, FilterLookup("partner_id")] = ID
    received_from: Annotated[datetime.date | None, FilterLookup("received_on__gte")] = None
    received_to: Annotated[datetime.date | None, FilterLookup("received_on__lte")] = None


RECEIPT_SORTS = {"number": "number", "partner": "partner__code", "received_on": "received_on"}


class InvoiceFilter(InputFilterSchema):
    q: Annotated[
        str | None,
        FilterLookup(["number__icontains", "partner__code__icontains"]),
    ] = Field(None, max_length=100, description="Search invoice number and partner code")
    partner: Annotated[int | None, FilterLookup("partner_id")] = ID
    kind: InvoiceKind | None = None
    status: InvoiceStatus | None = None
    payment_status: PaymentStatus | None = None
    dated_from: Annotated[datetime.date | None, FilterLookup("invoice_date__gte")] = None
    dated_to: Annotated[datetime.date | None, FilterLookup("invoice_date__lte")] = None


INVOICE_SORTS = {
    "number": "number",
    "partner": "partner__code",
    "invoice_date": "invoice_date",
    "due_date": "due_date",
    "gross_total": "gross_total",
    "payment_status": "payment_status",
}


class ExceptionFilter(InputFilterSchema):
    q: Annotated[
        str | None,
        FilterLookup(
            ["invoice__number__icontains", "invoice__partner__code__icontains", "detail__icontains"]
        ),
    ] = Field(None, max_length=100, description="Search invoice number, partner and detail")
    partner: Annotated[int | None, FilterLookup("invoice__partner_id")] = ID
    invoice: Annotated[int | None, FilterLookup("invoice_id")] = ID
    type: ExceptionType | None = None
    severity: Severity | None = None
    status: ExceptionStatus | None = None
    owner: Annotated[int | None, FilterLookup("owner_id")] = ID


EXCEPTION_SORTS = {
    "opened_at": "opened_at",
    "amount_at_stake": "amount_at_stake",
    "type": "type",
    "partner": "invoice__partner__code",
    "status": "status",
}


class ReconciliationFilter(InputFilterSchema):
    week: Annotated[str | None, FilterLookup("week")] = Field(
        None, max_length=8, description="ISO week, e.g. 2026-W47"
    )


RECONCILIATION_SORTS = {"week": "week_start", "revision": "revision"}
