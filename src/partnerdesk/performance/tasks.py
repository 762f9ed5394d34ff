from django_tasks import task


@task()
def close_previous_month() -> str:
    """Monthly: close last month unless someone already did."""
    from django.utils import timezone

    from partnerdesk.performance.periods import previous_month
    from partnerdesk.performance.selectors import is_closed
    from partnerdesk.performance.services.closing import close_month

    period = previous_month(timezone.localdate())
    if is_closed(period):
        return f"{period:%Y-%m} already closed"
    close = close_month(actor=None, period=period)
    return f"{period:%Y-%m} closed (revision {close.revision})"
