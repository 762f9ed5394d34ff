"""Monthly periods: parsing ``2026-10`` and the first and last day of a month."""

import calendar
import datetime
import re

from django.utils.translation import gettext as _

from partnerdesk.core.errors import InvalidInput

_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


def parse_period(text: str) -> datetime.date:
    """``"2026-10"`` → 2026-10-01; a clear error for anything else."""
    match = _PERIOD.match((text or "").strip())
    if not match or not 1 <= int(match[2]) <= 12 or not 1900 <= int(match[1]) <= 2999:
        message = _("A period is written YYYY-MM, for example 2026-10.")
        raise InvalidInput(message, fields={"period": [message]})
    return datetime.date(int(match[1]), int(match[2]), 1)


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def next_month(day: datetime.date) -> datetime.date:
    return month_end(day) + datetime.timedelta(days=1)


def previous_month(day: datetime.date) -> datetime.date:
    return month_start(month_start(day) - datetime.timedelta(days=1))


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, current = [], month_start(first)
    while current <= last:
        months.append(current)
        current = next_month(current)
    return months
