"""API shapes of the performance app: metrics, service levels and terms, exclusions,
measurements, period closes, results, credit proposals, scores and scorecard policies.

Decimals go out as strings; periods (first days of months) as ``"YYYY-MM"``, the form they are
given in.
"""

import datetime
import re
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator, StringConstraints
from pydantic_core import PydanticCustomError

from partnerdesk.contracts.schemas import Day, Fixed, Id, Money, Text
from partnerdesk.core.errors import InvalidInput
from partnerdesk.core.schemas import InputSchema
from partnerdesk.performance.choices import (
    Aggregation,
    BandAction,
    CreditModel,
    Direction,
    ExclusionStatus,
    MeasurementSource,
    MetricSource,
    Outcome,
    ProposalKind,
    ProposalStatus,
)

PERIOD_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
PERIOD_MESSAGE = "A period is written YYYY-MM, for example 2026-10."
_PERIOD = re.compile(PERIOD_PATTERN)


def period_date(text: str) -> datetime.date:
    """``"2026-10"`` → 2026-10-01; ``ValueError`` for anything else, including years outside
    1900-2999 (date arithmetic at the edges of the calendar would fail later)."""
    if not isinstance(text, str) or not _PERIOD.match(text):
        raise ValueError(PERIOD_MESSAGE)
    year, month = int(text[:4]), int(text[5:])
    if not 1900 <= year <= 2999:
        raise ValueError(PERIOD_MESSAGE)
    return datetime.date(year, month, 1)


def period_or_error(text: str) -> datetime.date:
    """The period in a URL, or a 422 naming ``period``."""
    try:
        return period_date(text)
    except ValueError as exc:
        raise InvalidInput(PERIOD_MESSAGE, fields={"period": [PERIOD_MESSAGE]}) from exc


def _check_period(text: str) -> str:
    try:
        period_date(text)
    except ValueError as exc:
        raise PydanticCustomError("period", PERIOD_MESSAGE) from exc
    return text


def _period_text(value):
    if isinstance(value, datetime.date):
        return value.strftime("%Y-%m")
    return value


# "YYYY-MM" in a body or a query string (the pattern is for the documentation; the check gives
# a readable message).
PeriodIn = Annotated[
    str,
    AfterValidator(_check_period),
    Field(description="YYYY-MM", json_schema_extra={"pattern": PERIOD_PATTERN}),
]
PeriodOut = Annotated[str, BeforeValidator(_period_text)]
Value = Annotated[Decimal, Field(max_digits=16, decimal_places=4)]
Count = Annotated[Decimal, Field(max_digits=18, decimal_places=4)]
Percent3 = Annotated[Decimal, Field(ge=0, le=100, max_digits=6, decimal_places=3)]
Number = Annotated[Decimal, Field(max_digits=14, decimal_places=4)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


# --- Metrics ---------------------------------------------------------------------------------


class MetricOut(Schema):
    id: int
    code: str
    name: str
    description: str
    unit: str
    direction: Direction
    aggregation: Aggregation
    scale: Money
    source: MetricSource
    derived_source: str
    decimals: int
    created_at: datetime.datetime
    updated_at: datetime.datetime


MetricCode = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")]
Scale = Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=2)]
Decimals = Annotated[int, Field(ge=0, le=10)]


class MetricIn(InputSchema):
    code: MetricCode
    name: str = Field(..., min_length=1, max_length=120)
    description: str = Field("", max_length=10_000)
    unit: str = Field(..., min_length=1, max_length=20)
    direction: Direction
    aggregation: Aggregation
    scale: Scale = Decimal(100)
    source: MetricSource = MetricSource.MANUAL
    derived_source: str = Field("", max_length=40)
    decimals: Decimals = 2


class MetricPatch(InputSchema):
    code: MetricCode = None
    name: str = Field(None, min_length=1, max_length=120)
    description: str = Field(None, max_length=10_000)
    unit: str = Field(None, min_length=1, max_length=20)
    direction: Direction = None
    aggregation: Aggregation = None
    scale: Scale = None
    source: MetricSource = None
    derived_source: str = Field(None, max_length=40)
    decimals: Decimals = None


# --- Service levels and their terms ----------------------------------------------------------


class TierIn(InputSchema):
    threshold: Number
    percent_of_fee: Number


class TermsIn(InputSchema):
    target: Number
    critical: bool = True
    credit_model: CreditModel = CreditModel.TIERED
    tiers: list[TierIn] = Field(default_factory=list, max_length=50)
    percent_per_point: Percent3 | None = None
    fixed_amount: Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)] | None = None
    fixed_percent: Percent3 | None = None
    pool_allocation_percent: Annotated[
        Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)
    ] = Decimal(0)
    earn_back_periods: Annotated[int, Field(ge=0, le=120)] = 0
    note: str = Field("", max_length=200)


class ServiceLevelIn(InputSchema):
    metric: Annotated[int, Field(ge=1, le=2**31 - 1)] | MetricCode = Field(
        ..., description="Metric id or code"
    )
    name: str = Field("", max_length=120)
    terms: TermsIn


class TermsVersionIn(InputSchema):
    effective_from: Day
    terms: TermsIn


class TierOut(Schema):
    threshold: str
    percent_of_fee: str


class TermsOut(Schema):
    id: int
    version: int
    effective_from: datetime.date
    target: Fixed(4)
    critical: bool
    credit_model: CreditModel
    tiers: list[TierOut]
    percent_per_point: Fixed(3) | None
    fixed_amount: Money | None
    fixed_percent: Fixed(3) | None
    pool_allocation_percent: Money
    earn_back_periods: int
    note: str
    created_at: datetime.datetime


class ExclusionOut(Schema):
    id: int
    service_level_id: int
    period: PeriodOut
    reason: str
    status: ExclusionStatus
    requested_by_id: int | None
    decided_by_id: int | None
    decided_at: datetime.datetime | None


class ServiceLevelOut(Schema):
    id: int
    contract_id: int
    contract_reference: str = Field(..., alias="contract.reference")
    metric_id: int
    metric_code: str = Field(..., alias="metric.code")
    metric_name: str = Field(..., alias="metric.name")
    name: str


class ServiceLevelDetailOut(ServiceLevelOut):
    terms: list[TermsOut]
    exclusions: list[ExclusionOut]

    @staticmethod
    def resolve_terms(obj) -> list:
        return list(obj.terms.all())

    @staticmethod
    def resolve_exclusions(obj) -> list:
        return list(obj.exclusions.all())


class ExclusionIn(InputSchema):
    period: PeriodIn
    reason: Reason


class ExclusionDecisionIn(InputSchema):
    approve: bool


# --- Measurements ----------------------------------------------------------------------------


class MeasurementOut(Schema):
    id: int
    contract_id: int
    contract_reference: str = Field(..., alias="contract.reference")
    metric_id: int
    metric_code: str = Field(..., alias="metric.code")
    period: PeriodOut
    measured_on: datetime.date
    value: Fixed(4) | None
    numerator: Fixed(4) | None
    denominator: Fixed(4) | None
    source: MeasurementSource
    evidence: str
    author_id: int | None
    created_at: datetime.datetime
    is_current: bool
    replaced_by_id: int | None
    correction_reason: str


class MeasurementIn(InputSchema):
    contract: Id = Field(..., description="Contract id")
    metric: MetricCode = Field(..., description="Metric code")
    measured_on: Day
    value: Value | None = None
    numerator: Count | None = None
    denominator: Count | None = None
    evidence: str = Field("", max_length=300)


class MeasurementBatchIn(InputSchema):
    rows: list[MeasurementIn] = Field(..., min_length=1, max_length=1000)


class MeasurementBatchOut(Schema):
    created: int
    items: list[MeasurementOut]


class CorrectionIn(InputSchema):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    value: Value | None = None
    numerator: Count | None = None
    denominator: Count | None = None
    evidence: str = Field("", max_length=300)


# --- Period closes, results, credit proposals ------------------------------------------------


class PeriodCloseIn(InputSchema):
    period: PeriodIn


class ReopenIn(InputSchema):
    reason: Reason


class PeriodCloseOut(Schema):
    id: int
    period: PeriodOut
    revision: int
    is_standing: bool
    closed_at: datetime.datetime
    closed_by_id: int | None
    reopened_at: datetime.datetime | None
    reopened_by_id: int | None
    reopen_reason: str
    summary: dict


class ResultOut(Schema):
    id: int
    period_close_id: int
    period: PeriodOut = Field(..., alias="period_close.period")
    service_level_id: int
    service_level: str
    contract_id: int
    contract_reference: str = Field(..., alias="contract.reference")
    terms_version: int
    attainment: Fixed(4) | None
    observations: int
    outcome: Outcome
    raw_credit: Money
    pool_cap: Money
    credit: Money
    currency: str

    @staticmethod
    def resolve_service_level(obj) -> str:
        return str(obj.service_level)


class ResultExplanationOut(ResultOut):
    explanation: dict


class CreditProposalOut(Schema):
    id: int
    partner_id: int = Field(..., alias="contract.partner_id")
    partner_code: str = Field(..., alias="contract.partner.code")
    contract_id: int
    contract_reference: str = Field(..., alias="contract.reference")
    service_level_id: int
    result_id: int
    period: PeriodOut
    kind: ProposalKind
    amount: Money
    signed_amount: Money
    currency: str
    status: ProposalStatus
    earn_back_state: str
    earns_back_id: int | None
    applied_reference: str
    created_at: datetime.datetime


# --- Scores, standings, scorecard policies ---------------------------------------------------


class ScoreOut(Schema):
    id: int
    partner_id: int
    partner_code: str = Field(..., alias="partner.code")
    period: PeriodOut
    period_close_id: int
    policy_id: int
    policy_version: int = Field(..., alias="policy.version")
    score: Money | None
    overall: Money | None
    standing: str
    action: BandAction
    declines: int


class ScoreExplanationOut(ScoreOut):
    explanation: dict


class StandingOut(Schema):
    """What purchase orders and contracts check: the newest standing of a standing close."""

    partner_id: int
    score_id: int | None
    period: str | None
    score: str | None
    overall: str | None
    standing: str | None
    action: BandAction


class CriterionIn(InputSchema):
    metric: MetricCode = Field(..., description="Metric code")
    weight: Annotated[Decimal, Field(max_digits=5, decimal_places=2)]
    worst: Number
    best: Number


class BandIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=40)
    lower: Annotated[Decimal, Field(max_digits=5, decimal_places=2)]
    upper: Annotated[Decimal, Field(max_digits=5, decimal_places=2)]
    action: BandAction = BandAction.NONE


class PolicyIn(InputSchema):
    name: Text = Field(..., max_length=100)
    effective_from: Day
    decay: Annotated[Decimal, Field(ge=0, le=1, max_digits=4, decimal_places=3)] = Decimal("0.8")
    window: Annotated[int, Field(ge=1, le=120)] = 6
    criteria: list[CriterionIn] = Field(..., min_length=1, max_length=50)
    bands: list[BandIn] = Field(..., min_length=1, max_length=20)


class CriterionOut(Schema):
    metric: str = Field(..., alias="metric.code")
    weight: Money
    worst: Fixed(4)
    best: Fixed(4)


class BandOut(Schema):
    name: str
    lower: Money
    upper: Money
    action: BandAction


class PolicyOut(Schema):
    id: int
    name: str
    version: int
    effective_from: datetime.date
    decay: Fixed(3)
    window: int
    criteria: list[CriterionOut]
    bands: list[BandOut]

    @staticmethod
    def resolve_criteria(obj) -> list:
        return list(obj.criteria.all())

    @staticmethod
    def resolve_bands(obj) -> list:
        return list(obj.bands.all())
