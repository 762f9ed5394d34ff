"""Creating contracts, amending their terms as versions, and moving them through their
lifecycle."""

import datetime

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from partnerdesk.audit.models import AuditAction
from partnerdesk.audit.services import record_change, snapshot
from partnerdesk.contracts.choices import (
    EXPIRING_WITHIN_DAYS,
    STATUS_TRANSITIONS,
    ContractStatus,
)
from partnerdesk.contracts.models import Contract, ContractStatusChange, ContractVersion
from partnerdesk.core.errors import Conflict, InvalidInput
from partnerdesk.core.lifecycle import check_transition
from partnerdesk.core.services import assign_fields, require_perm, validate_and_save
from partnerdesk.partners.choices import PartnerStatus

CONTRACT_FIELDS = {
    "reference",
    "title",
    "outsourced_scope",
    "objectives",
    "scope_of_work",
    "start_date",
    "end_date",
    "currency",
    "value",
    "monthly_fee",
    "at_risk_percent",
    "payment_terms",
    "auto_renew",
    "renewal_months",
    "notice_days",
    "review_every_months",
    "next_review_date",
    "termination_triggers",
    "termination_notice_days",
    "owner",
}
# Terms that change only by amendment (a new version), because closed periods depend on them.
COMMERCIAL_TERMS = {"monthly_fee", "at_risk_percent", "end_date", "value", "currency"}


def _partner_blocked_message(partner) -> str | None:
    from partnerdesk.performance.selectors import partner_standing

    standing = partner_standing(partner_id=partner.pk)
    if standing and standing.action == "block":
        return _(
            "%(partner)s stands at “%(standing)s” (score %(score)s): new contracts are blocked."
        ) % {"partner": partner.code, "standing": standing.standing, "score": standing.overall}
    return None


def _version(contract: Contract, *, user, number: int, effective_from, summary: str):
    return ContractVersion.objects.create(
        contract=contract,
        version=number,
        effective_from=effective_from,
        summary=summary,
        monthly_fee=contract.monthly_fee,
        at_risk_percent=contract.at_risk_percent,
        end_date=contract.end_date,
        snapshot=snapshot(contract, m2m=False),
        created_by=user,
    )


@transaction.atomic
def contract_create(*, user, partner, data: dict) -> Contract:
    """A draft contract with its first version. Refused for a terminated partner or one whose
    standing blocks new contracts."""
    require_perm(user, "contracts.add_contract")
    if partner.status == PartnerStatus.TERMINATED:
        raise Conflict(_("%(partner)s is terminated.") % {"partner": partner.code})
    blocked = _partner_blocked_message(partner)
    if blocked:
        raise Conflict(blocked, fields={"partner": [blocked]})
    contract = Contract(partner=partner, status=ContractStatus.DRAFT)
    assign_fields(contract, data, CONTRACT_FIELDS)
    validate_and_save(contract)
    _version(
        contract,
        user=user,
        number=1,
        effective_from=contract.start_date,
        summary=_("Original terms"),
    )
    record_change(actor=user, instance=contract, action=AuditAction.CREATE)
    return contract


@transaction.atomic
def contract_update(*, user, contract: Contract, data: dict) -> Contract:
    """Change the descriptive terms. Commercial terms of a contract in force change only by
    amendment; a draft may still change them freely."""
    require_perm(user, "contracts.change_contract")
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    # Unchanged terms sent along (a form posts every field) are neither a change nor audited.
    data = {
        k: v for k, v in data.items() if not (k in COMMERCIAL_TERMS and v == getattr(contract, k))
    }
    commercial = COMMERCIAL_TERMS & data.keys()
    if commercial and contract.status != ContractStatus.DRAFT:
        message = _("Change these by an amendment (a new version): %(fields)s.") % {
            "fields": ", ".join(sorted(commercial))
        }
        raise Conflict(message, fields={name: [message] for name in commercial})
    before = snapshot(contract)
    assign_fields(contract, data, CONTRACT_FIELDS)
    validate_and_save(contract)
    if contract.status == ContractStatus.DRAFT:
        ContractVersion.objects.filter(contract=contract, version=1).update(
            effective_from=contract.start_date,
            monthly_fee=contract.monthly_fee,
            at_risk_percent=contract.at_risk_percent,
            end_date=contract.end_date,
            snapshot=snapshot(contract, m2m=False),
        )
    record_change(actor=user, instance=contract, action=AuditAction.UPDATE, before=before)
    return contract


@transaction.atomic
def contract_amend(
    *,
    user,
    contract: Contract,
    effective_from: datetime.date,
    summary: str,
    changes: dict,
    today: datetime.date | None = None,
) -> ContractVersion:
    """Amend commercial terms (fee, at-risk share, end date, value) from a date on: a new
    version. An expiring contract whose end moves beyond the expiry window is active again."""
    from django.utils import timezone

    require_perm(user, "contracts.change_contract")
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    summary = (summary or "").strip()
    if not summary:
        raise InvalidInput(
            _("Describe the amendment."), fields={"summary": [_("This field is required.")]}
        )
    unknown = set(changes) - (COMMERCIAL_TERMS - {"currency"})
    if unknown:
        raise InvalidInput(
            _("An amendment changes fee, at-risk share, end date or value."),
            fields={k: [_("Not amendable.")] for k in unknown},
        )
    if not changes:
        raise InvalidInput(_("The amendment changes nothing."))
    if contract.status in (ContractStatus.EXPIRED, ContractStatus.TERMINATED):
        raise Conflict(_("An ended contract cannot be amended."))
    latest = contract.versions.aggregate(v=Max("version"), d=Max("effective_from"))
    if effective_from < latest["d"]:
        message = _("The amendment must take effect on or after %(date)s (the last version).") % {
            "date": latest["d"].isoformat()
        }
        raise InvalidInput(message, fields={"effective_from": [message]})
    from partnerdesk.performance.selectors import latest_closed_period

    closed = latest_closed_period()
    if closed and effective_from.replace(day=1) <= closed:
        message = _("%(period)s is closed: the amendment can start from the month after it.") % {
            "period": closed.strftime("%Y-%m")
        }
        raise Conflict(message, fields={"effective_from": [message]})
    before = snapshot(contract)
    assign_fields(contract, changes, COMMERCIAL_TERMS)
    contract.version = latest["v"] + 1
    validate_and_save(contract)
    today = today or timezone.localdate()
    if (
        contract.status == ContractStatus.EXPIRING
        and contract.end_date > today + datetime.timedelta(days=EXPIRING_WITHIN_DAYS)
    ):
        _move(contract, ContractStatus.ACTIVE, user, _("Extended by amendment: %s") % summary)
    version = _version(
        contract, user=user, number=contract.version, effective_from=effective_from, summary=summary
    )
    record_change(actor=user, instance=contract, action=AuditAction.UPDATE, before=before)
    return version


def _move(contract: Contract, to_status: str, user, reason: str) -> None:
    ContractStatusChange.objects.create(
        contract=contract,
        from_status=contract.status,
        to_status=to_status,
        reason=reason,
        changed_by=user if getattr(user, "pk", None) else None,
    )
    contract.status = to_status
    contract.save(update_fields=["status", "updated_at"])


@transaction.atomic
def contract_change_status(*, user, contract: Contract, to_status: str, reason: str) -> Contract:
    """Move a contract; refuses moves that are not allowed (and says which are). Activation
    needs an active or qualified partner whose standing does not block new contracts."""
    require_perm(user, "contracts.change_contract_status")
    contract = Contract.objects.select_for_update().select_related("partner").get(pk=contract.pk)
    reason = check_transition(
        statuses=ContractStatus,
        transitions=STATUS_TRANSITIONS,
        thing=_("contract"),
        current=contract.status,
        to_status=to_status,
        reason=reason,
    )
    if to_status == ContractStatus.ACTIVE and contract.status == ContractStatus.DRAFT:
        if contract.partner.status not in (PartnerStatus.ACTIVE, PartnerStatus.QUALIFIED):
            message = _("%(partner)s is %(status)s; qualify the partner first.") % {
                "partner": contract.partner.code,
                "status": PartnerStatus(contract.partner.status).label,
            }
            raise Conflict(message, fields={"to_status": [message]})
        blocked = _partner_blocked_message(contract.partner)
        if blocked:
            raise Conflict(blocked, fields={"to_status": [blocked]})
    before = {"status": contract.status}
    _move(contract, to_status, user, reason)
    record_change(
        actor=user,
        instance=contract,
        action=AuditAction.UPDATE,
        before=before,
        after={"status": to_status, "status_reason": reason},
    )
    return contract
