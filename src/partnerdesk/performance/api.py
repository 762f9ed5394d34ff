"""Metrics, service levels, measurements, period closes, credit proposals and scores over the
API.

Every endpoint reads through ``restrict(user, action)``, so a row the user may not see is a 404
(and an id in a body that names such a row is a 422 on that field); the services check the
permission again before writing. ``/credit-proposals`` is what finance consumes.
"""

from contextlib import contextmanager

from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from partnerdesk.contracts.models import Contract
from partnerdesk.core.errors import ApplicationError, InvalidInput
from partnerdesk.core.listing import ApiPagination, apply_sort
from partnerdesk.core.permissions import can
from partnerdesk.partners.models import Partner
from partnerdesk.performance import selectors
from partnerdesk.performance.api_filters import (
    MEASUREMENT_SORTS,
    SCORE_SORTS,
    CreditProposalFilter,
    MeasurementFilter,
    PeriodCloseFilter,
    ScoreFilter,
    ServiceLevelFilter,
)
from partnerdesk.performance.filters import METRIC_SORTS, MetricFilter
from partnerdesk.performance.models import (
    CreditProposal,
    Exclusion,
    Measurement,
    Metric,
    PartnerScore,
    PeriodClose,
    ScorecardPolicy,
    ServiceLevel,
    ServiceLevelResult,
)
from partnerdesk.performance.result_filters import PROPOSAL_SORTS
from partnerdesk.performance.schemas import (
    CorrectionIn,
    CreditProposalOut,
    ExclusionDecisionIn,
    ExclusionIn,
    ExclusionOut,
    MeasurementBatchIn,
    MeasurementBatchOut,
    MeasurementIn,
    MeasurementOut,
    MetricIn,
    MetricOut,
    MetricPatch,
    PeriodCloseIn,
    PeriodCloseOut,
    PolicyIn,
    PolicyOut,
    ReopenIn,
    ResultExplanationOut,
    ResultOut,
    ScoreExplanationOut,
    ScoreOut,
    ServiceLevelDetailOut,
    ServiceLevelIn,
    ServiceLevelOut,
    StandingOut,
    TermsOut,
    TermsVersionIn,
    period_date,
    period_or_error,
)
from partnerdesk.performance.services import closing, measurements, policies, service_levels
from partnerdesk.performance.services.measurement_batch import BatchRow, measurement_batch_record

router = Router(tags=["performance"])
ERRORS = {400: dict, 401: dict, 403: dict, 404: dict, 409: dict, 422: dict}


def _named(queryset, field: str, message: str, **lookup):
    """The row a request body names, or a 422 on that field (an invisible row reads the same
    as a missing one)."""
    row = queryset.filter(**lookup).first()
    if row is None:
        raise InvalidInput(message, fields={field: [message]})
    return row


@contextmanager
def _nested(prefix: str, names: set[str]):
    """Service errors about fields of a nested object, named as the body nests them
    (``terms.tiers``, like the schema's own errors)."""
    try:
        yield
    except ApplicationError as exc:
        if not names & exc.fields.keys():
            raise
        fields = {(f"{prefix}.{k}" if k in names else k): v for k, v in exc.fields.items()}
        raise type(exc)(exc.message, fields=fields, code=exc.code) from exc


def _level_get(user, level_id: int) -> ServiceLevel:
    return ServiceLevel.objects.restrict(user).select_related("contract", "metric").get(pk=level_id)


def _level_detail(user, level_id: int) -> ServiceLevel:
    return (
        ServiceLevel.objects.restrict(user)
        .select_related("contract", "metric")
        .prefetch_related("terms", "exclusions")
        .get(pk=level_id)
    )


# --- Metrics ---------------------------------------------------------------------------------


@router.get("/metrics", response={200: list[MetricOut], **ERRORS})
@paginate(ApiPagination)
def list_metrics(request, filters: Query[MetricFilter], sort: str | None = None):
    qs = filters.filter(Metric.objects.restrict(request.user))
    return apply_sort(qs, sort, METRIC_SORTS, "code")[0]


@router.post("/metrics", response={201: MetricOut, **ERRORS})
def create_metric(request, payload: MetricIn):
    return Status(201, service_levels.metric_create(user=request.user, data=payload.dict()))


@router.get("/metrics/{int:metric_id}", response={200: MetricOut, **ERRORS})
def get_metric(request, metric_id: int):
    return Metric.objects.restrict(request.user).get(pk=metric_id)


@router.patch("/metrics/{int:metric_id}", response={200: MetricOut, **ERRORS})
def update_metric(request, metric_id: int, payload: MetricPatch):
    metric = Metric.objects.restrict(request.user, "change").get(pk=metric_id)
    return service_levels.metric_update(
        user=request.user, metric=metric, data=payload.dict(exclude_unset=True)
    )


# --- Service levels, terms, exclusions -------------------------------------------------------


@router.get("/service-levels", response={200: list[ServiceLevelOut], **ERRORS})
@paginate(ApiPagination)
def list_service_levels(request, filters: Query[ServiceLevelFilter]):
    qs = ServiceLevel.objects.restrict(request.user).select_related("contract", "metric")
    return filters.filter(qs).order_by("contract__reference", "pk")


@router.post(
    "/contracts/{int:contract_id}/service-levels",
    response={201: ServiceLevelDetailOut, **ERRORS},
)
def create_service_level(request, contract_id: int, payload: ServiceLevelIn):
    contract = Contract.objects.restrict(request.user).get(pk=contract_id)
    lookup = {"pk": payload.metric} if isinstance(payload.metric, int) else {"code": payload.metric}
    metric = _named(Metric.objects.restrict(request.user), "metric", _("Unknown metric."), **lookup)
    with _nested("terms", service_levels.TERMS_FIELDS):
        level = service_levels.service_level_create(
            user=request.user,
            contract=contract,
            metric=metric,
            name=payload.name,
            terms=payload.terms.dict(),
        )
    return Status(201, _level_detail(request.user, level.pk))


@router.get("/service-levels/{int:level_id}", response={200: ServiceLevelDetailOut, **ERRORS})
def get_service_level(request, level_id: int):
    return _level_detail(request.user, level_id)


@router.post("/service-levels/{int:level_id}/terms", response={201: TermsOut, **ERRORS})
def add_terms_version(request, level_id: int, payload: TermsVersionIn):
    level = _level_get(request.user, level_id)
    with _nested("terms", service_levels.TERMS_FIELDS):
        terms = service_levels.terms_add_version(
            user=request.user,
            service_level=level,
            effective_from=payload.effective_from,
            data=payload.terms.dict(),
        )
    return Status(201, terms)


@router.post("/service-levels/{int:level_id}/exclusions", response={201: ExclusionOut, **ERRORS})
def request_exclusion(request, level_id: int, payload: ExclusionIn):
    level = _level_get(request.user, level_id)
    exclusion = service_levels.exclusion_request(
        user=request.user,
        service_level=level,
        period=period_date(payload.period),
        reason=payload.reason,
    )
    return Status(201, exclusion)


@router.post("/exclusions/{int:exclusion_id}/decision", response={200: ExclusionOut, **ERRORS})
def decide_exclusion(request, exclusion_id: int, payload: ExclusionDecisionIn):
    exclusion = Exclusion.objects.restrict(request.user).get(pk=exclusion_id)
    return service_levels.exclusion_decide(
        user=request.user, exclusion=exclusion, approve=payload.approve
    )


# --- Measurements ----------------------------------------------------------------------------


def _measurements(user, action: str = "view"):
    return Measurement.objects.restrict(user, action).select_related("contract", "metric")


@router.get("/measurements", response={200: list[MeasurementOut], **ERRORS})
@paginate(ApiPagination)
def list_measurements(request, filters: Query[MeasurementFilter], sort: str | None = None):
    qs = filters.filter(_measurements(request.user))
    return apply_sort(qs, sort, MEASUREMENT_SORTS, "-measured_on")[0]


@router.post("/measurements", response={201: MeasurementOut, **ERRORS})
def create_measurement(request, payload: MeasurementIn):
    user = request.user
    contract = _named(
        Contract.objects.restrict(user), "contract", _("Unknown contract."), pk=payload.contract
    )
    metric = _named(
        Metric.objects.restrict(user), "metric", _("Unknown metric."), code=payload.metric
    )
    created = measurements.measurement_record(
        user=user,
        contract=contract,
        metric=metric,
        measured_on=payload.measured_on,
        value=payload.value,
        numerator=payload.numerator,
        denominator=payload.denominator,
        source="api",
        evidence=payload.evidence,
    )
    return Status(201, created)


@router.post("/measurements/batch", response={201: MeasurementBatchOut, **ERRORS})
def create_measurements(request, payload: MeasurementBatchIn):
    """All rows or none; problems are named ``rows.<index>.<field>`` (index from 0)."""
    user = request.user
    contracts = Contract.objects.restrict(user).in_bulk({r.contract for r in payload.rows})
    metrics = Metric.objects.restrict(user).in_bulk(
        {r.metric for r in payload.rows}, field_name="code"
    )
    rows = [
        BatchRow(
            contract=contracts.get(r.contract),
            metric=metrics.get(r.metric),
            measured_on=r.measured_on,
            value=r.value,
            numerator=r.numerator,
            denominator=r.denominator,
            evidence=r.evidence,
        )
        for r in payload.rows
    ]
    created = measurement_batch_record(user=user, rows=rows)
    return Status(201, {"created": len(created), "items": created})


@router.get("/measurements/{int:measurement_id}", response={200: MeasurementOut, **ERRORS})
def get_measurement(request, measurement_id: int):
    return _measurements(request.user).get(pk=measurement_id)


@router.post(
    "/measurements/{int:measurement_id}/corrections", response={201: MeasurementOut, **ERRORS}
)
def correct_measurement(request, measurement_id: int, payload: CorrectionIn):
    measurement = _measurements(request.user, "change").get(pk=measurement_id)
    corrected = measurements.measurement_correct(
        user=request.user,
        measurement=measurement,
        reason=payload.reason,
        value=payload.value,
        numerator=payload.numerator,
        denominator=payload.denominator,
        evidence=payload.evidence,
    )
    return Status(201, corrected)


# --- Period closes and their results ---------------------------------------------------------


@router.get("/period-closes", response={200: list[PeriodCloseOut], **ERRORS})
@paginate(ApiPagination)
def list_period_closes(request, filters: Query[PeriodCloseFilter]):
    return filters.filter(PeriodClose.objects.restrict(request.user)).order_by(
        "-period", "-revision"
    )


@router.post("/period-closes", response={201: PeriodCloseOut, **ERRORS})
def close_period(request, payload: PeriodCloseIn):
    close = closing.period_close(user=request.user, period=period_date(payload.period))
    return Status(201, close)


@router.post("/period-closes/{period}/reopen", response={200: PeriodCloseOut, **ERRORS})
def reopen_period(request, period: str, payload: ReopenIn):
    return closing.period_reopen(
        user=request.user, period=period_or_error(period), reason=payload.reason
    )


@router.get("/period-closes/{int:close_id}", response={200: PeriodCloseOut, **ERRORS})
def get_period_close(request, close_id: int):
    return PeriodClose.objects.restrict(request.user).get(pk=close_id)


def _results(user):
    return ServiceLevelResult.objects.restrict(user).select_related(
        "period_close", "contract", "service_level__metric"
    )


@router.get("/period-closes/{int:close_id}/results", response={200: list[ResultOut], **ERRORS})
@paginate(ApiPagination)
def period_close_results(request, close_id: int):
    close = PeriodClose.objects.restrict(request.user).get(pk=close_id)
    return _results(request.user).filter(period_close=close).order_by("contract__reference", "pk")


@router.get("/results/{int:result_id}/explanation", response={200: ResultExplanationOut, **ERRORS})
def result_explanation(request, result_id: int):
    return _results(request.user).get(pk=result_id)


@router.get("/credit-proposals", response={200: list[CreditProposalOut], **ERRORS})
@paginate(ApiPagination)
def list_credit_proposals(request, filters: Query[CreditProposalFilter], sort: str | None = None):
    qs = CreditProposal.objects.restrict(request.user).select_related("contract__partner")
    return apply_sort(filters.filter(qs), sort, PROPOSAL_SORTS, "-period")[0]


# --- Scores, standings and scorecard policies ------------------------------------------------


def _scores(user):
    return PartnerScore.objects.restrict(user).select_related("partner", "policy")


@router.get("/scores", response={200: list[ScoreOut], **ERRORS})
@paginate(ApiPagination)
def list_scores(request, filters: Query[ScoreFilter], sort: str | None = None):
    return apply_sort(filters.filter(_scores(request.user)), sort, SCORE_SORTS, "-period")[0]


@router.get("/scores/{int:score_id}/explanation", response={200: ScoreExplanationOut, **ERRORS})
def score_explanation(request, score_id: int):
    return _scores(request.user).get(pk=score_id)


@router.get("/partners/{int:partner_id}/standing", response={200: StandingOut, **ERRORS})
def partner_standing(request, partner_id: int):
    partner = Partner.objects.restrict(request.user).get(pk=partner_id)
    score = None
    if can(request.user, "view", PartnerScore):
        score = selectors.partner_standing(partner_id=partner.pk)
    if score is None:
        return StandingOut(
            partner_id=partner.pk,
            score_id=None,
            period=None,
            score=None,
            overall=None,
            standing=None,
            action="none",
        )
    return StandingOut(
        partner_id=partner.pk,
        score_id=score.pk,
        period=score.period.strftime("%Y-%m"),
        score=None if score.score is None else str(score.score),
        overall=None if score.overall is None else str(score.overall),
        standing=score.standing or None,
        action=score.action,
    )


@router.get("/scorecard-policies", response={200: list[PolicyOut], **ERRORS})
@paginate(ApiPagination)
def list_policies(request):
    return (
        ScorecardPolicy.objects.restrict(request.user)
        .prefetch_related("criteria__metric", "bands")
        .order_by("-effective_from", "pk")
    )


@router.post("/scorecard-policies", response={201: PolicyOut, **ERRORS})
def create_policy(request, payload: PolicyIn):
    data = payload.dict()
    policy = policies.policy_create(
        user=request.user,
        name=data["name"],
        effective_from=data["effective_from"],
        decay=data["decay"],
        window=data["window"],
        criteria=data["criteria"],
        bands=data["bands"],
    )
    return Status(201, policy)
