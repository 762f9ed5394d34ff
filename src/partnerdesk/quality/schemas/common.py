"""Field types the quality API schemas share.

Decimals go out as strings with the column's decimal places (limits and readings 4, weights,
percentages and money 2, quantities and AQL 3), money next to its currency; times are aware
ISO 8601. Input ids are bounded to what the database holds, decimals to their column (NaN and
Infinity refused), texts to their column's length.
"""

import datetime
import enum
import math
from decimal import Decimal
from typing import Annotated

from ninja import Field
from pydantic import AfterValidator, BeforeValidator, StringConstraints, WithJsonSchema

from partnerdesk.contracts.schemas import Fixed
from partnerdesk.quality.choices import Severity

Reading = Fixed(4)
Weight = Fixed(2)
Percent2 = Fixed(2)
Quantity = Fixed(3)
Aql = Fixed(3)


class InspectionSeverity(enum.StrEnum):
    """Severity of inspection (ISO 2859-1 clause 9). The OpenAPI names schemas by class, and
    finance has a ``Severity`` of its own (of match exceptions): this one keeps its own name."""

    NORMAL = Severity.NORMAL.value
    TIGHTENED = Severity.TIGHTENED.value
    REDUCED = Severity.REDUCED.value
    DISCONTINUED = Severity.DISCONTINUED.value


ID_MAX = 2**31 - 1
PositiveInt = Annotated[int, Field(ge=1, le=ID_MAX)]


def Text(max_length: int, *, required: bool = True):
    """Text stripped of surrounding blanks; ``required`` refuses an empty one."""
    return Annotated[
        str,
        StringConstraints(
            strip_whitespace=True, min_length=1 if required else 0, max_length=max_length
        ),
    ]


Code = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=30, pattern=r"^[-A-Za-z0-9_.]+$"
    ),
]
Slug = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=30, pattern=r"^[-A-Za-z0-9_]+$"
    ),
]
Reason = Text(300)
Note = Text(4000, required=False)
LongText = Text(10_000, required=False)

LimitIn = Annotated[Decimal, Field(max_digits=14, decimal_places=4)]
WeightIn = Annotated[Decimal, Field(gt=0, max_digits=6, decimal_places=2)]
PercentIn = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)]
QuantityIn = Annotated[Decimal, Field(ge=0, max_digits=16, decimal_places=3)]
AmountIn = Annotated[Decimal, Field(gt=0, max_digits=16, decimal_places=2)]
AmountOrZeroIn = Annotated[Decimal, Field(ge=0, max_digits=16, decimal_places=2)]
AqlIn = Annotated[Decimal, Field(gt=0, max_digits=7, decimal_places=3)]


def _reading_text(value):
    """A reading given as a JSON number or as text ("10.2", "pass") becomes text for the
    service, which parses it against the parameter (and reports the unit and parameter)."""
    if isinstance(value, bool):
        raise ValueError("Give a number, or pass/fail.")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("Give a finite number.")
    if isinstance(value, int | float | Decimal):
        return str(value)
    return value


ReadingValue = Annotated[
    str,
    BeforeValidator(_reading_text),
    StringConstraints(strip_whitespace=True, min_length=1, max_length=40),
    WithJsonSchema(
        {
            "anyOf": [{"type": "number"}, {"type": "string", "minLength": 1, "maxLength": 40}],
            "description": "A number; for a pass/fail parameter 1 or pass, 0 or fail",
        }
    ),
]


def _aware(value: datetime.datetime) -> datetime.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("Give the time with its UTC offset (e.g. 2026-12-01T17:00:00+08:00).")
    if not 1900 <= value.year <= 2999:
        raise ValueError("Give a time between the years 1900 and 2999.")
    return value


AwareTime = Annotated[datetime.datetime, AfterValidator(_aware)]


def blank_to_none(value: str) -> str | None:
    """A blank choice column (no finding yet, no disposition) goes out as null."""
    return value or None
