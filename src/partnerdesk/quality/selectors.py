"""Quality reads for pages and endpoints, always through ``restrict``."""

import datetime

from django.db.models import Count, Prefetch, Q, Sum
from django.utils import timezone

from partnerdesk.quality.choices import (
    ActionStatus,
    AuditStatus,
    LotStatus,
    NCStatus,
    StageStatus,
)
from partnerdesk.quality.models import (
    Audit,
    AuditAnswer,
    AuditEvidence,
    AuditQuestion,
    AuditSchedule,
    AuditSection,
    AuditTemplate,
    CorrectiveAction,
    CostEvent,
    DefectType,
    EightDStage,
    InspectionParameter,
    InspectionStandard,
    LotInspection,
    Nonconformance,
    SampleReading,
    SamplingState,
)
from partnerdesk.quality.selectors_pages import (  # re-exported for callers
    cost_by_month as cost_by_month,
    lot_acceptance_by_month as lot_acceptance_by_month,
    lot_invoices as lot_invoices,
    lot_parameters as lot_parameters,
    lots_awaiting as lots_awaiting,
    nc_by_defect as nc_by_defect,
    quality_staff as quality_staff,
)

# --- audits ------------------------------------------------------------------------------------


def template_list(*, user):
    return AuditTemplate.objects.restrict(user).annotate(
        section_count=Count("sections", distinct=True),
        question_count=Count("sections__questions", distinct=True),
    )


def template_get(*, user, pk, action: str = "view") -> AuditTemplate:
    return (
        AuditTemplate.objects.restrict(user, action)
        .prefetch_related(
            Prefetch(
                "sections",
                queryset=AuditSection.objects.order_by("position").prefetch_related(
                    Prefetch("questions", queryset=AuditQuestion.objects.order_by("position"))
                ),
            )
        )
        .get(pk=pk)
    )


def section_get(*, user, pk, action: str = "change") -> AuditSection:
    return AuditSection.objects.restrict(user, action).select_related("template").get(pk=pk)


def question_get(*, user, pk, action: str = "change") -> AuditQuestion:
    return (
        AuditQuestion.objects.restrict(user, action).select_related("section__template").get(pk=pk)
    )


def schedule_list(*, user):
    return AuditSchedule.objects.restrict(user).select_related("partner", "template", "auditor")


def schedule_get(*, user, pk, action: str = "view") -> AuditSchedule:
    return (
        AuditSchedule.objects.restrict(user, action)
        .select_related("partner", "template", "auditor")
        .get(pk=pk)
    )


def audit_list(*, user):
    return (
        Audit.objects.restrict(user)
        .select_related("partner", "template", "auditor")
        .annotate(
            major_count=Count("answers", filter=Q(answers__finding="major")),
            minor_count=Count("answers", filter=Q(answers__finding="minor")),
        )
    )


def audit_get(*, user, pk, action: str = "view") -> Audit:
    return (
        Audit.objects.restrict(user, action)
        .select_related("partner", "template", "auditor", "closed_by", "schedule")
        .get(pk=pk)
    )


def audit_answers(*, user, audit: Audit) -> list[AuditAnswer]:
    """The audit's questions in order, each with its evidence and nonconformance."""
    return list(
        AuditAnswer.objects.restrict(user)
        .filter(audit=audit)
        .select_related("nonconformance", "answered_by")
        .prefetch_related(
            Prefetch("evidence", queryset=AuditEvidence.objects.order_by("uploaded_at", "id"))
        )
        .order_by("position")
    )


def answer_get(*, user, pk, action: str = "change") -> AuditAnswer:
    return AuditAnswer.objects.restrict(user, action).select_related("audit").get(pk=pk)


def evidence_get(*, user, pk, action: str = "view") -> AuditEvidence:
    return AuditEvidence.objects.restrict(user, action).select_related("audit").get(pk=pk)


def audit_general_evidence(*, user, audit: Audit):
    return AuditEvidence.objects.restrict(user).filter(audit=audit, answer=None)


def upcoming_audits(*, user, days: int = 30):
    today = timezone.localdate()
    return (
        audit_list(user=user)
        .filter(
            status__in=(AuditStatus.PLANNED, AuditStatus.IN_PROGRESS),
            planned_date__lte=today + datetime.timedelta(days=days),
        )
        .order_by("planned_date")
    )


# --- inspection --------------------------------------------------------------------------------


def standard_list(*, user):
    return (
        InspectionStandard.objects.restrict(user)
        .select_related("category")
        .annotate(parameter_count=Count("parameters"))
    )


def standard_get(*, user, pk, action: str = "view") -> InspectionStandard:
    return (
        InspectionStandard.objects.restrict(user, action)
        .select_related("category")
        .prefetch_related(
            Prefetch(
                "parameters",
                queryset=InspectionParameter.objects.order_by("position").select_related(
                    "defect_type"
                ),
            )
        )
        .get(pk=pk)
    )


def parameter_get(*, user, pk, action: str = "change") -> InspectionParameter:
    return InspectionParameter.objects.restrict(user, action).select_related("standard").get(pk=pk)


def lot_list(*, user):
    return LotInspection.objects.restrict(user).select_related(
        "partner",
        "standard",
        "receipt_line__receipt",
        "receipt_line__order_line",
    )


def lot_get(*, user, pk, action: str = "view") -> LotInspection:
    return (
        LotInspection.objects.restrict(user, action)
        .select_related(
            "partner",
            "standard",
            "inspector",
            "decided_by",
            "disposed_by",
            "receipt_line__receipt",
            "receipt_line__order_line__order",
        )
        .get(pk=pk)
    )


def lot_readings(*, user, inspection: LotInspection) -> dict[int, dict[int, SampleReading]]:
    """The readings of a lot as {unit: {parameter id: reading}}."""
    grid: dict[int, dict[int, SampleReading]] = {}
    for reading in SampleReading.objects.restrict(user).filter(inspection=inspection):
        grid.setdefault(reading.unit_no, {})[reading.parameter_id] = reading
    return grid


def sampling_states(*, user):
    return SamplingState.objects.restrict(user).select_related("partner", "standard")


def sampling_state_get(*, user, pk, action: str = "change") -> SamplingState:
    return SamplingState.objects.restrict(user, action).get(pk=pk)


def uninspected_receipt_lines(*, user):
    """Receipt lines that a standard applies to and that have no inspection yet."""
    from django.db.models import Exists, OuterRef

    from partnerdesk.finance.models import GoodsReceiptLine

    by_item = InspectionStandard.objects.filter(is_active=True, item=OuterRef("order_line__item"))
    by_category = InspectionStandard.objects.filter(
        is_active=True, item="", category_id=OuterRef("order_line__category_id")
    )
    return (
        GoodsReceiptLine.objects.restrict(user)
        .filter(lot_inspection__isnull=True)
        .filter(Exists(by_item) | Exists(by_category))
        .select_related("receipt__partner", "order_line")
        .order_by("-receipt__received_on", "receipt_id", "line_no")
    )


# --- nonconformances and corrective actions ----------------------------------------------------


def defect_types():
    return DefectType.objects.order_by("code")


def nc_list(*, user):
    return Nonconformance.objects.restrict(user).select_related(
        "partner", "defect_type", "owner", "repeat_of"
    )


def nc_get(*, user, pk, action: str = "view") -> Nonconformance:
    return (
        Nonconformance.objects.restrict(user, action)
        .select_related(
            "partner",
            "defect_type",
            "owner",
            "repeat_of",
            "lot_inspection",
            "audit_answer__audit",
        )
        .get(pk=pk)
    )


def action_list(*, user):
    now = timezone.now()
    return (
        CorrectiveAction.objects.restrict(user)
        .select_related("partner", "nonconformance", "owner")
        .annotate(
            accepted_count=Count("stages", filter=Q(stages__status=StageStatus.ACCEPTED)),
            overdue_count=Count(
                "stages",
                filter=Q(
                    stages__status__in=(StageStatus.PENDING, StageStatus.SENT_BACK),
                    stages__due_at__lt=now,
                ),
            ),
        )
    )


def action_get(*, user, pk, action: str = "view") -> CorrectiveAction:
    return (
        CorrectiveAction.objects.restrict(user, action)
        .select_related(
            "partner", "nonconformance__defect_type", "owner", "effectiveness_checked_by"
        )
        .prefetch_related(
            Prefetch(
                "stages",
                queryset=EightDStage.objects.order_by("stage").select_related(
                    "submitted_by", "reviewed_by"
                ),
            )
        )
        .get(pk=pk)
    )


def stage_get(*, user, pk, action: str = "view") -> EightDStage:
    return EightDStage.objects.restrict(user, action).select_related("action").get(pk=pk)


def overdue_stages(*, user):
    return (
        EightDStage.objects.restrict(user)
        .filter(
            action__status=ActionStatus.OPEN,
            status__in=(StageStatus.PENDING, StageStatus.SENT_BACK),
            due_at__lt=timezone.now(),
        )
        .select_related("action__partner")
        .order_by("due_at")
    )


# --- costs -------------------------------------------------------------------------------------


def cost_list(*, user):
    return CostEvent.objects.restrict(user).select_related(
        "partner", "team", "nonconformance", "lot_inspection", "corrects", "recorded_by"
    )


def cost_get(*, user, pk, action: str = "view") -> CostEvent:
    return (
        CostEvent.objects.restrict(user, action)
        .select_related("partner", "team", "nonconformance", "lot_inspection", "corrects")
        .get(pk=pk)
    )


def cost_totals(*, user, queryset=None):
    """Totals per currency and kind of the (filtered) cost events."""
    rows = (queryset if queryset is not None else cost_list(user=user)).order_by()
    return list(
        rows.values("currency", "kind")
        .annotate(total=Sum("amount"), chargeback=Sum("amount", filter=Q(chargeback=True)))
        .order_by("currency", "kind")
    )


# --- the quality overview ----------------------------------------------------------------------


def overview_counts(*, user) -> dict:
    """The figures of the quality home page, in a few aggregate queries."""
    lots = LotInspection.objects.restrict(user).aggregate(
        open=Count("id", filter=Q(status=LotStatus.OPEN)),
        rejected_undisposed=Count("id", filter=Q(status=LotStatus.REJECTED, disposition="")),
    )
    ncs = Nonconformance.objects.restrict(user).aggregate(
        open=Count("id", filter=Q(status__in=(NCStatus.OPEN, NCStatus.ACTION))),
        repeats_open=Count(
            "id",
            filter=Q(status__in=(NCStatus.OPEN, NCStatus.ACTION), repeat_of__isnull=False),
        ),
    )
    actions = CorrectiveAction.objects.restrict(user).aggregate(
        open=Count("id", filter=Q(status=ActionStatus.OPEN)),
    )
    audits = Audit.objects.restrict(user).aggregate(
        planned=Count("id", filter=Q(status=AuditStatus.PLANNED)),
        in_progress=Count("id", filter=Q(status=AuditStatus.IN_PROGRESS)),
    )
    return {
        "lots_open": lots["open"],
        "lots_awaiting_disposition": lots["rejected_undisposed"],
        "nc_open": ncs["open"],
        "nc_repeats_open": ncs["repeats_open"],
        "actions_open": actions["open"],
        "audits_planned": audits["planned"],
        "audits_in_progress": audits["in_progress"],
    }


# --- pages: the quality home, a lot's parameters and invoices, people to choose ----------------
