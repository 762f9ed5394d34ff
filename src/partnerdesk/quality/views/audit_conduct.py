"""Conducting an audit on a phone: the question cards, saving an answer, evidence files."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partnerdesk.core.errors import ApplicationError
from partnerdesk.core.permissions import can
from partnerdesk.core.views_helpers import save_form
from partnerdesk.quality import selectors
from partnerdesk.quality.forms_audits import (
    AnswerForm,
    AuditCloseForm,
    EvidenceForm,
)
from partnerdesk.quality.models import Audit
from partnerdesk.quality.services import audits as services
from partnerdesk.quality.views.audit_common import (
    OPEN_STATUSES,
    _decorate,
    _get,
    _int,
    _is_htmx,
    _place_errors,
    _progress,
    _sections,
)


def _render_conduct(
    request, audit, *, bound=None, evidence=None, close_form=None, general_form=None
):
    user = request.user
    answers = _decorate(
        selectors.audit_answers(user=user, audit=audit),
        with_forms=True,
        bound=bound,
        evidence=evidence,
    )
    return render(
        request,
        "quality/audits/audit_conduct.html",
        {
            "audit": audit,
            "sections": _sections(answers),
            "progress": _progress(answers),
            "general_evidence": list(selectors.audit_general_evidence(user=user, audit=audit)),
            "general_form": general_form or EvidenceForm(auto_id="id_general_%s"),
            "close_form": close_form or AuditCloseForm(),
        },
    )


def audit_conduct(request, pk):
    """The phone page to conduct an audit: one card per question, grouped by section."""
    audit = _get(selectors.audit_get, user=request.user, pk=pk, action="change")
    if audit.status not in OPEN_STATUSES:
        messages.info(
            request,
            _("Audit %(number)s is %(status)s; it is no longer conducted.")
            % {"number": audit.number, "status": audit.get_status_display()},
        )
        return redirect("quality:audit_detail", audit.pk)
    return _render_conduct(request, audit)


def _card(request, audit, answer_pk, *, form=None, evidence_form=None, saved=False):
    """The HTMX answer: one re-rendered question card, and the progress bar out of band."""
    answers = _decorate(
        selectors.audit_answers(user=request.user, audit=audit),
        with_forms=True,
        bound={answer_pk: form} if form is not None else None,
        evidence={answer_pk: evidence_form} if evidence_form is not None else None,
    )
    answer = next((a for a in answers if a.pk == answer_pk), None)
    if answer is None:
        raise Http404
    return render(
        request,
        "quality/audits/_answer_card_response.html",
        {"audit": audit, "answer": answer, "progress": _progress(answers), "saved": saved},
    )


@require_POST
def answer_save(request, pk):
    """Record the answer to one question (HTMX: answers with the card; else goes back)."""
    user = request.user
    answer = _get(selectors.answer_get, user=user, pk=pk, action="change")
    audit = answer.audit
    if not can(user, "change", Audit):
        raise Http404
    form = AnswerForm(request.POST, answer=answer)
    saved = False
    if form.is_valid():
        try:
            services.answer_record(user=user, answer=answer, data=form.service_data())
        except ApplicationError as exc:
            _place_errors(form, exc, form.field_for)
        else:
            saved = True
    if _is_htmx(request):
        return _card(request, audit, answer.pk, form=None if saved else form, saved=saved)
    if saved:
        messages.success(request, _("Question %(n)s saved.") % {"n": answer.position})
        return redirect(reverse("quality:audit_conduct", args=[audit.pk]) + f"#answer-{pk}")
    audit.refresh_from_db()
    if audit.status not in OPEN_STATUSES:
        # Closed or cancelled meanwhile: its page says so; the answer stays as it was.
        messages.error(request, " ".join(form.non_field_errors()) or _("Nothing was saved."))
        return redirect("quality:audit_detail", audit.pk)
    return _render_conduct(request, audit, bound={answer.pk: form})


@require_POST
def evidence_upload(request, pk):
    """Attach a photo or file to the audit, or to one of its questions (``answer``)."""
    user = request.user
    audit = _get(selectors.audit_get, user=user, pk=pk, action="change")
    form = EvidenceForm(request.POST, request.FILES)
    answer = None
    answer_pk = _int(request.POST.get("answer"))
    if answer_pk:
        answer = _get(selectors.answer_get, user=user, pk=answer_pk, action="change")
        if answer.audit_id != audit.pk:
            raise Http404
        form = EvidenceForm(request.POST, request.FILES, auto_id=f"id_e{answer.pk}_%s")
    added = save_form(
        request,
        form,
        lambda data: services.evidence_add(
            user=user,
            audit=audit,
            uploaded_file=data["file"],
            answer=answer,
            caption=data["caption"],
        ),
    )
    if _is_htmx(request):
        if answer is not None:
            return _card(request, audit, answer.pk, evidence_form=None if added else form)
        return _general_evidence(request, audit, form=None if added else form)
    if added:
        messages.success(request, _("“%(name)s” attached.") % {"name": added.original_name})
        anchor = f"#answer-{answer.pk}" if answer else "#evidence"
        return redirect(reverse("quality:audit_conduct", args=[audit.pk]) + anchor)
    audit.refresh_from_db()
    if audit.status not in OPEN_STATUSES:
        return redirect("quality:audit_detail", audit.pk)
    if answer is not None:
        return _render_conduct(request, audit, evidence={answer.pk: form})
    return _render_conduct(request, audit, general_form=form)


def _general_evidence(request, audit, *, form=None):
    return render(
        request,
        "quality/audits/_general_evidence.html",
        {
            "audit": audit,
            "general_evidence": list(
                selectors.audit_general_evidence(user=request.user, audit=audit)
            ),
            "general_form": form or EvidenceForm(auto_id="id_general_%s"),
            "conducting": True,
        },
    )


def evidence_file(request, pk):
    """Stream an evidence file to whoever may see its audit: photos inline (thumbnails),
    anything else (or ``?download``) as a download."""
    evidence = _get(selectors.evidence_get, user=request.user, pk=pk)
    inline = evidence.content_type.startswith("image/") and "download" not in request.GET
    try:
        handle = evidence.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_POST
def evidence_delete(request, pk):
    user = request.user
    evidence = _get(selectors.evidence_get, user=user, pk=pk)
    if not can(user, "change", Audit):
        raise Http404
    audit, answer_pk = evidence.audit, evidence.answer_id
    name = evidence.original_name
    try:
        services.evidence_delete(user=user, evidence=evidence)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("quality:audit_detail", audit.pk)
    if _is_htmx(request):
        if answer_pk:
            return _card(request, audit, answer_pk)
        return _general_evidence(request, audit)
    messages.success(request, _("“%(name)s” removed.") % {"name": name})
    anchor = f"#answer-{answer_pk}" if answer_pk else "#evidence"
    return redirect(reverse("quality:audit_conduct", args=[audit.pk]) + anchor)
