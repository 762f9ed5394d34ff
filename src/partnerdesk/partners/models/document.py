"""Files kept for a partner: contracts, certificates, bank details, audit reports."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerdesk.core.models import TimeStampedModel
from partnerdesk.core.permissions import RestrictedManager
from partnerdesk.partners.choices import DocumentType


def document_upload_to(instance, filename: str) -> str:
    # The stored name is ours (the hash); the user's name is kept in original_name.
    return f"partners/{instance.partner_id}/{instance.sha256[:2]}/{instance.sha256}"


class PartnerDocument(TimeStampedModel):
    """An uploaded file. Confidential documents are visible only to roles that hold
    ``partners.view_confidential_partnerdocument``; files are served by a checked view."""

    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partner"),
        on_delete=models.CASCADE,
        related_name="documents",
    )
    document_type = models.CharField(_("type"), max_length=20, choices=DocumentType.choices)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=document_upload_to, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(max_length=64)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    confidential = models.BooleanField(_("confidential"), default=False)
    # Empty once the uploader's account is deleted; the document stays editable.
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = RestrictedManager()
    partner_path = "partner"
    confidential_field = "confidential"
    confidential_permission = "partners.view_confidential_partnerdocument"

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("partner document")
        permissions = [
            ("view_confidential_partnerdocument", _("Can see confidential partner documents"))
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_from__isnull=True)
                | models.Q(valid_until__isnull=True)
                | models.Q(valid_from__lte=models.F("valid_until")),
                name="partners_document_validity_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("The validity ends before it starts.")})
