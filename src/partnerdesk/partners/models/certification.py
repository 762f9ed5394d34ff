"""Management-system certifications held by partners, with expiry reminders."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerdesk.core.models import TimeStampedModel
from partnerdesk.core.permissions import RestrictedManager
from partnerdesk.partners.choices import CertificationStandard


class Certification(TimeStampedModel):
    """A certificate (ISO 9001, IATF 16949, …) with its validity."""

    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partner"),
        on_delete=models.CASCADE,
        related_name="certifications",
    )
    standard = models.CharField(_("standard"), max_length=20, choices=CertificationStandard.choices)
    other_standard = models.CharField(
        _("other standard"),
        max_length=100,
        blank=True,
        help_text=_("The standard's name when it is not in the list."),
    )
    certificate_number = models.CharField(_("certificate number"), max_length=80, blank=True)
    issuer = models.CharField(_("certification body"), max_length=150, blank=True)
    scope = models.TextField(_("scope"), blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"))
    document = models.ForeignKey(
        "partners.PartnerDocument",
        verbose_name=_("certificate file"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = RestrictedManager()
    partner_path = "partner"

    class Meta:
        ordering = ["expires_on"]
        verbose_name = _("certification")
        indexes = [models.Index(fields=["expires_on"], name="partners_cert_expires_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(standard="other") | ~models.Q(other_standard=""),
                name="partners_cert_other_named",
            ),
            models.CheckConstraint(
                condition=models.Q(issued_on__isnull=True)
                | models.Q(issued_on__lte=models.F("expires_on")),
                name="partners_cert_issued_before_expiry",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.standard_label} · {self.partner.code}"

    @property
    def standard_label(self) -> str:
        if self.standard == CertificationStandard.OTHER:
            return self.other_standard
        return self.get_standard_display()

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if self.standard == CertificationStandard.OTHER and not self.other_standard.strip():
            errors["other_standard"] = _("Name the standard.")
        if self.issued_on and self.expires_on and self.issued_on > self.expires_on:
            errors["expires_on"] = _("The expiry is before the issue date.")
        if errors:
            raise ValidationError(errors)


class CertificationReminder(models.Model):
    """A reminder sent for a certificate at a threshold (90, 60 or 30 days): sent once."""

    certification = models.ForeignKey(
        Certification, on_delete=models.CASCADE, related_name="reminders"
    )
    days_before = models.PositiveSmallIntegerField()
    expires_on = models.DateField(
        help_text="The expiry the reminder was about; a renewed certificate is reminded again."
    )
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["certification", "days_before", "expires_on"],
                name="partners_cert_reminder_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.certification_id}: {self.days_before} days"
