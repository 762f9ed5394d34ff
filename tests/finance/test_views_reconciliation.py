"""The weekly reconciliation pages: reconciling a week, the report with charts and agenda, the
agenda ticks, and the XLSX export."""

import io

import pytest
from openpyxl import load_workbook

from partnerdesk.audit.models import AuditEntry
from partnerdesk.finance.models import AgendaItem, WeeklyReconciliation
from partnerdesk.finance.services.reconciliation import (
    agenda_item_set_status,
    previous_week,
    reconcile,
)
from tests.factories import AgendaItemFactory, WeeklyReconciliationFactory
from tests.finance.test_views_setup import make_books

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(make_user):
    return make_books(make_user)


WEEK = "2026-W41"  # the week of the books' invoices


@pytest.fixture
def recon(books):
    return reconcile(user=books.finance, week=WEEK)


def test_reconcile_a_week_from_the_list(client, books):
    client.force_login(books.finance)
    page = client.get("/finance/reconciliations/").content.decode()
    assert f'value="{previous_week()}"' in page  # last week by default

    response = client.post("/finance/reconciliations/", {"week": WEEK})

    recon = WeeklyReconciliation.objects.get(week=WEEK)
    assert response["Location"] == f"/finance/reconciliations/{recon.pk}/"
    listed = client.get("/finance/reconciliations/").content.decode()
    assert WEEK in listed


def test_a_bad_week_is_refused_at_the_field(client, books):
    client.force_login(books.finance)

    response = client.post("/finance/reconciliations/", {"week": "2026-W99"})

    assert response.status_code == 200
    assert "has no week 99" in response.content.decode() or "YYYY-Www" in response.content.decode()
    assert not WeeklyReconciliation.objects.exists()


def test_report_page_with_figures_charts_and_agenda(client, books, recon):
    client.force_login(books.finance)

    html = client.get(f"/finance/reconciliations/{recon.pk}/").content.decode()

    assert 'id="matched-share"' in html and "%" in html
    assert html.count('<svg class="chart"') == 3
    assert 'data-label="Price variance"' in html
    assert 'data-label="CMO-ALPHA (CNY)"' in html
    assert "Blocked invoices" in html  # an agenda item
    assert "Mark done" in html
    assert f"/finance/reconciliations/{recon.pk}/export.xlsx" in html


def test_agenda_items_are_ticked_done_and_audited(client, books, recon):
    item = recon.agenda.first()
    client.force_login(books.buyer)  # outsourcing takes part in the meeting

    part = client.post(
        f"/finance/reconciliations/{recon.pk}/",
        {"action": "agenda", "item": item.pk, "status": "done"},
        HTTP_HX_REQUEST="true",
    ).content.decode()

    item.refresh_from_db()
    assert item.status == "done"
    assert part.startswith("<li") and "Done" in part
    assert AuditEntry.objects.filter(object_id=str(item.pk), actor=books.buyer).exists()
    response = client.post(
        f"/finance/reconciliations/{recon.pk}/",
        {"action": "agenda", "item": item.pk, "status": "open"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "open"


def test_readers_cannot_reconcile_or_tick(client, books, recon, make_user):
    client.force_login(make_user("manufacturing"))
    item = recon.agenda.first()

    assert "Reconcile a week" not in client.get("/finance/reconciliations/").content.decode()
    assert client.post("/finance/reconciliations/", {"week": WEEK}).status_code == 404
    assert "Mark done" not in client.get(f"/finance/reconciliations/{recon.pk}/").content.decode()
    assert (
        client.post(
            f"/finance/reconciliations/{recon.pk}/",
            {"action": "agenda", "item": item.pk, "status": "done"},
        ).status_code
        == 404
    )


def test_agenda_status_service_refuses_unknown_states(books):
    item = AgendaItemFactory()
    from partnerdesk.core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        agenda_item_set_status(user=books.finance, item=item, status="maybe")


def test_export_is_a_valid_workbook(client, books, recon):
    client.force_login(books.finance)

    response = client.get(f"/finance/reconciliations/{recon.pk}/export.xlsx")

    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Summary", "By type", "By partner", "Aging", "Exceptions", "Agenda"]
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True) if row}
    assert summary["Weekly reconciliation"] == WEEK
    assert summary["Invoices matched"] == 2
    exceptions = list(book["Exceptions"].iter_rows(values_only=True))
    assert exceptions[0][:3] == ("Partner", "Invoice", "Type")
    price = next(row for row in exceptions if row[2] == "Price variance")
    assert price[:2] == ("CMO-ALPHA", "INV-0001") and float(price[4]) == 100.0
    assert price[5] == "CNY"
    by_partner = list(book["By partner"].iter_rows(values_only=True))
    assert by_partner[1][:2] == ("CMO-ALPHA", "CNY")
    agenda = list(book["Agenda"].iter_rows(values_only=True))
    assert len(agenda) == 1 + AgendaItem.objects.filter(reconciliation=recon).count()
    # nothing confidential: no bank accounts or tax ids
    text = response.content
    assert b"6222" not in text


def test_export_writes_text_never_formulas(client, books):
    recon = WeeklyReconciliationFactory(report={})
    AgendaItemFactory(reconciliation=recon, title='=HYPERLINK("http://x")')
    client.force_login(books.finance)

    response = client.get(f"/finance/reconciliations/{recon.pk}/export.xlsx")

    book = load_workbook(io.BytesIO(response.content))
    cell = book["Agenda"]["B2"]
    assert cell.value.startswith("=HYPERLINK") and cell.data_type == "s"


def test_partner_users_have_no_reconciliation(client, books, recon, make_user):
    client.force_login(make_user("partner", partner=books.partner))

    assert client.get("/finance/reconciliations/").status_code == 404
    assert client.get(f"/finance/reconciliations/{recon.pk}/").status_code == 404
    assert client.get(f"/finance/reconciliations/{recon.pk}/export.xlsx").status_code == 404
