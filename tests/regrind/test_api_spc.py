"""The regrind API, SPC side: a machine's post (a bad row answered with its row number and
reason, a resend answered as duplicates, all or nothing), CSV files, ingests, charts with
their baseline and analysed window, signals and their acknowledgement, rankings; who may;
the error shape; a pinned query count."""

import datetime
import json

import pytest
from django.test import Client

from partnerdesk.accounts.services import api_token_create
from partnerdesk.regrind.models import ControlChart, Reading, Signal
from partnerdesk.regrind.services.monitoring import monitor_charts
from tests.factories import PartnerFactory
from tests.regrind.conftest import DAY, local
from tests.support import assert_error, upload

API = "/api/v1/regrind"
START = local(DAY, 6)
STEP = datetime.timedelta(minutes=2)
BASELINE = [20.0, 20.3, 19.8, 20.1, 19.9, 20.2, 19.7, 20.0, 20.4, 19.9] * 3


def client_for(user) -> Client:
    _, raw = api_token_create(user=user, name="tests")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def call(client, method: str, url: str, body=None):
    return client.generic(method, API + url, json.dumps(body or {}), "application/json")


def ok(response, status: int = 200):
    assert response.status_code == status, response.content
    return response.json()


def readings(values, start=START, unit="M1"):
    return [
        {"machine": unit, "timestamp": (start + k * STEP).isoformat(), "ratio": v}
        for k, v in enumerate(values)
    ]


@pytest.fixture
def machine(make_user):
    return client_for(make_user("machine", username="doser-m1"))


@pytest.fixture
def admin(make_user):
    return client_for(make_user("administrator", username="api-admin"))


def test_a_machine_post_answers_each_bad_row_and_a_resend_as_duplicates(plant, machine):
    rows = readings([20.0, 21.0]) + [
        {"machine": "M1", "timestamp": "2026-03-02 09:00", "ratio": 130},
        {"machine": "M9", "timestamp": "2026-03-02 09:01", "regrind_kg": 1, "virgin_kg": 4},
    ]
    body = ok(call(machine, "POST", "/readings", {"readings": rows}))
    assert (body["status"], body["rows"], body["stored"], body["refused"]) == ("done", 4, 2, 2)
    first, second = body["rejections"]
    assert first["row"] == 3 and '"ratio":130' in first["raw"]
    assert first["errors"] == [
        {
            "field": "ratio",
            "code": "ratio_range",
            "message": "A ratio lies between 0 and 100 % (got 130).",
        }
    ]
    assert second["row"] == 4 and second["errors"][0]["message"] == "Unknown machine id “M9”."
    again = ok(call(machine, "POST", "/readings", {"readings": rows[:2]}))
    assert (again["stored"], again["duplicates"], again["refused"]) == (0, 2, 0)
    assert Reading.objects.count() == 2
    # The machine reads its ingests, and nothing else of the module.
    detail = ok(machine.get(f"{API}/ingests/{body['ingest']}"))
    assert detail["refused"] == 2 and [r["row"] for r in detail["rejections"]] == [3, 4]
    assert ok(machine.get(f"{API}/charts"))["count"] == 0
    assert_error(machine.get(f"{API}/rankings/1"), 404, "not_found")


def test_all_or_nothing_and_unusable_requests(plant, machine):
    rows = readings([20.0]) + [{"machine": "M1", "timestamp": "soon", "ratio": 20}]
    body = ok(call(machine, "POST", "/readings", {"readings": rows, "strict": True}))
    assert (body["status"], body["stored"], body["refused"]) == ("refused", 0, 1)
    assert body["rejections"][0]["errors"][0]["code"] == "not_a_time"
    assert Reading.objects.count() == 0
    assert_error(call(machine, "POST", "/readings", {"readings": []}), 422, "validation_error")
    assert_error(call(machine, "POST", "/readings", {"rows": rows}), 422, "validation_error")
    nested = {"readings": [{"machine": {"id": 1}}]}
    assert_error(call(machine, "POST", "/readings", nested), 422, "validation_error")


def test_a_csv_file_checked_then_stored(plant, admin):
    text = "machine,timestamp,ratio\nM1,2026-03-02 08:00,20\nM1,2026-03-02 08:01,x\n"
    checked = ok(
        admin.post(
            f"{API}/readings/csv",
            {"file": upload("d.csv", text.encode(), "text/csv"), "check_only": "true"},
        )
    )
    assert (checked["status"], checked["stored"], checked["refused"]) == ("checked", 1, 1)
    assert Reading.objects.count() == 0
    stored = ok(admin.post(f"{API}/readings/csv", {"file": upload("d.csv", text.encode())}))
    assert (stored["status"], stored["stored"]) == ("done", 1)
    bad = admin.post(f"{API}/readings/csv", {"file": upload("d.csv", b"a,b\n1,2\n")})
    assert "machine" in assert_error(bad, 422, "validation_error")["fields"]["file"][0]
    listed = ok(admin.get(f"{API}/ingests?status=checked"))
    assert [i["id"] for i in listed["items"]] == [checked["ingest"]]


def test_charts_baseline_points_and_signals(plant, admin):
    ok(call(admin, "POST", "/readings", {"readings": readings(BASELINE)}))
    chart = ok(call(admin, "POST", "/charts", {"unit": plant.m1.pk, "kind": "imr"}), 201)
    assert chart["unit_code"] == "M1" and chart["limits"] is None and chart["limit_versions"] == []
    again = call(admin, "POST", "/charts", {"unit": plant.m1.pk, "kind": "imr"})
    assert_error(again, 422, "validation_error")
    unknown = call(admin, "POST", "/charts", {"unit": 999999, "kind": "imr"})
    assert assert_error(unknown, 422, "validation_error")["fields"] == {
        "unit": ["Unknown dosing unit."]
    }
    # No limits yet: phase-I limits of the window.
    points = ok(admin.get(f"{API}/charts/{chart['id']}/points?last=10"))
    assert points["points"] == 10 and points["limits"]["phase_one"] is True
    end = START + 29 * STEP
    limits = ok(
        call(
            admin,
            "POST",
            f"/charts/{chart['id']}/baseline",
            {"start": START.isoformat(), "end": end.isoformat(), "note": "stable"},
        ),
        201,
    )
    assert limits["version"] == 1 and limits["points"] == 30
    high = round(limits["ucl"] + 0.5, 3)
    ok(call(admin, "POST", "/readings", {"readings": readings([20.0, high], start=end + STEP)}))
    monitor_charts(unit_ids=[plant.m1.pk])
    window = ok(admin.get(f"{API}/charts/{chart['id']}/points?last=5"))
    assert window["limits"]["version"] == 1 and window["limits"]["phase_one"] is False
    flagged = [p for p in window["items"] if "we1" in p["rules"]]
    assert len(flagged) == 1 and flagged[0]["value"] == high
    assert datetime.datetime.fromisoformat(flagged[0]["at"]) == end + 2 * STEP
    assert window["capability"]["n"] == 5 and window["product"]["usl"] == 22.0
    timed = admin.get(
        f"{API}/charts/{chart['id']}/points",
        {"start": START.isoformat(), "end": (START + 9 * STEP).isoformat()},
    )
    assert ok(timed)["points"] == 10
    patched = ok(call(admin, "PATCH", f"/charts/{chart['id']}", {"rules": ["we1", "n3"]}))
    assert patched["rules"] == ["we1", "n3"] and patched["limit_versions"][0]["version"] == 1
    # Signals: listed by rule, acknowledged once.
    listed = ok(admin.get(f"{API}/signals?rule=we1"))
    assert listed["count"] == 1 and listed["items"][0]["unit_code"] == "M1"
    signal_id = listed["items"][0]["id"]
    assert listed["items"][0]["rule_label"].startswith("WE 1")
    done = ok(call(admin, "POST", f"/signals/{signal_id}/acknowledge", {"note": "Dirty sensor"}))
    assert done["status"] == "acknowledged" and done["note"] == "Dirty sensor"
    twice = call(admin, "POST", f"/signals/{signal_id}/acknowledge", {"note": "Again"})
    assert "acknowledged already" in assert_error(twice, 409, "conflict")["message"]


def test_rankings(plant, admin, make_user):
    ok(call(admin, "POST", "/readings", {"readings": readings([20, 21, 23, 19], local(DAY, 8))}))
    computed = ok(call(admin, "POST", "/rankings", {"month": "2026-03", "min_readings": 1}), 201)
    assert computed["revision"] == 1 and computed["teams"][0]["team_name"] == "Red"
    assert computed["teams"][0]["share_within"] == 0.75
    assert computed["teams"][0]["inputs"][0]["product"] == "P20"
    listed = ok(admin.get(f"{API}/rankings?month=2026-03"))
    assert [r["id"] for r in listed["items"]] == [computed["id"]]
    assert ok(admin.get(f"{API}/rankings?month=2026-02"))["count"] == 0
    bad = admin.get(f"{API}/rankings?month=2026-3")
    assert_error(bad, 422, "validation_error")
    manufacturing = client_for(make_user("manufacturing"))
    refused = call(manufacturing, "POST", f"/rankings/{computed['id']}/finalize")
    assert_error(refused, 403, "forbidden")
    final = ok(call(admin, "POST", f"/rankings/{computed['id']}/finalize"))
    assert final["is_final"] is True
    again = call(admin, "POST", "/rankings", {"month": "2026-03"})
    assert_error(again, 422, "validation_error")


def test_partner_users_see_nothing(plant, admin, make_user):
    ok(call(admin, "POST", "/readings", {"readings": readings(BASELINE)}))
    chart = ok(call(admin, "POST", "/charts", {"unit": plant.m1.pk, "kind": "imr"}), 201)
    partner = client_for(make_user("partner", partner=PartnerFactory()))
    for url in ("/ingests", "/charts", "/signals", "/rankings"):
        assert ok(partner.get(API + url))["count"] == 0, url
    assert_error(partner.get(f"{API}/charts/{chart['id']}"), 404, "not_found")
    assert_error(partner.get(f"{API}/charts/{chart['id']}/points"), 404, "not_found")
    posted = call(partner, "POST", "/readings", {"readings": readings([20.0])})
    assert_error(posted, 403, "forbidden")
    assert ControlChart.objects.count() == 1


@pytest.mark.parametrize("count", [1, 6])
def test_signal_list_query_count(plant, admin, count, django_assert_num_queries, make_user):
    from partnerdesk.regrind.models import ControlLimits

    chart = ControlChart.objects.create(unit=plant.m1, kind="imr")
    limits = ControlLimits.objects.create(
        chart=chart,
        version=1,
        baseline_start=START,
        baseline_end=START + STEP,
        points=30,
        readings=30,
        center=20,
        ucl=21,
        lcl=19,
        sigma=0.3,
        dispersion_center=0.4,
        dispersion_ucl=1.2,
        dispersion_lcl=0,
    )
    for k in range(count):
        Signal.objects.create(
            chart=chart,
            limits=limits,
            rule="we1",
            point_at=START + k * STEP,
            first_at=START + k * STEP,
            value=21.5,
            line=plant.line,
            team=plant.red,
        )
    admin.get(f"{API}/signals")
    with django_assert_num_queries(5):
        assert ok(admin.get(f"{API}/signals"))["count"] == count
