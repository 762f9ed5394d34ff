"""Shared model pieces and the scheduler's bookkeeping."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class ScheduledRun(models.Model):
    """One slot of a periodic job that has been enqueued.

    The unique constraint makes the schedule safe with several workers: the first worker to
    insert the slot enqueues the job, the others find the row and skip it.
    """

    job = models.CharField(max_length=100)
    slot = models.DateTimeField()
    enqueued_at = models.DateTimeField(auto_now_add=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "slot"], name="core_scheduledrun_job_slot_uniq")
        ]
        ordering = ["-slot"]

    def __str__(self) -> str:
        return f"{self.job} @ {self.slot:%Y-%m-%d %H:%M}"
