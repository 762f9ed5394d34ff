from django_tasks import task


@task()
def monitor_units(unit_ids: list[int]) -> str:
    """After an ingest: check the new points of the units' control charts against their
    limits (phase II); signals raise alerts to the team on shift."""
    from partnerdesk.regrind.services.monitoring import monitor_charts

    signals = monitor_charts(unit_ids=unit_ids)
    return f"{signals} new signals"


@task()
def monitor_all() -> str:
    """Every 15 minutes: check every active chart's new points (a safety net for a check that
    an ingest queued but that was lost)."""
    from partnerdesk.regrind.services.monitoring import monitor_charts

    return f"{monitor_charts()} new signals"


@task()
def rank_previous_month() -> str:
    """On the 1st: compute the ranking of the month that just ended (a new revision; people
    make it final once late readings are in)."""
    import datetime

    from django.utils import timezone

    from partnerdesk.regrind.services.ranking import ranking_compute_system

    today = timezone.localdate()
    previous = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    ranking = ranking_compute_system(month=previous)
    if ranking is None:
        return f"{previous:%Y-%m} is final already"
    return f"{previous:%Y-%m} revision {ranking.revision}: {ranking.teams.count()} teams"
