"""Choices of the quality module and its small rule tables."""

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditFrequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    HALF_YEARLY = "half_yearly", _("Every six months")
    YEARLY = "yearly", _("Yearly")


# Months between two audits of a schedule.
FREQUENCY_MONTHS = {
    AuditFrequency.MONTHLY: 1,
    AuditFrequency.QUARTERLY: 3,
    AuditFrequency.HALF_YEARLY: 6,
    AuditFrequency.YEARLY: 12,
}


class AuditStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class QuestionKind(models.TextChoices):
    YES_NO = "yes_no", _("Yes / no / not applicable")
    SCALE = "scale", _("Score on a scale")
    NUMERIC = "numeric", _("Numeric reading with limits")


class FindingGrade(models.TextChoices):
    COMPLIANT = "compliant", _("Compliant")
    OBSERVATION = "observation", _("Observation")
    MINOR = "minor", _("Minor finding")
    MAJOR = "major", _("Major finding")


class InspectionLevel(models.TextChoices):
    S1 = "S-1", _("Special S-1")
    S2 = "S-2", _("Special S-2")
    S3 = "S-3", _("Special S-3")
    S4 = "S-4", _("Special S-4")
    I = "I", _("General I")  # noqa: E741 (the standard's name for the level)
    II = "II", _("General II")
    III = "III", _("General III")


class Severity(models.TextChoices):
    """Severity of inspection (ISO 2859-1 clause 9)."""

    NORMAL = "normal", _("Normal")
    TIGHTENED = "tightened", _("Tightened")
    REDUCED = "reduced", _("Reduced")
    DISCONTINUED = "discontinued", _("Discontinued")


class ParameterKind(models.TextChoices):
    MEASURED = "measured", _("Measured value")
    ATTRIBUTE = "attribute", _("Pass / fail")


class LotStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class Disposition(models.TextChoices):
    RETURN_TO_VENDOR = "return_to_vendor", _("Return to vendor")
    SORT = "sort", _("Sort at the supplier's cost")
    SCRAP = "scrap", _("Scrap")
    USE_AS_IS = "use_as_is", _("Use as is under a concession")


class NCSource(models.TextChoices):
    INSPECTION = "inspection", _("Incoming inspection")
    AUDIT = "audit", _("Audit finding")
    CUSTOMER = "customer_complaint", _("Customer complaint")
    PRODUCTION = "production", _("Production")


class NCSeverity(models.TextChoices):
    MINOR = "minor", _("Minor")
    MAJOR = "major", _("Major")
    CRITICAL = "critical", _("Critical")


# A repeat raises the severity one step; critical stays critical.
RAISED_SEVERITY = {
    NCSeverity.MINOR: NCSeverity.MAJOR,
    NCSeverity.MAJOR: NCSeverity.CRITICAL,
    NCSeverity.CRITICAL: NCSeverity.CRITICAL,
}


class NCStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACTION = "action", _("Corrective action running")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class StageStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the supplier")
    SUBMITTED = "submitted", _("Submitted for review")
    ACCEPTED = "accepted", _("Accepted")
    SENT_BACK = "sent_back", _("Sent back")


class Effectiveness(models.TextChoices):
    EFFECTIVE = "effective", _("Effective")
    NOT_EFFECTIVE = "not_effective", _("Not effective")


# The eight disciplines (D0 to D8).
STAGE_TITLES = {
    0: _("D0 Prepare and emergency response"),
    1: _("D1 Team"),
    2: _("D2 Problem description"),
    3: _("D3 Containment"),
    4: _("D4 Root cause"),
    5: _("D5 Permanent corrective actions chosen"),
    6: _("D6 Corrective actions implemented and validated"),
    7: _("D7 Prevent recurrence"),
    8: _("D8 Closure and recognition"),
}

# Default due times after the action is opened. Containment (D3) within 48 hours, root cause
# (D4) within 14 days, the remaining stages within 30 days. D0 to D2 come before containment
# and are needed for it, so they share its 48 hours. Settings can override each.
DEFAULT_STAGE_DUE = {
    0: datetime.timedelta(hours=48),
    1: datetime.timedelta(hours=48),
    2: datetime.timedelta(hours=48),
    3: datetime.timedelta(hours=48),
    4: datetime.timedelta(days=14),
    5: datetime.timedelta(days=30),
    6: datetime.timedelta(days=30),
    7: datetime.timedelta(days=30),
    8: datetime.timedelta(days=30),
}


class CostKind(models.TextChoices):
    MATERIAL_LOSS = "material_loss", _("Material loss")
    QUALITY_DEFECT = "quality_defect", _("Quality defect")
