"""The audit programme's pages: the audit list, planning an audit, its page (score, grade and
how they came about, findings, evidence, history), conducting it on a phone (one card per
question, saved one by one with HTMX or plain posts), closing and cancelling it, the printable
report, evidence files, and the recurring schedules."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from partnerdesk.audit.selectors import history_for
from partnerdesk.core.errors import ApplicationError
from partnerdesk.core.listing import build_list
from partnerdesk.core.permissions import can
from partnerdesk.core.views_helpers import render_list, save_form
from partnerdesk.quality import selectors
from partnerdesk.quality.choices import (
    AuditStatus,
    FindingGrade,
    NCSeverity,
)
from partnerdesk.quality.filters import AUDIT_SORTS, AuditFilter
from partnerdesk.quality.forms_audits import (
    AuditCancelForm,
    AuditCloseForm,
    AuditPlanForm,
)
from partnerdesk.quality.models import Audit, AuditSchedule, AuditTemplate, Nonconformance
from partnerdesk.quality.services import audits as services
from partnerdesk.quality.services.nonconformance import nc_from_audit_answer
from partnerdesk.quality.views.audit_common import (
    CONDUCT,
    OPEN_STATUSES,
    _actions,
    _active_templates,
    _auditors,
    _decorate,
    _get,
    _int,
    _partners,
    _progress,
    _sections,
    explanation,
)

# --- presenting answers ------------------------------------------------------------------------


# --- the list and planning ---------------------------------------------------------------------


def audit_list(request):
    user = request.user
    if not can(user, "view", Audit):
        raise Http404
    state = build_list(
        request,
        selectors.audit_list(user=user),
        filter_schema=AuditFilter,
        sorts=AUDIT_SORTS,
        default_sort="-planned_date",
    )
    internal = user.partner_id is None
    context = {
        "list": state,
        "partners": _partners(user) if internal else [],
        "templates": selectors.template_list(user=user).order_by("code") if internal else [],
        "auditors": _auditors() if internal else [],
        "statuses": AuditStatus.choices,
        "grades": [("A", "A"), ("B", "B"), ("C", "C")],
        "can_add": can(user, "add", Audit),
        "may_schedule": can(user, "view", AuditSchedule),
        "may_edit_templates": can(user, "view", AuditTemplate),
    }
    return render_list(
        request, "quality/audits/audit_list.html", "quality/audits/_audit_table.html", context
    )


@require_http_methods(["GET", "POST"])
def audit_create(request):
    user = request.user
    if not can(user, "add", Audit):
        raise Http404
    initial = {}
    if partner := _int(request.GET.get("partner")):
        initial["partner"] = partner
    form = AuditPlanForm(
        request.POST or None,
        partners=_partners(user),
        templates=_active_templates(user),
        auditors=_auditors(),
        initial=initial,
    )
    if request.method == "POST":
        audit = save_form(
            request,
            form,
            lambda data: services.audit_plan(
                user=user,
                partner=data["partner"],
                template=data["template"],
                planned_date=data["planned_date"],
                auditor=data["auditor"],
            ),
        )
        if audit:
            messages.success(
                request,
                _("Audit %(number)s planned for %(date)s.")
                % {"number": audit.number, "date": audit.planned_date.isoformat()},
            )
            return redirect("quality:audit_detail", audit.pk)
    return render(request, "quality/audits/audit_form.html", {"form": form})


# --- an audit's page ---------------------------------------------------------------------------


def _render_detail(request, audit, *, close_form=None, cancel_form=None):
    user = request.user
    answers = _decorate(selectors.audit_answers(user=user, audit=audit))
    actions = _actions(user, audit)
    return render(
        request,
        "quality/audits/audit_detail.html",
        {
            "audit": audit,
            "sections": _sections(answers),
            "progress": _progress(answers),
            "explanation": explanation(audit),
            "general_evidence": list(selectors.audit_general_evidence(user=user, audit=audit)),
            "ncs": [a for a in answers if a.nc is not None],
            "actions": actions,
            "close_form": close_form or (AuditCloseForm() if actions["close"] else None),
            "cancel_form": cancel_form or (AuditCancelForm() if actions["cancel"] else None),
            "history": history_for(instance=audit, user=user)
            if user.has_perm("audit.view_auditentry")
            else [],
        },
    )


def audit_detail(request, pk):
    audit = _get(selectors.audit_get, user=request.user, pk=pk)
    return _render_detail(request, audit)


def audit_report(request, pk):
    user = request.user
    audit = _get(selectors.audit_get, user=user, pk=pk)
    answers = _decorate(selectors.audit_answers(user=user, audit=audit))
    return render(
        request,
        "quality/audits/audit_report.html",
        {
            "audit": audit,
            "sections": _sections(answers),
            "progress": _progress(answers),
            "explanation": explanation(audit),
            "general_evidence": list(selectors.audit_general_evidence(user=user, audit=audit)),
            "ncs": [a for a in answers if a.nc is not None],
        },
    )


@require_POST
def audit_start(request, pk):
    user = request.user
    audit = _get(selectors.audit_get, user=user, pk=pk, action="change")
    try:
        services.audit_start(user=user, audit=audit)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("quality:audit_detail", audit.pk)
    return redirect("quality:audit_conduct", audit.pk)


@require_POST
def audit_close(request, pk):
    user = request.user
    audit = _get(selectors.audit_get, user=user, pk=pk, action="change")
    form = AuditCloseForm(request.POST)
    closed = save_form(
        request,
        form,
        lambda data: services.audit_close(user=user, audit=audit, summary=data["summary"]),
    )
    if closed:
        messages.success(
            request,
            _("Audit %(number)s closed: score %(score)s %%, grade %(grade)s.")
            % {
                "number": closed.number,
                "score": closed.score if closed.score is not None else "—",
                "grade": closed.grade or "—",
            },
        )
        return redirect("quality:audit_detail", closed.pk)
    if request.POST.get("from") == CONDUCT and audit.status in OPEN_STATUSES:
        from partnerdesk.quality.views.audit_conduct import _render_conduct

        return _render_conduct(request, audit, close_form=form)
    return _render_detail(request, audit, close_form=form)


@require_POST
def audit_cancel(request, pk):
    user = request.user
    audit = _get(selectors.audit_get, user=user, pk=pk, action="change")
    form = AuditCancelForm(request.POST)
    cancelled = save_form(
        request,
        form,
        lambda data: services.audit_cancel(user=user, audit=audit, reason=data["reason"]),
        success_message=_("Audit %(number)s cancelled.") % {"number": audit.number},
    )
    if cancelled:
        return redirect("quality:audit_detail", audit.pk)
    return _render_detail(request, audit, cancel_form=form)


@require_POST
def answer_nc(request, pk):
    """Open a nonconformance for a minor finding of a closed audit (each major finding has one
    from the closing)."""
    user = request.user
    if not can(user, "add", Nonconformance):
        raise Http404
    answer = _get(selectors.answer_get, user=user, pk=pk, action="view")
    audit = answer.audit
    target = reverse("quality:audit_detail", args=[audit.pk]) + f"#answer-{answer.pk}"
    if audit.status != AuditStatus.CLOSED:
        messages.error(request, _("Findings are final once the audit is closed; close it first."))
        return redirect(target)
    if answer.finding != FindingGrade.MINOR:
        messages.error(
            request,
            _("A nonconformance is opened by hand for a minor finding; this answer is “%(f)s”.")
            % {"f": answer.get_finding_display() or _("not graded")},
        )
        return redirect(target)
    try:
        nc = nc_from_audit_answer(user=user, answer=answer, severity=NCSeverity.MINOR)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Nonconformance %(number)s opened.") % {"number": nc.number})
    return redirect(target)


# --- conducting --------------------------------------------------------------------------------


# --- schedules ---------------------------------------------------------------------------------
