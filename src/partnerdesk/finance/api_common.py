"""What the finance API modules share: the error responses and how a body's ids are read."""

from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from partnerdesk.core.errors import ApplicationError, InvalidInput, NotFound
from partnerdesk.core.permissions import can

ERRORS = {400: dict, 401: dict, 403: dict, 404: dict, 409: dict, 422: dict}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _named(queryset, field: str, message: str, **lookup):
    """The row a request body names, or a 422 on that field (an invisible row reads the same
    as a missing one)."""
    row = queryset.filter(**lookup).first()
    if row is None:
        raise InvalidInput(message, fields={field: [message]})
    return row


@contextmanager
def _renamed(names: dict[str, str]):
    """Service errors about a field the body names differently (``credit_note`` is given as
    ``credit_note_id``)."""
    try:
        yield
    except ApplicationError as exc:
        if not names.keys() & exc.fields.keys():
            raise
        fields = {names.get(k, k): v for k, v in exc.fields.items()}
        raise type(exc)(exc.message, fields=fields, code=exc.code) from exc


def _visible(user, model) -> None:
    """A 404 for users who may not see ``model`` at all (partner users and the checklist,
    the payment reasons, deductions)."""
    if not can(user, "view", model):
        raise NotFound(_("Not found."))


def _internal_user(pk: int | None, field: str):
    """An active internal user (exception owners and finders are staff, not partner users)."""
    if pk is None:
        return None
    return _named(
        get_user_model().objects.filter(is_active=True, partner__isnull=True),
        field,
        _("Unknown user."),
        pk=pk,
    )
