"""The parts of a service-level result's explanation that the close builds per level: the
rule in force, the sums the attainment came from and how it was computed, derived
observations. Plain functions over engine values; ``closing`` assembles them."""

from partnerdesk.performance.engines.aggregation import Aggregation, Summary

NOTHING = Summary()


def terms_parts(in_force) -> dict:
    terms = in_force.terms
    return {
        "target": str(terms.target),
        "direction": str(terms.direction),
        "terms_version": in_force.version,
        "credit_model": str(terms.model),
        "tiers": [
            {"threshold": str(t.threshold), "percent_of_fee": str(t.percent_of_fee)}
            for t in terms.tiers
        ],
        "pool_allocation_percent": str(terms.pool_allocation_percent),
        "earn_back_periods": terms.earn_back_periods,
    }


def sums(summary: Summary) -> dict:
    out = {"count": summary.count}
    if summary.values:
        out.update(values=summary.values, total=str(summary.total))
    if summary.pairs:
        out.update(
            pairs=summary.pairs,
            numerator=str(summary.numerator),
            denominator=str(summary.denominator),
        )
    if summary.last is not None:
        out["last"] = observation(summary.last)
    return out


def attainment_step(summary: Summary, parts: dict, attainment) -> str:
    """How the period's observations became the attainment, in one line."""
    aggregation = parts["aggregation"]
    if attainment is None:
        return f"{summary.count} observation(s), none usable for {aggregation} → no data"
    if aggregation == Aggregation.RATIO:
        return (
            f"ratio: numerators {summary.numerator:f} / denominators {summary.denominator:f}"
            f" x {parts['scale']} = {attainment:f}"
        )
    if aggregation == Aggregation.MEAN:
        return f"mean: {summary.total:f} / {summary.values} values = {attainment:f}"
    if aggregation == Aggregation.SUM:
        return f"sum of {summary.values} values = {attainment:f}"
    return f"last value ({summary.last.at}) = {attainment:f}"


def observation(o) -> dict:
    return {
        "key": o.key,
        "at": o.at.isoformat() if o.at else None,
        "value": _text(o.value),
        "numerator": _text(o.numerator),
        "denominator": _text(o.denominator),
    }


def _text(value):
    return None if value is None else str(value)
