"""Quality API: defect types, nonconformances, their 8D corrective actions with the stages D0
to D8, and cost events (material loss and quality defects)."""

from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from partnerdesk.core.listing import ApiPagination, apply_sort
from partnerdesk.organisation.models import Team
from partnerdesk.partners.models import Partner
from partnerdesk.quality import selectors
from partnerdesk.quality.api_common import ERRORS, changes, resolve, staff_ref
from partnerdesk.quality.filters import (
    ACTION_SORTS,
    COST_SORTS,
    NC_SORTS,
    ActionFilter,
    CostFilter,
    NonconformanceFilter,
)
from partnerdesk.quality.models import DefectType, LotInspection, Nonconformance
from partnerdesk.quality.schemas import (
    ActionDetailOut,
    ActionOpenIn,
    ActionOut,
    CostCorrectIn,
    CostIn,
    CostOut,
    DefectTypeOut,
    EffectivenessIn,
    NonconformanceIn,
    NonconformanceOut,
    NonconformancePatch,
    NoteIn,
    ReasonIn,
    StageAcceptIn,
    StageDueIn,
    StageOut,
    StageSubmitIn,
)
from partnerdesk.quality.services import costs, nonconformance

router = Router()


@router.get(
    "/defect-types", response={200: list[DefectTypeOut], **ERRORS}, summary="List defect types"
)
@paginate(ApiPagination)
def list_defect_types(request):
    return DefectType.objects.restrict(request.user).order_by("code", "pk")


# --- nonconformances ---------------------------------------------------------------------------


def _nc_list(user):
    return selectors.nc_list(user=user).select_related(
        "lot_inspection", "audit_answer__audit", "corrective_action"
    )


def _nc(user, nc_id: int) -> Nonconformance:
    return _nc_list(user).get(pk=nc_id)


@router.get(
    "/nonconformances",
    response={200: list[NonconformanceOut], **ERRORS},
    summary="List nonconformances",
)
@paginate(ApiPagination)
def list_nonconformances(request, filters: Query[NonconformanceFilter], sort: str | None = None):
    qs = filters.filter(_nc_list(request.user))
    return apply_sort(qs, sort, NC_SORTS, "-detected_on")[0]


@router.post(
    "/nonconformances",
    response={201: NonconformanceOut, **ERRORS},
    summary="Record a nonconformance",
)
def create_nonconformance(request, payload: NonconformanceIn):
    """A customer complaint (with its reference), production, or an inspection or audit outside
    the system. The same defect type at the same partner within 12 months makes it a repeat,
    one step more severe than reported."""
    user = request.user
    data = payload.dict()
    for name in ("owner", "currency", "detected_on"):  # left out: the service's default
        if data[name] is None:
            del data[name]
    data = resolve(
        data,
        {
            "partner": (Partner.objects.restrict(user), _("Unknown partner.")),
            "defect_type": (DefectType.objects.restrict(user), _("Unknown defect type.")),
            "owner": staff_ref("change_nonconformance"),
        },
    )
    nc = nonconformance.nc_create(user=user, data=data)
    return Status(201, _nc(user, nc.pk))


@router.get(
    "/nonconformances/{int:nc_id}",
    response={200: NonconformanceOut, **ERRORS},
    summary="A nonconformance",
)
def get_nonconformance(request, nc_id: int):
    return _nc(request.user, nc_id)


@router.patch(
    "/nonconformances/{int:nc_id}",
    response={200: NonconformanceOut, **ERRORS},
    summary="Change an open nonconformance",
)
def update_nonconformance(request, nc_id: int, payload: NonconformancePatch):
    """The reported severity is raised again when the nonconformance is a repeat."""
    nc = selectors.nc_get(user=request.user, pk=nc_id, action="change")
    data = resolve(changes(payload), {"owner": staff_ref("change_nonconformance")})
    nonconformance.nc_update(user=request.user, nc=nc, data=data)
    return _nc(request.user, nc_id)


@router.post(
    "/nonconformances/{int:nc_id}/close",
    response={200: NonconformanceOut, **ERRORS},
    summary="Close a nonconformance",
)
def close_nonconformance(request, nc_id: int, payload: NoteIn):
    """With a note on how it was resolved; not while its corrective action is open or its
    rejected lot has no disposition (409)."""
    nc = selectors.nc_get(user=request.user, pk=nc_id)
    nonconformance.nc_close(user=request.user, nc=nc, note=payload.note)
    return _nc(request.user, nc_id)


@router.post(
    "/nonconformances/{int:nc_id}/cancel",
    response={200: NonconformanceOut, **ERRORS},
    summary="Cancel a nonconformance recorded in error",
)
def cancel_nonconformance(request, nc_id: int, payload: ReasonIn):
    nc = selectors.nc_get(user=request.user, pk=nc_id)
    nonconformance.nc_cancel(user=request.user, nc=nc, reason=payload.reason)
    return _nc(request.user, nc_id)


@router.post(
    "/nonconformances/{int:nc_id}/corrective-action",
    response={201: ActionDetailOut, **ERRORS},
    summary="Request a corrective action (8D) from the partner",
)
def open_corrective_action(request, nc_id: int, payload: ActionOpenIn):
    """The nine stages D0 to D8 with their due times (containment within 48 hours, root cause
    within 14 days, the rest within 30 days); the partner's users are notified."""
    user = request.user
    nc = selectors.nc_get(user=user, pk=nc_id)
    data = resolve(payload.dict(), {"owner": staff_ref("review_correctiveaction")})
    action = nonconformance.action_open(user=user, nc=nc, owner=data["owner"])
    return Status(201, selectors.action_get(user=user, pk=action.pk))


# --- corrective actions and their stages -------------------------------------------------------


@router.get(
    "/corrective-actions",
    response={200: list[ActionOut], **ERRORS},
    summary="List corrective actions (8D)",
)
@paginate(ApiPagination)
def list_actions(request, filters: Query[ActionFilter], sort: str | None = None):
    qs = filters.filter(selectors.action_list(user=request.user))
    return apply_sort(qs, sort, ACTION_SORTS, "-opened_at")[0]


@router.get(
    "/corrective-actions/{int:action_id}",
    response={200: ActionDetailOut, **ERRORS},
    summary="A corrective action with its stages",
)
def get_action(request, action_id: int):
    return selectors.action_get(user=request.user, pk=action_id)


@router.post(
    "/corrective-actions/{int:action_id}/effectiveness",
    response={200: ActionDetailOut, **ERRORS},
    summary="Record the effectiveness check",
)
def record_effectiveness(request, action_id: int, payload: EffectivenessIn):
    """Once D0 to D7 are accepted. Not effective sends D4 to D8 back with fresh due times."""
    action = selectors.action_get(user=request.user, pk=action_id)
    nonconformance.effectiveness_record(
        user=request.user, action=action, result=payload.result, note=payload.note
    )
    return selectors.action_get(user=request.user, pk=action_id)


@router.post(
    "/corrective-actions/{int:action_id}/close",
    response={200: ActionDetailOut, **ERRORS},
    summary="Close a corrective action",
)
def close_action(request, action_id: int):
    """Every stage accepted and the action found effective; its nonconformance closes too."""
    action = selectors.action_get(user=request.user, pk=action_id)
    nonconformance.action_close(user=request.user, action=action)
    return selectors.action_get(user=request.user, pk=action_id)


def _stage(user, stage_id: int):
    return selectors.stage_get(user=user, pk=stage_id)


@router.post(
    "/8d-stages/{int:stage_id}/submit",
    response={200: StageOut, **ERRORS},
    summary="Submit a stage for review",
)
def submit_stage(request, stage_id: int, payload: StageSubmitIn):
    """The partner (or quality on its behalf) fills in a stage once the one before it is
    submitted or accepted (409 otherwise)."""
    stage = _stage(request.user, stage_id)
    nonconformance.stage_submit(user=request.user, stage=stage, content=payload.content)
    return _stage(request.user, stage_id)


@router.post(
    "/8d-stages/{int:stage_id}/accept",
    response={200: StageOut, **ERRORS},
    summary="Accept a submitted stage",
)
def accept_stage(request, stage_id: int, payload: StageAcceptIn):
    """A quality engineer accepts stages in order (409 otherwise); D8 after the action was
    found effective."""
    stage = _stage(request.user, stage_id)
    nonconformance.stage_accept(user=request.user, stage=stage, note=payload.note)
    return _stage(request.user, stage_id)


@router.post(
    "/8d-stages/{int:stage_id}/send-back",
    response={200: StageOut, **ERRORS},
    summary="Send a submitted stage back",
)
def send_back_stage(request, stage_id: int, payload: NoteIn):
    """With a note on what is missing; the partner's users are notified."""
    stage = _stage(request.user, stage_id)
    nonconformance.stage_send_back(user=request.user, stage=stage, note=payload.note)
    return _stage(request.user, stage_id)


@router.post(
    "/8d-stages/{int:stage_id}/due",
    response={200: StageOut, **ERRORS},
    summary="Move a stage's due time",
)
def set_stage_due(request, stage_id: int, payload: StageDueIn):
    stage = _stage(request.user, stage_id)
    nonconformance.stage_set_due(
        user=request.user, stage=stage, due_at=payload.due_at, reason=payload.reason
    )
    return _stage(request.user, stage_id)


# --- cost events -------------------------------------------------------------------------------


@router.get("/cost-events", response={200: list[CostOut], **ERRORS}, summary="List cost events")
@paginate(ApiPagination)
def list_costs(request, filters: Query[CostFilter], sort: str | None = None):
    qs = filters.filter(selectors.cost_list(user=request.user))
    return apply_sort(qs, sort, COST_SORTS, "-occurred_on")[0]


@router.post(
    "/cost-events",
    response={201: CostOut, **ERRORS},
    summary="Record a material loss or quality defect cost",
)
def create_cost(request, payload: CostIn):
    """With the partner or team responsible (or both); a chargeback needs the partner."""
    user = request.user
    data = resolve(
        payload.dict(),
        {
            "partner": (Partner.objects.restrict(user), _("Unknown partner.")),
            "team": (Team.objects.restrict(user), _("Unknown team.")),
            "nonconformance": (
                Nonconformance.objects.restrict(user),
                _("Unknown nonconformance."),
            ),
            "lot_inspection": (LotInspection.objects.restrict(user), _("Unknown lot.")),
        },
    )
    event = costs.cost_record(user=user, data=data)
    return Status(201, selectors.cost_get(user=user, pk=event.pk))


@router.get(
    "/cost-events/{int:cost_event_id}", response={200: CostOut, **ERRORS}, summary="A cost event"
)
def get_cost(request, cost_event_id: int):
    return selectors.cost_get(user=request.user, pk=cost_event_id)


@router.post(
    "/cost-events/{int:cost_event_id}/correct",
    response={201: list[CostOut], **ERRORS},
    summary="Correct a cost event",
)
def correct_cost(request, cost_event_id: int, payload: CostCorrectIn):
    """Entries are never edited: the correction writes a reversing entry and, unless the
    amount is 0 (withdrawn), an entry with the right amount. Answers the entries written."""
    user = request.user
    event = selectors.cost_get(user=user, pk=cost_event_id)
    written = costs.cost_correct(
        user=user, event=event, amount=payload.amount, reason=payload.reason
    )
    rows = selectors.cost_list(user=user).filter(pk__in=[e.pk for e in written]).order_by("pk")
    return Status(201, list(rows))
