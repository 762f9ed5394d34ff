"""An audit conducted to closure on a phone (390 x 844, touch): one card per question, answers
saved in place with HTMX as they are tapped, a photo taken for the question that needs one, the
progress bar following, and the sticky close button scoring the audit."""

import datetime
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from partnerdesk.quality.models import Audit, Nonconformance
from partnerdesk.quality.services import audits as services
from tests.browser.conftest import log_in
from tests.factories import (
    AuditQuestionFactory,
    AuditSectionFactory,
    AuditTemplateFactory,
    PartnerFactory,
)
from tests.support import restore_shipped_data

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40


@pytest.fixture
def phone(new_context):
    """A page in a phone-sized touch context; JavaScript errors on the page fail the test."""
    restore_shipped_data()
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    assert not errors, f"JavaScript errors on the page: {errors}"


def small_audit(user):
    template = AuditTemplateFactory(code="PHONE", name="Phone audit")
    equipment = AuditSectionFactory(template=template, position=1, title="Equipment")
    storage = AuditSectionFactory(template=template, position=2, title="Storage")
    AuditQuestionFactory(
        section=equipment,
        position=1,
        text="Gauges calibrated",
        critical=True,
        evidence_required=True,
    )
    AuditQuestionFactory(
        section=equipment, position=2, text="Maintenance records", kind="scale", scale_max=5
    )
    AuditQuestionFactory(
        section=storage,
        position=1,
        text="Gauges in calibration",
        kind="numeric",
        lower_limit=Decimal(95),
        unit="%",
    )
    audit = services.audit_plan(
        user=user,
        partner=PartnerFactory(code="MOULD7"),
        template=template,
        planned_date=datetime.date(2026, 11, 20),
        auditor=user,
    )
    return audit, {a.text: a for a in audit.answers.all()}


def test_an_audit_is_conducted_to_closure_on_a_phone(phone, make_user):
    quality = make_user("quality")
    audit, answers = small_audit(quality)
    page = phone
    log_in(page, quality)

    page.goto(f"/quality/audits/{audit.pk}/conduct/")
    expect(page.locator("h1")).to_contain_text(audit.number)
    progress = page.locator("#audit-progress")
    expect(progress).to_contain_text("0 of 3 answered")
    # Nothing sticks out sideways on the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # The critical question: "No" is a touch-sized button; tapping it saves the card in place.
    gauges = page.locator(f"#answer-{answers['Gauges calibrated'].pk}")
    no = gauges.locator("label.qa-option.no")
    box = no.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    no.tap()
    expect(gauges.locator(".qa-finding-major")).to_have_text("Major finding")
    expect(gauges.locator(".qa-saved")).to_be_visible()
    expect(progress).to_contain_text("1 of 3 answered")

    # A comment typed on the card is saved with it.
    gauges.locator("textarea[name=comment]").fill("Two gauges overdue")
    with page.expect_response(lambda r: "/quality/answers/" in r.url and r.status == 200):
        gauges.get_by_role("button", name="Save").tap()
    expect(gauges.locator(".qa-saved")).to_be_visible()

    # The scale: a score of 4 out of 5 is an observation.
    records = page.locator(f"#answer-{answers['Maintenance records'].pk}")
    records.locator("label.qa-option", has_text="4").tap()
    expect(records.locator(".qa-finding-observation")).to_be_visible()

    # A score out of range cannot be tapped; a reading that is not a number is refused.
    reading = page.locator(f"#answer-{answers['Gauges in calibration'].pk}")
    expect(reading).to_contain_text("Limits: ≥ 95 %")
    reading.locator("input[name=value]").fill("lots")
    reading.locator("input[name=value]").press("Enter")
    expect(reading.locator(".error")).to_contain_text("Enter a number.")
    reading.locator("input[name=value]").fill("97.5")
    reading.locator("input[name=value]").press("Enter")
    expect(reading.locator(".qa-finding-compliant")).to_be_visible()
    expect(progress).to_contain_text("3 of 3 answered")

    # Closing before the required photo is there says so, and keeps the answers.
    expect(progress).to_contain_text("1 lacks evidence")
    with page.expect_navigation():
        page.get_by_role("button", name="Close the audit").tap()
    expect(page.locator("#close-errors")).to_contain_text(
        "Evidence is required for: 1. Gauges calibrated"
    )

    # The photo is taken on the question's card (a file input with the camera).
    gauges = page.locator(f"#answer-{answers['Gauges calibrated'].pk}")
    gauges.locator("input[type=file]").set_input_files(
        {"name": "gauge.png", "mimeType": "image/png", "buffer": PNG}
    )
    expect(gauges.locator(".qa-flag-evidence")).to_have_text("evidence attached")
    expect(gauges.locator("img")).to_have_count(1)
    expect(gauges.locator("textarea[name=comment]")).to_have_value("Two gauges overdue")

    # The sticky close button stays in reach at the bottom of the screen, and closes.
    close = page.get_by_role("button", name="Close the audit")
    box = close.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"]
    page.locator("#close-audit summary").tap()
    page.locator("#id_close_summary").fill("Calibration lapsed at the moulding shop.")
    with page.expect_navigation():
        close.tap()

    expect(page).to_have_url(re.compile(rf"/quality/audits/{audit.pk}/$"))
    expect(page.get_by_role("status")).to_contain_text(f"Audit {audit.number} closed")
    score = page.locator("#score")
    # 0 of 1 + 4/5 of 1 + 1 of 1 = 1.8 of 3 points = 60 %: grade C.
    expect(score).to_contain_text("60.00 %")
    expect(score.locator(".qa-grade")).to_have_text("C")
    audit = Audit.objects.get(pk=audit.pk)
    assert (audit.status, audit.grade) == ("closed", "C")
    assert audit.summary == "Calibration lapsed at the moulding shop."
    nc = Nonconformance.objects.get(audit_answer=answers["Gauges calibrated"])
    expect(page.locator("#answers")).to_contain_text(nc.number)
