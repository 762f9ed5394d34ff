"""Audit schedules: recurring audits per partner and template."""

import copy

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from partnerdesk.core.listing import build_list
from partnerdesk.core.permissions import can
from partnerdesk.core.views_helpers import render_list, save_form
from partnerdesk.quality import selectors
from partnerdesk.quality.choices import (
    AuditFrequency,
)
from partnerdesk.quality.filters import SCHEDULE_SORTS, ScheduleFilter
from partnerdesk.quality.forms_audits import (
    ScheduleEditForm,
    ScheduleForm,
)
from partnerdesk.quality.models import AuditSchedule
from partnerdesk.quality.services import audits as services
from partnerdesk.quality.views.audit_common import (
    _active_templates,
    _auditors,
    _get,
    _partners,
)


def schedule_list(request):
    user = request.user
    if not can(user, "view", AuditSchedule):
        raise Http404
    state = build_list(
        request,
        selectors.schedule_list(user=user),
        filter_schema=ScheduleFilter,
        sorts=SCHEDULE_SORTS,
        default_sort="next_due",
    )
    context = {
        "list": state,
        "partners": _partners(user),
        "templates": selectors.template_list(user=user).order_by("code"),
        "can_add": can(user, "add", AuditSchedule),
        "can_change": can(user, "change", AuditSchedule),
        "frequencies": AuditFrequency.choices,
    }
    return render_list(
        request,
        "quality/audits/schedule_list.html",
        "quality/audits/_schedule_table.html",
        context,
    )


@require_http_methods(["GET", "POST"])
def schedule_create(request):
    user = request.user
    if not can(user, "add", AuditSchedule):
        raise Http404
    form = ScheduleForm(
        request.POST or None,
        partners=_partners(user),
        templates=_active_templates(user),
        auditors=_auditors(),
        initial={"frequency": AuditFrequency.MONTHLY, "lead_days": 14},
    )
    if request.method == "POST":
        created = save_form(
            request,
            form,
            lambda data: services.schedule_create(user=user, data=form.values()),
            success_message=_("Audit schedule created."),
        )
        if created:
            return redirect("quality:schedule_list")
    return render(request, "quality/audits/schedule_form.html", {"form": form, "schedule": None})


@require_http_methods(["GET", "POST"])
def schedule_edit(request, pk):
    user = request.user
    schedule = _get(selectors.schedule_get, user=user, pk=pk, action="change")
    form = ScheduleEditForm(
        request.POST or None, instance=copy.copy(schedule), auditors=_auditors()
    )
    if request.method == "POST":
        updated = save_form(
            request,
            form,
            lambda data: services.schedule_update(user=user, schedule=schedule, data=form.values()),
            success_message=_("Audit schedule saved."),
        )
        if updated:
            return redirect("quality:schedule_list")
    return render(
        request, "quality/audits/schedule_form.html", {"form": form, "schedule": schedule}
    )
