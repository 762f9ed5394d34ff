"""Creating notifications. E-mail goes out through a task after the transaction commits."""

from django.db import IntegrityError, transaction

from partnerdesk.notifications.models import Notification


def notify(
    *, recipient, kind: str, title: str, body: str = "", link: str = "", dedupe_key: str = ""
) -> Notification | None:
    """Store a notification for one user and queue its e-mail.

    With a ``dedupe_key`` the same notification is stored only once per user; a repeat returns
    None and sends nothing.
    """
    from partnerdesk.notifications.tasks import send_notification_email

    if recipient is None or not recipient.is_active:
        return None
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient,
                kind=kind,
                title=title[:200],
                body=body,
                link=link[:300],
                dedupe_key=dedupe_key[:120],
            )
    except IntegrityError:
        if dedupe_key:
            return None
        raise
    if recipient.email:
        transaction.on_commit(lambda: send_notification_email.enqueue(notification.pk))
    return notification


def notification_mark_read(*, user, ids: list[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when ``ids`` is None)."""
    from django.utils import timezone

    qs = Notification.objects.restrict(user).filter(read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
