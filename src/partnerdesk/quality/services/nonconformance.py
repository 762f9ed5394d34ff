"""Nonconformances and their 8D corrective actions: opening (by hand, from a rejected lot, from
an audit finding) with repeat detection, the stages D0 to D8 with due times, submission by
the supplier, acceptance or sending back by a quality engineer, the effectiveness check,
closure, and the notices for overdue stages."""

import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerdesk.audit.models import AuditAction
from partnerdesk.audit.services import record_change, snapshot
from partnerdesk.core.errors import Conflict, InvalidInput
from partnerdesk.core.services import assign_fields, require_perm
from partnerdesk.notifications.services import NotificationDraft, notify_many
from partnerdesk.quality.choices import (
    DEFAULT_STAGE_DUE,
    RAISED_SEVERITY,
    STAGE_TITLES,
    ActionStatus,
    Effectiveness,
    NCSeverity,
    NCSource,
    NCStatus,
    StageStatus,
)
from partnerdesk.quality.engines import eightd
from partnerdesk.quality.models import (
    AuditAnswer,
    CorrectiveAction,
    DefectType,
    EightDStage,
    LotInspection,
    Nonconformance,
)
from partnerdesk.quality.services.audits import validate_and_save_unsaved
from partnerdesk.quality.services.numbers import save_numbered

NC_FIELDS = {
    "partner",
    "source",
    "defect_type",
    "title",
    "description",
    "detected_on",
    "reported_severity",
    "quantity_affected",
    "unit",
    "cost_amount",
    "currency",
    "customer_reference",
    "owner",
}
NC_UPDATE_FIELDS = NC_FIELDS - {"source", "partner", "detected_on", "defect_type"}
OPEN_NC = (NCStatus.OPEN, NCStatus.ACTION)


# --- nonconformances ---------------------------------------------------------------------------


def find_repeat(nc: Nonconformance) -> Nonconformance | None:
    """The latest earlier nonconformance of the same partner and defect type within the 12
    months before this one (for audit findings: of the same question), cancelled ones aside."""
    if nc.partner_id is None:
        return None
    earlier = Nonconformance.objects.filter(
        partner_id=nc.partner_id,
        defect_type_id=nc.defect_type_id,
        detected_on__gte=eightd.repeat_window_start(nc.detected_on),
        detected_on__lte=nc.detected_on,
    ).exclude(status=NCStatus.CANCELLED)
    if nc.pk:
        earlier = earlier.exclude(pk=nc.pk).filter(created_at__lt=nc.created_at)
    question_id = nc.audit_answer.question_id if nc.audit_answer_id else None
    if question_id:
        earlier = earlier.filter(audit_answer__question_id=question_id)
    return earlier.order_by("-detected_on", "-id").first()


def _apply_repeat(nc: Nonconformance) -> None:
    nc.repeat_of = find_repeat(nc)
    nc.severity = (
        RAISED_SEVERITY[NCSeverity(nc.reported_severity)] if nc.repeat_of else nc.reported_severity
    )


def _create(user, nc: Nonconformance) -> Nonconformance:
    if nc.cost_amount is not None and not nc.currency:
        nc.currency = settings.DEFAULT_CURRENCY
    nc.number, nc.severity = "pending", nc.reported_severity
    validate_and_save_unsaved(nc)
    _apply_repeat(nc)
    save_numbered(nc, "NC", nc.detected_on.year)
    record_change(actor=user, instance=nc, action=AuditAction.CREATE)
    _notify_nc(nc)
    return nc


def _notify_nc(nc: Nonconformance) -> None:
    if nc.owner is None:
        return
    title = _("Nonconformance %(number)s: %(title)s") % {"number": nc.number, "title": nc.title}
    if nc.repeat_of_id:
        title += " " + _("(repeat of %(n)s)") % {"n": nc.repeat_of.number}
    notify_many(
        [
            NotificationDraft(
                nc.owner_id,
                "nonconformance",
                title,
                link=reverse("quality:nc_detail", args=[nc.pk]),
                dedupe_key=f"nc-{nc.pk}",
            )
        ]
    )


def nc_create(*, user, data: dict) -> Nonconformance:
    """Record a nonconformance by hand (a customer complaint, production, or an inspection or
    audit outside the system). A repeat within 12 months raises its severity one step."""
    require_perm(user, "quality.add_nonconformance")
    with transaction.atomic():
        nc = Nonconformance(owner=user)
        assign_fields(nc, data, NC_FIELDS)
        if not nc.detected_on:
            nc.detected_on = timezone.localdate()
        if nc.detected_on > timezone.localdate():
            raise InvalidInput(
                _("The detection date is in the future."),
                fields={"detected_on": [_("Give a date up to today.")]},
            )
        if nc.source == NCSource.CUSTOMER and not nc.customer_reference:
            raise InvalidInput(
                _("A customer complaint needs the customer's reference."),
                fields={"customer_reference": [_("Give the complaint's reference.")]},
            )
        if nc.source in (NCSource.INSPECTION, NCSource.AUDIT) and nc.partner is None:
            raise InvalidInput(
                _("A nonconformance from an inspection or audit names the partner."),
                fields={"partner": [_("Choose the partner.")]},
            )
        return _create(user, nc)


def nc_from_lot(*, user, inspection: LotInspection, defect_type: DefectType) -> Nonconformance:
    line = inspection.receipt_line
    nc = Nonconformance(
        partner_id=inspection.partner_id,
        source=NCSource.INSPECTION,
        lot_inspection=inspection,
        defect_type=defect_type,
        title=_("Lot %(number)s rejected: %(item)s")
        % {"number": inspection.number, "item": line.order_line.item},
        description=_(
            "%(d)s nonconforming units in a sample of %(n)s (Ac %(ac)s, Re %(re)s). %(plan)s"
        )
        % {
            "d": inspection.defectives,
            "n": inspection.sample_size,
            "ac": inspection.accept_number,
            "re": inspection.reject_number,
            "plan": inspection.plan_explanation,
        },
        detected_on=timezone.localdate(),
        reported_severity=NCSeverity.MAJOR,
        quantity_affected=line.quantity_received,
        unit=line.order_line.unit[:12],
        owner=user,
    )
    return _create(user, nc)


def nc_from_audit_answer(*, user, answer: AuditAnswer, severity: str) -> Nonconformance:
    """Open a nonconformance for an audit finding (done for every major finding when the
    audit closes; by hand for a minor one)."""
    require_perm(user, "quality.add_nonconformance")
    if hasattr(answer, "nonconformance"):
        raise Conflict(
            _("This finding already has nonconformance %(n)s.")
            % {"n": answer.nonconformance.number}
        )
    audit = answer.audit
    defect_type, _created = DefectType.objects.get_or_create(
        code="AUDIT", defaults={"name": "Audit finding"}
    )
    nc = Nonconformance(
        partner_id=audit.partner_id,
        source=NCSource.AUDIT,
        audit_answer=answer,
        defect_type=defect_type,
        title=(_("Audit %(number)s: %(text)s") % {"number": audit.number, "text": answer.text})[
            :200
        ],
        description=answer.comment,
        detected_on=(audit.closed_at or timezone.now()).date(),
        reported_severity=severity,
        owner=audit.auditor or user,
    )
    return _create(user, nc)


def nc_update(*, user, nc: Nonconformance, data: dict) -> Nonconformance:
    require_perm(user, "quality.change_nonconformance")
    with transaction.atomic():
        nc = Nonconformance.objects.select_for_update().get(pk=nc.pk)
        if nc.status not in OPEN_NC:
            raise Conflict(_("A closed or cancelled nonconformance is not edited."))
        before = snapshot(nc)
        assign_fields(nc, data, NC_UPDATE_FIELDS)
        if nc.cost_amount is not None and not nc.currency:
            nc.currency = settings.DEFAULT_CURRENCY
        nc.severity = nc.reported_severity
        validate_and_save_unsaved(nc)
        _apply_repeat(nc)
        nc.save()
        record_change(actor=user, instance=nc, action=AuditAction.UPDATE, before=before)
    return nc


def _finish_nc(user, nc: Nonconformance, status: str, note: str) -> Nonconformance:
    before = snapshot(nc)
    nc.status, nc.closed_at, nc.closing_note = status, timezone.now(), note
    nc.save()
    record_change(actor=user, instance=nc, action=AuditAction.UPDATE, before=before)
    return nc


def nc_close(*, user, nc: Nonconformance, note: str) -> Nonconformance:
    """Close a nonconformance that needs no corrective action, or whose action is closed."""
    require_perm(user, "quality.change_nonconformance")
    if not (note or "").strip():
        raise InvalidInput(_("Say how it was resolved."), fields={"note": [_("Required.")]})
    with transaction.atomic():
        nc = Nonconformance.objects.select_for_update().get(pk=nc.pk)
        if nc.status not in OPEN_NC:
            raise Conflict(
                _("The nonconformance is already %(s)s.") % {"s": nc.get_status_display()}
            )
        action = CorrectiveAction.objects.filter(nonconformance=nc).first()
        if action is not None and action.status == ActionStatus.OPEN:
            raise Conflict(
                _("Corrective action %(n)s is still open; close it first.") % {"n": action.number}
            )
        if nc.lot_inspection_id and not nc.lot_inspection.disposition:
            raise Conflict(_("The rejected lot has no disposition yet."))
        return _finish_nc(user, nc, NCStatus.CLOSED, note.strip())


def nc_cancel(*, user, nc: Nonconformance, reason: str) -> Nonconformance:
    require_perm(user, "quality.change_nonconformance")
    if not (reason or "").strip():
        raise InvalidInput(_("Give the reason."), fields={"reason": [_("Give the reason.")]})
    with transaction.atomic():
        nc = Nonconformance.objects.select_for_update().get(pk=nc.pk)
        if nc.status not in OPEN_NC:
            raise Conflict(
                _("The nonconformance is already %(s)s.") % {"s": nc.get_status_display()}
            )
        if nc.lot_inspection_id:
            raise Conflict(_("A rejected lot's nonconformance is closed, not cancelled."))
        CorrectiveAction.objects.filter(nonconformance=nc, status=ActionStatus.OPEN).update(
            status=ActionStatus.CANCELLED, updated_at=timezone.now()
        )
        return _finish_nc(user, nc, NCStatus.CANCELLED, reason.strip())


# --- 8D corrective actions ---------------------------------------------------------------------


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
        stage = stages[stage.stage]
        problem = eightd.check_submit(_statuses(stages), stage.stage)
        if problem:
            raise Conflict(problem)
        before = snapshot(stage)
        stage.content = content.strip()
        stage.status = StageStatus.SUBMITTED
        stage.submitted_at, stage.submitted_by = timezone.now(), user
        stage.save()
        record_change(actor=user, instance=stage, action=AuditAction.UPDATE, before=before)
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
            raise Conflict(problem)
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
        stage.review_note = _("Due time moved: %(r)s") % {"r": reason.strip()}
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
            raise Conflict(problem)
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
    return notify_many(drafts)
