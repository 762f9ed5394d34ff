"""Reading the audit trail, always through the viewer's permissions."""

from django.contrib.contenttypes.models import ContentType
from django.db import models

from partnerdesk.audit.models import AuditEntry


def history_for(*, instance: models.Model, user, limit: int = 100):
    """The newest entries about one record that the user may see."""
    content_type = ContentType.objects.get_for_model(type(instance))
    return (
        AuditEntry.objects.restrict(user)
        .filter(content_type=content_type, object_id=str(instance.pk))
        .select_related("actor")[:limit]
    )


def audit_log(*, user):
    """Every entry the user may see, newest first."""
    return AuditEntry.objects.restrict(user).select_related("content_type", "actor")
