"""Nonconformance pages: reporting one, the repeat explained, editing, closing, cancelling,
requesting an 8D; the lot or audit it came from; who may do what; pinned query counts."""

import datetime
from decimal import Decimal

import pytest

from partnerdesk.notifications.models import Notification
from partnerdesk.quality.models import CorrectiveAction, DefectType, Nonconformance
from partnerdesk.quality.services import nonconformance as service
from tests.factories import (
    AuditAnswerFactory,
    AuditFactory,
    CorrectiveActionFactory,
    CostEventFactory,
    LotInspectionFactory,
    NonconformanceFactory,
    PartnerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 20)


@pytest.fixture
def quality(make_user):
    return make_user("quality", username="qe", first_name="Quinn", last_name="Engineer")


@pytest.fixture
def partner():
    return PartnerFactory(code="CMO-ALPHA", legal_name="Alpha Moulding")


def contamination():
    return DefectType.objects.get(code="CONTAMINATION")


def complaint(quality, partner, **extra) -> Nonconformance:
    data = {
        "partner": partner,
        "source": "customer_complaint",
        "customer_reference": "CC-1",
        "defect_type": contamination(),
        "title": "Black specks on housings",
        "reported_severity": "minor",
        "detected_on": TODAY - datetime.timedelta(days=40),
    }
    data.update(extra)
    return service.nc_create(user=quality, data=data)


def form_data(partner, **extra) -> dict:
    data = {
        "source": "customer_complaint",
        "partner": partner.pk,
        "defect_type": contamination().pk,
        "title": "Black specks again",
        "description": "Found by the customer at incoming inspection.",
        "detected_on": TODAY.isoformat(),
        "reported_severity": "minor",
        "quantity_affected": "120",
        "unit": "pcs",
        "cost_amount": "860.50",
        "currency": "CNY",
        "customer_reference": "CC-2",
    }
    data.update(extra)
    return data


def test_quality_reports_a_customer_complaint(client, quality, partner):
    client.force_login(quality)
    assert "Report a nonconformance" in client.get("/quality/nonconformances/new/").content.decode()

    response = client.post("/quality/nonconformances/new/", form_data(partner))

    nc = Nonconformance.objects.get(title="Black specks again")
    assert response.status_code == 302
    assert response["Location"] == f"/quality/nonconformances/{nc.pk}/"
    assert (nc.source, nc.severity, nc.owner, nc.cost_amount) == (
        "customer_complaint",
        "minor",
        quality,
        Decimal("860.50"),
    )
    assert nc.repeat_of is None
    html = client.get(response["Location"]).content.decode()
    assert nc.number in html and "CC-2" in html and "860.50 CNY" in html
    assert "120 pcs" in html and "Request an 8D" in html and "Close the nonconformance" in html


def test_a_complaint_without_its_reference_shows_the_error_next_to_the_field(
    client, quality, partner
):
    client.force_login(quality)

    response = client.post(
        "/quality/nonconformances/new/", form_data(partner, customer_reference="")
    )

    html = response.content.decode()
    assert response.status_code == 200
    field = html[html.index('for="id_customer_reference"') :]
    assert "Give the complaint" in field[: field.index("</div>")]
    assert not Nonconformance.objects.exists()


def test_a_detection_date_in_the_future_is_refused(client, quality, partner):
    client.force_login(quality)
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    response = client.post(
        "/quality/nonconformances/new/", form_data(partner, detected_on=tomorrow.isoformat())
    )
    assert "Give a date up to today." in response.content.decode()
    assert not Nonconformance.objects.exists()


def test_a_repeat_is_flagged_and_its_raised_severity_explained(client, quality, partner):
    first = complaint(quality, partner)
    client.force_login(quality)

    response = client.post("/quality/nonconformances/new/", form_data(partner), follow=True)

    nc = Nonconformance.objects.get(title="Black specks again")
    assert (nc.repeat_of, nc.reported_severity, nc.severity) == (first, "minor", "major")
    html = response.content.decode()
    assert f"It repeats {first.number} within 12 months: severity raised to Major." in html
    repeat = html[html.index('id="repeat"') :]
    assert (
        f"Repeat of {first.number} (detected {first.detected_on:%Y-%m-%d}): reported Minor, "
        "raised to Major because the same defect occurred at the same partner within 12 months"
    ) in repeat
    listed = client.get("/quality/nonconformances/?repeat=true").content.decode()
    assert f'data-nc="{nc.number}"' in listed and f'data-nc="{first.number}"' not in listed
    assert f"Repeat of {first.number}" in listed  # the badge's title
    firsts = client.get("/quality/nonconformances/?repeat=false").content.decode()
    assert f'data-nc="{first.number}"' in firsts and f'data-nc="{nc.number}"' not in firsts


def test_edit_close_and_the_closed_nc_is_no_longer_edited(client, quality, partner):
    nc = complaint(quality, partner)
    client.force_login(quality)
    form = client.get(f"/quality/nonconformances/{nc.pk}/edit/").content.decode()
    assert 'name="source"' not in form and "Black specks on housings" in form

    response = client.post(
        f"/quality/nonconformances/{nc.pk}/edit/",
        {
            "title": "Black specks (3 lots)",
            "reported_severity": "major",
            "customer_reference": "CC-1",
        },
    )

    nc.refresh_from_db()
    assert response.status_code == 302
    assert (nc.title, nc.severity) == ("Black specks (3 lots)", "major")

    refused = client.post(f"/quality/nonconformances/{nc.pk}/close/", {"note": ""})
    assert refused.status_code == 200 and "This field is required." in refused.content.decode()
    response = client.post(
        f"/quality/nonconformances/{nc.pk}/close/", {"note": "Supplier purged the hopper"}
    )
    nc.refresh_from_db()
    assert response.status_code == 302 and nc.status == "closed"
    assert nc.closing_note == "Supplier purged the hopper"
    html = client.get(f"/quality/nonconformances/{nc.pk}/").content.decode()
    assert "Close the nonconformance" not in html and "Supplier purged the hopper" in html
    again = client.get(f"/quality/nonconformances/{nc.pk}/edit/", follow=True)
    assert "A closed or cancelled nonconformance is not edited." in again.content.decode()


def test_cancel_needs_a_reason_and_is_post_only(client, quality, partner):
    nc = complaint(quality, partner)
    client.force_login(quality)
    assert client.get(f"/quality/nonconformances/{nc.pk}/cancel/").status_code == 405

    response = client.post(
        f"/quality/nonconformances/{nc.pk}/cancel/", {"reason": "Reported twice"}
    )

    nc.refresh_from_db()
    assert response.status_code == 302 and nc.status == "cancelled"


def test_a_lots_nc_links_the_lot_and_waits_for_its_disposition(client, quality, partner):
    lot = LotInspectionFactory(
        receipt_line__order_line__order__partner=partner, status="rejected", defectives=3
    )
    nc = NonconformanceFactory(
        partner=partner, source="inspection", lot_inspection=lot, owner=quality
    )
    client.force_login(quality)
    html = client.get(f"/quality/nonconformances/{nc.pk}/").content.decode()
    assert f'href="/quality/inspections/{lot.pk}/"' in html and "disposition needed" in html
    assert "Cancel the nonconformance" not in html  # a lot's NC is closed, not cancelled

    response = client.post(f"/quality/nonconformances/{nc.pk}/close/", {"note": "done"})

    assert response.status_code == 200
    assert "The rejected lot has no disposition yet." in response.content.decode()
    nc.refresh_from_db()
    assert nc.status == "open"


def test_an_audit_finding_links_its_audit(client, quality, partner):
    answer = AuditAnswerFactory(
        audit=AuditFactory(partner=partner, auditor=quality), text="Gauges calibrated?"
    )
    nc = service.nc_from_audit_answer(user=quality, answer=answer, severity="minor")
    client.force_login(quality)
    html = client.get(f"/quality/nonconformances/{nc.pk}/").content.decode()
    assert f'href="/quality/audits/{answer.audit_id}/"' in html and "Gauges calibrated?" in html


def test_requesting_an_8d_notifies_the_partner_users(client, quality, partner, make_user):
    nc = complaint(quality, partner)
    supplier = make_user("partner", partner=partner)
    engineer = make_user("quality", username="engineer")
    client.force_login(quality)
    assert client.get(f"/quality/nonconformances/{nc.pk}/action/").status_code == 405

    response = client.post(f"/quality/nonconformances/{nc.pk}/action/", {"owner": engineer.pk})

    action = CorrectiveAction.objects.get(nonconformance=nc)
    assert response.status_code == 302
    assert response["Location"] == f"/quality/actions/{action.pk}/"
    assert action.owner == engineer and action.stages.count() == 9
    assert Notification.objects.filter(recipient=supplier, kind="8d_opened").exists()
    nc.refresh_from_db()
    assert nc.status == "action"
    html = client.get(f"/quality/nonconformances/{nc.pk}/").content.decode()
    assert action.number in html and "0 of 9 stages accepted" in html
    assert "Request an 8D" not in html


def test_an_nc_without_partner_offers_no_8d(client, quality):
    nc = service.nc_create(
        user=quality,
        data={
            "source": "production",
            "defect_type": contamination(),
            "title": "Scrap on line 3",
            "reported_severity": "minor",
        },
    )
    client.force_login(quality)
    html = client.get(f"/quality/nonconformances/{nc.pk}/").content.decode()
    assert "Request an 8D" not in html and "No partner" in html

    response = client.post(f"/quality/nonconformances/{nc.pk}/action/", {})

    assert response.status_code == 200
    assert "needs a partner" in response.content.decode()
    assert not CorrectiveAction.objects.exists()


def test_manufacturing_reports_but_does_not_change(client, make_user, partner):
    worker = make_user("manufacturing")
    client.force_login(worker)

    response = client.post(
        "/quality/nonconformances/new/",
        form_data(partner, source="production", customer_reference=""),
    )

    nc = Nonconformance.objects.get()
    assert response.status_code == 302 and nc.owner == worker
    html = client.get(f"/quality/nonconformances/{nc.pk}/").content.decode()
    assert "Close the nonconformance" not in html and "Edit" not in html
    assert "Request an 8D" not in html
    assert client.get(f"/quality/nonconformances/{nc.pk}/edit/").status_code == 404
    assert client.post(f"/quality/nonconformances/{nc.pk}/close/", {"note": "x"}).status_code == 404


def test_a_partner_user_sees_its_own_ncs_only(client, quality, partner, make_user):
    own = complaint(quality, partner)
    other = complaint(quality, PartnerFactory(), customer_reference="CC-9")
    client.force_login(make_user("partner", partner=partner))

    listed = client.get("/quality/nonconformances/").content.decode()
    assert own.number in listed and other.number not in listed
    html = client.get(f"/quality/nonconformances/{own.pk}/").content.decode()
    assert "Black specks" in html and "Edit" not in html and "Close the nonconformance" not in html
    assert client.get(f"/quality/nonconformances/{other.pk}/").status_code == 404
    assert client.get("/quality/nonconformances/new/").status_code == 404
    assert client.post(f"/quality/nonconformances/{own.pk}/action/").status_code == 404


# --- query counts ------------------------------------------------------------------------------


def seed_ncs(n, partner, quality):
    previous = None
    for _ in range(n):
        previous = NonconformanceFactory(
            partner=partner, owner=quality, repeat_of=previous, severity="major"
        )
        CorrectiveActionFactory(nonconformance=previous, owner=quality)
        CostEventFactory(nonconformance=previous, partner=partner, recorded_by=quality)
    return previous


@pytest.mark.parametrize("rows", [1, 5])
def test_nc_list_query_count_is_constant(client, quality, partner, django_assert_num_queries, rows):
    seed_ncs(rows, partner, quality)
    client.force_login(quality)
    client.get("/quality/nonconformances/")

    with django_assert_num_queries(9):
        response = client.get("/quality/nonconformances/")

    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 5])
def test_nc_detail_query_count_is_constant(
    client, quality, partner, django_assert_num_queries, rows
):
    nc = seed_ncs(1, partner, quality)
    for i in range(rows):
        CostEventFactory(nonconformance=nc, partner=partner, recorded_by=UserFactory())
        service.nc_update(user=quality, nc=nc, data={"title": f"Title {i}"})
    client.force_login(quality)
    url = f"/quality/nonconformances/{nc.pk}/"
    client.get(url)

    with django_assert_num_queries(9):
        response = client.get(url)

    assert response.status_code == 200
