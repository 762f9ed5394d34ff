"""8D pages: the list with progress and overdue stages; an action's nine stages submitted by the
partner's users, accepted, sent back or rescheduled by quality; the effectiveness check and
closure; who may do what; a pinned query count."""

import datetime

import pytest
from django.utils import timezone

from partnerdesk.notifications.models import Notification
from partnerdesk.quality.models import CorrectiveAction, DefectType, EightDStage
from partnerdesk.quality.services import nonconformance as service
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user):
    partner = PartnerFactory(code="CMO-ALPHA")
    quality = make_user("quality", username="qe")
    supplier = make_user("partner", partner=partner, username="alpha-user")
    nc = service.nc_create(
        user=quality,
        data={
            "partner": partner,
            "source": "customer_complaint",
            "customer_reference": "CC-7",
            "defect_type": DefectType.objects.get(code="CONTAMINATION"),
            "title": "Black specks",
            "reported_severity": "minor",
        },
    )
    action = service.action_open(user=quality, nc=nc)
    return {
        "partner": partner,
        "quality": quality,
        "supplier": supplier,
        "nc": nc,
        "action": action,
    }


def stage(action, number) -> EightDStage:
    return EightDStage.objects.get(action=action, stage=number)


def accept_up_to(world, last):
    for number in range(last + 1):
        service.stage_submit(
            user=world["supplier"], stage=stage(world["action"], number), content=f"D{number} done"
        )
        service.stage_accept(user=world["quality"], stage=stage(world["action"], number))


def test_the_partner_user_submits_a_stage_but_cannot_accept_it(client, world):
    action = world["action"]
    client.force_login(world["supplier"])
    html = client.get(f"/quality/actions/{action.pk}/").content.decode()
    assert (
        "Fill in and submit" in html and "Send back" not in html and "Move the due time" not in html
    )

    response = client.post(
        f"/quality/stages/{stage(action, 0).pk}/submit/", {"content": "Team: J. Li, P. Wu"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/quality/actions/{action.pk}/#stage-0"
    d0 = stage(action, 0)
    assert (d0.status, d0.content, d0.submitted_by) == (
        "submitted",
        "Team: J. Li, P. Wu",
        world["supplier"],
    )
    assert Notification.objects.filter(recipient=world["quality"], kind="8d_submitted").exists()
    assert client.post(f"/quality/stages/{d0.pk}/accept/", {}).status_code == 404
    d0.refresh_from_db()
    assert d0.status == "submitted"


def test_an_empty_submission_shows_the_error_on_its_stage(client, world):
    action = world["action"]
    client.force_login(world["supplier"])

    response = client.post(f"/quality/stages/{stage(action, 0).pk}/submit/", {"content": "  "})

    html = response.content.decode()
    assert response.status_code == 200
    d0 = html[html.index('id="stage-0"') : html.index('id="stage-1"')]
    assert "This field is required." in d0
    assert stage(action, 0).status == "pending"


def test_a_stage_accepted_out_of_order_is_refused(client, world):
    action = world["action"]
    for number in range(3):
        service.stage_submit(user=world["supplier"], stage=stage(action, number), content="x")
    client.force_login(world["quality"])
    html = client.get(f"/quality/actions/{action.pk}/").content.decode()
    d2 = html[html.index('id="stage-2"') : html.index('id="stage-3"')]
    assert "Accept D0 first: stages are accepted in order." in d2

    response = client.post(f"/quality/stages/{stage(action, 2).pk}/accept/", {"note": ""})

    html = response.content.decode()
    assert response.status_code == 200
    d2 = html[html.index('id="stage-2"') : html.index('id="stage-3"')]
    assert "Accept D0 first" in d2 and 'class="form-errors"' in d2
    assert stage(action, 2).status == "submitted"

    response = client.post(f"/quality/stages/{stage(action, 0).pk}/accept/", {"note": "Fine"})
    d0 = stage(action, 0)
    assert response.status_code == 302 and (d0.status, d0.review_note) == ("accepted", "Fine")


def test_sending_back_needs_a_note_and_counts(client, world):
    action = world["action"]
    service.stage_submit(user=world["supplier"], stage=stage(action, 0), content="x")
    client.force_login(world["quality"])

    refused = client.post(f"/quality/stages/{stage(action, 0).pk}/send-back/", {"note": ""})
    assert refused.status_code == 200 and "This field is required." in refused.content.decode()

    response = client.post(
        f"/quality/stages/{stage(action, 0).pk}/send-back/", {"note": "Name the team lead"}
    )

    d0 = stage(action, 0)
    assert response.status_code == 302
    assert (d0.status, d0.times_sent_back, d0.review_note) == ("sent_back", 1, "Name the team lead")
    assert Notification.objects.filter(recipient=world["supplier"], kind="8d_sent_back").exists()
    html = client.get(f"/quality/actions/{action.pk}/").content.decode()
    assert "sent back 1 time" in html and "Name the team lead" in html


def test_the_due_time_is_moved_with_a_reason(client, world):
    action = world["action"]
    client.force_login(world["quality"])
    d3 = stage(action, 3)

    refused = client.post(
        f"/quality/stages/{d3.pk}/due/", {"due_at": "2026-12-01T10:00", "reason": ""}
    )
    assert refused.status_code == 200 and "This field is required." in refused.content.decode()

    response = client.post(
        f"/quality/stages/{d3.pk}/due/",
        {"due_at": "2026-12-01T10:00", "reason": "Plant shut for a holiday"},
    )

    d3.refresh_from_db()
    assert response.status_code == 302
    assert timezone.localtime(d3.due_at).strftime("%Y-%m-%d %H:%M") == "2026-12-01 10:00"
    assert "Plant shut for a holiday" in d3.review_note


def test_an_overdue_stage_is_marked(client, world):
    action = world["action"]
    EightDStage.objects.filter(action=action, stage=0).update(
        due_at=timezone.now() - datetime.timedelta(hours=5)
    )
    client.force_login(world["supplier"])
    html = client.get(f"/quality/actions/{action.pk}/").content.decode()
    assert 'class="q-stage overdue" id="stage-0"' in html
    assert 'class="q-stage" id="stage-1"' in html
    listed = client.get("/quality/actions/").content.decode()
    assert action.number in listed and 'class="q-overdue">1<' in listed


def test_effectiveness_before_d7_is_refused_then_the_action_closes_on_time(client, world):
    action = world["action"]
    client.force_login(world["quality"])
    assert "Record the check" not in client.get(f"/quality/actions/{action.pk}/").content.decode()

    refused = client.post(
        f"/quality/actions/{action.pk}/effectiveness/", {"result": "effective", "note": "ok"}
    )
    assert (
        "Accept D0 first: effectiveness is checked once D0 to D7 are accepted."
        in refused.content.decode()
    )

    accept_up_to(world, 7)
    response = client.post(
        f"/quality/actions/{action.pk}/effectiveness/",
        {"result": "effective", "note": "Three lots inspected clean since"},
    )
    assert response.status_code == 302
    service.stage_submit(user=world["supplier"], stage=stage(action, 8), content="Team thanked")
    client.post(f"/quality/stages/{stage(action, 8).pk}/accept/", {})
    assert client.get(f"/quality/actions/{action.pk}/close/").status_code == 405

    response = client.post(f"/quality/actions/{action.pk}/close/", follow=True)

    action.refresh_from_db()
    world["nc"].refresh_from_db()
    assert (action.status, action.closed_on_time) == ("closed", True)
    assert world["nc"].status == "closed"
    assert "closed on time" in response.content.decode()


def test_not_effective_sends_d4_to_d8_back(client, world):
    action = world["action"]
    accept_up_to(world, 7)
    client.force_login(world["quality"])

    response = client.post(
        f"/quality/actions/{action.pk}/effectiveness/",
        {"result": "not_effective", "note": "Specks again in lot 12"},
        follow=True,
    )

    assert "D4 to D8 are sent back" in response.content.decode()
    statuses = dict(EightDStage.objects.filter(action=action).values_list("stage", "status"))
    assert [statuses[n] for n in range(9)] == ["accepted"] * 4 + ["sent_back"] * 5


def test_closing_too_early_says_why(client, world):
    client.force_login(world["quality"])
    response = client.post(f"/quality/actions/{world['action'].pk}/close/", follow=True)
    assert "D0 is not accepted yet." in response.content.decode()
    assert CorrectiveAction.objects.get().status == "open"


def test_another_partners_user_gets_404(client, world, make_user):
    other = make_user("partner", partner=PartnerFactory())
    client.force_login(other)
    action = world["action"]
    assert client.get(f"/quality/actions/{action.pk}/").status_code == 404
    assert (
        client.post(f"/quality/stages/{stage(action, 0).pk}/submit/", {"content": "x"}).status_code
        == 404
    )
    assert action.number not in client.get("/quality/actions/").content.decode()


@pytest.mark.parametrize("accepted", [0, 6])
def test_action_detail_query_count_is_constant(client, world, django_assert_num_queries, accepted):
    if accepted:
        accept_up_to(world, accepted - 1)
    client.force_login(world["quality"])
    url = f"/quality/actions/{world['action'].pk}/"
    client.get(url)

    with django_assert_num_queries(8):
        response = client.get(url)

    assert response.status_code == 200
