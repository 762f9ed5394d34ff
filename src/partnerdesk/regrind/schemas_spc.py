"""API shapes of the SPC side: machine posts and CSV ingests with their refused rows, control
charts with their limits and analysed windows, signals, and the monthly rankings.

A machine post takes every field of a reading as it comes (text or number): the ingest checks
each row and refuses a bad one with its reasons instead of failing the whole post. Measured
values go out as floats, money as strings with two decimals next to its currency.
"""

import datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import StringConstraints

from partnerdesk.contracts.schemas import Fixed, Id
from partnerdesk.core.schemas import InputSchema
from partnerdesk.regrind.filters_spc import MONTH_PATTERN
from partnerdesk.regrind.forms_spc import MAX_WINDOW_POINTS
from partnerdesk.regrind.rule_labels import rule_label
from partnerdesk.regrind.schemas_plant import AwareTime
from partnerdesk.regrind.services.ingest import MAX_POST_ROWS
from partnerdesk.regrind.services.ranking import MIN_READINGS
from partnerdesk.regrind.services.signals import NOTE_MAX

Money = Fixed(2)
Loose = Annotated[str, StringConstraints(max_length=200)] | float | int | None
Rule = Annotated[str, StringConstraints(min_length=1, max_length=4)]

# --- readings and ingests ----------------------------------------------------------------------


class DosingReadingIn(InputSchema):
    machine: Loose = Field(None, description="Machine id of the dosing unit")
    timestamp: Loose = Field(
        None, description="YYYY-MM-DD HH:MM[:SS], optionally with Z or an offset (+08:00)"
    )
    batch: Loose = Field(None, description="Batch or shot id (optional)")
    regrind_kg: Loose = None
    virgin_kg: Loose = None
    ratio: Loose = Field(None, description="Percent of regrind; or give both masses")


class DosingReadingsIn(InputSchema):
    readings: list[DosingReadingIn] = Field(..., min_length=1, max_length=MAX_POST_ROWS)
    strict: bool = Field(False, description="All or nothing: store nothing if a row is refused")


class CsvIngestIn(InputSchema):
    strict: bool = Field(False, description="All or nothing: store nothing if a row is refused")
    check_only: bool = Field(False, description="Run every check, store nothing")


class IssueOut(Schema):
    field: str
    code: str
    message: str


class RejectionOut(Schema):
    row: int = Field(..., description="Row of the file (the header is 1) or of the post")
    raw: str
    errors: list[IssueOut]


class IngestResultOut(Schema):
    ingest: int
    status: str = Field(..., description="done, checked (nothing stored) or refused (nothing)")
    rows: int
    stored: int
    duplicates: int = Field(..., description="Stored before: a resend changes nothing")
    refused: int
    rejections: list[RejectionOut] = Field(..., description="The first 500 refused rows")


class IngestOut(Schema):
    id: int
    source: str
    filename: str
    status: str
    strict: bool
    started_at: datetime.datetime
    finished_at: datetime.datetime | None
    started_by_id: int | None
    rows: int
    stored: int
    duplicates: int
    refused: int
    first_at: datetime.datetime | None
    last_at: datetime.datetime | None
    message: str


class IngestDetailOut(IngestOut):
    rejections: list[RejectionOut] = Field(
        ..., alias="rejection_rows", description="The first 500 refused rows"
    )


# --- charts ------------------------------------------------------------------------------------


class LimitsOut(Schema):
    id: int
    version: int
    baseline_start: datetime.datetime
    baseline_end: datetime.datetime
    points: int
    readings: int
    center: float
    ucl: float
    lcl: float
    sigma: float
    dispersion_center: float
    dispersion_ucl: float
    dispersion_lcl: float
    explanation: dict
    note: str
    created_at: datetime.datetime


class ChartOut(Schema):
    id: int
    unit_id: int
    unit_code: str = Field(..., alias="unit.code")
    line_id: int = Field(..., alias="unit.line_id")
    kind: str
    subgroup_size: int
    rules: list[str]
    is_active: bool
    monitored_until: datetime.datetime | None
    limits: LimitsOut | None
    created_at: datetime.datetime


class ChartDetailOut(ChartOut):
    limit_versions: list[LimitsOut] = Field(..., alias="version_rows")


class ChartIn(InputSchema):
    unit: Id
    kind: Literal["imr", "xbar_r", "xbar_s"]
    subgroup_size: int | None = Field(None, ge=1, le=25, description="2 to 25 for X̄ charts")
    rules: list[Rule] | None = Field(None, max_length=20)


class ChartPatch(InputSchema):
    rules: list[Rule] | None = Field(None, max_length=20)
    is_active: bool | None = None


class BaselineIn(InputSchema):
    start: AwareTime
    end: AwareTime
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] = ""


class WindowIn(InputSchema):
    last: int = Field(300, ge=2, le=MAX_WINDOW_POINTS, description="The last N points")
    start: AwareTime | None = Field(None, description="From (inclusive); with end, not last")
    end: AwareTime | None = Field(None, description="To (inclusive)")


class WindowLimitsOut(Schema):
    center: float
    ucl: float
    lcl: float
    sigma: float
    zone_sigma: float
    dispersion_center: float
    dispersion_ucl: float
    dispersion_lcl: float
    phase_one: bool = Field(..., description="Computed from the window: no limits are set")
    version: int | None


class PointOut(Schema):
    index: int = Field(..., description="Position of the point in the window")
    at: datetime.datetime | None
    value: float
    dispersion: float | None
    rules: list[str] = Field(..., description="Run rules that flag the point (d1: dispersion)")


class WindowSignalOut(Schema):
    index: int
    rule: str
    label: str
    value: float
    at: datetime.datetime | None
    first_at: datetime.datetime | None


class CapabilityOut(Schema):
    n: int
    mean: float
    sigma_within: float
    sigma_overall: float
    cp: float | None
    cpk: float | None
    pp: float | None
    ppk: float | None


class SpecOut(Schema):
    code: str
    target: float
    lsl: float
    usl: float
    max: float


class RuleCountOut(Schema):
    rule: str
    label: str
    count: int


class PointsOut(Schema):
    chart: int
    kind: str
    subgroup_size: int
    readings: int
    points: int = Field(..., description="Points in the window")
    returned: int = Field(..., description="The last points of the window, with their times")
    limits: WindowLimitsOut | None
    note: str
    items: list[PointOut]
    rule_counts: list[RuleCountOut]
    signals: list[WindowSignalOut] = Field(..., description="The latest rule signals")
    product: SpecOut | None
    capability: CapabilityOut | None


# --- signals -----------------------------------------------------------------------------------


class SignalOut(Schema):
    id: int
    chart_id: int
    unit_code: str = Field(..., alias="chart.unit.code")
    line_id: int
    line_code: str = Field(..., alias="line.code")
    rule: str
    rule_label: str
    point_at: datetime.datetime
    first_at: datetime.datetime
    value: float
    limits_version: int = Field(..., alias="limits.version")
    team_id: int | None
    status: str
    acknowledged_by_id: int | None
    acknowledged_at: datetime.datetime | None
    note: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_rule_label(obj) -> str:
        return rule_label(obj.rule)


class AcknowledgeIn(InputSchema):
    note: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=NOTE_MAX)
    ]
    with_earlier: bool = False


# --- rankings ----------------------------------------------------------------------------------


class RankingOut(Schema):
    id: int
    month: datetime.date
    revision: int
    rule_version: str
    computed_at: datetime.datetime
    computed_by_id: int | None
    is_final: bool
    readings: int
    unassigned: int
    parameters: dict


class TeamPrecisionOut(Schema):
    team_id: int
    team_name: str = Field(..., alias="team.name")
    rank: int | None
    eligible: bool
    readings: int
    within: int
    share_within: float
    mean_abs_deviation: float
    mean_deviation: float
    cpk: float | None
    above_max: int
    virgin_cost: Money
    risk_cost: Money
    currency: str
    inputs: list[dict] = Field(..., description="The sums per line and product")


class RankingDetailOut(RankingOut):
    teams: list[TeamPrecisionOut] = Field(..., alias="team_rows")


class RankingComputeIn(InputSchema):
    month: Annotated[str, StringConstraints(pattern=MONTH_PATTERN)] = Field(
        ..., description="YYYY-MM"
    )
    min_readings: int = Field(MIN_READINGS, ge=1, le=10_000_000)
