"""The regrind API, plant set-up: lines, units, products, runs, shifts, shift assignments and
roster generation; the error shape, who may do what (partner users see nothing, viewers may
not write), and list query counts that do not grow with the rows."""

import datetime
import json

import pytest
from django.test import Client

from partnerdesk.accounts.services import api_token_create
from partnerdesk.regrind.models import (
    DosingUnit,
    ProductionLine,
    ProductRun,
    RegrindProduct,
    ShiftAssignment,
)
from tests.factories import (
    DosingUnitFactory,
    PartnerFactory,
    PersonFactory,
    ProductionLineFactory,
    ProductRunFactory,
    RegrindProductFactory,
    ShiftAssignmentFactory,
    ShiftFactory,
    TeamFactory,
)
from tests.support import assert_error, audit_rows

pytestmark = pytest.mark.django_db

API = "/api/v1/regrind"


@pytest.fixture(autouse=True)
def _company_zone(settings):
    settings.TIME_ZONE = "Asia/Shanghai"


def client_for(user) -> Client:
    _, raw = api_token_create(user=user, name="tests")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def call(client, method: str, url: str, body=None):
    return client.generic(
        method, API + url, json.dumps(body if body is not None else {}), "application/json"
    )


def ok(response, status: int = 200):
    assert response.status_code == status, response.content
    return response.json() if response.content else None


@pytest.fixture
def maker(make_user):
    return client_for(make_user("manufacturing", username="line-lead"))


@pytest.fixture
def viewer(make_user):
    return client_for(make_user("quality", username="viewer"))


@pytest.fixture
def partner(make_user):
    return client_for(make_user("partner", partner=PartnerFactory(), username="cmo"))


PRODUCT = {
    "code": "HSG-20",
    "name": "Housing",
    "target_ratio": "20",
    "tolerance": "2.5",
    "max_ratio": "21",
    "nominal_batch_kg": "5",
    "virgin_price_per_kg": "12.5",
    "regrind_price_per_kg": "4.2",
    "risk_cost_per_kg": 30,
}


# --- lines and units ---------------------------------------------------------------------------


def test_lines_create_list_get_patch(maker):
    manager = PersonFactory(full_name="Mei Lin")
    line = ok(
        call(maker, "POST", "/lines", {"code": "L1", "name": "Line 1", "manager": manager.pk}),
        201,
    )
    assert line["manager_name"] == "Mei Lin" and line["unit_count"] == 0
    assert line["product_now"] is None and line["team_now"] is None
    DosingUnitFactory(line=ProductionLine.objects.get(pk=line["id"]))
    listed = ok(call(maker, "GET", "/lines?q=l1"))
    assert listed["count"] == 1 and listed["items"][0]["unit_count"] == 1
    changed = ok(call(maker, "PATCH", f"/lines/{line['id']}", {"name": "Line one"}))
    assert changed["name"] == "Line one" and changed["manager_id"] == manager.pk
    assert ok(call(maker, "GET", f"/lines/{line['id']}"))["name"] == "Line one"
    assert [r.action for r in audit_rows(ProductionLine.objects.get(pk=line["id"]))] == [
        "create",
        "update",
    ]
    # the code is set once: a PATCH does not take it
    assert ok(call(maker, "PATCH", f"/lines/{line['id']}", {"code": "X"}))["code"] == "L1"


def test_line_errors(maker):
    ProductionLineFactory(code="L1")
    assert_error(call(maker, "POST", "/lines", {"code": "L1", "name": "Again"}), 409, "conflict")
    assert_error(
        call(maker, "POST", "/lines", {"code": "L 2", "name": ""}), 422, "validation_error"
    )
    assert_error(
        call(maker, "POST", "/lines", {"code": "L2", "name": "Two", "manager": 999999}),
        422,
        "validation_error",
        {"manager": ["Unknown person."]},
    )
    assert_error(call(maker, "GET", "/lines/999999"), 404, "not_found")


def test_line_shows_the_product_and_team_of_now(maker):
    line = ProductionLineFactory()
    ProductRunFactory(line=line, product=RegrindProductFactory(code="P-NOW"))
    ShiftAssignmentFactory(line=line, team=TeamFactory(name="Jade"))
    body = ok(call(maker, "GET", f"/lines/{line.pk}"))
    assert (body["product_now"], body["team_now"]) == ("P-NOW", "Jade")


def test_units(maker):
    one, two = ProductionLineFactory(code="L1"), ProductionLineFactory(code="L2")
    unit = ok(call(maker, "POST", "/units", {"line": one.pk, "code": "DOS-01", "name": "A"}), 201)
    assert unit["line_code"] == "L1" and unit["is_active"] is True
    moved = ok(call(maker, "PATCH", f"/units/{unit['id']}", {"line": two.pk, "is_active": False}))
    assert (moved["line_code"], moved["code"], moved["is_active"]) == ("L2", "DOS-01", False)
    assert ok(call(maker, "GET", f"/units?line={two.pk}"))["count"] == 1
    assert ok(call(maker, "GET", f"/units?line={one.pk}"))["count"] == 0
    assert_error(
        call(maker, "POST", "/units", {"line": 999999, "code": "DOS-02", "name": "B"}),
        422,
        "validation_error",
        {"line": ["Unknown line."]},
    )
    assert DosingUnit.objects.count() == 1


# --- products ----------------------------------------------------------------------------------


def test_products_default_currency_and_limits(maker, settings):
    settings.DEFAULT_CURRENCY = "EUR"
    body = ok(call(maker, "POST", "/products", PRODUCT), 201)
    assert body["currency"] == "EUR"
    assert (body["target_ratio"], body["lsl"], body["usl"]) == ("20.00", "17.50", "21.00")
    assert (body["nominal_batch_kg"], body["risk_cost_per_kg"]) == ("5.000", "30.0000")
    changed = ok(call(maker, "PATCH", f"/products/{body['id']}", {"tolerance": "1"}))
    assert (changed["lsl"], changed["usl"]) == ("19.00", "21.00")
    error = assert_error(
        call(maker, "PATCH", f"/products/{body['id']}", {"max_ratio": "10"}),
        422,
        "validation_error",
    )
    assert error["fields"]["max_ratio"] == ["The maximum cannot be below the target."]
    assert_error(
        call(maker, "POST", "/products", {**PRODUCT, "code": "P2", "currency": "XXX"}),
        422,
        "validation_error",
    )
    assert_error(
        call(maker, "POST", "/products", {**PRODUCT, "code": "P3", "target_ratio": "101"}),
        422,
        "validation_error",
    )
    assert RegrindProduct.objects.count() == 1


# --- runs --------------------------------------------------------------------------------------


def test_runs_start_and_close(maker):
    line = ProductionLineFactory(code="L1")
    first, second = RegrindProductFactory(code="A"), RegrindProductFactory(code="B")
    run_a = ok(
        call(
            maker,
            "POST",
            "/runs",
            {"line": line.pk, "product": first.pk, "starts_at": "2026-01-05T06:00:00+08:00"},
        ),
        201,
    )
    assert run_a["running"] is True and run_a["product_code"] == "A"
    ok(
        call(
            maker,
            "POST",
            "/runs",
            {"line": line.pk, "product": second.pk, "starts_at": "2026-01-07T06:00:00+08:00"},
        ),
        201,
    )
    closed = ok(call(maker, "GET", f"/runs/{run_a['id']}"))
    assert closed["running"] is False
    assert datetime.datetime.fromisoformat(closed["ends_at"]) == datetime.datetime(
        2026, 1, 6, 22, tzinfo=datetime.UTC
    )
    running = ok(call(maker, "GET", f"/runs?line={line.pk}&running=true"))
    assert [r["product_code"] for r in running["items"]] == ["B"]
    error = assert_error(
        call(
            maker,
            "POST",
            "/runs",
            {"line": line.pk, "product": second.pk, "starts_at": "2026-01-06T06:00:00+08:00"},
        ),
        422,
        "validation_error",
    )
    assert "a run cannot start inside an earlier run" in error["fields"]["starts_at"][0]
    assert_error(
        call(
            maker,
            "POST",
            "/runs",
            {"line": line.pk, "product": first.pk, "starts_at": "2026-01-09T06:00:00"},
        ),
        422,
        "validation_error",
    )
    assert ProductRun.objects.count() == 2


# --- shifts, assignments, roster ---------------------------------------------------------------


def test_shifts(maker):
    night = ok(
        call(
            maker,
            "POST",
            "/shifts",
            {"code": "N", "name": "Night", "start_time": "22:00", "hours": 8},
        ),
        201,
    )
    assert night["start_time"] == "22:00:00"
    changed = ok(call(maker, "PATCH", f"/shifts/{night['id']}", {"hours": 9}))
    assert changed["hours"] == 9
    assert_error(
        call(
            maker, "POST", "/shifts", {"code": "X", "name": "X", "start_time": "06:00", "hours": 25}
        ),
        422,
        "validation_error",
    )
    assert ok(call(maker, "GET", "/shifts"))["count"] == 1


def test_assignments_overlap_is_refused_with_the_clash(maker):
    line, team, other = ProductionLineFactory(code="L1"), TeamFactory(name="Amber"), TeamFactory()
    night = ShiftFactory(code="N", name="Night", start_time=datetime.time(22), hours=8)
    first = ok(
        call(
            maker,
            "POST",
            "/shift-assignments",
            {"line": line.pk, "team": team.pk, "shift": night.pk, "day": "2026-01-05"},
        ),
        201,
    )
    assert first["shift_code"] == "N" and first["team_name"] == "Amber"
    assert datetime.datetime.fromisoformat(first["ends_at"]) == datetime.datetime(
        2026, 1, 5, 22, tzinfo=datetime.UTC
    )
    error = assert_error(
        call(
            maker,
            "POST",
            "/shift-assignments",
            {
                "line": line.pk,
                "team": other.pk,
                "starts_at": "2026-01-06T05:00:00+08:00",
                "ends_at": "2026-01-06T13:00:00+08:00",
            },
        ),
        409,
        "conflict",
    )
    assert error["message"] == (
        "This overlaps the assignment of Amber, Night shift from 2026-01-05 22:00 to "
        "2026-01-06 06:00 on L1."
    )
    assert error["fields"] == {"starts_at": [error["message"]]}
    assert_error(
        call(maker, "POST", "/shift-assignments", {"line": line.pk, "team": team.pk}),
        422,
        "validation_error",
    )
    listed = ok(call(maker, "GET", f"/shift-assignments?line={line.pk}&starts_from=2026-01-05"))
    assert listed["count"] == 1
    assert ok(call(maker, "DELETE", f"/shift-assignments/{first['id']}"), 204) is None
    assert not ShiftAssignment.objects.exists()


def test_roster_generate(maker):
    line = ProductionLineFactory()
    shifts = [
        ShiftFactory(code="E", name="Early", start_time=datetime.time(6), hours=8),
        ShiftFactory(code="L", name="Late", start_time=datetime.time(14), hours=8),
        ShiftFactory(code="N", name="Night", start_time=datetime.time(22), hours=8),
    ]
    teams = [TeamFactory(name=n) for n in ("Amber", "Birch", "Cedar")]
    body = {
        "teams": [t.pk for t in reversed(teams)],
        "shifts": [s.pk for s in shifts],
        "start": "2026-01-05",
        "end": "2026-01-08",
        "rotation_days": 2,
    }
    assert ok(call(maker, "POST", f"/lines/{line.pk}/roster", body), 201) == {"created": 12}
    rows = ok(call(maker, "GET", f"/shift-assignments?line={line.pk}&page_size=50"))["items"]
    by_day = [[r["team_name"] for r in rows[i : i + 3]] for i in range(0, 12, 3)]
    assert by_day == [
        ["Cedar", "Birch", "Amber"],
        ["Cedar", "Birch", "Amber"],
        ["Amber", "Cedar", "Birch"],
        ["Amber", "Cedar", "Birch"],
    ]
    assert ok(call(maker, "POST", f"/lines/{line.pk}/roster", body), 201) == {"created": 0}
    assert_error(
        call(maker, "POST", f"/lines/{line.pk}/roster", {**body, "teams": [999999]}),
        422,
        "validation_error",
        {"teams": ["Unknown team."]},
    )
    assert_error(
        call(maker, "POST", f"/lines/{line.pk}/roster", {**body, "end": "2026-01-01"}),
        422,
        "validation_error",
    )
    assert_error(call(maker, "POST", "/lines/999999/roster", body), 404, "not_found")


# --- who may do what ---------------------------------------------------------------------------


def test_partner_users_see_nothing_of_the_plant(partner):
    line = ProductionLineFactory()
    unit = DosingUnitFactory(line=line)
    assignment = ShiftAssignmentFactory(line=line)
    for url in ("/lines", "/units", "/products", "/runs", "/shifts", "/shift-assignments"):
        assert ok(call(partner, "GET", url))["count"] == 0, url
    for url in (f"/lines/{line.pk}", f"/units/{unit.pk}", f"/shift-assignments/{assignment.pk}"):
        assert_error(call(partner, "GET", url), 404, "not_found")
    assert_error(call(partner, "PATCH", f"/lines/{line.pk}", {"name": "x"}), 404, "not_found")
    assert_error(call(partner, "POST", "/lines", {"code": "X", "name": "X"}), 403, "forbidden")
    assert_error(call(partner, "DELETE", f"/shift-assignments/{assignment.pk}"), 404, "not_found")


def test_viewers_read_but_may_not_write(viewer):
    line = ProductionLineFactory()
    product = RegrindProductFactory()
    team = TeamFactory()
    assignment = ShiftAssignmentFactory(line=line)
    assert ok(call(viewer, "GET", f"/lines/{line.pk}"))["id"] == line.pk
    assert_error(call(viewer, "PATCH", f"/lines/{line.pk}", {"name": "x"}), 404, "not_found")
    assert_error(call(viewer, "POST", "/products", PRODUCT), 403, "forbidden")
    assert_error(
        call(
            viewer,
            "POST",
            "/runs",
            {"line": line.pk, "product": product.pk, "starts_at": "2026-01-05T06:00:00+08:00"},
        ),
        403,
        "forbidden",
    )
    assert_error(
        call(
            viewer,
            "POST",
            f"/lines/{line.pk}/roster",
            {
                "teams": [team.pk],
                "shifts": [ShiftFactory().pk],
                "start": "2026-01-05",
                "end": "2026-01-05",
            },
        ),
        403,
        "forbidden",
    )
    assert_error(call(viewer, "DELETE", f"/shift-assignments/{assignment.pk}"), 404, "not_found")
    assert ShiftAssignment.objects.count() == 1


def test_unauthenticated_is_401():
    assert_error(Client().get(f"{API}/lines"), 401, "unauthenticated")


# --- list query counts -------------------------------------------------------------------------


def _seed(kind: str, n: int) -> str:
    for _ in range(n):
        if kind == "lines":
            line = ProductionLineFactory(manager=PersonFactory())
            DosingUnitFactory(line=line)
            ProductRunFactory(line=line)
            ShiftAssignmentFactory(line=line)
        elif kind == "units":
            DosingUnitFactory()
        elif kind == "products":
            RegrindProductFactory()
        elif kind == "runs":
            ProductRunFactory()
        elif kind == "shifts":
            ShiftFactory()
        elif kind == "shift-assignments":
            ShiftAssignmentFactory(shift=ShiftFactory())
    return f"/{kind}"


@pytest.mark.parametrize(
    ("kind", "queries"),
    [
        ("lines", 5),
        ("units", 5),
        ("products", 5),
        ("runs", 5),
        ("shifts", 5),
        ("shift-assignments", 5),
    ],
)
def test_api_list_query_count_is_constant(maker, django_assert_num_queries, kind, queries):
    url = _seed(kind, 3)
    call(maker, "GET", url)
    with django_assert_num_queries(queries):
        assert ok(call(maker, "GET", url))["count"] == 3
    _seed(kind, 12)
    with django_assert_num_queries(queries):
        assert ok(call(maker, "GET", url))["count"] == 15
