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


@task()
def check_new_invoices() -> str:
    """After a large import (and daily, as a safety net): start the reviews of invoices and
    credit notes that have none, and match the invoices never matched."""
    from partnerdesk.finance.services.imports.invoices import check_invoices
    from partnerdesk.finance.services.reviews import unchecked_invoices

    ids, credit_notes = unchecked_invoices()
    if not ids:
        return "nothing to check"
    matched = check_invoices(ids, credit_notes, actor=None, label="new invoices")
    return f"{len(ids)} documents checked, {matched} invoices matched"
