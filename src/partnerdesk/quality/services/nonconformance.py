"""Nonconformances: opening them (by hand, from a rejected lot, from an audit finding) with
repeat detection, editing, closing and cancelling. The 8D corrective actions are in
``corrective_actions`` (re-exported here)."""

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
    RAISED_SEVERITY,
    ActionStatus,
    NCSeverity,
    NCSource,
    NCStatus,
)
from partnerdesk.quality.engines import eightd
from partnerdesk.quality.models import (
    AuditAnswer,
    CorrectiveAction,
    DefectType,
    LotInspection,
    Nonconformance,
)
from partnerdesk.quality.services.audits import validate_and_save_unsaved
from partnerdesk.quality.services.corrective_actions import (  # re-exported for callers
    OPEN_NC as OPEN_NC,
    _finish_nc,
    action_close as action_close,
    action_open as action_open,
    effectiveness_record as effectiveness_record,
    notify_overdue_stages as notify_overdue_stages,
    refusal_text as refusal_text,
    stage_accept as stage_accept,
    stage_offsets as stage_offsets,
    stage_send_back as stage_send_back,
    stage_set_due as stage_set_due,
    stage_submit as stage_submit,
)
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
    with transaction.atomic():
        # The answer is locked so two clicks cannot both open one (the second would meet the
        # one-to-one constraint, which the numbering would take for a taken number).
        AuditAnswer.objects.select_for_update().filter(pk=answer.pk).first()
        existing = Nonconformance.objects.filter(audit_answer_id=answer.pk).first()
        if existing is not None:
            raise Conflict(
                _("This finding already has nonconformance %(n)s.") % {"n": existing.number}
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
            detected_on=timezone.localdate(audit.closed_at or timezone.now()),
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
        for action in CorrectiveAction.objects.select_for_update().filter(
            nonconformance=nc, status=ActionStatus.OPEN
        ):
            action_before = snapshot(action)
            action.status = ActionStatus.CANCELLED
            action.save(update_fields=["status", "updated_at"])
            record_change(
                actor=user, instance=action, action=AuditAction.UPDATE, before=action_before
            )
        return _finish_nc(user, nc, NCStatus.CANCELLED, reason.strip())


# --- 8D corrective actions ---------------------------------------------------------------------
