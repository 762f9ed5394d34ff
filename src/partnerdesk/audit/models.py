"""The audit trail: one row for every create, change and delete of a business record."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerdesk.core.permissions import RestrictedManager


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Deleted")


class AuditEntry(models.Model):
    """Who did what to which record, when, with the values before and after.

    ``changes`` maps each changed field to ``[before, after]`` (JSON-safe values; ``None`` for
    a create's before and a delete's after). Rows are written in the same transaction as the
    change by ``audit.services.record_change`` and are never edited.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(_("record"), max_length=200)
    action = models.CharField(_("action"), max_length=10, choices=AuditAction.choices)
    changes = models.JSONField(_("changes"), default=dict)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_repr = models.CharField(_("by"), max_length=150, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    # Set when the record is confidential: the entry is then reserved to the same roles.
    confidential = models.BooleanField(default=False)

    objects = RestrictedManager()
    partner_path = None
    confidential_field = "confidential"
    confidential_permission = "audit.view_confidential_auditentry"

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        permissions = [
            ("view_confidential_auditentry", _("Can see the history of confidential records"))
        ]
        indexes = [
            models.Index(
                fields=["content_type", "object_id", "-at"], name="audit_entry_object_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"
