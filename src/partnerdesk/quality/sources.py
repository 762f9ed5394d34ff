"""Derived KPI sources from the quality module, registered in ``performance.sources`` when the
app is ready. Each is one aggregate query over the period and returns observations per
contract.

Lots belong to a contract through their receipt line's purchase order. Audits, corrective
actions and nonconformances belong to a partner; they count for each of the partner's
contracts in force during the period (not drafts).

- ``lot_acceptance``: lots decided in the period; accepted / decided.
- ``ppm_defective``: over the receipt lines whose lot was decided in the period, quantity
  rejected / quantity received (x 1,000,000 by the metric's scale). A rejected lot without a
  disposition yet counts as wholly rejected; its disposition (sorting) settles the figure.
- ``audit_score``: the score of each audit closed in the period (the metric takes the mean).
- ``eightd_on_time``: corrective actions closed in the period; closed by the D8 due time /
  closed.
- ``repeat_nonconformances``: nonconformances detected in the period that repeat an earlier
  one (same partner and defect within 12 months); 0 for a contract in force without any.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from partnerdesk.performance.engines.aggregation import Observation
from partnerdesk.performance.sources import register


def _contracts_by_partner(start: datetime.date, end: datetime.date) -> dict[int, list[int]]:
    from partnerdesk.contracts.choices import ContractStatus
    from partnerdesk.contracts.models import Contract

    rows = (
        Contract.objects.filter(start_date__lte=end, end_date__gte=start)
        .exclude(status=ContractStatus.DRAFT)
        .values_list("partner_id", "id")
    )
    found: dict[int, list[int]] = defaultdict(list)
    for partner_id, contract_id in rows:
        found[partner_id].append(contract_id)
    return found


def _decided_lots(start: datetime.date, end: datetime.date):
    from partnerdesk.quality.choices import LotStatus
    from partnerdesk.quality.models import LotInspection

    return LotInspection.objects.filter(
        status__in=(LotStatus.ACCEPTED, LotStatus.REJECTED),
        decided_at__date__gte=start,
        decided_at__date__lte=end,
        receipt_line__order_line__order__contract__isnull=False,
    )


@register("lot_acceptance", "Incoming lots accepted (%)")
def lot_acceptance(period_start: datetime.date, period_end: datetime.date):
    from django.db.models import Count, F, Q

    rows = (
        _decided_lots(period_start, period_end)
        .values(contract=F("receipt_line__order_line__order__contract_id"))
        .annotate(decided=Count("id"), accepted=Count("id", filter=Q(status="accepted")))
    )
    return {
        row["contract"]: [
            Observation(
                value=None,
                numerator=Decimal(row["accepted"]),
                denominator=Decimal(row["decided"]),
                at=period_end,
                key=f"lots:{row['contract']}",
            )
        ]
        for row in rows
    }


@register("ppm_defective", "Defective parts per million received")
def ppm_defective(period_start: datetime.date, period_end: datetime.date):
    from django.db.models import Case, F, Sum, When
    from django.db.models.functions import Coalesce

    line = "receipt_line__"
    rejected = Case(
        When(
            status="rejected",
            then=Coalesce(F(f"{line}quantity_rejected"), F(f"{line}quantity_received")),
        ),
        default=Coalesce(F(f"{line}quantity_rejected"), Decimal(0)),
    )
    rows = (
        _decided_lots(period_start, period_end)
        .values(contract=F(f"{line}order_line__order__contract_id"))
        .annotate(received=Sum(f"{line}quantity_received"), rejected=Sum(rejected))
    )
    return {
        row["contract"]: [
            Observation(
                value=None,
                numerator=Decimal(row["rejected"] or 0),
                denominator=Decimal(row["received"] or 0),
                at=period_end,
                key=f"ppm:{row['contract']}",
            )
        ]
        for row in rows
        if row["received"]
    }


@register("audit_score", "Supplier audit score (%)")
def audit_score(period_start: datetime.date, period_end: datetime.date):
    from django.utils import timezone

    from partnerdesk.quality.choices import AuditStatus
    from partnerdesk.quality.models import Audit

    contracts = _contracts_by_partner(period_start, period_end)
    audits = Audit.objects.filter(
        status=AuditStatus.CLOSED,
        closed_at__date__gte=period_start,
        closed_at__date__lte=period_end,
        score__isnull=False,
        partner_id__in=list(contracts),
    ).values_list("partner_id", "number", "score", "closed_at")
    found: dict[int, list[Observation]] = defaultdict(list)
    for partner_id, number, score, closed_at in audits:
        for contract_id in contracts[partner_id]:
            found[contract_id].append(
                Observation(
                    value=Decimal(score), at=timezone.localdate(closed_at), key=f"audit:{number}"
                )
            )
    return dict(found)


@register("eightd_on_time", "8D corrective actions closed on time (%)")
def eightd_on_time(period_start: datetime.date, period_end: datetime.date):
    from django.db.models import Count, Q

    from partnerdesk.quality.choices import ActionStatus
    from partnerdesk.quality.models import CorrectiveAction

    contracts = _contracts_by_partner(period_start, period_end)
    rows = (
        CorrectiveAction.objects.filter(
            status=ActionStatus.CLOSED,
            closed_at__date__gte=period_start,
            closed_at__date__lte=period_end,
            partner_id__in=list(contracts),
        )
        .values("partner_id")
        .annotate(closed=Count("id"), on_time=Count("id", filter=Q(closed_on_time=True)))
    )
    found: dict[int, list[Observation]] = {}
    for row in rows:
        for contract_id in contracts[row["partner_id"]]:
            found[contract_id] = [
                Observation(
                    value=None,
                    numerator=Decimal(row["on_time"]),
                    denominator=Decimal(row["closed"]),
                    at=period_end,
                    key=f"8d:{row['partner_id']}",
                )
            ]
    return found


@register("repeat_nonconformances", "Repeat nonconformances (count)")
def repeat_nonconformances(period_start: datetime.date, period_end: datetime.date):
    from django.db.models import Count

    from partnerdesk.quality.choices import NCStatus
    from partnerdesk.quality.models import Nonconformance

    contracts = _contracts_by_partner(period_start, period_end)
    counts = dict(
        Nonconformance.objects.filter(
            detected_on__gte=period_start,
            detected_on__lte=period_end,
            repeat_of__isnull=False,
            partner_id__in=list(contracts),
        )
        .exclude(status=NCStatus.CANCELLED)
        .values("partner_id")
        .annotate(n=Count("id"))
        .values_list("partner_id", "n")
    )
    return {
        contract_id: [
            Observation(
                value=Decimal(counts.get(partner_id, 0)),
                at=period_end,
                key=f"repeats:{partner_id}",
            )
        ]
        for partner_id, ids in contracts.items()
        for contract_id in ids
    }
