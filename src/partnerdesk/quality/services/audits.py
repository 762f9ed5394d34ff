"""The audit programme: templates and their questions, schedules, planning, conducting
(answers and evidence) and closing an audit with its score, grade and findings."""

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerdesk.audit.crud import audited_create, audited_delete, audited_update
from partnerdesk.audit.models import AuditAction
from partnerdesk.audit.services import record_change, snapshot
from partnerdesk.core.errors import Conflict, InvalidInput
from partnerdesk.core.services import require_perm, validate_and_save
from partnerdesk.partners.services.documents import _sha256, check_upload
from partnerdesk.quality.choices import (
    FREQUENCY_MONTHS,
    AuditStatus,
    FindingGrade,
    NCSeverity,
    QuestionKind,
)
from partnerdesk.quality.engines import audit_scoring
from partnerdesk.quality.models import (
    Audit,
    AuditAnswer,
    AuditEvidence,
    AuditQuestion,
    AuditSchedule,
    AuditSection,
    AuditTemplate,
)
from partnerdesk.quality.services.numbers import save_numbered

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
OPEN_STATUSES = (AuditStatus.PLANNED, AuditStatus.IN_PROGRESS)


# --- templates ---------------------------------------------------------------------------------


def template_create(*, user, data: dict) -> AuditTemplate:
    return audited_create(user=user, model=AuditTemplate, data=data, allowed=TEMPLATE_FIELDS)


def template_update(*, user, template: AuditTemplate, data: dict) -> AuditTemplate:
    return audited_update(user=user, instance=template, data=data, allowed=TEMPLATE_FIELDS)


def section_add(*, user, template: AuditTemplate, data: dict) -> AuditSection:
    require_perm(user, "quality.change_audittemplate")
    with transaction.atomic():
        AuditTemplate.objects.select_for_update().get(pk=template.pk)
        position = (template.sections.aggregate(m=Max("position"))["m"] or 0) + 1
        return audited_create(
            user=user,
            model=AuditSection,
            data=data,
            allowed=SECTION_FIELDS,
            template=template,
            position=position,
        )


def section_update(*, user, section: AuditSection, data: dict) -> AuditSection:
    require_perm(user, "quality.change_audittemplate")
    return audited_update(user=user, instance=section, data=data, allowed=SECTION_FIELDS)


def section_delete(*, user, section: AuditSection) -> None:
    require_perm(user, "quality.change_audittemplate")
    audited_delete(user=user, instance=section)


def question_add(*, user, section: AuditSection, data: dict) -> AuditQuestion:
    require_perm(user, "quality.change_audittemplate")
    with transaction.atomic():
        AuditSection.objects.select_for_update().get(pk=section.pk)
        position = (section.questions.aggregate(m=Max("position"))["m"] or 0) + 1
        return audited_create(
            user=user,
            model=AuditQuestion,
            data=data,
            allowed=QUESTION_FIELDS,
            section=section,
            position=position,
        )


def question_update(*, user, question: AuditQuestion, data: dict) -> AuditQuestion:
    require_perm(user, "quality.change_audittemplate")
    return audited_update(user=user, instance=question, data=data, allowed=QUESTION_FIELDS)


def question_delete(*, user, question: AuditQuestion) -> None:
    """Remove a question from the template; audits already planned keep their copy."""
    require_perm(user, "quality.change_audittemplate")
    audited_delete(user=user, instance=question)


# --- schedules and planning ----------------------------------------------------------------


def schedule_create(*, user, data: dict) -> AuditSchedule:
    return audited_create(user=user, model=AuditSchedule, data=data, allowed=SCHEDULE_FIELDS)


def schedule_update(*, user, schedule: AuditSchedule, data: dict) -> AuditSchedule:
    return audited_update(user=user, instance=schedule, data=data, allowed=SCHEDULE_UPDATE_FIELDS)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later, or the month's last day when it has no such day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, candidate))
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
        with transaction.atomic():
            schedule = AuditSchedule.objects.select_for_update().get(pk=schedule.pk)
            lead = datetime.timedelta(days=schedule.lead_days)
            months = FREQUENCY_MONTHS[schedule.frequency]
            while schedule.next_due - lead <= today:
                due = schedule.next_due
                following = add_months(due, months)
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


# --- conducting --------------------------------------------------------------------------------


def _open_audit(audit: Audit) -> Audit:
    audit = Audit.objects.select_for_update().get(pk=audit.pk)
    if audit.status not in OPEN_STATUSES:
        raise Conflict(
            _("Audit %(number)s is %(status)s; it cannot be changed.")
            % {"number": audit.number, "status": audit.get_status_display()}
        )
    return audit


def audit_start(*, user, audit: Audit) -> Audit:
    require_perm(user, "quality.change_audit")
    with transaction.atomic():
        audit = _open_audit(audit)
        if audit.status == AuditStatus.PLANNED:
            before = snapshot(audit)
            audit.status, audit.started_at = AuditStatus.IN_PROGRESS, timezone.now()
            if audit.auditor_id is None:
                audit.auditor = user
            audit.save()
            record_change(actor=user, instance=audit, action=AuditAction.UPDATE, before=before)
    return audit


def _parse_value(answer: AuditAnswer, raw) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except InvalidOperation:
        raise InvalidInput(
            _("“%(raw)s” is not a number.") % {"raw": raw},
            fields={"value": [_("Enter a number.")]},
        ) from None
    if not value.is_finite():
        raise InvalidInput(_("Enter a finite number."), fields={"value": [_("Enter a number.")]})
    if answer.kind == QuestionKind.SCALE:
        top = answer.scale_max or 0
        if value != value.to_integral_value() or not 0 <= value <= top:
            raise InvalidInput(
                _("The score must be a whole number from 0 to %(top)s.") % {"top": top},
                fields={"value": [_("0 to %(top)s.") % {"top": top}]},
            )
    if abs(value) >= Decimal("1e10"):
        raise InvalidInput(
            _("The reading is out of any plausible range."),
            fields={"value": [_("Check the reading.")]},
        )
    return value


def _engine_answer(answer: AuditAnswer, finding: str = "") -> audit_scoring.Answer:
    return audit_scoring.Answer(
        key=answer.position,
        section=answer.section_title,
        kind=answer.kind,
        weight=answer.weight,
        critical=answer.critical,
        not_applicable=answer.not_applicable,
        yes=answer.yes,
        value=answer.value,
        scale_max=answer.scale_max,
        lower_limit=answer.lower_limit,
        upper_limit=answer.upper_limit,
        finding=finding,
    )


def answer_record(*, user, answer: AuditAnswer, data: dict) -> AuditAnswer:
    """Record (or clear) the answer to one question. ``data``: ``not_applicable``, ``yes``
    (yes/no questions), ``value`` (scale score or reading), ``comment``, and optionally a
    ``finding`` more severe than the one the rules give."""
    require_perm(user, "quality.change_audit")
    unknown = set(data) - {"not_applicable", "yes", "value", "comment", "finding"}
    if unknown:
        raise InvalidInput(
            _("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))},
            fields={name: [_("This field cannot be set here.")] for name in sorted(unknown)},
        )
    with transaction.atomic():
        audit = _open_audit(answer.audit)
        answer = AuditAnswer.objects.select_for_update().get(pk=answer.pk, audit=audit)
        before = snapshot(answer)
        answer.not_applicable = bool(data.get("not_applicable"))
        answer.yes, answer.value = None, None
        if not answer.not_applicable:
            if answer.kind == QuestionKind.YES_NO:
                yes = data.get("yes")
                if isinstance(yes, str):
                    yes = {"yes": True, "no": False, "true": True, "false": False}.get(
                        yes.strip().lower(), yes
                    )
                if yes not in (None, True, False):
                    raise InvalidInput(
                        _("Answer yes, no or not applicable."),
                        fields={"yes": [_("Answer yes, no or not applicable.")]},
                    )
                answer.yes = yes
            else:
                answer.value = _parse_value(answer, data.get("value"))
        answer.comment = (data.get("comment") or "").strip()
        requested = (data.get("finding") or "").strip()
        if requested and requested not in FindingGrade.values:
            raise InvalidInput(
                _("Unknown finding “%(f)s”.") % {"f": requested},
                fields={"finding": [_("Choose compliant, observation, minor or major.")]},
            )
        if answer.answered:
            proposed = audit_scoring.proposed_finding(_engine_answer(answer))
            order = audit_scoring.FINDING_ORDER
            if requested and proposed and order.index(requested) < order.index(proposed):
                raise InvalidInput(
                    _(
                        "The rules grade this answer “%(proposed)s”; a finding can be graded "
                        "more severely, not less."
                    )
                    % {"proposed": FindingGrade(proposed).label},
                    fields={
                        "finding": [_("At least %(p)s.") % {"p": FindingGrade(proposed).label}]
                    },
                )
            answer.finding = audit_scoring.final_finding(_engine_answer(answer, requested))
            answer.answered_by, answer.answered_at = user, timezone.now()
        else:
            answer.finding, answer.answered_by, answer.answered_at = "", None, None
        answer.save()
        if audit.status == AuditStatus.PLANNED:
            audit.status, audit.started_at = AuditStatus.IN_PROGRESS, timezone.now()
            audit.save(update_fields=["status", "started_at", "updated_at"])
        record_change(actor=user, instance=answer, action=AuditAction.UPDATE, before=before)
    return answer


def evidence_add(
    *, user, audit: Audit, uploaded_file, answer: AuditAnswer | None = None, caption: str = ""
) -> AuditEvidence:
    """Attach a photo or file to the audit or to one of its answers (type, size and content
    checked as for partner documents)."""
    require_perm(user, "quality.change_audit")
    _, content_type, size = check_upload(uploaded_file)
    with transaction.atomic():
        audit = _open_audit(audit)
        if answer is not None and answer.audit_id != audit.pk:
            raise InvalidInput(
                _("The question belongs to another audit."),
                fields={"answer": [_("Choose a question of this audit.")]},
            )
        evidence = AuditEvidence(
            audit=audit,
            answer=answer,
            original_name=uploaded_file.name[:255],
            content_type=content_type,
            size=size,
            sha256=_sha256(uploaded_file),
            caption=(caption or "").strip()[:200],
            uploaded_by=user,
        )
        evidence.file.save(evidence.sha256, uploaded_file, save=False)
        validate_and_save(evidence)
        record_change(actor=user, instance=evidence, action=AuditAction.CREATE)
    return evidence


def evidence_delete(*, user, evidence: AuditEvidence) -> None:
    require_perm(user, "quality.change_audit")
    with transaction.atomic():
        _open_audit(evidence.audit)
        record_change(
            actor=user, instance=evidence, action=AuditAction.DELETE, before=snapshot(evidence)
        )
        evidence.delete()


# --- closing -----------------------------------------------------------------------------------


def _unanswered_message(answers: list[AuditAnswer]) -> str:
    shown = ", ".join(f"{a.position}. {a.text[:60]}" for a in answers[:5])
    more = len(answers) - 5
    text = _("%(n)s questions are not answered: %(list)s") % {"n": len(answers), "list": shown}
    if more > 0:
        text += _(" and %(more)s more") % {"more": more}
    return text


def audit_close(*, user, audit: Audit, summary: str = "") -> Audit:
    """Score and close an audit. Every question must be answered and every question that
    requires evidence must have some. Each major finding opens a nonconformance."""
    require_perm(user, "quality.change_audit")
    with transaction.atomic():
        audit = _open_audit(audit)
        answers = list(audit.answers.order_by("position"))
        unanswered = [a for a in answers if not a.answered]
        if unanswered:
            raise InvalidInput(
                _unanswered_message(unanswered),
                fields={"answers": [_unanswered_message(unanswered)]},
            )
        with_evidence = set(audit.evidence.exclude(answer=None).values_list("answer_id", flat=True))
        lacking = [
            a
            for a in answers
            if a.evidence_required and not a.not_applicable and a.pk not in with_evidence
        ]
        if lacking:
            text = _("Evidence is required for: %(list)s") % {
                "list": ", ".join(f"{a.position}. {a.text[:60]}" for a in lacking)
            }
            raise InvalidInput(text, fields={"evidence": [text]})
        template = audit.template
        result = audit_scoring.score_audit(
            [_engine_answer(a, a.finding) for a in answers],
            template.grade_a_min,
            template.grade_b_min,
        )
        before = snapshot(audit)
        for answer in answers:
            answer.finding = result.findings[str(answer.position)]
        AuditAnswer.objects.bulk_update(answers, ["finding"])
        audit.score, audit.grade = result.score, result.grade
        audit.explanation = result.explanation()
        audit.summary = (summary or audit.summary or "").strip()
        audit.status, audit.closed_at, audit.closed_by = AuditStatus.CLOSED, timezone.now(), user
        audit.started_at = audit.started_at or audit.closed_at
        audit.save()
        record_change(actor=user, instance=audit, action=AuditAction.UPDATE, before=before)
        from partnerdesk.quality.services.nonconformance import nc_from_audit_answer

        for answer in answers:
            if answer.finding == FindingGrade.MAJOR:
                nc_from_audit_answer(user=user, answer=answer, severity=NCSeverity.MAJOR)
    return audit


def audit_cancel(*, user, audit: Audit, reason: str) -> Audit:
    require_perm(user, "quality.change_audit")
    if not (reason or "").strip():
        raise InvalidInput(_("Give the reason."), fields={"reason": [_("Give the reason.")]})
    with transaction.atomic():
        audit = _open_audit(audit)
        before = snapshot(audit)
        audit.status = AuditStatus.CANCELLED
        audit.summary = _("Cancelled: %(reason)s") % {"reason": reason.strip()}
        audit.save()
        record_change(actor=user, instance=audit, action=AuditAction.UPDATE, before=before)
    return audit
