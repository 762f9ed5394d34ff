"""Incoming inspection in a real browser: open a lot from the to-do list, import readings that
reject it, see the quality hold on the receipt and the nonconformance, and dispose of the lot."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from partnerdesk.finance.models import GoodsReceiptLine
from partnerdesk.quality.models import LotInspection, Nonconformance
from tests.browser.conftest import log_in
from tests.factories import (
    GoodsReceiptLineFactory,
    InspectionParameterFactory,
    InspectionStandardFactory,
    PartnerFactory,
    PurchaseOrderLineFactory,
)

pytestmark = pytest.mark.browser


def test_a_lot_is_opened_rejected_by_its_readings_and_disposed_of(page, make_user, tmp_path):
    quality = make_user("quality", username="inspector")
    partner = PartnerFactory(code="REG-ALPHA", legal_name="Alpha Regrind")
    line = GoodsReceiptLineFactory(
        order_line=PurchaseOrderLineFactory(
            order__partner=partner, item="REGRIND-PP", quantity=Decimal(50), unit="bags"
        )
    )
    standard = InspectionStandardFactory(code="STD-PP", item="REGRIND-PP", aql=Decimal("1.0"))
    InspectionParameterFactory(
        standard=standard,
        position=1,
        code="moisture",
        name="Moisture",
        unit="%",
        lower_limit=Decimal("0"),
        upper_limit=Decimal("0.2"),
        plausible_min=Decimal("0"),
        plausible_max=Decimal("5"),
    )
    # 50 bags, level II, AQL 1.0: a sample of 13, accepted with no nonconforming bag.
    readings = tmp_path / "readings.csv"
    readings.write_text(
        "unit;parameter;value\n"
        + "".join(f"{u};moisture;{'0,35' if u == 7 else '0,08'}\n" for u in range(1, 14))
    )
    log_in(page, quality)

    # The line waits in the to-do list; open its inspection with the plan prefilled.
    page.goto("/quality/")
    page.locator('[data-figure="lines_to_inspect"]').click()
    row = page.locator("tr.todo-line", has_text="REGRIND-PP")
    expect(row).to_contain_text(line.receipt.number)
    row.get_by_role("link", name="Inspect").click()
    expect(page.locator("#id_lot_size")).to_have_value("50")
    expect(page.locator("#plan-preview")).to_contain_text("a sample of 13")
    with page.expect_navigation():
        page.get_by_role("button", name="Open the inspection").click()
    expect(page).to_have_url(re.compile(r"/quality/inspections/\d+/$"))
    expect(page.locator("#plan")).to_contain_text("n = 13")
    expect(page.locator("#lot-status")).to_have_text("Open")

    # Import the readings: one bag is too wet, so the lot is rejected.
    page.set_input_files("#import input[type=file]", str(readings))
    with page.expect_navigation():
        page.get_by_role("button", name="Import").click()
    expect(page.locator("#lot-status")).to_have_text("Rejected")
    expect(page.get_by_role("status").first).to_contain_text("rejected: 1 nonconforming")
    expect(page.locator("#unit-7 td.out")).to_contain_text("0.35")
    expect(page.locator("#finance-state")).to_contain_text("on quality hold")
    lot = LotInspection.objects.get(receipt_line=line)
    nc = Nonconformance.objects.get(lot_inspection=lot)

    # The receipt shows the hold and the lot; the nonconformance links back to the lot.
    page.locator("#receipt").get_by_role("link", name=line.receipt.number).click()
    receipt_row = page.locator(f"#line-{line.line_no}")
    expect(receipt_row).to_contain_text("on hold")
    expect(receipt_row).to_contain_text(lot.number)
    page.goto(f"/quality/nonconformances/{nc.pk}/")
    expect(page.locator("h1")).to_contain_text(nc.number)
    expect(page.locator("#facts")).to_contain_text("Incoming inspection")
    page.locator("#lot-link").click()

    # Return the lot to the vendor: the hold is lifted, all 50 bags rejected.
    page.select_option("#id_disposition", "return_to_vendor")
    page.fill("#id_note", "Returned on truck 4")
    with page.expect_navigation():
        page.get_by_role("button", name="Record the disposition").click()
    expect(page.locator("#disposition")).to_contain_text("Return to vendor")
    expect(page.locator("#finance-state")).to_contain_text("not on hold")
    line = GoodsReceiptLine.objects.get(pk=line.pk)
    assert (line.on_hold, line.quantity_accepted, line.quantity_rejected) == (False, 0, 50)
