"""The quality API, incoming inspection: standards and parameters, a lot opened on a goods
receipt line with its ISO 2859-1 plan, readings entered and imported (refused whole when one
is wrong), the automatic decision, the quality hold and nonconformance of a rejected lot, its
disposition, sampling states; who may do what."""

import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from partnerdesk.accounts.services import api_token_create
from partnerdesk.finance.models import GoodsReceiptLine
from partnerdesk.quality.models import (
    CostEvent,
    InspectionParameter,
    InspectionStandard,
    LotInspection,
    Nonconformance,
    SampleReading,
)
from tests.factories import (
    DefectTypeFactory,
    GoodsReceiptLineFactory,
    InspectionParameterFactory,
    InspectionStandardFactory,
    ItemCategoryFactory,
    PartnerFactory,
    PurchaseOrderLineFactory,
    SampleReadingFactory,
    SamplingStateFactory,
)
from tests.support import assert_error

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


@pytest.fixture
def quality(make_user):
    return client_for(make_user("quality", username="inspector"))


@pytest.fixture
def partner():
    return PartnerFactory(code="REGRIND-CO")


@pytest.fixture
def standard():
    """Regrind: moisture 0 to 0.5 % (plausible 0 to 20 %) and a colour check (pass/fail);
    AQL 10 at level II: a lot of 8 bags is sampled 5 bags, Ac 1, Re 2."""
    standard = InspectionStandardFactory(code="RG-PP", item="REGRIND-PP", aql=Decimal(10))
    InspectionParameterFactory(
        standard=standard,
        position=1,
        code="moisture",
        unit="%",
        lower_limit=Decimal(0),
        upper_limit=Decimal("0.5"),
        plausible_min=Decimal(0),
        plausible_max=Decimal(20),
        defect_type=DefectTypeFactory(code="MOISTURE"),
    )
    InspectionParameterFactory(
        standard=standard,
        position=2,
        code="colour",
        kind="attribute",
        unit="",
        lower_limit=Decimal(1),
        upper_limit=None,
        plausible_min=None,
        plausible_max=None,
    )
    return standard


@pytest.fixture
def line(partner, standard):
    """A receipt of 8 bags of regrind."""
    order_line = PurchaseOrderLineFactory(
        order__partner=partner, item="REGRIND-PP", quantity=Decimal(8), unit="bags"
    )
    return GoodsReceiptLineFactory(order_line=order_line)


def open_lot(client, line, **extra):
    return ok(call(client, "POST", "/lots", {"receipt_line": line.pk} | extra), 201)


def readings(units, moisture="0.2", colour="pass"):
    rows = []
    for unit in units:
        rows.append({"unit": unit, "parameter": "moisture", "value": moisture})
        rows.append({"unit": unit, "parameter": "colour", "value": colour})
    return {"readings": rows}


# --- standards ---------------------------------------------------------------------------------


def test_a_standard_and_its_parameters_are_set_up_through_the_api(quality):
    category = ItemCategoryFactory(code="RESIN")
    created = ok(
        call(
            quality,
            "POST",
            "/inspection-standards",
            {"code": "RESIN-STD", "name": "Resin", "category": category.pk, "aql": "2.5"},
        ),
        201,
    )
    assert (created["category_code"], created["level"], created["aql"], created["item"]) == (
        "RESIN",
        "II",
        "2.500",
        "",
    )
    sid = created["id"]
    defect = DefectTypeFactory(code="MFI")
    mfi = ok(
        call(
            quality,
            "POST",
            f"/inspection-standards/{sid}/parameters",
            {
                "code": "mfi",
                "name": "Melt flow index",
                "unit": "g/10 min",
                "target": "12",
                "lower_limit": "10",
                "upper_limit": "14",
                "plausible_min": "0",
                "plausible_max": "100",
                "defect_type": defect.pk,
            },
        ),
        201,
    )
    assert (mfi["position"], mfi["lower_limit"], mfi["defect_type_code"]) == (1, "10.0000", "MFI")
    specks = ok(
        call(
            quality,
            "POST",
            f"/inspection-standards/{sid}/parameters",
            {"code": "specks", "name": "Black specks", "kind": "attribute"},
        ),
        201,
    )
    assert (specks["position"], specks["kind"]) == (2, "attribute")

    detail = ok(quality.get(f"{API}/inspection-standards/{sid}"))
    assert [p["code"] for p in detail["parameters"]] == ["mfi", "specks"]
    assert detail["parameter_count"] == 2
    changed = ok(
        call(quality, "PATCH", f"/inspection-standards/{sid}", {"level": "III", "aql": "1.5"})
    )
    assert (changed["level"], changed["aql"], changed["code"]) == ("III", "1.500", "RESIN-STD")
    widened = ok(call(quality, "PATCH", f"/inspection-parameters/{mfi['id']}", {"upper_limit": 15}))
    assert (widened["upper_limit"], widened["lower_limit"]) == ("15.0000", "10.0000")
    ok(call(quality, "DELETE", f"/inspection-parameters/{specks['id']}"), 204)
    assert list(InspectionParameter.objects.filter(standard_id=sid).values_list("code")) == [
        ("mfi",)
    ]
    listed = ok(quality.get(f"{API}/inspection-standards", {"category": category.pk}))
    assert [s["code"] for s in listed["items"]] == ["RESIN-STD"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"code": "S1", "name": "No scope", "aql": "1.0"}, "item"),
        ({"code": "S2", "name": "Odd AQL", "item": "X", "aql": "0.3"}, "aql"),
        ({"code": "S3", "name": "Zero AQL", "item": "X", "aql": "0"}, "aql"),
        ({"code": "S4", "name": "Level", "item": "X", "aql": "1.0", "level": "IV"}, "level"),
        ({"code": "S5", "name": "Category", "category": 2**31 - 1, "aql": "1.0"}, "category"),
    ],
)
def test_bad_standards_are_field_errors(quality, body, field):
    error = assert_error(
        call(quality, "POST", "/inspection-standards", body), 422, "validation_error"
    )
    assert field in error["fields"], error
    assert not InspectionStandard.objects.filter(code=body["code"]).exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"code": "m", "name": "No limits"}, "lower_limit"),
        ({"code": "m", "name": "Crossed", "lower_limit": 5, "upper_limit": 1}, "upper_limit"),
        (
            {"code": "m", "name": "Implausible", "upper_limit": 50, "plausible_max": 20},
            "upper_limit",
        ),
        ({"code": "not a slug", "name": "Code", "upper_limit": 1}, "code"),
        ({"code": "m", "name": "Infinite", "upper_limit": "Infinity"}, "upper_limit"),
    ],
)
def test_bad_parameters_are_field_errors(quality, standard, body, field):
    response = call(quality, "POST", f"/inspection-standards/{standard.pk}/parameters", body)
    error = assert_error(response, 422, "validation_error")
    assert field in error["fields"], error
    assert standard.parameters.count() == 2


def test_a_parameter_read_in_a_lot_is_not_deleted(quality, standard):
    reading = SampleReadingFactory(
        inspection__standard=standard, parameter=standard.parameters.get(code="moisture")
    )
    assert_error(
        call(quality, "DELETE", f"/inspection-parameters/{reading.parameter_id}"), 409, "conflict"
    )
    assert InspectionParameter.objects.filter(pk=reading.parameter_id).exists()
    response = call(
        quality,
        "POST",
        f"/inspection-standards/{standard.pk}/parameters",
        {"code": "moisture", "name": "Again", "upper_limit": 1},
    )
    # A code taken in the standard: refused (422 from the model's unique constraint).
    assert response.status_code in (409, 422), response.content
    assert standard.parameters.count() == 2


# --- lots --------------------------------------------------------------------------------------


def test_a_lot_is_opened_with_its_plan_and_rejected_from_its_readings(quality, line, standard):
    lot = open_lot(quality, line, lot_size=8)
    # 8 bags, level II: code letter A; AQL 10 points down to letter C: n=5, Ac 1, Re 2.
    assert (lot["code_letter"], lot["plan_letter"], lot["sample_size"]) == ("A", "C", 5)
    assert (lot["accept_number"], lot["reject_number"], lot["severity"]) == (1, 2, "normal")
    assert (lot["status"], lot["standard_code"], lot["item"]) == ("open", "RG-PP", "REGRIND-PP")
    assert lot["plan_explanation"].endswith("n=5, Ac=1, Re=2")
    assert (lot["readings_expected"], lot["readings_recorded"], lot["switching"]) == (10, 0, None)
    assert [p["code"] for p in lot["parameters"]] == ["moisture", "colour"]
    lot_id = lot["id"]

    # One implausible reading: nothing of the batch is saved.
    body = readings([1, 2])
    body["readings"][2]["value"] = "55"
    error = assert_error(
        call(quality, "POST", f"/lots/{lot_id}/readings", body), 422, "validation_error"
    )
    assert "outside the plausible range" in error["fields"]["readings"][0]
    assert "unit 2" in error["fields"]["readings"][0]
    assert not SampleReading.objects.exists()

    partial = ok(call(quality, "POST", f"/lots/{lot_id}/readings", readings([1, 2], "0.9")))
    assert (partial["status"], partial["readings_recorded"]) == ("open", 4)
    assert partial["readings"][0] == {
        "unit": 1,
        "parameter": "moisture",
        "value": "0.9000",
        "conforming": False,
    }
    error = assert_error(call(quality, "POST", f"/lots/{lot_id}/decide"), 422, "validation_error")
    assert "6 readings are missing" in error["message"]
    assert "readings" in error["fields"]

    decided = ok(call(quality, "POST", f"/lots/{lot_id}/readings", readings([3, 4, 5])))
    assert (decided["status"], decided["defectives"], decided["readings_recorded"]) == (
        "rejected",
        2,
        10,
    )
    assert decided["switching"]["before"] == "normal" and decided["switching"]["after"]
    assert decided["on_hold"] is True and decided["number"] in decided["hold_reason"]
    nc = Nonconformance.objects.get(lot_inspection_id=lot_id)
    assert (decided["nonconformance_id"], decided["nonconformance_number"]) == (nc.pk, nc.number)
    assert (nc.defect_type.code, nc.source, nc.severity) == ("MOISTURE", "inspection", "major")
    assert GoodsReceiptLine.objects.get(pk=line.pk).on_hold is True

    # A decided lot takes no more readings and is not decided again.
    assert_error(call(quality, "POST", f"/lots/{lot_id}/readings", readings([1])), 409, "conflict")
    assert_error(call(quality, "POST", f"/lots/{lot_id}/decide"), 409, "conflict")


def test_a_lot_is_decided_on_request_once_its_sample_is_complete(quality, line, standard):
    lot = open_lot(quality, line, lot_size=8)
    moisture_only = [{"unit": u, "parameter": "moisture", "value": "0.1"} for u in range(1, 6)]
    recorded = ok(call(quality, "POST", f"/lots/{lot['id']}/readings", {"readings": moisture_only}))
    assert (recorded["status"], recorded["readings_expected"]) == ("open", 10)
    # The colour check is dropped from the standard: the readings taken are now complete.
    colour = standard.parameters.get(code="colour")
    ok(call(quality, "DELETE", f"/inspection-parameters/{colour.pk}"), 204)
    decided = ok(call(quality, "POST", f"/lots/{lot['id']}/decide"))
    assert (decided["status"], decided["defectives"], decided["readings_expected"]) == (
        "accepted",
        0,
        5,
    )
    assert decided["decided_at"] and decided["switching"]["after"] == "normal"
    assert GoodsReceiptLine.objects.get(pk=line.pk).quantity_accepted == Decimal(8)


def test_a_rejected_lot_needs_a_valid_disposition_which_lifts_the_hold(quality, line, standard):
    lot = open_lot(quality, line, lot_size=8)
    lot_id = lot["id"]
    ok(call(quality, "POST", f"/lots/{lot_id}/readings", readings([1, 2], "0.9")))
    ok(call(quality, "POST", f"/lots/{lot_id}/readings", readings([3, 4, 5])))

    error = assert_error(
        call(quality, "POST", f"/lots/{lot_id}/disposition", {"disposition": "use_as_is"}),
        422,
        "validation_error",
    )
    assert error["fields"] == {"concession_reference": ["Give the concession's reference."]}
    error = assert_error(
        call(quality, "POST", f"/lots/{lot_id}/disposition", {"disposition": "sort"}),
        422,
        "validation_error",
    )
    assert "quantity_accepted" in error["fields"]
    error = assert_error(
        call(
            quality,
            "POST",
            f"/lots/{lot_id}/disposition",
            {"disposition": "sort", "quantity_accepted": "9"},
        ),
        422,
        "validation_error",
    )
    assert "quantity_accepted" in error["fields"]
    error = assert_error(
        call(quality, "POST", f"/lots/{lot_id}/disposition", {"disposition": "burn"}),
        422,
        "validation_error",
    )
    assert "disposition" in error["fields"]
    assert LotInspection.objects.get(pk=lot_id).disposition == ""

    disposed = ok(
        call(
            quality,
            "POST",
            f"/lots/{lot_id}/disposition",
            {
                "disposition": "sort",
                "quantity_accepted": "6",
                "cost_amount": "120",
                "note": "Sorted at the supplier",
            },
        )
    )
    assert (disposed["disposition"], disposed["disposition_note"], disposed["on_hold"]) == (
        "sort",
        "Sorted at the supplier",
        False,
    )
    receipt_line = GoodsReceiptLine.objects.get(pk=line.pk)
    assert (receipt_line.quantity_accepted, receipt_line.quantity_rejected) == (
        Decimal(6),
        Decimal(2),
    )
    cost = CostEvent.objects.get(lot_inspection_id=lot_id)
    assert (cost.amount, cost.currency, cost.chargeback, cost.kind) == (
        Decimal("120.00"),
        "CNY",
        True,
        "quality_defect",
    )
    assert_error(
        call(quality, "POST", f"/lots/{lot_id}/disposition", {"disposition": "scrap"}),
        409,
        "conflict",
    )


def test_a_conforming_lot_is_accepted_and_released(quality, line):
    lot = open_lot(quality, line, lot_size=8)
    numbers = {"readings": readings([1, 2, 3, 4, 5], moisture=0.25, colour=1)["readings"]}
    decided = ok(call(quality, "POST", f"/lots/{lot['id']}/readings", numbers))
    assert (decided["status"], decided["defectives"], decided["on_hold"]) == ("accepted", 0, False)
    assert decided["nonconformance_id"] is None
    assert_error(
        call(quality, "POST", f"/lots/{lot['id']}/disposition", {"disposition": "scrap"}),
        409,
        "conflict",
    )
    assert GoodsReceiptLine.objects.get(pk=line.pk).quantity_accepted == Decimal(8)


def test_readings_are_imported_from_a_csv_file(quality, line):
    lot = open_lot(quality, line, lot_size=8)
    rows = "".join(f"{u};moisture;0,3\n{u};colour;pass\n" for u in range(1, 6))
    upload = SimpleUploadedFile("readings.csv", ("\ufeffUnit;Parameter;Value\n" + rows).encode())
    decided = ok(quality.post(f"{API}/lots/{lot['id']}/readings/import", {"file": upload}))
    assert (decided["status"], decided["readings_recorded"]) == ("accepted", 10)
    assert decided["readings"][0]["value"] == "0.3000"


@pytest.mark.parametrize(
    "content, field, text",
    [
        (b"unit,parameter,value\n1,moisture,0.2\n2,viscosity,3\n", "readings", "row 3"),
        (b"unit,parameter\n1,moisture\n", "file", "value"),
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "file", "CSV"),
        ("unit,parameter,value\n1,moisture,0.2\n".encode("utf-16"), "file", "CSV"),
        (
            b"unit,parameter,value\n1,moisture," + b"9" * 140_000 + b"\n",
            "file",
            "CSV",
        ),
    ],
)
def test_a_bad_readings_file_is_refused_whole(quality, line, content, field, text):
    lot = open_lot(quality, line, lot_size=8)
    upload = SimpleUploadedFile("readings.csv", content)
    response = quality.post(f"{API}/lots/{lot['id']}/readings/import", {"file": upload})
    error = assert_error(response, 422, "validation_error")
    assert field in error["fields"], error
    assert text in (error["message"] + " ".join(error["fields"][field]))
    assert not SampleReading.objects.exists()


@pytest.mark.parametrize(
    "reading, text",
    [
        ({"unit": 6, "parameter": "moisture", "value": "0.1"}, "not a sample unit"),
        ({"unit": 1, "parameter": "viscosity", "value": "0.1"}, "unknown parameter"),
        ({"unit": 1, "parameter": "moisture", "value": "wet"}, "not a number"),
        ({"unit": 1, "parameter": "colour", "value": "maybe"}, "not pass (1) or fail (0)"),
        ({"unit": 1, "parameter": "moisture", "value": "-1"}, "plausible range"),
        ({"unit": 1, "parameter": "moisture", "value": 1e300}, "plausible range"),
    ],
)
def test_each_bad_reading_is_named(quality, line, reading, text):
    lot = open_lot(quality, line, lot_size=8)
    response = call(quality, "POST", f"/lots/{lot['id']}/readings", {"readings": [reading]})
    error = assert_error(response, 422, "validation_error")
    assert text in error["fields"]["readings"][0]
    assert not SampleReading.objects.exists()


def test_a_reading_too_large_for_the_column_is_refused_without_a_plausible_range(quality, line):
    InspectionParameter.objects.filter(code="moisture").update(plausible_max=None)
    lot = open_lot(quality, line, lot_size=8)
    for value in ("9999999999.99999", "-1e10", "1E+400"):
        reading = {"unit": 1, "parameter": "moisture", "value": value}
        response = call(quality, "POST", f"/lots/{lot['id']}/readings", {"readings": [reading]})
        error = assert_error(response, 422, "validation_error")
        assert "plausible range" in error["fields"]["readings"][0]
    ok(call(quality, "POST", f"/lots/{lot['id']}/readings", readings([1], "9999999999.9999")))
    assert SampleReading.objects.get(unit_no=1, parameter__code="moisture").value == Decimal(
        "9999999999.9999"
    )


@pytest.mark.parametrize(
    "body, field",
    [
        ({"readings": []}, "readings"),
        ({"readings": [{"unit": 0, "parameter": "moisture", "value": 1}]}, "readings.0.unit"),
        ({"readings": [{"unit": 1, "parameter": "moisture", "value": True}]}, "readings.0.value"),
        ({"readings": [{"unit": 1, "parameter": "moisture", "value": ""}]}, "readings.0.value"),
        ({"readings": [{"unit": 1, "parameter": "a b", "value": 1}]}, "readings.0.parameter"),
    ],
)
def test_malformed_readings_are_schema_errors(quality, line, body, field):
    lot = open_lot(quality, line, lot_size=8)
    response = call(quality, "POST", f"/lots/{lot['id']}/readings", body)
    error = assert_error(response, 422, "validation_error")
    assert field in error["fields"], error


def test_a_counted_lot_size_defaults_to_the_quantity_received(quality, partner):
    standard = InspectionStandardFactory(item="HOUSING-A", aql=Decimal("1.0"))
    InspectionParameterFactory(standard=standard, code="len")
    line = GoodsReceiptLineFactory(
        order_line=PurchaseOrderLineFactory(order__partner=partner, quantity=Decimal(500))
    )
    lot = open_lot(quality, line)
    # 500 pieces, level II: letter H, n=50; AQL 1.0: Ac 1, Re 2 (ISO 2859-1 Table 2-A).
    assert (lot["lot_size"], lot["code_letter"], lot["sample_size"]) == (500, "H", 50)
    assert (lot["accept_number"], lot["reject_number"]) == (1, 2)
    assert_error(call(quality, "POST", "/lots", {"receipt_line": line.pk}), 409, "conflict")


def test_opening_a_lot_reports_what_is_missing(quality, partner, standard):
    weighed = GoodsReceiptLineFactory(
        order_line=PurchaseOrderLineFactory(
            order__partner=partner, item="REGRIND-PP", quantity=Decimal("812.5"), unit="kg"
        )
    )
    error = assert_error(
        call(quality, "POST", "/lots", {"receipt_line": weighed.pk}), 422, "validation_error"
    )
    assert "lot_size" in error["fields"]
    unknown_item = GoodsReceiptLineFactory(
        order_line=PurchaseOrderLineFactory(order__partner=partner, item="SCREWS")
    )
    error = assert_error(
        call(quality, "POST", "/lots", {"receipt_line": unknown_item.pk}), 422, "validation_error"
    )
    assert "standard" in error["fields"]
    error = assert_error(
        call(quality, "POST", "/lots", {"receipt_line": 2**31 - 1}), 422, "validation_error"
    )
    assert error["fields"] == {"receipt_line": ["Unknown receipt line."]}
    error = assert_error(
        call(quality, "POST", "/lots", {"receipt_line": weighed.pk, "lot_size": 0}),
        422,
        "validation_error",
    )
    assert "lot_size" in error["fields"]
    assert not LotInspection.objects.exists()


def test_receipt_lines_to_inspect_and_lot_list_filters(quality, line, partner):
    todo = ok(quality.get(f"{API}/receipt-lines-to-inspect"))
    assert [row["id"] for row in todo["items"]] == [line.pk]
    assert (todo["items"][0]["item"], todo["items"][0]["unit"]) == ("REGRIND-PP", "bags")
    lot = open_lot(quality, line, lot_size=8)
    assert ok(quality.get(f"{API}/receipt-lines-to-inspect"))["items"] == []
    ok(call(quality, "POST", f"/lots/{lot['id']}/readings", readings([1, 2, 3, 4, 5], "0.9")))

    assert [x["id"] for x in ok(quality.get(f"{API}/lots", {"status": "rejected"}))["items"]] == [
        lot["id"]
    ]
    assert ok(quality.get(f"{API}/lots", {"status": "accepted"}))["items"] == []
    assert ok(quality.get(f"{API}/lots", {"q": "regrind-co"}))["count"] == 1
    assert ok(quality.get(f"{API}/lots", {"partner": partner.pk + 1000}))["count"] == 0
    error = assert_error(quality.get(f"{API}/lots", {"status": "lost"}), 422, "validation_error")
    assert "status" in error["fields"]


def test_sampling_states_are_listed_and_discontinued_inspection_resumed(quality, partner):
    running = SamplingStateFactory(partner=partner)
    stopped = SamplingStateFactory(
        partner=partner, severity="discontinued", reason="5 lots not accepted on tightened"
    )
    listed = ok(quality.get(f"{API}/sampling-states", {"severity": "discontinued"}))
    assert [s["id"] for s in listed["items"]] == [stopped.pk]
    assert_error(
        call(quality, "POST", f"/sampling-states/{running.pk}/resume", {"reason": "Fixed"}),
        409,
        "conflict",
    )
    error = assert_error(
        call(quality, "POST", f"/sampling-states/{stopped.pk}/resume", {}),
        422,
        "validation_error",
    )
    assert "reason" in error["fields"]
    resumed = ok(
        call(
            quality,
            "POST",
            f"/sampling-states/{stopped.pk}/resume",
            {"reason": "8D-2026-0001 accepted"},
        )
    )
    assert resumed["severity"] == "tightened"
    assert "8D-2026-0001 accepted" in resumed["reason"]


def test_finance_reads_lots_but_does_not_inspect(make_user, quality, line):
    lot = open_lot(quality, line, lot_size=8)
    finance = client_for(make_user("finance"))
    assert ok(finance.get(f"{API}/lots/{lot['id']}"))["number"] == lot["number"]
    second = GoodsReceiptLineFactory(order_line=line.order_line)
    assert_error(call(finance, "POST", "/lots", {"receipt_line": second.pk}), 403, "forbidden")
    assert_error(
        call(finance, "POST", f"/lots/{lot['id']}/readings", readings([1])), 403, "forbidden"
    )
    assert_error(
        call(
            finance,
            "POST",
            "/inspection-standards",
            {"code": "F", "name": "F", "item": "X", "aql": "1.0"},
        ),
        403,
        "forbidden",
    )
    assert not SampleReading.objects.exists() and LotInspection.objects.count() == 1


def test_partner_users_see_their_own_lots_only(make_user, quality, line, partner, standard):
    lot = open_lot(quality, line, lot_size=8)
    ok(call(quality, "POST", f"/lots/{lot['id']}/readings", readings([1, 2])))
    other_line = GoodsReceiptLineFactory(
        order_line=PurchaseOrderLineFactory(item="REGRIND-PP", quantity=Decimal(8), unit="bags")
    )
    foreign = open_lot(quality, other_line, lot_size=8)
    supplier = client_for(make_user("partner", partner=partner))

    assert [x["id"] for x in ok(supplier.get(f"{API}/lots"))["items"]] == [lot["id"]]
    own = ok(supplier.get(f"{API}/lots/{lot['id']}"))
    assert own["readings_recorded"] == 4 and [p["code"] for p in own["parameters"]] == [
        "moisture",
        "colour",
    ]
    assert_error(supplier.get(f"{API}/lots/{foreign['id']}"), 404, "not_found")
    assert_error(
        call(supplier, "POST", f"/lots/{lot['id']}/readings", readings([3])), 403, "forbidden"
    )
    assert ok(supplier.get(f"{API}/inspection-standards"))["items"] == []
    assert_error(supplier.get(f"{API}/inspection-standards/{standard.pk}"), 404, "not_found")
    assert ok(supplier.get(f"{API}/sampling-states"))["items"] == []
