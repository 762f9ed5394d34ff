"""Incoming inspection: standards and parameters, opening a lot inspection on a receipt line
with the plan of ISO 2859-1, recording the sample's readings (entered or imported), deciding
the lot, and disposing of a rejected lot. The receipt line's accepted and rejected quantities
and its quality hold go to finance through ``receipt_line_inspect``, which rematches the
invoices on the order line at once."""

import csv
import io
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerdesk.audit.crud import audited_create, audited_delete, audited_update
from partnerdesk.audit.models import AuditAction
from partnerdesk.audit.services import record_change, snapshot
from partnerdesk.core.errors import Conflict, InvalidInput
from partnerdesk.core.services import require_perm
from partnerdesk.finance.models import GoodsReceiptLine
from partnerdesk.finance.services.documents import receipt_line_inspect
from partnerdesk.quality.choices import (
    Disposition,
    LotStatus,
    ParameterKind,
    Severity,
)
from partnerdesk.quality.engines import sampling
from partnerdesk.quality.models import (
    InspectionParameter,
    InspectionStandard,
    LotInspection,
    SampleReading,
    SamplingState,
)
from partnerdesk.quality.services.numbers import save_numbered

STANDARD_FIELDS = {"code", "name", "item", "category", "level", "aql", "allow_reduced", "notes"}
STANDARD_UPDATE_FIELDS = STANDARD_FIELDS - {"code"} | {"is_active"}
PARAMETER_FIELDS = {
    "code",
    "name",
    "kind",
    "unit",
    "target",
    "lower_limit",
    "upper_limit",
    "plausible_min",
    "plausible_max",
    "defect_type",
}
COUNTED_UNITS = {"pcs", "pc", "ea", "each", "unit", "units", "pieces", "bags", "boxes"}
MAX_READING_ROWS = 200_000


# --- standards ---------------------------------------------------------------------------------


def standard_create(*, user, data: dict) -> InspectionStandard:
    return audited_create(user=user, model=InspectionStandard, data=data, allowed=STANDARD_FIELDS)


def standard_update(*, user, standard: InspectionStandard, data: dict) -> InspectionStandard:
    return audited_update(user=user, instance=standard, data=data, allowed=STANDARD_UPDATE_FIELDS)


def parameter_add(*, user, standard: InspectionStandard, data: dict) -> InspectionParameter:
    require_perm(user, "quality.change_inspectionstandard")
    with transaction.atomic():
        InspectionStandard.objects.select_for_update().get(pk=standard.pk)
        position = (standard.parameters.aggregate(m=Max("position"))["m"] or 0) + 1
        return audited_create(
            user=user,
            model=InspectionParameter,
            data=data,
            allowed=PARAMETER_FIELDS,
            standard=standard,
            position=position,
        )


def parameter_update(*, user, parameter: InspectionParameter, data: dict) -> InspectionParameter:
    require_perm(user, "quality.change_inspectionstandard")
    return audited_update(user=user, instance=parameter, data=data, allowed=PARAMETER_FIELDS)


def parameter_delete(*, user, parameter: InspectionParameter) -> None:
    require_perm(user, "quality.change_inspectionstandard")
    if parameter.readings.exists():
        raise Conflict(
            _("“%(name)s” has readings in past inspections; deactivate the standard instead.")
            % {"name": parameter.name}
        )
    audited_delete(user=user, instance=parameter)


def standard_for(line: GoodsReceiptLine) -> InspectionStandard | None:
    """The active standard for a receipt line: the one naming its item, else its category's."""
    order_line = line.order_line
    active = InspectionStandard.objects.filter(is_active=True)
    found = active.filter(item=order_line.item).order_by("code").first()
    if found is None and order_line.category_id:
        found = active.filter(category_id=order_line.category_id, item="").order_by("code").first()
    return found


# --- opening an inspection ---------------------------------------------------------------------


def _state_for(partner_id: int, standard: InspectionStandard) -> SamplingState:
    SamplingState.objects.get_or_create(partner_id=partner_id, standard=standard)
    return SamplingState.objects.select_for_update().get(partner_id=partner_id, standard=standard)


def _engine_state(state: SamplingState) -> sampling.SwitchingState:
    return sampling.SwitchingState(
        inspection=sampling.Inspection(state.severity),
        recent=tuple(c == "A" for c in state.recent),
        consecutive_accepted=state.consecutive_accepted,
        not_accepted_on_tightened=state.not_accepted_on_tightened,
        switching_score=state.switching_score,
        reason=state.reason or "inspection starts at normal (clause 9.1)",
    )


def _default_lot_size(line: GoodsReceiptLine) -> int | None:
    quantity = line.quantity_received
    unit = (line.order_line.unit or "").strip().lower()
    if unit in COUNTED_UNITS and quantity == quantity.to_integral_value():
        return int(quantity)
    return None


def lot_open(
    *, user, receipt_line: GoodsReceiptLine, lot_size=None, standard=None, inspector=None
) -> LotInspection:
    """Open the inspection of a receipt line: find its standard, take the severity from the
    switching state of the partner and standard, and fix the plan (n, Ac, Re)."""
    require_perm(user, "quality.add_lotinspection")
    with transaction.atomic():
        line = (
            GoodsReceiptLine.objects.select_for_update()
            .select_related("receipt", "order_line")
            .get(pk=receipt_line.pk)
        )
        if LotInspection.objects.filter(receipt_line=line).exists():
            raise Conflict(
                _("Receipt line %(receipt)s/%(line)s already has an inspection.")
                % {"receipt": line.receipt.number, "line": line.line_no}
            )
        standard = standard or standard_for(line)
        if standard is None:
            raise InvalidInput(
                _("No active inspection standard applies to item “%(item)s”.")
                % {"item": line.order_line.item},
                fields={"standard": [_("Create a standard for the item or its category.")]},
            )
        if not standard.parameters.exists():
            raise InvalidInput(
                _("The standard %(code)s has no parameters to inspect.") % {"code": standard.code},
                fields={"standard": [_("Add parameters to the standard first.")]},
            )
        size = _lot_size(lot_size, line)
        state = _state_for(line.receipt.partner_id, standard)
        if state.severity == Severity.DISCONTINUED:
            raise Conflict(
                _(
                    "Acceptance inspection of %(partner)s's lots under %(code)s is discontinued "
                    "(ISO 2859-1 clause 9.4): resume it once the supplier's corrective action "
                    "is accepted."
                )
                % {"partner": line.receipt.partner, "code": standard.code}
            )
        plan = sampling.plan(size, standard.aql, standard.level, state.severity)
        inspection = LotInspection(
            receipt_line=line,
            partner_id=line.receipt.partner_id,
            standard=standard,
            inspector=inspector or user,
            lot_size=size,
            level=plan.level,
            aql=plan.aql,
            severity=str(plan.severity),
            code_letter=plan.code_letter,
            plan_letter=plan.plan_letter,
            sample_size=plan.sample_size,
            accept_number=plan.accept,
            reject_number=plan.reject,
            hundred_percent=plan.hundred_percent,
            plan_explanation=plan.explanation[:300],
        )
        save_numbered(inspection, "LOT")
        record_change(actor=user, instance=inspection, action=AuditAction.CREATE)
    return inspection


def _lot_size(raw, line: GoodsReceiptLine) -> int:
    if raw in (None, ""):
        size = _default_lot_size(line)
        if size is None:
            raise InvalidInput(
                _(
                    "The line was received in %(unit)s; give the lot size as a number of units "
                    "(bags, boxes, pieces)."
                )
                % {"unit": line.order_line.unit},
                fields={"lot_size": [_("Give the number of units in the lot.")]},
            )
        return size
    try:
        size = int(str(raw).strip())
    except ValueError:
        size = 0
    if size < 1:
        raise InvalidInput(
            _("The lot size must be a whole number of at least 1."),
            fields={"lot_size": [_("A whole number of at least 1.")]},
        )
    return size


# --- readings ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReadingRow:
    unit_no: object
    parameter: object  # a parameter code
    value: object
    row: int | None = None  # the row number in a file, for messages


def _where(row: ReadingRow, index: int) -> str:
    return _("row %(n)s") % {"n": row.row} if row.row else _("reading %(n)s") % {"n": index}


def _parse_reading(row: ReadingRow, index, parameters, sample_size, errors) -> tuple | None:
    where = _where(row, index)
    try:
        unit_no = int(str(row.unit_no).strip())
    except ValueError:
        unit_no = 0
    if not 1 <= unit_no <= sample_size:
        errors.append(
            _("%(where)s: unit “%(unit)s” is not a sample unit (1 to %(n)s).")
            % {"where": where, "unit": row.unit_no, "n": sample_size}
        )
        return None
    code = str(row.parameter or "").strip()
    parameter = parameters.get(code)
    if parameter is None:
        errors.append(
            _("%(where)s: unknown parameter “%(code)s” (the standard has %(codes)s).")
            % {"where": where, "code": code, "codes": ", ".join(parameters)}
        )
        return None
    raw = str(row.value if row.value is not None else "").strip()
    if parameter.kind == ParameterKind.ATTRIBUTE:
        mapped = {"pass": "1", "ok": "1", "fail": "0", "nok": "0"}.get(raw.lower(), raw)
        if mapped not in ("0", "1"):
            errors.append(
                _("%(where)s, unit %(unit)s, %(p)s: “%(raw)s” is not pass (1) or fail (0).")
                % {"where": where, "unit": unit_no, "p": code, "raw": raw}
            )
            return None
        value = Decimal(mapped)
        return unit_no, parameter, value, value == 1
    try:
        value = Decimal(raw.replace(",", "."))
        if not value.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        errors.append(
            _("%(where)s, unit %(unit)s, %(p)s: “%(raw)s” is not a number.")
            % {"where": where, "unit": unit_no, "p": code, "raw": raw}
        )
        return None
    low, high = parameter.plausible_min, parameter.plausible_max
    if (
        (low is not None and value < low)
        or (high is not None and value > high)
        or (abs(value) >= Decimal("1e10"))
    ):
        errors.append(
            _(
                "%(where)s, unit %(unit)s, %(p)s: %(value)s %(u)s is outside the plausible "
                "range %(low)s to %(high)s; check the instrument or the typing."
            )
            % {
                "where": where,
                "unit": unit_no,
                "p": code,
                "value": value,
                "u": parameter.unit,
                "low": "-" if low is None else low,
                "high": "-" if high is None else high,
            }
        )
        return None
    conforming = (parameter.lower_limit is None or value >= parameter.lower_limit) and (
        parameter.upper_limit is None or value <= parameter.upper_limit
    )
    return unit_no, parameter, value, conforming


def _open_inspection(inspection: LotInspection) -> LotInspection:
    inspection = LotInspection.objects.select_for_update().get(pk=inspection.pk)
    if inspection.status != LotStatus.OPEN:
        raise Conflict(
            _("Inspection %(number)s is already decided (%(status)s).")
            % {"number": inspection.number, "status": inspection.get_status_display()}
        )
    return inspection


def readings_record(*, user, inspection: LotInspection, rows: list[ReadingRow]) -> LotInspection:
    """Record readings (a new reading of the same unit and parameter replaces the old one).
    Every row is checked first; one bad row saves none. Once every unit of the sample has a
    reading of every parameter, the lot is decided."""
    require_perm(user, "quality.change_lotinspection")
    if not rows:
        raise InvalidInput(_("No readings given."), fields={"readings": [_("No readings given.")]})
    if len(rows) > MAX_READING_ROWS:
        raise InvalidInput(
            _("At most %(n)s readings at once.") % {"n": MAX_READING_ROWS},
            fields={"readings": [_("Too many readings.")]},
        )
    with transaction.atomic():
        inspection = _open_inspection(inspection)
        parameters = {p.code: p for p in inspection.standard.parameters.all()}
        errors: list[str] = []
        parsed = {}
        for index, row in enumerate(rows, start=1):
            reading = _parse_reading(row, index, parameters, inspection.sample_size, errors)
            if reading is None:
                continue
            key = (reading[0], reading[1].pk)
            if key in parsed:
                errors.append(
                    _("%(where)s: unit %(unit)s, %(p)s is given twice.")
                    % {"where": _where(row, index), "unit": reading[0], "p": reading[1].code}
                )
            parsed[key] = reading
        if errors:
            shown = errors[:50]
            raise InvalidInput(
                _("%(n)s reading(s) are wrong; nothing was saved. First: %(first)s")
                % {"n": len(errors), "first": errors[0]},
                fields={"readings": shown},
            )
        SampleReading.objects.filter(
            inspection=inspection,
            unit_no__in={u for u, _p in parsed},
            parameter_id__in={p for _u, p in parsed},
        ).delete()
        SampleReading.objects.bulk_create(
            [
                SampleReading(
                    inspection=inspection,
                    unit_no=unit_no,
                    parameter=parameter,
                    value=value,
                    conforming=conforming,
                )
                for unit_no, parameter, value, conforming in parsed.values()
            ],
            batch_size=2000,
        )
        record_change(
            actor=user,
            instance=inspection,
            action=AuditAction.UPDATE,
            before={"readings": None},
            after={"readings": len(parsed)},
        )
        if _missing(inspection, len(parameters)) == 0:
            return lot_decide(user=user, inspection=inspection)
    return inspection


def _missing(inspection: LotInspection, parameter_count: int) -> int:
    return inspection.sample_size * parameter_count - inspection.readings.count()


def readings_import(*, user, inspection: LotInspection, uploaded_file) -> LotInspection:
    """Import readings from a CSV file with the columns unit, parameter, value (header row
    first; comma or semicolon). Errors name the file's row."""
    raw = uploaded_file.read()
    if isinstance(raw, str):
        raw = raw.encode()
    if b"\x00" in raw[:4096]:
        raise InvalidInput(
            _("The file is not a CSV text file."), fields={"file": [_("Upload a CSV file.")]}
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(
            _("The file is not UTF-8 text."), fields={"file": [_("Save the file as UTF-8 CSV.")]}
        ) from None
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader, [])]
    wanted = ("unit", "parameter", "value")
    missing = [name for name in wanted if name not in header]
    if missing:
        raise InvalidInput(
            _("The file has no column %(names)s (found: %(found)s).")
            % {"names": ", ".join(missing), "found": ", ".join(header) or _("nothing")},
            fields={"file": [_("Columns needed: unit, parameter, value.")]},
        )
    at = [header.index(name) for name in wanted]
    rows = []
    for number, record in enumerate(reader, start=2):
        if not any(cell.strip() for cell in record):
            continue
        cells = [record[i] if i < len(record) else "" for i in at]
        rows.append(ReadingRow(cells[0], cells[1], cells[2], row=number))
        if len(rows) > MAX_READING_ROWS:
            break
    return readings_record(user=user, inspection=inspection, rows=rows)


# --- deciding ----------------------------------------------------------------------------------


def lot_decide(*, user, inspection: LotInspection) -> LotInspection:
    """Decide the lot from its readings: a unit with any reading out of limits is
    nonconforming; at most Ac nonconforming units accepts the lot, Re or more rejects it."""
    require_perm(user, "quality.change_lotinspection")
    with transaction.atomic():
        inspection = _open_inspection(inspection)
        parameters = list(inspection.standard.parameters.all())
        missing = _missing(inspection, len(parameters))
        if missing:
            have = inspection.readings.values("unit_no").distinct().count()
            raise InvalidInput(
                _(
                    "The plan requires a sample of %(n)s units with %(p)s readings each; "
                    "%(missing)s readings are missing (units with readings: %(have)s)."
                )
                % {
                    "n": inspection.sample_size,
                    "p": len(parameters),
                    "missing": missing,
                    "have": have,
                },
                fields={"readings": [_("Enter the readings of every sample unit.")]},
            )
        bad_units = set(
            inspection.readings.filter(conforming=False).values_list("unit_no", flat=True)
        )
        plan = sampling.plan(
            inspection.lot_size, inspection.aql, inspection.level, inspection.severity
        )
        defectives = len(bad_units)
        outcome = sampling.lot_outcome(plan, defectives)
        state = _state_for(inspection.partner_id, inspection.standard)
        before_state = _engine_state(state)
        after = sampling.next_state(
            before_state,
            outcome,
            authority_approves_reduced=inspection.standard.allow_reduced,
        )
        _store_state(state, after)
        before = snapshot(inspection)
        inspection.defectives = defectives
        inspection.status = LotStatus.ACCEPTED if outcome.accepted else LotStatus.REJECTED
        inspection.decided_at, inspection.decided_by = timezone.now(), user
        inspection.switching = {
            "before": str(before_state.inspection),
            "after": str(after.inspection),
            "reason": after.reason,
            "switching_score": after.switching_score,
        }
        inspection.save()
        record_change(actor=user, instance=inspection, action=AuditAction.UPDATE, before=before)
        line = inspection.receipt_line
        if outcome.accepted:
            receipt_line_inspect(
                user=user,
                line=line,
                accepted=line.quantity_received,
                rejected=Decimal(0),
                on_hold=False,
            )
        else:
            reason = _(
                "Lot %(number)s rejected: %(d)s nonconforming in a sample of %(n)s (Re %(re)s)"
            ) % {
                "number": inspection.number,
                "d": defectives,
                "n": inspection.sample_size,
                "re": inspection.reject_number,
            }
            receipt_line_inspect(
                user=user, line=line, accepted=None, rejected=None, on_hold=True, hold_reason=reason
            )
            from partnerdesk.quality.services.nonconformance import nc_from_lot

            nc_from_lot(user=user, inspection=inspection, defect_type=_main_defect(inspection))
    return inspection


def _main_defect(inspection: LotInspection):
    """The defect type of the parameter with the most nonconforming units (first by position
    on a tie); the fallback "OTHER" when that parameter names none."""
    from partnerdesk.quality.models import DefectType

    counts = Counter(
        inspection.readings.filter(conforming=False).values_list("parameter_id", flat=True)
    )
    parameters = sorted(
        inspection.standard.parameters.filter(pk__in=counts),
        key=lambda p: (-counts[p.pk], p.position),
    )
    for parameter in parameters:
        if parameter.defect_type_id:
            return parameter.defect_type
    return DefectType.objects.get_or_create(code="OTHER", defaults={"name": "Other"})[0]


def _store_state(state: SamplingState, after: sampling.SwitchingState) -> None:
    state.severity = str(after.inspection)
    state.recent = "".join("A" if ok else "R" for ok in after.recent)
    state.consecutive_accepted = after.consecutive_accepted
    state.not_accepted_on_tightened = after.not_accepted_on_tightened
    state.switching_score = after.switching_score
    state.reason = after.reason[:300]
    state.save()


def sampling_resume(*, user, state: SamplingState, reason: str) -> SamplingState:
    """Resume discontinued inspection at tightened inspection (clause 9.4)."""
    require_perm(user, "quality.change_lotinspection")
    if not (reason or "").strip():
        raise InvalidInput(_("Give the reason."), fields={"reason": [_("Give the reason.")]})
    with transaction.atomic():
        state = SamplingState.objects.select_for_update().get(pk=state.pk)
        if state.severity != Severity.DISCONTINUED:
            raise Conflict(_("Inspection is not discontinued."))
        before = snapshot(state)
        _store_state(state, sampling.resume(_engine_state(state)))
        state.reason = f"{state.reason} ({reason.strip()})"[:300]
        state.save(update_fields=["reason"])
        record_change(actor=user, instance=state, action=AuditAction.UPDATE, before=before)
    return state


# --- disposition -------------------------------------------------------------------------------


def lot_dispose(
    *,
    user,
    inspection: LotInspection,
    disposition: str,
    note: str = "",
    concession_reference: str = "",
    quantity_accepted=None,
    cost_amount=None,
    chargeback: bool = True,
) -> LotInspection:
    """Decide what happens to a rejected lot. Return to vendor and scrap reject the whole
    line; sorting accepts the good quantity found; use as is accepts it all under a
    concession. The quality hold is lifted, and finance matches the invoices again against
    what was accepted. A cost given is recorded as a cost event (charged back by default)."""
    require_perm(user, "quality.change_lotinspection")
    if disposition not in Disposition.values:
        raise InvalidInput(
            _("Choose a disposition."),
            fields={"disposition": [_("Choose return to vendor, sort, scrap or use as is.")]},
        )
    with transaction.atomic():
        inspection = LotInspection.objects.select_for_update().get(pk=inspection.pk)
        if inspection.status != LotStatus.REJECTED:
            raise Conflict(_("Only a rejected lot needs a disposition."))
        if inspection.disposition:
            raise Conflict(
                _("Lot %(number)s already has a disposition (%(d)s).")
                % {"number": inspection.number, "d": inspection.get_disposition_display()}
            )
        line = inspection.receipt_line
        received = line.quantity_received
        if disposition == Disposition.USE_AS_IS and not (concession_reference or "").strip():
            raise InvalidInput(
                _("Use as is needs the concession's reference."),
                fields={"concession_reference": [_("Give the concession's reference.")]},
            )
        accepted = {
            Disposition.RETURN_TO_VENDOR: Decimal(0),
            Disposition.SCRAP: Decimal(0),
            Disposition.USE_AS_IS: received,
        }.get(disposition)
        if disposition == Disposition.SORT:
            accepted = _sorted_quantity(quantity_accepted, received)
        before = snapshot(inspection)
        inspection.disposition = disposition
        inspection.disposition_note = (note or "").strip()
        inspection.concession_reference = (concession_reference or "").strip()[:60]
        inspection.disposed_at, inspection.disposed_by = timezone.now(), user
        inspection.save()
        record_change(actor=user, instance=inspection, action=AuditAction.UPDATE, before=before)
        receipt_line_inspect(
            user=user, line=line, accepted=accepted, rejected=received - accepted, on_hold=False
        )
        nc = getattr(inspection, "nonconformance", None)
        if nc is not None and received - accepted > 0:
            nc.quantity_affected, nc.unit = received - accepted, line.order_line.unit[:12]
            nc.save(update_fields=["quantity_affected", "unit", "updated_at"])
        if cost_amount not in (None, ""):
            from partnerdesk.quality.choices import CostKind
            from partnerdesk.quality.services.costs import cost_record

            cost_record(
                user=user,
                data={
                    "kind": CostKind.MATERIAL_LOSS
                    if disposition == Disposition.SCRAP
                    else CostKind.QUALITY_DEFECT,
                    "occurred_on": timezone.localdate(),
                    "amount": cost_amount,
                    "currency": line.order_line.order.currency,
                    "partner": inspection.partner,
                    "nonconformance": nc,
                    "lot_inspection": inspection,
                    "quantity": received - accepted or None,
                    "unit": line.order_line.unit[:12],
                    "description": _("%(d)s of lot %(number)s")
                    % {"d": inspection.get_disposition_display(), "number": inspection.number},
                    "chargeback": bool(chargeback),
                },
            )
    return inspection


def _sorted_quantity(raw, received: Decimal) -> Decimal:
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
        if not value.is_finite():
            raise InvalidOperation
    except (InvalidOperation, AttributeError):
        raise InvalidInput(
            _("Give the good quantity found by sorting."),
            fields={"quantity_accepted": [_("Enter a number.")]},
        ) from None
    if not 0 <= value <= received:
        raise InvalidInput(
            _("The good quantity must be from 0 to the %(n)s received.") % {"n": received},
            fields={"quantity_accepted": [_("0 to %(n)s.") % {"n": received}]},
        )
    return value
