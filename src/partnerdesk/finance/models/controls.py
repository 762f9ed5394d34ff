"""Tolerance profiles and document review checklists."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerdesk.core.models import TimeStampedModel
from partnerdesk.core.permissions import RestrictedManager
from partnerdesk.finance.choices import (
    AutoCheck,
    CheckOutcome,
    Combine,
    DocumentType,
    ReviewStatus,
)


def _percent(label):
    return models.DecimalField(label, max_digits=6, decimal_places=2, null=True, blank=True)


def _absolute(label):
    return models.DecimalField(label, max_digits=14, decimal_places=4, null=True, blank=True)


class ToleranceProfile(TimeStampedModel):
    """How far an invoice may differ from the order and receipt before it is an exception.

    For each of price, quantity and amount: a percentage of the reference and/or an absolute
    amount (a dimension with neither is zero-tolerance); with both, ``combine`` says whether the
    variance must be within both (AND) or either (OR). The most specific profile wins: partner
    and category, then partner, then category, then the default (neither)."""

    name = models.CharField(_("name"), max_length=120)
    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tolerance_profiles",
        verbose_name=_("partner"),
    )
    category = models.ForeignKey(
        "finance.ItemCategory",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tolerance_profiles",
        verbose_name=_("item category"),
    )
    price_percent = _percent(_("price %"))
    price_absolute = _absolute(_("price, per unit"))
    quantity_percent = _percent(_("quantity %"))
    quantity_absolute = _absolute(_("quantity, units"))
    amount_percent = _percent(_("amount %"))
    amount_absolute = _absolute(_("amount"))
    combine = models.CharField(
        _("combine"), max_length=3, choices=Combine.choices, default=Combine.OR
    )

    objects = RestrictedManager()

    class Meta:
        ordering = ["partner", "category", "name"]
        verbose_name = _("tolerance profile")

    def __str__(self) -> str:
        return self.name


class ChecklistTemplate(TimeStampedModel):
    """The standard review checklist of a document type. A change is a new version; reviews
    keep the version they were started with."""

    document_type = models.CharField(
        _("document type"), max_length=16, choices=DocumentType.choices
    )
    name = models.CharField(_("name"), max_length=120)
    version = models.PositiveIntegerField(_("version"), default=1)
    is_active = models.BooleanField(_("in use"), default=True)

    objects = RestrictedManager()

    class Meta:
        ordering = ["document_type", "-version"]
        verbose_name = _("checklist template")
        constraints = [
            models.UniqueConstraint(
                fields=["document_type", "version"], name="finance_checklist_version_uniq"
            ),
            models.UniqueConstraint(
                fields=["document_type"],
                condition=models.Q(is_active=True),
                name="finance_checklist_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class ChecklistItem(models.Model):
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(_("position"))
    text = models.CharField(_("item"), max_length=200)
    auto_check = models.CharField(
        _("checked by"), max_length=20, choices=AutoCheck.choices, blank=True, default=""
    )

    objects = RestrictedManager()

    class Meta:
        ordering = ["template", "position"]
        verbose_name = _("checklist item")
        constraints = [
            models.UniqueConstraint(fields=["template", "position"], name="finance_item_pos_uniq")
        ]

    def __str__(self) -> str:
        return self.text


class DocumentReview(TimeStampedModel):
    """A checklist run on one document (an invoice or credit note, a goods receipt or a
    contract). Complete when every item is answered and every warning that needs a second
    reviewer has one."""

    template = models.ForeignKey(ChecklistTemplate, on_delete=models.PROTECT, related_name="+")
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    invoice = models.OneToOneField(
        "finance.SupplierInvoice",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="review",
    )
    receipt = models.OneToOneField(
        "finance.GoodsReceipt",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="review",
    )
    contract = models.ForeignKey(
        "contracts.Contract",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="document_reviews",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.OPEN
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedManager()
    partner_path = "partner"

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("document review")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(invoice__isnull=False, receipt__isnull=True, contract__isnull=True)
                    | models.Q(invoice__isnull=True, receipt__isnull=False, contract__isnull=True)
                    | models.Q(invoice__isnull=True, receipt__isnull=True, contract__isnull=False)
                ),
                name="finance_review_one_document",
            )
        ]

    def __str__(self) -> str:
        return f"{self.template} #{self.pk}"


class ReviewCheck(models.Model):
    """One item of a review: answered by the system or a reviewer. A warning on the bank
    account needs a second reviewer (not the first) before the review is complete."""

    review = models.ForeignKey(DocumentReview, on_delete=models.CASCADE, related_name="checks")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=CheckOutcome.choices, default=CheckOutcome.PENDING
    )
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    needs_second = models.BooleanField(_("needs a second reviewer"), default=False)
    second_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    second_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedManager()
    partner_path = "review__partner"

    class Meta:
        ordering = ["review", "item__position"]
        verbose_name = _("review check")
        constraints = [
            models.UniqueConstraint(fields=["review", "item"], name="finance_check_uniq")
        ]
        # Covers the payment status's "an item failed / warned" probe per invoice (no row
        # reads: a week of 200,000 invoices probes it twice each).
        indexes = [models.Index(fields=["review", "outcome"], name="finance_check_outcome_idx")]

    def __str__(self) -> str:
        return f"{self.item} · {self.outcome}"
