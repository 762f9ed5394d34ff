from datetime import timedelta

from django.utils import timezone
from django_tasks import task


@task()
def prune_task_results(days: int = 30) -> int:
    """Delete finished task results older than ``days`` and schedule rows older than that."""
    from django_tasks_db.models import DBTaskResult

    from partnerdesk.core.models import ScheduledRun

    cutoff = timezone.now() - timedelta(days=days)
    deleted, _ = DBTaskResult.objects.filter(finished_at__lt=cutoff).delete()
    ScheduledRun.objects.filter(slot__lt=cutoff).delete()
    return deleted
