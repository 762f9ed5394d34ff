"""Plant set-up pages: the set-up index, production lines, dosing units, products and shifts
(lists with search, filters and sorting; create and edit forms). Product runs and the roster
are in ``plant_runs``."""

import datetime

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_http_methods

from partnerdesk.core.listing import build_list
from partnerdesk.core.views_helpers import render_list, save_form
from partnerdesk.regrind import filters_plant as filters, selectors_plant as selectors
from partnerdesk.regrind.forms_plant import LineForm, ProductForm, ShiftForm, UnitForm
from partnerdesk.regrind.services import plant as service

FORM_PAGE = "regrind/plant/form_page.html"
ACTIVITY = [("true", gettext_lazy("Active")), ("false", gettext_lazy("Inactive"))]

# (label, url name, permission, what it is for) of the set-up index
SECTIONS = [
    (
        gettext_lazy("Production lines"),
        "regrind:lines",
        "regrind.view_productionline",
        gettext_lazy("The lines, their managers, what runs on them and who is on shift."),
    ),
    (
        gettext_lazy("Dosing units"),
        "regrind:units",
        "regrind.view_dosingunit",
        gettext_lazy("The dosing machines of each line and the machine ids they report."),
    ),
    (
        gettext_lazy("Products"),
        "regrind:products",
        "regrind.view_regrindproduct",
        gettext_lazy("Regrind specifications (target, tolerance, maximum) and prices."),
    ),
    (
        gettext_lazy("Product runs"),
        "regrind:runs",
        "regrind.view_productrun",
        gettext_lazy("Which product runs on which line from when."),
    ),
    (
        gettext_lazy("Shifts"),
        "regrind:shifts",
        "regrind.view_shift",
        gettext_lazy("The shifts of the working day."),
    ),
    (
        gettext_lazy("Roster"),
        "regrind:roster",
        "regrind.view_shiftassignment",
        gettext_lazy("Which team is on shift on a line, day by day; generate a rotation."),
    ),
]


# --- helpers the plant pages share -------------------------------------------------------------


def get_or_404(selector, **kwargs):
    """Call a ``*_get`` selector; a row the user may not see (or act on) is a 404."""
    try:
        return selector(**kwargs)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc


def require(user, *perms: str) -> None:
    """A page or action the user may not use does not exist for them (404, like rows)."""
    if not all(user.has_perm(perm) for perm in perms):
        raise Http404


def form_page(request, form, *, title, cancel_url, call, saved, done, note=None):
    """Show ``form``; on POST run the service ``call`` and go to ``done(result)``."""
    if request.method == "POST":
        result = save_form(request, form, call, success_message=saved)
        if result is not None:
            return redirect(done(result))
    context = {"form": form, "title": title, "cancel_url": cancel_url, "note": note}
    return render(request, FORM_PAGE, context)


def _list(request, queryset, *, schema, sorts, default, name, columns, decorate=None, **extra):
    state = build_list(request, queryset, filter_schema=schema, sorts=sorts, default_sort=default)
    if decorate is not None:
        for row in state.items:
            decorate(row)
    context = {"list": state, "columns": columns, "activity": ACTIVITY, **extra}
    return render_list(
        request, f"regrind/plant/{name}_list.html", f"regrind/plant/_{name}_table.html", context
    )


# --- the set-up index --------------------------------------------------------------------------


def setup(request):
    user = request.user
    sections = [
        {"label": label, "url": reverse(url_name), "description": description}
        for label, url_name, perm, description in SECTIONS
        if user.has_perm(perm)
    ]
    if not sections:
        raise Http404
    return render(request, "regrind/plant/setup.html", {"sections": sections})


# --- production lines --------------------------------------------------------------------------


def line_list(request):
    user = request.user
    require(user, "regrind.view_productionline")
    return _list(
        request,
        selectors.line_list(user=user),
        schema=filters.ProductionLineFilter,
        sorts=filters.LINE_SORTS,
        default="code",
        name="line",
        columns=[
            ("code", _("Code")),
            ("name", _("Name")),
            ("manager", _("Line manager")),
            ("units", _("Units")),
        ],
    )


@require_http_methods(["GET", "POST"])
def line_create(request):
    user = request.user
    require(user, "regrind.add_productionline")
    form = LineForm(request.POST or None, people=selectors.people_choices(user=user))
    return form_page(
        request,
        form,
        title=_("New production line"),
        cancel_url=reverse("regrind:lines"),
        call=lambda data: service.line_create(user=user, data=data),
        saved=_("Line created; add its dosing units."),
        done=lambda line: reverse("regrind:lines"),
    )


@require_http_methods(["GET", "POST"])
def line_edit(request, pk):
    user = request.user
    require(user, "regrind.change_productionline")
    line = get_or_404(selectors.line_get, user=user, pk=pk, action="change")
    initial = {
        "name": line.name,
        "manager": line.manager_id,
        "is_active": line.is_active,
        "notes": line.notes,
    }
    form = LineForm(
        request.POST or None,
        people=selectors.people_choices(user=user),
        editing=True,
        initial=initial,
    )
    return form_page(
        request,
        form,
        title=_("Edit line %(code)s") % {"code": line.code},
        cancel_url=reverse("regrind:lines"),
        call=lambda data: service.line_update(user=user, line=line, data=data),
        saved=_("Line saved."),
        done=lambda saved: reverse("regrind:lines"),
    )


# --- dosing units ------------------------------------------------------------------------------


def unit_list(request):
    user = request.user
    require(user, "regrind.view_dosingunit")
    lines = selectors.line_choices(user=user, active_only=False)
    return _list(
        request,
        selectors.unit_list(user=user),
        schema=filters.DosingUnitFilter,
        sorts=filters.UNIT_SORTS,
        default="code",
        name="unit",
        columns=[("code", _("Machine id")), ("name", _("Name")), ("line", _("Line"))],
        lines=[(line.pk, line.code) for line in lines],
    )


@require_http_methods(["GET", "POST"])
def unit_create(request):
    user = request.user
    require(user, "regrind.add_dosingunit")
    form = UnitForm(
        request.POST or None,
        lines=selectors.line_choices(user=user),
        initial={"line": request.GET.get("line")},
    )
    return form_page(
        request,
        form,
        title=_("New dosing unit"),
        cancel_url=reverse("regrind:units"),
        call=lambda data: service.unit_create(user=user, data=data),
        saved=_("Dosing unit created."),
        done=lambda unit: reverse("regrind:units"),
    )


@require_http_methods(["GET", "POST"])
def unit_edit(request, pk):
    user = request.user
    require(user, "regrind.change_dosingunit")
    unit = get_or_404(selectors.unit_get, user=user, pk=pk, action="change")
    initial = {"line": unit.line_id, "name": unit.name, "is_active": unit.is_active}
    form = UnitForm(
        request.POST or None,
        lines=selectors.line_choices(user=user),
        editing=True,
        initial=initial,
    )
    return form_page(
        request,
        form,
        title=_("Edit dosing unit %(code)s") % {"code": unit.code},
        cancel_url=reverse("regrind:units"),
        call=lambda data: service.unit_update(user=user, unit=unit, data=data),
        saved=_("Dosing unit saved."),
        done=lambda saved: reverse("regrind:units"),
        note=_("Readings already stored keep the line they were stamped with."),
    )


# --- products ----------------------------------------------------------------------------------

PRODUCT_EDITABLE = (
    "name",
    "target_ratio",
    "tolerance",
    "max_ratio",
    "nominal_batch_kg",
    "currency",
    "virgin_price_per_kg",
    "regrind_price_per_kg",
    "risk_cost_per_kg",
    "is_active",
)


def product_list(request):
    user = request.user
    require(user, "regrind.view_regrindproduct")
    return _list(
        request,
        selectors.product_list(user=user),
        schema=filters.RegrindProductFilter,
        sorts=filters.PRODUCT_SORTS,
        default="code",
        name="product",
        columns=[
            ("code", _("Code")),
            ("name", _("Name")),
            ("target_ratio", _("Target (%)")),
        ],
    )


@require_http_methods(["GET", "POST"])
def product_create(request):
    user = request.user
    require(user, "regrind.add_regrindproduct")
    form = ProductForm(request.POST or None)
    return form_page(
        request,
        form,
        title=_("New product"),
        cancel_url=reverse("regrind:products"),
        call=lambda data: service.product_create(user=user, data=data),
        saved=_("Product created."),
        done=lambda product: reverse("regrind:products"),
    )


@require_http_methods(["GET", "POST"])
def product_edit(request, pk):
    user = request.user
    require(user, "regrind.change_regrindproduct")
    product = get_or_404(selectors.product_get, user=user, pk=pk, action="change")
    initial = {name: getattr(product, name) for name in PRODUCT_EDITABLE}
    form = ProductForm(request.POST or None, editing=True, initial=initial)
    return form_page(
        request,
        form,
        title=_("Edit product %(code)s") % {"code": product.code},
        cancel_url=reverse("regrind:products"),
        call=lambda data: service.product_update(user=user, product=product, data=data),
        saved=_("Product saved."),
        done=lambda saved: reverse("regrind:products"),
        note=_("A changed specification applies to readings stored from now on."),
    )


# --- shifts ------------------------------------------------------------------------------------


def _shift_end(shift) -> None:
    """The wall-clock end of a shift, and whether it is on the next day."""
    start = datetime.datetime.combine(datetime.date.min, shift.start_time)
    end = start + datetime.timedelta(hours=shift.hours)
    shift.end_time, shift.next_day = end.time(), end.date() > start.date()


def shift_list(request):
    user = request.user
    require(user, "regrind.view_shift")
    return _list(
        request,
        selectors.shift_list(user=user),
        schema=filters.ShiftFilter,
        sorts=filters.SHIFT_SORTS,
        default="start_time",
        name="shift",
        decorate=_shift_end,
        columns=[
            ("code", _("Code")),
            ("name", _("Name")),
            ("start_time", _("Starts at")),
            ("hours", _("Hours")),
        ],
    )


@require_http_methods(["GET", "POST"])
def shift_create(request):
    user = request.user
    require(user, "regrind.add_shift")
    form = ShiftForm(request.POST or None)
    return form_page(
        request,
        form,
        title=_("New shift"),
        cancel_url=reverse("regrind:shifts"),
        call=lambda data: service.shift_create(user=user, data=data),
        saved=_("Shift created."),
        done=lambda shift: reverse("regrind:shifts"),
    )


@require_http_methods(["GET", "POST"])
def shift_edit(request, pk):
    user = request.user
    require(user, "regrind.change_shift")
    shift = get_or_404(selectors.shift_get, user=user, pk=pk, action="change")
    initial = {"name": shift.name, "start_time": shift.start_time, "hours": shift.hours}
    form = ShiftForm(request.POST or None, editing=True, initial=initial)
    return form_page(
        request,
        form,
        title=_("Edit shift %(code)s") % {"code": shift.code},
        cancel_url=reverse("regrind:shifts"),
        call=lambda data: service.shift_update(user=user, shift=shift, data=data),
        saved=_("Shift saved."),
        done=lambda saved: reverse("regrind:shifts"),
        note=_("Assignments already on the roster keep their times."),
    )
