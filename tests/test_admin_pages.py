"""Administrators manage users, roles, people and teams; every change is audited."""

import pytest
from django.contrib.contenttypes.models import ContentType

from partnerdesk.accounts.models import User
from partnerdesk.audit.models import AuditEntry
from partnerdesk.organisation.models import Person, Team
from tests.factories import DepartmentFactory, PartnerFactory, PersonFactory

pytestmark = pytest.mark.django_db


def test_admin_creates_partner_user_with_partner_role(client, admin_user):
    partner = PartnerFactory(code="CMO-X")
    client.force_login(admin_user)
    response = client.post(
        "/accounts/users/new/",
        {
            "username": "supplier.one",
            "first_name": "Sup",
            "last_name": "Plier",
            "email": "s@example.com",
            "partner": partner.pk,
            "is_active": "on",
            "roles": ["partner"],
            "password": "a-long-unusual-passphrase-41",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="supplier.one")
    assert user.partner == partner
    assert list(user.groups.values_list("name", flat=True)) == ["partner"]
    assert user.password.startswith("argon2")
    entry = AuditEntry.objects.get(
        content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
    )
    assert entry.changes["roles"] == [None, ["partner"]]
    assert "password" not in entry.changes


def test_partner_user_cannot_hold_internal_roles(client, admin_user):
    partner = PartnerFactory()
    client.force_login(admin_user)
    response = client.post(
        "/accounts/users/new/",
        {
            "username": "mixed",
            "partner": partner.pk,
            "is_active": "on",
            "roles": ["partner", "finance"],
            "password": "a-long-unusual-passphrase-41",
        },
    )
    assert response.status_code == 200
    assert "A partner user has exactly the partner role." in response.content.decode()
    assert not User.objects.filter(username="mixed").exists()


def test_weak_password_is_refused_next_to_the_field(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        "/accounts/users/new/",
        {
            "username": "weak",
            "is_active": "on",
            "roles": ["finance"],
            "password": "123",
        },
    )
    assert response.status_code == 200
    assert 'id="id_password-error"' in response.content.decode()
    assert not User.objects.filter(username="weak").exists()


def test_role_change_is_audited_with_before_and_after(client, admin_user, make_user):
    target = make_user("finance", username="clerk")
    client.force_login(admin_user)
    response = client.post(
        f"/accounts/users/{target.pk}/",
        {
            "username": "clerk",
            "is_active": "on",
            "roles": ["finance", "quality"],
        },
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.filter(object_id=str(target.pk), action="update").get()
    assert entry.changes["roles"] == [["finance"], ["finance", "quality"]]


@pytest.mark.parametrize("role", ["outsourcing", "finance", "management"])
def test_only_administrators_manage_users(client, make_user, role):
    client.force_login(make_user(role))
    assert client.get("/accounts/users/").status_code == 404
    assert client.get("/accounts/users/new/").status_code == 404


def test_admin_creates_person_and_team_with_history(client, admin_user):
    department = DepartmentFactory(kind="manufacturing", name="Manufacturing center")
    client.force_login(admin_user)
    response = client.post(
        "/organisation/teams/new/", {"department": department.pk, "name": "Line 4 team A"}
    )
    assert response.status_code == 302
    team = Team.objects.get(name="Line 4 team A")
    response = client.post(
        "/organisation/people/new/",
        {
            "full_name": "Qin Lan",
            "department": department.pk,
            "team": team.pk,
            "job_title": "Operator",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    person = Person.objects.get(full_name="Qin Lan")
    page = client.get(f"/organisation/people/{person.pk}/").content.decode()
    assert "Qin Lan" in page and "History" in page


def test_person_team_must_belong_to_department(client, admin_user):
    quality = DepartmentFactory(kind="quality", name="Quality")
    other_team = Team.objects.create(
        department=DepartmentFactory(kind="finance", name="F"), name="AP"
    )
    person = PersonFactory(department=quality)
    client.force_login(admin_user)
    response = client.post(
        f"/organisation/people/{person.pk}/edit/",
        {
            "full_name": person.full_name,
            "department": quality.pk,
            "team": other_team.pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "The team belongs to another department." in response.content.decode()
    person.refresh_from_db()
    assert person.team is None
