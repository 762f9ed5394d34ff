"""The audit programme: checklist templates with their sections and questions, recurring
schedules, and planning audits (from a schedule or by hand)."""

import datetime
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerdesk.audit.crud import audited_create, audited_delete, audited_update
from partnerdesk.audit.models import AuditAction
from partnerdesk.audit.services import record_change
from partnerdesk.core.errors import ApplicationError, Conflict, InvalidInput
from partnerdesk.core.services import require_perm
from partnerdesk.quality.choices import (
    FREQUENCY_MONTHS,
)
from partnerdesk.quality.models import (
    Audit,
    AuditAnswer,
    AuditQuestion,
    AuditSchedule,
    AuditSection,
    AuditTemplate,
)
from partnerdesk.quality.services.numbers import add_at_end, save_numbered

logger = logging.getLogger(__name__)

TEMPLATE_FIELDS = {"code", "name", "description", "grade_a_min", "grade_b_min", "is_active"}


SECTION_FIELDS = {"title"}


QUESTION_FIELDS = {
    "text",
    "guidance",
    "kind",
    "weight",
    "scale_max",
    "lower_limit",
    "upper_limit",
    "unit",
    "evidence_required",
    "critical",
}


SCHEDULE_FIELDS = {"partner", "template", "frequency", "auditor", "next_due", "lead_days"}


SCHEDULE_UPDATE_FIELDS = {"frequency", "auditor", "next_due", "lead_days", "is_active"}


def template_create(*, user, data: dict) -> AuditTemplate:
    return audited_create(user=user, model=AuditTemplate, data=data, allowed=TEMPLATE_FIELDS)


def template_update(*, user, template: AuditTemplate, data: dict) -> AuditTemplate:
    return audited_update(user=user, instance=template, data=data, allowed=TEMPLATE_FIELDS)


def section_add(*, user, template: AuditTemplate, data: dict) -> AuditSection:
    require_perm(user, "quality.change_audittemplate")
    return add_at_end(
        user=user,
        parent=template,
        field="template",
        model=AuditSection,
        data=data,
        allowed=SECTION_FIELDS,
    )


def section_update(*, user, section: AuditSection, data: dict) -> AuditSection:
    require_perm(user, "quality.change_audittemplate")
    return audited_update(user=user, instance=section, data=data, allowed=SECTION_FIELDS)


def section_delete(*, user, section: AuditSection) -> None:
    require_perm(user, "quality.change_audittemplate")
    audited_delete(user=user, instance=section)


def question_add(*, user, section: AuditSection, data: dict) -> AuditQuestion:
    require_perm(user, "quality.change_audittemplate")
    return add_at_end(
        user=user,
        parent=section,
        field="section",
        model=AuditQuestion,
        data=data,
        allowed=QUESTION_FIELDS,
    )


def question_update(*, user, question: AuditQuestion, data: dict) -> AuditQuestion:
    require_perm(user, "quality.change_audittemplate")
    return audited_update(user=user, instance=question, data=data, allowed=QUESTION_FIELDS)


def question_delete(*, user, question: AuditQuestion) -> None:
    """Remove a question from the template; audits already planned keep their copy."""
    require_perm(user, "quality.change_audittemplate")
    audited_delete(user=user, instance=question)


def _refuse_second_active(partner, template, exclude_pk=None) -> None:
    """One active schedule per partner and template: a clear 409 instead of the constraint's
    generic message."""
    others = AuditSchedule.objects.filter(partner=partner, template=template, is_active=True)
    if partner is not None and template is not None and others.exclude(pk=exclude_pk).exists():
        raise Conflict(
            _("%(partner)s already has an active schedule of “%(template)s”.")
            % {"partner": partner, "template": template},
            fields={"template": [_("Change the active schedule instead.")]},
        )


def schedule_create(*, user, data: dict) -> AuditSchedule:
    require_perm(user, "quality.add_auditschedule")
    if data.get("is_active", True):
        _refuse_second_active(data.get("partner"), data.get("template"))
    return audited_create(
        user=user,
        model=AuditSchedule,
        data=data,
        allowed=SCHEDULE_FIELDS,
        day_of_month=getattr(data.get("next_due"), "day", None),
    )


def schedule_update(*, user, schedule: AuditSchedule, data: dict) -> AuditSchedule:
    require_perm(user, "quality.change_auditschedule")
    if data.get("is_active") and not schedule.is_active:
        _refuse_second_active(schedule.partner, schedule.template, exclude_pk=schedule.pk)
    schedule = audited_update(
        user=user, instance=schedule, data=data, allowed=SCHEDULE_UPDATE_FIELDS
    )
    if "next_due" in data and schedule.day_of_month != schedule.next_due.day:
        schedule.day_of_month = schedule.next_due.day  # the user set a new rhythm
        schedule.save(update_fields=["day_of_month"])
    return schedule


def add_months(day: datetime.date, months: int, day_of_month: int | None = None) -> datetime.date:
    """``months`` later on ``day_of_month`` (default: the same day), or the month's last day
    when it has no such day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    wanted = day_of_month or day.day
    for candidate in (wanted, 30, 29, 28):
        try:
            return datetime.date(year, month, min(wanted, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _copy_questions(audit: Audit) -> int:
    questions = list(
        AuditQuestion.objects.filter(section__template_id=audit.template_id)
        .select_related("section")
        .order_by("section__position", "position")
    )
    if not questions:
        raise InvalidInput(
            _("The template “%(name)s” has no questions yet.") % {"name": audit.template.name},
            fields={"template": [_("Add questions to the template first.")]},
        )
    copied = [
        "text",
        "guidance",
        "kind",
        "weight",
        "scale_max",
        "lower_limit",
        "upper_limit",
        "unit",
        "evidence_required",
        "critical",
    ]
    AuditAnswer.objects.bulk_create(
        [
            AuditAnswer(
                audit=audit,
                question=q,
                position=index,
                section_title=q.section.title,
                **{name: getattr(q, name) for name in copied},
            )
            for index, q in enumerate(questions, start=1)
        ]
    )
    return len(questions)


def audit_plan(
    *, user, partner, template: AuditTemplate, planned_date, auditor=None, schedule=None
) -> Audit:
    """Plan an audit: number it and copy the template's questions into it."""
    if user is not None:
        require_perm(user, "quality.add_audit")
    if not template.is_active:
        raise InvalidInput(
            _("The template “%(name)s” is not active.") % {"name": template.name},
            fields={"template": [_("Choose an active template.")]},
        )
    with transaction.atomic():
        audit = Audit(
            partner=partner,
            template=template,
            planned_date=planned_date,
            auditor=auditor,
            schedule=schedule,
        )
        audit.number = "pending"
        validate_and_save_unsaved(audit)
        save_numbered(audit, "AUD", planned_date.year)
        _copy_questions(audit)
        record_change(actor=user, instance=audit, action=AuditAction.CREATE)
    if auditor is not None:
        _notify_auditor(audit)
    return audit


def validate_and_save_unsaved(instance) -> None:
    """Validate without saving (the number is given when it is inserted)."""
    from django.core.exceptions import ValidationError

    from partnerdesk.core.errors import ApplicationError

    try:
        instance.full_clean(validate_unique=False, exclude=["number"])
    except ValidationError as exc:
        raise ApplicationError.from_validation_error(exc) from exc


def _notify_auditor(audit: Audit) -> None:
    from django.urls import reverse

    from partnerdesk.notifications.services import notify

    notify(
        recipient=audit.auditor,
        kind="audit_planned",
        title=_("Audit %(number)s of %(partner)s planned for %(date)s")
        % {"number": audit.number, "partner": audit.partner, "date": audit.planned_date},
        link=reverse("quality:audit_detail", args=[audit.pk]),
        dedupe_key=f"audit-planned-{audit.pk}",
    )


def plan_scheduled_audits(today: datetime.date | None = None) -> list[Audit]:
    """Plan the audits of every active schedule that falls due within its lead time, and move
    each schedule on. Safe to run again: a slot already planned is not planned twice."""
    today = today or timezone.localdate()
    planned = []
    schedules = AuditSchedule.objects.filter(is_active=True).select_related(
        "template", "partner", "auditor"
    )
    for schedule in schedules:
        try:
            planned += _plan_schedule(schedule, today)
        except ApplicationError as exc:
            # One schedule that cannot be planned (its template was emptied or deactivated)
            # must not stop the others; it stays due and is tried again the next day.
            logger.warning("Audit schedule %s not planned: %s", schedule.pk, exc.message)
    return planned


def _plan_schedule(schedule: AuditSchedule, today: datetime.date) -> list[Audit]:
    planned = []
    with transaction.atomic():
        schedule = AuditSchedule.objects.select_for_update().get(pk=schedule.pk)
        lead = datetime.timedelta(days=schedule.lead_days)
        months = FREQUENCY_MONTHS[schedule.frequency]
        while schedule.next_due - lead <= today:
            due = schedule.next_due
            following = add_months(due, months, schedule.day_of_month)
            # A schedule that fell behind (the worker was down) skips the slots already
            # past when a later one is due too, instead of planning every missed one.
            missed = due < today and following - lead <= today
            if not missed and not schedule.audits.filter(planned_date=due).exists():
                planned.append(
                    audit_plan(
                        user=None,
                        partner=schedule.partner,
                        template=schedule.template,
                        planned_date=due,
                        auditor=schedule.auditor,
                        schedule=schedule,
                    )
                )
            schedule.next_due = following
        schedule.save(update_fields=["next_due", "updated_at"])
    return planned
