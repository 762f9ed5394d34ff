"""SLA service credits: breach tests, credit rules, pool and at-risk caps, earn-back.

Money is ``Decimal``. Raw credits are computed unrounded; ``compute_period`` quantizes each
level and the total with ROUND_HALF_UP so that the reported amounts add up exactly. Every step
is written into explanation strings, which the explain view shows as they are.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from enum import StrEnum
from itertools import pairwise

HUNDRED = Decimal(100)
Quantize = Callable[[Decimal], Decimal]


class Direction(StrEnum):
    """Which way of a metric is better."""

    HIGHER = "higher"
    LOWER = "lower"


class CreditModel(StrEnum):
    """How a breach turns into a credit."""

    TIERED = "tiered"
    PER_POINT = "per_point"
    FIXED_AMOUNT = "fixed_amount"
    FIXED_PERCENT = "fixed_percent"


@dataclass(frozen=True)
class Tier:
    """A credit of ``percent_of_fee`` once attainment is strictly past ``threshold``."""

    threshold: Decimal
    percent_of_fee: Decimal


def validate_tiers(tiers: Sequence[Tier], direction: Direction) -> list[str]:
    """Errors in a tier table, each naming its row (1-based); an empty list means valid."""
    if not tiers:
        return ["At least one tier is required."]
    errors = []
    for row, tier in enumerate(tiers, start=1):
        if not 0 < tier.percent_of_fee <= HUNDRED:
            errors.append(
                f"Row {row}: credit {tier.percent_of_fee:f} % must be more than 0 and at most 100."
            )
        for earlier, other in enumerate(tiers[: row - 1], start=1):
            if other.threshold == tier.threshold:
                errors.append(f"Row {row}: threshold {tier.threshold:f} repeats row {earlier}.")
                break
    # Walk from the mildest to the worst threshold: each step must give a bigger credit.
    ordered = sorted(
        enumerate(tiers, start=1),
        key=lambda item: item[1].threshold,
        reverse=direction == Direction.HIGHER,
    )
    word = _past(direction)
    for (prev_row, prev), (row, tier) in pairwise(ordered):
        if tier.threshold != prev.threshold and tier.percent_of_fee <= prev.percent_of_fee:
            errors.append(
                f"Row {row}: {word} {tier.threshold:f} gives {tier.percent_of_fee:f} %, which must"
                f" be more than the {prev.percent_of_fee:f} % of row {prev_row}"
                f" ({word} {prev.threshold:f})."
            )
    return errors


@dataclass(frozen=True)
class CreditTerms:
    """One version of the credit rule of a service level."""

    model: CreditModel
    direction: Direction
    target: Decimal
    tiers: tuple[Tier, ...] = ()
    percent_per_point: Decimal | None = None
    fixed_amount: Decimal | None = None
    fixed_percent: Decimal | None = None
    pool_allocation_percent: Decimal = Decimal(0)
    earn_back_periods: int = 0
    version: int = 1


def is_breach(attainment: Decimal, target: Decimal, direction: Direction) -> bool:
    """Whether attainment misses the target; exactly at target is met."""
    if direction == Direction.HIGHER:
        return attainment < target
    return attainment > target


def _past(direction: Direction) -> str:
    return "below" if direction == Direction.HIGHER else "above"


def _required(value: Decimal | None, name: str, model: CreditModel) -> Decimal:
    if value is None:
        raise ValueError(f"{model} credit terms need {name}")
    return value


def raw_credit(
    terms: CreditTerms, attainment: Decimal, monthly_fee: Decimal
) -> tuple[Decimal, str]:
    """The credit before caps, unrounded, with a one-line explanation of the rule applied."""
    if not is_breach(attainment, terms.target, terms.direction):
        return Decimal(0), f"attainment {attainment:f} meets target {terms.target:f} → no credit"
    missed = f"attainment {attainment:f} {_past(terms.direction)}"
    fee = f"fee {monthly_fee:f}"
    if terms.model == CreditModel.TIERED:
        applying = [t for t in terms.tiers if is_breach(attainment, t.threshold, terms.direction)]
        if not applying:
            return Decimal(0), f"{missed} target {terms.target:f} but in no tier → no credit"
        tier = max(applying, key=lambda t: t.percent_of_fee)
        percent = tier.percent_of_fee
        return percent * monthly_fee / HUNDRED, (
            f"{missed} {tier.threshold:f} → {percent:f} % of {fee}"
        )
    if terms.model == CreditModel.PER_POINT:
        per_point = _required(terms.percent_per_point, "percent_per_point", terms.model)
        shortfall = (terms.target - attainment).copy_abs()
        points = shortfall.to_integral_value(rounding=ROUND_FLOOR)
        percent = per_point * points
        return percent * monthly_fee / HUNDRED, (
            f"{missed} target {terms.target:f} by {shortfall:f} → {points:f} full points"
            f" at {per_point:f} % each = {percent:f} % of {fee}"
        )
    if terms.model == CreditModel.FIXED_AMOUNT:
        amount = _required(terms.fixed_amount, "fixed_amount", terms.model)
        return amount, f"{missed} target {terms.target:f} → fixed credit {amount:f}"
    if terms.model == CreditModel.FIXED_PERCENT:
        percent = _required(terms.fixed_percent, "fixed_percent", terms.model)
        return percent * monthly_fee / HUNDRED, (
            f"{missed} target {terms.target:f} → {percent:f} % of {fee}"
        )
    raise ValueError(f"unknown credit model {terms.model!r}")


@dataclass(frozen=True)
class LevelInput:
    """One service level of a period: its terms and the attainment measured."""

    key: str
    critical: bool
    terms: CreditTerms
    attainment: Decimal | None
    excused: bool = False


@dataclass(frozen=True)
class LevelResult:
    """The outcome and credit of one service level in a period."""

    key: str
    outcome: str  # "met" | "breach" | "excused" | "no_data" | "kpi"
    attainment: Decimal | None
    raw_credit: Decimal
    pool_cap: Decimal
    credit: Decimal
    explanation: tuple[str, ...]


@dataclass(frozen=True)
class PeriodResult:
    """The credits of all service levels of a period after pool and at-risk caps."""

    levels: tuple[LevelResult, ...]
    at_risk_amount: Decimal
    total_before_cap: Decimal
    total_credit: Decimal
    capped: bool
    explanation: tuple[str, ...]


def _level(item: LevelInput, monthly_fee: Decimal, at_risk: Decimal, q: Quantize) -> LevelResult:
    terms = item.terms
    kind = "critical" if item.critical else "KPI"
    lines = [f"{item.key} ({kind}, {terms.model} terms v{terms.version})"]
    zero = q(Decimal(0))
    if not item.critical:
        if item.attainment is None:
            lines.append("no data; a KPI carries no credit")
        else:
            met = not is_breach(item.attainment, terms.target, terms.direction)
            lines.append(
                f"attainment {item.attainment:f} {'met' if met else 'missed'} target"
                f" {terms.target:f}; a KPI carries no credit"
            )
        return LevelResult(item.key, "kpi", item.attainment, zero, zero, zero, tuple(lines))
    if item.excused:
        lines.append("excused → no credit")
        return LevelResult(item.key, "excused", item.attainment, zero, zero, zero, tuple(lines))
    if item.attainment is None:
        lines.append("no data → no credit")
        return LevelResult(item.key, "no_data", None, zero, zero, zero, tuple(lines))
    breach = is_breach(item.attainment, terms.target, terms.direction)
    amount, rule = raw_credit(terms, item.attainment, monthly_fee)
    raw = q(amount)
    pool_cap = q(at_risk * terms.pool_allocation_percent / HUNDRED)
    credit = min(raw, pool_cap)
    lines.append(rule)
    if breach:
        lines.append(
            f"raw credit {raw}; pool cap {terms.pool_allocation_percent:f} % of at-risk"
            f" {q(at_risk)} = {pool_cap}{' (binds)' if raw > pool_cap else ''} → credit {credit}"
        )
    outcome = "breach" if breach else "met"
    return LevelResult(item.key, outcome, item.attainment, raw, pool_cap, credit, tuple(lines))


def compute_period(
    *,
    monthly_fee: Decimal,
    at_risk_percent: Decimal,
    levels: Sequence[LevelInput],
    places: int = 2,
) -> PeriodResult:
    """Credits of one period: per level, capped at its pool, then in total at the at-risk amount.

    When the at-risk cap binds, level credits are scaled down proportionally, rounded down, and
    the units still missing are handed out one each to the largest credits, so the levels add up
    exactly to the total and none ends above its credit before the cap.
    """
    quantum = Decimal(1).scaleb(-places)

    def q(value: Decimal) -> Decimal:
        return value.quantize(quantum, rounding=ROUND_HALF_UP)

    at_risk = monthly_fee * at_risk_percent / HUNDRED
    at_risk_amount = q(at_risk)
    lines = [
        f"monthly fee {monthly_fee:f}, {at_risk_percent:f} % at risk"
        f" → at-risk amount {at_risk_amount}"
    ]
    results = [_level(item, monthly_fee, at_risk, q) for item in levels]
    for result in results:
        lines.append(f"{'; '.join(result.explanation)} [{result.outcome}]")
    total_before_cap = sum((r.credit for r in results), q(Decimal(0)))
    lines.append(f"sum of level credits {total_before_cap}")
    capped = total_before_cap > at_risk_amount
    if capped:
        results = _scale_to_cap(results, total_before_cap, at_risk_amount, quantum, lines)
    total_credit = sum((r.credit for r in results), q(Decimal(0)))
    lines.append(f"total credit {total_credit}")
    return PeriodResult(
        tuple(results), at_risk_amount, total_before_cap, total_credit, capped, tuple(lines)
    )


def _scale_to_cap(
    results: list[LevelResult], total: Decimal, cap: Decimal, quantum: Decimal, lines: list[str]
) -> list[LevelResult]:
    lines.append(f"at-risk cap binds: {total} > {cap}; each credit scaled by {cap} / {total}")
    # Round down, then hand the missing units out one each, largest credit first. A single
    # level never takes more than one unit, so no scaled credit ends above its capped credit.
    scaled = [(r.credit * cap / total).quantize(quantum, rounding=ROUND_DOWN) for r in results]
    remainder = cap - sum(scaled, Decimal(0))
    units = int(remainder / quantum)
    largest_first = sorted(
        (i for i, r in enumerate(results) if r.credit), key=lambda i: -results[i].credit
    )
    for i in largest_first[:units]:
        scaled[i] += quantum
    if units:
        keys = ", ".join(results[i].key for i in largest_first[:units])
        lines.append(f"rounding remainder {remainder} given {quantum} each to the largest: {keys}")
    out = []
    for result, credit in zip(results, scaled, strict=True):
        if result.credit:
            note = f"scaled to the at-risk cap: {result.credit} → {credit}"
            lines.append(f"{result.key}: {note}")
            result = replace(result, credit=credit, explanation=(*result.explanation, note))
        out.append(result)
    return out


class EarnBack(StrEnum):
    """Whether a credited period can still be earned back by the partner."""

    PENDING = "pending"
    EARNED_BACK = "earned_back"
    FINAL = "final"


def earn_back_state(*, periods_required: int, later_outcomes: Sequence[str]) -> EarnBack:
    """Earn-back state of a credit from the outcomes of the periods after it, oldest first.

    ``periods_required`` met periods in a row earn the credit back; a breach or a period without
    data before that makes it final. Excused periods are skipped and extend the window.
    """
    if periods_required < 0:
        raise ValueError("periods_required must not be negative")
    if periods_required == 0:
        return EarnBack.FINAL
    met = 0
    for outcome in later_outcomes:
        if outcome == "excused":
            continue
        if outcome in ("breach", "no_data"):
            return EarnBack.FINAL
        if outcome != "met":
            raise ValueError(f"unknown outcome {outcome!r}")
        met += 1
        if met == periods_required:
            return EarnBack.EARNED_BACK
    return EarnBack.PENDING


def validate_pool_allocations(allocations: Sequence[Decimal]) -> list[str]:
    """Errors in the pool allocations of a contract's critical levels (each 0-100, sum <= 100)."""
    errors = [
        f"Row {row}: pool allocation {value:f} % must be between 0 and 100."
        for row, value in enumerate(allocations, start=1)
        if not 0 <= value <= HUNDRED
    ]
    total = sum(allocations, Decimal(0))
    if total > HUNDRED:
        errors.append(f"Pool allocations add up to {total:f} %, more than 100 %.")
    return errors
