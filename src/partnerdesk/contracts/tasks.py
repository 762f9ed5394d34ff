from django_tasks import task


@task()
def daily_contract_job() -> dict:
    """Daily: contract statuses from their end dates, then expiry, notice and review
    reminders."""
    from partnerdesk.contracts.services.reminders import (
        contracts_refresh_statuses,
        contracts_send_reminders,
    )

    moved = contracts_refresh_statuses()
    return {"moved": moved, "reminders": contracts_send_reminders()}
