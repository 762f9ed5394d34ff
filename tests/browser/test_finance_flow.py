"""The finance pages in a real browser: a blocked invoice and its reasons, resolving the
exception from the queue, and growing the invoice form with the HTMX "Add rows" button."""

import re

import pytest
from playwright.sync_api import expect

from partnerdesk.finance.forms import ADD_ROWS
from tests.browser.conftest import log_in
from tests.finance.test_views_setup import make_books

pytestmark = pytest.mark.browser


def test_a_blocked_invoice_is_explained_and_its_exception_resolved(page, make_user):
    books = make_books(make_user)
    log_in(page, books.finance)

    # The invoice with a price 0.10 above the order is blocked, and says why.
    page.goto(f"/finance/invoices/{books.invoice.pk}/")
    expect(page.locator("h1")).to_contain_text("INV-0001")
    reasons = page.locator("#exceptions")
    expect(reasons).to_contain_text("Price variance")

    # Open the exception and accept it with a justification (100.00 at stake: no approval).
    reasons.get_by_role("link", name="Price variance").first.click()
    expect(page).to_have_url(re.compile(r"/finance/exceptions/\d+/$"))
    form = page.locator("#resolve form")
    form.locator("select[name$='resolution']").select_option("accepted")
    form.locator("textarea[name$='justification'], input[name$='justification']").fill(
        "Price increase agreed by e-mail on 2026-10-02; order to be amended."
    )
    with page.expect_navigation():
        form.get_by_role("button", name="Record resolution").click()
    expect(page.locator("main")).to_contain_text("Accepted with justification")
    expect(page.locator("main")).to_contain_text("Price increase agreed by e-mail")


def test_the_invoice_form_grows_by_rows_in_place(page, make_user):
    books = make_books(make_user)
    log_in(page, books.finance)
    page.goto("/finance/invoices/new/")
    rows = page.locator("#line-rows tr.line")
    before = rows.count()
    assert before > 0
    page.locator("#add-rows").click()
    expect(rows).to_have_count(before + ADD_ROWS)
    # The page did not reload: the header field typed before the click is still there.
    page.fill("input[name='number']", "INV-TYPED")
    page.locator("#add-rows").click()
    expect(rows).to_have_count(before + 2 * ADD_ROWS)
    expect(page.locator("input[name='number']")).to_have_value("INV-TYPED")
