"""Acknowledging a signal: who may, the note it needs, the audit row, and a second
acknowledgement refused with the name of the first."""

import pytest

from partnerdesk.core.errors import Conflict, Forbidden, InvalidInput
from partnerdesk.regrind.models import ControlChart, ControlLimits, Signal
from partnerdesk.regrind.services.signals import signal_acknowledge
from tests.regrind.conftest import DAY, local
from tests.support import audit_rows


@pytest.fixture
def signal(plant):
    chart = ControlChart.objects.create(unit=plant.m1, kind="imr")
    limits = ControlLimits.objects.create(
        chart=chart,
        version=1,
        baseline_start=local(DAY, 6),
        baseline_end=local(DAY, 8),
        points=60,
        readings=60,
        center=20.0,
        ucl=21.0,
        lcl=19.0,
        sigma=1 / 3,
        dispersion_center=0.4,
        dispersion_ucl=1.3,
        dispersion_lcl=0.0,
    )
    return Signal.objects.create(
        chart=chart,
        limits=limits,
        rule="we1",
        point_at=local(DAY, 9),
        first_at=local(DAY, 9),
        value=21.4,
        line=plant.line,
        team=plant.red,
    )


def test_acknowledging_records_who_when_and_why(signal, make_user):
    user = make_user("quality", first_name="Quinn", last_name="Engineer")
    done = signal_acknowledge(user=user, signal=signal, note="  Hopper sensor dirty; cleaned.  ")
    signal.refresh_from_db()
    assert done == 1
    assert signal.status == "acknowledged"
    assert signal.acknowledged_by == user and signal.acknowledged_at is not None
    assert signal.note == "Hopper sensor dirty; cleaned."
    rows = audit_rows(signal)
    assert len(rows) == 1 and rows[0].action == "update"
    assert rows[0].changes["status"] == ["open", "acknowledged"]


def test_a_note_is_required(signal, make_user):
    user = make_user("manufacturing")
    with pytest.raises(InvalidInput) as caught:
        signal_acknowledge(user=user, signal=signal, note="   ")
    assert "note" in caught.value.fields
    signal.refresh_from_db()
    assert signal.status == "open" and audit_rows(signal) == []


def test_acknowledging_twice_is_refused_naming_the_first(signal, make_user):
    first = make_user("quality", first_name="Quinn", last_name="Engineer")
    signal_acknowledge(user=first, signal=signal, note="Cleaned the sensor.")
    with pytest.raises(Conflict) as caught:
        signal_acknowledge(user=make_user("manufacturing"), signal=signal, note="Again.")
    assert "Quinn Engineer" in caught.value.message
    signal.refresh_from_db()
    assert signal.note == "Cleaned the sensor." and signal.acknowledged_by == first


@pytest.mark.parametrize("role", ["compliance", "finance", "machine"])
def test_roles_without_the_permission_may_not(signal, make_user, role):
    with pytest.raises(Forbidden):
        signal_acknowledge(user=make_user(role), signal=signal, note="Seen.")


def test_one_note_can_cover_the_earlier_open_signals_of_a_run(signal, make_user):
    from django.utils import timezone

    earlier = [
        Signal.objects.create(
            chart=signal.chart,
            limits=signal.limits,
            rule=signal.rule,
            point_at=signal.point_at - timezone.timedelta(minutes=10 * k),
            first_at=signal.point_at - timezone.timedelta(minutes=10 * k),
            value=21.0,
            line=signal.line,
        )
        for k in (1, 2)
    ]
    other_rule = Signal.objects.create(
        chart=signal.chart,
        limits=signal.limits,
        rule="we2",
        point_at=signal.point_at - timezone.timedelta(minutes=5),
        first_at=signal.point_at - timezone.timedelta(minutes=5),
        value=21.0,
        line=signal.line,
    )
    user = make_user("manufacturing")
    assert (
        signal_acknowledge(user=user, signal=signal, note="Drift: recalibrated.", with_earlier=True)
        == 3
    )
    for row in earlier:
        row.refresh_from_db()
        assert row.status == "acknowledged" and row.note == "Drift: recalibrated."
        assert len(audit_rows(row)) == 1
    other_rule.refresh_from_db()
    assert other_rule.status == "open"
