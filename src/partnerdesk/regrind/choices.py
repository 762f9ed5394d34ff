"""Choices of the regrind module."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ChartKind(models.TextChoices):
    INDIVIDUALS = "imr", _("Individuals and moving range (I-MR)")
    XBAR_R = "xbar_r", _("Averages and ranges (X̄-R)")
    XBAR_S = "xbar_s", _("Averages and standard deviations (X̄-S)")


class IngestSource(models.TextChoices):
    CSV = "csv", _("CSV file")
    API = "api", _("Machine post (API)")
    DEMO = "demo", _("Demo data")


class IngestStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    CHECKED = "checked", _("Checked only (nothing stored)")
    REFUSED = "refused", _("Refused (nothing stored)")
    FAILED = "failed", _("Failed")


class SignalStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
