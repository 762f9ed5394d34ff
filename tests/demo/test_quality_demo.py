"""The demo's quality module: every feature alive with believable data after ``partnerdesk
demo``, a rejected lot blocking its invoice, a repeat nonconformance, an overdue 8D stage
with its notices; loading it again adds nothing.

The demo company is loaded once for the module (it takes a while) inside a transaction that
is rolled back at the end; each test runs in a savepoint of it.
"""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from partnerdesk.demo.company import load_demo_company
from partnerdesk.finance.models import MatchException, SupplierInvoice
from partnerdesk.notifications.models import Notification
from partnerdesk.quality.choices import RAISED_SEVERITY
from partnerdesk.quality.engines import eightd
from partnerdesk.quality.models import (
    Audit,
    AuditEvidence,
    AuditSchedule,
    CorrectiveAction,
    CostEvent,
    EightDStage,
    InspectionStandard,
    LotInspection,
    Nonconformance,
    SampleReading,
    SamplingState,
)

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    email = "django.core.mail.backends.locmem.EmailBackend"
    with (
        override_settings(MEDIA_ROOT=media, EMAIL_BACKEND=email),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        counts = load_demo_company()
        yield {"counts": counts, "rows": row_counts(), "media": media}
        transaction.set_rollback(True)


def test_inspection_standards_and_lots_mostly_accepted_a_few_rejected(demo):
    # Standards for regrind (five parameters) and a moulded part, among others
    regrind = InspectionStandard.objects.get(code="RG-PP")
    assert set(regrind.parameters.values_list("code", flat=True)) == {
        "moisture",
        "contamination",
        "mfi",
        "colour",
        "fines",
    }
    assert all(p.plausible_min is not None and p.defect_type for p in regrind.parameters.all())
    housing = InspectionStandard.objects.get(code="HSG-A200")
    assert set(housing.parameters.values_list("kind", flat=True)) == {"measured", "attribute"}
    # Lots on the finance demo's receipt lines: mostly accepted, regrind counted in bags
    lots = LotInspection.objects.all()
    accepted, rejected = lots.filter(status="accepted"), lots.filter(status="rejected")
    assert lots.count() == demo["counts"]["lot_inspections"] >= 20
    assert accepted.count() >= 3 * rejected.count() >= 12
    assert lots.filter(status="open").count() == 1  # one still being read
    bags = lots.get(receipt_line__receipt__number="DN-RG-GREENLOOP-02A")
    assert bags.lot_size == 288  # 7,200 kg in 25 kg bags
    # Every decided lot has a full sample of readings; rejections come from their defects
    for lot in lots.exclude(status="open"):
        assert lot.readings.count() == lot.sample_size * lot.standard.parameters.count()
        assert (lot.defectives >= lot.reject_number) == (lot.status == "rejected")
    # Readings are plausible (the services would refuse others) and conform mostly
    readings = SampleReading.objects.select_related("parameter")
    assert readings.filter(conforming=False).count() < readings.count() / 50
    assert all(
        r.parameter.plausible_max is None or r.value <= r.parameter.plausible_max
        for r in readings.filter(conforming=False)
    )
    # The dispositions: sort (charged back), return to vendor, scrap, use as is, one waiting
    assert set(rejected.values_list("disposition", flat=True)) == {
        "sort",
        "return_to_vendor",
        "scrap",
        "use_as_is",
        "",
    }
    sort = rejected.get(disposition="sort")
    assert sort.costs.get().chargeback and sort.receipt_line.quantity_accepted == Decimal(7056)
    # The decisions are spread over the past weeks, in local time and never in the future
    decided = sorted(lots.exclude(decided_at=None).values_list("decided_at", flat=True))
    assert decided[-1] <= timezone.now()
    assert decided[-1] - decided[0] > datetime.timedelta(days=45)


def test_a_supplier_was_switched_to_tightened_inspection(demo):
    # Two lots of the last five rejected on normal inspection switched Xiamen to tightened
    state = SamplingState.objects.get(partner__code="CMO-XMN", standard__code="MOULDED")
    assert state.severity == "tightened"
    switch = LotInspection.objects.get(switching__before="normal", switching__after="tightened")
    assert switch.partner.code == "CMO-XMN" and switch.status == "rejected"
    later = LotInspection.objects.filter(partner__code="CMO-XMN", created_at__gt=switch.created_at)
    assert later.exists() and set(later.values_list("severity", flat=True)) == {"tightened"}


def test_a_rejected_lot_without_disposition_blocks_its_invoice(demo):
    # Given the lot rejected and still waiting for its disposition
    lot = LotInspection.objects.get(status="rejected", disposition="")
    line = lot.receipt_line

    # Then its receipt line is on quality hold and it has an open nonconformance …
    assert line.on_hold and lot.number in line.hold_reason
    assert lot.nonconformance.status in ("open", "action")
    # … and finance blocks the invoice for the held quantity
    invoice = SupplierInvoice.objects.get(lines__order_line=line.order_line)
    assert invoice.payment_status == "blocked"
    hold = MatchException.objects.get(invoice=invoice, type="quality_hold", status="open")
    assert hold.severity == "block" and "on quality hold" in hold.detail


def test_nonconformances_from_every_source_and_a_repeat_with_raised_severity(demo):
    ncs = Nonconformance.objects.all()
    assert set(ncs.values_list("source", flat=True)) == {
        "inspection",
        "audit",
        "customer_complaint",
        "production",
    }
    assert ncs.filter(status="closed").exists() and ncs.filter(status="open").exists()
    # The repeat: the same defect at the same partner within 12 months, one step more severe
    repeat = ncs.get(repeat_of__isnull=False)
    first = repeat.repeat_of
    assert (repeat.partner_id, repeat.defect_type_id) == (first.partner_id, first.defect_type_id)
    assert eightd.repeat_window_start(repeat.detected_on) <= first.detected_on
    assert first.detected_on < repeat.detected_on
    assert repeat.severity == RAISED_SEVERITY[repeat.reported_severity] != repeat.reported_severity
    # The audit finding's nonconformance came from a major finding at a closed audit
    finding = ncs.get(source="audit")
    assert finding.audit_answer.finding == "major"
    assert finding.audit_answer.audit.status == "closed"


def test_8d_actions_in_every_state_and_the_overdue_stage_notified(demo):
    actions = CorrectiveAction.objects.all()
    closed = actions.filter(status="closed")
    assert set(closed.values_list("closed_on_time", flat=True)) == {True, False}
    assert all(
        a.effectiveness == "effective" and a.nonconformance.status == "closed" for a in closed
    )
    assert actions.filter(status="open", effectiveness="not_effective").exists()
    assert EightDStage.objects.filter(action__status="open", status="sent_back").exists()
    # A partner user submitted stages of their own 8D
    submitted = EightDStage.objects.exclude(submitted_by=None).select_related("action")
    assert any(s.submitted_by.partner_id == s.action.partner_id for s in submitted)
    # An overdue stage, and its owner notified of it
    now = timezone.now()
    overdue = [
        s
        for s in EightDStage.objects.filter(action__status="open").select_related("action")
        if eightd.is_overdue(s.status, s.due_at, now)
    ]
    assert overdue
    notices = Notification.objects.filter(kind="8d_overdue")
    assert {(n.recipient_id, n.link) for n in notices} >= {
        (s.action.owner_id, reverse("quality:action_detail", args=[s.action_id])) for s in overdue
    }
    # Due times follow the defaults: containment within 48 hours of the opening
    for action in actions:
        d3 = action.stages.get(stage=3)
        assert d3.due_at - action.opened_at == datetime.timedelta(hours=48)


def test_audits_with_grades_evidence_one_in_progress_and_some_planned(demo):
    assert set(AuditSchedule.objects.values_list("frequency", flat=True)) == {
        "monthly",
        "quarterly",
    }
    audits = Audit.objects.all()
    closed = audits.filter(status="closed")
    assert set(closed.values_list("grade", flat=True)) == {"A", "B", "C"}
    assert closed.filter(
        planned_date__lt=timezone.localdate() - datetime.timedelta(days=90)
    ).exists()
    assert audits.get(status="in_progress").planned_date == timezone.localdate()
    assert audits.filter(status="planned", planned_date__gt=timezone.localdate()).count() >= 2
    # Evidence files (PNG photos and PDF records) stored for the answers that need them
    evidence = AuditEvidence.objects.all()
    assert set(evidence.values_list("content_type", flat=True)) == {
        "image/png",
        "application/pdf",
    }
    for item in evidence:  # stored where the module's demo put its media
        head = (demo["media"] / item.file.name).read_bytes()[:4]
        assert head == (b"\x89PNG" if item.content_type == "image/png" else b"%PDF")


def test_cost_events_for_penalties_and_chargebacks_with_a_correction(demo):
    costs = CostEvent.objects.all()
    assert costs.filter(kind="material_loss", team__isnull=False, partner__isnull=True).exists()
    assert costs.filter(kind="quality_defect", chargeback=True).exists()
    correction = costs.filter(corrects__isnull=False)
    assert correction.count() == 2  # the reversing entry and the corrected amount
    original = correction.first().corrects
    assert sum(e.amount for e in correction) == Decimal("12960.00") - original.amount


def test_loading_the_demo_again_changes_nothing(demo):
    # When the demo company is loaded a second time
    load_demo_company()

    # Then every table keeps its rows
    assert row_counts() == demo["rows"]
