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


@dataclass(frozen=True)
class Summary:
    """What the aggregations need of a set of observations, so that a period can be read with
    one GROUP BY per table instead of row by row, and sets can be merged (a partner's
    contracts). ``aggregate_summary(summarise(obs))`` equals ``aggregate(obs)`` for every
    aggregation. ``items`` keeps observations the explanation lists itself (derived ones)."""

    count: int = 0  # observations
    values: int = 0  # observations with a value
    total: Decimal = Decimal(0)  # sum of the values
    pairs: int = 0  # observations with a numerator and a denominator
    numerator: Decimal = Decimal(0)
    denominator: Decimal = Decimal(0)
    last: Observation | None = None  # the latest observation with a value
    items: tuple[Observation, ...] = ()


def summarise(observations: Sequence[Observation], *, keep: bool = False) -> Summary:
    """The summary of ``observations`` (in order: a later one wins a tie for the latest)."""
    valued = [o for o in observations if o.value is not None]
    paired = [o for o in observations if o.numerator is not None and o.denominator is not None]
    return Summary(
        count=len(observations),
        values=len(valued),
        total=sum((o.value for o in valued), Decimal(0)),
        pairs=len(paired),
        numerator=sum((o.numerator for o in paired), Decimal(0)),
        denominator=sum((o.denominator for o in paired), Decimal(0)),
        last=_latest(valued) if valued else None,
        items=tuple(observations) if keep else (),
    )


def merge(first: Summary, second: Summary) -> Summary:
    """Both sets as one, ``second`` coming after ``first``."""
    last = first.last
    if second.last is not None and (last is None or _when(second.last) >= _when(last)):
        last = second.last
    return Summary(
        count=first.count + second.count,
        values=first.values + second.values,
        total=first.total + second.total,
        pairs=first.pairs + second.pairs,
        numerator=first.numerator + second.numerator,
        denominator=first.denominator + second.denominator,
        last=last,
        items=first.items + second.items,
    )


def aggregate_summary(
    summary: Summary, aggregation: Aggregation, *, scale: Decimal = Decimal(1)
) -> Decimal | None:
    """``aggregate`` of the observations ``summary`` stands for."""
    if aggregation == Aggregation.RATIO:
        if not summary.pairs or summary.denominator == 0:
            return None
        return summary.numerator / summary.denominator * scale
    if not summary.values:
        return None
    if aggregation == Aggregation.MEAN:
        return summary.total / summary.values
    if aggregation == Aggregation.SUM:
        return summary.total
    if aggregation == Aggregation.LAST:
        return summary.last.value
    raise ValueError(f"unknown aggregation {aggregation!r}")
