"""Scorecard policies (criteria, weights, normalisation, standing bands) and the scores."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerdesk.core.permissions import RestrictedManager
from partnerdesk.performance.choices import BandAction

PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


class ScorecardPolicy(models.Model):
    """A versioned scorecard rule set; the one in force at a period's start scores it."""

    name = models.CharField(_("name"), max_length=100)
    version = models.PositiveIntegerField(_("version"), unique=True)
    effective_from = models.DateField(_("effective from"), unique=True)
    decay = models.DecimalField(
        _("weight of each older period"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.8"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
        help_text=_("The newest period weighs 1, the one before this, then its square…"),
    )
    window = models.PositiveSmallIntegerField(
        _("periods in the overall score"), default=6, validators=[MinValueValidator(1)]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedManager()
    partner_path = None

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("scorecard policy")
        verbose_name_plural = _("scorecard policies")

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class ScorecardCriterion(models.Model):
    """A weighted KPI of the scorecard, normalised to 0-100 linearly between ``worst`` and
    ``best``."""

    policy = models.ForeignKey(ScorecardPolicy, on_delete=models.CASCADE, related_name="criteria")
    metric = models.ForeignKey("performance.Metric", on_delete=models.PROTECT, related_name="+")
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2, validators=PERCENT)
    worst = models.DecimalField(_("value scoring 0"), max_digits=14, decimal_places=4)
    best = models.DecimalField(_("value scoring 100"), max_digits=14, decimal_places=4)

    objects = RestrictedManager()
    partner_path = None

    class Meta:
        ordering = ["policy", "-weight"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "metric"], name="performance_criterion_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.weight}%"


class StandingBand(models.Model):
    """A standing (Excellent, Good, Watch, Poor) for overall scores in [lower, upper); the top
    band includes 100. It may warn about or block new purchase orders and contracts."""

    policy = models.ForeignKey(ScorecardPolicy, on_delete=models.CASCADE, related_name="bands")
    name = models.CharField(_("name"), max_length=40)
    lower = models.DecimalField(_("from"), max_digits=5, decimal_places=2, validators=PERCENT)
    upper = models.DecimalField(_("to"), max_digits=5, decimal_places=2, validators=PERCENT)
    action = models.CharField(
        _("action"), max_length=5, choices=BandAction.choices, default=BandAction.NONE
    )

    objects = RestrictedManager()
    partner_path = None

    class Meta:
        ordering = ["policy", "-lower"]

    def __str__(self) -> str:
        return f"{self.name} [{self.lower}, {self.upper})"


class PartnerScore(models.Model):
    """A partner's score for one period under one policy version, with its explanation.

    ``score`` is the period's own score (None: no activity); ``overall`` weights recent
    periods more; ``standing`` and ``action`` come from the overall score's band.
    """

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="scores")
    period = models.DateField()
    policy = models.ForeignKey(ScorecardPolicy, on_delete=models.PROTECT, related_name="+")
    period_close = models.ForeignKey(
        "performance.PeriodClose", on_delete=models.PROTECT, related_name="scores"
    )
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    overall = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    standing = models.CharField(max_length=40, blank=True)
    action = models.CharField(max_length=5, choices=BandAction.choices, default=BandAction.NONE)
    declines = models.PositiveSmallIntegerField(default=0)
    explanation = models.JSONField(default=dict)

    objects = RestrictedManager()
    partner_path = "partner"

    class Meta:
        ordering = ["partner", "-period"]
        verbose_name = _("partner score")
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "period_close"], name="performance_score_uniq"
            ),
        ]
        indexes = [models.Index(fields=["period", "partner"], name="score_period_idx")]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.period:%Y-%m}: {self.score}"
