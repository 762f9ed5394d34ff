"""The contact directory: partner contacts and internal owners."""

from django.db import transaction

from partnerdesk.partners.models import InternalOwner, Partner, PartnerContact
from partnerdesk.partners.services._crud import child_create, child_delete, child_update

CONTACT_FIELDS = {"name", "role", "job_title", "email", "phone", "is_primary", "notes"}


def _clear_other_primary(contact_partner_id: int, keep_pk=None) -> None:
    # One primary contact per partner: naming a new one demotes the previous.
    qs = PartnerContact.objects.filter(partner_id=contact_partner_id, is_primary=True)
    if keep_pk:
        qs = qs.exclude(pk=keep_pk)
    qs.update(is_primary=False)


@transaction.atomic
def contact_create(*, user, partner: Partner, data: dict) -> PartnerContact:
    if data.get("is_primary"):
        _clear_other_primary(partner.pk)
    return child_create(
        user=user, model=PartnerContact, partner=partner, data=data, allowed=CONTACT_FIELDS
    )


@transaction.atomic
def contact_update(*, user, contact: PartnerContact, data: dict) -> PartnerContact:
    if data.get("is_primary"):
        _clear_other_primary(contact.partner_id, keep_pk=contact.pk)
    return child_update(user=user, instance=contact, data=data, allowed=CONTACT_FIELDS)


def contact_delete(*, user, contact: PartnerContact) -> None:
    child_delete(user=user, instance=contact)


def owner_add(*, user, partner: Partner, person, role: str) -> InternalOwner:
    return child_create(
        user=user,
        model=InternalOwner,
        partner=partner,
        data={"person": person, "role": role},
        allowed={"person", "role"},
    )


def owner_remove(*, user, owner: InternalOwner) -> None:
    child_delete(user=user, instance=owner)
