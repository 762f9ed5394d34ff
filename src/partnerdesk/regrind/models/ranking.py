"""The monthly team precision ranking: each computation is kept as a revision with its rule
version and its inputs per team and product, so a month's ranking is reproducible and can be
explained. The incentives module takes the final revision as the evidence for the regrind
precision reward."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerdesk.core.currencies import CURRENCY_CHOICES
from partnerdesk.core.permissions import RestrictedManager


class PrecisionRanking(models.Model):
    """One computation of a month's ranking."""

    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    revision = models.PositiveIntegerField(_("revision"))
    rule_version = models.CharField(_("rule version"), max_length=40)
    computed_at = models.DateTimeField(_("computed"), auto_now_add=True)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("computed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_final = models.BooleanField(
        _("final"), default=False, help_text=_("The month is over and the ranking published.")
    )
    readings = models.PositiveIntegerField(_("readings"), default=0)
    unassigned = models.PositiveIntegerField(_("readings without a team or product"), default=0)
    parameters = models.JSONField(_("parameters"), default=dict)

    objects = RestrictedManager()
    partner_path = None

    class Meta:
        ordering = ["-month", "-revision"]
        verbose_name = _("precision ranking")
        permissions = [("finalize_precisionranking", "Can make a month's ranking final")]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "revision"], name="regrind_ranking_month_revision_uniq"
            ),
            models.UniqueConstraint(
                fields=["month"],
                condition=models.Q(is_final=True),
                name="regrind_ranking_one_final_per_month",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} r{self.revision}"


class TeamPrecision(models.Model):
    """A team's line in a ranking: its figures and, in ``inputs``, the sums per line and product
    they come from."""

    ranking = models.ForeignKey(
        PrecisionRanking,
        verbose_name=_("ranking"),
        on_delete=models.CASCADE,
        related_name="teams",
    )
    team = models.ForeignKey(
        "organisation.Team", verbose_name=_("team"), on_delete=models.PROTECT, related_name="+"
    )
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    eligible = models.BooleanField(_("eligible"), default=True)
    readings = models.PositiveIntegerField(_("readings"))
    within = models.PositiveIntegerField(_("within tolerance"))
    share_within = models.FloatField(_("share within tolerance"))
    mean_abs_deviation = models.FloatField(_("mean absolute deviation (points)"))
    mean_deviation = models.FloatField(_("mean deviation (points)"))
    cpk = models.FloatField(_("Cpk"), null=True, blank=True)
    above_max = models.PositiveIntegerField(_("batches above the maximum"), default=0)
    virgin_cost = models.DecimalField(
        _("extra virgin material cost"), max_digits=16, decimal_places=2, default=0
    )
    risk_cost = models.DecimalField(
        _("quality risk cost"), max_digits=16, decimal_places=2, default=0
    )
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    inputs = models.JSONField(_("inputs"), default=list)

    objects = RestrictedManager()
    partner_path = None

    class Meta:
        ordering = ["ranking", "rank", "team__name"]
        verbose_name = _("team precision")
        constraints = [
            models.UniqueConstraint(fields=["ranking", "team"], name="regrind_team_precision_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.ranking} {self.team}"
