"""Reads of the performance app, through the user's visibility where a user is involved."""

import datetime

from django.db.models import Max

from partnerdesk.performance.models import PartnerScore, PeriodClose


def latest_closed_period() -> datetime.date | None:
    return PeriodClose.objects.filter(reopened_at__isnull=True).aggregate(p=Max("period"))["p"]


def partner_standing(*, partner_id: int) -> PartnerScore | None:
    """The partner's newest score of a standing close (its standing and action)."""
    return (
        PartnerScore.objects.filter(partner_id=partner_id, period_close__reopened_at__isnull=True)
        .order_by("-period")
        .first()
    )


def is_closed(period: datetime.date) -> bool:
    return PeriodClose.objects.filter(
        period=period.replace(day=1), reopened_at__isnull=True
    ).exists()
