"""Personal API tokens: stored hashed, refused when revoked or expired, created by command."""

import datetime
import hashlib
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from partnerdesk.accounts.models import ApiToken
from partnerdesk.accounts.services import api_token_create, api_token_revoke
from partnerdesk.core.errors import InvalidInput
from tests.support import assert_error

pytestmark = pytest.mark.django_db


def me(client, raw: str | None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"} if raw is not None else {}
    return client.get("/api/v1/me", **headers)


def test_a_token_is_stored_only_as_its_hash(make_user):
    # Given a user
    user = make_user("finance")

    # When a token is created
    token, raw = api_token_create(user=user, name="ERP import")

    # Then only its SHA-256 and a short prefix are stored
    assert raw.startswith("pd_")
    assert len(raw) > 40
    token.refresh_from_db()
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert token.prefix == raw[:10]
    stored = [str(v) for row in ApiToken.objects.values_list() for v in row]
    assert not any(raw in value for value in stored)


def test_a_token_authenticates_and_records_its_use(client, make_user):
    user = make_user("finance", username="alice")
    token, raw = api_token_create(user=user, name="ERP import")

    response = me(client, raw)

    assert response.status_code == 200
    assert response.json()["username"] == "alice"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_revoked_token_is_401(client, make_user):
    token, raw = api_token_create(user=make_user("finance"), name="old")
    api_token_revoke(token=token)

    assert_error(me(client, raw), 401, "unauthenticated", {})


def test_an_expired_token_is_401(client, make_user):
    token, raw = api_token_create(
        user=make_user("finance"),
        name="short-lived",
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    assert me(client, raw).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )

    assert_error(me(client, raw), 401, "unauthenticated", {})


def test_a_token_of_a_deactivated_user_is_401(client, make_user):
    user = make_user("finance")
    _, raw = api_token_create(user=user, name="t")
    user.is_active = False
    user.save()

    assert_error(me(client, raw), 401, "unauthenticated", {})


@pytest.mark.parametrize("raw", [None, "", "pd_not-a-real-token", "abc"])
def test_missing_or_unknown_tokens_are_401(client, raw):
    error = assert_error(me(client, raw), 401, "unauthenticated", {})
    assert error["message"] == "Send a valid token: Authorization: Bearer <token>."


def test_create_token_command_prints_a_working_token(client, make_user):
    # Given a user
    make_user("quality", username="zhang.wei")
    out = io.StringIO()

    # When an operator creates a token on the command line
    call_command("create-token", "zhang.wei", "--name", "script", stdout=out)
    raw = out.getvalue().strip()

    # Then the printed token works against the API
    response = me(client, raw)
    assert response.status_code == 200
    assert response.json()["username"] == "zhang.wei"
    assert ApiToken.objects.get().name == "script"


def test_create_token_command_refuses_an_unknown_or_inactive_user(make_user):
    make_user("quality", username="gone", is_active=False)

    for username in ["ghost", "gone"]:
        with pytest.raises(CommandError) as exc:
            call_command("create-token", username, stdout=io.StringIO())
        assert str(exc.value) == f"No active user named {username!r}."
    assert ApiToken.objects.count() == 0


def test_a_token_needs_a_name_and_a_future_expiry(make_user):
    user = make_user("finance")

    with pytest.raises(InvalidInput) as no_name:
        api_token_create(user=user, name="  ")
    with pytest.raises(InvalidInput) as past:
        api_token_create(
            user=user, name="t", expires_at=timezone.now() - datetime.timedelta(minutes=1)
        )

    assert no_name.value.fields == {"name": ["This field is required."]}
    assert past.value.fields == {"expires_at": ["The expiry must be in the future."]}
    assert ApiToken.objects.count() == 0


def test_the_token_page_shows_a_new_token_once(client, make_user):
    # Given a signed-in user
    user = make_user("finance")
    client.force_login(user)

    # When they create a token on the page
    response = client.post("/accounts/tokens/", {"name": "Spreadsheet"})

    # Then the raw token is shown on that answer, and works
    token = ApiToken.objects.get(user=user)
    html = response.content.decode()
    start = html.index('id="new-token">') + len('id="new-token">')
    raw = html[start : html.index("<", start)]
    assert raw.startswith(token.prefix)
    assert hashlib.sha256(raw.encode()).hexdigest() == token.token_hash
    # and never again
    assert raw not in client.get("/accounts/tokens/").content.decode()


def test_revoking_on_the_page_only_works_for_own_tokens(client, make_user):
    mine, _ = api_token_create(user=make_user("finance", username="me"), name="mine")
    theirs, _ = api_token_create(user=make_user("finance", username="them"), name="theirs")
    client.force_login(mine.user)

    assert client.post(f"/accounts/tokens/{theirs.pk}/revoke/").status_code == 404
    assert client.post(f"/accounts/tokens/{mine.pk}/revoke/").status_code == 302

    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.revoked_at is not None
    assert theirs.revoked_at is None
