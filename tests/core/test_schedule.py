"""The periodic schedule: slots at their boundaries, one enqueue per slot, the batch worker."""

import datetime
import io
import zoneinfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from partnerdesk.core import schedule
from partnerdesk.core.models import ScheduledRun
from partnerdesk.core.schedule import Job, tick
from partnerdesk.core.tasks import prune_task_results
from partnerdesk.notifications.tasks import send_pending_emails
from partnerdesk.partners.models import CertificationReminder
from tests.factories import (
    CertificationFactory,
    InternalOwnerFactory,
    NotificationFactory,
    PartnerFactory,
    PersonFactory,
)

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
PRUNE = "partnerdesk.core.tasks.prune_task_results"


@pytest.fixture(autouse=True)
def _shanghai(settings):
    settings.TIME_ZONE = "Asia/Shanghai"


def at(day: str, clock: str) -> datetime.datetime:
    """A Shanghai wall-clock time: at("2026-03-09", "06:59:59")."""
    return datetime.datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=SHANGHAI)


# --- Job.slot --------------------------------------------------------------------------------

EVERY_15_MINUTES = Job("j", PRUNE, every="minutes", minutes=15)
EVERY_7_MINUTES = Job("j", PRUNE, every="minutes", minutes=7)
HOURLY = Job("j", PRUNE, every="hourly")
DAILY_AT_7 = Job("j", PRUNE, every="daily", at=datetime.time(7))
MONDAYS_AT_6 = Job("j", PRUNE, every="weekly", at=datetime.time(6))
FRIDAYS_AT_1830 = Job("j", PRUNE, every="weekly", at=datetime.time(18, 30), weekday=4)

# job, now (Shanghai), the slot it falls in. 2026-03-09 is a Monday.
SLOTS = [
    # minutes: counted from midnight
    (EVERY_15_MINUTES, "2026-03-09 10:14:59.999", "2026-03-09 10:00"),
    (EVERY_15_MINUTES, "2026-03-09 10:15:00", "2026-03-09 10:15"),
    (EVERY_15_MINUTES, "2026-03-09 00:00:00", "2026-03-09 00:00"),
    (EVERY_15_MINUTES, "2026-03-09 23:59:59", "2026-03-09 23:45"),
    (EVERY_7_MINUTES, "2026-03-09 01:00:00", "2026-03-09 00:56"),
    (HOURLY, "2026-03-09 10:59:59", "2026-03-09 10:00"),
    (HOURLY, "2026-03-09 11:00:00", "2026-03-09 11:00"),
    # daily: before seven the slot is yesterday's (also across a month end)
    (DAILY_AT_7, "2026-03-09 06:59:59", "2026-03-08 07:00"),
    (DAILY_AT_7, "2026-03-09 07:00:00", "2026-03-09 07:00"),
    (DAILY_AT_7, "2026-03-09 23:59:59", "2026-03-09 07:00"),
    (DAILY_AT_7, "2026-03-01 06:00:00", "2026-02-28 07:00"),
    # weekly: before the hour on the day the slot is last week's
    (MONDAYS_AT_6, "2026-03-09 05:59:59", "2026-03-02 06:00"),
    (MONDAYS_AT_6, "2026-03-09 06:00:00", "2026-03-09 06:00"),
    (MONDAYS_AT_6, "2026-03-11 12:00:00", "2026-03-09 06:00"),
    (MONDAYS_AT_6, "2026-03-15 23:59:59", "2026-03-09 06:00"),
    (FRIDAYS_AT_1830, "2026-03-13 18:29:00", "2026-03-06 18:30"),
    (FRIDAYS_AT_1830, "2026-03-13 18:30:00", "2026-03-13 18:30"),
]


@pytest.mark.parametrize(("job", "now", "expected"), SLOTS)
def test_slot_at_the_boundaries(job, now, expected):
    assert job.slot(at(*now.split())) == at(*expected.split())


def test_slot_uses_local_time_for_a_utc_now():
    job = Job("j", PRUNE, every="daily", at=datetime.time(7))
    # 22:59 UTC on the 9th is 06:59 on the 10th in Shanghai: still the 9th's slot.
    now = datetime.datetime(2026, 3, 9, 22, 59, tzinfo=datetime.UTC)

    assert job.slot(now) == at("2026-03-09", "07:00")


def test_an_unknown_cadence_is_an_error():
    with pytest.raises(ValueError, match="unknown cadence 'yearly'"):
        Job("j", PRUNE, every="yearly").slot(at("2026-03-09", "10:00"))


@pytest.mark.parametrize(
    ("now", "slot"),
    [
        (("2026-03-05", "02:00"), ("2026-03-05", "02:00")),  # exactly at the slot
        (("2026-03-05", "01:59"), ("2026-02-05", "02:00")),  # a minute before: last month's
        (("2026-03-31", "23:00"), ("2026-03-05", "02:00")),
        (("2026-01-04", "12:00"), ("2025-12-05", "02:00")),  # across the year
    ],
)
def test_monthly_slots_start_on_the_day_at_the_time(now, slot):
    job = Job("close", PRUNE, every="monthly", day=5, at=datetime.time(2, 0))
    assert job.slot(at(*now)) == at(*slot)


# --- tick ------------------------------------------------------------------------------------


def runs() -> list[tuple[str, datetime.datetime]]:
    return list(ScheduledRun.objects.order_by("slot").values_list("job", "slot"))


@pytest.mark.django_db
def test_tick_enqueues_a_job_once_per_slot_and_again_in_the_next():
    jobs = [Job("hourly-prune", PRUNE, every="hourly")]

    # Called twice in the same hour, the job is enqueued once
    assert tick(at("2026-03-09", "10:05"), jobs) == ["hourly-prune"]
    assert tick(at("2026-03-09", "10:40"), jobs) == []
    assert runs() == [("hourly-prune", at("2026-03-09", "10:00"))]
    [result] = DBTaskResult.objects.all()
    assert result.task_path == PRUNE
    assert ScheduledRun.objects.get().task_id == str(result.id)

    # In the next hour it is enqueued again
    assert tick(at("2026-03-09", "11:00"), jobs) == ["hourly-prune"]
    assert runs() == [
        ("hourly-prune", at("2026-03-09", "10:00")),
        ("hourly-prune", at("2026-03-09", "11:00")),
    ]
    assert DBTaskResult.objects.count() == 2


@pytest.mark.django_db
def test_a_worker_that_was_down_catches_up_once_not_for_every_missed_slot():
    jobs = [Job("hourly-prune", PRUNE, every="hourly")]
    tick(at("2026-03-09", "10:05"), jobs)

    # Five hours later, one enqueue for the current slot
    assert tick(at("2026-03-09", "15:30"), jobs) == ["hourly-prune"]
    assert [slot for _, slot in runs()] == [at("2026-03-09", "10:00"), at("2026-03-09", "15:00")]


@pytest.mark.django_db
def test_each_job_has_its_own_slots():
    jobs = [
        Job("hourly-prune", PRUNE, every="hourly"),
        Job("daily-prune", PRUNE, every="daily", at=datetime.time(7)),
    ]

    assert tick(at("2026-03-09", "10:05"), jobs) == ["hourly-prune", "daily-prune"]
    assert tick(at("2026-03-09", "11:05"), jobs) == ["hourly-prune"]
    assert tick(at("2026-03-10", "07:00"), jobs) == ["hourly-prune", "daily-prune"]


@pytest.mark.django_db
def test_the_default_schedule_names_real_tasks():
    now = timezone.now()

    assert tick(now) == [job.name for job in schedule.SCHEDULE]
    assert tick(now) == []
    assert sorted(DBTaskResult.objects.values_list("task_path", flat=True)) == sorted(
        job.task for job in schedule.SCHEDULE
    )


# --- tasks and the worker --------------------------------------------------------------------


@pytest.mark.django_db
def test_worker_batch_runs_queued_tasks_and_exits(worker_in_test_transaction):
    # Given a notification not e-mailed yet and its e-mail task queued
    notification = NotificationFactory(title="Hello", recipient__email="qa@example.com")
    send_pending_emails.enqueue()
    out = io.StringIO()

    # When the worker runs in batch mode without the schedule
    call_command("worker", "--batch", "--no-schedule", stdout=out)

    # Then the task ran and the e-mail went out
    assert list(DBTaskResult.objects.values_list("status", flat=True)) == ["SUCCESSFUL"]
    assert [(m.to, m.subject) for m in mail.outbox] == [(["qa@example.com"], "[Partnerdesk] Hello")]
    notification.refresh_from_db()
    assert notification.emailed_at is not None
    assert out.getvalue() == ""


@pytest.mark.django_db
def test_worker_batch_runs_the_schedule_end_to_end(
    make_user, django_capture_on_commit_callbacks, run_tasks
):
    # Given a certificate 30 days from expiry whose relationship owner signs in
    partner = PartnerFactory(code="CMO-1")
    owner = make_user("outsourcing", username="wang.fang")
    InternalOwnerFactory(partner=partner, role="relationship", person=PersonFactory(user=owner))
    CertificationFactory(
        partner=partner, expires_on=timezone.localdate() + datetime.timedelta(days=30)
    )
    out = io.StringIO()

    # When the worker runs once in batch mode (and the e-mails it queued are run)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("worker", "--batch", stdout=out)
    run_tasks()

    # Then it enqueued and ran every scheduled job, and the owner was reminded by e-mail
    assert out.getvalue().splitlines() == [f"enqueued {job.name}" for job in schedule.SCHEDULE]
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert CertificationReminder.objects.get().days_before == 30
    assert [m.to for m in mail.outbox] == [["wang.fang@example.com"]]
    assert mail.outbox[0].subject == "[Partnerdesk] ISO 9001 of CMO-1 expires in 30 days"


@pytest.mark.django_db
def test_prune_task_results_drops_old_results_and_slots(run_tasks):
    # Given a finished result and a slot from 40 days ago, and recent ones
    old = timezone.now() - datetime.timedelta(days=40)
    prune_task_results.enqueue()
    run_tasks()
    DBTaskResult.objects.update(finished_at=old)
    ScheduledRun.objects.create(job="old", slot=old)
    ScheduledRun.objects.create(job="new", slot=timezone.now())

    # When old results are pruned
    deleted = prune_task_results.call()

    # Then only the recent slot remains
    assert deleted == 1
    assert DBTaskResult.objects.count() == 0
    assert list(ScheduledRun.objects.values_list("job", flat=True)) == ["new"]


def test_every_scheduled_job_names_a_real_task():
    from django.utils.module_loading import import_string
    from django_tasks.base import Task

    from partnerdesk.core.schedule import SCHEDULE

    names = [job.name for job in SCHEDULE]
    assert names == [
        "certification-reminders",
        "contract-daily",
        "close-previous-month",
        "weekly-reconciliation",
        "prune-import-uploads",
        "check-new-invoices",
        "prune-document-uploads",
        "quality-daily",
        "eightd-overdue",
        "regrind-monitor",
        "regrind-ranking",
        "prune-task-results",
    ]
    for job in SCHEDULE:
        assert isinstance(import_string(job.task), Task), job.task
