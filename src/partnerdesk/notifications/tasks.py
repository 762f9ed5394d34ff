"""Background jobs of notifications."""

from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django_tasks import task

from partnerdesk.notifications.models import Notification


@task()
def send_pending_emails() -> int:
    """E-mail every notification of the last week not e-mailed yet; safe to run twice at once.

    Each notification is claimed by setting ``emailed_at`` before sending (only one worker's
    update matches), and released again if sending fails so a later run retries it.
    """
    since = timezone.now() - timedelta(days=7)
    pending = (
        Notification.objects.filter(
            emailed_at__isnull=True, created_at__gte=since, recipient__is_active=True
        )
        .exclude(recipient__email="")
        .select_related("recipient")
    )
    sent = 0
    base = settings.SITE_URL.rstrip("/")
    for notification in pending:
        claimed = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        if not claimed:
            continue
        link = f"\n\n{base}{notification.link}" if notification.link else ""
        try:
            send_mail(
                subject=f"[Partnerdesk] {notification.title}",
                message=f"{notification.body}{link}",
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[notification.recipient.email],
            )
        except Exception:
            Notification.objects.filter(pk=notification.pk).update(emailed_at=None)
            raise
        sent += 1
    return sent
