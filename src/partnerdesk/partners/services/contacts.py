"""The contact directory: partner contacts and internal owners."""

from django.db import transaction

from partnerdesk.audit.crud import audited_create, audited_delete, audited_update
from partnerdesk.audit.models import AuditAction
from partnerdesk.audit.services import record_change, snapshot
from partnerdesk.partners.models import InternalOwner, Partner, PartnerContact

CONTACT_FIELDS = {"name", "role", "job_title", "email", "phone", "is_primary", "notes"}


def _clear_other_primary(*, user, partner_id: int, keep_pk=None) -> None:
    # One primary contact per partner: naming a new one demotes the previous, in the audit
    # trail like any other change.
    qs = PartnerContact.objects.select_for_update().filter(partner_id=partner_id, is_primary=True)
    if keep_pk:
        qs = qs.exclude(pk=keep_pk)
    for previous in qs:
        before = snapshot(previous)
        previous.is_primary = False
        previous.save(update_fields=["is_primary", "updated_at"])
        record_change(actor=user, instance=previous, action=AuditAction.UPDATE, before=before)


@transaction.atomic
def contact_create(*, user, partner: Partner, data: dict) -> PartnerContact:
    if data.get("is_primary"):
        _clear_other_primary(user=user, partner_id=partner.pk)
    return audited_create(
        user=user, model=PartnerContact, partner=partner, data=data, allowed=CONTACT_FIELDS
    )


@transaction.atomic
def contact_update(*, user, contact: PartnerContact, data: dict) -> PartnerContact:
    if data.get("is_primary"):
        _clear_other_primary(user=user, partner_id=contact.partner_id, keep_pk=contact.pk)
    return audited_update(user=user, instance=contact, data=data, allowed=CONTACT_FIELDS)


def contact_delete(*, user, contact: PartnerContact) -> None:
    audited_delete(user=user, instance=contact)


def owner_add(*, user, partner: Partner, person, role: str) -> InternalOwner:
    return audited_create(
        user=user,
        model=InternalOwner,
        partner=partner,
        data={"person": person, "role": role},
        allowed={"person", "role"},
    )


def owner_remove(*, user, owner: InternalOwner) -> None:
    audited_delete(user=user, instance=owner)
