"""Quality module models: the audit programme, incoming inspection, nonconformances with 8D
corrective actions, and cost events."""

from partnerdesk.quality.models.audits import (
    Audit,
    AuditAnswer,
    AuditEvidence,
    AuditQuestion,
    AuditSchedule,
    AuditSection,
    AuditTemplate,
)
from partnerdesk.quality.models.inspection import (
    InspectionParameter,
    InspectionStandard,
    LotInspection,
    SampleReading,
    SamplingState,
)
from partnerdesk.quality.models.ncr import (
    CorrectiveAction,
    CostEvent,
    DefectType,
    EightDStage,
    Nonconformance,
)

__all__ = [
    "Audit",
    "AuditAnswer",
    "AuditEvidence",
    "AuditQuestion",
    "AuditSchedule",
    "AuditSection",
    "AuditTemplate",
    "CorrectiveAction",
    "CostEvent",
    "DefectType",
    "EightDStage",
    "InspectionParameter",
    "InspectionStandard",
    "LotInspection",
    "Nonconformance",
    "SampleReading",
    "SamplingState",
]
