"""SPC pages: the plant dashboard, a line's dashboard, a chart's page (flagged points with
their rules, limits in force or phase I, capability, limit versions explained, a baseline, the
rule switches), creating a chart, the signals and acknowledging one; who may see what; pinned
query counts."""

import datetime
import io

import pytest
from django.utils import timezone

from partnerdesk.regrind.models import ControlChart, ControlLimits, ShiftAssignment, Signal
from partnerdesk.regrind.services.charts import chart_create, chart_set_baseline
from partnerdesk.regrind.services.ingest import readings_ingest_csv
from partnerdesk.regrind.services.monitoring import monitor_charts
from tests.factories import DosingUnitFactory, PartnerFactory
from tests.regrind.conftest import DAY, local
from tests.support import audit_rows

START = local(DAY, 6)
STEP = datetime.timedelta(minutes=2)
HOUR = datetime.timedelta(hours=1)
BASELINE = [20.0, 20.3, 19.8, 20.1, 19.9, 20.2, 19.7, 20.0, 20.4, 19.9] * 3


def feed(user, values, start=START, unit="M1"):
    text = "machine,timestamp,ratio\n" + "".join(
        f"{unit},{(start + k * STEP).isoformat()},{v}\n" for k, v in enumerate(values)
    )
    now = max(local(DAY, 23, 59), timezone.now())
    readings_ingest_csv(user=user, stream=io.BytesIO(text.encode()), now=now)
    return start + len(values) * STEP


@pytest.fixture
def admin(make_user):
    return make_user("administrator", username="spc-admin")


@pytest.fixture
def monitored(plant, admin):
    """M1 with limits from a stable baseline, then a point beyond the UCL that the monitoring
    signals (rule we1, and d1 for the jump)."""
    after = feed(admin, BASELINE)
    chart = chart_create(user=admin, unit=plant.m1, kind="imr")
    limits = chart_set_baseline(user=admin, chart=chart, start=START, end=after, note="Stable")
    feed(admin, [20.0, round(limits.ucl + 0.6, 3), 20.1], start=after)
    monitor_charts(unit_ids=[plant.m1.pk])
    return chart, limits, after + STEP


def signal_of(chart, limits, minute: int, rule="we1"):
    return Signal.objects.create(
        chart=chart,
        limits=limits,
        rule=rule,
        point_at=local(DAY, 12, minute),
        first_at=local(DAY, 12, minute),
        value=21.5,
        line=chart.unit.line,
    )


# --- the chart page ----------------------------------------------------------------------------


def test_the_chart_page_flags_the_point_with_its_rule(client, admin, monitored):
    chart, limits, high_at = monitored
    client.force_login(admin)
    page = client.get(f"/regrind/charts/{chart.pk}/").content.decode()
    # The location chart: the flagged point in red with its rule codes written above it.
    assert 'class="point flagged"' in page and 'data-rules="we1"' in page
    assert '<text class="flag-label"' in page and ">we1</text>" in page
    assert f'data-value="{limits.ucl:.3f}"' in page  # the UCL line
    assert 'class="zone zone-one"' in page and 'class="zone zone-two"' in page
    assert 'data-label="USL" data-value="22"' in page  # the specification, dashed
    assert "limits v1" in page and "No limits are set" not in page
    # The signals the monitoring raised, with an acknowledge form each.
    assert Signal.objects.filter(chart=chart, rule="we1", point_at=high_at).exists()
    assert 'data-rule="we1" data-status="open"' in page
    assert f'action="/regrind/signals/{Signal.objects.get(rule="we1").pk}/"' in page
    # Capability against P20, limit versions explained, the baseline and rule forms.
    assert 'id="cpk"' in page and "\u03c3 overall" in page  # sigma
    assert "How version 1 was obtained" in page and "d2 = 1.128" in page and "Stable" in page
    assert f'action="/regrind/charts/{chart.pk}/baseline/"' in page
    assert 'value="we1" checked' in page and 'value="n3">' in page
    assert "equal neighbours break a trend" in page


def test_a_chart_without_limits_shows_phase_one_limits(client, admin, plant):
    feed(admin, BASELINE)
    chart = chart_create(user=admin, unit=plant.m1, kind="imr")
    client.force_login(admin)
    page = client.get(f"/regrind/charts/{chart.pk}/?last=20").content.decode()
    assert "phase I" in page and "No limits are set" in page
    assert 'data-points="20"' in page
    # A time window: the form keeps it, the chart shows its readings only.
    window = f"?start={START:%Y-%m-%dT%H:%M}&end={(START + 9 * STEP):%Y-%m-%dT%H:%M}"
    assert 'data-points="10"' in client.get(f"/regrind/charts/{chart.pk}/{window}").content.decode()


def test_switching_rules_and_setting_a_baseline(client, admin, plant):
    after = feed(admin, BASELINE)
    chart = chart_create(user=admin, unit=plant.m1, kind="imr")
    client.force_login(admin)
    response = client.post(f"/regrind/charts/{chart.pk}/rules/", {"rules": ["we1", "n3", "d1"]})
    assert response.status_code == 302
    chart.refresh_from_db()
    assert chart.rules == ["we1", "n3", "d1"]
    assert "n3" in str(audit_rows(chart)[-1].changes["rules"][1])
    # Too short a baseline: the page again with the service's message next to the form.
    short = {"start": f"{START:%Y-%m-%dT%H:%M}", "end": f"{(START + 5 * STEP):%Y-%m-%dT%H:%M}"}
    page = client.post(f"/regrind/charts/{chart.pk}/baseline/", short).content.decode()
    assert "at least 20 are needed" in page and not ControlLimits.objects.exists()
    good = {"start": f"{START:%Y-%m-%dT%H:%M}", "end": f"{after:%Y-%m-%dT%H:%M}", "note": "Ok"}
    response = client.post(f"/regrind/charts/{chart.pk}/baseline/", good, follow=True)
    assert "Limits version 1 set from 30 points" in response.content.decode()
    assert ControlChart.objects.get(pk=chart.pk).limits.version == 1


def test_creating_a_chart(client, admin, plant):
    client.force_login(admin)
    form = client.get(f"/regrind/charts/new/?unit={plant.m1.pk}").content.decode()
    assert f'<option value="{plant.m1.pk}" selected>' in form
    response = client.post(
        "/regrind/charts/new/", {"unit": plant.m1.pk, "kind": "xbar_r", "subgroup_size": 4}
    )
    chart = ControlChart.objects.get(unit=plant.m1)
    assert response.status_code == 302 and response.url == f"/regrind/charts/{chart.pk}/"
    assert (chart.kind, chart.subgroup_size) == ("xbar_r", 4)
    again = client.post("/regrind/charts/new/", {"unit": plant.m1.pk, "kind": "xbar_r"})
    assert "The unit has this chart already." in again.content.decode()


# --- dashboards --------------------------------------------------------------------------------


def test_the_plant_dashboard(client, admin, monitored, plant):
    client.force_login(admin)
    page = client.get("/regrind/").content.decode()
    assert 'data-line="L1"' in page and "P20 · 20 % ± 2 (max 25 %)" in page
    assert 'href="/regrind/setup/"' in page and 'href="/regrind/ranking/"' in page
    assert f'href="/regrind/signals/?line={plant.line.pk}&amp;status=open"' in page
    assert 'id="latest-ingests"' in page and "/regrind/ingests/" in page


def test_the_line_dashboard(client, admin, monitored, plant):
    now = timezone.now()
    ShiftAssignment.objects.create(
        line=plant.line, team=plant.red, starts_at=now - HOUR, ends_at=now + HOUR
    )
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    feed(admin, [20.0, 21.0, 23.0], start=max(today, now - 3 * STEP), unit="M2")
    client.force_login(admin)
    page = client.get(f"/regrind/lines/{plant.line.pk}/").content.decode()
    assert 'data-unit="M1"' in page and 'data-unit="M2"' in page
    assert "limits v1" in page and 'data-rules="we1"' in page  # M1's small chart
    assert "No control chart yet." in page  # M2
    assert 'data-rule="we1" data-status="open"' in page  # the open signals
    assert '<span class="figure" id="team-now">Red</span>' in page
    # Today's figures per team: Red's three readings on M2, two within 18-22.
    assert 'data-team="Red"><td>Red</td><td class="rg-num">3</td>' in page
    assert ">67 %<" in page
    assert 'id="new-chart"' in page


# --- signals -----------------------------------------------------------------------------------


def test_the_signal_list_filters_and_acknowledges(client, admin, monitored, plant):
    client.force_login(admin)
    page = client.get("/regrind/signals/?rule=we1").content.decode()
    assert 'data-rule="we1"' in page and 'data-rule="d1"' not in page
    signal = Signal.objects.get(rule="we1")
    url = f"/regrind/signals/{signal.pk}/"
    refused = client.post(url, {"note": " "})
    assert refused.status_code == 200 and "This field is required." in refused.content.decode()
    done = client.post(url, {"note": "Doser screw worn; replaced.", "next": "/regrind/signals/"})
    assert done.status_code == 302 and done.url == "/regrind/signals/"
    signal.refresh_from_db()
    assert signal.status == "acknowledged" and signal.acknowledged_by == admin
    again = client.post(url, {"note": "Again"}).content.decode()
    assert "acknowledged already by" in again
    assert "Doser screw worn" in client.get(url).content.decode()
    assert (
        'data-status="acknowledged"'
        in client.get("/regrind/signals/?status=acknowledged").content.decode()
    )


def test_who_may_see_and_act(client, make_user, monitored, plant):
    chart, _limits, _at = monitored
    signal = Signal.objects.get(rule="we1")
    viewer = make_user("compliance")
    client.force_login(viewer)
    page = client.get(f"/regrind/charts/{chart.pk}/").content.decode()
    assert 'id="baseline"' not in page and 'name="rules"' not in page and "rg-ack" not in page
    assert client.post(f"/regrind/signals/{signal.pk}/", {"note": "x"}).status_code == 404
    assert client.post(f"/regrind/charts/{chart.pk}/rules/", {"rules": []}).status_code == 404
    assert client.get("/regrind/charts/new/").status_code == 404
    client.force_login(make_user("partner", partner=PartnerFactory()))
    for url in (
        "/regrind/",
        f"/regrind/lines/{plant.line.pk}/",
        f"/regrind/charts/{chart.pk}/",
        "/regrind/signals/",
        f"/regrind/signals/{signal.pk}/",
    ):
        assert client.get(url).status_code == 404, url


# --- query counts ------------------------------------------------------------------------------


@pytest.mark.parametrize("extra", [0, 4])
def test_chart_and_signal_pages_query_counts(
    client, admin, monitored, extra, django_assert_num_queries
):
    chart, limits, _at = monitored
    for minute in range(extra):
        signal_of(chart, limits, minute)
    client.force_login(admin)
    for url, queries in (
        (f"/regrind/charts/{chart.pk}/", 12),
        ("/regrind/signals/", 8),
        (f"/regrind/signals/{Signal.objects.first().pk}/", 6),
    ):
        client.get(url)
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200


@pytest.mark.parametrize("units", [0, 3])
def test_dashboard_query_counts(client, admin, monitored, plant, units, django_assert_num_queries):
    for number in range(units):
        unit = DosingUnitFactory(line=plant.line, code=f"X{number}")
        ControlChart.objects.create(unit=unit, kind="imr")
    client.force_login(admin)
    for url, queries in (("/regrind/", 12), (f"/regrind/lines/{plant.line.pk}/", 15)):
        client.get(url)
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200
