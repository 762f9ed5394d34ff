"""Background jobs of notifications."""

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django_tasks import task

from partnerdesk.notifications.models import Notification


@task()
def send_notification_email(notification_id: int) -> bool:
    """Send one notification by e-mail; safe to retry (a sent one is not sent again)."""
    notification = (
        Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    )
    if notification is None or notification.emailed_at or not notification.recipient.email:
        return False
    link = f"\n\n{settings.SITE_URL.rstrip('/')}{notification.link}" if notification.link else ""
    send_mail(
        subject=f"[Partnerdesk] {notification.title}",
        message=f"{notification.body}{link}",
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[notification.recipient.email],
    )
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
    return True
