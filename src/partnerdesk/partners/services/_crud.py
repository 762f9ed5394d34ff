"""The create / update / delete shape shared by the partner's child records."""

from django.db import transaction

from partnerdesk.audit.models import AuditAction
from partnerdesk.audit.services import record_change, snapshot
from partnerdesk.core.services import assign_fields, require_perm, validate_and_save


def _perm(model, action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def child_create(*, user, model, partner, data: dict, allowed: set[str], **extra):
    require_perm(user, _perm(model, "add"))
    with transaction.atomic():
        instance = model(partner=partner, **extra)
        assign_fields(instance, data, allowed)
        validate_and_save(instance)
        record_change(actor=user, instance=instance, action=AuditAction.CREATE)
    return instance


def child_update(*, user, instance, data: dict, allowed: set[str]):
    model = type(instance)
    require_perm(user, _perm(model, "change"))
    with transaction.atomic():
        instance = model.objects.select_for_update().get(pk=instance.pk)
        before = snapshot(instance)
        assign_fields(instance, data, allowed)
        validate_and_save(instance)
        record_change(actor=user, instance=instance, action=AuditAction.UPDATE, before=before)
    return instance


def child_delete(*, user, instance) -> None:
    require_perm(user, _perm(type(instance), "delete"))
    with transaction.atomic():
        record_change(
            actor=user, instance=instance, action=AuditAction.DELETE, before=snapshot(instance)
        )
        instance.delete()
