"""Incoming inspection services on the real database: finding the standard, the plan of
ISO 2859-1 kept with the lot, readings (entered and imported) checked all or nothing, the
automatic decision, the quality hold that blocks the invoice, dispositions, and the switching
rules across a sequence of lots."""

import datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone

from partnerdesk.core.errors import Conflict, Forbidden, InvalidInput
from partnerdesk.finance.choices import PaymentStatus
from partnerdesk.finance.models import GoodsReceiptLine, MatchException, SupplierInvoice
from partnerdesk.finance.selectors import payment_reasons
from partnerdesk.finance.services import documents
from partnerdesk.quality.models import (
    CostEvent,
    DefectType,
    LotInspection,
    Nonconformance,
    SampleReading,
    SamplingState,
)
from partnerdesk.quality.services import inspection
from partnerdesk.quality.services.inspection import ReadingRow
from tests.factories import (
    GoodsReceiptLineFactory,
    InspectionParameterFactory,
    InspectionStandardFactory,
    ItemCategoryFactory,
    PartnerFactory,
    PurchaseOrderLineFactory,
    SamplingStateFactory,
)
from tests.support import audit_rows, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def quality(make_user):
    return make_user("quality")


@pytest.fixture
def partner():
    return PartnerFactory(tax_id="91440300MA5FXX")


def receipt_line(partner=None, item="RG-1", quantity="50", unit="pcs", category=None):
    order_line = PurchaseOrderLineFactory(
        order__partner=partner or PartnerFactory(),
        item=item,
        quantity=D(quantity),
        unit=unit,
        category=category,
    )
    return GoodsReceiptLineFactory(order_line=order_line)


def defect(code):
    return DefectType.objects.get(code=code)


def regrind_standard(user, item="RG-1", aql="6.5", code="RG-STD"):
    """Regrind: moisture at most 0.20 %, melt flow index 8 to 12 g/10 min, contamination
    pass/fail. Lots of 26 to 50 bags at level II: code letter D, n = 8; AQL 6.5: Ac 1, Re 2."""
    standard = inspection.standard_create(
        user=user, data={"code": code, "name": "Regrind", "item": item, "aql": D(aql)}
    )
    for data in (
        {"code": "moisture", "name": "Moisture", "unit": "%", "upper_limit": D("0.20"),
         "plausible_min": D(0), "plausible_max": D(5), "defect_type": defect("MOISTURE")},
        {"code": "mfi", "name": "Melt flow index", "unit": "g/10 min", "lower_limit": D(8),
         "upper_limit": D(12), "plausible_min": D(0), "plausible_max": D(100),
         "defect_type": defect("MFI")},
        {"code": "contamination", "name": "Contamination", "kind": "attribute",
         "defect_type": defect("CONTAMINATION")},
    ):  # fmt: skip
        inspection.parameter_add(user=user, standard=standard, data=data)
    return standard


@pytest.fixture
def standard(quality):
    return regrind_standard(quality)


def good_rows(units, start=1):
    rows = []
    for unit in range(start, start + units):
        rows += [
            ReadingRow(unit, "moisture", "0.10"),
            ReadingRow(unit, "mfi", "10"),
            ReadingRow(unit, "contamination", "pass"),
        ]
    return rows


def with_values(rows, changes: dict[tuple[int, str], str]):
    return [
        ReadingRow(r.unit_no, r.parameter, changes.get((r.unit_no, r.parameter), r.value))
        for r in rows
    ]


def readings_of(lot) -> dict[tuple[int, str], tuple[D, bool]]:
    return {
        (r.unit_no, r.parameter.code): (r.value, r.conforming)
        for r in SampleReading.objects.filter(inspection=lot).select_related("parameter")
    }


# --- standards and opening a lot --------------------------------------------------------------


def test_parameters_are_numbered_and_their_limits_checked(quality, standard):
    assert [(p.position, p.code) for p in standard.parameters.all()] == [
        (1, "moisture"),
        (2, "mfi"),
        (3, "contamination"),
    ]
    with pytest.raises(InvalidInput) as refused:
        inspection.parameter_add(
            user=quality,
            standard=standard,
            data={"code": "size", "name": "Size", "upper_limit": D(200), "plausible_max": D(100)},
        )
    assert "upper_limit" in refused.value.fields
    with pytest.raises(InvalidInput) as refused:
        inspection.parameter_add(user=quality, standard=standard, data={"code": "x", "name": "X"})
    assert "lower_limit" in refused.value.fields
    assert standard.parameters.count() == 3


def test_the_standard_naming_the_item_comes_before_the_categorys(quality):
    category = ItemCategoryFactory(code="REGRIND")
    by_item = InspectionStandardFactory(item="RG-1", code="B-ITEM")
    by_category = InspectionStandardFactory(item="", category=category, code="A-CAT")
    InspectionStandardFactory(item="RG-2", code="C-OLD", is_active=False)
    for standard in (by_item, by_category):
        InspectionParameterFactory(standard=standard)
    assert inspection.standard_for(receipt_line(item="RG-1", category=category)) == by_item
    # No active standard names RG-2: the category's applies.
    line = receipt_line(item="RG-2", category=category)
    assert inspection.standard_for(line) == by_category
    assert inspection.lot_open(user=quality, receipt_line=line).standard == by_category


def test_a_line_without_a_standard_cannot_be_inspected(quality):
    line = receipt_line(item="NOTHING")
    with pytest.raises(InvalidInput, match="No active inspection standard applies to item"):
        inspection.lot_open(user=quality, receipt_line=line)
    # A standard without parameters is no use either.
    InspectionStandardFactory(item="NOTHING")
    with pytest.raises(InvalidInput, match="has no parameters to inspect") as refused:
        inspection.lot_open(user=quality, receipt_line=line)
    assert "standard" in refused.value.fields
    assert not LotInspection.objects.exists()


def test_the_lot_size_defaults_to_the_pieces_received_and_is_required_otherwise(quality, standard):
    assert inspection.lot_open(user=quality, receipt_line=receipt_line()).lot_size == 50
    # 1,250.5 kg: the lot size is the number of bags, given by the inspector.
    in_kg = receipt_line(quantity="1250.5", unit="kg")
    with pytest.raises(InvalidInput) as refused:
        inspection.lot_open(user=quality, receipt_line=in_kg)
    assert "lot_size" in refused.value.fields
    for wrong in ("0", "-3", "many", "2.5"):
        with pytest.raises(InvalidInput):
            inspection.lot_open(user=quality, receipt_line=in_kg, lot_size=wrong)
    assert not LotInspection.objects.filter(receipt_line=in_kg).exists()
    assert inspection.lot_open(user=quality, receipt_line=in_kg, lot_size="40").lot_size == 40
    # Pieces, but not a whole number of them: asked for too.
    with pytest.raises(InvalidInput):
        inspection.lot_open(user=quality, receipt_line=receipt_line(quantity="50.5"))


def test_a_line_is_inspected_once(quality, standard):
    line = receipt_line()
    inspection.lot_open(user=quality, receipt_line=line)
    with pytest.raises(Conflict, match="already has an inspection"):
        inspection.lot_open(user=quality, receipt_line=line)
    assert LotInspection.objects.count() == 1


def test_a_discontinued_supplier_gets_no_new_inspection(quality, partner, standard):
    SamplingStateFactory(partner=partner, standard=standard, severity="discontinued")
    with pytest.raises(Conflict, match=r"discontinued \(ISO 2859-1 clause 9.4\)"):
        inspection.lot_open(user=quality, receipt_line=receipt_line(partner))
    assert not LotInspection.objects.exists()


@pytest.mark.parametrize(
    ("lot_size", "level", "aql", "expected"),
    [
        # Table 1: 2 to 8, level II -> A; Table 2-A: A at 1.0 is an arrow down to E (n = 13,
        # Ac 0, Re 1); 13 >= 8, so all 8 items are inspected.
        (8, "II", "1.0", ("A", "E", 8, 0, 1, True)),
        # 26 to 50, II -> D (n = 8); 6.5: Ac 1, Re 2.
        (50, "II", "6.5", ("D", "D", 8, 1, 2, False)),
        # 281 to 500, II -> H (n = 50); 1.0: Ac 1, Re 2.
        (500, "II", "1.0", ("H", "H", 50, 1, 2, False)),
        # 501 to 1,200, II -> J (n = 80); 1.0: Ac 2, Re 3.
        (1000, "II", "1.0", ("J", "J", 80, 2, 3, False)),
        # 1,201 to 3,200, I -> H (n = 50); 2.5: Ac 3, Re 4.
        (3200, "I", "2.5", ("H", "H", 50, 3, 4, False)),
        # 1,201 to 3,200, III -> L (n = 200); 0.40: Ac 2, Re 3.
        (3200, "III", "0.40", ("L", "L", 200, 2, 3, False)),
    ],
)
def test_the_plan_kept_with_the_lot_is_iso_2859_1s(quality, lot_size, level, aql, expected):
    standard = InspectionStandardFactory(item="PART", level=level, aql=D(aql))
    InspectionParameterFactory(standard=standard)
    line = receipt_line(item="PART", quantity=str(lot_size))
    lot = inspection.lot_open(user=quality, receipt_line=line)
    assert (
        lot.code_letter,
        lot.plan_letter,
        lot.sample_size,
        lot.accept_number,
        lot.reject_number,
        lot.hundred_percent,
    ) == expected
    assert (lot.severity, lot.level, lot.aql, lot.lot_size) == ("normal", level, D(aql), lot_size)
    assert "2-A" in lot.plan_explanation
    assert lot.number == f"LOT-{timezone.localdate().year}-0001"
    assert (lot.partner, lot.inspector, lot.status) == (line.receipt.partner, quality, "open")
    assert [row.action for row in audit_rows(lot)] == ["create"]


# --- readings ---------------------------------------------------------------------------------


@pytest.fixture
def lot(quality, partner, standard):
    return inspection.lot_open(user=quality, receipt_line=receipt_line(partner))


def test_one_bad_row_saves_no_reading(quality, lot):
    rows = good_rows(3)
    rows[4] = ReadingRow(2, "mfi", "250")  # outside the plausible 0 to 100
    with pytest.raises(InvalidInput) as refused:
        inspection.readings_record(user=quality, inspection=lot, rows=rows)
    assert refused.value.message == (
        "1 reading(s) are wrong; nothing was saved. First: reading 5, unit 2, mfi: 250 g/10 min "
        "is outside the plausible range 0.0000 to 100.0000; check the instrument or the typing."
    )
    assert not SampleReading.objects.exists()
    assert not audit_rows(lot)[1:]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (ReadingRow(9, "mfi", "10"), "reading 1: unit “9” is not a sample unit (1 to 8)."),
        (ReadingRow(0, "mfi", "10"), "reading 1: unit “0” is not a sample unit (1 to 8)."),
        (ReadingRow("x", "mfi", "10"), "reading 1: unit “x” is not a sample unit (1 to 8)."),
        (
            ReadingRow(1, "colour", "1"),
            "reading 1: unknown parameter “colour” (the standard has moisture, mfi, "
            "contamination).",
        ),
        (ReadingRow(1, "mfi", "ten"), "reading 1, unit 1, mfi: “ten” is not a number."),
        (ReadingRow(1, "mfi", ""), "reading 1, unit 1, mfi: “” is not a number."),
        (ReadingRow(1, "mfi", "Infinity"), "reading 1, unit 1, mfi: “Infinity” is not a number."),
        (
            ReadingRow(1, "moisture", "-0.1"),
            "reading 1, unit 1, moisture: -0.1 % is outside the plausible range 0.0000 to "
            "5.0000; check the instrument or the typing.",
        ),
        (
            ReadingRow(1, "contamination", "maybe"),
            "reading 1, unit 1, contamination: “maybe” is not pass (1) or fail (0).",
        ),
    ],
)
def test_each_kind_of_bad_reading_is_named(quality, lot, row, message):
    with pytest.raises(InvalidInput) as refused:
        inspection.readings_record(user=quality, inspection=lot, rows=[row])
    assert refused.value.fields == {"readings": [message]}
    assert not SampleReading.objects.exists()


def test_the_same_reading_twice_in_one_batch_is_refused(quality, lot):
    rows = [ReadingRow(1, "mfi", "10"), ReadingRow(1, "mfi", "11")]
    with pytest.raises(InvalidInput) as refused:
        inspection.readings_record(user=quality, inspection=lot, rows=rows)
    assert refused.value.fields == {"readings": ["reading 2: unit 1, mfi is given twice."]}
    with pytest.raises(InvalidInput, match="No readings given"):
        inspection.readings_record(user=quality, inspection=lot, rows=[])
    assert not SampleReading.objects.exists()


def test_limits_and_pass_fail_decide_conformity(quality, lot):
    rows = [
        ReadingRow(1, "moisture", "0.20"),  # on the upper limit: conforming
        ReadingRow(2, "moisture", "0.2001"),
        ReadingRow(1, "mfi", "8"),  # on the lower limit
        ReadingRow(2, "mfi", "7,9"),  # decimal comma
        ReadingRow(1, "contamination", "OK"),
        ReadingRow(2, "contamination", "fail"),
        ReadingRow(3, "contamination", "1"),
        ReadingRow(4, "contamination", "0"),
    ]
    inspection.readings_record(user=quality, inspection=lot, rows=rows)
    assert readings_of(lot) == {
        (1, "moisture"): (D("0.2"), True),
        (2, "moisture"): (D("0.2001"), False),
        (1, "mfi"): (D(8), True),
        (2, "mfi"): (D("7.9"), False),
        (1, "contamination"): (D(1), True),
        (2, "contamination"): (D(0), False),
        (3, "contamination"): (D(1), True),
        (4, "contamination"): (D(0), False),
    }
    assert audit_rows(lot)[-1].changes == {"readings": [None, 8]}


def test_a_new_reading_replaces_only_its_own(quality, lot):
    inspection.readings_record(user=quality, inspection=lot, rows=good_rows(2))
    assert len(readings_of(lot)) == 6
    # Unit 1's moisture and unit 2's MFI are read again: the other four readings stay.
    inspection.readings_record(
        user=quality,
        inspection=lot,
        rows=[ReadingRow(1, "moisture", "0.35"), ReadingRow(2, "mfi", "12.5")],
    )
    readings = readings_of(lot)
    assert readings == {
        (1, "moisture"): (D("0.35"), False),
        (1, "mfi"): (D(10), True),
        (1, "contamination"): (D(1), True),
        (2, "moisture"): (D("0.1"), True),
        (2, "mfi"): (D("12.5"), False),
        (2, "contamination"): (D(1), True),
    }
    assert SampleReading.objects.count() == 6


def test_a_partial_sample_waits_and_the_last_reading_decides(quality, lot):
    partial = inspection.readings_record(user=quality, inspection=lot, rows=good_rows(5))
    assert (partial.status, partial.decided_at) == ("open", None)
    decided = inspection.readings_record(user=quality, inspection=lot, rows=good_rows(3, start=6))
    assert (decided.status, decided.defectives, decided.decided_by) == ("accepted", 0, quality)


def test_deciding_a_short_sample_says_what_is_missing(quality, lot):
    inspection.readings_record(user=quality, inspection=lot, rows=good_rows(3)[:-1])
    with pytest.raises(InvalidInput) as refused:
        inspection.lot_decide(user=quality, inspection=lot)
    # 8 units x 3 parameters = 24 readings, 8 given.
    assert refused.value.message == (
        "The plan requires a sample of 8 units with 3 readings each; 16 readings are missing "
        "(units with readings: 3)."
    )
    lot.refresh_from_db()
    assert (lot.status, lot.defectives) == ("open", None)
    assert not SamplingState.objects.filter(recent__gt="").exists()


# --- the decision -----------------------------------------------------------------------------


def test_an_accepted_lot_accepts_the_receipt_line(quality, lot):
    # One nonconforming unit is allowed (Ac 1).
    rows = with_values(good_rows(8), {(4, "moisture"): "0.25"})
    decided = inspection.readings_record(user=quality, inspection=lot, rows=rows)
    assert (decided.status, decided.defectives) == ("accepted", 1)
    line = GoodsReceiptLine.objects.get(pk=lot.receipt_line_id)
    assert (line.quantity_accepted, line.quantity_rejected, line.on_hold) == (D(50), D(0), False)
    assert decided.switching == {
        "before": "normal",
        "after": "normal",
        "reason": "normal inspection continues, switching score 2",
        "switching_score": 2,
    }
    assert not Nonconformance.objects.exists()


def test_a_rejected_lot_holds_the_line_and_opens_a_nonconformance(quality, lot):
    # Units 1 and 2: MFI out; unit 3: moisture out and unit 1 contaminated as well.
    # 3 nonconforming units (Re 2): rejected. MFI has the most: the NC's defect.
    rows = with_values(
        good_rows(8),
        {(1, "mfi"): "13", (2, "mfi"): "7.5", (3, "moisture"): "0.3", (1, "contamination"): "0"},
    )
    decided = inspection.readings_record(user=quality, inspection=lot, rows=rows)
    assert (decided.status, decided.defectives) == ("rejected", 3)
    line = GoodsReceiptLine.objects.get(pk=lot.receipt_line_id)
    assert line.on_hold
    assert line.hold_reason == (
        f"Lot {lot.number} rejected: 3 nonconforming in a sample of 8 (Re 2)"
    )
    assert (line.quantity_accepted, line.quantity_rejected) == (None, None)
    nc = Nonconformance.objects.get(lot_inspection=lot)
    assert (nc.source, nc.defect_type.code, nc.reported_severity, nc.severity) == (
        "inspection",
        "MFI",
        "major",
        "major",
    )
    assert (nc.partner, nc.owner, nc.quantity_affected, nc.unit) == (
        lot.partner,
        quality,
        D(50),
        "pcs",
    )
    assert nc.title == f"Lot {lot.number} rejected: RG-1"
    assert nc.description.startswith("3 nonconforming units in a sample of 8 (Ac 1, Re 2).")


def test_on_a_tie_the_first_parameter_names_the_defect(quality, lot):
    rows = with_values(good_rows(8), {(5, "mfi"): "20", (6, "moisture"): "1"})
    inspection.readings_record(user=quality, inspection=lot, rows=rows)
    assert Nonconformance.objects.get(lot_inspection=lot).defect_type.code == "MOISTURE"


def test_without_a_defect_type_on_the_parameters_the_defect_is_other(quality):
    standard = InspectionStandardFactory(item="PLAIN", aql=D("6.5"))
    InspectionParameterFactory(standard=standard, code="len")
    lot = inspection.lot_open(user=quality, receipt_line=receipt_line(item="PLAIN"))
    rows = [ReadingRow(u, "len", "11" if u <= 2 else "10") for u in range(1, 9)]
    inspection.readings_record(user=quality, inspection=lot, rows=rows)
    assert Nonconformance.objects.get(lot_inspection=lot).defect_type.code == "OTHER"


def test_a_decided_lot_takes_no_more_readings(quality, lot):
    inspection.readings_record(user=quality, inspection=lot, rows=good_rows(8))
    with pytest.raises(Conflict, match="is already decided"):
        inspection.readings_record(user=quality, inspection=lot, rows=good_rows(1))
    with pytest.raises(Conflict):
        inspection.lot_decide(user=quality, inspection=lot)


# --- the invoice ------------------------------------------------------------------------------


@pytest.fixture
def invoiced_line(make_user, partner, standard):
    """An order of 50 bags of RG-1 at 2.50, received in full and invoiced (125.00 + 13 %)."""
    buyer, finance = make_user("outsourcing"), make_user("finance")
    day = datetime.date(2026, 10, 5)
    documents.purchase_order_create(
        user=buyer,
        data={
            "partner": partner.pk,
            "number": "PO-RG",
            "order_date": datetime.date(2026, 9, 20),
            "currency": "CNY",
            "lines": [{"item": "RG-1", "quantity": "50", "unit_price": "2.5"}],
        },
    )
    receipt = documents.receipt_create(
        user=buyer,
        data={
            "partner": partner.pk,
            "number": "DN-RG",
            "received_on": day,
            "lines": [{"order": "PO-RG", "order_line": 1, "quantity_received": "50"}],
        },
    )
    invoice = documents.invoice_create(
        user=finance,
        data={
            "partner": partner.pk,
            "number": "INV-RG",
            "invoice_date": day,
            "due_date": day + datetime.timedelta(days=30),
            "currency": "CNY",
            "net_total": "125.00",
            "tax_total": "16.25",
            "gross_total": "141.25",
            "tax_id": "91440300MA5FXX",
            "bank_account": "6222 0000 1111",
            "lines": [
                {
                    "order": "PO-RG",
                    "order_line": 1,
                    "quantity": "50",
                    "unit_price": "2.5",
                    "amount": "125.00",
                    "tax_rate": "13",
                    "tax_amount": "16.25",
                }
            ],
        },
    )
    return receipt.lines.get(), invoice


def exception_reasons(invoice) -> list[str]:
    """The reasons from the exception queue that block paying the invoice."""
    invoice = SupplierInvoice.objects.get(pk=invoice.pk)
    return [r.text for r in payment_reasons(invoice) if r.exception_id and r.severity == "block"]


def open_exceptions(invoice) -> dict[str, tuple[str, D]]:
    rows = MatchException.objects.filter(invoice=invoice).exclude(status="resolved")
    return {e.type: (e.severity, e.amount_at_stake) for e in rows}


def test_a_rejected_lot_blocks_the_invoice_and_return_to_vendor_leaves_a_variance(
    quality, invoiced_line
):
    line, invoice = invoiced_line
    assert open_exceptions(invoice) == {}
    lot = inspection.lot_open(user=quality, receipt_line=line)
    rows = with_values(good_rows(8), {(1, "mfi"): "13", (2, "mfi"): "13"})
    assert inspection.readings_record(user=quality, inspection=lot, rows=rows).status == "rejected"
    # The invoice is blocked at once, without waiting for the weekly run.
    assert open_exceptions(invoice) == {"quality_hold": ("block", D("125.00"))}
    assert SupplierInvoice.objects.get(pk=invoice.pk).payment_status == PaymentStatus.BLOCKED
    assert exception_reasons(invoice) == [
        f"Quality hold: PO line {line.order_line_id}: 50.000 on quality hold"
    ]

    inspection.lot_dispose(user=quality, inspection=lot, disposition="return_to_vendor")
    line.refresh_from_db()
    assert (line.on_hold, line.quantity_accepted, line.quantity_rejected) == (False, D(0), D(50))
    # The hold is gone; 50 received less 50 rejected leaves nothing billable: the 50 invoiced
    # are a quantity variance of 50 x 2.50 = 125.00, and the invoice stays blocked.
    assert open_exceptions(invoice) == {
        "quantity_variance": ("block", D("125.00")),
        "amount_variance": ("block", D("125.00")),
    }
    assert any(
        "quantity 50.000 vs 0.000 (received 0.000" in reason
        for reason in exception_reasons(invoice)
    )
    assert SupplierInvoice.objects.get(pk=invoice.pk).payment_status == PaymentStatus.BLOCKED


def test_an_accepted_lot_leaves_the_invoice_ready(quality, invoiced_line):
    line, invoice = invoiced_line
    lot = inspection.lot_open(user=quality, receipt_line=line)
    inspection.readings_record(user=quality, inspection=lot, rows=good_rows(8))
    line.refresh_from_db()
    assert (line.on_hold, line.quantity_accepted) == (False, D(50))
    # Nothing from matching holds the invoice (only its checklist review, still open).
    assert open_exceptions(invoice) == {}
    assert exception_reasons(invoice) == []


# --- dispositions -----------------------------------------------------------------------------


@pytest.fixture
def rejected(quality, lot):
    rows = with_values(good_rows(8), {(1, "contamination"): "fail", (2, "contamination"): "fail"})
    return inspection.readings_record(user=quality, inspection=lot, rows=rows)


def _line(lot):
    return GoodsReceiptLine.objects.get(pk=lot.receipt_line_id)


def test_sorting_accepts_the_good_quantity_found(quality, rejected):
    for wrong in (None, "", "lots", "51", "-1"):
        with pytest.raises(InvalidInput) as refused:
            inspection.lot_dispose(
                user=quality, inspection=rejected, disposition="sort", quantity_accepted=wrong
            )
        assert "quantity_accepted" in refused.value.fields
    assert LotInspection.objects.get(pk=rejected.pk).disposition == ""
    disposed = inspection.lot_dispose(
        user=quality,
        inspection=rejected,
        disposition="sort",
        quantity_accepted="45",
        note=" 5 bags with black specks ",
    )
    assert (disposed.disposition, disposed.disposition_note, disposed.disposed_by) == (
        "sort",
        "5 bags with black specks",
        quality,
    )
    line = _line(rejected)
    assert (line.on_hold, line.quantity_accepted, line.quantity_rejected) == (False, D(45), D(5))
    nc = Nonconformance.objects.get(lot_inspection=rejected)
    assert (nc.quantity_affected, nc.unit) == (D(5), "pcs")
    assert audit_rows(nc)[-1].changes["quantity_affected"] == ["50.000", "5.000"]
    assert not CostEvent.objects.exists()


def test_scrap_with_a_cost_records_a_material_loss(quality, rejected):
    inspection.lot_dispose(
        user=quality, inspection=rejected, disposition="scrap", cost_amount="312.505"
    )
    line = _line(rejected)
    assert (line.quantity_accepted, line.quantity_rejected, line.on_hold) == (D(0), D(50), False)
    event = CostEvent.objects.get()
    nc = Nonconformance.objects.get(lot_inspection=rejected)
    assert (event.kind, event.amount, event.currency, event.chargeback) == (
        "material_loss",
        D("312.51"),  # rounded half up to the fen
        "CNY",
        True,
    )
    assert (event.partner, event.nonconformance, event.lot_inspection) == (
        rejected.partner,
        nc,
        LotInspection.objects.get(pk=rejected.pk),
    )
    assert (event.quantity, event.unit, event.description) == (
        D(50),
        "pcs",
        f"Scrap of lot {rejected.number}",
    )


def test_sorting_at_the_suppliers_cost_is_a_quality_defect_cost(quality, rejected):
    inspection.lot_dispose(
        user=quality,
        inspection=rejected,
        disposition="sort",
        quantity_accepted="50",
        cost_amount="80",
        chargeback=False,
    )
    event = CostEvent.objects.get()
    assert (event.kind, event.amount, event.chargeback, event.quantity) == (
        "quality_defect",
        D("80.00"),
        False,
        None,  # nothing was lost
    )


def test_use_as_is_needs_a_concession(quality, rejected):
    with pytest.raises(InvalidInput) as refused:
        inspection.lot_dispose(user=quality, inspection=rejected, disposition="use_as_is")
    assert "concession_reference" in refused.value.fields
    assert LotInspection.objects.get(pk=rejected.pk).disposition == ""
    assert _line(rejected).on_hold
    disposed = inspection.lot_dispose(
        user=quality,
        inspection=rejected,
        disposition="use_as_is",
        concession_reference="CON-2026-07",
    )
    assert disposed.concession_reference == "CON-2026-07"
    line = _line(rejected)
    assert (line.on_hold, line.quantity_accepted, line.quantity_rejected) == (False, D(50), D(0))


def test_a_disposition_is_for_a_rejected_lot_once(quality, lot, rejected):
    with pytest.raises(InvalidInput):
        inspection.lot_dispose(user=quality, inspection=rejected, disposition="burn")
    inspection.lot_dispose(user=quality, inspection=rejected, disposition="return_to_vendor")
    with pytest.raises(Conflict, match="already has a disposition"):
        inspection.lot_dispose(user=quality, inspection=rejected, disposition="scrap")
    accepted = inspection.lot_open(user=quality, receipt_line=receipt_line(rejected.partner))
    inspection.readings_record(user=quality, inspection=accepted, rows=good_rows(8))
    with pytest.raises(Conflict, match="Only a rejected lot needs a disposition"):
        inspection.lot_dispose(user=quality, inspection=accepted, disposition="scrap")


# --- switching rules --------------------------------------------------------------------------


def test_two_rejections_in_five_lots_switch_to_tightened_inspection(quality, partner):
    """Lots of 50 at level II (letter D) and AQL 6.5, one parameter. Normal: n 8, Ac 1, Re 2.
    Table 2-B, letter D at 6.5 is an arrow down to E: tightened n 13, Ac 1, Re 2."""
    standard = InspectionStandardFactory(item="RG-9", aql=D("6.5"))
    InspectionParameterFactory(standard=standard, code="len")

    def lot_with(result):
        lot = inspection.lot_open(user=quality, receipt_line=receipt_line(partner, item="RG-9"))
        bad = 2 if result == "R" else 0
        rows = [ReadingRow(u, "len", "11" if u <= bad else "10") for u in range(1, 9)]
        return inspection.readings_record(user=quality, inspection=lot, rows=rows)

    def state():
        return SamplingState.objects.get(partner=partner, standard=standard)

    for result in "RAAAA":
        lot_with(result)
    assert (state().severity, state().recent) == ("normal", "RAAAA")
    # A second rejection six lots after the first: the first has left the window of five.
    lot_with("R")
    assert (state().severity, state().recent) == ("normal", "AAAAR")
    for result in "AAA":
        lot_with(result)
    assert (state().severity, state().recent) == ("normal", "ARAAA")
    # R A A A R: two of five consecutive lots not accepted.
    switched = lot_with("R")
    assert switched.switching == {
        "before": "normal",
        "after": "tightened",
        "reason": "2 of 5 consecutive lots not accepted on normal inspection (clause 9.3.1)",
        "switching_score": 0,
    }
    assert (state().severity, state().recent, state().switching_score) == ("tightened", "", 0)
    # The next lot is planned from Table 2-B.
    following = inspection.lot_open(user=quality, receipt_line=receipt_line(partner, item="RG-9"))
    assert (
        following.severity,
        following.code_letter,
        following.plan_letter,
        following.sample_size,
        following.accept_number,
        following.reject_number,
    ) == ("tightened", "D", "E", 13, 1, 2)
    assert "2-B" in following.plan_explanation
    assert LotInspection.objects.filter(severity="normal").count() == 10


def test_inspection_resumes_at_tightened_after_discontinuation(quality, partner, standard):
    state = SamplingStateFactory(
        partner=partner, standard=standard, severity="discontinued", not_accepted_on_tightened=5
    )
    with pytest.raises(InvalidInput):
        inspection.sampling_resume(user=quality, state=state, reason=" ")
    resumed = inspection.sampling_resume(user=quality, state=state, reason="8D-2026-0004 closed")
    assert (resumed.severity, resumed.not_accepted_on_tightened) == ("tightened", 0)
    assert resumed.reason == (
        "resumed at tightened inspection after the supplier's corrective action (clause 9.4) "
        "(8D-2026-0004 closed)"
    )
    assert audit_rows(resumed)[-1].changes["severity"] == ["discontinued", "tightened"]
    with pytest.raises(Conflict, match="not discontinued"):
        inspection.sampling_resume(user=quality, state=resumed, reason="again")
    lot = inspection.lot_open(user=quality, receipt_line=receipt_line(partner))
    # Tightened, letter D at 6.5: arrow down to E, n 13.
    assert (lot.severity, lot.sample_size) == ("tightened", 13)


# --- importing readings -----------------------------------------------------------------------


def csv_file(text: str | bytes, name="readings.csv"):
    return upload(name, text.encode() if isinstance(text, str) else text, "text/csv")


def good_csv(separator=",", decimal="."):
    lines = [separator.join(("unit", "parameter", "value"))]
    for unit in range(1, 9):
        lines += [
            separator.join((str(unit), "moisture", f"0{decimal}1")),
            separator.join((str(unit), "mfi", "10")),
            separator.join((str(unit), "contamination", "pass")),
        ]
    return "\n".join(lines) + "\n"


def test_a_csv_file_of_readings_decides_the_lot(quality, lot):
    decided = inspection.readings_import(
        user=quality, inspection=lot, uploaded_file=csv_file(good_csv())
    )
    assert (decided.status, decided.defectives) == ("accepted", 0)
    assert SampleReading.objects.filter(inspection=lot).count() == 24


def test_a_semicolon_file_with_decimal_commas_and_a_bom(quality, lot):
    text = "\ufeff" + good_csv(";", ",").replace("unit;parameter;value", "Unit ; Parameter;VALUE")
    decided = inspection.readings_import(user=quality, inspection=lot, uploaded_file=csv_file(text))
    assert decided.status == "accepted"
    assert readings_of(lot)[(3, "moisture")] == (D("0.1"), True)


def test_a_file_without_a_needed_column_is_refused(quality, lot):
    text = "unit,param,value\n1,mfi,10\n"
    with pytest.raises(InvalidInput) as refused:
        inspection.readings_import(user=quality, inspection=lot, uploaded_file=csv_file(text))
    assert refused.value.message == "The file has no column parameter (found: unit, param, value)."
    with pytest.raises(InvalidInput, match=r"no column unit, parameter, value \(found: nothing\)"):
        inspection.readings_import(user=quality, inspection=lot, uploaded_file=csv_file(""))
    assert not SampleReading.objects.exists()


def test_a_file_that_is_not_utf8_text_is_refused(quality, lot):
    latin1 = "unit,parameter,value\n1,mfi,10\n2,mfi,10 \xe9\n".encode("latin-1")
    with pytest.raises(InvalidInput, match="not UTF-8") as refused:
        inspection.readings_import(user=quality, inspection=lot, uploaded_file=csv_file(latin1))
    assert "file" in refused.value.fields
    with pytest.raises(InvalidInput, match="not a CSV text file"):
        inspection.readings_import(
            user=quality, inspection=lot, uploaded_file=csv_file(b"PK\x03\x04\x00\x00binary")
        )
    assert not SampleReading.objects.exists()


def test_errors_in_a_file_name_its_rows(quality, lot):
    text = (
        "parameter,value,unit\n"  # columns in any order
        "mfi,10,1\n"
        "\n"  # a blank line is skipped but counted
        "mfi,abc,2\n"
        "moisture,9,3\n"
        "mfi,10,1\n"
    )
    with pytest.raises(InvalidInput) as refused:
        inspection.readings_import(user=quality, inspection=lot, uploaded_file=csv_file(text))
    assert refused.value.fields == {
        "readings": [
            "row 4, unit 2, mfi: “abc” is not a number.",
            "row 5, unit 3, moisture: 9 % is outside the plausible range 0.0000 to 5.0000; check "
            "the instrument or the typing.",
            "row 6: unit 1, mfi is given twice.",
        ]
    }
    assert refused.value.message.startswith("3 reading(s) are wrong; nothing was saved.")
    assert not SampleReading.objects.exists()


# --- permissions ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["finance", "manufacturing", "outsourcing"])
def test_only_quality_inspects(make_user, quality, lot, role):
    user = make_user(role)
    with pytest.raises(Forbidden):
        inspection.lot_open(user=user, receipt_line=receipt_line())
    with pytest.raises(Forbidden):
        inspection.readings_record(user=user, inspection=lot, rows=good_rows(8))
    with pytest.raises(Forbidden):
        inspection.standard_create(user=user, data={"code": "X", "name": "X", "item": "X"})
    assert LotInspection.objects.count() == 1
    assert not SampleReading.objects.exists()


def test_a_partner_user_cannot_inspect_its_own_lot(make_user, partner, lot):
    supplier = make_user("partner", partner=partner)
    with pytest.raises(Forbidden):
        inspection.readings_record(user=supplier, inspection=lot, rows=good_rows(8))
