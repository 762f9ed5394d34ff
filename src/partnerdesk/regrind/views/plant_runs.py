"""Plant pages over time: the product runs of the lines (with the form that starts one) and
the roster, the teams on shift on a line for a week as a grid of days by shifts, with the
forms that generate a rotation and add or delete one assignment."""

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from partnerdesk.core.errors import ApplicationError
from partnerdesk.core.listing import build_list
from partnerdesk.core.views_helpers import render_list, save_form
from partnerdesk.regrind import filters_plant as filters, selectors_plant as selectors
from partnerdesk.regrind.forms_plant import AssignmentForm, RosterForm, RunStartForm
from partnerdesk.regrind.services import plant as service
from partnerdesk.regrind.views.plant import get_or_404, require

# --- product runs ------------------------------------------------------------------------------


def _runs_url(line_id) -> str:
    return f"{reverse('regrind:runs')}?{urlencode({'line': line_id})}"


@require_http_methods(["GET", "POST"])
def run_list(request):
    """The runs of the lines, newest first; who may start runs gets the start form (posted
    here)."""
    user = request.user
    require(user, "regrind.view_productrun")
    lines = list(selectors.line_choices(user=user, active_only=False))
    form = None
    if user.has_perm("regrind.add_productrun"):
        now = timezone.localtime(timezone.now(), selectors.company_tz())
        form = RunStartForm(
            request.POST or None,
            lines=selectors.line_choices(user=user),
            products=selectors.product_choices(user=user),
            initial={"line": request.GET.get("line"), "starts_at": now.replace(second=0)},
        )
    if request.method == "POST":
        if form is None:
            raise Http404
        started = save_form(
            request,
            form,
            lambda data: service.product_run_start(user=user, **data),
            success_message=_("Product run started."),
        )
        if started is not None:
            return redirect(_runs_url(started.line_id))
    state = build_list(
        request,
        selectors.run_list(user=user),
        filter_schema=filters.ProductRunFilter,
        sorts=filters.RUN_SORTS,
        default_sort="-starts_at",
    )
    context = {
        "list": state,
        "form": form,
        "lines": [(line.pk, line.code) for line in lines],
        "running_choices": [("true", _("Running")), ("false", _("Ended"))],
        "columns": [
            ("line", _("Line")),
            ("product", _("Product")),
            ("starts_at", _("Starts")),
            ("ends_at", _("Ends")),
        ],
    }
    return render_list(
        request, "regrind/plant/run_list.html", "regrind/plant/_run_table.html", context
    )


# --- the roster --------------------------------------------------------------------------------


def _int(value) -> int | None:
    value = str(value or "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


def _monday(value) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(str(value or ""))
    except ValueError:
        day = timezone.localtime(timezone.now(), selectors.company_tz()).date()
    return selectors.week_start(day)


def _roster_url(line_id, day: datetime.date) -> str:
    week = selectors.week_start(day).isoformat()
    return f"{reverse('regrind:roster')}?{urlencode({'line': line_id, 'week': week})}"


def _roster_page(request, *, line_id, monday, roster_form=None, add_form=None):
    user = request.user
    lines = list(selectors.line_choices(user=user, active_only=False))
    line = next((ln for ln in lines if ln.pk == line_id), None)
    if line is None:
        line = next((ln for ln in lines if ln.is_active), lines[0] if lines else None)
    shifts = list(selectors.shift_list(user=user))
    may_add = user.has_perm("regrind.add_shiftassignment")
    if may_add and line is not None and (roster_form is None or add_form is None):
        teams = list(selectors.team_choices(user=user))
        if roster_form is None:
            initial = {"start": monday, "end": monday + datetime.timedelta(days=6)}
            roster_form = RosterForm(teams=teams, shifts=shifts, initial=initial)
        if add_form is None:
            add_form = AssignmentForm(teams=teams, shifts=shifts, initial={"day": monday})
    days = (
        selectors.roster_week(user=user, line=line, monday=monday, shifts=shifts)
        if line is not None
        else []
    )
    context = {
        "line": line,
        "lines": lines,
        "shifts": shifts,
        "days": days,
        "monday": monday,
        "previous_week": monday - datetime.timedelta(days=7),
        "next_week": monday + datetime.timedelta(days=7),
        "roster_form": roster_form if may_add else None,
        "add_form": add_form if may_add else None,
        "may_delete": user.has_perm("regrind.delete_shiftassignment"),
        "tz_name": selectors.company_tz().key,
    }
    return render(request, "regrind/plant/roster.html", context)


@require_GET
def roster(request):
    require(request.user, "regrind.view_shiftassignment")
    return _roster_page(
        request, line_id=_int(request.GET.get("line")), monday=_monday(request.GET.get("week"))
    )


def _line_for_writing(request, line_pk):
    user = request.user
    require(user, "regrind.view_shiftassignment", "regrind.add_shiftassignment")
    return get_or_404(selectors.line_get, user=user, pk=line_pk)


@require_POST
def roster_generate(request, line_pk):
    user = request.user
    line = _line_for_writing(request, line_pk)
    teams = list(selectors.team_choices(user=user))
    shifts = list(selectors.shift_list(user=user))
    form = RosterForm(request.POST, teams=teams, shifts=shifts)
    count = save_form(
        request,
        form,
        lambda data: service.roster_generate(
            user=user,
            line=line,
            teams=form.teams(),
            shifts=data["shifts"],
            start=data["start"],
            end=data["end"],
            rotation_days=data["rotation_days"],
        ),
    )
    if count is not None:
        messages.success(
            request,
            ngettext("%(count)s assignment written.", "%(count)s assignments written.", count)
            % {"count": count},
        )
        return redirect(_roster_url(line.pk, form.cleaned_data["start"]))
    start = form.cleaned_data.get("start") if hasattr(form, "cleaned_data") else None
    monday = selectors.week_start(start) if start else _monday(request.GET.get("week"))
    return _roster_page(request, line_id=line.pk, monday=monday, roster_form=form)


@require_POST
def assignment_create(request, line_pk):
    user = request.user
    line = _line_for_writing(request, line_pk)
    teams = list(selectors.team_choices(user=user))
    shifts = list(selectors.shift_list(user=user))
    form = AssignmentForm(request.POST, teams=teams, shifts=shifts)
    added = save_form(
        request,
        form,
        lambda data: service.assignment_create(
            user=user, line=line, team=data["team"], shift=data["shift"], day=data["day"]
        ),
        success_message=_("Assignment added."),
    )
    if added is not None:
        local = timezone.localtime(added.starts_at, selectors.company_tz())
        return redirect(_roster_url(line.pk, local.date()))
    day = form.cleaned_data.get("day") if hasattr(form, "cleaned_data") else None
    monday = selectors.week_start(day) if day else _monday(request.GET.get("week"))
    return _roster_page(request, line_id=line.pk, monday=monday, add_form=form)


@require_POST
def assignment_delete(request, pk):
    user = request.user
    require(user, "regrind.delete_shiftassignment")
    assignment = get_or_404(selectors.assignment_get, user=user, pk=pk, action="delete")
    url = _roster_url(
        assignment.line_id,
        timezone.localtime(assignment.starts_at, selectors.company_tz()).date(),
    )
    try:
        service.assignment_delete(user=user, assignment=assignment)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Assignment deleted."))
    return redirect(url)
