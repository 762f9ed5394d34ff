"""Users, personal API tokens and the failed-login record used for throttling."""

import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in. Internal staff have no partner; partner users have exactly one.

    A partner user sees only records of their own partner (see ``core.permissions``).
    """

    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text=_("Set for partner users only: the one partner whose records they may see."),
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    @property
    def is_partner_user(self) -> bool:
        return self.partner_id is not None

    def __str__(self) -> str:
        return self.get_full_name() or self.username


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the token is shown once at creation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(
        _("prefix"), max_length=16, help_text=_("First characters, shown to recognise the token.")
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class FailedLogin(models.Model):
    """A failed sign-in attempt, kept for throttling (by username and by client address)."""

    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    attempted_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-attempted_at"]

    def __str__(self) -> str:
        return f"{self.username} @ {self.attempted_at:%Y-%m-%d %H:%M}"
