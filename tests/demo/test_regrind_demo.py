"""The demo's regrind module: a living plant after ``partnerdesk demo``: three lines with their
units, products and teams on a weekly roster, 13 weeks of readings (a few rows refused, a
resend that stored nothing), a drift and a step shift the charts caught while the stable units
stay quiet, a few signals acknowledged, rankings with the older month final; loading it again
adds nothing.

The demo company is loaded once for the module (it takes a while) inside a transaction that
is rolled back at the end; each test runs in a savepoint of it.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Count, F
from django.db.models.functions import TruncMonth
from django.test import override_settings
from django.utils import timezone

from partnerdesk.demo import regrind_data as data
from partnerdesk.demo.company import load_demo_company
from partnerdesk.demo.regrind import load_regrind_demo
from partnerdesk.notifications.models import Notification
from partnerdesk.organisation.models import Team
from partnerdesk.regrind.models import (
    ControlChart,
    DosingUnit,
    PrecisionRanking,
    ProductionLine,
    Reading,
    ReadingIngest,
    RegrindProduct,
    RejectedReading,
    ShiftAssignment,
    Signal,
)

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
D = datetime.timedelta(days=1)
STABLE = ["DU-L1-A", "DU-L2-B", "DU-L3-A"]


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def local(day: datetime.date, hour: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=ZoneInfo(settings.TIME_ZONE))


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    email = "django.core.mail.backends.locmem.EmailBackend"
    with (
        override_settings(MEDIA_ROOT=media, EMAIL_BACKEND=email),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        counts = load_demo_company()
        today = timezone.localdate()
        start = today - today.weekday() * D - data.HISTORY_WEEKS * 7 * D
        yield {"counts": counts, "today": today, "start": start}
        transaction.set_rollback(True)


def imr(code: str) -> ControlChart:
    return ControlChart.objects.get(unit__code=code, kind="imr")


def phase_two(chart: ControlChart):
    return Reading.objects.filter(unit=chart.unit, taken_at__gt=chart.limits.baseline_end)


def test_three_lines_with_two_units_and_a_product_spec_each(demo):
    lines = ProductionLine.objects.all()
    assert list(lines.values_list("code", flat=True)) == ["L1", "L2", "L3"]
    assert all(line.manager is not None for line in lines)
    units = DosingUnit.objects.values_list("code", flat=True)
    assert list(units) == [f"DU-L{n}-{s}" for n in (1, 2, 3) for s in "AB"]
    housing = RegrindProduct.objects.get(code="HSG-A200")
    assert (housing.target_ratio, housing.tolerance, housing.max_ratio) == (20, 2, 25)
    for product in RegrindProduct.objects.all():
        assert product.currency == "CNY"
        assert 11 <= product.virgin_price_per_kg <= 14
        assert 4 <= product.regrind_price_per_kg <= 6
        assert 25 <= product.risk_cost_per_kg <= 40
    # every line runs its product over the whole history
    for line in lines:
        run = line.runs.get()
        assert run.ends_at is None and run.starts_at < local(demo["start"])


def test_six_teams_with_leads_on_a_weekly_roster(demo):
    teams = Team.objects.filter(department__kind="manufacturing", name__startswith="Line ")
    assert teams.count() == 6
    assert all(team.lead is not None for team in teams)
    # the manufacturing demo user leads Line 1 team A, so the line's alerts reach them
    assert teams.get(name="Line 1 team A").lead.user.username == "chen.jie"
    assignments = ShiftAssignment.objects.filter(line__code="L1")
    first, last = assignments.order_by("starts_at").first(), assignments.last()
    assert timezone.localtime(first.starts_at).date() == demo["start"]
    assert timezone.localdate(last.starts_at) >= demo["today"] + 10 * D
    assert all(timezone.localdate(a.starts_at).weekday() < 5 for a in assignments)
    assert {(a.shift.code, timezone.localtime(a.starts_at).hour) for a in assignments} == {
        ("early", 6),
        ("late", 14),
    }
    # the teams swap shifts every week
    mondays = [demo["start"] + 7 * k * D for k in range(4)]
    early = [assignments.get(starts_at=local(day, 6)).team.name for day in mondays]
    assert (
        early == ["Line 1 team A", "Line 1 team B"] * 2
        or early
        == [
            "Line 1 team B",
            "Line 1 team A",
        ]
        * 2
    )


def test_readings_every_ten_minutes_in_every_month_up_to_now(demo):
    readings = Reading.objects.all()
    assert readings.count() == demo["counts"]["regrind_readings"] > 30_000
    assert not readings.filter(team=None).exists() and not readings.filter(product=None).exists()
    assert readings.filter(taken_at__gte=timezone.now()).count() == 0
    first = timezone.localdate(readings.order_by("taken_at").first().taken_at)
    latest = readings.order_by("taken_at").last().taken_at
    assert first == demo["start"]
    assert timezone.now() - latest < datetime.timedelta(days=4)
    months = set(readings.annotate(month=TruncMonth("taken_at")).values_list("month", flat=True))
    month, expected = first.replace(day=1), set()
    while month <= timezone.localdate(latest):
        expected.add(month)
        month = (month + 32 * D).replace(day=1)
    assert {m.date() if isinstance(m, datetime.datetime) else m for m in months} == expected
    # a unit's day: two shifts of 48 batches
    day = readings.filter(unit__code="DU-L2-B", taken_at__range=(local(first), local(first + D)))
    assert day.count() == 96
    # line 3's feeders report the ratio only, the blenders of lines 1 and 2 the masses too
    assert not readings.filter(unit__line__code="L3").exclude(regrind_kg=None).exists()
    assert not readings.filter(unit__line__code="L1", regrind_kg=None).exists()


def test_ingests_show_refused_rows_with_reasons_and_a_resend_that_stored_nothing(demo):
    files = ReadingIngest.objects.filter(source="csv")
    assert files.count() >= 10
    assert ReadingIngest.objects.filter(source="api", stored__gt=0).count() == 3
    refused = RejectedReading.objects.all()
    codes = {error["code"] for rejected in refused for error in rejected.errors}
    assert {"negative", "ratio_range", "unknown_machine", "not_a_time"} <= codes
    assert refused.count() == 4 and all(r.raw for r in refused)
    bad = refused.first().ingest
    assert bad.refused == 4 and bad.stored == bad.rows - 4 and bad.status == "done"
    resent = files.values("filename").annotate(n=Count("id")).filter(n__gt=1).get()
    first, again = files.filter(filename=resent["filename"]).order_by("started_at")
    assert first.stored > 0
    assert again.stored == 0 and again.duplicates == again.rows == first.rows
    assert again.started_at > first.started_at


def test_the_drift_and_the_shift_are_caught_and_the_stable_units_stay_quiet(demo):
    start, today = demo["start"], demo["today"]
    drift_from = local(start + data.DRIFT["start"] * D, 6)
    fixed = datetime.datetime.combine(
        start + data.DRIFT["end"] * D, data.DRIFT["fixed"], tzinfo=drift_from.tzinfo
    )
    drifting = imr("DU-L2-A")
    assert {"n2", "n3"} <= set(drifting.rules)
    in_drift = drifting.signals.filter(point_at__range=(drift_from, fixed))
    points = Reading.objects.filter(unit=drifting.unit, taken_at__range=(drift_from, fixed))
    assert in_drift.filter(rule__in=["we4", "n2"]).count() > points.count() / 5
    assert in_drift.filter(rule="we4").exists() and in_drift.filter(rule="n2").exists()
    after = drifting.signals.filter(point_at__gt=fixed).count()
    assert after < phase_two(drifting).filter(taken_at__gt=fixed).count() / 20
    shifted = imr("DU-L3-B")
    last_two_weeks = local(today - 14 * D)
    we1 = shifted.signals.filter(rule="we1", point_at__gte=last_two_weeks).count()
    assert we1 >= 20
    assert shifted.signals.filter(rule="we1", point_at__lt=last_two_weeks).count() < we1 / 5
    for code in STABLE:
        chart = imr(code)
        # the MR chart's own false alarm rate (about 1 %) and a few run-rule false alarms
        points = phase_two(chart).count()
        assert chart.signals.count() < points * 0.04, code
        assert chart.signals.filter(rule="we1").count() < points * 0.005, code
    xbar = ControlChart.objects.get(unit__code="DU-L1-A", kind="xbar_r")
    assert xbar.subgroup_size == 5 and xbar.limits.version == 1
    assert xbar.signals.count() < phase_two(xbar).count() / 5 * 0.03
    # limits from the first three weeks
    baseline_end = local(start + 21 * D)
    assert all(
        (c.limits.baseline_start, c.limits.baseline_end) == (local(start), baseline_end)
        for c in ControlChart.objects.all()
    )
    assert Signal.objects.count() == demo["counts"]["regrind_signals"]
    # raised as the readings came in
    assert not Signal.objects.filter(created_at__lt=F("point_at")).exists()


def test_older_signals_acknowledged_and_alerts_reach_the_team_lead(demo):
    acknowledged = Signal.objects.filter(status="acknowledged")
    # Two or three notes, each covering its signal and the earlier open ones of its run.
    assert 2 <= acknowledged.values("note").distinct().count() <= 3
    for signal in acknowledged:
        assert signal.note and signal.acknowledged_by is not None
        assert signal.point_at < signal.acknowledged_at < timezone.now() - 14 * D
    assert acknowledged.filter(chart__unit__code="DU-L2-A").exists()
    assert acknowledged.filter(chart__unit__code="DU-L1-B").exists()
    # the step shift of the last two weeks is still open
    assert not Signal.objects.filter(chart__unit__code="DU-L3-B", status="acknowledged").exists()
    alerts = Notification.objects.filter(recipient__username="chen.jie", kind="regrind_signal")
    assert alerts.exists()
    assert all("DU-L1-" in alert.title for alert in alerts)


def test_rankings_of_the_last_two_months_and_this_month_the_older_final(demo):
    this = demo["today"].replace(day=1)
    last = (this - D).replace(day=1)
    before = (last - D).replace(day=1)
    rankings = PrecisionRanking.objects.all()
    assert sorted(rankings.values_list("month", flat=True)) == [before, last, this]
    assert list(rankings.filter(is_final=True).values_list("month", flat=True)) == [before]
    for ranking in rankings.filter(month__in=[before, last]):
        teams = ranking.teams.all()
        assert teams.count() == 6
        assert sorted(teams.values_list("rank", flat=True)) == [1, 2, 3, 4, 5, 6]
        assert ranking.readings > 10_000 and ranking.unassigned == 0
        assert ranking.computed_at > local((ranking.month + 32 * D).replace(day=1))
    # the sloppy team is never at the top
    sloppy = rankings.filter(month=last).get().teams.get(team__name="Line 3 team B")
    assert sloppy.rank > 3


def test_loading_again_changes_nothing(demo):
    before = row_counts()
    counts = load_regrind_demo(seed=2026, today=demo["today"])
    assert row_counts() == before
    assert counts["regrind_readings"] == demo["counts"]["regrind_readings"]
