"""The metric library: what can be measured and how a period's values are combined."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerdesk.core.models import TimeStampedModel
from partnerdesk.core.permissions import RestrictedManager
from partnerdesk.performance.choices import Aggregation, Direction, MetricSource


class Metric(TimeStampedModel):
    """A KPI definition. ``derived_source`` names a registered source (see
    ``performance.sources``) when the values come from platform data."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    unit = models.CharField(_("unit"), max_length=20, help_text=_("%, ppm, days, hours…"))
    direction = models.CharField(_("direction"), max_length=6, choices=Direction.choices)
    aggregation = models.CharField(
        _("aggregation over a period"), max_length=6, choices=Aggregation.choices
    )
    scale = models.DecimalField(
        _("scale of a ratio"),
        max_digits=12,
        decimal_places=2,
        default=Decimal(100),
        help_text=_("A ratio of sums is multiplied by this (100 for %)."),
    )
    source = models.CharField(
        _("source"), max_length=8, choices=MetricSource.choices, default=MetricSource.MANUAL
    )
    derived_source = models.CharField(_("derived source"), max_length=40, blank=True)
    decimals = models.PositiveSmallIntegerField(_("decimals shown"), default=2)

    objects = RestrictedManager()
    partner_path = None

    class Meta:
        ordering = ["name"]
        verbose_name = _("metric")

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"

    def clean(self):
        from django.core.exceptions import ValidationError

        from partnerdesk.performance.sources import SOURCES

        if self.source == MetricSource.DERIVED:
            if self.derived_source not in SOURCES:
                raise ValidationError(
                    {
                        "derived_source": _("Choose one of: %(names)s.")
                        % {"names": ", ".join(sorted(SOURCES))}
                    }
                )
        elif self.derived_source:
            raise ValidationError({"derived_source": _("Only derived metrics name a source.")})
