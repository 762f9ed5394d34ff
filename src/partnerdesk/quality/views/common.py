"""Small pieces the quality pages share: a row or 404, a permission or 404, the months of the
charts, and calling a service from a form whose fields are not the service's arguments."""

import datetime

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404

from partnerdesk.core.errors import ApplicationError


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


def int_or_none(value) -> int | None:
    value = str(value or "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


def place_errors(form, exc: ApplicationError) -> None:
    """Put a service's errors on ``form``: its message at the top (it says what is wrong as a
    whole, e.g. "The file has no column parameter"), its field errors next to their fields or,
    for fields the form does not have, under the message. A message that only repeats the
    field errors (a model validation's summary) is left out."""
    summary = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in exc.fields.items())
    if exc.message != summary or not exc.fields:
        form.add_error(None, exc.message)
    for name, msgs in exc.fields.items():
        for msg in msgs:
            if name in form.fields:
                form.add_error(name, msg)
            elif msg != exc.message:
                form.add_error(None, msg)


def run(request, form, call, *, success_message=None):
    """Validate ``form``, then ``call(cleaned_data)``. Errors land on the form; returns the
    result, or None."""
    if not form.is_valid():
        return None
    try:
        result = call(form.cleaned_data)
    except ApplicationError as exc:
        place_errors(form, exc)
        return None
    if success_message:
        messages.success(request, success_message)
    return result


def month_starts(today: datetime.date, count: int) -> list[datetime.date]:
    """The first days of the last ``count`` months, oldest first, this month last."""
    year, month = today.year, today.month
    starts = []
    for _ in range(count):
        starts.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]
