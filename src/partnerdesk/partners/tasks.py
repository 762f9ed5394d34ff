from django_tasks import task


@task()
def send_certification_reminders() -> int:
    """Daily: remind owners of certificates 90, 60 and 30 days before they expire."""
    from partnerdesk.partners.services import certification_send_reminders

    return certification_send_reminders()
