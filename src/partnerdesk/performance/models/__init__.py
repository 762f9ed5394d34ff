from partnerdesk.performance.models.close import CreditProposal, PeriodClose, ServiceLevelResult
from partnerdesk.performance.models.measurement import Measurement
from partnerdesk.performance.models.metric import Metric
from partnerdesk.performance.models.scorecard import (
    PartnerScore,
    ScorecardCriterion,
    ScorecardPolicy,
    StandingBand,
)
from partnerdesk.performance.models.service_level import (
    Exclusion,
    ServiceLevel,
    ServiceLevelTerms,
)

__all__ = [
    "CreditProposal",
    "Exclusion",
    "Measurement",
    "Metric",
    "PartnerScore",
    "PeriodClose",
    "ScorecardCriterion",
    "ScorecardPolicy",
    "ServiceLevel",
    "ServiceLevelResult",
    "ServiceLevelTerms",
    "StandingBand",
]
