"""Service levels on a contract, their versioned terms (targets and credit tables) and
approved exclusions."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerdesk.core.models import TimeStampedModel
from partnerdesk.core.permissions import RestrictedManager
from partnerdesk.performance.choices import CreditModel, ExclusionStatus

PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


class ServiceLevel(TimeStampedModel):
    """A metric measured on a contract against a target. The target and the credit table are
    in ``ServiceLevelTerms``, versioned with effective dates."""

    contract = models.ForeignKey(
        "contracts.Contract",
        on_delete=models.CASCADE,
        related_name="service_levels",
        verbose_name=_("contract"),
    )
    metric = models.ForeignKey(
        "performance.Metric",
        on_delete=models.PROTECT,
        related_name="service_levels",
        verbose_name=_("metric"),
    )
    name = models.CharField(_("name"), max_length=120, blank=True)

    objects = RestrictedManager()
    partner_path = "contract__partner"

    class Meta:
        ordering = ["contract", "id"]
        verbose_name = _("service level")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "metric"], name="performance_sl_contract_metric_uniq"
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.metric.name


class ServiceLevelTerms(models.Model):
    """One version of a service level's commitment: target, critical or KPI, the credit model
    with its table, the pool allocation and earn-back. Never edited once a closed period used
    it: a change is a new version with a later ``effective_from``."""

    service_level = models.ForeignKey(ServiceLevel, on_delete=models.CASCADE, related_name="terms")
    version = models.PositiveIntegerField(_("version"))
    effective_from = models.DateField(_("effective from"))
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=4)
    critical = models.BooleanField(_("critical (carries service credits)"), default=True)
    credit_model = models.CharField(
        _("credit model"), max_length=14, choices=CreditModel.choices, default=CreditModel.TIERED
    )
    # [{"threshold": "99.0", "percent_of_fee": "25"}, …] validated by the credits engine.
    tiers = models.JSONField(_("credit table"), default=list, blank=True)
    percent_per_point = models.DecimalField(
        _("% of fee per full point"),
        max_digits=6,
        decimal_places=3,
        null=True,
        blank=True,
        validators=PERCENT,
    )
    fixed_amount = models.DecimalField(
        _("amount per breach"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    fixed_percent = models.DecimalField(
        _("% of fee per breach"),
        max_digits=6,
        decimal_places=3,
        null=True,
        blank=True,
        validators=PERCENT,
    )
    pool_allocation_percent = models.DecimalField(
        _("pool allocation (% of at-risk amount)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        validators=PERCENT,
    )
    earn_back_periods = models.PositiveSmallIntegerField(
        _("earn-back after (periods met)"),
        default=0,
        help_text=_(
            "0: no earn-back. N: the credit is returned if the next N periods meet the target."
        ),
    )
    note = models.CharField(_("why this version"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedManager()
    partner_path = "service_level__contract__partner"

    class Meta:
        ordering = ["service_level", "-effective_from", "-version"]
        verbose_name = _("service level terms")
        verbose_name_plural = _("service level terms")
        constraints = [
            models.UniqueConstraint(
                fields=["service_level", "version"], name="performance_terms_version_uniq"
            ),
            models.UniqueConstraint(
                fields=["service_level", "effective_from"], name="performance_terms_effective_uniq"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_level} v{self.version}"


class Exclusion(TimeStampedModel):
    """Excused time for a service level in one period (force majeure, agreed downtime).
    It excuses a breach only once approved by someone other than the requester."""

    service_level = models.ForeignKey(
        ServiceLevel, on_delete=models.CASCADE, related_name="exclusions"
    )
    period = models.DateField(_("period (first day of month)"))
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ExclusionStatus.choices,
        default=ExclusionStatus.REQUESTED,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("approver"),
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedManager()
    partner_path = "service_level__contract__partner"

    class Meta:
        ordering = ["-period"]
        verbose_name = _("exclusion")
        permissions = [("approve_exclusion", _("Can approve service-level exclusions"))]

    def __str__(self) -> str:
        return f"{self.service_level} {self.period:%Y-%m}"
