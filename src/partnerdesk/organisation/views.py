"""Organisation pages: people (with department and team) and departments with their teams."""

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from partnerdesk.core.listing import build_list
from partnerdesk.core.views_helpers import render_list
from partnerdesk.organisation import selectors
from partnerdesk.organisation.filters import PERSON_SORTS, PersonFilter
from partnerdesk.organisation.models import Department, Person


def person_list(request):
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
            "columns": [("name", _("Name")), ("department", _("Department")), ("team", _("Team"))],
        },
    )


def department_list(request):
    departments = selectors.department_list(user=request.user).prefetch_related(
        "teams__lead", "teams__members"
    )
    return render(request, "organisation/department_list.html", {"departments": departments})


def person_detail(request, pk):
    try:
        person = selectors.person_list(user=request.user).get(pk=pk)
    except Person.DoesNotExist as exc:
        raise Http404 from exc
    roles = person.partner_roles.select_related("partner")
    return render(
        request, "organisation/person_detail.html", {"person": person, "partner_roles": roles}
    )


__all__ = ["Department", "department_list", "person_detail", "person_list"]
