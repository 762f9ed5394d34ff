"""Cost of poor quality pages: recording an event (linked to a nonconformance or a lot), the
list with totals per currency and kind and what is charged back, correcting an entry (a
reversal and the right amount, shown linked); who may do what; a pinned query count."""

import datetime
from decimal import Decimal

import pytest

from partnerdesk.quality.models import CostEvent
from partnerdesk.quality.services import costs as service
from tests.factories import (
    CostEventFactory,
    NonconformanceFactory,
    PartnerFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 10)


@pytest.fixture
def quality(make_user):
    return make_user("quality", username="qe")


@pytest.fixture
def partner():
    return PartnerFactory(code="REG-ALPHA")


def data(**extra) -> dict:
    values = {
        "kind": "quality_defect",
        "occurred_on": DAY.isoformat(),
        "amount": "1200.00",
        "currency": "CNY",
        "description": "Sorting of lot 12 at our plant",
    }
    values.update(extra)
    return values


def test_quality_records_a_charged_back_cost_and_sees_the_totals(client, quality, partner):
    team = TeamFactory(name="Moulding A")
    CostEventFactory(kind="material_loss", partner=None, team=team, amount=Decimal("300.00"))
    client.force_login(quality)

    response = client.post(
        "/quality/costs/new/", data(partner=partner.pk, chargeback="on", quantity="40", unit="kg")
    )

    event = CostEvent.objects.get(partner=partner)
    assert response.status_code == 302 and response["Location"] == "/quality/costs/"
    assert (event.amount, event.chargeback, event.recorded_by, event.quantity) == (
        Decimal("1200.00"),
        True,
        quality,
        Decimal("40"),
    )
    html = client.get("/quality/costs/").content.decode()
    totals = html[html.index('id="totals"') :]
    row = totals[
        totals.index('data-currency="CNY"') : totals.index(
            "</tr>", totals.index('data-currency="CNY"')
        )
    ]
    assert "Material loss: 300.00 CNY" in row and "Quality defect: 1200.00 CNY" in row
    assert "<strong>1500.00 CNY</strong>" in row and "<td>1200.00 CNY</td>" in row  # charged back
    assert "Moulding A" in html and "40 kg" in html


def test_a_cost_needs_someone_responsible(client, quality):
    client.force_login(quality)

    response = client.post("/quality/costs/new/", data())

    assert response.status_code == 200
    assert "Name who is responsible: a partner, a team, or both." in response.content.decode()
    assert not CostEvent.objects.exists()


def test_only_a_partner_is_charged_back(client, quality):
    client.force_login(quality)
    response = client.post("/quality/costs/new/", data(team=TeamFactory().pk, chargeback="on"))
    html = response.content.decode()
    field = html[html.index('for="id_chargeback"') :]
    assert "Choose a partner." in field[: field.index("</div>")]
    assert not CostEvent.objects.exists()


def test_a_cost_of_a_nonconformance_is_prefilled_and_linked(client, quality, partner):
    nc = NonconformanceFactory(partner=partner, title="Black specks", currency="CNY")
    client.force_login(quality)

    form = client.get(f"/quality/costs/new/?nonconformance={nc.number}").content.decode()
    assert f'value="{nc.number}"' in form and "Black specks" in form

    unknown = client.post(
        "/quality/costs/new/", data(partner=partner.pk, nonconformance="NC-1999-0001")
    )
    assert "No nonconformance NC-1999-0001." in unknown.content.decode()

    response = client.post(
        "/quality/costs/new/", data(partner=partner.pk, nonconformance=nc.number.lower())
    )

    event = CostEvent.objects.get()
    assert event.nonconformance == nc
    assert response["Location"] == f"/quality/nonconformances/{nc.pk}/"
    detail = client.get(response["Location"]).content.decode()
    assert "1200.00 CNY" in detail[detail.index('id="costs"') :]


def test_a_correction_writes_a_reversal_and_the_right_amount(client, quality, partner):
    event = service.cost_record(
        user=quality,
        data={
            "kind": "quality_defect",
            "occurred_on": DAY,
            "amount": "1200",
            "currency": "CNY",
            "partner": partner,
            "description": "Sorting",
            "chargeback": True,
        },
    )
    client.force_login(quality)
    assert (
        "Correct this entry" in client.get(f"/quality/costs/{event.pk}/correct/").content.decode()
    )

    refused = client.post(f"/quality/costs/{event.pk}/correct/", {"amount": "900", "reason": ""})
    assert refused.status_code == 200 and "This field is required." in refused.content.decode()

    response = client.post(
        f"/quality/costs/{event.pk}/correct/", {"amount": "900", "reason": "Sorting took 6 hours"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/quality/costs/{event.pk}/correct/"
    reversal, new = CostEvent.objects.filter(corrects=event).order_by("id")
    assert (reversal.amount, new.amount) == (Decimal("-1200.00"), Decimal("900.00"))
    page = client.get(response["Location"]).content.decode()
    corrections = page[page.index('id="corrections"') :]
    assert (
        "Reversal" in corrections and "-1200.00 CNY" in corrections and "900.00 CNY" in corrections
    )
    assert "Correct this entry" not in page
    listed = client.get("/quality/costs/").content.decode()
    assert f"reverses #{event.pk}" in listed and f"corrects #{event.pk}" in listed
    assert "corrected" in listed[listed.index(f'id="cost-{event.pk}"') :]
    assert "<strong>900.00 CNY</strong>" in listed  # the total counts the corrected amount

    again = client.post(f"/quality/costs/{event.pk}/correct/", {"amount": "800", "reason": "x"})
    assert "This entry was corrected already" in again.content.decode()
    assert CostEvent.objects.count() == 3


def test_a_withdrawal_writes_only_the_reversal(client, quality, partner):
    event = CostEventFactory(partner=partner, amount=Decimal("500.00"))
    client.force_login(quality)

    client.post(f"/quality/costs/{event.pk}/correct/", {"amount": "0", "reason": "Booked twice"})

    assert list(CostEvent.objects.filter(corrects=event).values_list("amount", flat=True)) == [
        Decimal("-500.00")
    ]


def test_who_may_record_and_see_costs(client, make_user, partner):
    worker = make_user("manufacturing")
    team = TeamFactory(name="Line 3")
    client.force_login(worker)
    response = client.post(
        "/quality/costs/new/", data(kind="material_loss", team=team.pk, description="Purged resin")
    )
    assert response.status_code == 302
    assert CostEvent.objects.get().team == team

    client.force_login(make_user("finance"))
    listed = client.get("/quality/costs/").content.decode()
    assert "Purged resin" in listed and "Record a cost" not in listed
    assert client.get("/quality/costs/new/").status_code == 404
    event = CostEvent.objects.get()
    assert (
        client.post(
            f"/quality/costs/{event.pk}/correct/", {"amount": "1", "reason": "x"}
        ).status_code
        == 404
    )

    client.force_login(make_user("partner", partner=partner))
    assert client.get("/quality/costs/").status_code == 404


def test_the_list_filters_by_kind_and_charge_back(client, quality, partner):
    CostEventFactory(partner=partner, description="Defect A", chargeback=True)
    CostEventFactory(partner=partner, kind="material_loss", description="Loss B")
    client.force_login(quality)
    html = client.get("/quality/costs/?kind=material_loss").content.decode()
    assert "Loss B" in html and "Defect A" not in html
    html = client.get("/quality/costs/?chargeback=true").content.decode()
    assert "Defect A" in html and "Loss B" not in html


@pytest.mark.parametrize("rows", [1, 6])
def test_cost_list_query_count_is_constant(
    client, quality, partner, django_assert_num_queries, rows
):
    team = TeamFactory()
    for i in range(rows):
        nc = NonconformanceFactory(partner=partner)
        event = CostEventFactory(
            partner=partner, team=team, nonconformance=nc, recorded_by=quality, chargeback=True
        )
        if i % 2:
            service.cost_correct(user=quality, event=event, amount="100", reason="typo")
    client.force_login(quality)
    client.get("/quality/costs/")

    with django_assert_num_queries(10):
        response = client.get("/quality/costs/")

    assert response.status_code == 200
