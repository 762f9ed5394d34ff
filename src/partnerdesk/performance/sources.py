"""Derived metric sources: KPIs computed from platform data instead of entered.

A source is a function ``(period_start, period_end) -> {contract_id: [Observation, …]}``
computed set-based (one aggregate query). Modules register theirs here as they land:

- ``milestone_on_time`` (contracts): deliverables due in the period delivered on time.
- ``receipts_on_time``, ``invoices_matched``, ``budget_adherence`` (finance, registered by
  ``partnerdesk.finance.sources`` when the app is ready).
- later: lot acceptance and PPM from inspections, customer quality from surveys.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from partnerdesk.performance.engines.aggregation import Observation

Compute = Callable[[datetime.date, datetime.date], dict[int, list[Observation]]]


@dataclass(frozen=True)
class DerivedSource:
    code: str
    label: str
    compute: Compute


SOURCES: dict[str, DerivedSource] = {}


def register(code: str, label: str):
    def wrap(compute: Compute) -> Compute:
        SOURCES[code] = DerivedSource(code, label, compute)
        return compute

    return wrap


@register("milestone_on_time", "Milestones and deliverables on time (%)")
def milestone_on_time(period_start: datetime.date, period_end: datetime.date):
    """Per contract: deliverables due in the period (numerator: delivered on or before the
    due date and not rejected; denominator: all due, delivered, rejected or not)."""
    from django.db.models import Count, F, Q

    from partnerdesk.contracts.models import Deliverable

    rows = (
        Deliverable.objects.filter(due_date__gte=period_start, due_date__lte=period_end)
        .values("contract_id")
        .annotate(
            due=Count("id"),
            on_time=Count("id", filter=Q(delivered_on__lte=F("due_date")) & ~Q(status="rejected")),
        )
    )
    from decimal import Decimal

    return {
        row["contract_id"]: [
            Observation(
                value=None,
                numerator=Decimal(row["on_time"]),
                denominator=Decimal(row["due"]),
                at=period_end,
                key=f"deliverables:{row['contract_id']}",
            )
        ]
        for row in rows
    }
