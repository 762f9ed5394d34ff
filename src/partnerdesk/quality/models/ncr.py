"""Nonconformances, the supplier corrective action requests that answer them (8D, stages D0 to
D8) and cost events (material loss and quality defects) for penalties and chargebacks."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerdesk.core.currencies import CURRENCY_CHOICES
from partnerdesk.core.models import TimeStampedModel
from partnerdesk.core.permissions import RestrictedManager
from partnerdesk.quality.choices import (
    ActionStatus,
    CostKind,
    Effectiveness,
    NCSeverity,
    NCSource,
    NCStatus,
    StageStatus,
)


class DefectType(models.Model):
    """A kind of defect (contamination, moisture, dimension…). The same defect type at the
    same partner within 12 months makes a nonconformance a repeat."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)

    objects = RestrictedManager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("defect type")

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class Nonconformance(TimeStampedModel):
    """Something that did not conform: from an inspection, an audit finding, a customer
    complaint or production. ``reported_severity`` is what was reported; ``severity`` is one
    step higher when it repeats an earlier one (``repeat_of``)."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="nonconformances",
    )
    source = models.CharField(_("source"), max_length=20, choices=NCSource.choices)
    lot_inspection = models.OneToOneField(
        "quality.LotInspection",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="nonconformance",
    )
    audit_answer = models.OneToOneField(
        "quality.AuditAnswer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="nonconformance",
    )
    defect_type = models.ForeignKey(
        DefectType, verbose_name=_("defect"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    detected_on = models.DateField(_("detected on"))
    reported_severity = models.CharField(
        _("reported severity"), max_length=10, choices=NCSeverity.choices
    )
    severity = models.CharField(_("severity"), max_length=10, choices=NCSeverity.choices)
    repeat_of = models.ForeignKey(
        "self",
        verbose_name=_("repeat of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="repeats",
    )
    quantity_affected = models.DecimalField(
        _("quantity affected"), max_digits=16, decimal_places=3, null=True, blank=True
    )
    unit = models.CharField(_("unit"), max_length=12, blank=True)
    cost_amount = models.DecimalField(
        _("cost of poor quality"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES, blank=True)
    customer_reference = models.CharField(_("customer reference"), max_length=60, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=NCStatus.choices, default=NCStatus.OPEN
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closing_note = models.TextField(_("closing note"), blank=True)

    objects = RestrictedManager()
    partner_path = "partner"

    class Meta:
        ordering = ["-detected_on", "-number"]
        verbose_name = _("nonconformance")
        indexes = [
            models.Index(
                fields=["partner", "defect_type", "detected_on"], name="quality_nc_repeat_idx"
            ),
            models.Index(fields=["status", "detected_on"], name="quality_nc_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity_affected__isnull=True)
                | models.Q(quantity_affected__gte=0),
                name="quality_nc_qty_nonneg",
            ),
            models.CheckConstraint(
                condition=models.Q(cost_amount__isnull=True) | ~models.Q(currency=""),
                name="quality_nc_cost_has_currency",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class CorrectiveAction(TimeStampedModel):
    """A supplier corrective action request (SCAR) worked through the eight disciplines. The
    supplier fills in each stage; a quality engineer accepts it or sends it back. Closing
    needs every stage accepted and an effectiveness check found effective."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    nonconformance = models.OneToOneField(
        Nonconformance, on_delete=models.PROTECT, related_name="corrective_action"
    )
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="corrective_actions"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("quality engineer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened"))
    status = models.CharField(
        _("status"), max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    effectiveness = models.CharField(
        _("effectiveness"), max_length=14, choices=Effectiveness.choices, blank=True
    )
    effectiveness_note = models.TextField(_("effectiveness evidence"), blank=True)
    effectiveness_checked_at = models.DateTimeField(_("checked"), null=True, blank=True)
    effectiveness_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_on_time = models.BooleanField(_("closed on time"), null=True, blank=True)

    objects = RestrictedManager()
    partner_path = "partner"

    class Meta:
        ordering = ["-opened_at", "-number"]
        verbose_name = _("corrective action")
        permissions = [
            ("review_correctiveaction", "Can accept or send back 8D stages and close actions"),
            ("submit_correctiveaction", "Can fill in and submit 8D stages"),
        ]
        indexes = [models.Index(fields=["status", "closed_at"], name="quality_action_status_idx")]

    def __str__(self) -> str:
        return self.number


class EightDStage(models.Model):
    """One discipline of an 8D (``stage`` 0 to 8) with its due time and review."""

    action = models.ForeignKey(CorrectiveAction, on_delete=models.CASCADE, related_name="stages")
    stage = models.PositiveSmallIntegerField(_("stage"))
    due_at = models.DateTimeField(_("due"))
    status = models.CharField(
        _("status"), max_length=10, choices=StageStatus.choices, default=StageStatus.PENDING
    )
    content = models.TextField(_("content"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_note = models.TextField(_("review note"), blank=True)
    times_sent_back = models.PositiveSmallIntegerField(_("times sent back"), default=0)

    objects = RestrictedManager()
    partner_path = "action__partner"

    class Meta:
        ordering = ["action", "stage"]
        verbose_name = _("8D stage")
        constraints = [
            models.UniqueConstraint(fields=["action", "stage"], name="quality_stage_uniq"),
            models.CheckConstraint(condition=models.Q(stage__lte=8), name="quality_stage_0_8"),
        ]
        indexes = [models.Index(fields=["status", "due_at"], name="quality_stage_due_idx")]

    def __str__(self) -> str:
        return f"{self.action_id} D{self.stage}"


class CostEvent(models.Model):
    """A cost of poor quality: material lost or a quality defect, with who is responsible (a
    partner, a team, or both). Never edited: a correction is a reversing entry plus a new
    one, both pointing at the entry they correct."""

    kind = models.CharField(_("kind"), max_length=20, choices=CostKind.choices)
    occurred_on = models.DateField(_("occurred on"))
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partner responsible"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cost_events",
    )
    team = models.ForeignKey(
        "organisation.Team",
        verbose_name=_("team responsible"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cost_events",
    )
    nonconformance = models.ForeignKey(
        Nonconformance, null=True, blank=True, on_delete=models.PROTECT, related_name="costs"
    )
    lot_inspection = models.ForeignKey(
        "quality.LotInspection",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="costs",
    )
    quantity = models.DecimalField(
        _("quantity lost"), max_digits=16, decimal_places=3, null=True, blank=True
    )
    unit = models.CharField(_("unit"), max_length=12, blank=True)
    description = models.CharField(_("description"), max_length=300)
    chargeback = models.BooleanField(_("charge back to the partner"), default=False)
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrects"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = RestrictedManager()
    partner_path = "partner"

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = _("cost event")
        indexes = [models.Index(fields=["occurred_on", "kind"], name="quality_cost_date_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(partner__isnull=False) | models.Q(team__isnull=False),
                name="quality_cost_has_responsible",
            ),
            models.CheckConstraint(
                condition=~models.Q(amount=0), name="quality_cost_amount_nonzero"
            ),
            models.CheckConstraint(
                condition=models.Q(chargeback=False) | models.Q(partner__isnull=False),
                name="quality_cost_chargeback_partner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} {self.currency}"
