"""Reads of the plant set-up for pages and endpoints, always through ``restrict``; and two
helpers for the readings side (no user: internal lookups) answering which product ran and
which team was on shift on a line at a moment."""

import datetime
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import CharField, Count, OuterRef, Q, Subquery, Value
from django.utils import timezone

from partnerdesk.core.permissions import can
from partnerdesk.organisation.models import Person, Team
from partnerdesk.regrind.models import (
    DosingUnit,
    ProductionLine,
    ProductRun,
    RegrindProduct,
    Shift,
    ShiftAssignment,
)


def company_tz() -> ZoneInfo:
    """The company's time zone (``settings.TIME_ZONE``): shifts start in it, rosters and
    weeks are laid out in it."""
    return ZoneInfo(settings.TIME_ZONE)


# --- what covers a moment ----------------------------------------------------------------------


def team_on_shift(line, at: datetime.datetime) -> ShiftAssignment | None:
    """The assignment of ``line`` covering the moment ``at`` (start included, end excluded),
    or None. Assignments of a line never overlap, so there is at most one."""
    return (
        ShiftAssignment.objects.filter(line=line, starts_at__lte=at, ends_at__gt=at)
        .select_related("team", "shift")
        .order_by("-starts_at")
        .first()
    )


def product_run_at(line, at: datetime.datetime) -> ProductRun | None:
    """The product run of ``line`` at the moment ``at`` (an open run covers every later
    moment), or None."""
    return (
        ProductRun.objects.filter(line=line, starts_at__lte=at)
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=at))
        .select_related("product")
        .order_by("-starts_at")
        .first()
    )


# --- lines -------------------------------------------------------------------------------------


def _with_now(queryset, user, now: datetime.datetime):
    """Annotate lines with their unit count, the product running and the team on shift now
    (empty when the user may not see runs or assignments)."""
    none = Value(None, output_field=CharField())
    queryset = queryset.annotate(unit_count=Count("units", distinct=True))
    if can(user, "view", ProductRun):
        run = (
            ProductRun.objects.filter(line=OuterRef("pk"), starts_at__lte=now)
            .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
            .order_by("-starts_at")
        )
        queryset = queryset.annotate(
            product_now_code=Subquery(run.values("product__code")[:1]),
            product_now_name=Subquery(run.values("product__name")[:1]),
        )
    else:
        queryset = queryset.annotate(product_now_code=none, product_now_name=none)
    if can(user, "view", ShiftAssignment):
        duty = ShiftAssignment.objects.filter(
            line=OuterRef("pk"), starts_at__lte=now, ends_at__gt=now
        ).order_by("-starts_at")
        queryset = queryset.annotate(team_now=Subquery(duty.values("team__name")[:1]))
    else:
        queryset = queryset.annotate(team_now=none)
    return queryset


def line_list(*, user, now: datetime.datetime | None = None):
    return _with_now(
        ProductionLine.objects.restrict(user).select_related("manager"),
        user,
        now or timezone.now(),
    )


def line_get(*, user, pk, action: str = "view") -> ProductionLine:
    return _with_now(
        ProductionLine.objects.restrict(user, action).select_related("manager"),
        user,
        timezone.now(),
    ).get(pk=pk)


def line_choices(*, user, active_only: bool = True):
    lines = ProductionLine.objects.restrict(user)
    return lines.filter(is_active=True) if active_only else lines


# --- units, products, shifts -------------------------------------------------------------------


def unit_list(*, user):
    return DosingUnit.objects.restrict(user).select_related("line")


def unit_get(*, user, pk, action: str = "view") -> DosingUnit:
    return DosingUnit.objects.restrict(user, action).select_related("line").get(pk=pk)


def product_list(*, user):
    return RegrindProduct.objects.restrict(user)


def product_get(*, user, pk, action: str = "view") -> RegrindProduct:
    return RegrindProduct.objects.restrict(user, action).get(pk=pk)


def product_choices(*, user):
    return RegrindProduct.objects.restrict(user).filter(is_active=True)


def shift_list(*, user):
    return Shift.objects.restrict(user)


def shift_get(*, user, pk, action: str = "view") -> Shift:
    return Shift.objects.restrict(user, action).get(pk=pk)


# --- product runs and assignments --------------------------------------------------------------


def run_list(*, user):
    return ProductRun.objects.restrict(user).select_related("line", "product")


def run_get(*, user, pk, action: str = "view") -> ProductRun:
    return ProductRun.objects.restrict(user, action).select_related("line", "product").get(pk=pk)


def assignment_list(*, user):
    return ShiftAssignment.objects.restrict(user).select_related("line", "team", "shift")


def assignment_get(*, user, pk, action: str = "view") -> ShiftAssignment:
    return (
        ShiftAssignment.objects.restrict(user, action)
        .select_related("line", "team", "shift")
        .get(pk=pk)
    )


def team_choices(*, user):
    return Team.objects.restrict(user).select_related("department")


def people_choices(*, user):
    return Person.objects.restrict(user).filter(is_active=True)


# --- the roster of a week ----------------------------------------------------------------------


@dataclass
class RosterDay:
    day: datetime.date
    cells: list[list[ShiftAssignment]]  # one list per shift column
    others: list[ShiftAssignment] = field(default_factory=list)  # no shift, or another one


def week_start(day: datetime.date) -> datetime.date:
    """The Monday of the week of ``day``."""
    return day - datetime.timedelta(days=day.weekday())


def roster_week(*, user, line, monday: datetime.date, shifts: list[Shift]) -> list[RosterDay]:
    """The assignments of ``line`` starting in the week from ``monday`` (company time zone),
    as a grid of days by ``shifts``: each assignment lands in the row of the day it starts and
    the column of its shift; one without a shift (or of a shift not shown) under others."""
    tz = company_tz()
    first = datetime.datetime.combine(monday, datetime.time(), tzinfo=tz)
    last = datetime.datetime.combine(
        monday + datetime.timedelta(days=7), datetime.time(), tzinfo=tz
    )
    rows = (
        assignment_list(user=user)
        .filter(line=line, starts_at__gte=first, starts_at__lt=last)
        .order_by("starts_at")
    )
    column = {shift.pk: index for index, shift in enumerate(shifts)}
    days = [
        RosterDay(day=monday + datetime.timedelta(days=offset), cells=[[] for _shift in shifts])
        for offset in range(7)
    ]
    for assignment in rows:
        day = timezone.localtime(assignment.starts_at, tz).date()
        target = days[(day - monday).days]
        if assignment.shift_id in column:
            target.cells[column[assignment.shift_id]].append(assignment)
        else:
            target.others.append(assignment)
    return days
