"""The quality API, nonconformances, 8D corrective actions and cost events: recording with repeat
detection, the 8D run by the partner's user and the quality engineer to closure (order rules,
due times, send-backs, the effectiveness check), costs with their corrections; who may do what
and bad input as field errors."""

import datetime
import json
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from partnerdesk.accounts.services import api_token_create
from partnerdesk.quality.models import CorrectiveAction, CostEvent, DefectType, Nonconformance
from tests.factories import (
    CorrectiveActionFactory,
    CostEventFactory,
    EightDStageFactory,
    NonconformanceFactory,
    PartnerFactory,
    TeamFactory,
)
from tests.support import assert_error, audit_rows

pytestmark = pytest.mark.django_db

API = "/api/v1/quality"


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


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text)


@pytest.fixture
def quality_user(make_user):
    return make_user("quality", username="engineer")


@pytest.fixture
def quality(quality_user):
    return client_for(quality_user)


@pytest.fixture
def partner():
    return PartnerFactory(code="CMO-NC")


@pytest.fixture
def contamination():
    return DefectType.objects.get(code="CONTAMINATION")


def complaint(partner, defect, **extra):
    return {
        "partner": partner.pk,
        "source": "customer_complaint",
        "customer_reference": "CC-2026-17",
        "defect_type": defect.pk,
        "title": "Black specks in housings",
        "detected_on": "2026-11-18",
        "reported_severity": "minor",
    } | extra


# --- defect types and nonconformances ----------------------------------------------------------


def test_defect_types_are_listed_for_staff_only(quality, make_user):
    codes = [d["code"] for d in ok(quality.get(f"{API}/defect-types", {"page_size": 100}))["items"]]
    assert "CONTAMINATION" in codes and codes == sorted(codes)
    supplier = client_for(make_user("partner", partner=PartnerFactory()))
    assert ok(supplier.get(f"{API}/defect-types"))["items"] == []


def test_a_customer_complaint_is_recorded_and_a_repeat_raises_its_severity(
    quality, quality_user, partner, contamination
):
    first = ok(call(quality, "POST", "/nonconformances", complaint(partner, contamination)), 201)
    assert first["number"].startswith("NC-2026-")
    assert (first["severity"], first["repeat_of_id"], first["owner_id"]) == (
        "minor",
        None,
        quality_user.pk,
    )
    assert (first["partner_code"], first["defect_type_code"], first["status"]) == (
        "CMO-NC",
        "CONTAMINATION",
        "open",
    )
    repeat = ok(
        call(
            quality,
            "POST",
            "/nonconformances",
            complaint(
                partner,
                contamination,
                customer_reference="CC-2026-18",
                detected_on="2026-11-20",
                cost_amount="450.5",
                quantity_affected="120",
                unit="pcs",
            ),
        ),
        201,
    )
    assert (repeat["repeat_of_id"], repeat["repeat_of_number"]) == (first["id"], first["number"])
    assert (repeat["reported_severity"], repeat["severity"]) == ("minor", "major")
    assert (repeat["cost_amount"], repeat["currency"], repeat["quantity_affected"]) == (
        "450.50",
        "CNY",
        "120.000",
    )
    repeats = ok(quality.get(f"{API}/nonconformances", {"repeat": "true"}))["items"]
    assert [nc["id"] for nc in repeats] == [repeat["id"]]
    firsts = ok(quality.get(f"{API}/nonconformances", {"repeat": "false"}))["items"]
    assert [nc["id"] for nc in firsts] == [first["id"]]
    assert ok(quality.get(f"{API}/nonconformances", {"severity": "major"}))["count"] == 1
    assert ok(quality.get(f"{API}/nonconformances", {"q": "specks"}))["count"] == 2


@pytest.mark.parametrize(
    "change, field",
    [
        ({"customer_reference": ""}, "customer_reference"),
        ({"detected_on": "2099-01-01"}, "detected_on"),
        ({"source": "inspection", "partner": None}, "partner"),
        ({"defect_type": 2**31 - 1}, "defect_type"),
        ({"partner": 2**31 - 1}, "partner"),
        ({"owner": 2**31 - 1}, "owner"),
        ({"reported_severity": "catastrophic"}, "reported_severity"),
        ({"currency": "XXX", "cost_amount": "10"}, "currency"),
        ({"cost_amount": "-5"}, "cost_amount"),
        ({"quantity_affected": "1.2345"}, "quantity_affected"),
        ({"title": ""}, "title"),
    ],
)
def test_bad_nonconformances_are_field_errors(quality, partner, contamination, change, field):
    response = call(quality, "POST", "/nonconformances", complaint(partner, contamination) | change)
    error = assert_error(response, 422, "validation_error")
    assert field in error["fields"], error
    assert not Nonconformance.objects.exists()


def test_a_nonconformance_is_changed_closed_or_cancelled(quality, make_user, partner):
    nc = NonconformanceFactory(partner=partner, detected_on=datetime.date(2026, 11, 2))
    changed = ok(
        call(
            quality,
            "PATCH",
            f"/nonconformances/{nc.pk}",
            {"title": "Specks, 3 % of the lot", "reported_severity": "critical", "owner": None},
        )
    )
    assert (changed["title"], changed["severity"], changed["owner_id"]) == (
        "Specks, 3 % of the lot",
        "critical",
        None,
    )
    assert_error(
        call(quality, "POST", f"/nonconformances/{nc.pk}/close", {}), 422, "validation_error"
    )
    closed = ok(call(quality, "POST", f"/nonconformances/{nc.pk}/close", {"note": "Reworked"}))
    assert (closed["status"], closed["closing_note"]) == ("closed", "Reworked")
    assert closed["closed_at"]
    assert_error(
        call(quality, "PATCH", f"/nonconformances/{nc.pk}", {"title": "Again"}), 409, "conflict"
    )
    assert [row.action for row in audit_rows(nc)] == ["update", "update"]

    mistake = NonconformanceFactory(partner=partner)
    cancelled = ok(
        call(quality, "POST", f"/nonconformances/{mistake.pk}/cancel", {"reason": "Duplicate"})
    )
    assert cancelled["status"] == "cancelled"
    assert_error(
        call(quality, "POST", f"/nonconformances/{mistake.pk}/close", {"note": "x"}),
        409,
        "conflict",
    )

    finance = client_for(make_user("finance"))
    assert ok(finance.get(f"{API}/nonconformances/{nc.pk}"))["number"] == nc.number
    assert_error(
        call(finance, "PATCH", f"/nonconformances/{nc.pk}", {"title": "F"}), 404, "not_found"
    )
    open_one = NonconformanceFactory(partner=partner)
    assert_error(
        call(finance, "POST", f"/nonconformances/{open_one.pk}/close", {"note": "F"}),
        403,
        "forbidden",
    )


def test_manufacturing_reports_nonconformances_but_does_not_run_them(
    make_user, partner, contamination
):
    production = client_for(make_user("manufacturing"))
    body = complaint(partner, contamination) | {"source": "production", "customer_reference": ""}
    created = ok(call(production, "POST", "/nonconformances", body), 201)
    assert created["source"] == "production"
    assert_error(
        call(production, "POST", f"/nonconformances/{created['id']}/corrective-action"),
        403,
        "forbidden",
    )
    assert_error(
        call(production, "PATCH", f"/nonconformances/{created['id']}", {"title": "x"}),
        404,
        "not_found",
    )


# --- 8D ----------------------------------------------------------------------------------------


@pytest.fixture
def supplier_user(make_user, partner):
    return make_user("partner", partner=partner, username="supplier-qe")


@pytest.fixture
def supplier(supplier_user):
    return client_for(supplier_user)


def stage_ids(action) -> dict[int, int]:
    return {s["stage"]: s["id"] for s in action["stages"]}


def test_an_8d_is_run_by_the_partner_and_the_quality_engineer_to_closure(
    quality, quality_user, supplier, supplier_user, partner
):
    nc = NonconformanceFactory(partner=partner)
    action = ok(call(quality, "POST", f"/nonconformances/{nc.pk}/corrective-action"), 201)
    assert action["number"].startswith("8D-2026-")
    assert (action["status"], action["owner_id"], action["nonconformance_number"]) == (
        "open",
        quality_user.pk,
        nc.number,
    )
    assert [s["stage"] for s in action["stages"]] == list(range(9))
    opened = at(action["opened_at"])
    due = {s["stage"]: at(s["due_at"]) - opened for s in action["stages"]}
    assert due[3] == datetime.timedelta(hours=48)
    assert due[4] == datetime.timedelta(days=14)
    assert due[5] == due[8] == datetime.timedelta(days=30)
    assert supplier_user.notifications.filter(kind="8d_opened").count() == 1
    assert ok(quality.get(f"{API}/nonconformances/{nc.pk}"))["corrective_action_id"] == action["id"]
    stages = stage_ids(action)

    # The partner's user fills in D0 and D1; stages are accepted in order.
    d0 = ok(call(supplier, "POST", f"/8d-stages/{stages[0]}/submit", {"content": "Team formed"}))
    assert (d0["status"], d0["submitted_by_id"]) == ("submitted", supplier_user.pk)
    assert_error(
        call(supplier, "POST", f"/8d-stages/{stages[2]}/submit", {"content": "Too early"}),
        409,
        "conflict",
    )
    ok(call(supplier, "POST", f"/8d-stages/{stages[1]}/submit", {"content": "Members"}))
    assert_error(call(supplier, "POST", f"/8d-stages/{stages[0]}/accept"), 403, "forbidden")
    error = assert_error(call(quality, "POST", f"/8d-stages/{stages[1]}/accept"), 409, "conflict")
    assert "Accept D0 first" in error["message"]
    accepted = ok(call(quality, "POST", f"/8d-stages/{stages[0]}/accept", {"note": "Fine"}))
    assert (accepted["status"], accepted["reviewed_by_id"], accepted["review_note"]) == (
        "accepted",
        quality_user.pk,
        "Fine",
    )
    assert_error(
        call(quality, "POST", f"/8d-stages/{stages[1]}/send-back", {"note": " "}),
        422,
        "validation_error",
    )
    back = ok(
        call(quality, "POST", f"/8d-stages/{stages[1]}/send-back", {"note": "Name a champion"})
    )
    assert (back["status"], back["times_sent_back"]) == ("sent_back", 1)

    new_due = (timezone.now() + datetime.timedelta(days=3)).replace(microsecond=0)
    error = assert_error(
        call(
            quality,
            "POST",
            f"/8d-stages/{stages[1]}/due",
            {"due_at": new_due.replace(tzinfo=None).isoformat(), "reason": "Holiday"},
        ),
        422,
        "validation_error",
    )
    assert "due_at" in error["fields"]
    moved = ok(
        call(
            quality,
            "POST",
            f"/8d-stages/{stages[1]}/due",
            {"due_at": new_due.isoformat(), "reason": "Holiday week"},
        )
    )
    assert at(moved["due_at"]) == new_due

    error = assert_error(
        call(
            quality,
            "POST",
            f"/corrective-actions/{action['id']}/effectiveness",
            {"result": "effective", "note": "Too early"},
        ),
        409,
        "conflict",
    )
    assert "D1" in error["message"]

    for number in range(1, 8):
        ok(call(supplier, "POST", f"/8d-stages/{stages[number]}/submit", {"content": f"D{number}"}))
        ok(call(quality, "POST", f"/8d-stages/{stages[number]}/accept"))
    assert_error(
        call(quality, "POST", f"/corrective-actions/{action['id']}/close"), 409, "conflict"
    )
    checked = ok(
        call(
            quality,
            "POST",
            f"/corrective-actions/{action['id']}/effectiveness",
            {"result": "effective", "note": "Three lots clean since"},
        )
    )
    assert (checked["effectiveness"], checked["stages_accepted"]) == ("effective", 8)
    ok(call(supplier, "POST", f"/8d-stages/{stages[8]}/submit", {"content": "Team thanked"}))
    ok(call(quality, "POST", f"/8d-stages/{stages[8]}/accept"))
    closed = ok(call(quality, "POST", f"/corrective-actions/{action['id']}/close"))
    assert (closed["status"], closed["closed_on_time"], closed["stages_accepted"]) == (
        "closed",
        True,
        9,
    )
    assert Nonconformance.objects.get(pk=nc.pk).status == "closed"
    assert_error(
        call(supplier, "POST", f"/8d-stages/{stages[8]}/submit", {"content": "Late"}),
        409,
        "conflict",
    )


def test_an_ineffective_action_sends_root_cause_and_later_stages_back(quality, partner):
    action = CorrectiveActionFactory(nonconformance=NonconformanceFactory(partner=partner))
    soon = timezone.now() + datetime.timedelta(days=2)
    for number in range(9):
        EightDStageFactory(
            action=action, stage=number, due_at=soon, status="accepted" if number < 8 else "pending"
        )
    checked = ok(
        call(
            quality,
            "POST",
            f"/corrective-actions/{action.pk}/effectiveness",
            {"result": "not_effective", "note": "Specks again in lot 7"},
        )
    )
    statuses = {s["stage"]: s["status"] for s in checked["stages"]}
    assert [statuses[n] for n in range(9)] == ["accepted"] * 4 + ["sent_back"] * 5
    assert checked["effectiveness"] == "not_effective"
    error = assert_error(
        call(
            quality,
            "POST",
            f"/corrective-actions/{action.pk}/effectiveness",
            {"result": "fine", "note": "x"},
        ),
        422,
        "validation_error",
    )
    assert "result" in error["fields"]


def test_partner_users_see_only_their_own_actions(make_user, supplier, partner):
    own = CorrectiveActionFactory(nonconformance=NonconformanceFactory(partner=partner))
    own_stage = EightDStageFactory(action=own, stage=0)
    for number in range(1, 9):
        EightDStageFactory(action=own, stage=number)
    foreign = CorrectiveActionFactory()
    foreign_stage = EightDStageFactory(action=foreign, stage=0)

    listed = ok(supplier.get(f"{API}/corrective-actions"))
    assert [a["id"] for a in listed["items"]] == [own.pk]
    assert ok(supplier.get(f"{API}/corrective-actions/{own.pk}"))["stages"][0]["id"] == own_stage.pk
    assert_error(supplier.get(f"{API}/corrective-actions/{foreign.pk}"), 404, "not_found")
    assert_error(
        call(supplier, "POST", f"/8d-stages/{foreign_stage.pk}/submit", {"content": "x"}),
        404,
        "not_found",
    )
    ncs = ok(supplier.get(f"{API}/nonconformances"))["items"]
    assert [nc["id"] for nc in ncs] == [own.nonconformance_id]
    assert_error(call(supplier, "POST", f"/corrective-actions/{own.pk}/close"), 403, "forbidden")
    assert_error(
        call(supplier, "POST", f"/nonconformances/{own.nonconformance_id}/cancel", {"reason": "x"}),
        403,
        "forbidden",
    )


def test_action_list_filters(quality, partner):
    CorrectiveActionFactory(nonconformance=NonconformanceFactory(partner=partner), status="closed")
    running = CorrectiveActionFactory(nonconformance=NonconformanceFactory(partner=partner))
    overdue = timezone.now() - datetime.timedelta(hours=1)
    EightDStageFactory(action=running, stage=0, due_at=overdue)
    EightDStageFactory(action=running, stage=1, status="accepted")
    items = ok(quality.get(f"{API}/corrective-actions", {"status": "open"}))["items"]
    assert [a["id"] for a in items] == [running.pk]
    assert (items[0]["stages_overdue"], items[0]["stages_accepted"]) == (1, 1)
    assert ok(quality.get(f"{API}/corrective-actions", {"partner": partner.pk}))["count"] == 2


def test_a_second_corrective_action_for_the_same_nonconformance_is_refused(quality, partner):
    nc = NonconformanceFactory(partner=partner)
    ok(call(quality, "POST", f"/nonconformances/{nc.pk}/corrective-action"), 201)
    assert_error(
        call(quality, "POST", f"/nonconformances/{nc.pk}/corrective-action"), 409, "conflict"
    )
    assert_error(
        call(quality, "POST", f"/nonconformances/{nc.pk}/close", {"note": "Done"}),
        409,
        "conflict",
    )
    orphan = NonconformanceFactory(partner=None, source="production")
    error = assert_error(
        call(quality, "POST", f"/nonconformances/{orphan.pk}/corrective-action"),
        422,
        "validation_error",
    )
    assert "partner" in error["fields"]
    assert CorrectiveAction.objects.count() == 1


# --- cost events -------------------------------------------------------------------------------


def cost(partner=None, **extra):
    body = {
        "kind": "material_loss",
        "occurred_on": "2026-11-12",
        "amount": "800",
        "currency": "CNY",
        "description": "Purged regrind",
        "quantity": "25",
        "unit": "kg",
    }
    if partner is not None:
        body["partner"] = partner.pk
    return body | extra


def test_costs_are_recorded_listed_and_corrected_never_edited(quality, partner):
    team = TeamFactory(name="Moulding line 2")
    charged = ok(call(quality, "POST", "/cost-events", cost(partner, chargeback=True)), 201)
    assert (charged["amount"], charged["currency"], charged["partner_code"]) == (
        "800.00",
        "CNY",
        "CMO-NC",
    )
    assert (charged["chargeback"], charged["quantity"], charged["kind"]) == (
        True,
        "25.000",
        "material_loss",
    )
    internal = ok(
        call(quality, "POST", "/cost-events", cost(team=team.pk, kind="quality_defect")), 201
    )
    assert (internal["team_name"], internal["partner_id"]) == ("Moulding line 2", None)

    listed = ok(quality.get(f"{API}/cost-events", {"chargeback": "true"}))["items"]
    assert [c["id"] for c in listed] == [charged["id"]]
    assert ok(quality.get(f"{API}/cost-events", {"kind": "quality_defect"}))["count"] == 1
    assert ok(quality.get(f"{API}/cost-events", {"team": team.pk}))["count"] == 1

    written = ok(
        call(
            quality,
            "POST",
            f"/cost-events/{charged['id']}/correct",
            {"amount": "650", "reason": "Weighed again"},
        ),
        201,
    )
    assert [(e["amount"], e["corrects_id"]) for e in written] == [
        ("-800.00", charged["id"]),
        ("650.00", charged["id"]),
    ]
    assert written[0]["quantity"] == "-25.000"
    assert CostEvent.objects.get(pk=charged["id"]).amount == Decimal("800.00")
    assert_error(
        call(
            quality,
            "POST",
            f"/cost-events/{charged['id']}/correct",
            {"amount": "600", "reason": "Again"},
        ),
        409,
        "conflict",
    )
    withdrawn = ok(
        call(
            quality,
            "POST",
            f"/cost-events/{internal['id']}/correct",
            {"amount": "0", "reason": "Not a loss"},
        ),
        201,
    )
    assert [e["amount"] for e in withdrawn] == ["-800.00"]
    assert (
        ok(quality.get(f"{API}/cost-events/{withdrawn[0]['id']}"))["corrects_id"] == internal["id"]
    )


@pytest.mark.parametrize(
    "change, field",
    [
        ({"partner": None}, "partner"),  # nobody responsible
        ({"partner": None, "chargeback": True}, "partner"),
        ({"partner": 2**31 - 1}, "partner"),
        ({"amount": "0"}, "amount"),
        ({"amount": "-10"}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"amount": "12.345"}, "amount"),
        ({"occurred_on": "2099-01-01"}, "occurred_on"),
        ({"currency": "EURO"}, "currency"),
        ({"currency": "XYZ"}, "currency"),
        ({"kind": "penalty"}, "kind"),
        ({"description": ""}, "description"),
        ({"nonconformance": 2**31 - 1}, "nonconformance"),
        ({"lot_inspection": 0}, "lot_inspection"),
    ],
)
def test_bad_costs_are_field_errors(quality, partner, change, field):
    response = call(quality, "POST", "/cost-events", cost(partner) | change)
    error = assert_error(response, 422, "validation_error")
    assert field in error["fields"], error
    assert not CostEvent.objects.exists()


def test_chargeback_needs_a_partner(quality):
    team = TeamFactory()
    response = call(quality, "POST", "/cost-events", cost(team=team.pk, chargeback=True))
    error = assert_error(response, 422, "validation_error")
    assert "chargeback" in error["fields"]


def test_who_records_costs(make_user, partner):
    production = client_for(make_user("manufacturing"))
    ok(call(production, "POST", "/cost-events", cost(partner)), 201)
    finance = client_for(make_user("finance"))
    assert_error(call(finance, "POST", "/cost-events", cost(partner)), 403, "forbidden")
    event = CostEventFactory(partner=partner)
    assert ok(finance.get(f"{API}/cost-events/{event.pk}"))["amount"] == "1200.00"
    assert_error(
        call(finance, "POST", f"/cost-events/{event.pk}/correct", {"amount": "1", "reason": "x"}),
        403,
        "forbidden",
    )
    supplier = client_for(make_user("partner", partner=partner))
    assert ok(supplier.get(f"{API}/cost-events"))["items"] == []
    assert_error(supplier.get(f"{API}/cost-events/{event.pk}"), 404, "not_found")
    assert CostEvent.objects.count() == 2
