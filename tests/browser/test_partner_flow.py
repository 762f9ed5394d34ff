"""The partner pages in a real browser: sign in, create, add a contact, edit and see the change
in the history, field errors, the HTMX search, the mobile menu."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.factories import PartnerFactory

pytestmark = pytest.mark.browser


def fill_partner_form(page, *, code: str, legal_name: str) -> None:
    page.fill("#id_code", code)
    page.fill("#id_legal_name", legal_name)
    page.select_option("#id_kind", "contract_manufacturer")
    page.select_option("#id_country", "CN")


def save(page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()


def field_error(page, field_id: str):
    """The error shown inside the same form row as the field."""
    row = page.locator(".field.has-error", has=page.locator(f"#{field_id}"))
    return row.locator(f"#{field_id}-error")


def test_partner_lifecycle_through_the_forms(signed_in, tmp_path):
    page = signed_in

    # Create a partner with the form.
    page.goto("/partners/")
    page.get_by_role("link", name="New partner").click()
    expect(page.get_by_role("heading", name="New partner")).to_be_visible()
    fill_partner_form(page, code="acme-1", legal_name="Acme Moulding Co")
    save(page)
    expect(page).to_have_url(re.compile(r"/partners/\d+/$"))
    detail_url = page.url
    expect(page.locator("h1")).to_contain_text("Acme Moulding Co")
    expect(page.locator("h1")).to_contain_text("ACME-1")  # codes are stored upper-case
    expect(page.get_by_role("status")).to_contain_text("Partner created.")

    # Add a contact to it.
    page.get_by_role("link", name="Add contact").click()
    page.fill("#id_name", "Li Wei")
    page.select_option("#id_role", "quality")
    page.fill("#id_email", "li.wei@acme.example")
    save(page)
    expect(page).to_have_url(detail_url)
    contacts = page.locator("section.card", has=page.get_by_role("heading", name="Contacts"))
    row = contacts.locator("tbody tr", has_text="Li Wei")
    expect(row).to_contain_text("Quality contact")
    expect(row).to_contain_text("li.wei@acme.example")

    # Edit the partner: the new legal name shows, and the history has before and after.
    page.locator(".page-head .actions").get_by_role("link", name="Edit").click()
    expect(page.locator("#id_legal_name")).to_have_value("Acme Moulding Co")
    page.fill("#id_legal_name", "Acme Precision Moulding Ltd")
    save(page)
    expect(page).to_have_url(detail_url)
    expect(page.locator("h1")).to_contain_text("Acme Precision Moulding Ltd")
    newest = page.locator("#history li").first  # the update, above the creation
    change = newest.locator("table.changes tr", has_text="Legal name")
    expect(change).to_have_count(1)
    expect(change.locator("td.before")).to_have_text("Acme Moulding Co")
    expect(change.locator("td.after")).to_have_text("Acme Precision Moulding Ltd")

    screenshot = tmp_path / "partner_detail.png"
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 0

    # A bad form: the errors stand next to their fields and the input is kept.
    page.goto("/partners/new/")
    fill_partner_form(page, code="ACME-2", legal_name="")
    save(page)
    expect(page).to_have_url(re.compile(r"/partners/new/$"))
    expect(field_error(page, "id_legal_name")).to_have_text("This field is required.")
    expect(page.locator("#id_code")).to_have_value("ACME-2")

    page.fill("#id_code", "acme-1")  # taken, in another case
    page.fill("#id_legal_name", "Acme Copy")
    save(page)
    expect(page).to_have_url(re.compile(r"/partners/new/$"))
    expect(field_error(page, "id_code")).to_contain_text("already exists")
    expect(page.locator(".field.has-error")).to_have_count(1)


def test_partner_search_updates_the_table_in_place(signed_in):
    page = signed_in
    PartnerFactory(code="ALPHA-1", legal_name="Alpha Plastics")
    PartnerFactory(code="BETA-2", legal_name="Beta Metals")
    PartnerFactory(code="GAMMA-3", legal_name="Gamma Logistics")
    page.goto("/partners/")
    rows = page.locator("#list-results tbody tr")
    expect(rows).to_have_count(3)
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate("() => { window.__noFullReload = 'still here'; }")

    with page.expect_response(re.compile(r"/partners/\?.*q=beta")) as answer:
        page.get_by_role("searchbox", name="Search").fill("beta")
    assert answer.value.request.headers.get("hx-request") == "true"

    expect(page).to_have_url(re.compile(r"/partners/\?(.*&)?q=beta(&|$)"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("BETA-2")
    assert page.evaluate("() => window.__noFullReload") == "still here"
    # Only the table came back: the page around it (and its search box) is the same element.
    expect(page.locator("form.filters")).to_have_count(1)
    expect(page.get_by_role("searchbox", name="Search")).to_have_value("beta")


def test_mobile_viewport_shows_the_nav_toggle(new_context, outsourcing_user):
    page = new_context(viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
    log_in(page, outsourcing_user)
    toggle = page.locator("label.nav-toggle-label")
    modules = page.get_by_role("navigation", name="Modules")
    expect(toggle).to_be_visible()
    expect(modules).to_be_hidden()
    toggle.click()
    expect(modules).to_be_visible()
    expect(modules.get_by_role("link").first).to_be_visible()


def test_desktop_viewport_hides_the_nav_toggle(signed_in):
    expect(signed_in.locator("label.nav-toggle-label")).to_be_hidden()
    expect(signed_in.get_by_role("navigation", name="Modules")).to_be_visible()
