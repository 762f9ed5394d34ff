"""The contracts API: create, change, move through the lifecycle and amend contracts;
deliverables, RACI matrix and dispute ladder; every refusal in the error shape with its field;
partner users see only their own partner's contracts."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from partnerdesk.contracts.models import Contract, ContractVersion, Deliverable
from partnerdesk.contracts.services.contracts import contract_change_status, contract_create
from partnerdesk.contracts.services.parts import dispute_ladder_save, raci_save
from tests.factories import PartnerContactFactory, PartnerFactory, PersonFactory, TeamFactory
from tests.support import assert_error

pytestmark = pytest.mark.django_db

NEW_CONTRACT = {
    "reference": "C-API-1",
    "title": "Injection moulding",
    "outsourced_scope": "Housings for the X200",
    "start_date": "2026-01-01",
    "end_date": "2027-12-31",
    "monthly_fee": "100000.00",
    "value": "2400000",
    "payment_terms": "60 days end of month",
}


@pytest.fixture
def api(api_client, outsourcing_user):
    return api_client(outsourcing_user)


@pytest.fixture
def partner():
    return PartnerFactory(code="CMO-A")


def make_contract(user, partner, reference="C-1", **data) -> Contract:
    values = {
        "reference": reference,
        "title": "Moulding",
        "outsourced_scope": "Housings",
        "start_date": datetime.date(2026, 1, 1),
        "end_date": datetime.date(2027, 12, 31),
        "monthly_fee": Decimal("100000.00"),
    } | data
    return contract_create(user=user, partner=partner, data=values)


def post(api, url, body):
    return api.post(url, body, content_type="application/json")


def patch(api, url, body):
    return api.patch(url, body, content_type="application/json")


# --- create, read, change --------------------------------------------------------------------


def test_create_contract(api, partner):
    response = post(api, "/api/v1/contracts", NEW_CONTRACT | {"partner": partner.pk})

    assert response.status_code == 201, response.content
    body = response.json()
    contract = Contract.objects.get()
    assert body == {
        "id": contract.pk,
        "partner_id": partner.pk,
        "partner_code": "CMO-A",
        "reference": "C-API-1",
        "title": "Injection moulding",
        "outsourced_scope": "Housings for the X200",
        "objectives": "",
        "scope_of_work": "",
        "status": "draft",
        "start_date": "2026-01-01",
        "end_date": "2027-12-31",
        "currency": "CNY",
        "value": "2400000.00",
        "monthly_fee": "100000.00",
        "at_risk_percent": "12.00",
        "payment_terms": "60 days end of month",
        "auto_renew": False,
        "renewal_months": 12,
        "notice_days": 90,
        "notice_deadline": "2027-10-02",
        "review_every_months": 3,
        "next_review_date": None,
        "termination_triggers": "",
        "termination_notice_days": 90,
        "owner_id": None,
        "version": 1,
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }
    assert list(contract.versions.values_list("version", "monthly_fee")) == [
        (1, Decimal("100000.00"))
    ]


def test_create_contract_with_an_owner(api, partner):
    owner = PersonFactory()
    response = post(
        api, "/api/v1/contracts", NEW_CONTRACT | {"partner": partner.pk, "owner": owner.pk}
    )
    assert response.status_code == 201, response.content
    assert response.json()["owner_id"] == owner.pk


def test_create_contract_refusals_name_their_fields(api, partner):
    # An unknown partner, an unknown owner, an end before the start, a duplicate reference.
    assert_error(
        post(api, "/api/v1/contracts", NEW_CONTRACT | {"partner": 999999}),
        422,
        "validation_error",
        {"partner": ["Unknown partner."]},
    )
    assert_error(
        post(api, "/api/v1/contracts", NEW_CONTRACT | {"partner": partner.pk, "owner": 999999}),
        422,
        "validation_error",
        {"owner": ["Unknown person."]},
    )
    error = assert_error(
        post(
            api,
            "/api/v1/contracts",
            NEW_CONTRACT | {"partner": partner.pk, "end_date": "2025-12-31"},
        ),
        422,
        "validation_error",
    )
    assert list(error["fields"]) == ["end_date"]
    error = assert_error(
        post(
            api,
            "/api/v1/contracts",
            NEW_CONTRACT | {"partner": partner.pk, "monthly_fee": "-1", "currency": "EURO"},
        ),
        422,
        "validation_error",
    )
    assert set(error["fields"]) == {"monthly_fee", "currency"}
    assert not Contract.objects.exists()
    post(api, "/api/v1/contracts", NEW_CONTRACT | {"partner": partner.pk})
    error = assert_error(
        post(api, "/api/v1/contracts", NEW_CONTRACT | {"partner": partner.pk}), 409, "conflict"
    )
    assert list(error["fields"]) == ["reference"]
    assert Contract.objects.count() == 1


def test_list_filters_and_sorts(api, outsourcing_user):
    a, b = PartnerFactory(code="AAA"), PartnerFactory(code="BBB")
    make_contract(outsourcing_user, a, "C-1", end_date=datetime.date(2026, 12, 31))
    second = make_contract(outsourcing_user, b, "C-2", title="Assembly")
    make_contract(outsourcing_user, b, "C-3", end_date=datetime.date(2026, 6, 30))
    contract_change_status(user=outsourcing_user, contract=second, to_status="active", reason="x")

    def refs(params):
        response = api.get("/api/v1/contracts", params)
        assert response.status_code == 200, response.content
        return [c["reference"] for c in response.json()["items"]]

    assert refs({}) == ["C-1", "C-2", "C-3"]
    assert refs({"partner": b.pk}) == ["C-2", "C-3"]
    assert refs({"status": "active"}) == ["C-2"]
    assert refs({"q": "assem"}) == ["C-2"]
    assert refs({"q": "aaa"}) == ["C-1"]
    assert refs({"ending_before": "2026-12-31"}) == ["C-1", "C-3"]
    assert refs({"sort": "-end"}) == ["C-2", "C-1", "C-3"]
    assert api.get("/api/v1/contracts", {"page_size": 2}).json()["count"] == 3
    assert_error(
        api.get("/api/v1/contracts", {"ending_before": "2026-02-30"}), 422, "validation_error"
    )


def test_patch_descriptive_fields_and_commercial_terms_of_a_draft(api, outsourcing_user, partner):
    contract = make_contract(outsourcing_user, partner)
    response = patch(
        api, f"/api/v1/contracts/{contract.pk}", {"title": "New title", "monthly_fee": "90000"}
    )
    assert response.status_code == 200, response.content
    assert (response.json()["title"], response.json()["monthly_fee"]) == ("New title", "90000.00")
    # A draft's first version follows its terms.
    assert ContractVersion.objects.get().monthly_fee == Decimal("90000.00")


def test_patch_commercial_terms_of_an_active_contract_is_a_conflict(api, outsourcing_user, partner):
    contract = make_contract(outsourcing_user, partner)
    contract_change_status(user=outsourcing_user, contract=contract, to_status="active", reason="x")

    error = assert_error(
        patch(api, f"/api/v1/contracts/{contract.pk}", {"monthly_fee": "1.00"}), 409, "conflict"
    )
    assert list(error["fields"]) == ["monthly_fee"]
    assert_error(
        patch(api, f"/api/v1/contracts/{contract.pk}", {"title": None}),
        422,
        "validation_error",
        {"title": ["Input should be a valid string"]},
    )
    contract.refresh_from_db()
    assert (contract.monthly_fee, contract.title) == (Decimal("100000.00"), "Moulding")


# --- lifecycle and amendments ----------------------------------------------------------------


def test_status_moves_and_refusals(api, outsourcing_user, partner):
    contract = make_contract(outsourcing_user, partner)
    url = f"/api/v1/contracts/{contract.pk}/status"

    response = post(api, url, {"to_status": "active", "reason": "Signed"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "active"

    error = assert_error(post(api, url, {"to_status": "draft", "reason": "Oops"}), 409, "conflict")
    assert error["fields"] == {
        "to_status": [
            "The contract is Active and cannot become Draft. Allowed: Expiring, Terminated."
        ]
    }
    error = assert_error(
        post(api, url, {"to_status": "paused", "reason": "x"}), 422, "validation_error"
    )
    assert list(error["fields"]) == ["to_status"]
    assert_error(
        post(api, url, {"to_status": "terminated", "reason": ""}),
        422,
        "validation_error",
        {"reason": ["String should have at least 1 character"]},
    )
    assert Contract.objects.get().status == "active"


def test_amendment_is_a_new_version(api, outsourcing_user, partner):
    contract = make_contract(outsourcing_user, partner)
    contract_change_status(user=outsourcing_user, contract=contract, to_status="active", reason="x")

    response = post(
        api,
        f"/api/v1/contracts/{contract.pk}/amendments",
        {
            "effective_from": "2027-01-01",
            "summary": "Fee indexed",
            "changes": {"monthly_fee": "103000.00"},
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["version"], body["effective_from"], body["monthly_fee"], body["currency"]) == (
        2,
        "2027-01-01",
        "103000.00",
        "CNY",
    )
    versions = api.get(f"/api/v1/contracts/{contract.pk}/versions").json()
    assert [(v["version"], v["monthly_fee"]) for v in versions] == [
        (1, "100000.00"),
        (2, "103000.00"),
    ]
    assert api.get(f"/api/v1/contracts/{contract.pk}").json()["monthly_fee"] == "103000.00"


def test_amendment_refusals(api, outsourcing_user, partner):
    contract = make_contract(outsourcing_user, partner)
    url = f"/api/v1/contracts/{contract.pk}/amendments"

    assert_error(
        post(api, url, {"effective_from": "2027-01-01", "summary": "Nothing", "changes": {}}),
        422,
        "validation_error",
    )
    error = assert_error(
        post(
            api,
            url,
            {"effective_from": "2025-01-01", "summary": "Early", "changes": {"value": "1"}},
        ),
        422,
        "validation_error",
    )
    assert list(error["fields"]) == ["effective_from"]
    error = assert_error(
        post(api, url, {"effective_from": "2027-01-01", "summary": "  ", "changes": {"value": 1}}),
        422,
        "validation_error",
    )
    assert list(error["fields"]) == ["summary"]
    assert ContractVersion.objects.count() == 1


# --- deliverables, RACI, dispute ladder, history ---------------------------------------------


def test_deliverable_flow(api, outsourcing_user, partner):
    contract = make_contract(outsourcing_user, partner)
    response = post(
        api,
        f"/api/v1/contracts/{contract.pk}/deliverables",
        {"kind": "milestone", "name": "First articles", "due_date": "2026-03-31"},
    )
    assert response.status_code == 201, response.content
    item = response.json()
    action_url = f"/api/v1/deliverables/{item['id']}/actions"

    future = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    assert_error(
        post(api, action_url, {"action": "deliver", "delivered_on": future}),
        422,
        "validation_error",
        {"delivered_on": ["The delivery date is in the future."]},
    )
    assert_error(post(api, action_url, {"action": "accept"}), 409, "conflict")
    response = post(api, action_url, {"action": "deliver", "delivered_on": "2026-03-30"})
    assert (response.json()["status"], response.json()["on_time"]) == ("delivered", True)
    response = post(api, action_url, {"action": "accept"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["accepted_by_id"]) == (
        "accepted",
        outsourcing_user.pk,
    )
    assert_error(post(api, action_url, {"action": "explode"}), 422, "validation_error")

    listed = api.get(f"/api/v1/contracts/{contract.pk}/deliverables").json()
    assert [(d["name"], d["status"], d["delivered_on"]) for d in listed] == [
        ("First articles", "accepted", "2026-03-30")
    ]


def test_raci_and_dispute_ladder(api, outsourcing_user, partner):
    contract = make_contract(outsourcing_user, partner)
    team = TeamFactory(name="Sourcing")
    contact = PartnerContactFactory(partner=partner, name="Li Wei")
    person = PersonFactory(full_name="Ana Ruiz")
    raci_save(
        user=outsourcing_user,
        contract=contract,
        rows=[{"activity": "Forecast", "assignments": [(team, "A"), (contact, "R")]}],
    )
    dispute_ladder_save(
        user=outsourcing_user,
        contract=contract,
        levels=[
            {
                "name": "Account managers",
                "response_hours": 24,
                "internal_people": [person],
                "partner_contacts": [contact],
            }
        ],
    )

    raci = api.get(f"/api/v1/contracts/{contract.pk}/raci").json()
    assert [(r["name"], r["position"]) for r in raci] == [("Forecast", 0)]
    assert sorted((a["party_kind"], a["party"], a["role"]) for a in raci[0]["assignments"]) == [
        ("contact", "Li Wei", "R"),
        ("team", str(team), "A"),
    ]
    ladder = api.get(f"/api/v1/contracts/{contract.pk}/dispute-ladder").json()
    assert ladder == [
        {
            "level": 1,
            "name": "Account managers",
            "response_hours": 24,
            "internal_people": [{"id": person.pk, "name": "Ana Ruiz"}],
            "partner_contacts": [{"id": contact.pk, "name": "Li Wei"}],
        }
    ]


def test_history(api, outsourcing_user, partner):
    contract = make_contract(outsourcing_user, partner)
    patch(api, f"/api/v1/contracts/{contract.pk}", {"title": "Renamed"})

    history = api.get(f"/api/v1/contracts/{contract.pk}/history").json()
    assert [h["action"] for h in history] == ["update", "create"]
    assert history[0]["changes"]["title"] == ["Moulding", "Renamed"]


# --- visibility ------------------------------------------------------------------------------


def test_partner_user_sees_only_their_own_partner(api_client, make_user, outsourcing_user):
    mine, other = PartnerFactory(code="MINE"), PartnerFactory(code="OTHER")
    own = make_contract(outsourcing_user, mine, "C-MINE")
    foreign = make_contract(outsourcing_user, other, "C-OTHER")
    Deliverable.objects.create(contract=foreign, name="Theirs", due_date="2026-05-01")
    client = api_client(make_user("partner", partner=mine))

    assert [c["reference"] for c in client.get("/api/v1/contracts").json()["items"]] == ["C-MINE"]
    assert client.get(f"/api/v1/contracts/{own.pk}").status_code == 200
    for url in (
        f"/api/v1/contracts/{foreign.pk}",
        f"/api/v1/contracts/{foreign.pk}/deliverables",
        f"/api/v1/contracts/{foreign.pk}/versions",
        f"/api/v1/contracts/{foreign.pk}/history",
    ):
        assert_error(client.get(url), 404, "not_found")
    assert client.get("/api/v1/contracts", {"partner": other.pk}).json()["items"] == []
    assert_error(
        post(
            client, f"/api/v1/contracts/{foreign.pk}/status", {"to_status": "active", "reason": "x"}
        ),
        404,
        "not_found",
    )
    # Their own contract is visible, but a partner user may not move it.
    assert_error(
        post(client, f"/api/v1/contracts/{own.pk}/status", {"to_status": "active", "reason": "x"}),
        403,
        "forbidden",
    )
