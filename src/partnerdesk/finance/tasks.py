from django_tasks import task


@task()
def weekly_reconciliation() -> str:
    """Weekly (Monday morning): reconcile last week's invoices."""
    from partnerdesk.finance.services.reconciliation import previous_week, reconcile_week

    recon = reconcile_week(week=previous_week())
    return f"{recon.week} reconciled (revision {recon.revision})"


@task()
def prune_import_uploads(hours: int = 24) -> int:
    """Daily: delete uploaded document files of imports never applied."""
    from partnerdesk.finance.services.import_files import prune_stashed_uploads

    return prune_stashed_uploads(hours=hours)
