"""Regrind API, plant set-up: production lines, dosing units, products, product runs, shifts,
shift assignments and roster generation (under ``/api/v1/regrind/``).

Reads go through ``restrict(user, action)``: a row the user may not see is a 404, and a PATCH
or DELETE of a row the user may not change is a 404 too. Creating without the permission is a
403 (checked before the ids in the body are looked up); an id in a body naming a row the user
may not see is a 422 on that field. Partner users see none of the plant.
"""

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from partnerdesk.core.errors import InvalidInput
from partnerdesk.core.listing import ApiPagination, apply_sort
from partnerdesk.core.services import require_perm
from partnerdesk.regrind import filters_plant as lists, selectors_plant as selectors
from partnerdesk.regrind.schemas_plant import (
    DosingUnitIn,
    DosingUnitOut,
    DosingUnitPatch,
    ProductionLineIn,
    ProductionLineOut,
    ProductionLinePatch,
    ProductRunIn,
    ProductRunOut,
    RegrindProductIn,
    RegrindProductOut,
    RegrindProductPatch,
    RosterGenerateIn,
    RosterGenerateOut,
    ShiftAssignmentIn,
    ShiftAssignmentOut,
    ShiftIn,
    ShiftOut,
    ShiftPatch,
)
from partnerdesk.regrind.services import plant as service

router = Router(tags=["regrind"])

ERRORS = {400: dict, 401: dict, 403: dict, 404: dict, 409: dict, 422: dict}


def _named(queryset: QuerySet, field: str, pk: int | None, message: str):
    """The row a body names, or a 422 on that field (a row the user may not see reads the
    same as a missing one). None stays None."""
    if pk is None:
        return None
    row = queryset.filter(pk=pk).first()
    if row is None:
        raise InvalidInput(message, fields={field: [message]})
    return row


def _line_ref(user, pk):
    return _named(
        selectors.line_choices(user=user, active_only=False), "line", pk, _("Unknown line.")
    )


def _changes(payload) -> dict:
    return payload.dict(exclude_unset=True)


# --- lines -------------------------------------------------------------------------------------


def _manager_ref(user, data: dict) -> dict:
    if "manager" in data:
        data["manager"] = _named(
            selectors.people_choices(user=user), "manager", data["manager"], _("Unknown person.")
        )
    return data


@router.get("/lines", response={200: list[ProductionLineOut], **ERRORS}, summary="List lines")
@paginate(ApiPagination)
def list_lines(request, filters: Query[lists.ProductionLineFilter], sort: str | None = None):
    """With the number of dosing units, the product running now and the team on shift now."""
    qs = filters.filter(selectors.line_list(user=request.user))
    return apply_sort(qs, sort, lists.LINE_SORTS, "code")[0]


@router.post("/lines", response={201: ProductionLineOut, **ERRORS}, summary="Create a line")
def create_line(request, payload: ProductionLineIn):
    user = request.user
    require_perm(user, "regrind.add_productionline")
    line = service.line_create(user=user, data=_manager_ref(user, payload.dict()))
    return Status(201, selectors.line_get(user=user, pk=line.pk))


@router.get("/lines/{int:line_id}", response={200: ProductionLineOut, **ERRORS}, summary="A line")
def get_line(request, line_id: int):
    return selectors.line_get(user=request.user, pk=line_id)


@router.patch(
    "/lines/{int:line_id}", response={200: ProductionLineOut, **ERRORS}, summary="Change a line"
)
def update_line(request, line_id: int, payload: ProductionLinePatch):
    """The code is set once."""
    user = request.user
    line = selectors.line_get(user=user, pk=line_id, action="change")
    service.line_update(user=user, line=line, data=_manager_ref(user, _changes(payload)))
    return selectors.line_get(user=user, pk=line_id)


@router.post(
    "/lines/{int:line_id}/roster",
    response={201: RosterGenerateOut, **ERRORS},
    summary="Generate the roster of a line",
)
def generate_roster(request, line_id: int, payload: RosterGenerateIn):
    """Every day from ``start`` to ``end`` and every shift gets a team. Shifts are taken by
    start time; the first team takes the first shift in the first period, and every
    ``rotation_days`` days each team moves on to the next shift. Slots overlapping an
    assignment already there are skipped. Answers how many assignments were written."""
    user = request.user
    line = selectors.line_get(user=user, pk=line_id)
    require_perm(user, "regrind.add_shiftassignment")
    teams = {t.pk: t for t in selectors.team_choices(user=user).filter(pk__in=payload.teams)}
    shifts = {s.pk: s for s in selectors.shift_list(user=user).filter(pk__in=payload.shifts)}
    unknown = {}
    if any(pk not in teams for pk in payload.teams):
        unknown["teams"] = [_("Unknown team.")]
    if any(pk not in shifts for pk in payload.shifts):
        unknown["shifts"] = [_("Unknown shift.")]
    if unknown:
        raise InvalidInput(next(iter(unknown.values()))[0], fields=unknown)
    created = service.roster_generate(
        user=user,
        line=line,
        teams=[teams[pk] for pk in payload.teams],
        shifts=[shifts[pk] for pk in payload.shifts],
        start=payload.start,
        end=payload.end,
        rotation_days=payload.rotation_days,
    )
    return Status(201, {"created": created})


# --- dosing units ------------------------------------------------------------------------------


def _unit_refs(user, data: dict) -> dict:
    if "line" in data:
        data["line"] = _line_ref(user, data["line"])
    return data


@router.get("/units", response={200: list[DosingUnitOut], **ERRORS}, summary="List dosing units")
@paginate(ApiPagination)
def list_units(request, filters: Query[lists.DosingUnitFilter], sort: str | None = None):
    qs = filters.filter(selectors.unit_list(user=request.user))
    return apply_sort(qs, sort, lists.UNIT_SORTS, "code")[0]


@router.post("/units", response={201: DosingUnitOut, **ERRORS}, summary="Create a dosing unit")
def create_unit(request, payload: DosingUnitIn):
    user = request.user
    require_perm(user, "regrind.add_dosingunit")
    unit = service.unit_create(user=user, data=_unit_refs(user, payload.dict()))
    return Status(201, selectors.unit_get(user=user, pk=unit.pk))


@router.get(
    "/units/{int:unit_id}", response={200: DosingUnitOut, **ERRORS}, summary="A dosing unit"
)
def get_unit(request, unit_id: int):
    return selectors.unit_get(user=request.user, pk=unit_id)


@router.patch(
    "/units/{int:unit_id}",
    response={200: DosingUnitOut, **ERRORS},
    summary="Change a dosing unit",
)
def update_unit(request, unit_id: int, payload: DosingUnitPatch):
    """The machine id is set once; a unit may move to another line."""
    user = request.user
    unit = selectors.unit_get(user=user, pk=unit_id, action="change")
    service.unit_update(user=user, unit=unit, data=_unit_refs(user, _changes(payload)))
    return selectors.unit_get(user=user, pk=unit_id)


# --- products ----------------------------------------------------------------------------------


@router.get("/products", response={200: list[RegrindProductOut], **ERRORS}, summary="List products")
@paginate(ApiPagination)
def list_products(request, filters: Query[lists.RegrindProductFilter], sort: str | None = None):
    qs = filters.filter(selectors.product_list(user=request.user))
    return apply_sort(qs, sort, lists.PRODUCT_SORTS, "code")[0]


@router.post("/products", response={201: RegrindProductOut, **ERRORS}, summary="Create a product")
def create_product(request, payload: RegrindProductIn):
    """Prices are in ``currency``, the company's default currency when it is left out."""
    product = service.product_create(user=request.user, data=payload.dict())
    return Status(201, selectors.product_get(user=request.user, pk=product.pk))


@router.get(
    "/products/{int:product_id}", response={200: RegrindProductOut, **ERRORS}, summary="A product"
)
def get_product(request, product_id: int):
    return selectors.product_get(user=request.user, pk=product_id)


@router.patch(
    "/products/{int:product_id}",
    response={200: RegrindProductOut, **ERRORS},
    summary="Change a product",
)
def update_product(request, product_id: int, payload: RegrindProductPatch):
    """A changed specification applies to readings stored from then on."""
    user = request.user
    product = selectors.product_get(user=user, pk=product_id, action="change")
    service.product_update(user=user, product=product, data=_changes(payload))
    return selectors.product_get(user=user, pk=product_id)


# --- product runs ------------------------------------------------------------------------------


@router.get("/runs", response={200: list[ProductRunOut], **ERRORS}, summary="List product runs")
@paginate(ApiPagination)
def list_runs(request, filters: Query[lists.ProductRunFilter], sort: str | None = None):
    qs = filters.filter(selectors.run_list(user=request.user))
    return apply_sort(qs, sort, lists.RUN_SORTS, "-starts_at")[0]


@router.post("/runs", response={201: ProductRunOut, **ERRORS}, summary="Start a product run")
def start_run(request, payload: ProductRunIn):
    """The product runs on the line from ``starts_at``; the line's open run ends there. A
    start inside an earlier, ended run is refused (422 on ``starts_at``)."""
    user = request.user
    require_perm(user, "regrind.add_productrun")
    line = _line_ref(user, payload.line)
    product = _named(
        selectors.product_list(user=user), "product", payload.product, _("Unknown product.")
    )
    run = service.product_run_start(
        user=user, line=line, product=product, starts_at=payload.starts_at
    )
    return Status(201, selectors.run_get(user=user, pk=run.pk))


@router.get("/runs/{int:run_id}", response={200: ProductRunOut, **ERRORS}, summary="A run")
def get_run(request, run_id: int):
    return selectors.run_get(user=request.user, pk=run_id)


# --- shifts ------------------------------------------------------------------------------------


@router.get("/shifts", response={200: list[ShiftOut], **ERRORS}, summary="List shifts")
@paginate(ApiPagination)
def list_shifts(request, filters: Query[lists.ShiftFilter], sort: str | None = None):
    qs = filters.filter(selectors.shift_list(user=request.user))
    return apply_sort(qs, sort, lists.SHIFT_SORTS, "start_time")[0]


@router.post("/shifts", response={201: ShiftOut, **ERRORS}, summary="Create a shift")
def create_shift(request, payload: ShiftIn):
    shift = service.shift_create(user=request.user, data=payload.dict())
    return Status(201, selectors.shift_get(user=request.user, pk=shift.pk))


@router.get("/shifts/{int:shift_id}", response={200: ShiftOut, **ERRORS}, summary="A shift")
def get_shift(request, shift_id: int):
    return selectors.shift_get(user=request.user, pk=shift_id)


@router.patch(
    "/shifts/{int:shift_id}", response={200: ShiftOut, **ERRORS}, summary="Change a shift"
)
def update_shift(request, shift_id: int, payload: ShiftPatch):
    """Assignments already written keep their times."""
    user = request.user
    shift = selectors.shift_get(user=user, pk=shift_id, action="change")
    service.shift_update(user=user, shift=shift, data=_changes(payload))
    return selectors.shift_get(user=user, pk=shift_id)


# --- shift assignments -------------------------------------------------------------------------


@router.get(
    "/shift-assignments",
    response={200: list[ShiftAssignmentOut], **ERRORS},
    summary="List shift assignments",
)
@paginate(ApiPagination)
def list_assignments(request, filters: Query[lists.ShiftAssignmentFilter], sort: str | None = None):
    qs = filters.filter(selectors.assignment_list(user=request.user))
    return apply_sort(qs, sort, lists.ASSIGNMENT_SORTS, "starts_at")[0]


@router.post(
    "/shift-assignments",
    response={201: ShiftAssignmentOut, **ERRORS},
    summary="Put a team on shift on a line",
)
def create_assignment(request, payload: ShiftAssignmentIn):
    """From ``starts_at`` to ``ends_at``, or for a ``shift`` on a ``day``. An overlap with
    another assignment of the line is refused (409) and names that assignment."""
    user = request.user
    require_perm(user, "regrind.add_shiftassignment")
    line = _line_ref(user, payload.line)
    team = _named(selectors.team_choices(user=user), "team", payload.team, _("Unknown team."))
    shift = _named(selectors.shift_list(user=user), "shift", payload.shift, _("Unknown shift."))
    assignment = service.assignment_create(
        user=user,
        line=line,
        team=team,
        shift=shift,
        day=payload.day,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
    )
    return Status(201, selectors.assignment_get(user=user, pk=assignment.pk))


@router.get(
    "/shift-assignments/{int:assignment_id}",
    response={200: ShiftAssignmentOut, **ERRORS},
    summary="A shift assignment",
)
def get_assignment(request, assignment_id: int):
    return selectors.assignment_get(user=request.user, pk=assignment_id)


@router.delete(
    "/shift-assignments/{int:assignment_id}",
    response={204: None, **ERRORS},
    summary="Delete a shift assignment",
)
def delete_assignment(request, assignment_id: int):
    """Readings already stamped with the team keep it."""
    user = request.user
    assignment = selectors.assignment_get(user=user, pk=assignment_id, action="delete")
    service.assignment_delete(user=user, assignment=assignment)
    return Status(204, None)
