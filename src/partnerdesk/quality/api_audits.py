"""Quality API: audit templates with their sections and questions, audit schedules, and audits
(planning, conducting with answers and evidence, closing with the score and grade)."""

from django.http import FileResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status, UploadedFile
from ninja.pagination import paginate

from partnerdesk.core.errors import NotFound
from partnerdesk.core.listing import ApiPagination, apply_sort
from partnerdesk.partners.models import Partner
from partnerdesk.quality import selectors
from partnerdesk.quality.api_common import ERRORS, changes, named, resolve, staff_ref
from partnerdesk.quality.filters import (
    AUDIT_SORTS,
    SCHEDULE_SORTS,
    TEMPLATE_SORTS,
    AuditFilter,
    ScheduleFilter,
    TemplateFilter,
)
from partnerdesk.quality.models import Audit, AuditAnswer, AuditTemplate
from partnerdesk.quality.schemas import (
    AnswerOut,
    AuditAnswerIn,
    AuditCancelIn,
    AuditCloseIn,
    AuditDetailOut,
    AuditIn,
    AuditOut,
    EvidenceMeta,
    EvidenceOut,
    QuestionIn,
    QuestionOut,
    QuestionPatch,
    ScheduleIn,
    ScheduleOut,
    SchedulePatch,
    SectionIn,
    SectionOut,
    TemplateDetailOut,
    TemplateIn,
    TemplateOut,
    TemplatePatch,
)
from partnerdesk.quality.services import audits

router = Router()


# --- audit templates ---------------------------------------------------------------------------


@router.get(
    "/audit-templates",
    response={200: list[TemplateOut], **ERRORS},
    summary="List audit templates",
)
@paginate(ApiPagination)
def list_templates(request, filters: Query[TemplateFilter], sort: str | None = None):
    qs = filters.filter(selectors.template_list(user=request.user))
    return apply_sort(qs, sort, TEMPLATE_SORTS, "code")[0]


@router.post(
    "/audit-templates",
    response={201: TemplateDetailOut, **ERRORS},
    summary="Create an audit template",
)
def create_template(request, payload: TemplateIn):
    """A checklist without sections yet; add sections, then questions to them."""
    template = audits.template_create(user=request.user, data=payload.dict())
    return Status(201, selectors.template_get(user=request.user, pk=template.pk))


@router.get(
    "/audit-templates/{int:template_id}",
    response={200: TemplateDetailOut, **ERRORS},
    summary="An audit template with its sections and questions",
)
def get_template(request, template_id: int):
    return selectors.template_get(user=request.user, pk=template_id)


@router.patch(
    "/audit-templates/{int:template_id}",
    response={200: TemplateDetailOut, **ERRORS},
    summary="Change an audit template",
)
def update_template(request, template_id: int, payload: TemplatePatch):
    """Audits already planned keep their copy of the questions."""
    template = selectors.template_get(user=request.user, pk=template_id, action="change")
    audits.template_update(user=request.user, template=template, data=changes(payload))
    return selectors.template_get(user=request.user, pk=template_id)


def _section(user, section_id: int):
    return selectors.section_get(user=user, pk=section_id, action="view")


@router.post(
    "/audit-templates/{int:template_id}/sections",
    response={201: SectionOut, **ERRORS},
    summary="Add a section to an audit template",
)
def add_section(request, template_id: int, payload: SectionIn):
    template = selectors.template_get(user=request.user, pk=template_id)
    section = audits.section_add(user=request.user, template=template, data=payload.dict())
    return Status(201, _section(request.user, section.pk))


@router.patch(
    "/audit-sections/{int:section_id}",
    response={200: SectionOut, **ERRORS},
    summary="Rename a section",
)
def update_section(request, section_id: int, payload: SectionIn):
    section = selectors.section_get(user=request.user, pk=section_id, action="change")
    audits.section_update(user=request.user, section=section, data=payload.dict())
    return _section(request.user, section_id)


@router.delete(
    "/audit-sections/{int:section_id}",
    response={204: None, **ERRORS},
    summary="Delete a section and its questions",
)
def delete_section(request, section_id: int):
    """Audits already planned keep their copy of the questions."""
    section = selectors.section_get(user=request.user, pk=section_id, action="delete")
    audits.section_delete(user=request.user, section=section)
    return Status(204, None)


@router.post(
    "/audit-sections/{int:section_id}/questions",
    response={201: QuestionOut, **ERRORS},
    summary="Add a question to a section",
)
def add_question(request, section_id: int, payload: QuestionIn):
    """Yes/no, a score on a scale (``scale_max``) or a numeric reading with limits; a weight;
    evidence required or not; critical questions fail as a major finding."""
    section = _section(request.user, section_id)
    question = audits.question_add(user=request.user, section=section, data=payload.dict())
    return Status(201, selectors.question_get(user=request.user, pk=question.pk, action="view"))


@router.patch(
    "/audit-questions/{int:question_id}",
    response={200: QuestionOut, **ERRORS},
    summary="Change a question",
)
def update_question(request, question_id: int, payload: QuestionPatch):
    question = selectors.question_get(user=request.user, pk=question_id, action="change")
    audits.question_update(user=request.user, question=question, data=changes(payload))
    return selectors.question_get(user=request.user, pk=question_id, action="view")


@router.delete(
    "/audit-questions/{int:question_id}",
    response={204: None, **ERRORS},
    summary="Delete a question",
)
def delete_question(request, question_id: int):
    """Audits already planned keep their copy of the question."""
    question = selectors.question_get(user=request.user, pk=question_id, action="delete")
    audits.question_delete(user=request.user, question=question)
    return Status(204, None)


# --- audit schedules ---------------------------------------------------------------------------


def _schedule_refs(user, data: dict) -> dict:
    return resolve(
        data,
        {
            "partner": (Partner.objects.restrict(user), _("Unknown partner.")),
            "template": (AuditTemplate.objects.restrict(user), _("Unknown audit template.")),
            "auditor": staff_ref("change_audit"),
        },
    )


@router.get(
    "/audit-schedules",
    response={200: list[ScheduleOut], **ERRORS},
    summary="List audit schedules",
)
@paginate(ApiPagination)
def list_schedules(request, filters: Query[ScheduleFilter], sort: str | None = None):
    qs = filters.filter(selectors.schedule_list(user=request.user))
    return apply_sort(qs, sort, SCHEDULE_SORTS, "next_due")[0]


@router.post(
    "/audit-schedules",
    response={201: ScheduleOut, **ERRORS},
    summary="Schedule recurring audits of a partner",
)
def create_schedule(request, payload: ScheduleIn):
    """The daily job plans each audit ``lead_days`` before it is due; one active schedule per
    partner and template."""
    data = _schedule_refs(request.user, payload.dict())
    schedule = audits.schedule_create(user=request.user, data=data)
    return Status(201, selectors.schedule_get(user=request.user, pk=schedule.pk))


@router.get(
    "/audit-schedules/{int:schedule_id}",
    response={200: ScheduleOut, **ERRORS},
    summary="An audit schedule",
)
def get_schedule(request, schedule_id: int):
    return selectors.schedule_get(user=request.user, pk=schedule_id)


@router.patch(
    "/audit-schedules/{int:schedule_id}",
    response={200: ScheduleOut, **ERRORS},
    summary="Change an audit schedule",
)
def update_schedule(request, schedule_id: int, payload: SchedulePatch):
    schedule = selectors.schedule_get(user=request.user, pk=schedule_id, action="change")
    data = _schedule_refs(request.user, changes(payload))
    audits.schedule_update(user=request.user, schedule=schedule, data=data)
    return selectors.schedule_get(user=request.user, pk=schedule_id)


# --- audits ------------------------------------------------------------------------------------


def _audit(user, audit_id: int) -> Audit:
    """The audit with its answers and general evidence, for ``AuditDetailOut``."""
    audit = selectors.audit_get(user=user, pk=audit_id)
    audit.answer_rows = selectors.audit_answers(user=user, audit=audit)
    audit.general_evidence = list(selectors.audit_general_evidence(user=user, audit=audit))
    return audit


@router.get("/audits", response={200: list[AuditOut], **ERRORS}, summary="List audits")
@paginate(ApiPagination)
def list_audits(request, filters: Query[AuditFilter], sort: str | None = None):
    qs = filters.filter(selectors.audit_list(user=request.user))
    return apply_sort(qs, sort, AUDIT_SORTS, "-planned_date")[0]


@router.post("/audits", response={201: AuditDetailOut, **ERRORS}, summary="Plan an audit")
def create_audit(request, payload: AuditIn):
    """Number the audit and copy the template's questions into it (later edits of the template
    leave it alone). The auditor is notified."""
    data = _schedule_refs(request.user, payload.dict())
    audit = audits.audit_plan(
        user=request.user,
        partner=data["partner"],
        template=data["template"],
        planned_date=data["planned_date"],
        auditor=data["auditor"],
    )
    return Status(201, _audit(request.user, audit.pk))


@router.get(
    "/audits/{int:audit_id}",
    response={200: AuditDetailOut, **ERRORS},
    summary="An audit with its answers, evidence and score explanation",
)
def get_audit(request, audit_id: int):
    return _audit(request.user, audit_id)


@router.post(
    "/audits/{int:audit_id}/start", response={200: AuditDetailOut, **ERRORS}, summary="Start"
)
def start_audit(request, audit_id: int):
    audit = selectors.audit_get(user=request.user, pk=audit_id)
    audits.audit_start(user=request.user, audit=audit)
    return _audit(request.user, audit_id)


@router.put(
    "/audit-answers/{int:answer_id}",
    response={200: AnswerOut, **ERRORS},
    summary="Answer a question of an audit",
)
def answer_question(request, answer_id: int, payload: AuditAnswerIn):
    """The finding is proposed from the answer by the rules; ``finding`` may grade it more
    severely, never less. An unanswered body (no yes, no value, not n/a) clears the answer."""
    answer = selectors.answer_get(user=request.user, pk=answer_id, action="change")
    audits.answer_record(user=request.user, answer=answer, data=payload.dict())
    return selectors.answer_get(user=request.user, pk=answer_id, action="view")


@router.post(
    "/audits/{int:audit_id}/evidence",
    response={201: EvidenceOut, **ERRORS},
    summary="Upload a photo or file as evidence",
)
def upload_evidence(request, audit_id: int, meta: Form[EvidenceMeta], file: File[UploadedFile]):
    """Multipart: ``file`` (PDF, image, office document…; type, size and content checked),
    optionally ``answer`` (the answer id it documents) and ``caption``."""
    user = request.user
    audit = selectors.audit_get(user=user, pk=audit_id)
    answer = None
    if meta.answer is not None:
        answer = named(
            AuditAnswer.objects.restrict(user).filter(audit=audit),
            "answer",
            _("Choose a question of this audit."),
            meta.answer,
        )
    evidence = audits.evidence_add(
        user=user, audit=audit, uploaded_file=file, answer=answer, caption=meta.caption
    )
    return Status(201, selectors.evidence_get(user=user, pk=evidence.pk))


@router.get(
    "/audit-evidence/{int:evidence_id}/file",
    response={200: None, **ERRORS},
    summary="Download an evidence file",
    url_name="quality_evidence_file",
)
def download_evidence(request, evidence_id: int):
    """The file as uploaded, with its content type."""
    evidence = selectors.evidence_get(user=request.user, pk=evidence_id)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise NotFound(_("The evidence file is missing from the storage.")) from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )


@router.delete(
    "/audit-evidence/{int:evidence_id}",
    response={204: None, **ERRORS},
    summary="Delete an evidence file of an open audit",
)
def delete_evidence(request, evidence_id: int):
    evidence = selectors.evidence_get(user=request.user, pk=evidence_id)
    audits.evidence_delete(user=request.user, evidence=evidence)
    return Status(204, None)


@router.post(
    "/audits/{int:audit_id}/close",
    response={200: AuditDetailOut, **ERRORS},
    summary="Score and close an audit",
)
def close_audit(request, audit_id: int, payload: AuditCloseIn):
    """Every question must be answered and have the evidence it requires. The score, grade
    and explanation are stored; every major finding opens a nonconformance."""
    audit = selectors.audit_get(user=request.user, pk=audit_id)
    audits.audit_close(user=request.user, audit=audit, summary=payload.summary)
    return _audit(request.user, audit_id)


@router.post(
    "/audits/{int:audit_id}/cancel",
    response={200: AuditDetailOut, **ERRORS},
    summary="Cancel an audit",
)
def cancel_audit(request, audit_id: int, payload: AuditCancelIn):
    audit = selectors.audit_get(user=request.user, pk=audit_id)
    audits.audit_cancel(user=request.user, audit=audit, reason=payload.reason)
    return _audit(request.user, audit_id)
