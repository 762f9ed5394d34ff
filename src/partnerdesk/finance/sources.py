"""Derived KPI sources from the finance module, registered in ``performance.sources`` when the
app is ready. Each is computed for all contracts at once (one aggregate query) and returns one
observation per contract (a numerator and a denominator, or a value), keyed so the explain
view can say where it came from.

A document belongs to a contract through its purchase order (``PurchaseOrder.contract``).

- ``receipts_on_time``: receipt lines received in the period against order lines with a
  promised date; on time = received on or before the promised date.
- ``invoices_matched``: invoices dated in the period and matched; accurate = no exception was
  found on it other than ones later cleared by a match (a receipt that arrived late is not
  the invoice's fault).
- ``budget_adherence``: net invoiced in the period against the contract's monthly budget (its
  value spread evenly over its months, or its monthly fee when it has no value): 100 when the
  spend is within budget, else budget / spend x 100. No spend, no observation.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from partnerdesk.performance.engines.aggregation import Observation
from partnerdesk.performance.sources import register

HUNDRED = Decimal(100)


@register("receipts_on_time", "Deliveries received by the promised date (%)")
def receipts_on_time(period_start: datetime.date, period_end: datetime.date):
    from django.db.models import Count, F, Q

    from partnerdesk.finance.models import GoodsReceiptLine

    rows = (
        GoodsReceiptLine.objects.filter(
            receipt__received_on__gte=period_start,
            receipt__received_on__lte=period_end,
            order_line__promised_date__isnull=False,
            order_line__order__contract__isnull=False,
        )
        .values(contract=F("order_line__order__contract_id"))
        .annotate(
            due=Count("id"),
            on_time=Count("id", filter=Q(receipt__received_on__lte=F("order_line__promised_date"))),
        )
    )
    return {
        row["contract"]: [
            Observation(
                value=None,
                numerator=Decimal(row["on_time"]),
                denominator=Decimal(row["due"]),
                at=period_end,
                key=f"receipts:{row['contract']}",
            )
        ]
        for row in rows
    }


@register("invoices_matched", "Invoices matched without a discrepancy (%)")
def invoices_matched(period_start: datetime.date, period_end: datetime.date):
    from django.db.models import Exists, OuterRef

    from partnerdesk.finance.choices import InvoiceKind, InvoiceStatus, Resolution
    from partnerdesk.finance.models import MatchException, SupplierInvoiceLine

    found = MatchException.objects.filter(invoice_id=OuterRef("invoice_id")).exclude(
        resolution=Resolution.CLEARED
    )
    rows = (
        SupplierInvoiceLine.objects.filter(
            invoice__kind=InvoiceKind.INVOICE,
            invoice__invoice_date__gte=period_start,
            invoice__invoice_date__lte=period_end,
            invoice__matched_at__isnull=False,
            order_line__order__contract__isnull=False,
        )
        .exclude(invoice__status=InvoiceStatus.REJECTED)
        .annotate(discrepant=Exists(found))
        .values_list("order_line__order__contract_id", "invoice_id", "discrepant")
        .distinct()
    )
    per_contract: dict[int, dict[int, bool]] = defaultdict(dict)
    for contract_id, invoice_id, discrepant in rows:
        per_contract[contract_id][invoice_id] = discrepant
    return {
        contract_id: [
            Observation(
                value=None,
                numerator=Decimal(sum(1 for bad in invoices.values() if not bad)),
                denominator=Decimal(len(invoices)),
                at=period_end,
                key=f"invoices:{contract_id}",
            )
        ]
        for contract_id, invoices in per_contract.items()
    }


def monthly_budget(value, monthly_fee, start: datetime.date, end: datetime.date) -> Decimal:
    """The contract's budget for one month: its value over its months, else the fee."""
    if value:
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        return Decimal(value) / max(months, 1)
    return Decimal(monthly_fee or 0)


def adherence(spend: Decimal, budget: Decimal) -> Decimal | None:
    if spend <= 0 or budget <= 0:
        return None
    return HUNDRED if spend <= budget else (budget / spend * HUNDRED)


@register("budget_adherence", "Spend within the contract budget (100 = on budget)")
def budget_adherence(period_start: datetime.date, period_end: datetime.date):
    from django.db.models import Sum

    from partnerdesk.finance.choices import InvoiceKind, InvoiceStatus
    from partnerdesk.finance.models import SupplierInvoiceLine

    spend = (
        SupplierInvoiceLine.objects.filter(
            invoice__kind=InvoiceKind.INVOICE,
            invoice__invoice_date__gte=period_start,
            invoice__invoice_date__lte=period_end,
            order_line__order__contract__isnull=False,
        )
        .exclude(invoice__status=InvoiceStatus.REJECTED)
        .values_list(
            "order_line__order__contract_id",
            "order_line__order__contract__value",
            "order_line__order__contract__monthly_fee",
            "order_line__order__contract__start_date",
            "order_line__order__contract__end_date",
        )
        .annotate(spend=Sum("amount"))
    )
    out = {}
    for contract_id, value, fee, start, end, total in spend:
        budget = monthly_budget(value, fee, start, end)
        result = adherence(total or Decimal(0), budget)
        if result is not None:
            out[contract_id] = [
                Observation(value=result, at=period_end, key=f"budget:{contract_id}")
            ]
    return out
