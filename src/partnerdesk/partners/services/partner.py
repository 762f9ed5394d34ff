"""Creating, changing and moving partners through their lifecycle."""

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from partnerdesk.audit.models import AuditAction
from partnerdesk.audit.services import record_change, snapshot
from partnerdesk.core.errors import Conflict
from partnerdesk.core.lifecycle import check_transition
from partnerdesk.core.services import assign_fields, require_perm, validate_and_save
from partnerdesk.partners.choices import STATUS_TRANSITIONS, PartnerStatus
from partnerdesk.partners.models import Capability, Partner, PartnerCategory, PartnerStatusChange

PARTNER_FIELDS = {"code", "legal_name", "kind", "country", "currency", "tax_id", "website", "notes"}
PARTNER_M2M = {"categories", "capabilities"}


def _set_m2m(partner: Partner, data: dict) -> None:
    """Set categories and capabilities, given as objects or as names (new names are added)."""
    models = {"categories": PartnerCategory, "capabilities": Capability}
    for name in PARTNER_M2M & data.keys():
        values = []
        for value in data[name] or []:
            if isinstance(value, str):
                label = value.strip()[:80]
                if not label:
                    continue
                value, _created = models[name].objects.get_or_create(name=label)
            values.append(value)
        getattr(partner, name).set(values)


@transaction.atomic
def partner_create(*, user, data: dict) -> Partner:
    """Create a partner; it starts as a prospect."""
    require_perm(user, "partners.add_partner")
    partner = Partner(status=PartnerStatus.PROSPECT)
    fields = {k: v for k, v in data.items() if k not in PARTNER_M2M}
    if isinstance(fields.get("code"), str):
        fields["code"] = fields["code"].strip().upper()
    assign_fields(partner, fields, PARTNER_FIELDS)
    validate_and_save(partner)
    _set_m2m(partner, data)
    record_change(actor=user, instance=partner, action=AuditAction.CREATE)
    return partner


@transaction.atomic
def partner_update(*, user, partner: Partner, data: dict) -> Partner:
    require_perm(user, "partners.change_partner")
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    before = snapshot(partner)
    fields = {k: v for k, v in data.items() if k not in PARTNER_M2M}
    if isinstance(fields.get("code"), str):
        fields["code"] = fields["code"].strip().upper()
    assign_fields(partner, fields, PARTNER_FIELDS)
    validate_and_save(partner)
    _set_m2m(partner, data)
    record_change(actor=user, instance=partner, action=AuditAction.UPDATE, before=before)
    return partner


def allowed_transitions(partner: Partner) -> tuple[str, ...]:
    return STATUS_TRANSITIONS.get(partner.status, ())


@transaction.atomic
def partner_change_status(*, user, partner: Partner, to_status: str, reason: str) -> Partner:
    """Move a partner to another status. Refuses transitions that are not allowed and says
    which ones are; every change needs a reason and is kept with it."""
    require_perm(user, "partners.change_partner_status")
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    reason = check_transition(
        statuses=PartnerStatus,
        transitions=STATUS_TRANSITIONS,
        thing=_("partner"),
        current=partner.status,
        to_status=to_status,
        reason=reason,
    )
    before = snapshot(partner, m2m=False)
    PartnerStatusChange.objects.create(
        partner=partner,
        from_status=partner.status,
        to_status=to_status,
        reason=reason,
        changed_by=user,
    )
    partner.status = to_status
    partner.save(update_fields=["status", "updated_at"])
    after = snapshot(partner, m2m=False)
    after["status_reason"] = reason
    record_change(
        actor=user, instance=partner, action=AuditAction.UPDATE, before=before, after=after
    )
    return partner


@transaction.atomic
def partner_delete(*, user, partner: Partner) -> None:
    """Delete a partner that nothing depends on; otherwise say to terminate it instead."""
    require_perm(user, "partners.delete_partner")
    before = snapshot(partner)
    try:
        with transaction.atomic():
            record_change(actor=user, instance=partner, action=AuditAction.DELETE, before=before)
            partner.delete()
    except ProtectedError as exc:
        raise Conflict(
            _("This partner has records that depend on it; terminate it instead of deleting it.")
        ) from exc
