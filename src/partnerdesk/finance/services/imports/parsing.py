"""Cell parsers of the document importers: numbers, dates and choices checked as text."""

import datetime
import re
from decimal import Decimal

from django.utils.translation import gettext as _

from partnerdesk.core.currencies import CURRENCIES
from partnerdesk.finance.choices import (
    InvoiceKind,
    MatchMode,
)
from partnerdesk.finance.services.import_files import Field

# --- reading values ---------------------------------------------------------------------------


class _Bad(Exception):
    """A cell that cannot be read; the message says why."""


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NONZERO = re.compile(r"[1-9]")
# (decimal places, digits before the point) of each kind of number: the model fields'.
_NUMBERS = {"qty": (3, 13), "price": (4, 12), "amount": (2, 14), "rate": (2, 3)}
_MATCH_MODES = {"2": "2way", "3": "3way", "4": "4way"}
_INVOICE_KINDS = {
    "invoice": InvoiceKind.INVOICE,
    "inv": InvoiceKind.INVOICE,
    "credit_note": InvoiceKind.CREDIT_NOTE,
    "creditnote": InvoiceKind.CREDIT_NOTE,
    "credit": InvoiceKind.CREDIT_NOTE,
    "cn": InvoiceKind.CREDIT_NOTE,
}


def _required():
    return _("This field is required.")


def _parser(f: Field, *, minimum: str = "nonneg"):
    """A function reading the field's cell text: the value, or ``_Bad`` with the reason.
    Numbers stay text (checked, normalised), as the database takes them; dates become
    ``datetime.date``."""
    required, limit = f.required, f.max_length
    if f.kind in ("text", "code"):

        def parse(text):
            text = text.strip()
            if not text:
                if required:
                    raise _Bad(_required())
                return ""
            if limit and len(text) > limit:
                raise _Bad(_("At most %(n)s characters.") % {"n": limit})
            return text

        return parse
    if f.kind == "int":

        def parse(text):
            text = text.strip()
            if not text:
                if required:
                    raise _Bad(_required())
                return None
            if text.isdigit() and text.isascii() and len(text) < 10:
                value = int(text)
                if value > 0:
                    return value
            raise _Bad(_("“%(value)s” is not a line number (1, 2, 3…).") % {"value": text[:40]})

        return parse
    if f.kind == "date":
        cache: dict[str, datetime.date] = {}

        def parse(text):
            value = cache.get(text)
            if value is not None:
                return value
            stripped = text.strip()
            if not stripped:
                if required:
                    raise _Bad(_required())
                return None
            try:
                if not _DATE.fullmatch(stripped):
                    raise ValueError(stripped)
                value = datetime.date.fromisoformat(stripped)
            except ValueError:
                raise _Bad(
                    _("“%(value)s” is not a date written YYYY-MM-DD.") % {"value": stripped[:40]}
                ) from None
            if len(cache) > 10_000:
                cache.clear()
            cache[text] = value
            return value

        return parse
    if f.kind == "currency":

        def parse(text):
            value = text.strip().upper()
            if value not in CURRENCIES:
                if not value and not required:
                    return ""
                raise _Bad(_("Unknown currency “%(value)s”.") % {"value": value[:40]})
            return value

        return parse
    if f.kind == "choice":
        return _choice_parser(f)
    places, digits = _NUMBERS[f.kind]
    fast = re.compile(rf"\d{{1,{digits}}}(?:\.\d{{1,{places}}})?")
    positive = minimum == "positive"

    def parse(text):
        if fast.fullmatch(text):
            if positive and not _NONZERO.search(text):
                raise _Bad(_("Must be more than zero."))
            return text
        stripped = text.strip()
        if not stripped:
            if required:
                raise _Bad(_required())
            return None
        return _number_slow(stripped, places, digits, positive)

    return parse


def _number_slow(text: str, places: int, digits: int, positive: bool) -> str:
    """The careful reading of a number the fast pattern did not take: why it is wrong, or its
    normalised text (a leading +, spaces around it, zeros past the decimal places)."""
    if re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text) is None:
        raise _Bad(
            _(
                "“%(value)s” is not a number; write it like 1234.56 (a point, no thousands "
                "separator)."
            )
            % {"value": text[:40]}
        )
    value = Decimal(text)
    if value < 0:
        raise _Bad(_("“%(value)s” is negative; it must not be.") % {"value": text[:40]})
    if positive and value == 0:
        raise _Bad(_("Must be more than zero."))
    step = Decimal(1).scaleb(-places)
    if value.as_tuple().exponent < -places:
        if value != value.quantize(step):
            raise _Bad(_("At most %(n)s decimal places.") % {"n": places})
        value = value.quantize(step)
    if value and value.adjusted() >= digits:
        raise _Bad(_("“%(value)s” is too large.") % {"value": text[:40]})
    return format(value, "f")


def _choice_parser(f: Field):
    if f.name == "match_mode":

        def parse(text):
            value = re.sub(r"[\s\-_]", "", text.strip().lower())
            if not value:
                return None
            value = _MATCH_MODES.get(value.removesuffix("way"), value)
            if value not in MatchMode.values:
                raise _Bad(_("“%(value)s”: choose 2way, 3way or 4way.") % {"value": text[:40]})
            return value

        return parse

    def parse(text):
        value = re.sub(r"[\s\-]+", "_", text.strip().lower())
        if not value:
            return InvoiceKind.INVOICE
        kind = _INVOICE_KINDS.get(value)
        if kind is None:
            raise _Bad(_("“%(value)s”: choose invoice or credit_note.") % {"value": text[:40]})
        return kind

    return parse


def _as_decimal(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(value)
