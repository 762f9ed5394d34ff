"""Writes for accounts: roles, users, API tokens and the login throttle."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerdesk.accounts.models import ApiToken, FailedLogin, User, hash_token
from partnerdesk.accounts.roles import ROLE_PERMISSIONS
from partnerdesk.core.errors import InvalidInput


@transaction.atomic
def sync_roles() -> dict[str, int]:
    """Create or update one group per role with exactly the permissions of ``ROLE_PERMISSIONS``."""
    wanted = {p for perms in ROLE_PERMISSIONS.values() for p in perms}
    by_key = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.select_related("content_type")
    }
    missing = sorted(wanted - by_key.keys())
    if missing:
        raise InvalidInput(f"Unknown permissions in the role table: {', '.join(missing)}")
    counts = {}
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set([by_key[p] for p in perms])
        counts[role] = len(perms)
    return counts


def user_roles(user) -> list[str]:
    return sorted(user.groups.values_list("name", flat=True))


# --- API tokens ------------------------------------------------------------------------------


def api_token_create(*, user: User, name: str, expires_at=None) -> tuple[ApiToken, str]:
    """Create a token; return it with the raw secret, which is never stored or shown again."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput(
            _("A token needs a name."), fields={"name": [_("This field is required.")]}
        )
    if expires_at is not None and expires_at <= timezone.now():
        raise InvalidInput(
            _("The expiry must be in the future."),
            fields={"expires_at": [_("The expiry must be in the future.")]},
        )
    raw = settings.API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=raw[:10],
        token_hash=hash_token(raw),
        expires_at=expires_at,
    )
    return token, raw


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_authenticate(raw: str) -> User | None:
    """The active user behind a raw bearer token, or None. Marks the token as used."""
    if not raw or not raw.startswith(settings.API_TOKEN_PREFIX):
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    # Write the last use at most once a minute to keep reads cheap.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# --- Login throttling ------------------------------------------------------------------------


def _window_start():
    return timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def login_is_throttled(*, username: str, ip_address: str | None) -> bool:
    """True when the username or the client address had too many recent failures."""
    limit = settings.LOGIN_FAILURE_LIMIT
    recent = FailedLogin.objects.filter(attempted_at__gte=_window_start())
    if recent.filter(username__iexact=username).count() >= limit:
        return True
    return bool(ip_address) and recent.filter(ip_address=ip_address).count() >= limit * 4


def login_failure_record(*, username: str, ip_address: str | None) -> None:
    FailedLogin.objects.create(username=username[:150], ip_address=ip_address or None)
    # Old attempts are useless for throttling; drop them as we go.
    FailedLogin.objects.filter(attempted_at__lt=timezone.now() - timedelta(days=1)).delete()


def login_success_clear(*, username: str) -> None:
    FailedLogin.objects.filter(username__iexact=username).delete()
