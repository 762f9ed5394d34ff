"""The performance API: from a contract with a tiered service level through measurements and
the month's close to the credit proposal finance reads; every refusal in the error shape with
its field (or row); batches are all or nothing; partner users see only their own partner."""

import datetime

import pytest

from partnerdesk.contracts.services.contracts import contract_change_status, contract_create
from partnerdesk.performance.models import Measurement, PeriodClose, ServiceLevelTerms
from partnerdesk.performance.schemas import PERIOD_MESSAGE
from tests.factories import PartnerFactory
from tests.support import assert_error

pytestmark = pytest.mark.django_db

TIERS = [
    {"threshold": "99.9", "percent_of_fee": "10"},
    {"threshold": "99", "percent_of_fee": "25"},
    {"threshold": "95", "percent_of_fee": "100"},
]
TERMS = {
    "target": "99.9",
    "critical": True,
    "credit_model": "tiered",
    "tiers": TIERS,
    "pool_allocation_percent": "50",
    "earn_back_periods": 2,
}


@pytest.fixture
def api(api_client, admin_user):
    return api_client(admin_user)


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def items(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["items"]


def make_contract(user, partner, reference="C-1"):
    contract = contract_create(
        user=user,
        partner=partner,
        data={
            "reference": reference,
            "title": "Moulding",
            "outsourced_scope": "Housings",
            "start_date": datetime.date(2026, 1, 1),
            "end_date": datetime.date(2027, 12, 31),
            "monthly_fee": "100000.00",
        },
    )
    contract_change_status(user=user, contract=contract, to_status="active", reason="Signed")
    return contract


def make_metric(client, code="uptime", **extra):
    body = {"code": code, "name": code.title(), "unit": "%", "direction": "higher"}
    response = post(client, "/api/v1/metrics", body | {"aggregation": "ratio"} | extra)
    assert response.status_code == 201, response.content
    return response.json()


def make_level(client, contract, metric="uptime", **terms):
    response = post(
        client,
        f"/api/v1/contracts/{contract.pk}/service-levels",
        {"metric": metric, "name": "Uptime", "terms": TERMS | terms},
    )
    assert response.status_code == 201, response.content
    return response.json()


def measure(client, contract, day, numerator, denominator, metric="uptime"):
    return post(
        client,
        "/api/v1/measurements",
        {
            "contract": contract.pk,
            "metric": metric,
            "measured_on": day,
            "numerator": numerator,
            "denominator": denominator,
            "evidence": "Monthly report",
        },
    )


@pytest.fixture
def setup(api, admin_user):
    partner = PartnerFactory(code="CMO-A")
    contract = make_contract(admin_user, partner)
    make_metric(api)
    level = make_level(api, contract)
    return partner, contract, level


# --- the whole flow --------------------------------------------------------------------------


def test_measurements_and_close_make_the_credit_proposal(api, admin_user):
    # Given an active contract (fee 100,000.00, 12 % at risk) with a tiered uptime level
    partner = PartnerFactory(code="CMO-A")
    response = post(
        api,
        "/api/v1/contracts",
        {
            "partner": partner.pk,
            "reference": "C-1",
            "title": "Moulding",
            "outsourced_scope": "Housings",
            "start_date": "2026-01-01",
            "end_date": "2027-12-31",
            "monthly_fee": "100000.00",
        },
    )
    contract_id = response.json()["id"]
    post(api, f"/api/v1/contracts/{contract_id}/status", {"to_status": "active", "reason": "x"})
    metric = make_metric(api)
    response = post(
        api,
        f"/api/v1/contracts/{contract_id}/service-levels",
        {"metric": metric["id"], "name": "Uptime", "terms": TERMS},
    )
    assert response.status_code == 201, response.content
    level = response.json()
    assert (level["contract_reference"], level["metric_code"]) == ("C-1", "uptime")
    [terms] = level["terms"]
    assert (terms["version"], terms["effective_from"], terms["target"]) == (
        1,
        "2026-01-01",
        "99.9000",
    )
    assert terms["tiers"] == TIERS
    assert terms["pool_allocation_percent"] == "50.00"

    # When 980 of 1,000 are measured for September and September is closed
    response = post(
        api,
        "/api/v1/measurements",
        {
            "contract": contract_id,
            "metric": "uptime",
            "measured_on": "2026-09-30",
            "numerator": 980,
            "denominator": 1000,
            "evidence": "Monthly report",
        },
    )
    assert response.status_code == 201, response.content
    measurement = response.json()
    assert (measurement["period"], measurement["value"], measurement["source"]) == (
        "2026-09",
        "98.0000",
        "api",
    )
    response = post(api, "/api/v1/period-closes", {"period": "2026-09"})
    assert response.status_code == 201, response.content
    close = response.json()
    assert (close["period"], close["revision"], close["is_standing"]) == ("2026-09", 1, True)
    assert close["summary"]["credit_totals"] == {"CNY": "6000.00"}

    # Then 98 % is below 99 → 25 % of the fee = 25,000.00, capped by the pool (50 % of the
    # 12,000.00 at risk) to 6,000.00, proposed to finance
    proposals = items(api.get("/api/v1/credit-proposals", {"period": "2026-09"}))
    assert [
        {k: p[k] for k in ("partner_code", "contract_reference", "kind", "amount", "currency")}
        | {"status": p["status"], "period": p["period"]}
        for p in proposals
    ] == [
        {
            "partner_code": "CMO-A",
            "contract_reference": "C-1",
            "kind": "credit",
            "amount": "6000.00",
            "currency": "CNY",
            "status": "proposed",
            "period": "2026-09",
        }
    ]
    [result] = items(api.get(f"/api/v1/period-closes/{close['id']}/results"))
    assert {
        k: result[k] for k in ("attainment", "outcome", "raw_credit", "pool_cap", "credit")
    } == {
        "attainment": "98.0000",
        "outcome": "breach",
        "raw_credit": "25000.00",
        "pool_cap": "6000.00",
        "credit": "6000.00",
    }
    explained = api.get(f"/api/v1/results/{result['id']}/explanation").json()
    assert explained["explanation"]["monthly_fee"] == "100000.00"
    assert explained["explanation"]["at_risk_amount"] == "12000.00"
    assert explained["explanation"]["steps"]


def test_reopen_correct_and_close_again(api, setup):
    _partner, contract, _level = setup
    measurement = measure(api, contract, "2026-09-30", 980, 1000).json()
    post(api, "/api/v1/period-closes", {"period": "2026-09"})

    response = post(api, "/api/v1/period-closes/2026-09/reopen", {"reason": "Wrong count"})
    assert response.status_code == 200, response.content
    assert (response.json()["is_standing"], response.json()["reopen_reason"]) == (
        False,
        "Wrong count",
    )
    response = post(
        api,
        f"/api/v1/measurements/{measurement['id']}/corrections",
        {"reason": "Recount", "numerator": 999, "denominator": 1000},
    )
    assert response.status_code == 201, response.content
    assert (response.json()["value"], response.json()["correction_reason"]) == (
        "99.9000",
        "Recount",
    )
    assert [m["value"] for m in items(api.get("/api/v1/measurements"))] == ["99.9000"]
    everything = items(api.get("/api/v1/measurements", {"current": "false"}))
    assert sorted((m["value"], m["is_current"]) for m in everything) == [
        ("98.0000", False),
        ("99.9000", True),
    ]
    second = post(api, "/api/v1/period-closes", {"period": "2026-09"}).json()
    assert second["revision"] == 2
    assert [p["status"] for p in items(api.get("/api/v1/credit-proposals"))] == ["superseded"]
    assert [
        c["revision"] for c in items(api.get("/api/v1/period-closes", {"standing": "true"}))
    ] == [2]


def test_terms_versions_and_exclusions(api, setup, api_client, make_user):
    _partner, _contract, level = setup
    post(api, "/api/v1/period-closes", {"period": "2026-09"})
    url = f"/api/v1/service-levels/{level['id']}/terms"

    error = assert_error(
        post(api, url, {"effective_from": "2026-09-01", "terms": TERMS}), 409, "conflict"
    )
    assert list(error["fields"]) == ["effective_from"]
    response = post(api, url, {"effective_from": "2026-11-01", "terms": TERMS | {"target": "99"}})
    assert response.status_code == 201, response.content
    assert (response.json()["version"], response.json()["target"]) == (2, "99.0000")

    response = post(
        api,
        f"/api/v1/service-levels/{level['id']}/exclusions",
        {"period": "2026-10", "reason": "Typhoon closed the port"},
    )
    assert response.status_code == 201, response.content
    exclusion = response.json()
    assert (exclusion["period"], exclusion["status"]) == ("2026-10", "requested")
    decision = f"/api/v1/exclusions/{exclusion['id']}/decision"
    assert_error(post(api, decision, {"approve": True}), 403, "forbidden")
    finance = api_client(make_user("finance"))
    response = post(finance, decision, {"approve": True})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "approved"

    detail = finance.get(f"/api/v1/service-levels/{level['id']}").json()
    assert [t["version"] for t in detail["terms"]] == [2, 1]
    assert [e["status"] for e in detail["exclusions"]] == ["approved"]


def test_scores_and_standing(api, setup):
    partner, contract, _level = setup
    response = post(
        api,
        "/api/v1/scorecard-policies",
        {
            "name": "Default",
            "effective_from": "2026-01-01",
            "decay": "0.5",
            "window": 3,
            "criteria": [{"metric": "uptime", "weight": 100, "worst": 90, "best": 100}],
            "bands": [
                {"name": "Good", "lower": 70, "upper": 100, "action": "none"},
                {"name": "Poor", "lower": 0, "upper": 70, "action": "block"},
            ],
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["criteria"] == [
        {"metric": "uptime", "weight": "100.00", "worst": "90.0000", "best": "100.0000"}
    ]
    measure(api, contract, "2026-09-30", 950, 1000)
    post(api, "/api/v1/period-closes", {"period": "2026-09"})

    # 95 % between 90 (0) and 100 (100) → 50.00 → Poor, which blocks
    [score] = items(api.get("/api/v1/scores", {"partner": partner.pk, "period": "2026-09"}))
    assert {k: score[k] for k in ("score", "overall", "standing", "action", "policy_version")} == {
        "score": "50.00",
        "overall": "50.00",
        "standing": "Poor",
        "action": "block",
        "policy_version": 1,
    }
    explained = api.get(f"/api/v1/scores/{score['id']}/explanation").json()
    assert explained["explanation"]["parts"][0]["normalised"] == "50.0"
    assert api.get(f"/api/v1/partners/{partner.pk}/standing").json() == {
        "partner_id": partner.pk,
        "score_id": score["id"],
        "period": "2026-09",
        "score": "50.00",
        "overall": "50.00",
        "standing": "Poor",
        "action": "block",
    }
    other = PartnerFactory()
    assert api.get(f"/api/v1/partners/{other.pk}/standing").json()["action"] == "none"


def test_metrics_list_and_patch(api):
    metric = make_metric(api, "scrap_rate", unit="ppm", direction="lower", aggregation="mean")
    response = api.patch(
        f"/api/v1/metrics/{metric['id']}", {"name": "Scrap"}, content_type="application/json"
    )
    assert (response.status_code, response.json()["name"]) == (200, "Scrap")
    assert [m["code"] for m in items(api.get("/api/v1/metrics", {"q": "scrap"}))] == ["scrap_rate"]
    error = assert_error(
        post(api, "/api/v1/metrics", {**metric, "code": "scrap_rate"}), 409, "conflict"
    )
    assert list(error["fields"]) == ["code"]
    error = assert_error(
        post(api, "/api/v1/metrics", {**metric, "code": "x", "source": "derived"}),
        422,
        "validation_error",
    )
    assert list(error["fields"]) == ["derived_source"]


# --- refusals --------------------------------------------------------------------------------


def test_bad_period_text_names_period(api):
    for body in ({"period": "2026-13"}, {"period": "Sept 2026"}, {"period": "0000-01"}):
        assert_error(
            post(api, "/api/v1/period-closes", body),
            422,
            "validation_error",
            {"period": [PERIOD_MESSAGE]},
        )
    assert_error(
        post(api, "/api/v1/period-closes/2026-9/reopen", {"reason": "x"}),
        422,
        "validation_error",
        {"period": [PERIOD_MESSAGE]},
    )
    assert_error(
        api.get("/api/v1/credit-proposals", {"period": "0000-01"}),
        422,
        "validation_error",
        {"period": [PERIOD_MESSAGE]},
    )
    assert_error(api.get("/api/v1/measurements", {"period": "2026-00"}), 422, "validation_error")
    assert not PeriodClose.objects.exists()


def test_closing_refusals(api):
    error = assert_error(
        post(api, "/api/v1/period-closes", {"period": "2099-01"}), 422, "validation_error"
    )
    assert list(error["fields"]) == ["period"]
    post(api, "/api/v1/period-closes", {"period": "2026-09"})
    error = assert_error(post(api, "/api/v1/period-closes", {"period": "2026-09"}), 409, "conflict")
    assert list(error["fields"]) == ["period"]
    error = assert_error(
        post(api, "/api/v1/period-closes/2026-08/reopen", {"reason": "x"}), 409, "conflict"
    )
    assert error["fields"] == {"period": ["2026-08 is not closed."]}
    assert_error(
        post(api, "/api/v1/period-closes/2026-09/reopen", {"reason": "  "}),
        422,
        "validation_error",
        {"reason": ["String should have at least 1 character"]},
    )


def test_measurement_refusals(api, setup):
    _partner, contract, _level = setup
    assert measure(api, contract, "2026-09-30", 980, 1000).status_code == 201

    error = assert_error(measure(api, contract, "2026-09-30", 990, 1000), 409, "conflict")
    assert list(error["fields"]) == ["measured_on"]
    assert "already has" in error["fields"]["measured_on"][0]
    assert_error(
        measure(api, contract, "2026-09-29", 1001, 1000),
        422,
        "validation_error",
        {"numerator": ["The numerator must be between 0 and the denominator."]},
    )
    error = assert_error(measure(api, contract, "2025-12-31", 1, 1), 422, "validation_error")
    assert list(error["fields"]) == ["measured_on"]
    error = assert_error(
        post(
            api,
            "/api/v1/measurements",
            {"contract": 999999, "metric": "nope", "measured_on": "2026-09-01", "value": 1},
        ),
        422,
        "validation_error",
    )
    assert error["fields"] == {"contract": ["Unknown contract."]}

    post(api, "/api/v1/period-closes", {"period": "2026-09"})
    assert_error(
        measure(api, contract, "2026-09-15", 1, 1),
        409,
        "conflict",
        {"measured_on": ["2026-09 is closed; reopen it to change its measurements."]},
    )
    assert Measurement.objects.count() == 1


def test_non_monotonic_tiers_name_the_row(api, admin_user):
    contract = make_contract(admin_user, PartnerFactory())
    make_metric(api)
    tiers = [TIERS[0], {"threshold": "99", "percent_of_fee": "5"}, TIERS[2]]
    error = assert_error(
        post(
            api,
            f"/api/v1/contracts/{contract.pk}/service-levels",
            {"metric": "uptime", "terms": TERMS | {"tiers": tiers}},
        ),
        422,
        "validation_error",
    )
    assert error["fields"] == {
        "terms.tiers": [
            "Row 2: below 99 gives 5 %, which must be more than the 10 % of row 1 (below 99.9)."
        ]
    }
    error = assert_error(
        post(
            api,
            f"/api/v1/contracts/{contract.pk}/service-levels",
            {"metric": "uptime", "terms": TERMS | {"tiers": [{"threshold": "x"}]}},
        ),
        422,
        "validation_error",
    )
    assert set(error["fields"]) == {"terms.tiers.0.threshold", "terms.tiers.0.percent_of_fee"}
    assert not ServiceLevelTerms.objects.exists()


def test_pool_allocations_above_100_name_the_sum(api, setup):
    _partner, contract, _level = setup
    make_metric(api, "response")
    error = assert_error(
        post(
            api,
            f"/api/v1/contracts/{contract.pk}/service-levels",
            {"metric": "response", "terms": TERMS | {"pool_allocation_percent": "60"}},
        ),
        422,
        "validation_error",
    )
    assert error["fields"] == {
        "terms.pool_allocation_percent": ["Pool allocations add up to 110.00 %, more than 100 %."]
    }
    assert ServiceLevelTerms.objects.count() == 1


def test_duplicate_service_level_and_unknown_metric(api, setup):
    _partner, contract, _level = setup
    url = f"/api/v1/contracts/{contract.pk}/service-levels"
    error = assert_error(post(api, url, {"metric": "uptime", "terms": TERMS}), 409, "conflict")
    assert list(error["fields"]) == ["metric"]
    assert_error(
        post(api, url, {"metric": "nope", "terms": TERMS}),
        422,
        "validation_error",
        {"metric": ["Unknown metric."]},
    )


def test_weights_not_summing_to_100(api):
    make_metric(api)
    make_metric(api, "response")
    error = assert_error(
        post(
            api,
            "/api/v1/scorecard-policies",
            {
                "name": "Default",
                "effective_from": "2026-01-01",
                "criteria": [
                    {"metric": "uptime", "weight": 60, "worst": 90, "best": 100},
                    {"metric": "response", "weight": 30, "worst": 90, "best": 100},
                ],
                "bands": [{"name": "All", "lower": 0, "upper": 100}],
            },
        ),
        422,
        "validation_error",
    )
    assert error["fields"] == {"criteria": ["Weights add up to 90, not 100."]}


# --- batches ---------------------------------------------------------------------------------


def row(contract, day, numerator, denominator, metric="uptime"):
    return {
        "contract": contract.pk,
        "metric": metric,
        "measured_on": day,
        "numerator": numerator,
        "denominator": denominator,
    }


def test_batch_records_every_row(api, setup):
    _partner, contract, _level = setup
    response = post(
        api,
        "/api/v1/measurements/batch",
        {"rows": [row(contract, "2026-09-29", 99, 100), row(contract, "2026-09-30", 98, 100)]},
    )
    assert response.status_code == 201, response.content
    assert response.json()["created"] == 2
    assert [m["value"] for m in response.json()["items"]] == ["99.0000", "98.0000"]
    assert set(Measurement.objects.values_list("source", flat=True)) == {"api"}


def test_batch_with_one_bad_row_writes_nothing(api, setup):
    _partner, contract, _level = setup
    rows = [
        row(contract, "2026-09-28", 99, 100),
        row(contract, "2026-09-29", 101, 100),  # numerator above the denominator
        row(contract, "2026-09-28", 97, 100),  # repeats row 0
        row(contract, "2026-09-30", 97, 100, metric="nope"),
    ]
    error = assert_error(
        post(api, "/api/v1/measurements/batch", {"rows": rows}), 422, "validation_error"
    )
    assert error["fields"] == {
        "rows.1.numerator": ["The numerator must be between 0 and the denominator."],
        "rows.2.measured_on": ["Repeats row 0 of this batch."],
        "rows.3.metric": ["Unknown metric."],
    }
    assert error["message"] == "3 of 4 rows have problems; nothing was recorded."
    assert not Measurement.objects.exists()


def test_batch_schema_errors_are_keyed_by_row(api, setup):
    _partner, contract, _level = setup
    rows = [row(contract, "2026-09-28", 99, 100), row(contract, "2026-02-30", 99, 100)]
    error = assert_error(
        post(api, "/api/v1/measurements/batch", {"rows": rows}), 422, "validation_error"
    )
    assert list(error["fields"]) == ["rows.1.measured_on"]
    assert not Measurement.objects.exists()


def test_batch_of_conflicts_only_is_a_409(api, setup):
    _partner, contract, _level = setup
    measure(api, contract, "2026-08-31", 99, 100)
    post(api, "/api/v1/period-closes", {"period": "2026-09"})
    rows = [row(contract, "2026-09-30", 99, 100), row(contract, "2026-08-31", 98, 100)]
    error = assert_error(post(api, "/api/v1/measurements/batch", {"rows": rows}), 409, "conflict")
    assert error["fields"] == {
        "rows.0.measured_on": ["2026-09 is closed; reopen it to change its measurements."],
        "rows.1.measured_on": ["A value for this contract, metric and date exists; correct it."],
    }
    assert Measurement.objects.count() == 1


# --- visibility ------------------------------------------------------------------------------


def test_partner_user_of_another_partner_sees_nothing(api, setup, api_client, make_user):
    partner, contract, level = setup
    measurement = measure(api, contract, "2026-09-30", 980, 1000).json()
    post(api, "/api/v1/period-closes", {"period": "2026-09"})
    own = api_client(make_user("partner", partner=partner, username="own-partner"))
    assert [m["id"] for m in items(own.get("/api/v1/measurements"))] == [measurement["id"]]
    assert own.get(f"/api/v1/service-levels/{level['id']}").status_code == 200

    stranger = api_client(make_user("partner", partner=PartnerFactory(), username="stranger"))
    for url in (
        "/api/v1/service-levels",
        "/api/v1/measurements",
        "/api/v1/credit-proposals",
        "/api/v1/scores",
        "/api/v1/period-closes",
    ):
        assert items(stranger.get(url)) == [], url
    for url in (
        f"/api/v1/service-levels/{level['id']}",
        f"/api/v1/measurements/{measurement['id']}",
        f"/api/v1/partners/{partner.pk}/standing",
        f"/api/v1/contracts/{contract.pk}",
    ):
        assert_error(stranger.get(url), 404, "not_found")
    assert_error(
        post(
            stranger,
            f"/api/v1/contracts/{contract.pk}/service-levels",
            {"metric": "uptime", "terms": TERMS},
        ),
        404,
        "not_found",
    )
    assert_error(
        post(
            stranger,
            f"/api/v1/measurements/{measurement['id']}/corrections",
            {"reason": "x", "numerator": 1, "denominator": 1},
        ),
        404,
        "not_found",
    )
