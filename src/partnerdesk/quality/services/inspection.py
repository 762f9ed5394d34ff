"""Incoming inspection: opening a lot inspection on a receipt line with the plan of ISO 2859-1,
deciding the lot from its readings, the switching rules, and disposing of a rejected lot. The
receipt line's accepted and rejected quantities and its quality hold go to finance through
``receipt_line_inspect``, which rematches the invoices waiting for payment. Standards are in
``standards``, readings in ``readings`` (both re-exported here)."""

from collections import Counter
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerdesk.audit.models import AuditAction
from partnerdesk.audit.services import record_change, snapshot
from partnerdesk.core.errors import Conflict, InvalidInput
from partnerdesk.core.services import require_perm
from partnerdesk.finance.models import GoodsReceiptLine
from partnerdesk.finance.services.documents import receipt_line_inspect
from partnerdesk.quality.choices import (
    Disposition,
    LotStatus,
    Severity,
)
from partnerdesk.quality.engines import sampling
from partnerdesk.quality.models import (
    InspectionStandard,
    LotInspection,
    SamplingState,
)
from partnerdesk.quality.services.numbers import save_numbered
from partnerdesk.quality.services.readings import (  # re-exported for callers
    MAX_READING_ROWS as MAX_READING_ROWS,
    ReadingRow as ReadingRow,
    _missing,
    _open_inspection,
    readings_import as readings_import,
    readings_record as readings_record,
)
from partnerdesk.quality.services.standards import (  # re-exported for callers
    PARAMETER_FIELDS as PARAMETER_FIELDS,
    STANDARD_FIELDS as STANDARD_FIELDS,
    STANDARD_UPDATE_FIELDS as STANDARD_UPDATE_FIELDS,
    parameter_add as parameter_add,
    parameter_delete as parameter_delete,
    parameter_update as parameter_update,
    standard_create as standard_create,
    standard_for as standard_for,
    standard_update as standard_update,
)

COUNTED_UNITS = {"pcs", "pc", "ea", "each", "unit", "units", "pieces", "bags", "boxes"}


# --- standards ---------------------------------------------------------------------------------


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
    """The defect type of the lot: of the parameters with nonconforming units that name a
    defect type, the one with the most such units (first by position on a tie); "OTHER" when
    none names one."""
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
            nc_before = snapshot(nc)
            nc.quantity_affected, nc.unit = received - accepted, line.order_line.unit[:12]
            nc.save(update_fields=["quantity_affected", "unit", "updated_at"])
            record_change(actor=user, instance=nc, action=AuditAction.UPDATE, before=nc_before)
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
