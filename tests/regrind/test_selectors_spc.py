"""Reads of the SPC side: a chart's window analysed (points, times, limits in force or phase I
of the window, rule signals, dispersion breaches, capability against the product running),
the small charts of a line in one query, dashboard figures, refused rows of one's own ingest,
and the ranking of a month."""

import datetime
import io

import numpy as np
import pytest

from partnerdesk.regrind import selectors_spc as selectors
from partnerdesk.regrind.engines import spc
from partnerdesk.regrind.models import ControlChart, PrecisionRanking
from partnerdesk.regrind.services.charts import chart_create, chart_set_baseline, chart_update
from partnerdesk.regrind.services.ingest import readings_ingest_csv, readings_ingest_rows
from tests.factories import PartnerFactory
from tests.regrind.conftest import DAY, local

START = local(DAY, 6)
STEP = datetime.timedelta(minutes=2)
BASELINE = [20.0, 20.3, 19.8, 20.1, 19.9, 20.2, 19.7, 20.0, 20.4, 19.9] * 3  # 30 readings


def feed(user, values, start=START, unit="M1"):
    text = "machine,timestamp,ratio\n" + "".join(
        f"{unit},{(start + k * STEP).isoformat()},{v}\n" for k, v in enumerate(values)
    )
    readings_ingest_csv(user=user, stream=io.BytesIO(text.encode()), now=local(DAY, 23, 59))
    return start + len(values) * STEP


@pytest.fixture
def admin(make_user):
    return make_user("administrator")


def test_a_chart_without_limits_shows_phase_one_limits_of_its_window(plant, admin):
    feed(admin, BASELINE)
    chart = chart_create(user=admin, unit=plant.m1, kind="imr")
    result = selectors.chart_analysis(chart)
    assert result.points == 30 and result.readings == 30
    assert result.limits.phase_one and result.limits.version is None
    expected = spc.limits_for("imr", BASELINE)
    assert result.limits.center == pytest.approx(expected.center)
    assert result.limits.ucl == pytest.approx(expected.ucl)
    assert result.times[0] == START and result.times[29] == START + 29 * STEP
    assert np.isnan(result.dispersion[0])
    # Capability against P20 (LSL 18, USL 22) with the window's sigma within.
    cap = spc.capability(BASELINE, lsl=18, usl=22, sigma_within=expected.sigma)
    assert result.product == plant.product
    assert result.capability.cpk == pytest.approx(cap.cpk)
    assert result.capability.ppk == pytest.approx(cap.ppk)


def test_limits_in_force_flag_points_with_their_rules_and_times(plant, admin):
    after = feed(admin, BASELINE)
    chart = chart_create(user=admin, unit=plant.m1, kind="imr")
    limits = chart_set_baseline(user=admin, chart=chart, start=START, end=after)
    high = round(limits.ucl + 0.5, 3)
    feed(admin, [20.0, high, 20.0], start=after)
    chart = selectors.chart_get(user=admin, pk=chart.pk)
    result = selectors.chart_analysis(chart, last=10)
    assert result.points == 10 and not result.limits.phase_one and result.limits.version == 1
    flags = result.flags()
    flagged = [i for i, codes in flags.items() if "we1" in codes]
    assert len(flagged) == 1
    assert result.values[flagged[0]] == high
    assert result.times[flagged[0]] == after + STEP
    # The jump up and back down are moving ranges beyond the MR chart's limit.
    assert set(result.dispersion_flags()) == {flagged[0], flagged[0] + 1}
    counts = {code: n for code, _label, n in result.rule_counts()}
    assert counts["we1"] == 1 and counts["d1"] == 2
    latest = result.latest_signals()  # rule signals, newest first
    assert [(s["rule"], s["at"], s["first_at"]) for s in latest] == [
        ("we1", after + STEP, after + STEP)
    ]


def test_switched_off_rules_do_not_flag(plant, admin):
    after = feed(admin, BASELINE)
    chart = chart_create(user=admin, unit=plant.m1, kind="imr")
    limits = chart_set_baseline(user=admin, chart=chart, start=START, end=after)
    feed(admin, [round(limits.ucl + 0.5, 3)], start=after)
    chart_update(user=admin, chart=chart, rules=["we4"])
    result = selectors.chart_analysis(selectors.chart_get(user=admin, pk=chart.pk))
    assert "we1" not in {code for codes in result.flags().values() for code in codes}


def test_a_time_window_and_subgroups(plant, admin):
    feed(admin, BASELINE)
    chart = chart_create(user=admin, unit=plant.m1, kind="xbar_r", subgroup_size=4)
    # Readings 5 to 24 (20 readings): 5 subgroups of 4.
    result = selectors.chart_analysis(chart, start=START + 5 * STEP, end=START + 24 * STEP)
    assert result.readings == 20 and result.points == 5
    assert result.values[0] == pytest.approx(np.mean(BASELINE[5:9]))
    assert result.dispersion[0] == pytest.approx(np.ptp(BASELINE[5:9]))
    # A subgroup's time is the time of its last reading.
    assert result.times[0] == START + 8 * STEP
    assert result.limits.phase_one
    # Nothing in the window: no points, no limits, no capability.
    empty = selectors.chart_analysis(chart, start=local(DAY, 1), end=local(DAY, 2))
    assert empty.points == 0 and empty.limits is None and empty.capability is None


def test_too_few_or_flat_readings_give_no_limits(plant, admin):
    feed(admin, [20.0] * 5)
    chart = chart_create(user=admin, unit=plant.m1, kind="imr")
    result = selectors.chart_analysis(chart)
    assert result.limits is None and "do not vary" in result.note
    assert len(result.signals.index) == 0


def test_small_charts_of_several_units_in_one_query(plant, admin, django_assert_num_queries):
    feed(admin, BASELINE)
    feed(admin, [18.0, 18.5, 19.0], unit="M2")
    one = chart_create(user=admin, unit=plant.m1, kind="imr")
    two = chart_create(user=admin, unit=plant.m2, kind="imr")
    charts = list(ControlChart.objects.select_related("limits").order_by("pk"))
    with django_assert_num_queries(1):
        found = selectors.chart_sparklines(charts, last=20)
    assert found[one.pk].points == 20 and found[two.pk].points == 3
    assert found[one.pk].times[19] == START + 29 * STEP
    assert found[two.pk].values.tolist() == [18.0, 18.5, 19.0]


def test_reading_figures_judge_against_the_product_running(plant, admin, make_user):
    # 18 and 22 are on the limits (inside); 17.9 and 22.1 are outside.
    feed(admin, [18.0, 22.0, 17.9, 22.1, 20.0])
    rows = selectors.reading_figures(
        user=admin, unit_ids=[plant.m1.pk], since=local(DAY, 0), by=("team_id",)
    )
    assert len(rows) == 1 and rows[0]["team_id"] == plant.red.pk
    row = rows[0]
    assert (row["readings"], row["judged"], row["within"]) == (5, 5, 3)
    assert row["share_within"] == pytest.approx(0.6)
    assert row["mean_abs_dev"] == pytest.approx((2 + 2 + 2.1 + 2.1 + 0) / 5)
    # A partner user sees nothing.
    partner_user = make_user("partner", partner=PartnerFactory())
    assert (
        selectors.reading_figures(user=partner_user, unit_ids=[plant.m1.pk], since=local(DAY, 0))
        == []
    )


def test_refused_rows_are_shown_to_who_sent_them(plant, make_user):
    machine = make_user("machine")
    ingest = readings_ingest_rows(
        user=machine,
        rows=[{"machine": "M1", "timestamp": "2026-03-02 08:00", "ratio": "abc"}],
        now=local(DAY, 23),
    )
    assert ingest.refused == 1
    assert [r.row for r in selectors.ingest_rejections(user=machine, ingest=ingest)] == [1]
    other = make_user("machine")
    assert list(selectors.ingest_rejections(user=other, ingest=ingest)) == []
    viewer = make_user("compliance")
    assert len(selectors.ingest_rejections(user=viewer, ingest=ingest)) == 1


def test_the_month_shows_the_final_revision_else_the_latest(plant, admin):
    month = datetime.date(2026, 3, 1)
    assert selectors.ranking_for_month(user=admin, month=month) is None
    first = PrecisionRanking.objects.create(month=month, revision=1, rule_version="r")
    second = PrecisionRanking.objects.create(month=month, revision=2, rule_version="r")
    assert selectors.ranking_for_month(user=admin, month=datetime.date(2026, 3, 17)) == second
    first.is_final = True
    first.save()
    assert selectors.ranking_for_month(user=admin, month=month) == first
