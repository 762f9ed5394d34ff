"""In-app notifications; each is also sent by e-mail after the transaction commits."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerdesk.core.permissions import RestrictedQuerySet


class NotificationQuerySet(RestrictedQuerySet):
    def restrict(self, user, action: str = "view"):
        # Everyone sees their own notifications and nobody else's.
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user)


class Notification(models.Model):
    """A message to one user: what happened, and a link to the record it is about."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=50)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)
    # A key that makes a notification happen once (e.g. "cert-42-30-2027-01-31").
    dedupe_key = models.CharField(max_length=120, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="notifications_once_per_key",
            ),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.title
