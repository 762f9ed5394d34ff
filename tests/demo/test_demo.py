"""The demo company: loading it twice changes nothing; every demo login works."""

import io

import pytest
from django.apps import apps
from django.core.management import call_command

from partnerdesk.accounts.models import User
from partnerdesk.demo.logins import DEMO_USERS
from partnerdesk.partners.models import Partner

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_demo_is_idempotent():
    # Given the demo loaded once
    call_command("demo", verbosity=0)
    first = row_counts()

    # When it is loaded again
    out = io.StringIO()
    call_command("demo", stdout=out)

    # Then every table has exactly as many rows as before
    assert row_counts() == first
    assert first["partners.Partner"] > 0
    assert first["audit.AuditEntry"] > 0
    assert f"partners: {first['partners.Partner']}" in out.getvalue()


def test_every_demo_login_signs_in_with_its_password(client):
    call_command("demo", verbosity=0)

    for username, password, _name, role, _dept, _team, partner_code in DEMO_USERS:
        response = client.post("/accounts/login/", {"username": username, "password": password})

        assert response.status_code == 302, username
        assert response["Location"] == "/"
        user = User.objects.get(username=username)
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert user.password.startswith("argon2")
        if partner_code:
            assert user.partner == Partner.objects.get(code=partner_code)
        else:
            assert user.partner is None
        client.post("/accounts/logout/")
