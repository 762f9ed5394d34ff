"""The daily quality job: it plans the audits falling due and chases overdue 8D stages, is safe
to run twice, and is on the periodic schedule."""

import datetime

import pytest

from partnerdesk.core.schedule import SCHEDULE, tick
from partnerdesk.notifications.models import Notification
from partnerdesk.quality.models import Audit
from partnerdesk.quality.services.nonconformance import action_open
from partnerdesk.quality.tasks import daily_quality_job, notify_overdue_8d
from tests.factories import (
    AuditQuestionFactory,
    AuditScheduleFactory,
    AuditSectionFactory,
    NonconformanceFactory,
    PartnerFactory,
)

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
# 07:20 in Shanghai on Friday 20 November 2026, when the job is scheduled.
NOW = datetime.datetime(2026, 11, 19, 23, 20, tzinfo=UTC)


@pytest.fixture
def now(monkeypatch):
    clock = {"now": NOW - datetime.timedelta(days=4)}
    monkeypatch.setattr("django.utils.timezone.now", lambda: clock["now"])
    return clock


@pytest.fixture
def due_work(now, make_user):
    """An audit schedule due on 1 December (planned 14 days ahead: from 17 November) and an 8D
    opened on 16 November whose D0 to D3 were due 48 hours later."""
    quality = make_user("quality")
    partner = PartnerFactory()
    supplier = make_user("partner", partner=partner)
    section = AuditSectionFactory()
    AuditQuestionFactory(section=section)
    schedule = AuditScheduleFactory(
        partner=partner,
        template=section.template,
        auditor=quality,
        next_due=datetime.date(2026, 12, 1),
        lead_days=14,
    )
    action = action_open(user=quality, nc=NonconformanceFactory(partner=partner))
    now["now"] = NOW
    return {"quality": quality, "supplier": supplier, "schedule": schedule, "action": action}


def test_the_daily_job_plans_audits_and_notifies_overdue_stages(due_work):
    assert daily_quality_job.call() == "1 audits planned, 8 overdue-stage notices"
    audit = Audit.objects.get()
    assert (audit.schedule, audit.planned_date, audit.auditor) == (
        due_work["schedule"],
        datetime.date(2026, 12, 1),
        due_work["quality"],
    )
    # D0 to D3, each to the supplier's user and the quality engineer.
    overdue = Notification.objects.filter(kind="8d_overdue")
    assert overdue.filter(recipient=due_work["supplier"]).count() == 4
    assert overdue.filter(recipient=due_work["quality"]).count() == 4
    # Run again the same day (a retry): nothing planned or sent twice.
    assert daily_quality_job.call() == "0 audits planned, 0 overdue-stage notices"
    assert Audit.objects.count() == 1
    assert Notification.objects.filter(kind="8d_overdue").count() == 8


def test_the_job_runs_daily_from_the_schedule(due_work, run_tasks):
    [job] = [j for j in SCHEDULE if j.task == "partnerdesk.quality.tasks.daily_quality_job"]
    assert (job.every, job.at) == ("daily", datetime.time(7, 20))
    assert tick(NOW, [job]) == ["quality-daily"]
    assert tick(NOW, [job]) == []  # the slot is enqueued once
    run_tasks()
    assert Audit.objects.filter(schedule=due_work["schedule"]).count() == 1
    assert Notification.objects.filter(kind="8d_overdue").count() == 8


def test_overdue_stages_are_chased_every_hour_and_notified_once(due_work, run_tasks):
    [job] = [j for j in SCHEDULE if j.task == "partnerdesk.quality.tasks.notify_overdue_8d"]
    assert job.every == "hourly"
    assert tick(NOW, [job]) == ["eightd-overdue"]
    run_tasks()
    assert Notification.objects.filter(kind="8d_overdue").count() == 8
    assert notify_overdue_8d.call() == "0 overdue-stage notices"  # the next hour: none again
    assert not Audit.objects.exists()  # planning audits is the daily job's
