"""Creating notifications. E-mails go out through a task after the transaction commits."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from partnerdesk.notifications.models import Notification


@dataclass(frozen=True)
class NotificationDraft:
    recipient_id: int
    kind: str
    title: str
    body: str = ""
    link: str = ""
    # With a key, the same notification is stored once per recipient, however often it is sent.
    dedupe_key: str = ""


def notify_many(drafts: list[NotificationDraft]) -> int:
    """Store many notifications in one insert and queue their e-mails once committed.

    Drafts whose (recipient, dedupe_key) already exists are skipped by the database's unique
    constraint, so a repeated or racing run never notifies twice. Returns the number of drafts.
    """
    if not drafts:
        return 0
    from partnerdesk.notifications.tasks import send_pending_emails

    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=d.recipient_id,
                kind=d.kind,
                title=d.title[:200],
                body=d.body,
                link=d.link[:300],
                dedupe_key=d.dedupe_key[:120],
            )
            for d in drafts
        ],
        ignore_conflicts=True,
        batch_size=500,
    )
    transaction.on_commit(lambda: send_pending_emails.enqueue())
    return len(drafts)


def notify(
    *, recipient, kind: str, title: str, body: str = "", link: str = "", dedupe_key: str = ""
) -> bool:
    """Notify one active user (see ``notify_many``); returns False for an inactive one."""
    if recipient is None or not recipient.is_active:
        return False
    notify_many([NotificationDraft(recipient.pk, kind, title, body, link, dedupe_key)])
    return True


def notification_mark_read(*, user, ids: list[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when ``ids`` is None)."""
    qs = Notification.objects.restrict(user).filter(read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
