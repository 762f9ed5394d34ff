"""Certifications: validation rules, audited writes and the 90/60/30-day expiry reminders."""

import datetime

import pytest
from django.conf import settings
from django.core import mail
from hypothesis import given, strategies as st

from partnerdesk.core.errors import Forbidden, InvalidInput
from partnerdesk.notifications.models import Notification
from partnerdesk.partners import services
from partnerdesk.partners.choices import CERTIFICATION_REMINDER_DAYS
from partnerdesk.partners.models import Certification, CertificationReminder
from partnerdesk.partners.services.certifications import due_threshold
from tests.factories import (
    CertificationFactory,
    InternalOwnerFactory,
    PartnerFactory,
    PersonFactory,
)
from tests.support import audit_rows

TODAY = datetime.date(2026, 1, 10)


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


# --- due_threshold ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_left", "expected"),
    [(400, None), (91, None), (90, 90), (61, 90), (60, 60), (31, 60), (30, 30), (1, 30), (0, 30)],
)
def test_due_threshold_at_the_boundaries(days_left, expected):
    assert due_threshold(days(days_left), TODAY) == expected


@given(
    today=st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2100, 1, 1)),
    days_left=st.integers(min_value=-400, max_value=400),
)
def test_due_threshold_is_the_smallest_threshold_reached(today, days_left):
    threshold = due_threshold(today + datetime.timedelta(days=days_left), today)

    if days_left > max(CERTIFICATION_REMINDER_DAYS):
        assert threshold is None
    else:
        # A threshold is reached, and no smaller one is.
        assert threshold in CERTIFICATION_REMINDER_DAYS
        assert days_left <= threshold
        assert all(days_left > t for t in CERTIFICATION_REMINDER_DAYS if t < threshold)


@given(
    expires_on=st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2100, 1, 1)),
    start=st.integers(min_value=-30, max_value=200),
    step=st.integers(min_value=0, max_value=60),
)
def test_due_threshold_never_rises_as_days_pass(expires_on, start, step):
    earlier = expires_on - datetime.timedelta(days=start)
    later = earlier + datetime.timedelta(days=step)
    before, after = due_threshold(expires_on, earlier), due_threshold(expires_on, later)

    assert before is None or (after is not None and after <= before)


# --- validation and writes -------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "fields"),
    [
        (
            {"standard": "other", "other_standard": "  ", "expires_on": days(100)},
            {"other_standard": ["Name the standard."]},
        ),
        (
            {"standard": "iso_9001", "issued_on": days(10), "expires_on": days(9)},
            {"expires_on": ["The expiry is before the issue date."]},
        ),
        ({"standard": "iso_9001"}, {"expires_on": ["This field cannot be null."]}),
        (
            {"standard": "iso_9999", "expires_on": days(100)},
            {"standard": ["Value 'iso_9999' is not a valid choice."]},
        ),
    ],
    ids=["other-unnamed", "issued-after-expiry", "no-expiry", "unknown-standard"],
)
def test_certification_rules_refuse_and_store_nothing(outsourcing_user, data, fields):
    partner = PartnerFactory()

    with pytest.raises(InvalidInput) as exc:
        services.certification_create(user=outsourcing_user, partner=partner, data=data)

    assert exc.value.fields == fields
    assert Certification.objects.count() == 0


@pytest.mark.django_db
def test_other_standard_is_shown_by_its_name(outsourcing_user):
    certification = services.certification_create(
        user=outsourcing_user,
        partner=PartnerFactory(code="CMO-1"),
        data={"standard": "other", "other_standard": "GMP+ B2", "expires_on": days(100)},
    )

    assert certification.standard_label == "GMP+ B2"
    assert str(certification) == "GMP+ B2 · CMO-1"


@pytest.mark.django_db
def test_issued_on_the_expiry_day_is_accepted(outsourcing_user):
    certification = services.certification_create(
        user=outsourcing_user,
        partner=PartnerFactory(),
        data={"standard": "iso_9001", "issued_on": days(5), "expires_on": days(5)},
    )

    assert certification.pk is not None


@pytest.mark.django_db
def test_certification_update_audits_the_new_expiry(make_user):
    certification = CertificationFactory(expires_on=days(30))

    services.certification_update(
        user=make_user("quality"), certification=certification, data={"expires_on": days(395)}
    )

    [entry] = audit_rows(certification)
    assert entry.changes == {"expires_on": ["2026-02-09", "2027-02-09"]}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["finance", "manufacturing", "management", "compliance"])
def test_certification_writes_need_the_permission(make_user, role):
    user = make_user(role)
    certification = CertificationFactory(expires_on=days(30))

    with pytest.raises(Forbidden):
        services.certification_create(
            user=user,
            partner=certification.partner,
            data={"standard": "iso_14001", "expires_on": days(200)},
        )
    with pytest.raises(Forbidden):
        services.certification_update(
            user=user, certification=certification, data={"expires_on": days(300)}
        )
    with pytest.raises(Forbidden):
        services.certification_delete(user=user, certification=certification)

    certification.refresh_from_db()
    assert certification.expires_on == days(30)
    assert Certification.objects.count() == 1


# --- reminders -------------------------------------------------------------------------------


@pytest.fixture
def owned_partner(make_user):
    """A partner with a relationship owner and a quality owner who sign in, a finance owner
    (not reminded) and a relationship owner without a login."""
    partner = PartnerFactory(code="CMO-1")
    owners = {}
    for role, username in [
        ("relationship", "wang.fang"),
        ("quality", "zhang.wei"),
        ("finance", "li.na"),
    ]:
        user = make_user("outsourcing", username=username)
        InternalOwnerFactory(partner=partner, role=role, person=PersonFactory(user=user))
        owners[role] = user
    InternalOwnerFactory(partner=partner, role="relationship", person=PersonFactory(user=None))
    return partner, owners


def reminders() -> list[tuple[int, datetime.date]]:
    return sorted(CertificationReminder.objects.values_list("days_before", "expires_on"))


@pytest.mark.django_db
def test_reminder_notifies_relationship_and_quality_owners_and_emails_them(
    owned_partner, django_capture_on_commit_callbacks, run_tasks
):
    # Given a certificate 90 days from expiry
    partner, _ = owned_partner
    certification = CertificationFactory(
        partner=partner, standard="iso_9001", certificate_number="Q-123", expires_on=days(90)
    )

    # When reminders are sent and the queued e-mails run
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.certification_send_reminders(today=TODAY)
    run_tasks()

    # Then one reminder is recorded
    assert sent == 1
    assert reminders() == [(90, days(90))]
    # and the relationship and quality owners (not finance) are notified
    link = f"/partners/{partner.pk}/"
    title = "ISO 9001 of CMO-1 expires in 90 days"
    body = "Certificate Q-123 expires on 2026-04-10. Ask the partner for the renewed certificate."
    notifications = Notification.objects.order_by("recipient__username")
    assert [
        (n.recipient.username, n.kind, n.title, n.body, n.link, n.dedupe_key) for n in notifications
    ] == [
        (
            username,
            "certification_expiry",
            title,
            body,
            link,
            f"cert-{certification.pk}-90-2026-04-10",
        )
        for username in ["wang.fang", "zhang.wei"]
    ]
    # and each of them gets one e-mail
    assert sorted((m.to, m.subject) for m in mail.outbox) == [
        (["wang.fang@example.com"], f"[Partnerdesk] {title}"),
        (["zhang.wei@example.com"], f"[Partnerdesk] {title}"),
    ]
    assert mail.outbox[0].body == f"{body}\n\n{settings.SITE_URL.rstrip('/')}{link}"
    assert all(n.emailed_at is not None for n in Notification.objects.all())


@pytest.mark.django_db
def test_each_threshold_is_reminded_once_per_expiry(owned_partner):
    # Given a certificate expiring on day 100
    partner, _ = owned_partner
    expiry = days(100)
    CertificationFactory(partner=partner, expires_on=expiry)

    # When the job runs every day from today until after the expiry
    sent_on = {}
    for offset in range(0, 110):
        today = TODAY + datetime.timedelta(days=offset)
        for _ in range(2):  # and twice a day
            if services.certification_send_reminders(today=today):
                sent_on[(expiry - today).days] = sent_on.get((expiry - today).days, 0) + 1

    # Then exactly three reminders went out, at 90, 60 and 30 days left
    assert sent_on == {90: 1, 60: 1, 30: 1}
    assert reminders() == [(30, expiry), (60, expiry), (90, expiry)]
    assert Notification.objects.count() == 3 * 2


@pytest.mark.django_db
def test_a_certificate_found_late_gets_only_the_current_threshold(owned_partner):
    # Given a certificate first seen 45 days before expiry (the 90 mark was missed)
    partner, _ = owned_partner
    CertificationFactory(partner=partner, expires_on=days(45))

    # When reminders run
    sent = services.certification_send_reminders(today=TODAY)

    # Then one reminder (60) goes out, not two
    assert sent == 1
    assert reminders() == [(60, days(45))]


@pytest.mark.django_db
def test_a_renewed_certificate_is_reminded_again(owned_partner, outsourcing_user):
    # Given a certificate that was reminded at 30 days
    partner, _ = owned_partner
    certification = CertificationFactory(partner=partner, expires_on=days(30))
    assert services.certification_send_reminders(today=TODAY) == 1

    # When it is renewed for a year and 90 days before the new expiry come
    certification = services.certification_update(
        user=outsourcing_user, certification=certification, data={"expires_on": days(395)}
    )
    renewal_day = days(395 - 90)
    sent = services.certification_send_reminders(today=renewal_day)

    # Then the new expiry is reminded, and both reminders are kept
    assert sent == 1
    assert reminders() == [(30, days(30)), (90, days(395))]
    assert Notification.objects.count() == 4


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("days_left", "status"),
    [(91, "active"), (-1, "active"), (30, "terminated")],
    ids=["too-early", "expired", "terminated-partner"],
)
def test_no_reminder_outside_the_window_or_for_terminated_partners(
    owned_partner, days_left, status
):
    partner, _ = owned_partner
    partner.status = status
    partner.save()
    CertificationFactory(partner=partner, expires_on=days(days_left))

    assert services.certification_send_reminders(today=TODAY) == 0
    assert reminders() == []
    assert Notification.objects.count() == 0


@pytest.mark.django_db
def test_a_partner_without_owners_is_reminded_without_notifications():
    # Given a certificate of a partner nobody owns
    CertificationFactory(expires_on=days(60))

    # When reminders run, the reminder is recorded (so it is not retried every day)
    assert services.certification_send_reminders(today=TODAY) == 1
    assert reminders() == [(60, days(60))]
    assert Notification.objects.count() == 0
