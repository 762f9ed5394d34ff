from django_tasks import task


@task()
def daily_quality_job() -> str:
    """Daily: plan the audits that fall due within their schedules' lead time, and notify the
    owners of overdue 8D stages."""
    from partnerdesk.quality.services.audits import plan_scheduled_audits
    from partnerdesk.quality.services.nonconformance import notify_overdue_stages

    planned = plan_scheduled_audits()
    notices = notify_overdue_stages()
    return f"{len(planned)} audits planned, {notices} overdue-stage notices"
