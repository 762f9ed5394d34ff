"""Writing the audit trail. Services call ``record_change`` inside their transaction."""

import datetime
import decimal
import uuid

from django.contrib.contenttypes.models import ContentType
from django.db import models

from partnerdesk.audit.models import AuditAction, AuditEntry
from partnerdesk.core.request_context import current_request_id

# Fields never written to the trail (secrets and bookkeeping).
SKIPPED_FIELDS = {"password", "token_hash", "created_at", "updated_at"}


def _json_value(value):
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, float):
        return value
    if hasattr(value, "name") and hasattr(value, "storage"):  # FieldFile
        return value.name or None
    return str(value)


def snapshot(instance: models.Model, *, m2m: bool = True) -> dict:
    """The record's field values as JSON-safe data (foreign keys by id, many-to-many as a
    sorted list of names)."""
    data = {}
    for field in instance._meta.concrete_fields:
        if field.name in SKIPPED_FIELDS:
            continue
        data[field.name] = _json_value(getattr(instance, field.attname))
    if m2m and instance.pk:
        for field in instance._meta.many_to_many:
            data[field.name] = sorted(str(o) for o in getattr(instance, field.name).all())
    return data


def diff(before: dict | None, after: dict | None) -> dict:
    before, after = before or {}, after or {}
    keys = before.keys() | after.keys()
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(keys)
        if before.get(key) != after.get(key)
    }


def record_change(
    *,
    actor,
    instance: models.Model,
    action: str,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEntry | None:
    """Write one audit row. For updates with nothing changed no row is written.

    ``after`` defaults to a fresh snapshot of the instance (None for deletes).
    """
    if after is None and action != AuditAction.DELETE:
        after = snapshot(instance)
    if action == AuditAction.CREATE:
        before = None
    changes = diff(before, after)
    if action == AuditAction.UPDATE and not changes:
        return None
    confidential_field = getattr(type(instance), "confidential_field", None)
    return AuditEntry.objects.create(
        content_type=ContentType.objects.get_for_model(type(instance)),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        action=action,
        changes=changes,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_repr=(str(actor) if getattr(actor, "pk", None) else "system")[:150],
        request_id=current_request_id.get(),
        confidential=bool(confidential_field and getattr(instance, confidential_field)),
    )
