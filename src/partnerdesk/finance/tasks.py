from django_tasks import task


@task()
def weekly_reconciliation() -> str:
    """Weekly (Monday morning): reconcile last week's invoices."""
    from partnerdesk.finance.services.reconciliation import previous_week, reconcile_week

    recon = reconcile_week(week=previous_week())
    return f"{recon.week} reconciled (revision {recon.revision})"
