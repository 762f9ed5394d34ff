"""Signing in through the real login view: throttling after repeated failures, argon2 hashes."""

import datetime

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from partnerdesk.accounts.models import FailedLogin
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
THROTTLED = "Too many failed sign-in attempts."


def sign_in(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_a_correct_password_signs_in(client, make_user):
    make_user("finance", username="alice")

    response = sign_in(client, "alice", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in(client)


def test_a_wrong_password_is_refused_and_recorded(client, make_user):
    make_user("finance", username="alice")

    response = sign_in(client, "alice", "wrong")

    assert response.status_code == 200
    assert "Please enter a correct username and password." in response.content.decode()
    assert not signed_in(client)
    assert list(FailedLogin.objects.values_list("username", "ip_address")) == [
        ("alice", "127.0.0.1")
    ]


def test_after_the_limit_even_the_right_password_is_answered_429(client, make_user):
    # Given a user who failed LOGIN_FAILURE_LIMIT times
    make_user("finance", username="alice")
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        assert sign_in(client, "alice", "wrong").status_code == 200

    # When they try again with the right password
    response = sign_in(client, "alice", PASSWORD)

    # Then they are refused with 429, told why, and not signed in
    assert response.status_code == 429
    assert THROTTLED in response.content.decode()
    assert not signed_in(client)
    assert client.get("/").status_code == 302
    # and the refused attempt is not counted as another failure
    assert FailedLogin.objects.count() == settings.LOGIN_FAILURE_LIMIT


def test_one_failure_below_the_limit_still_signs_in_and_clears_the_failures(client, make_user):
    # Given a user one failure short of the limit
    make_user("finance", username="alice")
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        sign_in(client, "alice", "wrong")

    # When they sign in with the right password
    response = sign_in(client, "alice", PASSWORD)

    # Then they are in, and their failures are forgotten
    assert response.status_code == 302
    assert signed_in(client)
    assert FailedLogin.objects.filter(username__iexact="alice").count() == 0


def test_cleared_failures_start_counting_from_zero(client, make_user):
    # Given a user who failed, signed in (clearing the count) and signed out
    make_user("finance", username="alice")
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        sign_in(client, "alice", "wrong")
    sign_in(client, "alice", PASSWORD)
    client.logout()

    # When they fail LIMIT - 1 times again
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        sign_in(client, "alice", "wrong")

    # Then the right password still works
    assert sign_in(client, "alice", PASSWORD).status_code == 302


def test_the_throttle_ignores_the_case_of_the_username(client, make_user):
    make_user("finance", username="alice")
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        sign_in(client, "ALICE", "wrong")

    assert sign_in(client, "alice", PASSWORD).status_code == 429


def test_failures_of_one_username_do_not_lock_out_another(client, make_user):
    make_user("finance", username="alice")
    make_user("finance", username="bob")
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        sign_in(client, "alice", "wrong")

    assert sign_in(client, "bob", PASSWORD).status_code == 302


def test_failures_older_than_the_window_do_not_count(client, make_user):
    make_user("finance", username="alice")
    old = timezone.now() - datetime.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS + 1)
    FailedLogin.objects.bulk_create(
        [FailedLogin(username="alice", attempted_at=old)] * settings.LOGIN_FAILURE_LIMIT
    )

    assert sign_in(client, "alice", PASSWORD).status_code == 302


def test_one_address_guessing_many_usernames_is_throttled(client, make_user):
    # Given four times the limit of failures from one address, spread over usernames
    make_user("finance", username="alice")
    now = timezone.now()
    FailedLogin.objects.bulk_create(
        FailedLogin(username=f"guess{n}", ip_address="127.0.0.1", attempted_at=now)
        for n in range(settings.LOGIN_FAILURE_LIMIT * 4)
    )

    # When a valid user signs in from that address, they are refused; from another one, not
    assert sign_in(client, "alice", PASSWORD).status_code == 429
    assert sign_in(client, "alice", PASSWORD, REMOTE_ADDR="10.0.0.9").status_code == 302


def test_passwords_are_hashed_with_argon2(make_user):
    user = make_user("finance")

    user.set_password("a-new-long-passphrase")
    user.save()

    assert user.password.startswith("argon2")
    assert "a-new-long-passphrase" not in user.password


def test_an_older_hash_is_upgraded_to_argon2_on_sign_in(client, make_user):
    # Given a user whose password was stored with PBKDF2
    user = make_user("finance", username="alice")
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save()

    # When they sign in
    assert sign_in(client, "alice", PASSWORD).status_code == 302

    # Then the stored hash is argon2
    user.refresh_from_db()
    assert user.password.startswith("argon2")


def test_a_signed_in_user_is_sent_home_from_the_login_page(client, make_user):
    client.force_login(make_user("finance"))

    response = client.get(LOGIN)

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_logout_is_a_post(client, make_user):
    client.force_login(make_user("finance"))

    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert not signed_in(client)
