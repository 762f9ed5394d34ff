"""The periodic schedule, defined in code, run by ``partnerdesk worker``.

Each job has a cadence; ``tick()`` enqueues every job whose current slot has not been enqueued
yet. Slots are recorded in ``ScheduledRun`` with a unique constraint, so several workers (or a
restarted one) never enqueue the same slot twice, and a worker that was down catches up with
the current slot once (not with every missed one).
"""

import datetime
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from partnerdesk.core.models import ScheduledRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    task: str  # dotted path of a django-tasks task
    every: str  # "minutes", "hourly", "daily", "weekly" or "monthly"
    minutes: int = 0  # for "minutes": the interval; otherwise ignored
    at: datetime.time = datetime.time(6, 0)  # local time of day for daily and weekly jobs
    weekday: int = 0  # Monday = 0, for weekly jobs
    day: int = 1  # day of the month (1-28), for monthly jobs

    def slot(self, now: datetime.datetime) -> datetime.datetime | None:
        """The start of the slot ``now`` falls in, or None before the first slot of the day."""
        local = timezone.localtime(now)
        if self.every == "minutes":
            minute = (local.hour * 60 + local.minute) // self.minutes * self.minutes
            return local.replace(hour=minute // 60, minute=minute % 60, second=0, microsecond=0)
        if self.every == "hourly":
            return local.replace(minute=0, second=0, microsecond=0)
        start = local.replace(hour=self.at.hour, minute=self.at.minute, second=0, microsecond=0)
        if self.every == "daily":
            return start if local >= start else start - datetime.timedelta(days=1)
        if self.every == "monthly":
            start = start.replace(day=self.day)
            if local >= start:
                return start
            previous = (start.replace(day=1) - datetime.timedelta(days=1)).replace(day=self.day)
            return previous
        if self.every == "weekly":
            start -= datetime.timedelta(days=(local.weekday() - self.weekday) % 7)
            return start if local >= start else start - datetime.timedelta(days=7)
        raise ValueError(f"unknown cadence {self.every!r}")


SCHEDULE: list[Job] = [
    Job(
        "certification-reminders",
        "partnerdesk.partners.tasks.send_certification_reminders",
        every="daily",
        at=datetime.time(7, 0),
    ),
    Job(
        "contract-daily",
        "partnerdesk.contracts.tasks.daily_contract_job",
        every="daily",
        at=datetime.time(7, 10),
    ),
    Job(
        "close-previous-month",
        "partnerdesk.performance.tasks.close_previous_month",
        every="monthly",
        day=5,
        at=datetime.time(2, 0),
    ),
    Job(
        "weekly-reconciliation",
        "partnerdesk.finance.tasks.weekly_reconciliation",
        every="weekly",
        weekday=0,
        at=datetime.time(6, 30),
    ),
    Job(
        "prune-import-uploads",
        "partnerdesk.performance.tasks.prune_import_uploads",
        every="daily",
        at=datetime.time(3, 40),
    ),
    Job(
        "check-new-invoices",
        "partnerdesk.finance.tasks.check_new_invoices",
        every="daily",
        at=datetime.time(5, 30),
    ),
    Job(
        "prune-document-uploads",
        "partnerdesk.finance.tasks.prune_import_uploads",
        every="daily",
        at=datetime.time(3, 45),
    ),
    Job(
        "quality-daily",
        "partnerdesk.quality.tasks.daily_quality_job",
        every="daily",
        at=datetime.time(7, 20),
    ),
    Job("eightd-overdue", "partnerdesk.quality.tasks.notify_overdue_8d", every="hourly"),
    # After every ingest the units' charts are checked; this catches any check that was lost.
    Job("regrind-monitor", "partnerdesk.regrind.tasks.monitor_all", every="minutes", minutes=15),
    Job(
        "regrind-ranking",
        "partnerdesk.regrind.tasks.rank_previous_month",
        every="monthly",
        day=1,
        at=datetime.time(6, 10),
    ),
    Job(
        "prune-task-results",
        "partnerdesk.core.tasks.prune_task_results",
        every="daily",
        at=datetime.time(3, 30),
    ),
]


def tick(now: datetime.datetime | None = None, schedule: list[Job] | None = None) -> list[str]:
    """Enqueue the jobs that are due; return their names."""
    now = now or timezone.now()
    enqueued = []
    for job in schedule if schedule is not None else SCHEDULE:
        slot = job.slot(now)
        if slot is None:
            continue
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(job=job.name, slot=slot)
                result = import_string(job.task).enqueue()
                run.task_id = str(result.id)[:64]
                run.save(update_fields=["task_id"])
        except IntegrityError:
            continue
        logger.info("enqueued %s for %s", job.name, slot.isoformat())
        enqueued.append(job.name)
    return enqueued
