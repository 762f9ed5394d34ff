"""Writes of the organisation: people, teams and departments, each with its audit row."""

from django.db import transaction

from partnerdesk.audit.models import AuditAction
from partnerdesk.audit.services import record_change, snapshot
from partnerdesk.core.services import assign_fields, require_perm, validate_and_save
from partnerdesk.organisation.models import Department, Person, Team

PERSON_FIELDS = {
    "full_name",
    "email",
    "phone",
    "job_title",
    "department",
    "team",
    "user",
    "is_active",
}
TEAM_FIELDS = {"department", "name", "lead"}
DEPARTMENT_FIELDS = {"name", "head"}


def _create(*, user, model, data: dict, allowed: set[str]):
    require_perm(user, f"organisation.add_{model._meta.model_name}")
    with transaction.atomic():
        instance = model()
        assign_fields(instance, data, allowed)
        validate_and_save(instance)
        record_change(actor=user, instance=instance, action=AuditAction.CREATE)
    return instance


def _update(*, user, instance, data: dict, allowed: set[str]):
    model = type(instance)
    require_perm(user, f"organisation.change_{model._meta.model_name}")
    with transaction.atomic():
        instance = model.objects.select_for_update().get(pk=instance.pk)
        before = snapshot(instance)
        assign_fields(instance, data, allowed)
        validate_and_save(instance)
        record_change(actor=user, instance=instance, action=AuditAction.UPDATE, before=before)
    return instance


def person_create(*, user, data: dict) -> Person:
    return _create(user=user, model=Person, data=data, allowed=PERSON_FIELDS)


def person_update(*, user, person: Person, data: dict) -> Person:
    return _update(user=user, instance=person, data=data, allowed=PERSON_FIELDS)


def team_create(*, user, data: dict) -> Team:
    return _create(user=user, model=Team, data=data, allowed=TEAM_FIELDS)


def team_update(*, user, team: Team, data: dict) -> Team:
    return _update(user=user, instance=team, data=data, allowed=TEAM_FIELDS)


def department_update(*, user, department: Department, data: dict) -> Department:
    return _update(user=user, instance=department, data=data, allowed=DEPARTMENT_FIELDS)
