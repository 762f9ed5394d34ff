"""Reading the audit trail, always through the viewer's permissions."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from partnerdesk.audit.models import AuditEntry


def _label_and_display(model, name: str):
    """The field's human label and a function that shows a stored value readably."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return name.replace("_", " "), lambda v: v
    label = str(getattr(field, "verbose_name", name))
    choices = dict(field.flatchoices) if getattr(field, "choices", None) else None
    if choices:
        return label, lambda v: str(choices.get(v, v)) if v is not None else None
    if isinstance(field, models.ManyToManyField):
        return label, lambda v: ", ".join(v) if isinstance(v, list) else v
    return label, lambda v: v


def with_rows(entries, model) -> list[AuditEntry]:
    """Attach ``rows`` (label, before, after) to each entry, for display."""
    entries = list(entries)
    for entry in entries:
        rows = []
        for name, (before, after) in entry.changes.items():
            label, show = _label_and_display(model, name)
            rows.append((label, show(before), show(after)))
        entry.rows = rows
    return entries


def history_for(*, instance: models.Model, user, limit: int = 100) -> list[AuditEntry]:
    """The newest entries about one record that the user may see, with readable rows."""
    content_type = ContentType.objects.get_for_model(type(instance))
    entries = (
        AuditEntry.objects.restrict(user)
        .filter(content_type=content_type, object_id=str(instance.pk))
        .select_related("actor")[:limit]
    )
    return with_rows(entries, type(instance))


def audit_log(*, user):
    """Every entry the user may see, newest first."""
    return AuditEntry.objects.restrict(user).select_related("content_type", "actor")
