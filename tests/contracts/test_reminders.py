"""The daily contract job: statuses from the end date, and expiry, notice and review
reminders sent once per date to the contract owner and the partner's relationship owners."""

import datetime
from decimal import Decimal as D

import pytest
from django.urls import reverse

from partnerdesk.contracts.models import Contract, ContractReminder, ContractStatusChange
from partnerdesk.contracts.services.contracts import contract_change_status, contract_create
from partnerdesk.contracts.services.reminders import (
    contracts_refresh_statuses,
    contracts_send_reminders,
)
from partnerdesk.contracts.tasks import daily_contract_job
from partnerdesk.notifications.models import Notification
from tests.factories import InternalOwnerFactory, PartnerFactory, PersonFactory, UserFactory
from tests.support import audit_rows

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 21)


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def manager(make_user):
    return make_user("administrator", username="boss")


@pytest.fixture
def partner():
    return PartnerFactory(code="CMO-A")


def contract(manager, partner, reference="C-1", *, status="active", **data) -> Contract:
    made = contract_create(
        user=manager,
        partner=partner,
        data={
            "reference": reference,
            "title": f"Moulding {reference}",
            "outsourced_scope": "Housings",
            "start_date": datetime.date(2026, 1, 1),
            "end_date": datetime.date(2027, 12, 31),
            "monthly_fee": D("1000.00"),
            "notice_days": 120,
            **data,
        },
    )
    if status != "draft":
        contract_change_status(user=manager, contract=made, to_status="active", reason="Signed")
        Contract.objects.filter(pk=made.pk).update(status=status)
    return Contract.objects.get(pk=made.pk)


def reminders(of: Contract | None = None) -> list[tuple]:
    rows = ContractReminder.objects.order_by("id")
    if of is not None:
        rows = rows.filter(contract=of)
    return list(rows.values_list("kind", "days_before", "target_date"))


# --- statuses --------------------------------------------------------------------------------


def test_refresh_moves_statuses_from_the_end_date_and_is_idempotent(manager, partner):
    # Given contracts ending at different distances from 2026-11-21
    in_90 = contract(manager, partner, "C-90", end_date=days(90))
    in_91 = contract(manager, partner, "C-91", end_date=days(91))
    ends_today = contract(manager, partner, "C-0", end_date=TODAY)
    ended = contract(manager, partner, "C-END", end_date=days(-1))
    expiring_ended = contract(manager, partner, "C-EXP", status="expiring", end_date=days(-1))
    draft = contract(manager, partner, "C-DRAFT", status="draft", end_date=days(-1))
    terminated = contract(manager, partner, "C-TERM", status="terminated", end_date=days(-1))

    # When the daily job refreshes the statuses
    moved = contracts_refresh_statuses(today=TODAY)

    # Then within 90 days (today included) is expiring and past the end is expired
    assert moved == {"expiring": 2, "expired": 2}
    status = dict(Contract.objects.values_list("reference", "status"))
    assert status == {
        in_90.reference: "expiring",
        in_91.reference: "active",
        ends_today.reference: "expiring",
        ended.reference: "expired",
        expiring_ended.reference: "expired",
        draft.reference: "draft",
        terminated.reference: "terminated",
    }
    # each move recorded with an automatic reason, and audited as done by the system
    assert sorted(
        ContractStatusChange.objects.filter(reason__startswith="Automatic").values_list(
            "contract__reference", "from_status", "to_status", "reason", "changed_by"
        )
    ) == [
        ("C-0", "active", "expiring", "Automatic: ends within 90 days.", None),
        ("C-90", "active", "expiring", "Automatic: ends within 90 days.", None),
        ("C-END", "active", "expired", "Automatic: the end date has passed.", None),
        ("C-EXP", "expiring", "expired", "Automatic: the end date has passed.", None),
    ]
    entry = audit_rows(ended)[-1]
    assert (entry.actor, entry.actor_repr, entry.changes) == (
        None,
        "system",
        {
            "status": ["active", "expired"],
            "status_reason": [None, "Automatic: the end date has passed."],
        },
    )

    # When it runs again the same day, nothing moves
    changes = ContractStatusChange.objects.count()
    assert contracts_refresh_statuses(today=TODAY) == {"expiring": 0, "expired": 0}
    assert ContractStatusChange.objects.count() == changes


def test_an_expiring_contract_expires_the_day_after_its_end(manager, partner):
    item = contract(manager, partner, end_date=days(10))
    contracts_refresh_statuses(today=TODAY)

    assert contracts_refresh_statuses(today=days(10)) == {"expiring": 0, "expired": 0}
    assert contracts_refresh_statuses(today=days(11)) == {"expiring": 0, "expired": 1}
    assert Contract.objects.get(pk=item.pk).status == "expired"


# --- reminders -------------------------------------------------------------------------------


def test_expiry_reminders_go_out_at_90_60_and_30_days_once_each(manager, partner):
    # Given an active contract ending in 90 days (notice deadline already behind)
    item = contract(manager, partner, end_date=days(90))

    # When the job runs daily
    sent = [(n, contracts_send_reminders(today=days(n))) for n in (0, 0, 1, 29, 30, 31, 60, 80)]

    # Then one reminder goes out at 90, 60 and 30 days before the end, each once
    assert reminders(item) == [
        ("expiry", 90, days(90)),
        ("expiry", 60, days(90)),
        ("expiry", 30, days(90)),
    ]
    assert sent == [(0, 1), (0, 0), (1, 0), (29, 0), (30, 1), (31, 0), (60, 1), (80, 0)]


def test_a_missed_day_still_sends_the_reminder_of_the_threshold_passed(manager, partner):
    item = contract(manager, partner, end_date=days(90))

    # The job did not run on the 60-day mark; two days later it catches up once
    assert contracts_send_reminders(today=days(32)) == 1
    assert contracts_send_reminders(today=days(33)) == 0

    assert reminders(item) == [("expiry", 60, days(90))]


def test_notice_deadline_reminders(manager, partner):
    # Given a contract ending 2027-05-20 with 90 days' notice: the deadline is 2027-02-19
    owner = PersonFactory(user=UserFactory())
    item = contract(manager, partner, end_date=days(180), notice_days=90, owner=owner)
    assert item.notice_deadline == days(90)

    # When the job runs today (90 days before the deadline) and 30 days later
    contracts_send_reminders(today=TODAY)
    contracts_send_reminders(today=days(30))

    # Then the notice deadline is reminded at 90 and 60 days (the end is still 150 days away)
    assert reminders(item) == [("notice", 90, days(90)), ("notice", 60, days(90))]
    titles = sorted(Notification.objects.values_list("title", flat=True).distinct())
    assert titles == [
        "C-1: Notice deadline on 2027-02-19 (60 days)",
        "C-1: Notice deadline on 2027-02-19 (90 days)",
    ]


def test_review_reminders_seven_days_before_and_on_the_day(manager, partner):
    item = contract(manager, partner, next_review_date=days(7))

    for n in (0, 3, 7, 7, 8):
        contracts_send_reminders(today=days(n))

    assert reminders(item) == [("review", 7, days(7)), ("review", 0, days(7))]


def test_reminders_go_to_the_contract_owner_and_the_relationship_owners(manager, partner):
    # Given a contract owner, two relationship owners (one no longer active), a relationship
    # owner without a login, a quality owner and another partner's relationship owner
    owner_user = UserFactory(username="owner")
    relation_user = UserFactory(username="relation")
    retired_user = UserFactory(username="retired", is_active=False)
    quality_user = UserFactory(username="quality")
    other_user = UserFactory(username="other")
    InternalOwnerFactory(partner=partner, person=PersonFactory(user=relation_user))
    InternalOwnerFactory(partner=partner, person=PersonFactory(user=retired_user))
    InternalOwnerFactory(partner=partner, person=PersonFactory(user=None))
    InternalOwnerFactory(partner=partner, person=PersonFactory(user=quality_user), role="quality")
    InternalOwnerFactory(person=PersonFactory(user=other_user))
    item = contract(manager, partner, end_date=days(90), owner=PersonFactory(user=owner_user))

    # When the 90-day expiry reminder goes out
    assert contracts_send_reminders(today=TODAY) == 1

    # Then the contract owner and the active relationship owner are notified, once
    rows = list(
        Notification.objects.order_by("recipient__username").values_list(
            "recipient__username", "kind", "title", "body", "link"
        )
    )
    link = reverse("contracts:detail", args=[item.pk])
    title = "C-1: Contract expiry on 2027-02-19 (90 days)"
    assert rows == [
        ("owner", "contract_expiry", title, "Moulding C-1", link),
        ("relation", "contract_expiry", title, "Moulding C-1", link),
    ]
    contracts_send_reminders(today=TODAY)
    assert Notification.objects.count() == 2


def test_an_inactive_contract_owner_is_not_reminded(manager, partner):
    retired = UserFactory(username="retired", is_active=False)
    contract(manager, partner, end_date=days(90), owner=PersonFactory(user=retired))

    assert contracts_send_reminders(today=TODAY) == 1

    assert Notification.objects.count() == 0


def test_drafts_ended_and_terminated_contracts_get_no_reminders(manager, partner):
    owner = PersonFactory(user=UserFactory())
    contract(manager, partner, "C-D", status="draft", end_date=days(90), owner=owner)
    contract(manager, partner, "C-T", status="terminated", end_date=days(90), owner=owner)
    contract(manager, partner, "C-X", status="expired", end_date=days(-1), owner=owner)

    assert contracts_send_reminders(today=TODAY) == 0

    assert (ContractReminder.objects.count(), Notification.objects.count()) == (0, 0)


def test_the_daily_task_refreshes_statuses_then_reminds(manager, partner, monkeypatch):
    contract(manager, partner, end_date=days(90), owner=PersonFactory(user=UserFactory()))
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)

    result = daily_contract_job.call()

    assert result == {"moved": {"expiring": 1, "expired": 0}, "reminders": 1}
    assert Contract.objects.get().status == "expiring"
