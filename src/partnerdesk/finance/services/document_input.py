"""Reading a document's fields from a form, API or import dict: every problem is collected, keyed
by field (``lines.<n>.<field>`` for lines), before anything is written.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from partnerdesk.core.currencies import CURRENCIES
from partnerdesk.core.errors import InvalidInput

MAX_LINES = 2000
# (digits before the decimal point, decimal places) the columns hold: a value that does not
# fit is refused on its field instead of failing in the database.
QUANTITY, PRICE, MONEY, RATE = (13, 3), (12, 4), (14, 2), (3, 2)


class _Problems:
    """Collects field problems; ``raise_if_any`` raises one InvalidInput with all of them."""

    def __init__(self):
        self.fields: dict[str, list[str]] = {}

    def add(self, name: str, message: str) -> None:
        self.fields.setdefault(name, []).append(str(message))

    def raise_if_any(self, what: str) -> None:
        if self.fields:
            first = next(iter(self.fields.items()))
            raise InvalidInput(
                _("The %(what)s has %(n)s problem(s); first: %(field)s: %(message)s")
                % {"what": what, "n": len(self.fields), "field": first[0], "message": first[1][0]},
                fields=self.fields,
            )


def _decimal(
    problems, data, name, key, *, required=True, positive=False, nonneg=False, digits=MONEY
):
    value = data.get(name)
    if value in (None, ""):
        if required:
            problems.add(key, _("This field is required."))
        return None
    try:
        value = Decimal(str(value).strip().replace(",", ""))
    except ArithmeticError:
        problems.add(key, _("“%(value)s” is not a number.") % {"value": value})
        return None
    if not value.is_finite():
        problems.add(key, _("Enter a finite number."))
        return None
    whole, places = digits
    if value.adjusted() < whole:
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if value.adjusted() >= whole:
        problems.add(key, _("At most %(n)s digits before the decimal point.") % {"n": whole})
        return None
    if positive and value <= 0:
        problems.add(key, _("Must be more than zero."))
    elif nonneg and value < 0:
        problems.add(key, _("Must not be negative."))
    return value


def _date(problems, data, name, key=None, *, required=True):
    key = key or name
    value = data.get(name)
    if value in (None, ""):
        if required:
            problems.add(key, _("This field is required."))
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        problems.add(key, _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": value})
        return None


def _text(problems, data, name, key=None, *, required=False, max_length=200) -> str:
    key = key or name
    value = str(data.get(name) or "").strip()
    if required and not value:
        problems.add(key, _("This field is required."))
    if len(value) > max_length:
        problems.add(key, _("At most %(n)s characters.") % {"n": max_length})
    return value


def _currency(problems, data) -> str:
    value = str(data.get("currency") or "").strip().upper()
    if value not in CURRENCIES:
        problems.add("currency", _("Unknown currency “%(value)s”.") % {"value": value})
    return value


def _lines(problems, data) -> list[dict]:
    lines = data.get("lines") or []
    if not lines:
        problems.add("lines", _("Add at least one line."))
    if len(lines) > MAX_LINES:
        problems.add("lines", _("At most %(n)s lines per document.") % {"n": MAX_LINES})
    return lines


def _partner(user, value, problems):
    from partnerdesk.partners.models import Partner

    if isinstance(value, Partner):
        return value
    try:
        partner = Partner.objects.restrict(user).filter(pk=value).first() if value else None
    except (TypeError, ValueError):
        partner = None
    if partner is None:
        problems.add("partner", _("Unknown partner."))
    return partner
