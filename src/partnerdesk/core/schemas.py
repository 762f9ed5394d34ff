"""Base classes for what the API reads: request bodies, forms and list filters.

They refuse text holding a NUL character (``\\x00``) as a 422 on that field. PostgreSQL cannot
store or compare such text, so it used to fail in the database as a server error; Django's form
fields refuse it already, so the UI and the API now answer alike.
"""

from ninja import FilterSchema, Schema
from pydantic import field_validator

NUL_MESSAGE = "Text must not contain NUL (\\x00) characters."


def has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple | set):
        return any(has_nul(v) for v in value)
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    return False


def refuse_nul(value):
    if has_nul(value):
        raise ValueError(NUL_MESSAGE)
    return value


class InputSchema(Schema):
    """A request body or form read by the API."""

    @field_validator("*")
    @classmethod
    def _refuse_nul(cls, value):
        return refuse_nul(value)


class InputFilterSchema(FilterSchema):
    """The filters of a list (a page's query string or an API endpoint's)."""

    @field_validator("*")
    @classmethod
    def _refuse_nul(cls, value):
        return refuse_nul(value)
