"""What the quality API modules share: the error responses and how a body's ids are read."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from partnerdesk.core.errors import InvalidInput
from partnerdesk.quality import selectors

ERRORS = {400: dict, 401: dict, 403: dict, 404: dict, 409: dict, 422: dict}
# The largest CSV file of readings taken (a sample of 2,000 units with a dozen parameters is
# well under 2 MB).
MAX_IMPORT_BYTES = 10 * 1024 * 1024


def changes(payload) -> dict:
    """The fields a PATCH body sets (a field left out keeps its value)."""
    return payload.dict(exclude_unset=True)


def named(queryset: QuerySet, field: str, message: str, pk: int):
    """The row a request body names, or a 422 on that field (a row the user may not see reads
    the same as a missing one)."""
    row = queryset.filter(pk=pk).first()
    if row is None:
        raise InvalidInput(message, fields={field: [message]})
    return row


def resolve(data: dict, refs: dict[str, tuple[QuerySet, str]]) -> dict:
    """Replace the ids in ``data`` by the rows they name; ``refs`` maps a field to the
    queryset it is looked up in and the message when it is not there. A null stays null."""
    for field, (queryset, message) in refs.items():
        if data.get(field) is not None:
            data[field] = named(queryset, field, message, data[field])
    return data


def staff_ref(codename: str) -> tuple[QuerySet, str]:
    """Auditors, inspectors and owners: active staff (not partner users) holding
    ``quality.<codename>``, as the pages offer them."""
    return selectors.quality_staff(codename), _("Choose an active staff user who may do this.")
