"""The daily contract job: statuses from the end date, and reminders for expiry, notice
deadlines and reviews."""

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerdesk.audit.models import AuditAction
from partnerdesk.audit.services import record_change
from partnerdesk.contracts.choices import (
    CONTRACT_REMINDER_DAYS,
    EXPIRING_WITHIN_DAYS,
    ContractStatus,
    ReminderKind,
)
from partnerdesk.contracts.models import Contract, ContractReminder, ContractStatusChange
from partnerdesk.notifications.services import NotificationDraft, notify_many
from partnerdesk.partners.choices import OwnerRole
from partnerdesk.partners.models import InternalOwner

REVIEW_REMINDER_DAYS = (7, 0)


@transaction.atomic
def contracts_refresh_statuses(*, today: datetime.date | None = None) -> dict[str, int]:
    """Active contracts within 90 days of their end become expiring; contracts past their end
    become expired. Each move is recorded with an automatic reason."""
    today = today or timezone.localdate()
    moves = {ContractStatus.EXPIRING: [], ContractStatus.EXPIRED: []}
    for contract in Contract.objects.filter(
        status__in=(ContractStatus.ACTIVE, ContractStatus.EXPIRING)
    ).only("id", "status", "end_date", "reference", "title"):
        if contract.end_date < today:
            moves[ContractStatus.EXPIRED].append(contract)
        elif (
            contract.status == ContractStatus.ACTIVE
            and contract.end_date <= today + datetime.timedelta(days=EXPIRING_WITHIN_DAYS)
        ):
            moves[ContractStatus.EXPIRING].append(contract)
    changes = []
    for to_status, contracts in moves.items():
        reason = (
            _("Automatic: the end date has passed.")
            if to_status == ContractStatus.EXPIRED
            else _("Automatic: ends within %(days)d days.") % {"days": EXPIRING_WITHIN_DAYS}
        )
        changes += [
            ContractStatusChange(
                contract=c, from_status=c.status, to_status=to_status, reason=reason
            )
            for c in contracts
        ]
        Contract.objects.filter(pk__in=[c.pk for c in contracts]).update(
            status=to_status, updated_at=timezone.now()
        )
    ContractStatusChange.objects.bulk_create(changes)
    for change in changes:
        record_change(
            actor=None,
            instance=change.contract,
            action=AuditAction.UPDATE,
            before={"status": change.from_status},
            after={"status": change.to_status, "status_reason": change.reason},
        )
    return {str(k): len(v) for k, v in moves.items()}


def _due(target: datetime.date, today: datetime.date, thresholds) -> int | None:
    days_left = (target - today).days
    if days_left < 0:
        return None
    reached = [d for d in thresholds if days_left <= d]
    return min(reached) if reached else None


@transaction.atomic
def contracts_send_reminders(*, today: datetime.date | None = None) -> int:
    """Remind contract owners and the partner's relationship owners 90, 60 and 30 days before
    the end and before the notice deadline, and 7 days before and on the review date; each
    once per date."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=max(CONTRACT_REMINDER_DAYS) + 400)
    contracts = list(
        Contract.objects.filter(
            status__in=(ContractStatus.ACTIVE, ContractStatus.EXPIRING),
            end_date__gte=today,
            end_date__lte=horizon,
        ).select_related("partner", "owner__user")
    )
    sent = {
        (r.contract_id, r.kind, r.days_before, r.target_date)
        for r in ContractReminder.objects.filter(contract__in=contracts)
    }
    owners: dict[int, set[int]] = {}
    for partner_id, user_id in InternalOwner.objects.filter(
        partner_id__in={c.partner_id for c in contracts},
        role=OwnerRole.RELATIONSHIP,
        person__user__is_active=True,
    ).values_list("partner_id", "person__user_id"):
        owners.setdefault(partner_id, set()).add(user_id)
    reminders, drafts = [], []
    for contract in contracts:
        checks = [
            (ReminderKind.EXPIRY, contract.end_date, CONTRACT_REMINDER_DAYS),
            (ReminderKind.NOTICE, contract.notice_deadline, CONTRACT_REMINDER_DAYS),
        ]
        if contract.next_review_date:
            checks.append((ReminderKind.REVIEW, contract.next_review_date, REVIEW_REMINDER_DAYS))
        recipients = set(owners.get(contract.partner_id, set()))
        if contract.owner and contract.owner.user and contract.owner.user.is_active:
            recipients.add(contract.owner.user_id)
        for kind, target, thresholds in checks:
            threshold = _due(target, today, thresholds)
            if threshold is None or (contract.pk, kind, threshold, target) in sent:
                continue
            reminders.append(
                ContractReminder(
                    contract=contract, kind=kind, days_before=threshold, target_date=target
                )
            )
            title = _("%(contract)s: %(what)s on %(date)s (%(days)d days)") % {
                "contract": contract.reference,
                "what": ReminderKind(kind).label,
                "date": target.isoformat(),
                "days": (target - today).days,
            }
            link = reverse("contracts:detail", args=[contract.pk])
            drafts += [
                NotificationDraft(
                    user_id,
                    f"contract_{kind}",
                    title,
                    contract.title,
                    link,
                    f"contract-{contract.pk}-{kind}-{threshold}-{target}",
                )
                for user_id in sorted(recipients)
            ]
    ContractReminder.objects.bulk_create(reminders, ignore_conflicts=True)
    notify_many(drafts)
    return len(reminders)
