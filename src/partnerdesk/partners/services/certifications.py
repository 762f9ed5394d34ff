"""Certifications and their expiry reminders at 90, 60 and 30 days."""

import datetime

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerdesk.notifications.services import notify
from partnerdesk.partners.choices import CERTIFICATION_REMINDER_DAYS, OwnerRole, PartnerStatus
from partnerdesk.partners.models import Certification, CertificationReminder, Partner
from partnerdesk.partners.services._crud import child_create, child_delete, child_update

CERTIFICATION_FIELDS = {
    "standard",
    "other_standard",
    "certificate_number",
    "issuer",
    "scope",
    "issued_on",
    "expires_on",
    "document",
}


def certification_create(*, user, partner: Partner, data: dict) -> Certification:
    return child_create(
        user=user, model=Certification, partner=partner, data=data, allowed=CERTIFICATION_FIELDS
    )


def certification_update(*, user, certification: Certification, data: dict) -> Certification:
    return child_update(user=user, instance=certification, data=data, allowed=CERTIFICATION_FIELDS)


def certification_delete(*, user, certification: Certification) -> None:
    child_delete(user=user, instance=certification)


def due_threshold(expires_on: datetime.date, today: datetime.date) -> int | None:
    """The smallest reminder threshold already reached, or None if none is reached yet.

    A certificate 45 days from expiry has passed the 90- and 60-day marks: one reminder (60) is
    due, not two. An expired certificate is past every threshold (0 days left counts as 30).
    """
    days_left = (expires_on - today).days
    reached = [d for d in CERTIFICATION_REMINDER_DAYS if days_left <= d]
    return min(reached) if reached else None


def _recipients(partner: Partner):
    owners = partner.internal_owners.all()  # prefetched with person and user
    users = [
        o.person.user
        for o in owners
        if o.role in (OwnerRole.RELATIONSHIP, OwnerRole.QUALITY) and o.person.user
    ]
    return {u.pk: u for u in users}.values()


def certification_send_reminders(*, today: datetime.date | None = None) -> int:
    """Remind the partner's relationship and quality owners of certificates reaching 90, 60 or
    30 days before expiry. Each threshold is reminded once per expiry date, so the job can run
    as often as it likes; a renewed certificate (new expiry) is reminded again."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=max(CERTIFICATION_REMINDER_DAYS))
    candidates = (
        Certification.objects.filter(expires_on__lte=horizon, expires_on__gte=today)
        .exclude(partner__status=PartnerStatus.TERMINATED)
        .select_related("partner")
        .prefetch_related("partner__internal_owners__person__user")
    )
    already = set(
        CertificationReminder.objects.filter(expires_on__gte=today).values_list(
            "certification_id", "days_before", "expires_on"
        )
    )
    sent = 0
    for certification in candidates:
        threshold = due_threshold(certification.expires_on, today)
        key = (certification.pk, threshold, certification.expires_on)
        if threshold is None or key in already:
            continue
        try:
            with transaction.atomic():
                CertificationReminder.objects.create(
                    certification=certification,
                    days_before=threshold,
                    expires_on=certification.expires_on,
                )
                days_left = (certification.expires_on - today).days
                title = _("%(standard)s of %(partner)s expires in %(days)d days") % {
                    "standard": certification.standard_label,
                    "partner": certification.partner.code,
                    "days": days_left,
                }
                body = _(
                    "Certificate %(number)s expires on %(date)s. Ask the partner for the "
                    "renewed certificate."
                ) % {
                    "number": certification.certificate_number or "-",
                    "date": certification.expires_on.isoformat(),
                }
                link = reverse("partners:detail", args=[certification.partner_id])
                for recipient in _recipients(certification.partner):
                    notify(
                        recipient=recipient,
                        kind="certification_expiry",
                        title=title,
                        body=body,
                        link=link,
                        dedupe_key=f"cert-{certification.pk}-{threshold}-"
                        f"{certification.expires_on.isoformat()}",
                    )
                sent += 1
        except IntegrityError:
            continue  # another worker sent this one already
    return sent
