"""Period closes, their per-service-level results and the credit proposals for finance.

A close is immutable. Reopening a period marks its close reopened (with a reason); closing it
again writes a new revision with fresh results, and the previous revision's proposals are
marked superseded, never edited in place.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerdesk.core.permissions import RestrictedManager
from partnerdesk.performance.choices import Outcome, ProposalKind, ProposalStatus


class PeriodClose(models.Model):
    """The close of one month, revision by revision."""

    period = models.DateField(_("period"))
    revision = models.PositiveIntegerField(_("revision"), default=1)
    closed_at = models.DateTimeField(_("closed at"), auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)
    summary = models.JSONField(default=dict)

    objects = RestrictedManager()
    partner_path = None

    class Meta:
        ordering = ["-period", "-revision"]
        verbose_name = _("period close")
        permissions = [("reopen_periodclose", _("Can reopen a closed period"))]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "revision"], name="performance_close_revision_uniq"
            ),
            # At most one standing (not reopened) close per period.
            models.UniqueConstraint(
                fields=["period"],
                condition=models.Q(reopened_at=None),
                name="performance_close_one_standing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period:%Y-%m} r{self.revision}"

    @property
    def is_standing(self) -> bool:
        return self.reopened_at is None


class ServiceLevelResult(models.Model):
    """What a close found for one service level: attainment, outcome, credit and why."""

    period_close = models.ForeignKey(PeriodClose, on_delete=models.PROTECT, related_name="results")
    service_level = models.ForeignKey(
        "performance.ServiceLevel", on_delete=models.PROTECT, related_name="results"
    )
    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.PROTECT, related_name="sl_results"
    )
    terms_version = models.PositiveIntegerField()
    attainment = models.DecimalField(max_digits=16, decimal_places=4, null=True)
    observations = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    raw_credit = models.DecimalField(max_digits=14, decimal_places=2)
    pool_cap = models.DecimalField(max_digits=14, decimal_places=2)
    credit = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    explanation = models.JSONField(default=dict)

    objects = RestrictedManager()
    partner_path = "contract__partner"

    class Meta:
        ordering = ["contract", "service_level"]
        verbose_name = _("service level result")
        constraints = [
            models.UniqueConstraint(
                fields=["period_close", "service_level"], name="performance_result_uniq"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_level_id} {self.outcome} {self.credit}"


class CreditProposal(models.Model):
    """Money the partner owes (a service credit) or gets back (an earn-back), proposed to
    finance for the partner's next invoice. Amounts are positive; the kind gives the sign."""

    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.PROTECT, related_name="credit_proposals"
    )
    service_level = models.ForeignKey(
        "performance.ServiceLevel", on_delete=models.PROTECT, related_name="credit_proposals"
    )
    result = models.ForeignKey(
        ServiceLevelResult, on_delete=models.PROTECT, related_name="proposals"
    )
    period = models.DateField(_("period"))
    kind = models.CharField(_("kind"), max_length=10, choices=ProposalKind.choices)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(
        _("status"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED
    )
    earn_back_state = models.CharField(
        _("earn-back"),
        max_length=12,
        blank=True,
        help_text="For a credit with earn-back terms: pending, earned_back or final.",
    )
    earn_back_settled_period = models.DateField(null=True, blank=True)
    earns_back = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="earned_back_by",
        help_text="For an earn-back: the credit it returns.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    applied_reference = models.CharField(_("invoice reference"), max_length=60, blank=True)

    objects = RestrictedManager()
    partner_path = "contract__partner"

    class Meta:
        ordering = ["-period", "contract"]
        verbose_name = _("credit proposal")
        indexes = [models.Index(fields=["status", "contract"], name="proposal_status_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} {self.currency}"

    @property
    def signed_amount(self):
        return self.amount if self.kind == ProposalKind.CREDIT else -self.amount
