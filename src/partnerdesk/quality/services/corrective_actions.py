"""8D corrective actions: the stages D0 to D8 with due times, submission by the supplier,
acceptance or sending back by a quality engineer, the effectiveness check, closure, and the
notices for overdue stages."""

import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_noop

from partnerdesk.audit.models import AuditAction
from partnerdesk.audit.services import record_change, snapshot
from partnerdesk.core.errors import Conflict, InvalidInput, NotFound
from partnerdesk.core.services import require_perm
from partnerdesk.notifications.services import NotificationDraft, notify_many
from partnerdesk.quality.choices import (
    DEFAULT_STAGE_DUE,
    STAGE_TITLES,
    ActionStatus,
    Effectiveness,
    NCStatus,
    StageStatus,
)
from partnerdesk.quality.engines import eightd
from partnerdesk.quality.models import (
    CorrectiveAction,
    EightDStage,
    Nonconformance,
)
from partnerdesk.quality.services.numbers import save_numbered

OPEN_NC = (NCStatus.OPEN, NCStatus.ACTION)


# The 8D engine's refusals, for the message catalogue (the engine has no Django imports).
_REFUSALS = [gettext_noop(template) for template in eightd.TEMPLATES]


def refusal_text(refusal) -> str:
    """An 8D engine refusal in the user's language."""
    if refusal is None:
        return ""
    template = getattr(refusal, "template", None)
    return _(template) % refusal.params if template else str(refusal)


def _finish_nc(user, nc: Nonconformance, status: str, note: str) -> Nonconformance:
    before = snapshot(nc)
    nc.status, nc.closed_at, nc.closing_note = status, timezone.now(), note
    nc.save()
    record_change(actor=user, instance=nc, action=AuditAction.UPDATE, before=before)
    return nc


def stage_offsets() -> dict[int, datetime.timedelta]:
    """Due offsets per stage: the defaults, overridden by ``QUALITY_8D_DUE`` (hours)."""
    offsets = dict(DEFAULT_STAGE_DUE)
    for stage, hours in getattr(settings, "QUALITY_8D_DUE_HOURS", {}).items():
        offsets[int(stage)] = datetime.timedelta(hours=hours)
    return offsets


def action_open(*, user, nc: Nonconformance, owner=None) -> CorrectiveAction:
    """Request a corrective action from the partner: an 8D with its nine stages due after the
    default times (containment 48 hours, root cause 14 days, the rest 30 days)."""
    require_perm(user, "quality.add_correctiveaction")
    with transaction.atomic():
        nc = Nonconformance.objects.select_for_update().get(pk=nc.pk)
        if nc.partner_id is None:
            raise InvalidInput(
                _("A supplier corrective action needs a partner; this nonconformance has none."),
                fields={"partner": [_("Set the partner first.")]},
            )
        if nc.status not in OPEN_NC:
            raise Conflict(_("The nonconformance is %(s)s.") % {"s": nc.get_status_display()})
        if CorrectiveAction.objects.filter(nonconformance=nc).exists():
            raise Conflict(_("The nonconformance already has a corrective action."))
        opened = timezone.now()
        action = CorrectiveAction(
            nonconformance=nc, partner_id=nc.partner_id, owner=owner or user, opened_at=opened
        )
        save_numbered(action, "8D", timezone.localdate().year)
        due = eightd.due_times(opened, stage_offsets())
        EightDStage.objects.bulk_create(
            [EightDStage(action=action, stage=stage, due_at=due[stage]) for stage in eightd.STAGES]
        )
        before = snapshot(nc)
        nc.status = NCStatus.ACTION
        nc.save()
        record_change(actor=user, instance=nc, action=AuditAction.UPDATE, before=before)
        record_change(actor=user, instance=action, action=AuditAction.CREATE)
        _notify_partner(
            action,
            "8d_opened",
            _("Corrective action %(n)s requested: %(t)s") % {"n": action.number, "t": nc.title},
            f"8d-opened-{action.pk}",
        )
    return action


def _partner_user_ids(partner_id: int) -> list[int]:
    from django.contrib.auth import get_user_model

    return list(
        get_user_model()
        .objects.filter(partner_id=partner_id, is_active=True)
        .values_list("pk", flat=True)
    )


def _notify_partner(action: CorrectiveAction, kind: str, title: str, key: str) -> None:
    link = reverse("quality:action_detail", args=[action.pk])
    notify_many(
        [
            NotificationDraft(uid, kind, title, link=link, dedupe_key=key)
            for uid in _partner_user_ids(action.partner_id)
        ]
    )


def _notify_owner(action: CorrectiveAction, kind: str, title: str, key: str) -> None:
    if action.owner_id:
        link = reverse("quality:action_detail", args=[action.pk])
        notify_many([NotificationDraft(action.owner_id, kind, title, link=link, dedupe_key=key)])


def _locked_stages(action: CorrectiveAction) -> tuple[CorrectiveAction, dict[int, EightDStage]]:
    action = CorrectiveAction.objects.select_for_update().get(pk=action.pk)
    if action.status != ActionStatus.OPEN:
        raise Conflict(
            _("Corrective action %(n)s is %(s)s.")
            % {"n": action.number, "s": action.get_status_display()}
        )
    stages = {s.stage: s for s in EightDStage.objects.select_for_update().filter(action=action)}
    return action, stages


def _statuses(stages: dict[int, EightDStage]) -> dict[int, str]:
    return {number: stage.status for number, stage in stages.items()}


def stage_submit(*, user, stage: EightDStage, content: str) -> EightDStage:
    """The supplier (or quality on its behalf) fills in a stage and submits it for review."""
    require_perm(user, "quality.submit_correctiveaction")
    if not (content or "").strip():
        raise InvalidInput(
            _("Describe what was done for this stage."), fields={"content": [_("Required.")]}
        )
    with transaction.atomic():
        action, stages = _locked_stages(stage.action)
        if user.partner_id is not None and user.partner_id != action.partner_id:
            # Another partner's user may not see the action at all (as in the selectors).
            raise NotFound(_("No such corrective action."))
        stage = stages[stage.stage]
        problem = eightd.check_submit(_statuses(stages), stage.stage)
        if problem:
            raise Conflict(refusal_text(problem))
        before = snapshot(stage)
        stage.content = content.strip()
        stage.status = StageStatus.SUBMITTED
        stage.submitted_at, stage.submitted_by = timezone.now(), user
        stage.save()
        record_change(actor=user, instance=stage, action=AuditAction.UPDATE, before=before)
        if action.owner_id != user.pk:  # the engineer filling in for the supplier knows
            _notify_owner(
                action,
                "8d_submitted",
                _("%(n)s: %(stage)s submitted for review")
                % {"n": action.number, "stage": STAGE_TITLES[stage.stage]},
                f"8d-submitted-{stage.pk}-{stage.submitted_at:%Y%m%d%H%M%S}",
            )
    return stage


def stage_accept(*, user, stage: EightDStage, note: str = "") -> EightDStage:
    require_perm(user, "quality.review_correctiveaction")
    with transaction.atomic():
        action, stages = _locked_stages(stage.action)
        stage = stages[stage.stage]
        problem = eightd.check_accept(_statuses(stages), stage.stage)
        if problem:
            raise Conflict(refusal_text(problem))
        if stage.stage == 8 and action.effectiveness != Effectiveness.EFFECTIVE:
            raise Conflict(
                _("D8 is accepted after an effectiveness check found the action effective.")
            )
        before = snapshot(stage)
        stage.status, stage.reviewed_at, stage.reviewed_by = (
            StageStatus.ACCEPTED,
            timezone.now(),
            user,
        )
        stage.review_note = (note or "").strip()
        stage.save()
        record_change(actor=user, instance=stage, action=AuditAction.UPDATE, before=before)
    return stage


def stage_send_back(*, user, stage: EightDStage, note: str) -> EightDStage:
    require_perm(user, "quality.review_correctiveaction")
    if not (note or "").strip():
        raise InvalidInput(
            _("Say what is missing, so the supplier can fix it."),
            fields={"note": [_("Required.")]},
        )
    with transaction.atomic():
        action, stages = _locked_stages(stage.action)
        stage = stages[stage.stage]
        if stage.status != StageStatus.SUBMITTED:
            raise Conflict(_("Only a submitted stage can be sent back."))
        _send_back(user, stage, note.strip())
        _notify_partner(
            action,
            "8d_sent_back",
            _("%(n)s: %(stage)s sent back")
            % {"n": action.number, "stage": STAGE_TITLES[stage.stage]},
            f"8d-back-{stage.pk}-{stage.times_sent_back}",
        )
    return stage


def _send_back(user, stage: EightDStage, note: str, due_at=None) -> None:
    before = snapshot(stage)
    stage.status, stage.reviewed_at, stage.reviewed_by = StageStatus.SENT_BACK, timezone.now(), user
    stage.review_note = note
    stage.times_sent_back += 1
    if due_at is not None:
        stage.due_at = due_at
    stage.save()
    record_change(actor=user, instance=stage, action=AuditAction.UPDATE, before=before)


def stage_set_due(
    *, user, stage: EightDStage, due_at: datetime.datetime, reason: str
) -> EightDStage:
    """Move a stage's due time (agreed with the supplier); the reason is kept in the history."""
    require_perm(user, "quality.review_correctiveaction")
    if not (reason or "").strip():
        raise InvalidInput(_("Give the reason."), fields={"reason": [_("Give the reason.")]})
    if due_at is None or timezone.is_naive(due_at):
        raise InvalidInput(_("Give the new due time."), fields={"due_at": [_("Required.")]})
    with transaction.atomic():
        _action, stages = _locked_stages(stage.action)
        stage = stages[stage.stage]
        if stage.status == StageStatus.ACCEPTED:
            raise Conflict(_("The stage is accepted; its due time no longer matters."))
        before = snapshot(stage)
        stage.due_at = due_at
        moved = _("Due time moved: %(r)s") % {"r": reason.strip()}
        # Keep what the reviewer wrote before (a send-back note) and add the move to it.
        stage.review_note = f"{stage.review_note}\n{moved}" if stage.review_note else moved
        stage.save()
        record_change(actor=user, instance=stage, action=AuditAction.UPDATE, before=before)
    return stage


def effectiveness_record(
    *, user, action: CorrectiveAction, result: str, note: str
) -> CorrectiveAction:
    """Record the effectiveness check (after D0 to D7 are accepted). Not effective sends D4 to
    D8 back with fresh due times: the root cause was not the real one."""
    require_perm(user, "quality.review_correctiveaction")
    if result not in Effectiveness.values:
        raise InvalidInput(
            _("Choose effective or not effective."), fields={"result": [_("Required.")]}
        )
    if not (note or "").strip():
        raise InvalidInput(
            _("Describe the evidence checked (e.g. lots inspected since)."),
            fields={"note": [_("Required.")]},
        )
    with transaction.atomic():
        action, stages = _locked_stages(action)
        open_stages = [n for n in range(8) if stages[n].status != StageStatus.ACCEPTED]
        if open_stages:
            raise Conflict(
                _("Accept D%(n)s first: effectiveness is checked once D0 to D7 are accepted.")
                % {"n": open_stages[0]}
            )
        before = snapshot(action)
        action.effectiveness, action.effectiveness_note = result, note.strip()
        action.effectiveness_checked_at, action.effectiveness_checked_by = timezone.now(), user
        action.save()
        record_change(actor=user, instance=action, action=AuditAction.UPDATE, before=before)
        if result == Effectiveness.NOT_EFFECTIVE:
            now, offsets = timezone.now(), stage_offsets()
            for number in eightd.REOPENED_ON_INEFFECTIVE:
                _send_back(
                    user,
                    stages[number],
                    _("Effectiveness check: not effective. %(note)s") % {"note": note.strip()},
                    due_at=now + offsets[number],
                )
            _notify_partner(
                action,
                "8d_not_effective",
                _("%(n)s: not effective; root cause and actions to revisit") % {"n": action.number},
                f"8d-ineffective-{action.pk}-{action.effectiveness_checked_at:%Y%m%d%H%M%S}",
            )
    return action


def action_close(*, user, action: CorrectiveAction) -> CorrectiveAction:
    """Close the action once every stage is accepted and it was found effective; its
    nonconformance closes with it. On time = closed by the D8 due time."""
    require_perm(user, "quality.review_correctiveaction")
    with transaction.atomic():
        action, stages = _locked_stages(action)
        problem = eightd.check_close(_statuses(stages), action.effectiveness)
        if problem:
            raise Conflict(refusal_text(problem))
        before = snapshot(action)
        action.status, action.closed_at = ActionStatus.CLOSED, timezone.now()
        action.closed_on_time = action.closed_at <= stages[8].due_at
        action.save()
        record_change(actor=user, instance=action, action=AuditAction.UPDATE, before=before)
        nc = Nonconformance.objects.select_for_update().get(pk=action.nonconformance_id)
        if nc.status in OPEN_NC:
            _finish_nc(
                user,
                nc,
                NCStatus.CLOSED,
                _("Closed with corrective action %(n)s.") % {"n": action.number},
            )
    return action


def notify_overdue_stages(now: datetime.datetime | None = None) -> int:
    """Notify the owners of overdue stages (the partner's users and the quality engineer),
    once per stage and due time."""
    now = now or timezone.now()
    stages = EightDStage.objects.filter(
        action__status=ActionStatus.OPEN,
        status__in=(StageStatus.PENDING, StageStatus.SENT_BACK),
        due_at__lt=now,
    ).select_related("action")
    drafts = []
    partner_users: dict[int, list[int]] = {}
    for stage in stages:
        action = stage.action
        if action.partner_id not in partner_users:
            partner_users[action.partner_id] = _partner_user_ids(action.partner_id)
        recipients = set(partner_users[action.partner_id])
        if action.owner_id:
            recipients.add(action.owner_id)
        title = _("Overdue: %(n)s %(stage)s was due %(due)s") % {
            "n": action.number,
            "stage": STAGE_TITLES[stage.stage],
            "due": timezone.localtime(stage.due_at).strftime("%Y-%m-%d %H:%M"),
        }
        link = reverse("quality:action_detail", args=[action.pk])
        key = f"8d-overdue-{stage.pk}-{stage.due_at:%Y%m%d%H%M}"
        drafts += [
            NotificationDraft(uid, "8d_overdue", title, link=link, dedupe_key=key)
            for uid in recipients
        ]
    # The count is of notices new today: those sent on an earlier run are left out here (the
    # database would skip them anyway), so the daily job reports what it really sent.
    from partnerdesk.notifications.models import Notification

    sent = set(
        Notification.objects.filter(
            kind="8d_overdue", dedupe_key__in={d.dedupe_key for d in drafts}
        ).values_list("recipient_id", "dedupe_key")
    )
    return notify_many([d for d in drafts if (d.recipient_id, d.dedupe_key) not in sent])
