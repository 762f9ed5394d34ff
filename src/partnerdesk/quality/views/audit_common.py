"""What the audit pages share: fetching, error placement, and presenting answers (proposed
findings, limits, progress, the score explanation)."""

from itertools import groupby

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.utils.translation import gettext as _, ngettext

from partnerdesk.core.errors import ApplicationError
from partnerdesk.core.permissions import can
from partnerdesk.partners.models import Partner
from partnerdesk.quality import selectors
from partnerdesk.quality.choices import (
    AuditStatus,
    FindingGrade,
    QuestionKind,
)
from partnerdesk.quality.engines import audit_scoring
from partnerdesk.quality.forms_audits import (
    AnswerForm,
    EvidenceForm,
)
from partnerdesk.quality.models import Audit, Nonconformance

OPEN_STATUSES = (AuditStatus.PLANNED, AuditStatus.IN_PROGRESS)


CONDUCT = "conduct"


def _get(selector, **kwargs):
    """Call a ``*_get`` selector; a row the user may not see (or act on) is a 404."""
    try:
        return selector(**kwargs)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc


def _int(value) -> int | None:
    value = str(value or "")
    return int(value) if value.isdigit() and len(value) < 10 else None


def _place_errors(form, exc: ApplicationError, field_for=None) -> None:
    """Put a service's field errors next to their fields (or at the top of the form)."""
    placed = False
    for name, msgs in exc.fields.items():
        target = field_for(name) if field_for else (name if name in form.fields else None)
        for msg in msgs:
            form.add_error(target, msg)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def _partners(user):
    return Partner.objects.restrict(user).only("pk", "code", "legal_name").order_by("code")


def _active_templates(user):
    return selectors.template_list(user=user).filter(is_active=True).order_by("code")


def _auditors():
    return selectors.quality_staff("change_audit")


def _is_htmx(request) -> bool:
    return bool(getattr(request, "htmx", False))


def _engine_answer(answer, finding: str = "") -> audit_scoring.Answer:
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


def proposed_finding(answer) -> str:
    """The finding the scoring rules give the recorded answer ("" when unanswered or n/a)."""
    if not answer.answered:
        return ""
    try:
        return audit_scoring.proposed_finding(_engine_answer(answer))
    except ValueError:
        return ""


def requested_finding(answer) -> str:
    """The auditor's own grade when it is more severe than the rules' (else "")."""
    proposed = proposed_finding(answer)
    return answer.finding if answer.finding and answer.finding != proposed else ""


def _number(value) -> str:
    return format(value.normalize(), "f") if value is not None else ""


def limits_text(answer) -> str:
    """The limits of a numeric question, e.g. "9.5 to 10.5 mm" or "≥ 95 %"."""
    low, high, unit = _number(answer.lower_limit), _number(answer.upper_limit), answer.unit
    if low and high:
        text = f"{low} \u2013 {high}"
    elif low:
        text = f"≥ {low}"
    elif high:
        text = f"≤ {high}"
    else:
        return ""
    return f"{text} {unit}".strip()


def answer_text(answer) -> str:
    """The recorded answer in words."""
    if answer.not_applicable:
        return _("Not applicable")
    if answer.kind == QuestionKind.YES_NO:
        if answer.yes is None:
            return ""
        return _("Yes") if answer.yes else _("No")
    if answer.value is None:
        return ""
    if answer.kind == QuestionKind.SCALE:
        return _("%(value)s of %(top)s") % {
            "value": _number(answer.value),
            "top": answer.scale_max,
        }
    return f"{_number(answer.value)} {answer.unit}".strip()


def _decorate(answers, *, with_forms: bool = False, bound: dict | None = None, evidence=None):
    """Attach what the templates show to each answer: its answer in words, the limits, the
    nonconformance, and (conducting) its form and evidence form."""
    bound = bound or {}
    evidence = evidence or {}
    for answer in answers:
        answer.shown = answer_text(answer)
        answer.limits = limits_text(answer) if answer.kind == QuestionKind.NUMERIC else ""
        answer.nc = getattr(answer, "nonconformance", None)
        answer.target = f"#answer-{answer.pk}"
        answer.files = list(answer.evidence.all())
        answer.evidence_missing = (
            answer.evidence_required and not answer.not_applicable and not answer.files
        )
        if with_forms:
            answer.form = bound.get(answer.pk) or AnswerForm(
                answer=answer, requested_finding=requested_finding(answer)
            )
            answer.evidence_form = evidence.get(answer.pk) or EvidenceForm(
                initial={"answer": answer.pk}, auto_id=f"id_e{answer.pk}_%s"
            )
    return answers


def _sections(answers) -> list[dict]:
    return [
        {"title": title, "answers": list(rows)}
        for title, rows in groupby(answers, key=lambda a: a.section_title)
    ]


def _progress(answers) -> dict:
    total = len(answers)
    answered = sum(1 for a in answers if a.answered)
    return {
        "answered": answered,
        "total": total,
        "percent": round(100 * answered / total) if total else 0,
        "missing_evidence": sum(1 for a in answers if a.answered and a.evidence_missing),
    }


def explanation(audit) -> dict | None:
    """The score and grade of a closed audit, explained: points per section, findings, the
    grade by score and the downgrade rule."""
    data = audit.explanation or {}
    if not data:
        return None
    counts = data.get("findings", {})
    majors = int(counts.get("major", 0))
    downgrade = ""
    if data.get("downgrade"):
        downgrade = ngettext(
            "%(n)s major finding allows at most grade %(grade)s.",
            "%(n)s major findings allow at most grade %(grade)s.",
            majors,
        ) % {"n": majors, "grade": data.get("grade", "")}
    return {
        "points": data.get("points"),
        "possible": data.get("possible"),
        "score": data.get("score"),
        "grade": data.get("grade"),
        "grade_by_score": data.get("grade_by_score"),
        "downgrade": downgrade,
        "rule_version": data.get("rule_version"),
        "sections": data.get("sections", []),
        "findings": [(grade.label, int(counts.get(grade.value, 0))) for grade in FindingGrade],
    }


def _actions(user, audit) -> dict:
    may_change = can(user, "change", Audit)
    is_open = audit.status in OPEN_STATUSES
    return {
        "start": may_change and audit.status == AuditStatus.PLANNED,
        "conduct": may_change and is_open,
        "close": may_change and audit.status == AuditStatus.IN_PROGRESS,
        "cancel": may_change and is_open,
        "open_nc": can(user, "add", Nonconformance) and audit.status == AuditStatus.CLOSED,
    }
