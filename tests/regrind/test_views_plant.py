"""Plant set-up pages: the set-up index, lines (with what runs and who is on shift now),
dosing units, products (with LSL/USL), product runs with the start form, shifts, the roster
grid with its generate, add and delete forms; who sees what (404 otherwise), CSRF, HTMX
partials and pinned query counts."""

import datetime
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from partnerdesk.regrind.models import (
    DosingUnit,
    ProductionLine,
    ProductRun,
    RegrindProduct,
    Shift,
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
from tests.support import audit_rows

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = datetime.date(2026, 1, 5)


def at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture(autouse=True)
def _company_zone(settings):
    settings.TIME_ZONE = "Asia/Shanghai"


@pytest.fixture
def maker(make_user):
    return make_user("manufacturing", username="line-lead")


@pytest.fixture
def maker_client(client, maker):
    client.force_login(maker)
    return client


@pytest.fixture
def viewer_client(make_user):
    client = Client()
    client.force_login(make_user("quality", username="viewer"))
    return client


# --- the set-up index and who may open what ----------------------------------------------------


def test_setup_index_links_every_page(maker_client):
    body = text(maker_client.get("/regrind/setup/"))
    for url in ("lines", "units", "products", "runs", "shifts", "roster"):
        assert f'href="/regrind/{url}/"' in body


PAGES = [
    "/regrind/setup/",
    "/regrind/lines/",
    "/regrind/units/",
    "/regrind/products/",
    "/regrind/runs/",
    "/regrind/shifts/",
    "/regrind/roster/",
]
FORMS = ["/regrind/lines/new/", "/regrind/units/new/", "/regrind/products/new/"]


def test_partner_users_find_nothing(client, make_user):
    client.force_login(make_user("partner", partner=PartnerFactory()))
    for url in PAGES + FORMS:
        assert client.get(url).status_code == 404, url


def test_viewers_see_the_lists_but_no_forms(viewer_client):
    for url in PAGES:
        response = viewer_client.get(url)
        assert response.status_code == 200, url
        assert 'class="form card"' not in response.content.decode(), url
    for url in [*FORMS, "/regrind/shifts/new/"]:
        assert viewer_client.get(url).status_code == 404, url
    line = ProductionLineFactory()
    assert viewer_client.get(f"/regrind/lines/{line.pk}/edit/").status_code == 404
    assert viewer_client.post(f"/regrind/roster/{line.pk}/generate/").status_code == 404
    product = RegrindProductFactory()
    data = {"line": line.pk, "product": product.pk, "starts_at": "2026-01-06T14:00"}
    assert viewer_client.post("/regrind/runs/", data).status_code == 404
    assert not ProductRun.objects.exists()


def test_posts_need_the_csrf_token(maker):
    client = Client(enforce_csrf_checks=True)
    client.force_login(maker)
    response = client.post("/regrind/lines/new/", {"code": "L1", "name": "Line 1"})
    assert response.status_code == 403
    assert not ProductionLine.objects.exists()


# --- lines -------------------------------------------------------------------------------------


def test_line_list_shows_what_runs_and_who_is_on_shift_now(maker_client):
    line = ProductionLineFactory(code="L1", manager=PersonFactory(full_name="Mei Lin"))
    DosingUnitFactory.create_batch(3, line=line)
    now = timezone.now()
    ProductRunFactory(
        line=line,
        product=RegrindProductFactory(code="HSG-20"),
        starts_at=now - datetime.timedelta(hours=30),
    )
    ShiftAssignmentFactory(
        line=line,
        team=TeamFactory(name="Team Jade"),
        starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(hours=7),
    )
    ShiftAssignmentFactory(
        line=line,
        team=TeamFactory(name="Team Past"),
        starts_at=now - datetime.timedelta(hours=9),
        ends_at=now - datetime.timedelta(hours=1),
    )
    ProductionLineFactory(code="L2", is_active=False)
    body = text(maker_client.get("/regrind/lines/"))
    row = body[body.index(">L1<") : body.index(">L2<")]
    assert "Mei Lin" in row and ">3<" in row and "HSG-20" in row and "Team Jade" in row
    assert "Team Past" not in body
    # the code links to the line (its dashboard, or its edit page until that exists)
    assert f"/regrind/lines/{line.pk}/" in row
    only_active = text(maker_client.get("/regrind/lines/?is_active=true"))
    assert ">L1<" in only_active and ">L2<" not in only_active


def test_list_search_and_htmx_partial(maker_client):
    ProductionLineFactory(code="ALPHA")
    ProductionLineFactory(code="BETA")
    response = maker_client.get(
        "/regrind/lines/?q=alp", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="list-results"
    )
    body = text(response)
    assert "ALPHA" in body and "BETA" not in body
    assert "<html" not in body  # only the table


def test_line_create_and_edit(maker_client):
    manager = PersonFactory(full_name="Wang Fang")
    response = maker_client.post(
        "/regrind/lines/new/", {"code": "L5", "name": "Line five", "manager": manager.pk}
    )
    assert response.status_code == 302
    line = ProductionLine.objects.get(code="L5")
    assert line.manager == manager and line.is_active is False  # unchecked box
    response = maker_client.post(
        f"/regrind/lines/{line.pk}/edit/", {"name": "Line 5", "is_active": "on"}
    )
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.name, line.is_active, line.manager) == ("Line 5", True, None)
    assert [r.action for r in audit_rows(line)] == ["create", "update"]
    again = maker_client.post("/regrind/lines/new/", {"code": "L5", "name": "Twice"})
    assert again.status_code == 200
    assert "already exists" in text(again)


# --- units and products ------------------------------------------------------------------------


def test_units_filter_by_line_and_create(maker_client):
    one, two = ProductionLineFactory(code="L1"), ProductionLineFactory(code="L2")
    DosingUnitFactory(line=one, code="DOS-A")
    DosingUnitFactory(line=two, code="DOS-B")
    body = text(maker_client.get(f"/regrind/units/?line={one.pk}"))
    assert "DOS-A" in body and "DOS-B" not in body
    response = maker_client.post(
        "/regrind/units/new/",
        {"line": two.pk, "code": "DOS-C", "name": "Hopper", "is_active": "on"},
    )
    assert response.status_code == 302
    unit = DosingUnit.objects.get(code="DOS-C")
    assert unit.line == two and unit.is_active
    response = maker_client.post(
        f"/regrind/units/{unit.pk}/edit/", {"line": one.pk, "name": "Hopper 2"}
    )
    assert response.status_code == 302
    unit.refresh_from_db()
    assert (unit.line, unit.code, unit.is_active) == (one, "DOS-C", False)


def test_products_show_the_specification_limits(maker_client):
    RegrindProductFactory(
        code="HSG-20",
        target_ratio=Decimal("20"),
        tolerance=Decimal("2.5"),
        max_ratio=Decimal("21"),
    )
    body = text(maker_client.get("/regrind/products/"))
    assert "<td>17.50</td> <td>21.00</td>" in body  # LSL, USL capped by the maximum


def test_product_form_defaults_to_the_company_currency(maker_client, settings):
    settings.DEFAULT_CURRENCY = "EUR"
    body = text(maker_client.get("/regrind/products/new/"))
    assert '<option value="EUR" selected>' in body
    data = {
        "code": "P1",
        "name": "Cover",
        "target_ratio": "15",
        "tolerance": "2",
        "max_ratio": "12",
        "nominal_batch_kg": "5",
        "currency": "EUR",
        "virgin_price_per_kg": "10",
        "regrind_price_per_kg": "3",
        "risk_cost_per_kg": "20",
    }
    refused = maker_client.post("/regrind/products/new/", data)
    assert "The maximum cannot be below the target." in text(refused)
    assert (
        maker_client.post("/regrind/products/new/", {**data, "max_ratio": "18"}).status_code == 302
    )
    assert RegrindProduct.objects.get(code="P1").currency == "EUR"


# --- product runs ------------------------------------------------------------------------------


def test_starting_a_run_closes_the_open_one(maker_client):
    line = ProductionLineFactory(code="L1")
    old = ProductRunFactory(
        line=line, product=RegrindProductFactory(code="OLD"), starts_at=at(MONDAY, 6)
    )
    new_product = RegrindProductFactory(code="NEW")
    response = maker_client.post(
        "/regrind/runs/",
        {"line": line.pk, "product": new_product.pk, "starts_at": "2026-01-06T14:00"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/regrind/runs/?line={line.pk}"
    old.refresh_from_db()
    assert old.ends_at == at(MONDAY + datetime.timedelta(days=1), 14)
    body = text(maker_client.get(f"/regrind/runs/?line={line.pk}&running=true"))
    table = body[body.index('id="list-results"') :]
    assert "NEW" in table and "OLD" not in table
    refused = maker_client.post(
        "/regrind/runs/",
        {"line": line.pk, "product": new_product.pk, "starts_at": "2026-01-05T20:00"},
    )
    assert refused.status_code == 200
    assert "a run cannot start inside an earlier run" in text(refused)
    assert ProductRun.objects.count() == 2


# --- shifts and the roster ---------------------------------------------------------------------


def test_shifts_list_and_create(maker_client):
    ShiftFactory(code="N", name="Night", start_time=datetime.time(22), hours=8)
    body = text(maker_client.get("/regrind/shifts/"))
    assert "06:00" in body and "(next day)" in body
    response = maker_client.post(
        "/regrind/shifts/new/", {"code": "E", "name": "Early", "start_time": "06:00", "hours": "8"}
    )
    assert response.status_code == 302
    shift = Shift.objects.get(code="E")
    assert (shift.start_time, shift.hours) == (datetime.time(6), 8)


@pytest.fixture
def roster_setup():
    line = ProductionLineFactory(code="L1")
    shifts = [
        ShiftFactory(code="E", name="Early", start_time=datetime.time(6), hours=8),
        ShiftFactory(code="L", name="Late", start_time=datetime.time(14), hours=8),
        ShiftFactory(code="N", name="Night", start_time=datetime.time(22), hours=8),
    ]
    teams = [TeamFactory(name=name) for name in ("Amber", "Birch", "Cedar")]
    return line, shifts, teams


def _generate(client, line, shifts, teams, **extra):
    data = {
        "roster-team_1": teams[0].pk,
        "roster-team_2": teams[1].pk,
        "roster-team_3": teams[2].pk,
        "roster-shifts": [s.pk for s in shifts],
        "roster-start": "2026-01-05",
        "roster-end": "2026-01-11",
        "roster-rotation_days": "7",
        **extra,
    }
    return client.post(f"/regrind/roster/{line.pk}/generate/", data)


def test_roster_generate_and_grid(maker_client, roster_setup):
    line, shifts, teams = roster_setup
    response = _generate(maker_client, line, shifts, teams)
    assert response.status_code == 302
    assert response["Location"] == f"/regrind/roster/?line={line.pk}&week=2026-01-05"
    assert ShiftAssignment.objects.filter(line=line).count() == 21
    page = maker_client.get(response["Location"])
    body = text(page)
    assert "21 assignments written." in body
    sunday = body[body.index("Sun 2026-01-11") :]
    cells = re.findall(r'<span class="tag">(\w+)</span>', sunday)
    assert cells[:3] == ["Amber", "Birch", "Cedar"]  # early, late, night
    # the second week with a 3-day rotation starting on Thursday 15 January
    response = _generate(
        maker_client,
        line,
        shifts,
        teams,
        **{"roster-start": "2026-01-12", "roster-end": "2026-01-18", "roster-rotation_days": "3"},
    )
    body = text(maker_client.get(response["Location"]))
    thursday = body[body.index("Thu 2026-01-15") : body.index("Fri 2026-01-16")]
    assert re.findall(r'<span class="tag">(\w+)</span>', thursday) == ["Cedar", "Amber", "Birch"]


def test_roster_errors_are_shown_on_the_form(maker_client, roster_setup):
    line, shifts, teams = roster_setup
    response = _generate(
        maker_client, line, shifts, teams, **{"roster-team_2": "", "roster-team_3": ""}
    )
    assert response.status_code == 200
    assert "Give at least as many teams as shifts" in text(response)
    assert not ShiftAssignment.objects.exists()


def test_add_and_delete_one_assignment(maker_client, roster_setup):
    line, shifts, teams = roster_setup
    ShiftAssignmentFactory(
        line=line, team=teams[0], starts_at=at(MONDAY, 20), ends_at=at(MONDAY, 23)
    )
    url = f"/regrind/roster/{line.pk}/assignments/new/"
    data = {"add-team": teams[1].pk, "add-shift": shifts[2].pk, "add-day": "2026-01-05"}
    refused = maker_client.post(url, data)
    assert refused.status_code == 200
    assert (
        "This overlaps the assignment of Amber from 2026-01-05 20:00 to 2026-01-05 23:00 on L1."
        in text(refused)
    )
    response = maker_client.post(url, {**data, "add-day": "2026-01-06"})
    assert response.status_code == 302
    added = ShiftAssignment.objects.get(team=teams[1])
    assert (added.starts_at, added.ends_at) == (
        at(MONDAY.replace(day=6), 22),
        at(MONDAY.replace(day=7), 6),
    )
    response = maker_client.post(f"/regrind/assignments/{added.pk}/delete/")
    assert response.status_code == 302
    assert not ShiftAssignment.objects.filter(pk=added.pk).exists()


def test_roster_of_a_line_without_assignments(maker_client):
    assert "There is no production line yet." in text(maker_client.get("/regrind/roster/"))
    ProductionLineFactory(code="L9")
    body = text(maker_client.get("/regrind/roster/?week=not-a-date"))
    assert "Roster of L9" in body


# --- query counts: the same with 3 rows as with 30 --------------------------------------------


def seed_lines(n):
    now = timezone.now()
    product = RegrindProductFactory()
    for _ in range(n):
        line = ProductionLineFactory(manager=PersonFactory())
        DosingUnitFactory(line=line)
        ProductRunFactory(line=line, product=product, starts_at=now - datetime.timedelta(hours=2))
        ShiftAssignmentFactory(line=line, starts_at=now - datetime.timedelta(hours=1))
    return "/regrind/lines/"


def seed_runs(n):
    for offset in range(n):
        ProductRunFactory(starts_at=at(MONDAY, 0) + datetime.timedelta(hours=offset))
    return "/regrind/runs/"


def seed_roster(n):
    line = ProductionLineFactory(code="A0")
    shifts = [ShiftFactory(start_time=datetime.time(h), hours=1) for h in (6, 14, 22)]
    for offset in range(n):
        ShiftAssignmentFactory(
            line=line,
            shift=shifts[offset % 3],
            starts_at=at(MONDAY, 0) + datetime.timedelta(hours=offset * 5),
            ends_at=at(MONDAY, 0) + datetime.timedelta(hours=offset * 5 + 1),
        )
    return f"/regrind/roster/?line={line.pk}&week=2026-01-05"


QUERY_PINS = [
    ("lines", seed_lines, 7),
    ("units", lambda n: DosingUnitFactory.create_batch(n) and "/regrind/units/", 8),
    ("products", lambda n: RegrindProductFactory.create_batch(n) and "/regrind/products/", 7),
    ("runs", seed_runs, 10),
    ("shifts", lambda n: ShiftFactory.create_batch(n) and "/regrind/shifts/", 7),
    ("roster", seed_roster, 9),
    ("setup", lambda n: "/regrind/setup/", 5),
]


@pytest.mark.parametrize("rows", [3, 30])
@pytest.mark.parametrize(("page", "seed", "queries"), QUERY_PINS, ids=[p[0] for p in QUERY_PINS])
def test_page_query_count_is_constant(
    maker_client, django_assert_num_queries, page, seed, queries, rows
):
    url = seed(rows)
    maker_client.get(url)
    with django_assert_num_queries(queries):
        response = maker_client.get(url)
    assert response.status_code == 200
