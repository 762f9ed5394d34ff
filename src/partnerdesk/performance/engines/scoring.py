"""Partner scorecards: normalised criteria, weighted period scores, bands and trends.

A period in which no criterion has a value has no score (None), which is neither 0 nor 100:
no activity is not bad performance, and not good performance either.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise

HUNDRED = Decimal(100)
TWO_PLACES = Decimal("0.01")
BAND_ACTIONS = ("none", "warn", "block")
DECLINES_FOR_ALERT = 3


def _round(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Normalisation:
    """Linear map of a raw value to 0-100: ``worst`` gives 0, ``best`` gives 100.

    ``best`` may be below ``worst`` for metrics where lower is better.
    """

    worst: Decimal
    best: Decimal

    def __post_init__(self) -> None:
        if self.worst == self.best:
            raise ValueError(f"worst and best are both {self.worst:f}; they must differ")


def normalise(value: Decimal, rule: Normalisation) -> Decimal:
    """``value`` on the 0-100 scale of ``rule``, clamped to [0, 100] and not rounded."""
    scaled = (value - rule.worst) / (rule.best - rule.worst) * HUNDRED
    return min(max(scaled, Decimal(0)), HUNDRED)


@dataclass(frozen=True)
class Criterion:
    """A weighted criterion of a scorecard (weights of a scorecard add up to 100)."""

    key: str
    weight: Decimal
    rule: Normalisation


def validate_weights(criteria: Sequence[Criterion]) -> list[str]:
    """Errors in the weights: each must be above 0 and together they must make exactly 100."""
    if not criteria:
        return ["At least one criterion is required."]
    errors = [
        f"Criterion {c.key}: weight {c.weight:f} must be more than 0."
        for c in criteria
        if c.weight <= 0
    ]
    total = sum((c.weight for c in criteria), Decimal(0))
    if total != HUNDRED:
        errors.append(f"Weights add up to {total:f}, not 100.")
    return errors


@dataclass(frozen=True)
class Band:
    """A score range [lower, upper) with the action it triggers; the top band includes 100."""

    name: str
    lower: Decimal
    upper: Decimal
    action: str  # "none" | "warn" | "block"


def validate_bands(bands: Sequence[Band]) -> list[str]:
    """Errors in a band table: it must cover 0-100 without gaps or overlaps."""
    if not bands:
        return ["At least one band is required."]
    errors = []
    for band in bands:
        if band.lower >= band.upper:
            errors.append(
                f"Band {band.name!r}: lower {band.lower:f} must be below upper {band.upper:f}."
            )
        if band.action not in BAND_ACTIONS:
            errors.append(
                f"Band {band.name!r}: action {band.action!r} must be one of"
                f" {', '.join(BAND_ACTIONS)}."
            )
    ordered = sorted(bands, key=lambda b: (b.lower, b.upper))
    if ordered[0].lower != 0:
        errors.append(
            f"Band {ordered[0].name!r} starts at {ordered[0].lower:f}; the first must start at 0."
        )
    top = max(bands, key=lambda b: b.upper)
    if top.upper != HUNDRED:
        errors.append(f"Band {top.name!r} ends at {top.upper:f}; the last must end at 100.")
    for prev, band in pairwise(ordered):
        if band.lower > prev.upper:
            errors.append(
                f"Gap between band {prev.name!r} (ends at {prev.upper:f})"
                f" and band {band.name!r} (starts at {band.lower:f})."
            )
        elif band.lower < prev.upper:
            errors.append(
                f"Band {prev.name!r} (ends at {prev.upper:f})"
                f" overlaps band {band.name!r} (starts at {band.lower:f})."
            )
    return errors


def band_for(score: Decimal, bands: Sequence[Band]) -> Band:
    """The band ``score`` falls in: lower <= score < upper, or score == 100 in the top band."""
    for band in bands:
        if band.lower <= score < band.upper or score == band.upper == HUNDRED:
            return band
    raise ValueError(f"no band contains the score {score:f}")


@dataclass(frozen=True)
class PeriodScore:
    """The score of one period, with each criterion's part and the steps taken."""

    score: Decimal | None
    # (criterion key, raw value, normalised 0-100 or None, effective weight)
    parts: tuple[tuple[str, Decimal | None, Decimal | None, Decimal], ...]
    explanation: tuple[str, ...]


def score_period(
    values: Mapping[str, Decimal | None], criteria: Sequence[Criterion]
) -> PeriodScore:
    """Weighted score of a period; criteria without a value are left out and the remaining
    weights rescaled to 100. None when no criterion has a value."""
    present = [c for c in criteria if values.get(c.key) is not None]
    missing = [c for c in criteria if values.get(c.key) is None]
    if not present:
        parts = tuple((c.key, None, None, Decimal(0)) for c in criteria)
        return PeriodScore(None, parts, ("no criterion has a value this period → no score",))
    present_weight = sum((c.weight for c in present), Decimal(0))
    if present_weight <= 0:
        raise ValueError("the criteria with a value have no weight")
    lines = []
    if missing:
        keys = ", ".join(f"{c.key} (weight {c.weight:f})" for c in missing)
        lines.append(
            f"no value for {keys}; the remaining weights ({present_weight:f}) are rescaled to 100"
        )
    parts = []
    weighted = Decimal(0)
    for criterion in criteria:
        value = values.get(criterion.key)
        if value is None:
            parts.append((criterion.key, None, None, Decimal(0)))
            continue
        points = normalise(value, criterion.rule)
        weight = criterion.weight * HUNDRED / present_weight
        weighted += points * criterion.weight
        parts.append((criterion.key, value, points, weight))
        lines.append(
            f"{criterion.key}: {value:f} on {criterion.rule.worst:f} (0) to"
            f" {criterion.rule.best:f} (100) → {_round(points)} at weight {_round(weight)} %"
        )
    score = _round(weighted / present_weight)
    lines.append(f"score {score}")
    return PeriodScore(score, tuple(parts), tuple(lines))


def overall_score(
    period_scores: Sequence[Decimal | None], *, decay: Decimal, window: int
) -> Decimal | None:
    """Decay-weighted mean of the last ``window`` period scores (oldest first, newest weighs 1,
    the one before ``decay``, then decay squared...). Periods without a score are skipped; None
    when none is left."""
    if window < 1:
        raise ValueError("window must be at least 1")
    if not 0 <= decay <= 1:
        raise ValueError("decay must be between 0 and 1")
    weight = Decimal(1)
    total = weights = Decimal(0)
    for score in reversed(period_scores[-window:]):
        if score is not None:
            total += score * weight
            weights += weight
        weight *= decay
    if not weights:
        return None
    return _round(total / weights)


def consecutive_declines(period_scores: Sequence[Decimal | None]) -> int:
    """Strict declines in a row ending at the newest period (oldest first; None breaks the run)."""
    count = 0
    for older, newer in reversed(list(pairwise(period_scores))):
        if older is None or newer is None or not newer < older:
            break
        count += 1
    return count


def decline_alert_due(period_scores: Sequence[Decimal | None]) -> bool:
    """Whether the declines ending at the newest period are enough to alert on."""
    return consecutive_declines(period_scores) >= DECLINES_FOR_ALERT
