"""Conducting an audit (answers and evidence) and closing it with its score, grade and
findings. Templates, schedules and planning are in ``audit_programme`` (re-exported here)."""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerdesk.audit.models import AuditAction
from partnerdesk.audit.services import record_change, snapshot
from partnerdesk.core.errors import Conflict, InvalidInput
from partnerdesk.core.services import require_perm, validate_and_save
from partnerdesk.partners.services.documents import _sha256, check_upload
from partnerdesk.quality.choices import (
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
    Nonconformance,
)
from partnerdesk.quality.services.audit_programme import (  # re-exported for callers
    QUESTION_FIELDS as QUESTION_FIELDS,
    SCHEDULE_FIELDS as SCHEDULE_FIELDS,
    SCHEDULE_UPDATE_FIELDS as SCHEDULE_UPDATE_FIELDS,
    SECTION_FIELDS as SECTION_FIELDS,
    TEMPLATE_FIELDS as TEMPLATE_FIELDS,
    add_months as add_months,
    audit_plan as audit_plan,
    plan_scheduled_audits as plan_scheduled_audits,
    question_add as question_add,
    question_delete as question_delete,
    question_update as question_update,
    schedule_create as schedule_create,
    schedule_update as schedule_update,
    section_add as section_add,
    section_delete as section_delete,
    section_update as section_update,
    template_create as template_create,
    template_update as template_update,
    validate_and_save_unsaved as validate_and_save_unsaved,
)

OPEN_STATUSES = (AuditStatus.PLANNED, AuditStatus.IN_PROGRESS)


# --- templates ---------------------------------------------------------------------------------


# --- schedules and planning ----------------------------------------------------------------


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


def _flag(raw) -> bool:
    """A boolean from JSON, a form ("on") or text ("false" is false)."""
    if isinstance(raw, str):
        return raw.strip().lower() in ("1", "true", "yes", "on", "y")
    return bool(raw)


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
    if abs(value) > Decimal("9999999999.9999"):  # the largest the column holds
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
        answer.not_applicable = _flag(data.get("not_applicable"))
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
    _extension, content_type, size = check_upload(uploaded_file)
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

        with_nc = set(
            Nonconformance.objects.filter(audit_answer__audit=audit).values_list(
                "audit_answer_id", flat=True
            )
        )
        for answer in answers:
            if answer.finding == FindingGrade.MAJOR and answer.pk not in with_nc:
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
