"""Field types and list filters the finance API schemas share."""

from decimal import Decimal
from typing import Annotated

from ninja import Field, FilterLookup
from pydantic import StringConstraints

from partnerdesk.contracts.schemas import Fixed
from partnerdesk.finance.filters import (
    ExceptionFilter,
    InvoiceFilter,
    OrderFilter,
    ReceiptFilter,
)

Quantity = Fixed(3)
Price = Fixed(4)
Percent2 = Fixed(2)
Number = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
QuantityIn = Annotated[Decimal, Field(max_digits=16, decimal_places=3)]
PriceIn = Annotated[Decimal, Field(ge=0, max_digits=16, decimal_places=4)]
LineNo = Annotated[int, Field(ge=1, le=2**31 - 1)]
IdFilter = Field(None, ge=1, le=2**31 - 1)


def _user_name(user) -> str | None:
    return None if user is None else str(user)


# --- list filters: the pages' filters, with ids bounded to what the database can hold --------


class OrderApiFilter(OrderFilter):
    partner: Annotated[int | None, FilterLookup("partner_id")] = IdFilter


class ReceiptApiFilter(ReceiptFilter):
    partner: Annotated[int | None, FilterLookup("partner_id")] = IdFilter


class InvoiceApiFilter(InvoiceFilter):
    partner: Annotated[int | None, FilterLookup("partner_id")] = IdFilter


class ExceptionApiFilter(ExceptionFilter):
    partner: Annotated[int | None, FilterLookup("invoice__partner_id")] = IdFilter
    invoice: Annotated[int | None, FilterLookup("invoice_id")] = IdFilter
    owner: Annotated[int | None, FilterLookup("owner_id")] = IdFilter
