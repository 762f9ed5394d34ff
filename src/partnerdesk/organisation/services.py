"""Writes of the organisation: people, teams and departments, each with its audit row."""

from partnerdesk.audit.crud import audited_create, audited_update
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


def person_create(*, user, data: dict) -> Person:
    return audited_create(user=user, model=Person, data=data, allowed=PERSON_FIELDS)


def person_update(*, user, person: Person, data: dict) -> Person:
    return audited_update(user=user, instance=person, data=data, allowed=PERSON_FIELDS)


def team_create(*, user, data: dict) -> Team:
    return audited_create(user=user, model=Team, data=data, allowed=TEAM_FIELDS)


def team_update(*, user, team: Team, data: dict) -> Team:
    return audited_update(user=user, instance=team, data=data, allowed=TEAM_FIELDS)


def department_update(*, user, department: Department, data: dict) -> Department:
    return audited_update(user=user, instance=department, data=data, allowed=DEPARTMENT_FIELDS)
