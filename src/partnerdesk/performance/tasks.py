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


@task()
def prune_import_uploads(hours: int = 24) -> int:
    """Daily: delete measurement files uploaded for an import that was never committed."""
    import datetime

    from django.core.files.storage import default_storage
    from django.utils import timezone

    cutoff = timezone.now() - datetime.timedelta(hours=hours)
    removed = 0
    if not default_storage.exists("measurement-imports"):
        return 0
    user_dirs, _files = default_storage.listdir("measurement-imports")
    for user_dir in user_dirs:
        _dirs, files = default_storage.listdir(f"measurement-imports/{user_dir}")
        for name in files:
            path = f"measurement-imports/{user_dir}/{name}"
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
                removed += 1
    return removed
