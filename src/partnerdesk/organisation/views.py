"""Organisation pages: people, departments with their teams, and their forms."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from partnerdesk.audit.selectors import history_for
from partnerdesk.core.listing import build_list
from partnerdesk.core.permissions import can
from partnerdesk.core.views_helpers import render_list, save_form
from partnerdesk.organisation import selectors, services
from partnerdesk.organisation.filters import PERSON_SORTS, PersonFilter
from partnerdesk.organisation.forms import DepartmentForm, PersonForm, TeamForm
from partnerdesk.organisation.models import Department, Person, Team


def person_list(request):
    if not can(request.user, "view", Person):
        raise Http404
    state = build_list(
        request,
        selectors.person_list(user=request.user),
        filter_schema=PersonFilter,
        sorts=PERSON_SORTS,
        default_sort="name",
    )
    return render_list(
        request,
        "organisation/person_list.html",
        "organisation/_person_table.html",
        {
            "list": state,
            "departments": selectors.department_list(user=request.user),
            "can_add": can(request.user, "add", Person),
            "columns": [("name", _("Name")), ("department", _("Department")), ("team", _("Team"))],
        },
    )


def department_list(request):
    if not can(request.user, "view", Department):
        raise Http404
    departments = selectors.department_list(user=request.user).prefetch_related(
        "teams__lead", "teams__members"
    )
    return render(
        request,
        "organisation/department_list.html",
        {
            "departments": departments,
            "can_add_team": can(request.user, "add", Team),
            "can_change_team": can(request.user, "change", Team),
            "can_change_department": can(request.user, "change", Department),
        },
    )


def _get(request, model, pk, action="view"):
    try:
        return model.objects.restrict(request.user, action).get(pk=pk)
    except model.DoesNotExist as exc:
        raise Http404 from exc


def person_detail(request, pk):
    person = _get(request, Person, pk)
    roles = person.partner_roles.select_related("partner")
    return render(
        request,
        "organisation/person_detail.html",
        {
            "person": person,
            "partner_roles": roles,
            "history": history_for(instance=person, user=request.user),
            "can_edit": can(request.user, "change", Person),
        },
    )


def _form_page(request, *, form, call, title, done, cancel):
    if request.method == "POST" and save_form(request, form, call, success_message=_("Saved.")):
        return redirect(done() if callable(done) else done)
    return render(
        request, "organisation/form.html", {"form": form, "title": title, "cancel_url": cancel}
    )


@require_http_methods(["GET", "POST"])
def person_create(request):
    if not can(request.user, "add", Person):
        raise Http404
    form = PersonForm(request.POST or None)
    created = {}

    def call(data):
        created["person"] = services.person_create(user=request.user, data=data)
        return created["person"]

    return _form_page(
        request,
        form=form,
        call=call,
        title=_("New person"),
        done=lambda: reverse("organisation:person", args=[created["person"].pk]),
        cancel=reverse("organisation:people"),
    )


@require_http_methods(["GET", "POST"])
def person_edit(request, pk):
    person = _get(request, Person, pk, "change")
    form = PersonForm(request.POST or None, instance=person)
    return _form_page(
        request,
        form=form,
        title=person.full_name,
        call=lambda data: services.person_update(user=request.user, person=person, data=data),
        done=reverse("organisation:person", args=[person.pk]),
        cancel=reverse("organisation:person", args=[person.pk]),
    )


@require_http_methods(["GET", "POST"])
def team_create(request):
    if not can(request.user, "add", Team):
        raise Http404
    form = TeamForm(request.POST or None)
    return _form_page(
        request,
        form=form,
        title=_("New team"),
        call=lambda data: services.team_create(user=request.user, data=data),
        done=reverse("organisation:departments"),
        cancel=reverse("organisation:departments"),
    )


@require_http_methods(["GET", "POST"])
def team_edit(request, pk):
    team = _get(request, Team, pk, "change")
    form = TeamForm(request.POST or None, instance=team)
    return _form_page(
        request,
        form=form,
        title=team.name,
        call=lambda data: services.team_update(user=request.user, team=team, data=data),
        done=reverse("organisation:departments"),
        cancel=reverse("organisation:departments"),
    )


@require_http_methods(["GET", "POST"])
def department_edit(request, pk):
    department = _get(request, Department, pk, "change")
    form = DepartmentForm(request.POST or None, instance=department)
    return _form_page(
        request,
        form=form,
        title=department.name,
        call=lambda data: services.department_update(
            user=request.user, department=department, data=data
        ),
        done=reverse("organisation:departments"),
        cancel=reverse("organisation:departments"),
    )
