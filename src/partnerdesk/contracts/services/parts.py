"""The parts of a contract: dispute ladder, deliverables and milestones, RACI matrix,
attachments."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerdesk.audit.crud import audited_create, audited_update
from partnerdesk.audit.models import AuditAction
from partnerdesk.audit.services import record_change
from partnerdesk.contracts.choices import DeliverableStatus, RaciRole
from partnerdesk.contracts.models import (
    Contract,
    ContractAttachment,
    Deliverable,
    DisputeLevel,
    RaciActivity,
    RaciAssignment,
)
from partnerdesk.core.errors import Conflict, InvalidInput
from partnerdesk.core.services import require_perm

DELIVERABLE_FIELDS = {"kind", "name", "due_date", "notes"}


def _rows_error(field: str, problems: list[str]):
    raise InvalidInput("; ".join(problems), fields={field: problems})


@transaction.atomic
def dispute_ladder_save(*, user, contract: Contract, levels: list[dict]) -> list[DisputeLevel]:
    """Replace the ladder. ``levels``: ordered [{name, response_hours, internal_people,
    partner_contacts}]; level numbers are their positions (1, 2, 3 …). Contacts must belong
    to the contract's partner."""
    require_perm(user, "contracts.change_contract")
    problems = []
    for row, item in enumerate(levels, start=1):
        name = str(item.get("name", "")).strip()
        if not name:
            problems.append(_("Level %(row)d: give a name.") % {"row": row})
        elif len(name) > DisputeLevel._meta.get_field("name").max_length:
            problems.append(
                _("Level %(row)d: the name is longer than 100 characters.") % {"row": row}
            )
        hours = item.get("response_hours")
        if not isinstance(hours, int) or hours <= 0:
            problems.append(
                _("Level %(row)d: the response time is a whole number of hours above 0.")
                % {"row": row}
            )
        for contact in item.get("partner_contacts", []):
            if contact.partner_id != contract.partner_id:
                problems.append(
                    _("Level %(row)d: %(contact)s works for another partner.")
                    % {"row": row, "contact": contact.name}
                )
    if problems:
        _rows_error("levels", problems)
    before = [f"{d.level}. {d.name} ({d.response_hours} h)" for d in contract.dispute_levels.all()]
    contract.dispute_levels.all().delete()
    saved = []
    for row, item in enumerate(levels, start=1):
        level = DisputeLevel.objects.create(
            contract=contract,
            level=row,
            name=item["name"].strip(),
            response_hours=item["response_hours"],
        )
        level.internal_people.set(item.get("internal_people", []))
        level.partner_contacts.set(item.get("partner_contacts", []))
        saved.append(level)
    record_change(
        actor=user,
        instance=contract,
        action=AuditAction.UPDATE,
        before={"dispute_ladder": before},
        after={"dispute_ladder": [f"{d.level}. {d.name} ({d.response_hours} h)" for d in saved]},
    )
    return saved


def deliverable_create(*, user, contract: Contract, data: dict) -> Deliverable:
    return audited_create(
        user=user, model=Deliverable, data=data, allowed=DELIVERABLE_FIELDS, contract=contract
    )


def deliverable_update(*, user, deliverable: Deliverable, data: dict) -> Deliverable:
    return audited_update(user=user, instance=deliverable, data=data, allowed=DELIVERABLE_FIELDS)


@transaction.atomic
def deliverable_record(
    *, user, deliverable: Deliverable, action: str, delivered_on=None
) -> Deliverable:
    """``deliver`` (with the date), ``accept`` or ``reject`` a deliverable, in that order."""
    require_perm(user, "contracts.change_deliverable")
    item = Deliverable.objects.select_for_update().get(pk=deliverable.pk)
    before = {
        "status": item.status,
        "delivered_on": item.delivered_on and item.delivered_on.isoformat(),
    }
    if action == "deliver":
        if item.status not in (DeliverableStatus.OPEN, DeliverableStatus.REJECTED):
            raise Conflict(_("Only an open or rejected deliverable can be delivered."))
        if delivered_on is None:
            raise InvalidInput(
                _("Give the delivery date."),
                fields={"delivered_on": [_("This field is required.")]},
            )
        if delivered_on > timezone.localdate():
            raise InvalidInput(
                _("The delivery date is in the future."),
                fields={"delivered_on": [_("The delivery date is in the future.")]},
            )
        item.status, item.delivered_on = DeliverableStatus.DELIVERED, delivered_on
    elif action in ("accept", "reject"):
        if item.status != DeliverableStatus.DELIVERED:
            raise Conflict(_("Only a delivered deliverable can be accepted or rejected."))
        item.status = (
            DeliverableStatus.ACCEPTED if action == "accept" else (DeliverableStatus.REJECTED)
        )
        item.accepted_by, item.accepted_at = user, timezone.now()
    else:
        raise InvalidInput(_("Unknown action."), fields={"action": [_("Unknown action.")]})
    item.save()
    record_change(
        actor=user,
        instance=item,
        action=AuditAction.UPDATE,
        before=before,
        after={
            "status": item.status,
            "delivered_on": item.delivered_on and item.delivered_on.isoformat(),
        },
    )
    return item


def validate_raci(rows: list[dict]) -> list[str]:
    """Each activity: a name, exactly one Accountable, at least one Responsible, one letter per
    party."""
    problems = []
    for index, row in enumerate(rows, start=1):
        name = str(row.get("activity", "")).strip()
        label = name or _("row %(row)d") % {"row": index}
        if not name:
            problems.append(_("Row %(row)d: name the activity.") % {"row": index})
        letters = [role for _party, role in row.get("assignments", [])]
        parties = [party for party, _role in row.get("assignments", [])]
        if len(parties) != len(set(parties)):
            problems.append(_("%(activity)s: a party appears twice.") % {"activity": label})
        accountable = letters.count(RaciRole.ACCOUNTABLE)
        if accountable != 1:
            problems.append(
                _("%(activity)s: needs exactly one Accountable (has %(n)d).")
                % {"activity": label, "n": accountable}
            )
        if RaciRole.RESPONSIBLE not in letters:
            problems.append(
                _("%(activity)s: needs at least one Responsible.") % {"activity": label}
            )
        if any(letter not in RaciRole.values for letter in letters):
            problems.append(_("%(activity)s: letters are R, A, C or I.") % {"activity": label})
    return problems


@transaction.atomic
def raci_save(*, user, contract: Contract, rows: list[dict]) -> list[RaciActivity]:
    """Replace the RACI matrix. ``rows``: [{activity, assignments: [(party, letter)]}] where a
    party is a ``Team`` or a ``PartnerContact`` of the contract's partner."""
    from partnerdesk.partners.models import PartnerContact

    require_perm(user, "contracts.change_contract")
    problems = validate_raci(rows)
    for row in rows:
        for party, _role in row.get("assignments", []):
            if isinstance(party, PartnerContact) and party.partner_id != contract.partner_id:
                problems.append(
                    _("%(contact)s works for another partner.") % {"contact": party.name}
                )
    if problems:
        _rows_error("raci", problems)
    contract.raci_activities.all().delete()
    activities = []
    for position, row in enumerate(rows):
        activity = RaciActivity.objects.create(
            contract=contract, name=row["activity"].strip(), position=position
        )
        RaciAssignment.objects.bulk_create(
            RaciAssignment(
                activity=activity,
                role=role,
                contact=party if isinstance(party, PartnerContact) else None,
                team=None if isinstance(party, PartnerContact) else party,
            )
            for party, role in row["assignments"]
        )
        activities.append(activity)
    record_change(
        actor=user,
        instance=contract,
        action=AuditAction.UPDATE,
        before={},
        after={
            "raci": [
                f"{r['activity']}: "
                + ", ".join(f"{role}={party}" for party, role in r["assignments"])
                for r in rows
            ]
        },
    )
    return activities


def attachment_add(*, user, contract: Contract, document) -> ContractAttachment:
    require_perm(user, "contracts.change_contract")
    if document.partner_id != contract.partner_id:
        raise InvalidInput(
            _("The document belongs to another partner."),
            fields={"document": [_("The document belongs to another partner.")]},
        )
    attachment, _created = ContractAttachment.objects.get_or_create(
        contract=contract, document=document
    )
    return attachment
