"""Shared fixtures: users for every role, an API client with a token, task running."""

import os

import pytest
from django.contrib.auth.hashers import make_password

from partnerdesk.accounts.roles import ROLE_PERMISSIONS

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright runs an event loop

ROLES = sorted(ROLE_PERMISSIONS)
INTERNAL_ROLES = [r for r in ROLES if r != "partner"]


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def roles(db):
    from partnerdesk.accounts.services import sync_roles

    sync_roles()
    return ROLES


@pytest.fixture
def make_user(roles):
    """make_user("finance") -> a user in that role; make_user("partner", partner=p) for a
    partner user."""
    from tests.factories import UserFactory

    def make(role: str | None = None, *, partner=None, **kwargs):
        return UserFactory(role=role, partner=partner, **kwargs)

    return make


@pytest.fixture
def admin_user(make_user):
    return make_user("administrator", username="admin-test")


@pytest.fixture
def outsourcing_user(make_user):
    return make_user("outsourcing", username="outsourcing-test")


@pytest.fixture
def api_client(client):
    """``api_client(user)`` -> a test client that sends the user's bearer token."""
    from partnerdesk.accounts.services import api_token_create

    def make(user):
        _, raw = api_token_create(user=user, name="tests")
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
        return client

    return make


@pytest.fixture
def worker_in_test_transaction(monkeypatch):
    """The task worker closes stale connections between tasks; inside a test's transaction
    Django counts the connection as stale and closes it (PostgreSQL; SQLite's in-memory test
    database ignores the close). Tests that run the worker skip that check."""
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )


@pytest.fixture
def run_tasks(worker_in_test_transaction):
    """Run every queued background task now, as ``partnerdesk worker --batch`` would."""
    from django_tasks_db.management.commands.db_worker import Worker

    def run():
        Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="tests",
            excluded_queue_names=[],
        ).run()

    return run


PASSWORD = "correct-horse-battery"
PASSWORD_HASH = None


def password_hash() -> str:
    # Argon2 on purpose (the production hasher), computed once per test session.
    global PASSWORD_HASH
    if PASSWORD_HASH is None:
        PASSWORD_HASH = make_password(PASSWORD)
    return PASSWORD_HASH
