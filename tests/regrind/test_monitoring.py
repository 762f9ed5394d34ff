"""Control charts end to end: a baseline sets limits, new readings are checked, a shift in
the process raises the expected signals and alerts the team lead on shift, once."""

import datetime
import io
import random

import pytest

from partnerdesk.core.errors import InvalidInput
from partnerdesk.notifications.models import Notification
from partnerdesk.regrind.models import Signal
from partnerdesk.regrind.services.charts import chart_create, chart_set_baseline, chart_update
from partnerdesk.regrind.services.ingest import readings_ingest_csv
from partnerdesk.regrind.services.monitoring import monitor_charts
from tests.regrind.conftest import DAY, local

START = local(DAY, 6)


def feed(user, values, start, step=datetime.timedelta(minutes=2)):
    text = "machine,timestamp,ratio\n" + "".join(
        f"M1,{(start + k * step).isoformat()},{v}\n" for k, v in enumerate(values)
    )
    readings_ingest_csv(user=user, stream=io.BytesIO(text.encode()), now=local(DAY, 23, 59))
    return start + len(values) * step


@pytest.fixture
def lead(plant, make_user):
    from partnerdesk.organisation.models import Person

    user = make_user("manufacturing", username="red-lead")
    plant.red.lead = Person.objects.create(
        full_name="Red Lead", user=user, department=plant.red.department
    )
    plant.red.save()
    return user


def test_a_shift_raises_signals_and_one_alert(plant, make_user, lead):
    user = make_user("administrator")
    rng = random.Random(5)
    baseline = [round(20 + rng.gauss(0, 0.3), 3) for _ in range(60)]
    after = feed(user, baseline, START)
    chart = chart_create(user=user, unit=plant.m1, kind="imr")
    limits = chart_set_baseline(user=user, chart=chart, start=START, end=after)
    assert limits.version == 1 and limits.readings == 60
    assert limits.center == pytest.approx(sum(baseline) / 60)
    mr = [abs(a - b) for a, b in zip(baseline[1:], baseline, strict=False)]
    assert limits.ucl == pytest.approx(limits.center + 3 * (sum(mr) / 59) / 1.128)
    assert limits.explanation["product"]["code"] == "P20"
    # The process shifts up by 1.5 sigma-ish: eight points on one side and a point beyond UCL.
    shifted = [round(limits.center + 0.5, 3)] * 7 + [round(limits.ucl + 0.2, 3)]
    feed(user, shifted, after)
    raised = monitor_charts(unit_ids=[plant.m1.pk])
    rules = sorted(Signal.objects.values_list("rule", flat=True))
    assert "we1" in rules and "we4" in rules
    assert raised == len(rules)
    top = Signal.objects.get(rule="we1")
    assert top.point_at == after + 7 * datetime.timedelta(minutes=2)
    assert top.team == plant.red and top.line == plant.line
    notes = Notification.objects.filter(recipient=lead, kind="regrind_signal")
    assert notes.count() == len(set(rules))
    # Checking again raises nothing twice.
    assert monitor_charts(unit_ids=[plant.m1.pk]) == 0
    assert Signal.objects.count() == len(rules)


def test_rules_switched_off_stay_quiet_and_baseline_needs_points(plant, make_user):
    user = make_user("administrator")
    after = feed(user, [20, 20.2, 19.8, 20.1] * 10, START)
    chart = chart_create(user=user, unit=plant.m1, kind="xbar_r", subgroup_size=4)
    with pytest.raises(InvalidInput):
        chart_set_baseline(user=user, chart=chart, start=START, end=after)  # 10 subgroups
    more = feed(user, [20, 20.2, 19.8, 20.1] * 10, after)
    chart_set_baseline(user=user, chart=chart, start=START, end=more)
    chart_update(user=user, chart=chart, rules=["we4"])
    feed(user, [25, 25, 25, 25], more)  # one subgroup far above the limit
    assert monitor_charts() == 0
    with pytest.raises(InvalidInput):
        chart_update(user=user, chart=chart, rules=["xx"])
