"""The checklist-template editor: templates, their sections and questions. Audits already
planned keep their own copy of the questions, so editing a template changes only the audits
planned after it."""

import copy

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from partnerdesk.audit.selectors import history_for
from partnerdesk.core.errors import ApplicationError
from partnerdesk.core.listing import build_list
from partnerdesk.core.permissions import can
from partnerdesk.core.views_helpers import render_list, save_form
from partnerdesk.quality import selectors
from partnerdesk.quality.choices import QuestionKind
from partnerdesk.quality.filters import TEMPLATE_SORTS, TemplateFilter
from partnerdesk.quality.forms_audits import QuestionForm, SectionForm, TemplateForm
from partnerdesk.quality.models import AuditTemplate
from partnerdesk.quality.services import audits as services
from partnerdesk.quality.views.audit_common import limits_text


def _get(selector, **kwargs):
    """Call a ``*_get`` selector; a row the user may not see (or act on) is a 404."""
    try:
        return selector(**kwargs)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc


def _may_edit(user) -> bool:
    return can(user, "change", AuditTemplate)


def _require_edit(user) -> None:
    if not _may_edit(user):
        raise Http404


def _detail_url(template_pk: int, anchor: str = "") -> str:
    url = reverse("quality:template_detail", args=[template_pk])
    return f"{url}#{anchor}" if anchor else url


# --- templates ---------------------------------------------------------------------------------


def template_list(request):
    user = request.user
    if not can(user, "view", AuditTemplate):
        raise Http404
    state = build_list(
        request,
        selectors.template_list(user=user),
        filter_schema=TemplateFilter,
        sorts=TEMPLATE_SORTS,
        default_sort="code",
    )
    return render_list(
        request,
        "quality/templates/template_list.html",
        "quality/templates/_template_table.html",
        {"list": state, "can_add": can(user, "add", AuditTemplate)},
    )


@require_http_methods(["GET", "POST"])
def template_create(request):
    user = request.user
    if not can(user, "add", AuditTemplate):
        raise Http404
    form = TemplateForm(request.POST or None)
    if request.method == "POST":
        created = save_form(
            request,
            form,
            lambda data: services.template_create(user=user, data=form.values()),
            success_message=_("Checklist template created; add its sections and questions."),
        )
        if created:
            return redirect("quality:template_detail", created.pk)
    return render(request, "quality/templates/template_form.html", {"form": form, "template": None})


def template_detail(request, pk):
    user = request.user
    template = _get(selectors.template_get, user=user, pk=pk)
    may_edit = _may_edit(user)
    sections = list(template.sections.all())
    for section in sections:
        for question in section.questions.all():
            question.limits = limits_text(question) if question.kind == QuestionKind.NUMERIC else ""
    return render(
        request,
        "quality/templates/template_detail.html",
        {
            "template": template,
            "sections": sections,
            "question_count": sum(len(s.questions.all()) for s in sections),
            "may_edit": may_edit,
            "section_form": SectionForm(auto_id="id_new_section_%s") if may_edit else None,
            "history": history_for(instance=template, user=user)
            if user.has_perm("audit.view_auditentry")
            else [],
        },
    )


@require_http_methods(["GET", "POST"])
def template_edit(request, pk):
    user = request.user
    template = _get(selectors.template_get, user=user, pk=pk, action="change")
    form = TemplateForm(request.POST or None, instance=copy.copy(template))
    if request.method == "POST":
        updated = save_form(
            request,
            form,
            lambda data: services.template_update(user=user, template=template, data=form.values()),
            success_message=_("Checklist template saved."),
        )
        if updated:
            return redirect("quality:template_detail", template.pk)
    return render(
        request, "quality/templates/template_form.html", {"form": form, "template": template}
    )


# --- sections ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def section_create(request, pk):
    user = request.user
    _require_edit(user)
    template = _get(selectors.template_get, user=user, pk=pk, action="change")
    form = SectionForm(request.POST or None)
    if request.method == "POST":
        section = save_form(
            request,
            form,
            lambda data: services.section_add(user=user, template=template, data=form.values()),
            success_message=_("Section added."),
        )
        if section:
            return redirect(_detail_url(template.pk, f"section-{section.pk}"))
    return render(
        request,
        "quality/templates/section_form.html",
        {"form": form, "template": template, "section": None},
    )


@require_http_methods(["GET", "POST"])
def section_edit(request, pk):
    user = request.user
    _require_edit(user)
    section = _get(selectors.section_get, user=user, pk=pk, action="change")
    form = SectionForm(request.POST or None, instance=copy.copy(section))
    if request.method == "POST":
        updated = save_form(
            request,
            form,
            lambda data: services.section_update(user=user, section=section, data=form.values()),
            success_message=_("Section saved."),
        )
        if updated:
            return redirect(_detail_url(section.template_id, f"section-{section.pk}"))
    return render(
        request,
        "quality/templates/section_form.html",
        {"form": form, "template": section.template, "section": section},
    )


@require_http_methods(["GET", "POST"])
def section_delete(request, pk):
    user = request.user
    _require_edit(user)
    section = _get(selectors.section_get, user=user, pk=pk, action="delete")
    template_pk = section.template_id
    error = None
    if request.method == "POST":
        try:
            services.section_delete(user=user, section=section)
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, _("Section “%(title)s” removed.") % {"title": section.title})
            return redirect("quality:template_detail", template_pk)
    return render(
        request,
        "quality/templates/confirm_delete.html",
        {
            "object": section,
            "what": _("section"),
            "question_count": section.questions.count(),
            "cancel_url": _detail_url(template_pk, f"section-{section.pk}"),
            "error": error,
        },
    )


# --- questions ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def question_create(request, pk):
    user = request.user
    _require_edit(user)
    section = _get(selectors.section_get, user=user, pk=pk, action="change")
    form = QuestionForm(request.POST or None)
    if request.method == "POST":
        question = save_form(
            request,
            form,
            lambda data: services.question_add(user=user, section=section, data=form.values()),
            success_message=_("Question added."),
        )
        if question:
            if "add_another" in request.POST:
                return redirect("quality:question_create", section.pk)
            return redirect(_detail_url(section.template_id, f"question-{question.pk}"))
    return render(
        request,
        "quality/templates/question_form.html",
        {"form": form, "section": section, "template": section.template, "question": None},
    )


@require_http_methods(["GET", "POST"])
def question_edit(request, pk):
    user = request.user
    _require_edit(user)
    question = _get(selectors.question_get, user=user, pk=pk, action="change")
    form = QuestionForm(request.POST or None, instance=copy.copy(question))
    if request.method == "POST":
        updated = save_form(
            request,
            form,
            lambda data: services.question_update(user=user, question=question, data=form.values()),
            success_message=_("Question saved."),
        )
        if updated:
            return redirect(_detail_url(question.section.template_id, f"question-{question.pk}"))
    return render(
        request,
        "quality/templates/question_form.html",
        {
            "form": form,
            "section": question.section,
            "template": question.section.template,
            "question": question,
        },
    )


@require_http_methods(["GET", "POST"])
def question_delete(request, pk):
    user = request.user
    _require_edit(user)
    question = _get(selectors.question_get, user=user, pk=pk, action="delete")
    template_pk = question.section.template_id
    error = None
    if request.method == "POST":
        try:
            services.question_delete(user=user, question=question)
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, _("Question removed."))
            return redirect(_detail_url(template_pk, f"section-{question.section_id}"))
    return render(
        request,
        "quality/templates/confirm_delete.html",
        {
            "object": question,
            "what": _("question"),
            "question_count": None,
            "cancel_url": _detail_url(template_pk, f"question-{question.pk}"),
            "error": error,
        },
    )
