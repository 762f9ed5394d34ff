"""Certifications and their expiry reminders at 90, 60 and 30 days."""

import datetime
from collections import defaultdict

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerdesk.audit.crud import audited_create, audited_delete, audited_update
from partnerdesk.notifications.services import NotificationDraft, notify_many
from partnerdesk.partners.choices import (
    CERTIFICATION_REMINDER_DAYS,
    CertificationStandard,
    OwnerRole,
    PartnerStatus,
)
from partnerdesk.partners.models import (
    Certification,
    CertificationReminder,
    InternalOwner,
    Partner,
)

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
    return audited_create(
        user=user, model=Certification, partner=partner, data=data, allowed=CERTIFICATION_FIELDS
    )


def certification_update(*, user, certification: Certification, data: dict) -> Certification:
    return audited_update(
        user=user, instance=certification, data=data, allowed=CERTIFICATION_FIELDS
    )


def certification_delete(*, user, certification: Certification) -> None:
    audited_delete(user=user, instance=certification)


def due_threshold(expires_on: datetime.date, today: datetime.date) -> int | None:
    """The smallest reminder threshold already reached, or None if none is reached yet.

    A certificate 45 days from expiry has passed the 90- and 60-day marks: one reminder (60) is
    due, not two. An expired certificate is past every threshold (0 days left counts as 30).
    """
    days_left = (expires_on - today).days
    reached = [d for d in CERTIFICATION_REMINDER_DAYS if days_left <= d]
    return min(reached) if reached else None


def _owner_user_ids(partner_ids: set[int]) -> dict[int, list[int]]:
    """Active users who own each partner as relationship or quality owner, in one query."""
    rows = (
        InternalOwner.objects.filter(
            partner_id__in=partner_ids,
            role__in=(OwnerRole.RELATIONSHIP, OwnerRole.QUALITY),
            person__user__is_active=True,
        )
        .values_list("partner_id", "person__user_id")
        .distinct()
    )
    owners: dict[int, list[int]] = defaultdict(list)
    for partner_id, user_id in rows:
        owners[partner_id].append(user_id)
    return owners


@transaction.atomic
def certification_send_reminders(*, today: datetime.date | None = None) -> int:
    """Remind the partner's relationship and quality owners of certificates reaching 90, 60 or
    30 days before expiry; returns the number of certificates reminded.

    Each threshold is reminded once per expiry date (a unique constraint, so the job can run
    as often as it likes and two workers never double up); a renewed certificate (new expiry)
    is reminded again. Set-based: four queries and two bulk inserts whatever the volume.
    """
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=max(CERTIFICATION_REMINDER_DAYS))
    candidates = (
        Certification.objects.filter(expires_on__lte=horizon, expires_on__gte=today)
        .exclude(partner__status=PartnerStatus.TERMINATED)
        .values_list(
            "pk",
            "partner_id",
            "partner__code",
            "standard",
            "other_standard",
            "certificate_number",
            "expires_on",
        )
    )
    already = set(
        CertificationReminder.objects.filter(expires_on__gte=today).values_list(
            "certification_id", "days_before", "expires_on"
        )
    )
    due = []
    for pk, partner_id, code, standard, other, number, expires_on in candidates:
        threshold = due_threshold(expires_on, today)
        if threshold is not None and (pk, threshold, expires_on) not in already:
            due.append((pk, partner_id, code, standard, other, number, expires_on, threshold))
    owners = _owner_user_ids({row[1] for row in due})
    standard_labels = dict(CertificationStandard.choices)
    # One reverse() for the URL shape instead of one per certificate.
    link_shape = reverse("partners:detail", args=[987654321]).replace("987654321", "{}")
    reminders, drafts = [], []
    for pk, partner_id, code, standard, other, number, expires_on, threshold in due:
        reminders.append(
            CertificationReminder(certification_id=pk, days_before=threshold, expires_on=expires_on)
        )
        title = _("%(standard)s of %(partner)s expires in %(days)d days") % {
            "standard": other
            if standard == CertificationStandard.OTHER
            else standard_labels[standard],
            "partner": code,
            "days": (expires_on - today).days,
        }
        body = _(
            "Certificate %(number)s expires on %(date)s. Ask the partner for the renewed "
            "certificate."
        ) % {"number": number or "-", "date": expires_on.isoformat()}
        key = f"cert-{pk}-{threshold}-{expires_on.isoformat()}"
        link = link_shape.format(partner_id)
        drafts.extend(
            NotificationDraft(user_id, "certification_expiry", title, body, link, key)
            for user_id in owners.get(partner_id, ())
        )
    CertificationReminder.objects.bulk_create(reminders, ignore_conflicts=True, batch_size=500)
    notify_many(drafts)
    return len(reminders)
