"""Cost events: material loss and quality defects with who is responsible. Entries are never
edited: a correction writes a reversing entry and, unless the cost is withdrawn, a new entry,
both pointing at the entry corrected."""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerdesk.audit.models import AuditAction
from partnerdesk.audit.services import record_change
from partnerdesk.core.currencies import quantize
from partnerdesk.core.errors import Conflict, InvalidInput
from partnerdesk.core.services import assign_fields, require_perm, validate_and_save
from partnerdesk.quality.models import CostEvent

COST_FIELDS = {
    "kind",
    "occurred_on",
    "amount",
    "currency",
    "partner",
    "team",
    "nonconformance",
    "lot_inspection",
    "quantity",
    "unit",
    "description",
    "chargeback",
}


def _amount(raw) -> Decimal:
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
        if not value.is_finite():
            raise InvalidOperation
    except (InvalidOperation, AttributeError):
        raise InvalidInput(
            _("“%(raw)s” is not an amount.") % {"raw": raw},
            fields={"amount": [_("Enter an amount.")]},
        ) from None
    return value


def cost_record(*, user, data: dict) -> CostEvent:
    """Record a cost event. The amount is positive (a cost); corrections are made with
    ``cost_correct``."""
    require_perm(user, "quality.add_costevent")
    event = CostEvent(recorded_by=user)
    assign_fields(event, data, COST_FIELDS)
    if event.amount in (None, ""):
        raise InvalidInput(_("Give the amount."), fields={"amount": [_("Required.")]})
    event.amount = _amount(event.amount)
    if event.amount <= 0:
        raise InvalidInput(
            _("A cost is a positive amount; correct an entry to reduce it."),
            fields={"amount": [_("Above zero.")]},
        )
    if not event.partner_id and not event.team_id:
        raise InvalidInput(
            _("Name who is responsible: a partner, a team, or both."),
            fields={"partner": [_("Choose a partner or a team.")]},
        )
    if event.chargeback and not event.partner_id:
        raise InvalidInput(
            _("Only a partner can be charged back."),
            fields={"chargeback": [_("Choose a partner.")]},
        )
    if event.occurred_on and event.occurred_on > timezone.localdate():
        raise InvalidInput(
            _("The date is in the future."), fields={"occurred_on": [_("Up to today.")]}
        )
    if event.currency:
        event.amount = quantize(event.amount, event.currency)
    with transaction.atomic():
        validate_and_save(event)
        record_change(actor=user, instance=event, action=AuditAction.CREATE)
    return event


def cost_correct(*, user, event: CostEvent, amount, reason: str) -> list[CostEvent]:
    """Correct a cost event: reverse it and, when ``amount`` is not zero, record the right
    amount. Returns the new entries. Only the latest entry of a chain can be corrected."""
    require_perm(user, "quality.add_costevent")
    if not (reason or "").strip():
        raise InvalidInput(_("Give the reason."), fields={"reason": [_("Give the reason.")]})
    new_amount = _amount(amount)
    if new_amount < 0:
        raise InvalidInput(
            _("The corrected amount cannot be negative."), fields={"amount": [_("0 or more.")]}
        )
    with transaction.atomic():
        event = CostEvent.objects.select_for_update().get(pk=event.pk)
        if event.amount < 0:
            raise Conflict(_("A reversing entry is not corrected itself."))
        if event.corrections.exists():
            raise Conflict(_("This entry was corrected already; correct the latest entry."))
        new_amount = quantize(new_amount, event.currency)
        if new_amount == event.amount:
            raise InvalidInput(_("The amount is unchanged."), fields={"amount": [_("Unchanged.")]})
        written = []
        fields = {
            name: getattr(event, name)
            for name in (
                "kind",
                "occurred_on",
                "currency",
                "partner_id",
                "team_id",
                "nonconformance_id",
                "lot_inspection_id",
                "unit",
                "chargeback",
            )
        }
        reversal = CostEvent(
            **fields,
            amount=-event.amount,
            quantity=-event.quantity if event.quantity is not None else None,
            description=(_("Reversal: %(reason)s") % {"reason": reason.strip()})[:300],
            corrects=event,
            recorded_by=user,
        )
        written.append(reversal)
        if new_amount:
            written.append(
                CostEvent(
                    **fields,
                    amount=new_amount,
                    quantity=event.quantity,
                    description=(
                        _("%(description)s (corrected: %(reason)s)")
                        % {"description": event.description, "reason": reason.strip()}
                    )[:300],
                    corrects=event,
                    recorded_by=user,
                )
            )
        for entry in written:
            entry.save()
            record_change(actor=user, instance=entry, action=AuditAction.CREATE)
    return written
