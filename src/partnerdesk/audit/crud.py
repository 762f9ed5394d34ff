"""Audited create, update and delete: the shape most services share.

Each checks the model permission, validates (``full_clean``), saves in a transaction and writes
the audit row in the same transaction. Services with more rules call these after their own
checks, or write their own when the shape does not fit.
"""

from django.db import transaction

from partnerdesk.audit.models import AuditAction
from partnerdesk.audit.services import record_change, snapshot
from partnerdesk.core.services import assign_fields, require_perm, validate_and_save


def _perm(model, action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def audited_create(*, user, model, data: dict, allowed: set[str], **fixed):
    """Create ``model`` from ``data`` (only ``allowed`` fields) plus ``fixed`` values that the
    caller sets itself (the partner a contact belongs to)."""
    require_perm(user, _perm(model, "add"))
    with transaction.atomic():
        instance = model(**fixed)
        assign_fields(instance, data, allowed)
        validate_and_save(instance)
        record_change(actor=user, instance=instance, action=AuditAction.CREATE)
    return instance


def audited_update(*, user, instance, data: dict, allowed: set[str]):
    model = type(instance)
    require_perm(user, _perm(model, "change"))
    with transaction.atomic():
        instance = model.objects.select_for_update().get(pk=instance.pk)
        before = snapshot(instance)
        assign_fields(instance, data, allowed)
        validate_and_save(instance)
        record_change(actor=user, instance=instance, action=AuditAction.UPDATE, before=before)
    return instance


def audited_delete(*, user, instance) -> None:
    require_perm(user, _perm(type(instance), "delete"))
    with transaction.atomic():
        record_change(
            actor=user, instance=instance, action=AuditAction.DELETE, before=snapshot(instance)
        )
        instance.delete()
