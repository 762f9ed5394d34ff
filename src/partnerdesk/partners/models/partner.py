"""The partner: a contract manufacturer, supplier, service or logistics provider."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from partnerdesk.core.currencies import CURRENCY_CHOICES
from partnerdesk.core.models import TimeStampedModel
from partnerdesk.core.permissions import RestrictedManager
from partnerdesk.partners.choices import PartnerKind, PartnerStatus

code_validator = RegexValidator(
    r"^[A-Z0-9][A-Z0-9-]{1,19}$",
    _("Use 2 to 20 capital letters, digits or dashes, starting with a letter or digit."),
)


class PartnerCategory(models.Model):
    """What a partner supplies (resins, regrind, moulding, packaging, freight…)."""

    name = models.CharField(_("name"), max_length=80, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class Capability(models.Model):
    """What a partner can do (injection moulding, cleanroom assembly, IATF-grade PPAP…)."""

    name = models.CharField(_("name"), max_length=80, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("capability")
        verbose_name_plural = _("capabilities")

    def __str__(self) -> str:
        return self.name


class Partner(TimeStampedModel):
    """An outside company the business works through. Status changes only through
    ``partners.services.partner_change_status``, which checks the allowed transitions."""

    code = models.CharField(_("code"), max_length=20, unique=True, validators=[code_validator])
    legal_name = models.CharField(_("legal name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=PartnerKind.choices)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=PartnerStatus.choices,
        default=PartnerStatus.PROSPECT,
        editable=False,
    )
    country = CountryField(_("country"))
    currency = models.CharField(
        _("currency"), max_length=3, choices=CURRENCY_CHOICES, default=settings.DEFAULT_CURRENCY
    )
    tax_id = models.CharField(_("tax id"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    categories = models.ManyToManyField(
        PartnerCategory, verbose_name=_("categories"), blank=True, related_name="partners"
    )
    capabilities = models.ManyToManyField(
        Capability, verbose_name=_("capabilities"), blank=True, related_name="partners"
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = RestrictedManager()
    partner_path = "pk"

    class Meta:
        ordering = ["code"]
        verbose_name = _("partner")
        permissions = [("change_partner_status", _("Can change the status of a partner"))]
        indexes = [
            models.Index(fields=["status", "kind"], name="partner_status_kind_idx"),
            models.Index(fields=["legal_name"], name="partner_legal_name_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.legal_name}"


class PartnerStatusChange(models.Model):
    """One move of a partner through its lifecycle, with the reason given."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=PartnerStatus.choices)
    to_status = models.CharField(max_length=20, choices=PartnerStatus.choices)
    reason = models.TextField(_("reason"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedManager()
    partner_path = "partner"

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("status change")

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"
