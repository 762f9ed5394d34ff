"""Quality API: inspection standards and their parameters, lot inspections of goods receipt
lines (plan, readings entered or imported, decision, disposition) and sampling states."""

from django.utils.translation import gettext as _
from ninja import File, Query, Router, Status, UploadedFile
from ninja.pagination import paginate

from partnerdesk.core.errors import InvalidInput
from partnerdesk.core.listing import ApiPagination, apply_sort
from partnerdesk.finance.models import GoodsReceiptLine, ItemCategory
from partnerdesk.quality import selectors
from partnerdesk.quality.api_common import ERRORS, MAX_IMPORT_BYTES, changes, resolve, staff_ref
from partnerdesk.quality.filters import LOT_SORTS, STANDARD_SORTS, StandardFilter
from partnerdesk.quality.models import (
    DefectType,
    InspectionStandard,
    LotInspection,
    Nonconformance,
)
from partnerdesk.quality.schemas import (
    DispositionIn,
    LotApiFilter,
    LotDetailOut,
    LotOpenIn,
    LotOut,
    ParameterIn,
    ParameterOut,
    ParameterPatch,
    ReadingsIn,
    ReceiptLineToInspectOut,
    ResumeIn,
    SamplingStateFilter,
    SamplingStateOut,
    StandardDetailOut,
    StandardIn,
    StandardOut,
    StandardPatch,
)
from partnerdesk.quality.services import inspection

router = Router()


# --- inspection standards ----------------------------------------------------------------------


def _standard_refs(user, data: dict) -> dict:
    return resolve(
        data, {"category": (ItemCategory.objects.restrict(user), _("Unknown item category."))}
    )


def _parameter_refs(user, data: dict) -> dict:
    return resolve(
        data, {"defect_type": (DefectType.objects.restrict(user), _("Unknown defect type."))}
    )


@router.get(
    "/inspection-standards",
    response={200: list[StandardOut], **ERRORS},
    summary="List inspection standards",
)
@paginate(ApiPagination)
def list_standards(request, filters: Query[StandardFilter], sort: str | None = None):
    qs = filters.filter(selectors.standard_list(user=request.user))
    return apply_sort(qs, sort, STANDARD_SORTS, "code")[0]


@router.post(
    "/inspection-standards",
    response={201: StandardDetailOut, **ERRORS},
    summary="Create an inspection standard",
)
def create_standard(request, payload: StandardIn):
    """For an item, or for the items of a category that no standard names: the inspection
    level and AQL of the sampling plan (ISO 2859-1). Add its parameters next."""
    data = _standard_refs(request.user, payload.dict())
    standard = inspection.standard_create(user=request.user, data=data)
    return Status(201, selectors.standard_get(user=request.user, pk=standard.pk))


@router.get(
    "/inspection-standards/{int:standard_id}",
    response={200: StandardDetailOut, **ERRORS},
    summary="An inspection standard with its parameters",
)
def get_standard(request, standard_id: int):
    return selectors.standard_get(user=request.user, pk=standard_id)


@router.patch(
    "/inspection-standards/{int:standard_id}",
    response={200: StandardDetailOut, **ERRORS},
    summary="Change an inspection standard",
)
def update_standard(request, standard_id: int, payload: StandardPatch):
    """Lots already opened keep the plan they were opened with."""
    standard = selectors.standard_get(user=request.user, pk=standard_id, action="change")
    data = _standard_refs(request.user, changes(payload))
    inspection.standard_update(user=request.user, standard=standard, data=data)
    return selectors.standard_get(user=request.user, pk=standard_id)


@router.post(
    "/inspection-standards/{int:standard_id}/parameters",
    response={201: ParameterOut, **ERRORS},
    summary="Add a parameter to an inspection standard",
)
def add_parameter(request, standard_id: int, payload: ParameterIn):
    """A measured value with limits (and a plausible range outside which readings are refused
    as typing or instrument errors), or a pass/fail attribute."""
    standard = selectors.standard_get(user=request.user, pk=standard_id)
    data = _parameter_refs(request.user, payload.dict())
    parameter = inspection.parameter_add(user=request.user, standard=standard, data=data)
    return Status(201, selectors.parameter_get(user=request.user, pk=parameter.pk, action="view"))


@router.patch(
    "/inspection-parameters/{int:parameter_id}",
    response={200: ParameterOut, **ERRORS},
    summary="Change a parameter",
)
def update_parameter(request, parameter_id: int, payload: ParameterPatch):
    parameter = selectors.parameter_get(user=request.user, pk=parameter_id, action="change")
    data = _parameter_refs(request.user, changes(payload))
    inspection.parameter_update(user=request.user, parameter=parameter, data=data)
    return selectors.parameter_get(user=request.user, pk=parameter_id, action="view")


@router.delete(
    "/inspection-parameters/{int:parameter_id}",
    response={204: None, **ERRORS},
    summary="Delete a parameter without readings",
)
def delete_parameter(request, parameter_id: int):
    """A parameter read in past inspections is kept (409): deactivate the standard instead."""
    parameter = selectors.parameter_get(user=request.user, pk=parameter_id, action="delete")
    inspection.parameter_delete(user=request.user, parameter=parameter)
    return Status(204, None)


# --- lot inspections ---------------------------------------------------------------------------


def _lot(user, lot_id: int) -> LotInspection:
    """The lot with its parameters, readings (by unit, then parameter) and nonconformance."""
    lot = selectors.lot_get(user=user, pk=lot_id)
    parameters = selectors.lot_parameters(user=user, inspection=lot)
    position = {p.pk: (p.position, p.code) for p in parameters}
    grid = selectors.lot_readings(user=user, inspection=lot)
    lot.parameter_rows = parameters
    lot.reading_rows = [
        {
            "unit_no": unit,
            "parameter": position[parameter_id][1],
            "value": reading.value,
            "conforming": reading.conforming,
        }
        for unit in sorted(grid)
        for parameter_id, reading in sorted(grid[unit].items(), key=lambda kv: position[kv[0]])
    ]
    lot.nc_row = Nonconformance.objects.restrict(user).filter(lot_inspection=lot).first()
    return lot


@router.get(
    "/receipt-lines-to-inspect",
    response={200: list[ReceiptLineToInspectOut], **ERRORS},
    summary="Receipt lines waiting for an inspection",
)
@paginate(ApiPagination)
def list_lines_to_inspect(request):
    """Goods receipt lines that an active standard applies to and that have no inspection."""
    return selectors.uninspected_receipt_lines(user=request.user)


@router.get("/lots", response={200: list[LotOut], **ERRORS}, summary="List lot inspections")
@paginate(ApiPagination)
def list_lots(request, filters: Query[LotApiFilter], sort: str | None = None):
    qs = filters.filter(selectors.lot_list(user=request.user))
    return apply_sort(qs, sort, LOT_SORTS, "-created_at")[0]


@router.post(
    "/lots", response={201: LotDetailOut, **ERRORS}, summary="Open the inspection of a lot"
)
def open_lot(request, payload: LotOpenIn):
    """Inspect a goods receipt line as a lot: the standard of its item (or category), the
    severity from the partner's switching state, and the plan (sample size n, Ac, Re) of
    ISO 2859-1 for the lot size. Counted units default the lot size to the quantity received."""
    user = request.user
    data = resolve(
        payload.dict(),
        {
            "receipt_line": (GoodsReceiptLine.objects.restrict(user), _("Unknown receipt line.")),
            "standard": (
                InspectionStandard.objects.restrict(user),
                _("Unknown inspection standard."),
            ),
            "inspector": staff_ref("change_lotinspection"),
        },
    )
    lot = inspection.lot_open(
        user=user,
        receipt_line=data["receipt_line"],
        lot_size=data["lot_size"],
        standard=data["standard"],
        inspector=data["inspector"],
    )
    return Status(201, _lot(user, lot.pk))


@router.get(
    "/lots/{int:lot_id}",
    response={200: LotDetailOut, **ERRORS},
    summary="A lot inspection with its plan, switching decision and readings",
)
def get_lot(request, lot_id: int):
    return _lot(request.user, lot_id)


@router.post(
    "/lots/{int:lot_id}/readings",
    response={200: LotDetailOut, **ERRORS},
    summary="Record readings of the sample",
)
def record_readings(request, lot_id: int, payload: ReadingsIn):
    """Readings ``{unit, parameter, value}``; a new reading of the same unit and parameter
    replaces the old one. Every reading is checked first (sample unit, parameter code, number,
    plausible range); one bad reading saves none (422, ``fields.readings`` lists them). Once
    every unit has a reading of every parameter the lot is decided."""
    lot = selectors.lot_get(user=request.user, pk=lot_id)
    rows = [inspection.ReadingRow(r.unit, r.parameter, r.value) for r in payload.readings]
    inspection.readings_record(user=request.user, inspection=lot, rows=rows)
    return _lot(request.user, lot_id)


@router.post(
    "/lots/{int:lot_id}/readings/import",
    response={200: LotDetailOut, **ERRORS},
    summary="Import readings from a CSV file",
)
def import_readings(request, lot_id: int, file: File[UploadedFile]):
    """Multipart ``file``: UTF-8 CSV with a header row naming the columns unit, parameter and
    value (comma or semicolon). Errors name the file's row; nothing is saved when any is wrong."""
    lot = selectors.lot_get(user=request.user, pk=lot_id)
    if (file.size or 0) > MAX_IMPORT_BYTES:
        message = _("The file is larger than %(mb)s MB.") % {"mb": MAX_IMPORT_BYTES // 2**20}
        raise InvalidInput(message, fields={"file": [message]})
    inspection.readings_import(user=request.user, inspection=lot, uploaded_file=file)
    return _lot(request.user, lot_id)


@router.post(
    "/lots/{int:lot_id}/decide",
    response={200: LotDetailOut, **ERRORS},
    summary="Decide a lot from its readings",
)
def decide_lot(request, lot_id: int):
    """Accept (at most Ac nonconforming units) or reject (Re or more) once the sample is
    complete (422 otherwise). A rejected lot holds the receipt line, so finance blocks its
    invoice, and opens a nonconformance. Recording the last reading decides it too."""
    lot = selectors.lot_get(user=request.user, pk=lot_id)
    inspection.lot_decide(user=request.user, inspection=lot)
    return _lot(request.user, lot_id)


@router.post(
    "/lots/{int:lot_id}/disposition",
    response={200: LotDetailOut, **ERRORS},
    summary="Decide what happens to a rejected lot",
)
def dispose_lot(request, lot_id: int, payload: DispositionIn):
    """Return to vendor or scrap (nothing accepted), sort at the supplier's cost (the good
    quantity found is accepted), or use as is under a concession (its reference required).
    The quality hold is lifted and the invoices are matched again; a cost given is recorded as
    a cost event, charged back by default."""
    lot = selectors.lot_get(user=request.user, pk=lot_id)
    inspection.lot_dispose(
        user=request.user,
        inspection=lot,
        disposition=payload.disposition,
        note=payload.note,
        concession_reference=payload.concession_reference,
        quantity_accepted=payload.quantity_accepted,
        cost_amount=payload.cost_amount,
        chargeback=payload.chargeback,
    )
    return _lot(request.user, lot_id)


# --- sampling states ---------------------------------------------------------------------------


@router.get(
    "/sampling-states",
    response={200: list[SamplingStateOut], **ERRORS},
    summary="Where each partner and standard stand in the switching rules",
)
@paginate(ApiPagination)
def list_sampling_states(request, filters: Query[SamplingStateFilter]):
    qs = filters.filter(selectors.sampling_states(user=request.user))
    return qs.order_by("partner__code", "standard__code", "pk")


@router.post(
    "/sampling-states/{int:state_id}/resume",
    response={200: SamplingStateOut, **ERRORS},
    summary="Resume discontinued inspection",
)
def resume_sampling(request, state_id: int, payload: ResumeIn):
    """Resume at tightened inspection once the supplier's corrective action is accepted
    (ISO 2859-1 clause 9.4); 409 when inspection is not discontinued."""
    state = selectors.sampling_states(user=request.user).get(pk=state_id)
    inspection.sampling_resume(user=request.user, state=state, reason=payload.reason)
    return selectors.sampling_states(user=request.user).get(pk=state_id)
