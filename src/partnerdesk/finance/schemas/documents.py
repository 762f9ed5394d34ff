"""Schemas of purchase orders, goods receipts and supplier invoices."""

import datetime
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema

from partnerdesk.contracts.schemas import Currency, Day, Id, Money, Money16
from partnerdesk.core.schemas import InputSchema
from partnerdesk.finance.choices import (
    InvoiceKind,
    InvoiceStatus,
    MatchMode,
    OrderStatus,
    PaymentStatus,
)
from partnerdesk.finance.schemas.common import (
    LineNo,
    Number,
    Percent2,
    Price,
    PriceIn,
    Quantity,
    QuantityIn,
)

# --- purchase orders -------------------------------------------------------------------------


class OrderLineOut(Schema):
    id: int
    line_no: int
    item: str
    description: str
    category: str | None
    quantity: Quantity
    unit: str
    unit_price: Price
    promised_date: datetime.date | None

    @staticmethod
    def resolve_category(obj) -> str | None:
        return obj.category.code if obj.category_id else None


class OrderOut(Schema):
    id: int
    partner_id: int
    partner_code: str = Field(..., alias="partner.code")
    contract_id: int | None
    number: str
    order_date: datetime.date
    currency: str
    status: OrderStatus
    match_mode: MatchMode
    notes: str
    line_count: int
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_line_count(obj) -> int:
        count = getattr(obj, "line_count", None)
        return count if count is not None else len(obj.lines.all())


class OrderDetailOut(OrderOut):
    lines: list[OrderLineOut]

    @staticmethod
    def resolve_lines(obj) -> list:
        return list(obj.lines.all())


class OrderLineIn(InputSchema):
    line_no: LineNo | None = Field(None, description="Defaults to the line's position, from 1")
    item: str = Field(..., min_length=1, max_length=80)
    description: str = Field("", max_length=200)
    category: str | None = Field(None, max_length=30, description="Item category code")
    quantity: Annotated[Decimal, Field(gt=0, max_digits=16, decimal_places=3)]
    unit: str = Field("pcs", max_length=12)
    unit_price: PriceIn
    promised_date: Day | None = None


class OrderIn(InputSchema):
    partner: Id = Field(..., description="Partner id")
    contract: Id | None = Field(None, description="Contract id (of the same partner)")
    number: Number
    order_date: Day
    currency: Currency
    match_mode: MatchMode = MatchMode.THREE_WAY
    notes: str = Field("", max_length=2000)
    lines: list[OrderLineIn] = Field(..., min_length=1, max_length=2000)


class OrderStatusIn(InputSchema):
    status: OrderStatus


# --- goods receipts --------------------------------------------------------------------------


class ReceiptLineOut(Schema):
    id: int
    receipt_id: int
    line_no: int
    order_line_id: int
    order: str = Field(..., alias="order_line.order.number")
    order_line: int = Field(..., alias="order_line.line_no")
    item: str = Field(..., alias="order_line.item")
    quantity_received: Quantity
    quantity_accepted: Quantity | None
    quantity_rejected: Quantity | None
    on_hold: bool
    hold_reason: str


class ReceiptOut(Schema):
    id: int
    partner_id: int
    partner_code: str = Field(..., alias="partner.code")
    number: str
    received_on: datetime.date
    notes: str
    line_count: int
    lines_on_hold: int
    created_at: datetime.datetime

    @staticmethod
    def resolve_line_count(obj) -> int:
        count = getattr(obj, "line_count", None)
        return count if count is not None else len(obj.lines.all())

    @staticmethod
    def resolve_lines_on_hold(obj) -> int:
        held = getattr(obj, "held", None)
        return held if held is not None else sum(1 for line in obj.lines.all() if line.on_hold)


class ReceiptDetailOut(ReceiptOut):
    lines: list[ReceiptLineOut]

    @staticmethod
    def resolve_lines(obj) -> list:
        return list(obj.lines.all())


class ReceiptLineIn(InputSchema):
    order: Number = Field(..., description="Order number")
    order_line: LineNo = Field(..., description="Line number on the order")
    quantity_received: Annotated[Decimal, Field(gt=0, max_digits=16, decimal_places=3)]


class ReceiptIn(InputSchema):
    partner: Id = Field(..., description="Partner id")
    number: Number = Field(..., description="Delivery note number")
    received_on: Day
    notes: str = Field("", max_length=2000)
    lines: list[ReceiptLineIn] = Field(..., min_length=1, max_length=2000)


class InspectionIn(InputSchema):
    accepted: QuantityIn | None = Field(None, description="Quantity accepted")
    rejected: QuantityIn | None = Field(None, description="Quantity rejected")
    on_hold: bool = False
    hold_reason: str = Field("", max_length=200)


# --- supplier invoices and credit notes ------------------------------------------------------


class InvoiceLineOut(Schema):
    id: int
    line_no: int
    order_line_id: int | None
    order: str | None
    order_line: int | None
    order_reference: str
    item: str
    description: str
    quantity: Quantity
    unit_price: Price
    amount: Money
    tax_rate: Percent2 | None
    tax_amount: Money

    @staticmethod
    def resolve_order(obj) -> str | None:
        return obj.order_line.order.number if obj.order_line_id else None

    @staticmethod
    def resolve_order_line(obj) -> int | None:
        return obj.order_line.line_no if obj.order_line_id else None


class InvoiceOut(Schema):
    id: int
    partner_id: int
    partner_code: str = Field(..., alias="partner.code")
    kind: InvoiceKind
    number: str
    invoice_date: datetime.date
    received_on: datetime.date
    due_date: datetime.date
    currency: str
    net_total: Money
    tax_total: Money
    gross_total: Money
    tax_id: str
    bank_account: str
    credits_invoice_id: int | None
    status: InvoiceStatus
    payment_status: PaymentStatus
    matched_at: datetime.datetime | None
    released_at: datetime.datetime | None
    released_by_id: int | None
    rejection_reason: str
    created_at: datetime.datetime


class InvoiceDetailOut(InvoiceOut):
    credits_invoice_number: str | None
    lines: list[InvoiceLineOut]

    @staticmethod
    def resolve_credits_invoice_number(obj) -> str | None:
        return obj.credits_invoice.number if obj.credits_invoice_id else None

    @staticmethod
    def resolve_lines(obj) -> list:
        return list(obj.lines.all())


class InvoiceLineIn(InputSchema):
    order: str | None = Field(None, max_length=40, description="Order number")
    order_line: LineNo | None = Field(None, description="Line number on the order")
    order_reference: str = Field(
        "", max_length=60, description="The order reference as printed, when it names no line"
    )
    item: str = Field("", max_length=80)
    description: str = Field("", max_length=200)
    quantity: Annotated[Decimal, Field(ge=0, max_digits=16, decimal_places=3)]
    unit_price: PriceIn
    amount: Money16
    tax_rate: Annotated[Decimal, Field(ge=0, max_digits=5, decimal_places=2)] | None = None
    tax_amount: Money16 = Decimal(0)


class InvoiceIn(InputSchema):
    partner: Id = Field(..., description="Partner id")
    kind: InvoiceKind = InvoiceKind.INVOICE
    number: Number
    invoice_date: Day
    received_on: Day | None = Field(None, description="Defaults to today")
    due_date: Day
    currency: Currency
    net_total: Money16
    tax_total: Money16
    gross_total: Money16
    tax_id: str = Field("", max_length=40)
    bank_account: str = Field("", max_length=60)
    credits_invoice: str | None = Field(
        None, max_length=40, description="Credit notes: the number of the invoice credited"
    )
    lines: list[InvoiceLineIn] = Field(..., min_length=1, max_length=2000)
