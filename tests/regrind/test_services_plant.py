"""Plant set-up services: lines, units, products (currency from the settings), product runs
(the open run closed at the next start, a start inside an ended run refused), shift
assignments that never overlap on a line, the roster rotation (including a night shift past
midnight in a zone without daylight saving time), and who may write."""

import datetime
from decimal import Decimal
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from partnerdesk.audit.models import AuditEntry
from partnerdesk.core.errors import ApplicationError, Conflict, Forbidden, InvalidInput
from partnerdesk.regrind.models import ProductRun, RegrindProduct, ShiftAssignment
from partnerdesk.regrind.selectors_plant import product_run_at, team_on_shift
from partnerdesk.regrind.services import plant as service
from tests.factories import (
    ProductionLineFactory,
    RegrindProductFactory,
    ShiftAssignmentFactory,
    ShiftFactory,
    TeamFactory,
)
from tests.support import audit_rows

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")  # UTC+8 all year
MONDAY = datetime.date(2026, 1, 5)


def at(day: datetime.date, hour: int, minute: int = 0, tz=SHANGHAI) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)


def day(offset: int) -> datetime.date:
    return MONDAY + datetime.timedelta(days=offset)


@pytest.fixture(autouse=True)
def _company_zone(settings):
    settings.TIME_ZONE = "Asia/Shanghai"


@pytest.fixture
def maker(make_user):
    return make_user("manufacturing", username="line-lead")


@pytest.fixture
def shifts():
    return [
        ShiftFactory(code="N", name="Night", start_time=datetime.time(22), hours=8),
        ShiftFactory(code="E", name="Early", start_time=datetime.time(6), hours=8),
        ShiftFactory(code="L", name="Late", start_time=datetime.time(14), hours=8),
    ]


@pytest.fixture
def teams():
    return [TeamFactory(name=name) for name in ("Alpha", "Bravo", "Charlie", "Delta")]


# --- lines, units, products, shifts ------------------------------------------------------------


def test_line_create_and_update_are_audited(maker):
    line = service.line_create(user=maker, data={"code": "L7", "name": "Line seven"})
    service.line_update(user=maker, line=line, data={"name": "Line 7", "is_active": False})
    line.refresh_from_db()
    assert (line.name, line.is_active) == ("Line 7", False)
    rows = audit_rows(line)
    assert [r.action for r in rows] == ["create", "update"]
    assert rows[1].changes["name"] == ["Line seven", "Line 7"]


def test_codes_are_set_once_and_unique(maker):
    line = ProductionLineFactory(code="L1")
    with pytest.raises(ApplicationError) as caught:
        service.line_update(user=maker, line=line, data={"code": "L2"})
    assert caught.value.fields == {"code": ["This field cannot be set here."]}
    with pytest.raises(Conflict):
        service.line_create(user=maker, data={"code": "L1", "name": "Again"})


@pytest.mark.parametrize("role", ["quality", "outsourcing", "finance"])
def test_roles_without_the_plant_may_not_write(make_user, role):
    user = make_user(role)
    with pytest.raises(Forbidden):
        service.line_create(user=user, data={"code": "L9", "name": "Nope"})
    with pytest.raises(Forbidden):
        service.shift_create(
            user=user, data={"code": "X", "name": "X", "start_time": datetime.time(6), "hours": 8}
        )


def _product_data(**overrides):
    data = {
        "code": "HSG-20",
        "name": "Housing 20 %",
        "target_ratio": Decimal("20"),
        "tolerance": Decimal("2.5"),
        "max_ratio": Decimal("21"),
        "nominal_batch_kg": Decimal("5"),
        "virgin_price_per_kg": Decimal("12.5"),
        "regrind_price_per_kg": Decimal("4.2"),
        "risk_cost_per_kg": Decimal("30"),
    }
    return {**data, **overrides}


def test_product_currency_defaults_to_the_company_currency(maker, settings):
    settings.DEFAULT_CURRENCY = "EUR"
    product = service.product_create(user=maker, data=_product_data())
    assert product.currency == "EUR"
    # LSL = 20 - 2.5; USL = 20 + 2.5 capped by the maximum 21
    assert (product.lsl, product.usl) == (Decimal("17.5"), Decimal("21"))
    other = service.product_create(user=maker, data=_product_data(code="P2", currency="USD"))
    assert other.currency == "USD"


def test_product_maximum_below_target_is_refused(maker):
    with pytest.raises(InvalidInput) as caught:
        service.product_create(user=maker, data=_product_data(max_ratio=Decimal("15")))
    assert caught.value.fields["max_ratio"] == ["The maximum cannot be below the target."]
    assert not RegrindProduct.objects.exists()


# --- product runs ------------------------------------------------------------------------------


def test_a_new_run_closes_the_open_run_at_its_start(maker):
    line = ProductionLineFactory()
    first, second = RegrindProductFactory(code="A"), RegrindProductFactory(code="B")
    run_a = service.product_run_start(user=maker, line=line, product=first, starts_at=at(day(0), 6))
    run_b = service.product_run_start(
        user=maker, line=line, product=second, starts_at=at(day(1), 14)
    )
    run_a.refresh_from_db()
    assert run_a.ends_at == at(day(1), 14)
    assert run_b.ends_at is None
    assert product_run_at(line, at(day(1), 13, 59)) == run_a
    assert product_run_at(line, at(day(1), 14)) == run_b
    assert product_run_at(line, at(day(0), 5)) is None
    assert [r.action for r in audit_rows(run_a)] == ["create", "update"]
    assert audit_rows(run_a)[1].changes["ends_at"][0] is None


def test_a_start_inside_an_ended_run_is_refused(maker):
    line = ProductionLineFactory(code="L3")
    first, second = RegrindProductFactory(code="A"), RegrindProductFactory(code="B")
    service.product_run_start(user=maker, line=line, product=first, starts_at=at(day(0), 6))
    service.product_run_start(user=maker, line=line, product=second, starts_at=at(day(2), 6))
    with pytest.raises(InvalidInput) as caught:
        service.product_run_start(user=maker, line=line, product=second, starts_at=at(day(1), 6))
    message = caught.value.fields["starts_at"][0]
    assert "A ran on L3 from 2026-01-05 06:00 to 2026-01-07 06:00" in message
    assert ProductRun.objects.count() == 2


def test_a_start_before_the_first_run_ends_where_it_begins(maker):
    line = ProductionLineFactory()
    first, second = RegrindProductFactory(code="A"), RegrindProductFactory(code="B")
    later = service.product_run_start(user=maker, line=line, product=first, starts_at=at(day(2), 6))
    earlier = service.product_run_start(
        user=maker, line=line, product=second, starts_at=at(day(0), 6)
    )
    later.refresh_from_db()
    assert earlier.ends_at == at(day(2), 6)
    assert later.ends_at is None


def test_run_start_refusals(maker):
    line = ProductionLineFactory()
    product = RegrindProductFactory(code="A")
    service.product_run_start(user=maker, line=line, product=product, starts_at=at(day(0), 6))
    with pytest.raises(Conflict) as caught:
        service.product_run_start(user=maker, line=line, product=product, starts_at=at(day(1), 6))
    assert "A is already running" in caught.value.fields["product"][0]
    with pytest.raises(Conflict):
        service.product_run_start(
            user=maker, line=line, product=RegrindProductFactory(), starts_at=at(day(0), 6)
        )
    with pytest.raises(InvalidInput) as caught:
        service.product_run_start(
            user=maker,
            line=line,
            product=RegrindProductFactory(),
            starts_at=datetime.datetime(2026, 1, 9, 6),
        )
    assert "starts_at" in caught.value.fields
    with pytest.raises(InvalidInput) as caught:
        service.product_run_start(
            user=maker,
            line=line,
            product=RegrindProductFactory(is_active=False),
            starts_at=at(day(3), 6),
        )
    assert caught.value.fields == {"product": ["This product is inactive."]}
    assert ProductRun.objects.count() == 1


# --- shift assignments -------------------------------------------------------------------------


def test_assignments_of_a_line_never_overlap(maker, teams):
    line = ProductionLineFactory(code="L2")
    alpha, bravo = teams[:2]
    service.assignment_create(
        user=maker, line=line, team=alpha, starts_at=at(day(0), 6), ends_at=at(day(0), 14)
    )
    with pytest.raises(Conflict) as caught:
        service.assignment_create(
            user=maker, line=line, team=bravo, starts_at=at(day(0), 13), ends_at=at(day(0), 21)
        )
    assert caught.value.message == (
        "This overlaps the assignment of Alpha from 2026-01-05 06:00 to 2026-01-05 14:00 on L2."
    )
    assert caught.value.fields == {"starts_at": [caught.value.message]}
    # touching is not overlapping; another line is not this line
    service.assignment_create(
        user=maker, line=line, team=bravo, starts_at=at(day(0), 14), ends_at=at(day(0), 22)
    )
    service.assignment_create(
        user=maker,
        line=ProductionLineFactory(),
        team=bravo,
        starts_at=at(day(0), 13),
        ends_at=at(day(0), 21),
    )
    assert ShiftAssignment.objects.filter(line=line).count() == 2


def test_an_assignment_from_a_night_shift_ends_the_next_morning(maker, teams, shifts):
    line = ProductionLineFactory()
    night = shifts[0]
    assignment = service.assignment_create(
        user=maker, line=line, team=teams[0], shift=night, day=day(0)
    )
    assert assignment.starts_at == at(day(0), 22)
    assert assignment.ends_at == at(day(1), 6)
    assert assignment.starts_at.astimezone(datetime.UTC).hour == 14  # 22:00 at UTC+8
    assert team_on_shift(line, at(day(1), 5, 59)) == assignment
    assert team_on_shift(line, at(day(1), 6)) is None
    assert [r.action for r in audit_rows(assignment)] == ["create"]


def test_assignment_input_is_checked(maker, teams):
    line = ProductionLineFactory()
    cases = [
        ({}, "starts_at"),
        ({"starts_at": at(day(0), 6), "ends_at": at(day(0), 6)}, "ends_at"),
        ({"starts_at": at(day(0), 6), "ends_at": at(day(1), 7)}, "ends_at"),
        ({"starts_at": datetime.datetime(2026, 1, 5, 6), "ends_at": at(day(0), 9)}, "starts_at"),
    ]
    for kwargs, field in cases:
        with pytest.raises(InvalidInput) as caught:
            service.assignment_create(user=maker, line=line, team=teams[0], **kwargs)
        assert field in caught.value.fields, kwargs
    assert not ShiftAssignment.objects.exists()


def test_assignment_delete_is_audited(maker, teams):
    assignment = ShiftAssignmentFactory(team=teams[0])
    pk = assignment.pk
    service.assignment_delete(user=maker, assignment=assignment)
    assert not ShiftAssignment.objects.filter(pk=pk).exists()
    assert [r.action for r in audit_rows(assignment, pk=pk)] == ["delete"]


# --- roster ------------------------------------------------------------------------------------


def _grid(line):
    """{(local day, shift code): team name} of the line."""
    return {
        (a.starts_at.astimezone(SHANGHAI).date(), a.shift.code): a.team.name
        for a in ShiftAssignment.objects.filter(line=line, shift__isnull=False).select_related(
            "team", "shift"
        )
    }


def test_roster_rotates_the_teams_over_the_shifts(maker, teams, shifts):
    line = ProductionLineFactory()
    alpha, bravo, charlie = teams[:3]
    count = service.roster_generate(
        user=maker,
        line=line,
        teams=[alpha, bravo, charlie],
        shifts=shifts,  # given night first: shifts are taken by start time
        start=day(0),
        end=day(13),
        rotation_days=7,
    )
    assert count == 14 * 3
    grid = _grid(line)
    for offset in range(7):  # first week: early Alpha, late Bravo, night Charlie
        d = day(offset)
        assert (grid[d, "E"], grid[d, "L"], grid[d, "N"]) == ("Alpha", "Bravo", "Charlie")
    for offset in range(7, 14):  # second week every team moved on one shift
        d = day(offset)
        assert (grid[d, "E"], grid[d, "L"], grid[d, "N"]) == ("Charlie", "Alpha", "Bravo")
    # the night shift of Sunday 11 January runs 22:00 to 06:00 on Monday, in UTC 14:00 to 22:00
    night = ShiftAssignment.objects.get(line=line, shift__code="N", starts_at=at(day(6), 22))
    assert night.ends_at == at(day(7), 6)
    assert (night.starts_at.astimezone(datetime.UTC).hour, night.ends_at.hour) == (14, 22)
    assert team_on_shift(line, at(day(7), 3)).team == charlie
    assert team_on_shift(line, at(day(7), 6)).team == charlie  # early of week 2
    assert team_on_shift(line, at(day(7), 14)).team == alpha
    # the whole roster is covered without a gap or an overlap
    rows = list(ShiftAssignment.objects.filter(line=line).order_by("starts_at"))
    assert all(a.ends_at == b.starts_at for a, b in pairwise(rows))
    entries = AuditEntry.objects.filter(object_id=str(line.pk), action="update")
    assert len(entries) == 1
    assert (
        entries[0]
        .changes["roster"][1]
        .startswith(
            "42 assignments from 2026-01-05 to 2026-01-18: Alpha, Bravo, Charlie on Early, Late, "
            "Night, rotating every 7 days (0 slots already taken)"
        )
    )


def test_more_teams_than_shifts_take_turns_off(maker, teams, shifts):
    line = ProductionLineFactory()
    early, late = shifts[1], shifts[2]
    service.roster_generate(
        user=maker,
        line=line,
        teams=teams,
        shifts=[early, late],
        start=day(0),
        end=day(7),
        rotation_days=2,
    )
    grid = _grid(line)
    expected = [  # period n: shift i -> team (i - n) mod 4
        ("Alpha", "Bravo"),
        ("Delta", "Alpha"),
        ("Charlie", "Delta"),
        ("Bravo", "Charlie"),
    ]
    for offset in range(8):
        assert (grid[day(offset), "E"], grid[day(offset), "L"]) == expected[offset // 2]


def test_roster_skips_taken_slots_and_keeps_them(maker, teams, shifts):
    line = ProductionLineFactory()
    delta = teams[3]
    kept = ShiftAssignmentFactory(
        line=line, team=delta, starts_at=at(day(1), 12), ends_at=at(day(1), 16)
    )
    count = service.roster_generate(
        user=maker, line=line, teams=teams[:3], shifts=shifts, start=day(0), end=day(2)
    )
    # the early (06-14) and late (14-22) shifts of Tuesday overlap the kept assignment
    assert count == 9 - 2
    grid = _grid(line)
    assert (day(1), "E") not in grid and (day(1), "L") not in grid
    assert ShiftAssignment.objects.get(pk=kept.pk).team == delta
    # generating again writes nothing and no audit row
    before = AuditEntry.objects.count()
    assert (
        service.roster_generate(
            user=maker, line=line, teams=teams[:3], shifts=shifts, start=day(0), end=day(2)
        )
        == 0
    )
    assert AuditEntry.objects.count() == before


def test_roster_is_one_insert_whatever_its_length(maker, teams, shifts, django_assert_num_queries):
    line = ProductionLineFactory()
    service.roster_generate(
        user=maker, line=line, teams=teams[:3], shifts=shifts, start=day(0), end=day(0)
    )
    with django_assert_num_queries(6) as short:
        service.roster_generate(
            user=maker, line=line, teams=teams[:3], shifts=shifts, start=day(1), end=day(3)
        )
    # 120 rows: one INSERT even on SQLite (whose bound-parameter limit splits larger batches)
    with django_assert_num_queries(6) as long:
        service.roster_generate(
            user=maker, line=line, teams=teams[:3], shifts=shifts, start=day(4), end=day(43)
        )
    inserts = [q for q in long.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 2  # the assignments, the audit row
    assert len(short.captured_queries) == len(long.captured_queries)
    assert ShiftAssignment.objects.filter(line=line).count() == 44 * 3


def test_roster_refusals(maker, teams, shifts):
    line = ProductionLineFactory()
    long_early = ShiftFactory(code="E10", name="Long early", start_time=datetime.time(6), hours=10)
    late = shifts[2]
    cases = [
        ({"teams": teams[:2], "shifts": shifts}, "teams"),
        ({"teams": [teams[0], teams[0], teams[1]], "shifts": shifts}, "teams"),
        ({"teams": [], "shifts": shifts}, "teams"),
        ({"teams": teams, "shifts": []}, "shifts"),
        ({"teams": teams, "shifts": [long_early, late]}, "shifts"),
        ({"teams": teams, "shifts": shifts, "end": day(-1)}, "end"),
        ({"teams": teams, "shifts": shifts, "end": day(400)}, "end"),
        ({"teams": teams, "shifts": shifts, "rotation_days": 0}, "rotation_days"),
    ]
    for kwargs, field in cases:
        arguments = {"start": day(0), "end": day(6), **kwargs}
        with pytest.raises(InvalidInput) as caught:
            service.roster_generate(user=maker, line=line, **arguments)
        assert field in caught.value.fields, kwargs
    with pytest.raises(InvalidInput) as caught:
        service.roster_generate(
            user=maker,
            line=line,
            teams=teams,
            shifts=[long_early, late],
            start=day(0),
            end=day(0),
        )
    assert "Long early and Late overlap" in caught.value.message
    assert not ShiftAssignment.objects.exists()


def test_roster_needs_the_permission(make_user, teams, shifts):
    with pytest.raises(Forbidden):
        service.roster_generate(
            user=make_user("quality"),
            line=ProductionLineFactory(),
            teams=teams[:3],
            shifts=shifts,
            start=day(0),
            end=day(1),
        )


def test_shifts_start_in_the_company_zone_and_last_elapsed_hours(maker, teams, settings):
    """Berlin moves its clocks on 29 March 2026 at 02:00: the night shift from 22:00 on the
    28th lasts 8 hours and so ends at 07:00 summer time."""
    settings.TIME_ZONE = "Europe/Berlin"
    berlin = ZoneInfo("Europe/Berlin")
    night = ShiftFactory(code="NB", name="Night", start_time=datetime.time(22), hours=8)
    starts, ends = service.shift_slot(night, datetime.date(2026, 3, 28))
    assert starts == datetime.datetime(2026, 3, 28, 22, tzinfo=berlin)
    assert ends == datetime.datetime(2026, 3, 29, 7, tzinfo=berlin)
    assert ends - starts == datetime.timedelta(hours=8)
