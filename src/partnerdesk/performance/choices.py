from django.db import models
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class Aggregation(models.TextChoices):
    MEAN = "mean", _("Mean")
    SUM = "sum", _("Sum")
    RATIO = "ratio", _("Ratio of sums")
    LAST = "last", _("Last value")


class MetricSource(models.TextChoices):
    MANUAL = "manual", _("Manual entry")
    IMPORTED = "imported", _("Imported")
    DERIVED = "derived", _("Derived from platform data")


class MeasurementSource(models.TextChoices):
    MANUAL = "manual", _("Manual entry")
    IMPORT = "import", _("File import")
    API = "api", _("API")


class CreditModel(models.TextChoices):
    TIERED = "tiered", _("Tiered table")
    PER_POINT = "per_point", _("Per full point below target")
    FIXED_AMOUNT = "fixed_amount", _("Fixed amount per breach")
    FIXED_PERCENT = "fixed_percent", _("Fixed percentage per breach")


class Outcome(models.TextChoices):
    MET = "met", _("Met")
    BREACH = "breach", _("Breach")
    EXCUSED = "excused", _("Excused")
    NO_DATA = "no_data", _("No data")
    KPI = "kpi", _("KPI (reported only)")


class ProposalKind(models.TextChoices):
    CREDIT = "credit", _("Service credit")
    EARN_BACK = "earn_back", _("Earn-back")


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed to finance")
    APPLIED = "applied", _("Applied to an invoice")
    SUPERSEDED = "superseded", _("Superseded by a revision")


class ExclusionStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class BandAction(models.TextChoices):
    NONE = "none", _("None")
    WARN = "warn", _("Warn on new orders and contracts")
    BLOCK = "block", _("Block new orders and contracts")
