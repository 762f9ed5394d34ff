"""Aggregate the observations of one metric over one period into a single attainment value.

The result is an unrounded ``Decimal``; callers quantize it for display or storage. No
observations at all means no activity in the period, which is ``None`` and never zero.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class Aggregation(StrEnum):
    """How the observations of a period combine into one value."""

    MEAN = "mean"
    SUM = "sum"
    RATIO = "ratio"  # sum of numerators / sum of denominators, times a scale
    LAST = "last"


@dataclass(frozen=True)
class Observation:
    """One measured value, or a numerator/denominator pair for ratio metrics.

    ``key`` names the source row, so the explain view can link back to it.
    """

    value: Decimal | None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    at: datetime.date | None = None
    key: str = ""


def aggregate(
    observations: Sequence[Observation],
    aggregation: Aggregation,
    *,
    scale: Decimal = Decimal(1),
) -> Decimal | None:
    """The period value of ``observations``, or None when there is nothing to aggregate.

    Observations without the field the aggregation reads (``value``, or ``numerator`` and
    ``denominator`` for RATIO) are ignored; when none are left the result is None. RATIO is
    None as well when the denominators add up to zero.
    """
    if aggregation == Aggregation.RATIO:
        pairs = [
            (o.numerator, o.denominator)
            for o in observations
            if o.numerator is not None and o.denominator is not None
        ]
        if not pairs:
            return None
        denominator = sum((d for _, d in pairs), Decimal(0))
        if denominator == 0:
            return None
        numerator = sum((n for n, _ in pairs), Decimal(0))
        return numerator / denominator * scale

    valued = [o for o in observations if o.value is not None]
    if not valued:
        return None
    if aggregation == Aggregation.MEAN:
        return sum((o.value for o in valued), Decimal(0)) / len(valued)
    if aggregation == Aggregation.SUM:
        return sum((o.value for o in valued), Decimal(0))
    if aggregation == Aggregation.LAST:
        return _latest(valued).value
    raise ValueError(f"unknown aggregation {aggregation!r}")


def _latest(observations: Sequence[Observation]) -> Observation:
    # Undated observations count as older than any dated one; ">=" lets a later row win a tie.
    latest = observations[0]
    for observation in observations[1:]:
        if _when(observation) >= _when(latest):
            latest = observation
    return latest


def _when(observation: Observation) -> tuple[bool, datetime.date]:
    return (observation.at is not None, observation.at or datetime.date.min)
