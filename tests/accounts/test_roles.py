"""Roles are groups synced from the table in accounts/roles.py."""

import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from partnerdesk.accounts import roles as roles_module
from partnerdesk.accounts.roles import ROLE_PERMISSIONS
from partnerdesk.accounts.services import sync_roles
from partnerdesk.core.errors import InvalidInput

pytestmark = pytest.mark.django_db


def group_permissions() -> dict[str, set[str]]:
    return {
        group.name: {
            f"{p.content_type.app_label}.{p.codename}"
            for p in group.permissions.select_related("content_type")
        }
        for group in Group.objects.all()
    }


def test_sync_roles_is_idempotent(roles):
    # Given roles synced once (by the fixture)
    first = group_permissions()
    group_ids = dict(Group.objects.values_list("name", "pk"))
    permission_count = Permission.objects.count()

    # When they are synced again
    counts = sync_roles()

    # Then the same groups hold the same permissions, exactly those of the table
    assert counts == {role: len(perms) for role, perms in ROLE_PERMISSIONS.items()}
    assert group_permissions() == first == {r: set(p) for r, p in ROLE_PERMISSIONS.items()}
    assert dict(Group.objects.values_list("name", "pk")) == group_ids
    assert Permission.objects.count() == permission_count


def test_sync_roles_removes_permissions_added_by_hand(roles):
    finance = Group.objects.get(name="finance")
    finance.permissions.add(Permission.objects.get(codename="delete_partner"))

    sync_roles()

    assert "partners.delete_partner" not in group_permissions()["finance"]


def test_an_unknown_permission_in_the_table_is_refused_and_changes_nothing(roles, monkeypatch):
    before = group_permissions()
    table = {**ROLE_PERMISSIONS, "finance": ["partners.fly_partner"]}
    monkeypatch.setattr("partnerdesk.accounts.services.ROLE_PERMISSIONS", table)

    with pytest.raises(InvalidInput) as exc:
        sync_roles()

    assert exc.value.message == "Unknown permissions in the role table: partners.fly_partner"
    assert group_permissions() == before


def test_sync_roles_command_reports_each_role(db):
    out = io.StringIO()

    call_command("sync-roles", stdout=out)

    assert out.getvalue().splitlines() == [
        f"{role}: {len(perms)} permissions" for role, perms in ROLE_PERMISSIONS.items()
    ]


def test_every_role_has_a_label():
    assert set(roles_module.ROLE_LABELS) == set(ROLE_PERMISSIONS)
