"""Reads for the quality pages: the home page's charts and lists, a lot's parameters and
invoices, the people to choose from. Always through ``restrict``."""

import datetime

from django.db.models import Count, F, Q, Sum

from partnerdesk.quality.choices import (
    LotStatus,
    NCStatus,
)
from partnerdesk.quality.models import (
    CostEvent,
    InspectionParameter,
    LotInspection,
    Nonconformance,
)


def lot_acceptance_by_month(*, user, since: datetime.date) -> list[dict]:
    """Lots decided per month (local time) from ``since`` on: month, decided, accepted."""
    from django.db.models import DateField
    from django.db.models.functions import TruncMonth

    return list(
        LotInspection.objects.restrict(user)
        .filter(decided_at__isnull=False, decided_at__date__gte=since)
        .annotate(month=TruncMonth("decided_at", output_field=DateField()))
        .values("month")
        .annotate(decided=Count("id"), accepted=Count("id", filter=Q(status=LotStatus.ACCEPTED)))
        .order_by("month")
    )


def nc_by_defect(*, user, since: datetime.date) -> list[dict]:
    """Nonconformances detected from ``since`` on per defect type, the most frequent first
    (cancelled ones aside): code, name, count."""
    return list(
        Nonconformance.objects.restrict(user)
        .filter(detected_on__gte=since)
        .exclude(status=NCStatus.CANCELLED)
        .values(code=F("defect_type__code"), name=F("defect_type__name"))
        .annotate(count=Count("id"))
        .order_by("-count", "code")
    )


def cost_by_month(*, user, since: datetime.date) -> list[dict]:
    """Cost of poor quality per month and currency from ``since`` on (corrections included,
    so a reversed entry nets out): month, currency, total."""
    from django.db.models.functions import TruncMonth

    return list(
        CostEvent.objects.restrict(user)
        .filter(occurred_on__gte=since)
        .annotate(month=TruncMonth("occurred_on"))
        .values("month", "currency")
        .annotate(total=Sum("amount"))
        .order_by("month", "currency")
    )


def lots_awaiting(*, user):
    """Lots waiting for their readings (open) or, rejected, for a disposition; oldest first."""
    from partnerdesk.quality.selectors import lot_list

    return (
        lot_list(user=user)
        .filter(Q(status=LotStatus.OPEN) | Q(status=LotStatus.REJECTED, disposition=""))
        .order_by("created_at", "id")
    )


def lot_parameters(*, user, inspection: LotInspection) -> list[InspectionParameter]:
    """The parameters a lot is inspected for. Whoever may see the lot sees them (a partner
    user has no access to the standards themselves, but reads the columns of its readings)."""
    if not LotInspection.objects.restrict(user).filter(pk=inspection.pk).exists():
        return []
    return list(
        InspectionParameter.objects.filter(standard_id=inspection.standard_id)
        .select_related("defect_type")
        .order_by("position")
    )


def lot_invoices(*, user, inspection: LotInspection):
    """The invoices billing the lot's order line, with their payment status."""
    from partnerdesk.finance.models import SupplierInvoice

    return (
        SupplierInvoice.objects.restrict(user)
        .filter(lines__order_line_id=inspection.receipt_line.order_line_id)
        .distinct()
        .order_by("invoice_date", "id")
    )


def quality_staff(codename: str):
    """Active internal users holding ``quality.<codename>`` (inspectors, owners, engineers)."""
    from django.contrib.auth import get_user_model

    granted = Q(
        groups__permissions__codename=codename,
        groups__permissions__content_type__app_label="quality",
    ) | Q(
        user_permissions__codename=codename,
        user_permissions__content_type__app_label="quality",
    )
    return (
        get_user_model()
        .objects.filter(is_active=True, partner__isnull=True)
        .filter(granted | Q(is_superuser=True))
        .distinct()
        .order_by("username")
    )
