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


@task()
def notify_overdue_8d() -> str:
    """Hourly: notify the owners of 8D stages that became overdue (containment is due within
    48 hours, so a daily check would be up to a day late). Each stage and due time is notified
    once, however often this runs."""
    from partnerdesk.quality.services.nonconformance import notify_overdue_stages

    return f"{notify_overdue_stages()} overdue-stage notices"
