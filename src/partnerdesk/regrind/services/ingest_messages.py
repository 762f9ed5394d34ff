"""The words for what an ingest found: engines return codes with parameters, people read
these (translated when shown, so a stored refusal reads in the reader's language)."""

from django.utils.translation import gettext_lazy as _

FIELD_LABELS = {
    "machine": _("machine"),
    "timestamp": _("timestamp"),
    "batch": _("batch"),
    "regrind_kg": _("regrind (kg)"),
    "virgin_kg": _("virgin (kg)"),
    "ratio": _("ratio (%)"),
    "": _("row"),
}

ISSUES = {
    "missing": _("%(label)s is missing."),
    "unknown_machine": _("Unknown machine id “%(value)s”."),
    "inactive_machine": _("Machine “%(value)s” is inactive; its readings are not taken."),
    "not_a_time": _(
        "“%(value)s” is not a time: use YYYY-MM-DD HH:MM[:SS], optionally with Z or an offset "
        "such as +08:00."
    ),
    "future": _("%(value)s lies in the future."),
    "not_a_number": _("“%(value)s” is not a number."),
    "negative": _("A mass cannot be negative (%(value)s)."),
    "ratio_range": _("A ratio lies between 0 and 100 %% (got %(value)s)."),
    "no_ratio": _("Give the ratio, or both the regrind and the virgin mass."),
    "zero_mass": _("Regrind and virgin mass are both zero."),
    "mismatch": _("The ratio %(ratio)s %% does not match the masses (%(computed)s %%)."),
    "too_long": _("At most %(max)s characters."),
    "field_count": _("The row does not have the %(expected)s fields of the header."),
    "out_of_order": _(
        "Out of order: earlier than the unit's previous reading (%(previous)s) and not stored "
        "before."
    ),
}

HEADERS = {
    "empty": _("The file is empty."),
    "not_csv": _("This is not a CSV file (it contains binary data)."),
    "not_utf8": _("The file is not UTF-8 text (line %(line)s)."),
    "missing_column": _(
        "The header has no “%(field)s” column (found: %(found)s). Name the columns machine, "
        "timestamp, batch, regrind_kg, virgin_kg and ratio."
    ),
    "duplicate_column": _("Two columns of the header mean “%(field)s”."),
    "no_ratio_columns": _(
        "The header needs a ratio column, or both regrind_kg and virgin_kg (found: %(found)s)."
    ),
    "quoted_newline": _(
        "A quoted field spans several lines near line %(line)s; one reading per line, please."
    ),
}


def issue_message(code: str, field: str, params: dict) -> str:
    template = ISSUES.get(code)
    if template is None:
        return code
    values = {"label": FIELD_LABELS.get(field, field), **params}
    try:
        return str(template) % values
    except (KeyError, TypeError, ValueError):
        return str(template)


def header_message(code: str, params: dict) -> str:
    template = HEADERS.get(code, code)
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return str(template)


def describe(errors: list[dict]) -> list[dict]:
    """A stored refusal's errors with their messages, for pages and the API."""
    return [
        {
            "field": e.get("field", ""),
            "code": e.get("code", ""),
            "message": issue_message(e.get("code", ""), e.get("field", ""), e.get("params", {})),
        }
        for e in errors
    ]
