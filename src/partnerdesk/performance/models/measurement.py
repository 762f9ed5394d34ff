"""Measured values of metrics on contracts. Corrections are new rows; the old row stays,
marked as replaced."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerdesk.core.permissions import RestrictedManager
from partnerdesk.performance.choices import MeasurementSource


class Measurement(models.Model):
    """One value of a metric on a contract, for a monthly period.

    ``value`` for mean/sum/last metrics; ``numerator`` and ``denominator`` for ratios (the
    value is then their ratio, kept for display). Only current rows count; a correction creates
    a new current row and sets ``replaced_by`` on the old one.
    """

    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.PROTECT, related_name="measurements"
    )
    metric = models.ForeignKey(
        "performance.Metric", on_delete=models.PROTECT, related_name="measurements"
    )
    period = models.DateField(_("period"), help_text=_("First day of the month."))
    measured_on = models.DateField(_("measured on"))
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=4, null=True, blank=True)
    numerator = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    source = models.CharField(_("source"), max_length=8, choices=MeasurementSource.choices)
    evidence = models.CharField(
        _("evidence"),
        max_length=300,
        blank=True,
        help_text=_("Where the value comes from: report, file, link."),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    is_current = models.BooleanField(default=True)
    replaced_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replaces"
    )
    correction_reason = models.CharField(_("correction reason"), max_length=300, blank=True)

    objects = RestrictedManager()
    partner_path = "contract__partner"

    class Meta:
        ordering = ["-period", "contract", "metric", "measured_on"]
        verbose_name = _("measurement")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "metric", "measured_on"],
                condition=models.Q(is_current=True),
                name="performance_measurement_current_uniq",
            ),
        ]
        indexes = [
            models.Index(fields=["period", "metric", "contract"], name="measurement_period_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.metric_id}@{self.contract_id} {self.measured_on}: {self.value}"
