"""Scoring an audit: points per answer, the weighted score, findings and the grade.

Pure computation (no Django). Rules, version 1:

* An answer marked not applicable leaves the question out of the score (neither points nor
  possible points).
* Earned share of a question: yes/no: yes 1, no 0. Scale: value / maximum (value 0 to max).
  Numeric: 1 within the limits (a value exactly on a limit is within), else 0.
* Points = weight x earned share; score = 100 x sum of points / sum of weights of the
  applicable questions, rounded half up to 2 decimals. No applicable question: no score.
* A question is failed by "no", a reading outside its limits, or a scale value below half of
  the maximum. The finding the rules propose: full marks compliant; partial scale marks that
  are not a failure an observation; a failure a minor finding, or a major finding when the
  question is critical. The auditor may grade a finding more severely, never less.
* Grade by score: A from ``a_min``, B from ``b_min``, else C. Major findings downgrade it
  (after VDA 6.3's downgrading rule): one major finding allows at most B, two or more C.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

RULE_VERSION = 1
FINDING_ORDER = ("compliant", "observation", "minor", "major")
HUNDRED = Decimal(100)
HALF = Decimal("0.5")


@dataclass(frozen=True)
class Answer:
    """A question as asked in the audit and its answer (``value``: scale score or reading)."""

    key: str | int
    section: str
    kind: str  # "yes_no", "scale" or "numeric"
    weight: Decimal
    critical: bool = False
    not_applicable: bool = False
    yes: bool | None = None
    value: Decimal | None = None
    scale_max: int | None = None
    lower_limit: Decimal | None = None
    upper_limit: Decimal | None = None
    finding: str = ""  # the auditor's grade, if given

    @property
    def answered(self) -> bool:
        return self.not_applicable or self.yes is not None or self.value is not None


def earned_share(answer: Answer) -> Decimal | None:
    """The share of the question's weight earned (0 to 1), None when not applicable."""
    if answer.not_applicable:
        return None
    if answer.kind == "yes_no":
        if answer.yes is None:
            raise ValueError(f"question {answer.key}: not answered")
        return Decimal(1) if answer.yes else Decimal(0)
    if answer.value is None:
        raise ValueError(f"question {answer.key}: not answered")
    value = Decimal(answer.value)
    if answer.kind == "scale":
        top = answer.scale_max
        if not top or top < 1:
            raise ValueError(f"question {answer.key}: a scale needs a maximum of at least 1")
        if value < 0 or value > top or value != value.to_integral_value():
            raise ValueError(f"question {answer.key}: {value} is not a score from 0 to {top}")
        return value / Decimal(top)
    if answer.kind == "numeric":
        low, high = answer.lower_limit, answer.upper_limit
        within = (low is None or value >= low) and (high is None or value <= high)
        return Decimal(1) if within else Decimal(0)
    raise ValueError(f"question {answer.key}: unknown kind {answer.kind!r}")


def failed(answer: Answer, share: Decimal | None) -> bool:
    if share is None:
        return False
    if answer.kind == "scale":
        return share < HALF
    return share == 0


def proposed_finding(answer: Answer) -> str:
    """The finding the rules give an answer ("" when not applicable)."""
    share = earned_share(answer)
    if share is None:
        return ""
    if failed(answer, share):
        return "major" if answer.critical else "minor"
    return "compliant" if share == 1 else "observation"


def final_finding(answer: Answer) -> str:
    """The auditor's grade when it is at least as severe as the rules', else the rules'."""
    proposed = proposed_finding(answer)
    if not proposed or not answer.finding:
        return proposed
    if answer.finding not in FINDING_ORDER:
        raise ValueError(f"question {answer.key}: unknown finding {answer.finding!r}")
    if FINDING_ORDER.index(answer.finding) < FINDING_ORDER.index(proposed):
        return proposed
    return answer.finding


@dataclass
class SectionScore:
    title: str
    points: Decimal = Decimal(0)
    possible: Decimal = Decimal(0)
    not_applicable: int = 0

    @property
    def percent(self) -> Decimal | None:
        return _percent(self.points, self.possible)


@dataclass
class AuditScore:
    score: Decimal | None
    grade: str
    grade_by_score: str
    downgrade: str
    points: Decimal
    possible: Decimal
    findings: dict[str, str]  # answer key -> finding
    counts: dict[str, int]
    sections: list[SectionScore] = field(default_factory=list)

    def explanation(self) -> dict:
        """A JSON-ready account of the inputs, the rule, and the result."""
        return {
            "rule_version": RULE_VERSION,
            "points": str(self.points),
            "possible": str(self.possible),
            "score": None if self.score is None else str(self.score),
            "grade_by_score": self.grade_by_score,
            "grade": self.grade,
            "downgrade": self.downgrade,
            "findings": self.counts,
            "sections": [
                {
                    "title": s.title,
                    "points": str(s.points),
                    "possible": str(s.possible),
                    "percent": None if s.percent is None else str(s.percent),
                    "not_applicable": s.not_applicable,
                }
                for s in self.sections
            ],
        }


def _percent(points: Decimal, possible: Decimal) -> Decimal | None:
    if possible == 0:
        return None
    return (points / possible * HUNDRED).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def grade_for(score: Decimal | None, a_min: Decimal, b_min: Decimal) -> str:
    if score is None:
        return ""
    if score >= a_min:
        return "A"
    return "B" if score >= b_min else "C"


def score_audit(answers: list[Answer], a_min: Decimal, b_min: Decimal) -> AuditScore:
    """Score a fully answered audit. Raises ValueError naming the first unanswered question."""
    sections: dict[str, SectionScore] = {}
    findings: dict[str, str] = {}
    counts = dict.fromkeys(FINDING_ORDER, 0)
    points = possible = Decimal(0)
    for answer in answers:
        if not answer.answered:
            raise ValueError(f"question {answer.key}: not answered")
        weight = Decimal(answer.weight)
        if weight <= 0:
            raise ValueError(f"question {answer.key}: the weight must be above zero")
        section = sections.setdefault(answer.section, SectionScore(answer.section))
        share = earned_share(answer)
        finding = final_finding(answer)
        findings[str(answer.key)] = finding
        if share is None:
            section.not_applicable += 1
            continue
        counts[finding] += 1
        section.points += weight * share
        section.possible += weight
        points += weight * share
        possible += weight
    score = _percent(points, possible)
    by_score = grade_for(score, Decimal(a_min), Decimal(b_min))
    grade, downgrade = by_score, ""
    majors = counts["major"]
    if by_score and majors >= 2 and by_score != "C":
        grade, downgrade = "C", f"{majors} major findings: grade C"
    elif by_score == "A" and majors == 1:
        grade, downgrade = "B", "1 major finding: at most grade B"
    return AuditScore(
        score=score,
        grade=grade,
        grade_by_score=by_score,
        downgrade=downgrade,
        points=points,
        possible=possible,
        findings=findings,
        counts=counts,
        sections=list(sections.values()),
    )
