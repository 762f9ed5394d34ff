"""Notifications: stored once per key, e-mailed after commit, read and listed per user."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from partnerdesk.notifications.models import Notification
from partnerdesk.notifications.services import notification_mark_read, notify
from partnerdesk.notifications.tasks import send_pending_emails
from tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db


def test_notify_stores_and_emails_after_commit(
    make_user, django_capture_on_commit_callbacks, run_tasks
):
    # Given an active user with an e-mail address
    user = make_user("quality", username="zhang.wei")

    # When they are notified and the transaction commits
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert notify(
            recipient=user, kind="test", title="Lot 42 rejected", body="See 8D.", link="/x/"
        )

    # Then the notification is stored, and the e-mail goes out once the task runs
    assert len(callbacks) == 1
    assert mail.outbox == []
    run_tasks()
    [notification] = Notification.objects.all()
    assert (notification.recipient, notification.title, notification.read_at) == (
        user,
        "Lot 42 rejected",
        None,
    )
    [message] = mail.outbox
    assert message.to == ["zhang.wei@example.com"]
    assert message.subject == "[Partnerdesk] Lot 42 rejected"
    assert message.body.startswith("See 8D.\n\n")
    assert message.body.endswith("/x/")


def test_no_email_is_queued_before_the_transaction_commits(make_user, run_tasks):
    notify(recipient=make_user("quality"), kind="test", title="Not yet")

    run_tasks()

    assert Notification.objects.count() == 1
    assert mail.outbox == []


def test_a_dedupe_key_stores_the_notification_once(make_user):
    user = make_user("quality")

    for _ in range(3):
        notify(recipient=user, kind="test", title="Once", dedupe_key="cert-1-30-2026-02-09")

    assert Notification.objects.count() == 1


def test_the_same_key_reaches_each_recipient(make_user):
    for role in ["quality", "outsourcing"]:
        notify(recipient=make_user(role), kind="test", title="Both", dedupe_key="k")

    assert Notification.objects.count() == 2


def test_an_inactive_user_is_not_notified(make_user):
    user = make_user("quality", is_active=False)

    assert notify(recipient=user, kind="test", title="Nobody home") is False
    assert Notification.objects.count() == 0


def test_pending_emails_skip_what_should_not_be_sent_and_send_the_rest_once(make_user):
    # Given notifications: one to send, and five that must not be
    due = NotificationFactory(recipient=make_user("quality", username="due"), title="Send me")
    NotificationFactory(recipient=make_user("quality", username="noemail", email=""))
    NotificationFactory(recipient=make_user("quality", username="inactive", is_active=False))
    NotificationFactory(recipient=make_user("quality", username="sent"), emailed_at=timezone.now())
    old = NotificationFactory(recipient=make_user("quality", username="old"))
    Notification.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=8)
    )

    # When the e-mail task runs twice
    first, second = send_pending_emails.call(), send_pending_emails.call()

    # Then only the due one is sent, once
    assert (first, second) == (1, 0)
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["due@example.com"], "[Partnerdesk] Send me")
    ]
    due.refresh_from_db()
    assert due.emailed_at is not None


def test_a_failed_send_is_released_for_the_next_run(make_user, monkeypatch):
    # Given a notification and a mail server that is down
    notification = NotificationFactory(recipient=make_user("quality"))

    def down(**kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("partnerdesk.notifications.tasks.send_mail", down)

    # When the task runs, it fails
    with pytest.raises(ConnectionRefusedError):
        send_pending_emails.call()

    # Then the notification is not marked as e-mailed, so the next run retries it
    notification.refresh_from_db()
    assert notification.emailed_at is None
    monkeypatch.undo()
    assert send_pending_emails.call() == 1


def test_mark_read_touches_only_the_users_own_notifications(make_user):
    me, other = make_user("quality"), make_user("finance")
    a, b = NotificationFactory(recipient=me), NotificationFactory(recipient=me)
    theirs = NotificationFactory(recipient=other)

    assert notification_mark_read(user=me, ids=[a.pk, theirs.pk]) == 1
    assert notification_mark_read(user=me) == 1

    for n in (a, b, theirs):
        n.refresh_from_db()
    assert (a.read_at is not None, b.read_at is not None, theirs.read_at) == (True, True, None)


def test_the_list_page_shows_only_own_notifications(client, make_user):
    me = make_user("quality")
    NotificationFactory(recipient=me, title="Mine")
    NotificationFactory(recipient=make_user("finance"), title="Not mine")
    client.force_login(me)

    html = client.get("/notifications/").content.decode()

    assert "Mine" in html
    assert "Not mine" not in html


@pytest.mark.parametrize(
    ("next_url", "location"),
    [
        ("/partners/", "/partners/"),
        ("https://evil.example.com/", "/notifications/"),
        ("", "/notifications/"),
    ],
)
def test_marking_read_on_the_page_redirects_only_inside_the_site(
    client, make_user, next_url, location
):
    me = make_user("quality")
    notification = NotificationFactory(recipient=me)
    client.force_login(me)

    response = client.post("/notifications/read/", {"next": next_url})

    assert response.status_code == 302
    assert response["Location"] == location
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_malformed_ids_mark_nothing_read(client, make_user):
    # Given a user with two unread notifications
    user = make_user("finance")
    NotificationFactory.create_batch(2, recipient=user)
    client.force_login(user)

    # When the page posts only ids that are not numbers
    client.post("/notifications/read/", {"id": ["abc", "1x"]})

    # Then nothing is marked read (only a post without any id marks everything)
    assert Notification.objects.filter(recipient=user, read_at__isnull=True).count() == 2
    client.post("/notifications/read/")
    assert Notification.objects.filter(recipient=user, read_at__isnull=True).count() == 0
