"""Reads of the partners app, always through the user's visibility."""

import datetime

from django.db.models import Count
from django.utils import timezone

from partnerdesk.partners.models import (
    Certification,
    InternalOwner,
    Partner,
    PartnerContact,
    PartnerDocument,
)


def partner_list(*, user):
    return Partner.objects.restrict(user).prefetch_related("categories")


def partner_get(*, user, pk, action: str = "view") -> Partner:
    """One partner the user may see (or act on); raises ``Partner.DoesNotExist`` otherwise."""
    return Partner.objects.restrict(user, action).get(pk=pk)


def partner_status_counts(*, user) -> list[dict]:
    rows = dict(partner_list(user=user).order_by().values_list("status").annotate(n=Count("pk")))
    from partnerdesk.partners.choices import PartnerStatus

    return [{"status": s, "label": s.label, "count": rows.get(s.value, 0)} for s in PartnerStatus]


def contact_list(*, user):
    return PartnerContact.objects.restrict(user).select_related("partner")


def owner_list(*, user):
    return InternalOwner.objects.restrict(user).select_related("partner", "person__department")


def certification_list(*, user):
    return Certification.objects.restrict(user).select_related("partner")


def certifications_expiring(*, user, within_days: int = 90, today: datetime.date | None = None):
    """Certificates that expired or expire within the window, soonest first."""
    today = today or timezone.localdate()
    return (
        certification_list(user=user)
        .filter(expires_on__lte=today + datetime.timedelta(days=within_days))
        .exclude(partner__status="terminated")
        .order_by("expires_on", "pk")
    )


def document_list(*, user):
    return PartnerDocument.objects.restrict(user).select_related("partner", "uploaded_by")
