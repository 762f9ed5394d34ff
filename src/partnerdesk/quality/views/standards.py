"""Inspection standards and their parameters, and the switching states of partners under them."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from partnerdesk.audit.selectors import history_for
from partnerdesk.core.errors import ApplicationError
from partnerdesk.core.listing import build_list
from partnerdesk.core.views_helpers import render_list
from partnerdesk.finance.models import ItemCategory
from partnerdesk.quality import selectors
from partnerdesk.quality.choices import (
    Severity,
)
from partnerdesk.quality.engines import sampling
from partnerdesk.quality.filters import STANDARD_SORTS, StandardFilter
from partnerdesk.quality.forms import (
    ParameterForm,
    ResumeForm,
    StandardForm,
)
from partnerdesk.quality.services import inspection as service
from partnerdesk.quality.views.common import get_or_404, require, run


def _categories(user):
    return ItemCategory.objects.restrict(user).order_by("code")


def standard_list(request):
    user = request.user
    require(user, "quality.view_inspectionstandard")
    state = build_list(
        request,
        selectors.standard_list(user=user),
        filter_schema=StandardFilter,
        sorts=STANDARD_SORTS,
        default_sort="code",
    )
    context = {
        "list": state,
        "categories": [(c.pk, c.code) for c in _categories(user)],
        "activity": [("true", _("Active")), ("false", _("Inactive"))],
        "columns": [("code", _("Code")), ("name", _("Name")), ("item", _("Item"))],
    }
    return render_list(
        request, "quality/standard_list.html", "quality/_standard_table.html", context
    )


@require_http_methods(["GET", "POST"])
def standard_create(request):
    user = request.user
    require(user, "quality.add_inspectionstandard")
    form = StandardForm(request.POST or None, categories=_categories(user))
    if request.method == "POST":
        created = run(
            request,
            form,
            lambda data: service.standard_create(user=user, data=form.values()),
            success_message=_("Standard created; add its parameters."),
        )
        if created:
            return redirect("quality:standard_detail", created.pk)
    return render(
        request,
        "quality/form_page.html",
        {
            "form": form,
            "title": _("New inspection standard"),
            "cancel_url": reverse("quality:standard_list"),
        },
    )


def standard_detail(request, pk):
    user = request.user
    standard = get_or_404(selectors.standard_get, user=user, pk=pk)
    may_change = user.has_perm("quality.change_inspectionstandard")
    plans = []
    for lot_size in (50, 500, 5000):
        plan = sampling.plan(lot_size, standard.aql, standard.level, Severity.NORMAL)
        plans.append(plan)
    return render(
        request,
        "quality/standard_detail.html",
        {
            "standard": standard,
            "parameters": list(standard.parameters.all()),
            "may_change": may_change,
            "parameter_form": ParameterForm(defect_types=selectors.defect_types())
            if may_change
            else None,
            "plans": plans,
            "history": history_for(instance=standard, user=user),
        },
    )


@require_http_methods(["GET", "POST"])
def standard_edit(request, pk):
    user = request.user
    require(user, "quality.change_inspectionstandard")
    standard = get_or_404(selectors.standard_get, user=user, pk=pk, action="change")
    initial = {
        "name": standard.name,
        "item": standard.item,
        "category": standard.category_id,
        "level": standard.level,
        "aql": str(sampling.parse_aql(standard.aql)),
        "allow_reduced": standard.allow_reduced,
        "is_active": standard.is_active,
        "notes": standard.notes,
    }
    form = StandardForm(
        request.POST or None, categories=_categories(user), editing=True, initial=initial
    )
    if request.method == "POST":
        saved = run(
            request,
            form,
            lambda data: service.standard_update(user=user, standard=standard, data=form.values()),
            success_message=_("Standard saved."),
        )
        if saved:
            return redirect("quality:standard_detail", standard.pk)
    return render(
        request,
        "quality/form_page.html",
        {
            "form": form,
            "title": _("Edit %(code)s") % {"code": standard.code},
            "cancel_url": reverse("quality:standard_detail", args=[standard.pk]),
            "note": _("Lots already opened keep the plan they were opened with."),
        },
    )


@require_http_methods(["GET", "POST"])
def parameter_create(request, pk):
    user = request.user
    require(user, "quality.change_inspectionstandard")
    standard = get_or_404(selectors.standard_get, user=user, pk=pk, action="change")
    form = ParameterForm(request.POST or None, defect_types=selectors.defect_types())
    if request.method == "POST":
        added = run(
            request,
            form,
            lambda data: service.parameter_add(user=user, standard=standard, data=data),
            success_message=_("Parameter added."),
        )
        if added:
            return redirect("quality:standard_detail", standard.pk)
    return render(
        request,
        "quality/form_page.html",
        {
            "form": form,
            "title": _("New parameter of %(code)s") % {"code": standard.code},
            "cancel_url": reverse("quality:standard_detail", args=[standard.pk]),
        },
    )


@require_http_methods(["GET", "POST"])
def parameter_edit(request, pk):
    user = request.user
    require(user, "quality.change_inspectionstandard")
    parameter = get_or_404(selectors.parameter_get, user=user, pk=pk)
    fields = (
        "code",
        "name",
        "kind",
        "unit",
        "target",
        "lower_limit",
        "upper_limit",
        "plausible_min",
        "plausible_max",
    )
    initial = {name: getattr(parameter, name) for name in fields}
    initial["defect_type"] = parameter.defect_type_id
    form = ParameterForm(
        request.POST or None, defect_types=selectors.defect_types(), initial=initial
    )
    if request.method == "POST":
        saved = run(
            request,
            form,
            lambda data: service.parameter_update(user=user, parameter=parameter, data=data),
            success_message=_("Parameter saved."),
        )
        if saved:
            return redirect("quality:standard_detail", parameter.standard_id)
    return render(
        request,
        "quality/form_page.html",
        {
            "form": form,
            "title": _("Edit parameter %(name)s of %(code)s")
            % {"name": parameter.name, "code": parameter.standard.code},
            "cancel_url": reverse("quality:standard_detail", args=[parameter.standard_id]),
            "note": _(
                "Readings already taken keep their conformity; new limits apply to new readings."
            ),
        },
    )


@require_POST
def parameter_delete(request, pk):
    user = request.user
    require(user, "quality.change_inspectionstandard")
    parameter = get_or_404(selectors.parameter_get, user=user, pk=pk, action="delete")
    standard_id, name = parameter.standard_id, parameter.name
    try:
        service.parameter_delete(user=user, parameter=parameter)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Parameter “%(name)s” deleted.") % {"name": name})
    return redirect("quality:standard_detail", standard_id)


def _states_page(request, bound=None):
    user = request.user
    states = selectors.sampling_states(user=user).order_by("partner__code", "standard__code")
    page = Paginator(states, 50).get_page(request.GET.get("page"))
    may_resume = user.has_perm("quality.change_lotinspection")
    for state in page.object_list:
        state.recent_results = list(state.recent)
        if may_resume and state.severity == Severity.DISCONTINUED:
            state.form = (
                bound[1]
                if bound and bound[0] == state.pk
                else ResumeForm(auto_id=f"id_resume_{state.pk}_%s")
            )
    return {"page": page, "may_resume": may_resume}


def sampling_list(request):
    require(request.user, "quality.view_samplingstate")
    return render(request, "quality/sampling_list.html", _states_page(request))


@require_POST
def sampling_resume(request, pk):
    user = request.user
    require(user, "quality.change_lotinspection")
    state = get_or_404(selectors.sampling_state_get, user=user, pk=pk, action="view")
    form = ResumeForm(request.POST, auto_id=f"id_resume_{state.pk}_%s")
    resumed = run(
        request,
        form,
        lambda data: service.sampling_resume(user=user, state=state, reason=data["reason"]),
    )
    if resumed is None:
        return render(
            request,
            "quality/sampling_list.html",
            _states_page(request, bound=(state.pk, form)),
        )
    messages.success(
        request,
        _("Inspection resumed at tightened inspection for %(partner)s under %(code)s.")
        % {"partner": state.partner.code, "code": state.standard.code},
    )
    return redirect("quality:sampling_list")
