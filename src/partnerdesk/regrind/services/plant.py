"""Writes of the plant set-up: production lines, dosing units, products, the product running
on a line, shifts and the teams on shift (one assignment at a time, or a generated roster).

Codes are natural keys (a dosing unit's code is the machine id its readings carry), so they
are set when a record is created and not changed after: replace a unit by a new one and
deactivate the old one. Every write checks the permission, validates, saves in a transaction
and writes its audit row in the same transaction.
"""

import datetime
from bisect import bisect_right
from itertools import pairwise

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerdesk.audit.crud import audited_create, audited_delete, audited_update
from partnerdesk.audit.models import AuditAction
from partnerdesk.audit.services import record_change
from partnerdesk.core.errors import Conflict, InvalidInput
from partnerdesk.core.services import require_perm
from partnerdesk.regrind.models import (
    DosingUnit,
    ProductionLine,
    ProductRun,
    RegrindProduct,
    Shift,
    ShiftAssignment,
)
from partnerdesk.regrind.selectors_plant import (  # re-exported for the readings side
    company_tz,
    product_run_at as product_run_at,
    team_on_shift as team_on_shift,
)

LINE_FIELDS = {"code", "name", "manager", "is_active", "notes"}
UNIT_FIELDS = {"line", "code", "name", "is_active"}
PRODUCT_FIELDS = {
    "code",
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
}
SHIFT_FIELDS = {"code", "name", "start_time", "hours"}
# A roster covers at most a year, an assignment at most a day.
MAX_ROSTER_DAYS = 366
MAX_ASSIGNMENT = datetime.timedelta(hours=24)


def _field_error(error_class, field: str, message: str):
    return error_class(message, fields={field: [message]})


def _local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment, company_tz()).strftime("%Y-%m-%d %H:%M")


def _require_aware(field: str, value) -> None:
    if value is None:
        raise _field_error(InvalidInput, field, _("This field is required."))
    if timezone.is_naive(value):
        raise _field_error(InvalidInput, field, _("Give the time with its time zone (UTC offset)."))


def _lock(line: ProductionLine) -> ProductionLine:
    """Lock the line's row: starts of runs and assignments of one line go one after the
    other, so two requests cannot both find a slot free."""
    return ProductionLine.objects.select_for_update().get(pk=line.pk)


# --- lines, units, products, shifts ------------------------------------------------------------


def line_create(*, user, data: dict) -> ProductionLine:
    return audited_create(user=user, model=ProductionLine, data=data, allowed=LINE_FIELDS)


def line_update(*, user, line: ProductionLine, data: dict) -> ProductionLine:
    return audited_update(user=user, instance=line, data=data, allowed=LINE_FIELDS - {"code"})


def unit_create(*, user, data: dict) -> DosingUnit:
    return audited_create(user=user, model=DosingUnit, data=data, allowed=UNIT_FIELDS)


def unit_update(*, user, unit: DosingUnit, data: dict) -> DosingUnit:
    """A unit may move to another line: readings already stored keep the line they were
    stamped with."""
    return audited_update(user=user, instance=unit, data=data, allowed=UNIT_FIELDS - {"code"})


def product_create(*, user, data: dict) -> RegrindProduct:
    """Prices are in ``currency``, the company's default currency when none is given."""
    data = dict(data)
    if not data.get("currency"):
        data["currency"] = settings.DEFAULT_CURRENCY
    return audited_create(user=user, model=RegrindProduct, data=data, allowed=PRODUCT_FIELDS)


def product_update(*, user, product: RegrindProduct, data: dict) -> RegrindProduct:
    data = dict(data)
    if "currency" in data and not data["currency"]:
        data["currency"] = settings.DEFAULT_CURRENCY
    return audited_update(user=user, instance=product, data=data, allowed=PRODUCT_FIELDS - {"code"})


def shift_create(*, user, data: dict) -> Shift:
    return audited_create(user=user, model=Shift, data=data, allowed=SHIFT_FIELDS)


def shift_update(*, user, shift: Shift, data: dict) -> Shift:
    """Assignments already written keep their times; new rosters use the new ones."""
    return audited_update(user=user, instance=shift, data=data, allowed=SHIFT_FIELDS - {"code"})


# --- product runs ------------------------------------------------------------------------------


def product_run_start(
    *, user, line: ProductionLine, product: RegrindProduct, starts_at: datetime.datetime
) -> ProductRun:
    """``product`` runs on ``line`` from ``starts_at``: the line's open run ends there. A start
    before the open run's (entering the past) makes a run that ends where the next one
    starts; a start inside an earlier, closed run is refused."""
    require_perm(user, "regrind.add_productrun")
    _require_aware("starts_at", starts_at)
    if not product.is_active:
        raise _field_error(InvalidInput, "product", _("This product is inactive."))
    with transaction.atomic():
        line = _lock(line)
        if not line.is_active:
            raise _field_error(InvalidInput, "line", _("This line is inactive."))
        runs = ProductRun.objects.filter(line=line).select_related("product")
        inside = runs.filter(starts_at__lt=starts_at, ends_at__gt=starts_at).first()
        if inside is not None:
            raise _field_error(
                InvalidInput,
                "starts_at",
                _(
                    "%(product)s ran on %(line)s from %(start)s to %(end)s: a run cannot "
                    "start inside an earlier run."
                )
                % {
                    "product": inside.product.code,
                    "line": line.code,
                    "start": _local(inside.starts_at),
                    "end": _local(inside.ends_at),
                },
            )
        same = runs.filter(starts_at=starts_at).first()
        if same is not None:
            raise _field_error(
                Conflict,
                "starts_at",
                _("%(product)s already starts on %(line)s at %(start)s.")
                % {"product": same.product.code, "line": line.code, "start": _local(starts_at)},
            )
        running = runs.filter(ends_at__isnull=True, starts_at__lt=starts_at).first()
        if running is not None and running.product_id == product.pk:
            raise _field_error(
                Conflict,
                "product",
                _("%(product)s is already running on %(line)s since %(start)s.")
                % {
                    "product": product.code,
                    "line": line.code,
                    "start": _local(running.starts_at),
                },
            )
        following = runs.filter(starts_at__gt=starts_at).order_by("starts_at").first()
        if running is not None:
            require_perm(user, "regrind.change_productrun")
            audited_update(
                user=user, instance=running, data={"ends_at": starts_at}, allowed={"ends_at"}
            )
        return audited_create(
            user=user,
            model=ProductRun,
            data={
                "product": product,
                "starts_at": starts_at,
                "ends_at": following.starts_at if following is not None else None,
            },
            allowed={"product", "starts_at", "ends_at"},
            line=line,
        )


# --- shift assignments -------------------------------------------------------------------------


def shift_slot(shift: Shift, day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """When ``shift`` runs on ``day``: from its start time in the company time zone, ``hours``
    of elapsed time long (a night shift ends the next day)."""
    local = datetime.datetime.combine(day, shift.start_time, tzinfo=company_tz())
    starts = local.astimezone(datetime.UTC)
    return starts, starts + datetime.timedelta(hours=shift.hours)


def _describe(assignment: ShiftAssignment) -> str:
    values = {
        "team": assignment.team.name,
        "start": _local(assignment.starts_at),
        "end": _local(assignment.ends_at),
    }
    if assignment.shift_id:
        return _("%(team)s, %(shift)s shift from %(start)s to %(end)s") % {
            **values,
            "shift": assignment.shift.name,
        }
    return _("%(team)s from %(start)s to %(end)s") % values


def assignment_create(
    *,
    user,
    line: ProductionLine,
    team,
    shift: Shift | None = None,
    day: datetime.date | None = None,
    starts_at: datetime.datetime | None = None,
    ends_at: datetime.datetime | None = None,
) -> ShiftAssignment:
    """Put ``team`` on shift on ``line``: from ``starts_at`` to ``ends_at``, or, without them,
    for ``shift`` on ``day``. It may not overlap another assignment of the line."""
    require_perm(user, "regrind.add_shiftassignment")
    if starts_at is None and ends_at is None:
        if shift is None or day is None:
            raise _field_error(
                InvalidInput, "starts_at", _("Give the start and end, or a shift and a day.")
            )
        starts_at, ends_at = shift_slot(shift, day)
    _require_aware("starts_at", starts_at)
    _require_aware("ends_at", ends_at)
    if ends_at <= starts_at:
        raise _field_error(InvalidInput, "ends_at", _("The end must be after the start."))
    if ends_at - starts_at > MAX_ASSIGNMENT:
        raise _field_error(InvalidInput, "ends_at", _("An assignment lasts at most 24 hours."))
    with transaction.atomic():
        line = _lock(line)
        clash = (
            ShiftAssignment.objects.filter(line=line, starts_at__lt=ends_at, ends_at__gt=starts_at)
            .select_related("team", "shift")
            .order_by("starts_at")
            .first()
        )
        if clash is not None:
            raise _field_error(
                Conflict,
                "starts_at",
                _("This overlaps the assignment of %(clash)s on %(line)s.")
                % {"clash": _describe(clash), "line": line.code},
            )
        return audited_create(
            user=user,
            model=ShiftAssignment,
            data={"team": team, "shift": shift, "starts_at": starts_at, "ends_at": ends_at},
            allowed={"team", "shift", "starts_at", "ends_at"},
            line=line,
        )


def assignment_delete(*, user, assignment: ShiftAssignment) -> None:
    """Readings already stamped with the team keep it."""
    audited_delete(user=user, instance=assignment)


def _start_key(shift: Shift):
    return (shift.start_time, shift.code)


def _roster_errors(teams, shifts, start, end, rotation_days) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not teams:
        errors["teams"] = [_("Choose the teams of the rotation.")]
    elif len({team.pk for team in teams}) != len(teams):
        errors["teams"] = [_("A team is named twice.")]
    elif shifts and len(teams) < len(shifts):
        errors["teams"] = [
            _("Give at least as many teams as shifts: a team cannot work two shifts a day.")
        ]
    if not shifts:
        errors["shifts"] = [_("Choose the shifts to fill.")]
    elif len({shift.pk for shift in shifts}) != len(shifts):
        errors["shifts"] = [_("A shift is named twice.")]
    if start is None or end is None:
        errors["end"] = [_("Give the first and the last day.")]
    elif end < start:
        errors["end"] = [_("The last day cannot be before the first.")]
    elif (end - start).days + 1 > MAX_ROSTER_DAYS:
        errors["end"] = [_("A roster covers at most %(days)s days.") % {"days": MAX_ROSTER_DAYS}]
    if not 1 <= rotation_days <= MAX_ROSTER_DAYS:
        errors["rotation_days"] = [
            _("Rotate every 1 to %(days)s days.") % {"days": MAX_ROSTER_DAYS}
        ]
    return errors


def roster_slots(*, teams, shifts, start: datetime.date, end: datetime.date, rotation_days=7):
    """The (starts, ends, team, shift) of every day from ``start`` to ``end`` and every shift,
    in time order. Shifts are taken by start time; in the n-th period of ``rotation_days``
    days shift i goes to team (i - n) mod len(teams): each period every team moves on to the
    next shift (early → late → night), and teams beyond the shifts are off."""
    shifts = sorted(shifts, key=_start_key)
    slots = []
    for offset in range((end - start).days + 1):
        day = start + datetime.timedelta(days=offset)
        period = offset // rotation_days
        for index, shift in enumerate(shifts):
            starts, ends = shift_slot(shift, day)
            slots.append((starts, ends, teams[(index - period) % len(teams)], shift))
    slots.sort(key=lambda slot: slot[0])
    return slots


def roster_generate(
    *,
    user,
    line: ProductionLine,
    teams,
    shifts,
    start: datetime.date,
    end: datetime.date,
    rotation_days: int = 7,
) -> int:
    """Put ``teams`` on ``shifts`` of ``line`` for every day from ``start`` to ``end``,
    rotating every ``rotation_days`` days (see ``roster_slots``). Slots that overlap an
    assignment already there are skipped. One transaction, one insert, one audit row on the
    line; returns how many assignments were written."""
    require_perm(user, "regrind.add_shiftassignment")
    teams, shifts = list(teams), list(shifts)
    errors = _roster_errors(teams, shifts, start, end, rotation_days)
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], fields=errors)
    slots = roster_slots(
        teams=teams, shifts=shifts, start=start, end=end, rotation_days=rotation_days
    )
    for first, second in pairwise(slots):
        if second[0] < first[1]:
            message = _(
                "The shifts %(first)s and %(second)s overlap (%(start)s): a line has one "
                "team at a time."
            ) % {"first": first[3].name, "second": second[3].name, "start": _local(second[0])}
            raise _field_error(InvalidInput, "shifts", message)
    with transaction.atomic():
        line = _lock(line)
        taken = list(
            ShiftAssignment.objects.filter(
                line=line, starts_at__lt=slots[-1][1], ends_at__gt=slots[0][0]
            )
            .order_by("starts_at")
            .values_list("starts_at", "ends_at")
        )
        # Assignments of a line do not overlap: ordered by start, their ends are ordered too.
        ends = [taken_end for _taken_start, taken_end in taken]
        new = []
        for starts, slot_end, team, shift in slots:
            index = bisect_right(ends, starts)
            if index < len(taken) and taken[index][0] < slot_end:
                continue
            new.append(
                ShiftAssignment(
                    line=line, team=team, shift=shift, starts_at=starts, ends_at=slot_end
                )
            )
        ShiftAssignment.objects.bulk_create(new, batch_size=500)
        if new:
            summary = _(
                "%(count)s assignments from %(start)s to %(end)s: %(teams)s on %(shifts)s, "
                "rotating every %(days)s days (%(skipped)s slots already taken)"
            ) % {
                "count": len(new),
                "start": start.isoformat(),
                "end": end.isoformat(),
                "teams": ", ".join(team.name for team in teams),
                "shifts": ", ".join(shift.name for shift in sorted(shifts, key=_start_key)),
                "days": rotation_days,
                "skipped": len(slots) - len(new),
            }
            record_change(
                actor=user,
                instance=line,
                action=AuditAction.UPDATE,
                before={"roster": None},
                after={"roster": summary},
            )
    return len(new)
