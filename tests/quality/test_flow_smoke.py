"""One pass through each quality flow with the real services: a lot rejected and disposed of,
an 8D worked to closure, an audit conducted and closed."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from partnerdesk.finance.models import GoodsReceiptLine
from partnerdesk.quality.models import AuditTemplate, Nonconformance
from partnerdesk.quality.services import audits, inspection, nonconformance
from tests.factories import (
    PDF,
    GoodsReceiptLineFactory,
    InspectionParameterFactory,
    InspectionStandardFactory,
    PartnerFactory,
    PurchaseOrderLineFactory,
)

pytestmark = pytest.mark.django_db


def test_a_rejected_lot_holds_the_receipt_opens_an_nc_and_its_disposition_lifts_the_hold(
    make_user,
):
    quality = make_user("quality")
    line = GoodsReceiptLineFactory(order_line=PurchaseOrderLineFactory(quantity=Decimal(500)))
    standard = InspectionStandardFactory(item=line.order_line.item, aql=Decimal("1.0"))
    InspectionParameterFactory(standard=standard, code="len")
    lot = inspection.lot_open(user=quality, receipt_line=line)
    # 500 pieces, level II: letter H, n=50, AQL 1.0: Ac 1, Re 2.
    assert (lot.code_letter, lot.sample_size, lot.accept_number, lot.reject_number) == (
        "H",
        50,
        1,
        2,
    )
    rows = [
        inspection.ReadingRow(unit, "len", "10.5" if unit <= 2 else "10.0") for unit in range(1, 51)
    ]
    lot = inspection.readings_record(user=quality, inspection=lot, rows=rows)
    assert (lot.status, lot.defectives) == ("rejected", 2)
    line = GoodsReceiptLine.objects.get(pk=line.pk)
    assert line.on_hold and lot.number in line.hold_reason
    nc = Nonconformance.objects.get(lot_inspection=lot)
    assert nc.source == "inspection" and nc.severity == "major"
    inspection.lot_dispose(
        user=quality,
        inspection=lot,
        disposition="sort",
        quantity_accepted="480",
        cost_amount="350",
    )
    line = GoodsReceiptLine.objects.get(pk=line.pk)
    assert not line.on_hold
    assert (line.quantity_accepted, line.quantity_rejected) == (Decimal(480), Decimal(20))
    assert nc.costs.get().amount == Decimal("350.00")


def test_an_8d_runs_from_d0_to_closure(make_user):
    quality = make_user("quality")
    partner = PartnerFactory()
    supplier = make_user("partner", partner=partner)
    nc = nonconformance.nc_create(
        user=quality,
        data={
            "partner": partner,
            "source": "customer_complaint",
            "customer_reference": "CC-1",
            "defect_type": _defect(),
            "title": "Black specks",
            "reported_severity": "minor",
            "detected_on": datetime.date(2026, 11, 1),
        },
    )
    action = nonconformance.action_open(user=quality, nc=nc)
    stages = {s.stage: s for s in action.stages.all()}
    for number in range(8):
        nonconformance.stage_submit(user=supplier, stage=stages[number], content=f"D{number}")
        nonconformance.stage_accept(user=quality, stage=stages[number])
    nonconformance.effectiveness_record(
        user=quality, action=action, result="effective", note="3 lots clean"
    )
    nonconformance.stage_submit(user=supplier, stage=stages[8], content="Team thanked")
    nonconformance.stage_accept(user=quality, stage=stages[8])
    action = nonconformance.action_close(user=quality, action=action)
    nc.refresh_from_db()
    assert action.status == "closed" and action.closed_on_time is True
    assert nc.status == "closed"


def _defect():
    from partnerdesk.quality.models import DefectType

    return DefectType.objects.get(code="CONTAMINATION")


def test_the_shipped_onsite_audit_is_conducted_and_closed(make_user):
    quality = make_user("quality")
    template = AuditTemplate.objects.get(code="ONSITE")
    audit = audits.audit_plan(
        user=quality,
        partner=PartnerFactory(),
        template=template,
        planned_date=datetime.date(2026, 11, 20),
    )
    answers = list(audit.answers.order_by("position"))
    assert len(answers) == 22
    for answer in answers:
        data = {"yes": True} if answer.kind == "yes_no" else {}
        if answer.kind == "scale":
            data = {"value": answer.scale_max}
        if answer.kind == "numeric":
            data = {
                "value": answer.lower_limit
                if answer.lower_limit is not None
                else answer.upper_limit
            }
        if answer.critical and answer.kind == "yes_no" and answer.position == 3:
            data = {"yes": False, "comment": "two gauges overdue"}
        audits.answer_record(user=quality, answer=answer, data=data)
        if answer.evidence_required:
            audits.evidence_add(
                user=quality,
                audit=audit,
                answer=answer,
                uploaded_file=SimpleUploadedFile("photo.pdf", PDF),
            )
    audit = audits.audit_close(user=quality, audit=audit)
    assert audit.grade == "B" and audit.score < 100
    assert audit.explanation["downgrade"] == "1 major finding: at most grade B"
    nc = Nonconformance.objects.get(audit_answer__audit=audit)
    assert nc.source == "audit" and nc.severity == "major"
