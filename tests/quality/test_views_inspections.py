"""Incoming inspection pages: standards and parameters, the receipt lines to inspect, opening a
lot, the readings grid and the CSV import, the decision with its hold on the finance receipt,
dispositions, switching states; partner users and pinned query counts."""

import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from partnerdesk.audit.models import AuditEntry
from partnerdesk.finance.models import GoodsReceiptLine
from partnerdesk.quality.models import (
    CostEvent,
    InspectionParameter,
    InspectionStandard,
    LotInspection,
    Nonconformance,
    SampleReading,
    SamplingState,
)
from partnerdesk.quality.services import inspection as service
from tests.factories import (
    DefectTypeFactory,
    GoodsReceiptLineFactory,
    InspectionParameterFactory,
    InspectionStandardFactory,
    PartnerFactory,
    PurchaseOrderLineFactory,
)

pytestmark = pytest.mark.django_db


@dataclass
class Setup:
    quality: object
    partner: object
    line: object  # 50 pieces of HOUSING-A, no inspection yet
    standard: object
    moisture: object
    look: object


def make_setup(make_user, *, quantity="50", unit="pcs") -> Setup:
    """A receipt line of 50 pieces, a standard for its item with a measured parameter (limits
    0 to 0.2 %, plausible 0 to 5 %) and a pass/fail one. 50 pieces at level II, AQL 1.0:
    code letter D, an arrow down to E: a sample of 13, Ac 0, Re 1."""
    quality = make_user("quality", username="qe")
    partner = PartnerFactory(code="REG-ALPHA", legal_name="Alpha Regrind")
    line = GoodsReceiptLineFactory(
        order_line=PurchaseOrderLineFactory(
            order__partner=partner, item="REGRIND-PP", quantity=Decimal(quantity), unit=unit
        )
    )
    standard = InspectionStandardFactory(
        code="STD-PP", name="PP regrind", item="REGRIND-PP", aql=Decimal("1.0")
    )
    moisture = InspectionParameterFactory(
        standard=standard,
        position=1,
        code="moisture",
        name="Moisture",
        unit="%",
        lower_limit=Decimal("0"),
        upper_limit=Decimal("0.2"),
        plausible_min=Decimal("0"),
        plausible_max=Decimal("5"),
        defect_type=DefectTypeFactory(code="MOISTURE", name="Moisture"),
    )
    look = InspectionParameterFactory(
        standard=standard,
        position=2,
        code="look",
        name="Appearance",
        kind="attribute",
        unit="",
        lower_limit=Decimal("1"),
        upper_limit=Decimal("1"),
        plausible_min=None,
        plausible_max=None,
    )
    return Setup(quality, partner, line, standard, moisture, look)


def open_lot(setup: Setup) -> LotInspection:
    return service.lot_open(user=setup.quality, receipt_line=setup.line)


def grid(setup: Setup, units, *, moisture="0.1", look="1") -> dict:
    """The grid's cells for ``units``."""
    data = {}
    for unit in units:
        data[f"v-{unit}-{setup.moisture.pk}"] = moisture
        data[f"v-{unit}-{setup.look.pk}"] = look
    return data


def csv_file(rows, name="readings.csv") -> SimpleUploadedFile:
    text = "unit,parameter,value\n" + "".join(f"{u},{p},{v}\n" for u, p, v in rows)
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def readings_csv(bad_units=(), units=13) -> SimpleUploadedFile:
    rows = []
    for unit in range(1, units + 1):
        rows.append((unit, "moisture", "0.9" if unit in bad_units else "0.1"))
        rows.append((unit, "look", "pass"))
    return csv_file(rows)


@pytest.fixture
def setup(make_user) -> Setup:
    return make_setup(make_user)


# --- standards ---------------------------------------------------------------------------------


def test_quality_creates_a_standard_and_adds_edits_and_deletes_a_parameter(client, setup):
    client.force_login(setup.quality)

    response = client.post(
        "/quality/standards/new/",
        {
            "code": "STD-ABS",
            "name": "ABS regrind",
            "item": "REGRIND-ABS",
            "level": "II",
            "aql": "2.5",
        },
    )

    standard = InspectionStandard.objects.get(code="STD-ABS")
    assert (
        response.status_code == 302 and response["Location"] == f"/quality/standards/{standard.pk}/"
    )
    assert (standard.aql, standard.level, standard.allow_reduced) == (Decimal("2.5"), "II", False)
    detail = client.get(f"/quality/standards/{standard.pk}/").content.decode()
    assert "Add a parameter" in detail and "No parameters yet" in detail

    response = client.post(
        f"/quality/standards/{standard.pk}/parameters/new/",
        {
            "code": "mfi",
            "name": "Melt flow index",
            "kind": "measured",
            "unit": "g/10 min",
            "target": "20",
            "lower_limit": "18",
            "upper_limit": "22",
            "plausible_min": "0",
            "plausible_max": "100",
        },
    )
    assert response.status_code == 302
    parameter = InspectionParameter.objects.get(standard=standard, code="mfi")
    assert (parameter.position, parameter.lower_limit, parameter.upper_limit) == (
        1,
        Decimal("18"),
        Decimal("22"),
    )
    assert AuditEntry.objects.filter(object_id=str(parameter.pk), actor=setup.quality).exists()

    response = client.post(
        f"/quality/parameters/{parameter.pk}/edit/",
        {"code": "mfi", "name": "Melt flow index", "kind": "measured", "upper_limit": "25"},
    )
    parameter.refresh_from_db()
    assert response.status_code == 302 and parameter.upper_limit == Decimal("25")
    assert parameter.lower_limit is None

    response = client.post(f"/quality/parameters/{parameter.pk}/delete/")
    assert response.status_code == 302
    assert not InspectionParameter.objects.filter(pk=parameter.pk).exists()


def test_a_parameter_with_crossed_limits_shows_the_error_next_to_the_field(client, setup):
    client.force_login(setup.quality)

    response = client.post(
        f"/quality/standards/{setup.standard.pk}/parameters/new/",
        {
            "code": "mfi",
            "name": "MFI",
            "kind": "measured",
            "lower_limit": "22",
            "upper_limit": "18",
        },
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "The upper limit is below the lower limit." in html
    assert not InspectionParameter.objects.filter(code="mfi").exists()


def test_a_standard_without_item_or_category_is_refused(client, setup):
    client.force_login(setup.quality)
    response = client.post(
        "/quality/standards/new/", {"code": "STD-X", "name": "X", "level": "II", "aql": "1.0"}
    )
    assert response.status_code == 200
    assert "Name the item or the item category" in response.content.decode()
    assert not InspectionStandard.objects.filter(code="STD-X").exists()


def test_standard_pages_for_other_roles(client, setup, make_user):
    client.force_login(make_user("finance"))
    detail = client.get(f"/quality/standards/{setup.standard.pk}/")
    assert detail.status_code == 200
    html = detail.content.decode()
    assert "Moisture" in html and "Add a parameter" not in html and "Edit" not in html
    assert client.get("/quality/standards/new/").status_code == 404
    assert client.post(f"/quality/parameters/{setup.moisture.pk}/delete/").status_code == 404

    listed = client.get("/quality/standards/?q=PP").content.decode()
    assert "STD-PP" in listed and "New standard" not in listed
    client.force_login(make_user("partner", partner=setup.partner))
    assert client.get(f"/quality/standards/{setup.standard.pk}/").status_code == 404


def test_parameter_delete_is_post_only(client, setup):
    client.force_login(setup.quality)
    assert client.get(f"/quality/parameters/{setup.moisture.pk}/delete/").status_code == 405


# --- to do, opening a lot ----------------------------------------------------------------------


def test_the_line_to_inspect_is_listed_and_opened_with_its_plan(client, setup):
    client.force_login(setup.quality)

    todo = client.get("/quality/inspections/to-do/").content.decode()
    assert "REGRIND-PP" in todo and f"/quality/inspections/new/{setup.line.pk}/" in todo

    form = client.get(f"/quality/inspections/new/{setup.line.pk}/").content.decode()
    assert re.search(r'name="lot_size"[^>]*value="50"', form)
    assert re.search(rf'<option value="{setup.standard.pk}" selected>', form)
    assert "a sample of 13" in form  # the plan preview

    response = client.post(
        f"/quality/inspections/new/{setup.line.pk}/",
        {"lot_size": "50", "standard": setup.standard.pk, "inspector": setup.quality.pk},
    )

    lot = LotInspection.objects.get(receipt_line=setup.line)
    assert response.status_code == 302 and response["Location"] == f"/quality/inspections/{lot.pk}/"
    assert (lot.code_letter, lot.plan_letter, lot.sample_size) == ("D", "E", 13)
    assert (lot.accept_number, lot.reject_number, lot.severity) == (0, 1, "normal")
    html = client.get(response["Location"]).content.decode()
    plan = html[html.index('id="plan"') :]
    assert "2-A" in plan and "n = 13" in plan and "Ac = 0" in plan and "Re = 1" in plan
    assert "↓ E" in plan  # the arrow to the plan below
    assert "0 of 26 readings" in html
    # The line is no longer to do; opening it again leads to its lot.
    assert "REGRIND-PP" not in client.get("/quality/inspections/to-do/").content.decode()
    again = client.get(f"/quality/inspections/new/{setup.line.pk}/")
    assert again.status_code == 302 and again["Location"] == f"/quality/inspections/{lot.pk}/"


def test_a_line_received_in_kg_needs_the_lot_size(client, make_user):
    setup = make_setup(make_user, quantity="1200", unit="kg")
    client.force_login(setup.quality)
    form = client.get(f"/quality/inspections/new/{setup.line.pk}/").content.decode()
    assert not re.search(r'name="lot_size"[^>]*value=', form)

    response = client.post(
        f"/quality/inspections/new/{setup.line.pk}/", {"standard": setup.standard.pk}
    )

    assert response.status_code == 200
    assert "Give the number of units in the lot." in response.content.decode()
    assert not LotInspection.objects.exists()


def test_only_quality_opens_lots(client, setup, make_user):
    client.force_login(make_user("finance"))
    assert client.get(f"/quality/inspections/new/{setup.line.pk}/").status_code == 404
    assert client.get("/quality/inspections/to-do/").status_code == 404


# --- readings ----------------------------------------------------------------------------------


def test_a_partial_grid_is_saved_and_the_rest_decides_the_lot(client, setup):
    lot = open_lot(setup)
    client.force_login(setup.quality)

    response = client.post(f"/quality/inspections/{lot.pk}/readings/", grid(setup, range(1, 6)))

    assert response.status_code == 302
    lot.refresh_from_db()
    assert lot.status == "open" and lot.readings.count() == 10
    page = client.get(response["Location"]).content.decode()
    assert "16 readings are still missing" in page
    assert re.search(rf'name="v-3-{setup.moisture.pk}" value="0.1"', page)

    response = client.post(f"/quality/inspections/{lot.pk}/readings/", grid(setup, range(6, 14)))

    lot.refresh_from_db()
    assert (lot.status, lot.defectives) == ("accepted", 0)
    line = GoodsReceiptLine.objects.get(pk=setup.line.pk)
    assert (line.quantity_accepted, line.quantity_rejected, line.on_hold) == (50, 0, False)
    html = client.get(response["Location"]).content.decode()
    assert "Lot " + lot.number + " accepted" in html
    assert 'name="v-1-' not in html  # decided: the grid is read only


def test_save_and_decide_with_a_short_sample_shows_the_error_and_saves_nothing(client, setup):
    lot = open_lot(setup)
    client.force_login(setup.quality)

    response = client.post(
        f"/quality/inspections/{lot.pk}/readings/", {**grid(setup, range(1, 11)), "decide": "1"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "The plan requires a sample of 13 units with 2 readings each" in html
    assert "6 readings are missing" in html
    lot.refresh_from_db()
    assert lot.status == "open" and lot.decided_at is None
    assert not SampleReading.objects.filter(inspection=lot).exists()
    # The values typed are back in the grid.
    assert re.search(rf'name="v-10-{setup.moisture.pk}" value="0.1"', html)


def test_a_reading_outside_the_plausible_range_names_the_unit_and_parameter(client, setup):
    lot = open_lot(setup)
    client.force_login(setup.quality)
    cells = grid(setup, range(1, 4))
    cells[f"v-3-{setup.moisture.pk}"] = "42"

    response = client.post(f"/quality/inspections/{lot.pk}/readings/", cells)

    html = response.content.decode()
    errors = html[html.index('id="readings-errors"') :]
    assert "unit 3, moisture: 42 % is outside the plausible range 0.0000 to 5.0000" in errors
    assert not SampleReading.objects.filter(inspection=lot).exists()


def test_an_empty_grid_says_no_readings(client, setup):
    lot = open_lot(setup)
    client.force_login(setup.quality)
    response = client.post(
        f"/quality/inspections/{lot.pk}/readings/", grid(setup, [1], moisture="", look="")
    )
    assert "No readings given." in response.content.decode()


def test_an_import_that_rejects_the_lot_holds_the_receipt_and_opens_an_nc(client, setup):
    lot = open_lot(setup)
    client.force_login(setup.quality)

    response = client.post(
        f"/quality/inspections/{lot.pk}/import/", {"file": readings_csv(bad_units={4})}
    )

    assert response.status_code == 302
    lot.refresh_from_db()
    assert (lot.status, lot.defectives) == ("rejected", 1)
    nc = Nonconformance.objects.get(lot_inspection=lot)
    assert nc.defect_type.code == "MOISTURE"
    html = client.get(f"/quality/inspections/{lot.pk}/").content.decode()
    assert "rejected: 1 nonconforming in a sample of 13" in html
    assert f'href="/quality/nonconformances/{nc.pk}/"' in html
    finance = html[html.index('id="finance-state"') :]
    assert "on quality hold" in finance and lot.number in finance
    # The out-of-limit cell is marked in the grid.
    unit4 = html[html.index('id="unit-4"') : html.index("</tr>", html.index('id="unit-4"'))]
    assert 'class="out"' in unit4 and "0.9" in unit4
    assert 'id="disposition"' in html and "Record the disposition" in html

    receipt = client.get(f"/finance/receipts/{setup.line.receipt_id}/").content.decode()
    row = receipt[receipt.index(f'id="line-{setup.line.line_no}"') :]
    row = row[: row.index("</tr>")]
    assert "on hold" in row and lot.number in row and "Rejected" in row


def test_an_import_with_a_missing_column_shows_the_error(client, setup):
    lot = open_lot(setup)
    client.force_login(setup.quality)
    bad = SimpleUploadedFile("r.csv", b"unit,value\n1,0.1\n", content_type="text/csv")

    response = client.post(f"/quality/inspections/{lot.pk}/import/", {"file": bad})

    html = response.content.decode()
    assert response.status_code == 200
    assert "The file has no column parameter" in html
    assert not SampleReading.objects.filter(inspection=lot).exists()


def test_an_import_of_a_small_sample_saves_it_and_says_what_is_missing(client, setup):
    lot = open_lot(setup)
    client.force_login(setup.quality)

    response = client.post(
        f"/quality/inspections/{lot.pk}/import/", {"file": readings_csv(units=5)}, follow=True
    )

    lot.refresh_from_db()
    assert lot.status == "open"
    assert "16 readings are still missing, the lot is not decided yet" in response.content.decode()


def test_the_example_file_has_the_expected_columns(client, setup):
    lot = open_lot(setup)
    client.force_login(setup.quality)
    html = client.get(f"/quality/inspections/{lot.pk}/").content.decode()
    link = re.search(r'<a href="(data:text/csv[^"]+)" download="[^"]+" id="example-csv"', html)
    assert link
    from urllib.parse import unquote

    content = unquote(link[1].split(",", 1)[1])
    assert content.splitlines()[:3] == ["unit,parameter,value", "1,moisture,0.1", "1,look,1"]


# --- disposition -------------------------------------------------------------------------------


def _rejected(setup, client):
    lot = open_lot(setup)
    client.force_login(setup.quality)
    client.post(f"/quality/inspections/{lot.pk}/import/", {"file": readings_csv(bad_units={1})})
    lot.refresh_from_db()
    assert lot.status == "rejected"
    return lot


def test_use_as_is_without_a_concession_is_refused(client, setup):
    lot = _rejected(setup, client)

    response = client.post(f"/quality/inspections/{lot.pk}/dispose/", {"disposition": "use_as_is"})

    html = response.content.decode()
    assert response.status_code == 200
    assert (
        "Give the concession&#x27;s reference." in html
        or "Give the concession's reference." in html
    )
    lot.refresh_from_db()
    assert lot.disposition == ""
    assert GoodsReceiptLine.objects.get(pk=setup.line.pk).on_hold


def test_sorting_lifts_the_hold_and_records_the_cost(client, setup):
    lot = _rejected(setup, client)

    response = client.post(
        f"/quality/inspections/{lot.pk}/dispose/",
        {
            "disposition": "sort",
            "quantity_accepted": "46",
            "note": "Sorted at the supplier",
            "cost_amount": "120.00",
            "chargeback": "on",
        },
    )

    assert response.status_code == 302
    lot.refresh_from_db()
    line = GoodsReceiptLine.objects.get(pk=setup.line.pk)
    assert lot.disposition == "sort"
    assert (line.on_hold, line.quantity_accepted, line.quantity_rejected) == (False, 46, 4)
    cost = CostEvent.objects.get(lot_inspection=lot)
    assert (cost.amount, cost.chargeback, cost.kind) == (Decimal("120.00"), True, "quality_defect")
    html = client.get(f"/quality/inspections/{lot.pk}/").content.decode()
    assert (
        "Sort at the supplier" in html
        and "not on hold" in html
        and "Record the disposition" not in html
    )


# --- partner users -----------------------------------------------------------------------------


def test_a_partner_user_sees_its_own_lot_read_only_and_not_another_partners(
    client, setup, make_user
):
    lot = _rejected(setup, client)
    other_line = GoodsReceiptLineFactory(
        order_line=PurchaseOrderLineFactory(item="REGRIND-PP", quantity=Decimal(50))
    )
    other_lot = service.lot_open(user=setup.quality, receipt_line=other_line)
    client.force_login(make_user("partner", partner=setup.partner))

    response = client.get(f"/quality/inspections/{lot.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Moisture" in html and "0.9" in html  # the grid's columns and readings
    assert "Save readings" not in html and "Record the disposition" not in html
    listed = client.get("/quality/inspections/").content.decode()
    assert lot.number in listed and other_lot.number not in listed
    assert client.get(f"/quality/inspections/{other_lot.pk}/").status_code == 404
    assert (
        client.post(f"/quality/inspections/{lot.pk}/dispose/", {"disposition": "scrap"}).status_code
        == 404
    )
    assert client.get("/quality/sampling/").status_code == 404


# --- lists and switching states ----------------------------------------------------------------


def test_the_lot_list_filters_by_status(client, setup):
    lot = _rejected(setup, client)
    other = service.lot_open(
        user=setup.quality,
        receipt_line=GoodsReceiptLineFactory(
            order_line=PurchaseOrderLineFactory(item="REGRIND-PP", quantity=Decimal(50))
        ),
    )

    rejected = client.get("/quality/inspections/?status=rejected").content.decode()
    assert lot.number in rejected and other.number not in rejected
    table = client.get(
        "/quality/inspections/?status=open", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="list-results"
    ).content.decode()
    assert other.number in table and "<html" not in table


def test_a_discontinued_state_is_resumed_with_a_reason(client, setup):
    state = SamplingState.objects.create(
        partner=setup.partner,
        standard=setup.standard,
        severity="discontinued",
        not_accepted_on_tightened=5,
        reason="5 lots not accepted on tightened inspection",
    )
    client.force_login(setup.quality)
    page = client.get("/quality/sampling/").content.decode()
    assert "Resume at tightened inspection" in page and "REG-ALPHA" in page

    refused = client.post(f"/quality/sampling/{state.pk}/resume/", {"reason": ""})
    assert refused.status_code == 200
    assert "This field is required." in refused.content.decode()

    response = client.post(
        f"/quality/sampling/{state.pk}/resume/", {"reason": "8D-2026-0003 accepted"}
    )

    assert response.status_code == 302
    state.refresh_from_db()
    assert state.severity == "tightened" and "8D-2026-0003 accepted" in state.reason
    assert client.get(f"/quality/sampling/{state.pk}/resume/").status_code == 405


# --- query counts ------------------------------------------------------------------------------


def _decided_lot(quality, partner, standard, parameters, *, quantity):
    line = GoodsReceiptLineFactory(
        order_line=PurchaseOrderLineFactory(
            order__partner=partner, item=standard.item, quantity=Decimal(quantity)
        )
    )
    lot = service.lot_open(user=quality, receipt_line=line)
    rows = [
        service.ReadingRow(unit, p.code, "1" if p.kind == "attribute" else "0.1")
        for unit in range(1, lot.sample_size + 1)
        for p in parameters
    ]
    return service.readings_record(user=quality, inspection=lot, rows=rows)


@pytest.mark.parametrize("lots", [1, 4])
def test_lot_list_query_count_is_constant(client, setup, django_assert_num_queries, lots):
    for _ in range(lots):
        _decided_lot(
            setup.quality, setup.partner, setup.standard, [setup.moisture, setup.look], quantity=20
        )
    client.force_login(setup.quality)
    client.get("/quality/inspections/")

    with django_assert_num_queries(9):
        response = client.get("/quality/inspections/")

    assert response.status_code == 200


@pytest.mark.parametrize("quantity", [20, 500])  # samples of 13 and of 50 units
def test_lot_detail_query_count_is_constant(client, setup, django_assert_num_queries, quantity):
    lot = _decided_lot(
        setup.quality,
        setup.partner,
        setup.standard,
        [setup.moisture, setup.look],
        quantity=quantity,
    )
    assert lot.readings.count() == lot.sample_size * 2
    client.force_login(setup.quality)
    url = f"/quality/inspections/{lot.pk}/"
    client.get(url)

    with django_assert_num_queries(13):
        response = client.get(url)

    assert response.status_code == 200
    assert response.content.decode().count('class="unit"') == lot.sample_size


def test_the_receipt_page_offers_the_lot_inspection_to_quality_only(client, setup, make_user):
    url = f"/finance/receipts/{setup.line.receipt_id}/"
    client.force_login(setup.quality)
    html = client.get(url).content.decode()
    assert f'href="/quality/inspections/new/{setup.line.pk}/">Inspect the lot</a>' in html

    client.force_login(make_user("finance"))
    html = client.get(url).content.decode()
    assert "/quality/inspections/new/" not in html and "Inspect" not in html

    lot = open_lot(setup)
    html = client.get(url).content.decode()
    assert f'href="/quality/inspections/{lot.pk}/">{lot.number}</a>' in html


def test_a_large_sample_is_entered_a_page_of_units_at_a_time(client, make_user):
    setup = make_setup(make_user, quantity="50000")  # level II: letter N, n = 500
    lot = open_lot(setup)
    assert lot.sample_size == 500
    client.force_login(setup.quality)

    first = client.get(f"/quality/inspections/{lot.pk}/").content.decode()
    assert "Units 1 to 300 of 500" in first and 'id="unit-300"' in first
    assert 'id="unit-301"' not in first and "?unit_from=301" in first

    response = client.post(
        f"/quality/inspections/{lot.pk}/readings/",
        {"unit_from": "301", **grid(setup, range(301, 501))},
    )

    assert response["Location"] == f"/quality/inspections/{lot.pk}/?unit_from=301#readings"
    second = client.get(f"/quality/inspections/{lot.pk}/?unit_from=301").content.decode()
    assert "Units 301 to 500 of 500" in second and 'id="unit-500"' in second
    assert "400 of 1000 readings" in second
    lot.refresh_from_db()
    assert lot.status == "open"
