"""Contracts with partners: terms and their versions, the dispute ladder, deliverables and
milestones, the RACI matrix and reminders."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerdesk.contracts.choices import (
    ContractStatus,
    DeliverableKind,
    DeliverableStatus,
    RaciRole,
    ReminderKind,
)
from partnerdesk.core.currencies import CURRENCY_CHOICES
from partnerdesk.core.models import TimeStampedModel
from partnerdesk.core.permissions import RestrictedManager

PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


class Contract(TimeStampedModel):
    """An agreement with a partner: what is outsourced, why, on which terms.

    The commercial terms in force on a date (fee, at-risk share, end date) live in
    ``ContractVersion``; these columns mirror the newest version. Status changes go through
    ``contracts.services.contract_change_status``.
    """

    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partner"),
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    reference = models.CharField(_("reference"), max_length=30, unique=True)
    title = models.CharField(_("title"), max_length=200)
    outsourced_scope = models.TextField(_("what is outsourced"))
    objectives = models.TextField(_("objectives (desired outcomes)"), blank=True)
    scope_of_work = models.TextField(_("scope of work"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ContractStatus.choices,
        default=ContractStatus.DRAFT,
        editable=False,
    )
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))
    currency = models.CharField(
        _("currency"), max_length=3, choices=CURRENCY_CHOICES, default=settings.DEFAULT_CURRENCY
    )
    value = models.DecimalField(
        _("contract value"),
        max_digits=16,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )
    monthly_fee = models.DecimalField(
        _("monthly fee"),
        max_digits=14,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )
    at_risk_percent = models.DecimalField(
        _("at-risk amount (% of monthly fee)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(12),
        validators=PERCENT,
        help_text=_("Caps all service credits of a month."),
    )
    payment_terms = models.CharField(
        _("payment terms"),
        max_length=100,
        blank=True,
        help_text=_("For example: 60 days end of month"),
    )
    auto_renew = models.BooleanField(_("renews automatically"), default=False)
    renewal_months = models.PositiveSmallIntegerField(_("renewal term (months)"), default=12)
    notice_days = models.PositiveSmallIntegerField(_("notice period (days)"), default=90)
    review_every_months = models.PositiveSmallIntegerField(_("review every (months)"), default=3)
    next_review_date = models.DateField(_("next review"), null=True, blank=True)
    termination_triggers = models.TextField(_("termination triggers"), blank=True)
    termination_notice_days = models.PositiveSmallIntegerField(
        _("termination notice (days)"), default=90
    )
    owner = models.ForeignKey(
        "organisation.Person",
        verbose_name=_("contract owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contracts",
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = RestrictedManager()
    partner_path = "partner"

    class Meta:
        ordering = ["reference"]
        verbose_name = _("contract")
        permissions = [("change_contract_status", _("Can change the status of a contract"))]
        indexes = [models.Index(fields=["status", "end_date"], name="contract_status_end_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="contracts_contract_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} · {self.title}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end is before the start.")})

    @property
    def notice_deadline(self):
        import datetime

        return self.end_date - datetime.timedelta(days=self.notice_days)


class ContractVersion(models.Model):
    """One version of a contract's terms: the original (1) and every amendment after it.

    ``effective_from`` says from when these terms apply; a period close uses the version in
    force on the period's last day (the latest ``effective_from`` on or before it).
    ``snapshot`` keeps every term of that version.
    """

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    effective_from = models.DateField(_("effective from"))
    summary = models.TextField(_("what changed"))
    monthly_fee = models.DecimalField(max_digits=14, decimal_places=2)
    at_risk_percent = models.DecimalField(max_digits=5, decimal_places=2)
    end_date = models.DateField()
    snapshot = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedManager()
    partner_path = "contract__partner"

    class Meta:
        ordering = ["contract", "version"]
        verbose_name = _("contract version")
        constraints = [
            models.UniqueConstraint(fields=["contract", "version"], name="contracts_version_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.contract.reference} v{self.version}"


class ContractStatusChange(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=12, choices=ContractStatus.choices)
    to_status = models.CharField(max_length=12, choices=ContractStatus.choices)
    reason = models.TextField(_("reason"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedManager()
    partner_path = "contract__partner"

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class DisputeLevel(models.Model):
    """A rung of the dispute-resolution ladder: who talks to whom, and how fast."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="dispute_levels")
    level = models.PositiveSmallIntegerField(_("level"), validators=[MinValueValidator(1)])
    name = models.CharField(_("name"), max_length=100)
    response_hours = models.PositiveIntegerField(_("response time (hours)"))
    internal_people = models.ManyToManyField(
        "organisation.Person", blank=True, verbose_name=_("our people"), related_name="+"
    )
    partner_contacts = models.ManyToManyField(
        "partners.PartnerContact",
        blank=True,
        verbose_name=_("partner contacts"),
        related_name="dispute_levels",
    )

    objects = RestrictedManager()
    partner_path = "contract__partner"

    class Meta:
        ordering = ["contract", "level"]
        verbose_name = _("dispute level")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "level"], name="contracts_dispute_level_uniq"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.level}. {self.name}"


class ContractAttachment(models.Model):
    """A partner document attached to a contract (the signed contract, annexes)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey(
        "partners.PartnerDocument", on_delete=models.PROTECT, related_name="contract_links"
    )

    objects = RestrictedManager()
    partner_path = "contract__partner"

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "document"], name="contracts_attachment_uniq"
            ),
        ]

    def __str__(self) -> str:
        return str(self.document)


class Deliverable(TimeStampedModel):
    """A deliverable or milestone with its due date and acceptance."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="deliverables")
    kind = models.CharField(
        _("kind"), max_length=12, choices=DeliverableKind.choices, default=DeliverableKind.MILESTONE
    )
    name = models.CharField(_("name"), max_length=200)
    due_date = models.DateField(_("due"))
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DeliverableStatus.choices,
        default=DeliverableStatus.OPEN,
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = RestrictedManager()
    partner_path = "contract__partner"

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("deliverable")
        indexes = [models.Index(fields=["due_date", "contract"], name="deliverable_due_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def on_time(self) -> bool | None:
        if self.delivered_on is None:
            return None
        return self.delivered_on <= self.due_date


class RaciActivity(models.Model):
    """A row of the contract's RACI matrix."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="raci_activities")
    name = models.CharField(_("activity"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    objects = RestrictedManager()
    partner_path = "contract__partner"

    class Meta:
        ordering = ["contract", "position", "id"]
        verbose_name = _("RACI activity")
        verbose_name_plural = _("RACI activities")

    def __str__(self) -> str:
        return self.name


class RaciAssignment(models.Model):
    """One cell of the RACI matrix: a party (an internal team or a partner contact) and a
    letter."""

    activity = models.ForeignKey(RaciActivity, on_delete=models.CASCADE, related_name="assignments")
    team = models.ForeignKey(
        "organisation.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    contact = models.ForeignKey(
        "partners.PartnerContact", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    role = models.CharField(max_length=1, choices=RaciRole.choices)

    objects = RestrictedManager()
    partner_path = "activity__contract__partner"

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(team__isnull=False, contact__isnull=True)
                    | models.Q(team__isnull=True, contact__isnull=False)
                ),
                name="contracts_raci_one_party",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role}: {self.team or self.contact}"


class ContractReminder(models.Model):
    """A reminder sent about a contract date (expiry, notice deadline, review): sent once."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=ReminderKind.choices)
    days_before = models.PositiveSmallIntegerField()
    target_date = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "kind", "days_before", "target_date"],
                name="contracts_reminder_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.kind} {self.days_before}"
