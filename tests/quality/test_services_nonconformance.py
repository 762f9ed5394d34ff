"""Nonconformance and 8D services on the real database: repeat detection within 12 months,
the rules of each source, the nine stages with their due times, submission and review in
order, the effectiveness check, on-time closure, overdue notices and who may do what.

Time is pinned by replacing ``django.utils.timezone.now`` (``localdate`` and ``auto_now`` read
it too), as other tests in this repository pin ``localdate``."""

import datetime
from decimal import Decimal as D

import pytest

from partnerdesk.core.errors import ApplicationError, Conflict, Forbidden, InvalidInput, NotFound
from partnerdesk.notifications.models import Notification
from partnerdesk.quality.models import AuditAnswer, CorrectiveAction, Nonconformance
from partnerdesk.quality.services import audits
from partnerdesk.quality.services.nonconformance import (
    action_close,
    action_open,
    effectiveness_record,
    nc_cancel,
    nc_close,
    nc_create,
    nc_from_audit_answer,
    nc_update,
    notify_overdue_stages,
    stage_accept,
    stage_send_back,
    stage_set_due,
    stage_submit,
)
from tests.factories import (
    AuditQuestionFactory,
    AuditSectionFactory,
    DefectTypeFactory,
    LotInspectionFactory,
    NonconformanceFactory,
    PartnerFactory,
)
from tests.support import audit_rows

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
# 09:30 in Shanghai (the company's time zone) on Monday 2 November 2026.
OPENED = datetime.datetime(2026, 11, 2, 1, 30, tzinfo=UTC)
HOUR, DAY = datetime.timedelta(hours=1), datetime.timedelta(days=1)


class Clock:
    def __init__(self, now):
        self.now = now

    def at(self, when):
        self.now = when
        return when


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(OPENED)
    monkeypatch.setattr("django.utils.timezone.now", lambda: clock.now)
    return clock


@pytest.fixture
def quality(make_user):
    return make_user("quality", username="engineer")


@pytest.fixture
def partner():
    return PartnerFactory()


@pytest.fixture
def supplier(make_user, partner):
    return make_user("partner", partner=partner, username="supplier")


@pytest.fixture
def contamination():
    return DefectTypeFactory(code="CONTAMINATION")


def make_nc(user, partner, defect, detected, severity="minor", **extra):
    data = {
        "partner": partner,
        "source": "production",
        "defect_type": defect,
        "title": "Black specks",
        "detected_on": detected,
        "reported_severity": severity,
        **extra,
    }
    return nc_create(user=user, data=data)


# --- nonconformances and repeats --------------------------------------------------------------


def test_a_nonconformance_is_numbered_by_its_year_and_its_owner_notified(
    quality, partner, contamination
):
    nc = make_nc(quality, partner, contamination, datetime.date(2025, 6, 3), cost_amount=D("80"))
    assert nc.number == "NC-2025-0001"
    assert (nc.status, nc.severity, nc.repeat_of, nc.owner) == ("open", "minor", None, quality)
    # A cost without a currency is in the company's currency.
    assert (nc.cost_amount, nc.currency) == (D("80"), "CNY")
    assert Notification.objects.get(recipient=quality, kind="nonconformance").title == (
        "Nonconformance NC-2025-0001: Black specks"
    )
    assert [row.action for row in audit_rows(nc)] == ["create"]


def test_the_same_defect_at_the_same_partner_within_12_months_is_a_repeat(
    quality, partner, contamination
):
    first = make_nc(quality, partner, contamination, datetime.date(2025, 11, 10))
    # Exactly 12 months later: still within the window (from the same day a year earlier).
    repeat = make_nc(quality, partner, contamination, datetime.date(2026, 11, 10))
    assert (repeat.repeat_of, repeat.reported_severity, repeat.severity) == (
        first,
        "minor",
        "major",
    )
    title = Notification.objects.get(recipient=quality, dedupe_key=f"nc-{repeat.pk}").title
    assert title == f"Nonconformance {repeat.number}: Black specks (repeat of {first.number})"


def test_twelve_months_and_one_day_is_not_a_repeat(quality, partner, contamination):
    make_nc(quality, partner, contamination, datetime.date(2025, 11, 9))
    later = make_nc(quality, partner, contamination, datetime.date(2026, 11, 10))
    assert (later.repeat_of, later.severity) == (None, "minor")


def test_a_repeat_raises_the_severity_one_step_and_critical_stays(quality, partner, contamination):
    make_nc(quality, partner, contamination, datetime.date(2026, 3, 1), severity="major")
    major = make_nc(quality, partner, contamination, datetime.date(2026, 4, 1), severity="major")
    assert major.severity == "critical"
    critical = make_nc(
        quality, partner, contamination, datetime.date(2026, 5, 1), severity="critical"
    )
    assert (critical.reported_severity, critical.severity) == ("critical", "critical")


def test_the_latest_earlier_nonconformance_is_the_one_repeated(quality, partner, contamination):
    make_nc(quality, partner, contamination, datetime.date(2026, 1, 5))
    latest = make_nc(quality, partner, contamination, datetime.date(2026, 6, 5))
    # Entered later but detected before: repeats the January one, not the June one.
    back_dated = make_nc(quality, partner, contamination, datetime.date(2026, 3, 5))
    assert back_dated.repeat_of.detected_on == datetime.date(2026, 1, 5)
    assert make_nc(quality, partner, contamination, datetime.date(2026, 7, 1)).repeat_of == latest


def test_other_partners_other_defects_and_cancelled_ones_are_no_repeats(
    quality, partner, contamination
):
    day = datetime.date(2026, 10, 1)
    make_nc(quality, PartnerFactory(), contamination, day)
    make_nc(quality, partner, DefectTypeFactory(code="MOISTURE"), day)
    cancelled = make_nc(quality, partner, contamination, day)
    nc_cancel(user=quality, nc=cancelled, reason="Entered twice")
    fresh = make_nc(quality, partner, contamination, datetime.date(2026, 10, 20))
    assert (fresh.repeat_of, fresh.severity) == (None, "minor")
    # A nonconformance without a partner repeats nothing.
    assert make_nc(quality, None, contamination, datetime.date(2026, 10, 21)).repeat_of is None


def test_the_repeat_window_of_29_february(quality, partner, contamination):
    # Detected on 29 February 2024: the window starts on 28 February 2023.
    make_nc(quality, partner, contamination, datetime.date(2023, 2, 27))
    leap = make_nc(quality, partner, contamination, datetime.date(2024, 2, 29))
    assert leap.repeat_of is None
    other = PartnerFactory()
    inside = make_nc(quality, other, contamination, datetime.date(2023, 2, 28))
    assert make_nc(quality, other, contamination, datetime.date(2024, 2, 29)).repeat_of == inside


def test_changing_the_reported_severity_keeps_the_repeat_raise(quality, partner, contamination):
    make_nc(quality, partner, contamination, datetime.date(2026, 9, 1))
    repeat = make_nc(quality, partner, contamination, datetime.date(2026, 10, 1))
    updated = nc_update(user=quality, nc=repeat, data={"reported_severity": "major"})
    assert (updated.reported_severity, updated.severity) == ("major", "critical")
    assert audit_rows(updated)[-1].changes["severity"] == ["major", "critical"]
    with pytest.raises(ApplicationError, match="Unknown fields: defect_type"):
        nc_update(user=quality, nc=repeat, data={"defect_type": contamination})


def _audit_answers(user, partner):
    """Two audits of one template with two questions; their answers by (audit, position)."""
    section = AuditSectionFactory()
    AuditQuestionFactory(section=section, position=1, text="Gauges calibrated")
    AuditQuestionFactory(section=section, position=2, text="Stock labelled")
    found = {}
    for number in (1, 2):
        audit = audits.audit_plan(
            user=user,
            partner=partner,
            template=section.template,
            planned_date=datetime.date(2026, 10, number),
        )
        for answer in AuditAnswer.objects.filter(audit=audit):
            found[number, answer.position] = answer
    return found


def test_audit_findings_repeat_only_for_the_same_question(quality, partner):
    answers = _audit_answers(quality, partner)
    first = nc_from_audit_answer(user=quality, answer=answers[1, 1], severity="major")
    assert (first.defect_type.code, first.source, first.repeat_of) == ("AUDIT", "audit", None)
    # The other question in the next audit: the same defect type, but no repeat.
    other = nc_from_audit_answer(user=quality, answer=answers[2, 2], severity="minor")
    assert (other.repeat_of, other.severity) == (None, "minor")
    # The same question failing again: a repeat.
    again = nc_from_audit_answer(user=quality, answer=answers[2, 1], severity="major")
    assert (again.repeat_of, again.severity) == (first, "critical")
    with pytest.raises(Conflict, match="already has nonconformance"):
        nc_from_audit_answer(user=quality, answer=answers[2, 1], severity="major")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"source": "customer_complaint"}, "customer_reference"),
        ({"source": "inspection", "partner": None}, "partner"),
        ({"source": "audit", "partner": None}, "partner"),
        ({"detected_on": datetime.date(2026, 11, 3)}, "detected_on"),  # tomorrow
        ({"reported_severity": "grave"}, "reported_severity"),
        ({"title": ""}, "title"),
    ],
)
def test_what_each_nonconformance_needs(clock, quality, partner, contamination, data, field):
    payload = {
        "partner": partner,
        "source": "production",
        "defect_type": contamination,
        "title": "Black specks",
        "detected_on": datetime.date(2026, 11, 2),
        "reported_severity": "minor",
        **data,
    }
    with pytest.raises(InvalidInput) as refused:
        nc_create(user=quality, data=payload)
    assert field in refused.value.fields
    assert not Nonconformance.objects.exists()


def test_a_customer_complaint_with_its_reference(clock, quality, partner, contamination):
    nc = make_nc(
        quality,
        partner,
        contamination,
        None,  # today
        source="customer_complaint",
        customer_reference="CC-2026-118",
    )
    assert (nc.detected_on, nc.customer_reference) == (datetime.date(2026, 11, 2), "CC-2026-118")


# --- the 8D ----------------------------------------------------------------------------------


@pytest.fixture
def nc(quality, partner, contamination):
    return make_nc(quality, partner, contamination, datetime.date(2026, 10, 30))


@pytest.fixture
def action(clock, quality, nc, supplier):
    return action_open(user=quality, nc=nc)


def stages_of(action) -> dict:
    return {s.stage: s for s in CorrectiveAction.objects.get(pk=action.pk).stages.all()}


def work(action, supplier, quality, stages=range(8)):
    for number in stages:
        stage_submit(user=supplier, stage=stages_of(action)[number], content=f"D{number} done")
        stage_accept(user=quality, stage=stages_of(action)[number])


def finish(action, supplier, quality):
    """D0 to D7 accepted, found effective, D8 submitted and accepted."""
    work(action, supplier, quality)
    effectiveness_record(user=quality, action=action, result="effective", note="3 lots clean")
    work(action, supplier, quality, stages=[8])


def test_an_action_has_nine_stages_due_48_hours_14_and_30_days_after_opening(
    action, nc, quality, supplier
):
    assert action.number == "8D-2026-0001"
    assert (action.opened_at, action.owner, action.partner, action.status) == (
        OPENED,
        quality,
        nc.partner,
        "open",
    )
    due = {number: stage.due_at for number, stage in stages_of(action).items()}
    assert due == {
        0: OPENED + 48 * HOUR,
        1: OPENED + 48 * HOUR,
        2: OPENED + 48 * HOUR,
        3: OPENED + 48 * HOUR,
        4: OPENED + 14 * DAY,
        5: OPENED + 30 * DAY,
        6: OPENED + 30 * DAY,
        7: OPENED + 30 * DAY,
        8: OPENED + 30 * DAY,
    }
    assert {s.status for s in stages_of(action).values()} == {"pending"}
    nc.refresh_from_db()
    assert nc.status == "action"
    assert Notification.objects.get(recipient=supplier, kind="8d_opened").title == (
        "Corrective action 8D-2026-0001 requested: Black specks"
    )


def test_the_due_times_can_be_set_in_hours(clock, settings, quality, nc):
    settings.QUALITY_8D_DUE_HOURS = {"3": 24, 4: 240}
    due = {n: s.due_at for n, s in stages_of(action_open(user=quality, nc=nc)).items()}
    assert (due[2], due[3], due[4], due[5]) == (
        OPENED + 48 * HOUR,
        OPENED + 24 * HOUR,
        OPENED + 10 * DAY,
        OPENED + 30 * DAY,
    )


def test_an_action_needs_a_partner_and_an_open_nonconformance(
    clock, quality, contamination, action, nc
):
    with pytest.raises(Conflict, match="already has a corrective action"):
        action_open(user=quality, nc=nc)
    no_partner = make_nc(quality, None, contamination, datetime.date(2026, 10, 1))
    with pytest.raises(InvalidInput) as refused:
        action_open(user=quality, nc=no_partner)
    assert "partner" in refused.value.fields
    closed = make_nc(quality, PartnerFactory(), contamination, datetime.date(2026, 10, 1))
    nc_close(user=quality, nc=closed, note="Sorted in house")
    with pytest.raises(Conflict):
        action_open(user=quality, nc=closed)
    assert CorrectiveAction.objects.count() == 1


def test_stages_are_submitted_in_order(action, supplier):
    stages = stages_of(action)
    with pytest.raises(Conflict, match=r"Submit D0 first\."):
        stage_submit(user=supplier, stage=stages[1], content="Team: A, B")
    with pytest.raises(InvalidInput):
        stage_submit(user=supplier, stage=stages[0], content="   ")
    submitted = stage_submit(user=supplier, stage=stages[0], content=" Sorted the stock ")
    assert (submitted.status, submitted.content, submitted.submitted_by) == (
        "submitted",
        "Sorted the stock",
        supplier,
    )
    assert submitted.submitted_at == OPENED
    # Once D0 is under review the supplier may go on.
    assert stage_submit(user=supplier, stage=stages[1], content="Team").status == "submitted"
    assert Notification.objects.filter(kind="8d_submitted").count() == 2


def test_stages_are_accepted_in_order(action, supplier, quality):
    stages = stages_of(action)
    with pytest.raises(Conflict, match=r"D0 has not been submitted for review\."):
        stage_accept(user=quality, stage=stages[0])
    stage_submit(user=supplier, stage=stages[0], content="Stock sorted")
    stage_submit(user=supplier, stage=stages[1], content="Team")
    with pytest.raises(Conflict, match=r"Accept D0 first: stages are accepted in order\."):
        stage_accept(user=quality, stage=stages[1])
    assert stages_of(action)[1].status == "submitted"
    accepted = stage_accept(user=quality, stage=stages[0], note=" Fine ")
    assert (accepted.status, accepted.reviewed_by, accepted.review_note) == (
        "accepted",
        quality,
        "Fine",
    )
    assert stage_accept(user=quality, stage=stages[1]).status == "accepted"
    with pytest.raises(Conflict, match=r"D0 is already accepted\."):
        stage_submit(user=supplier, stage=stages[0], content="Changed")


def test_a_stage_sent_back_needs_a_note_and_counts(action, supplier, quality):
    stage = stages_of(action)[0]
    with pytest.raises(Conflict, match=r"Only a submitted stage can be sent back\."):
        stage_send_back(user=quality, stage=stage, note="Too short")
    stage_submit(user=supplier, stage=stage, content="Sorted")
    with pytest.raises(InvalidInput) as refused:
        stage_send_back(user=quality, stage=stage, note=" ")
    assert "note" in refused.value.fields
    back = stage_send_back(user=quality, stage=stage, note="How many were sorted?")
    assert (back.status, back.review_note, back.times_sent_back) == (
        "sent_back",
        "How many were sorted?",
        1,
    )
    assert Notification.objects.get(recipient=supplier, kind="8d_sent_back").title == (
        "8D-2026-0001: D0 Prepare and emergency response sent back"
    )
    stage_submit(user=supplier, stage=stage, content="Sorted 2,000 bags")
    assert stage_send_back(user=quality, stage=stage, note="Photos?").times_sent_back == 2
    stage_submit(user=supplier, stage=stage, content="Sorted 2,000 bags, photos attached")
    assert stage_accept(user=quality, stage=stage).times_sent_back == 2
    assert Notification.objects.filter(recipient=supplier, kind="8d_sent_back").count() == 2


def test_d8_and_closure_wait_for_an_effective_check(action, supplier, quality):
    work(action, supplier, quality, stages=range(7))
    with pytest.raises(Conflict, match="Accept D7 first"):
        effectiveness_record(user=quality, action=action, result="effective", note="Clean")
    work(action, supplier, quality, stages=[7])
    d8 = stages_of(action)[8]
    stage_submit(user=supplier, stage=d8, content="Team thanked")
    with pytest.raises(Conflict, match="D8 is accepted after an effectiveness check"):
        stage_accept(user=quality, stage=d8)
    with pytest.raises(Conflict, match=r"D8 is not accepted yet\."):
        action_close(user=quality, action=action)
    with pytest.raises(InvalidInput):
        effectiveness_record(user=quality, action=action, result="maybe", note="Clean")
    with pytest.raises(InvalidInput):
        effectiveness_record(user=quality, action=action, result="effective", note="")
    checked = effectiveness_record(
        user=quality, action=action, result="effective", note="5 lots clean"
    )
    assert (checked.effectiveness, checked.effectiveness_checked_by) == ("effective", quality)
    assert stage_accept(user=quality, stage=d8).status == "accepted"


def test_not_effective_sends_d4_to_d8_back_with_new_due_times(clock, action, supplier, quality):
    clock.at(OPENED + DAY)
    work(action, supplier, quality)
    checked_at = clock.at(OPENED + 20 * DAY)
    checked = effectiveness_record(
        user=quality, action=action, result="not_effective", note="Specks again in lot 7"
    )
    assert checked.effectiveness == "not_effective"
    stages = stages_of(action)
    assert [stages[n].status for n in range(9)] == ["accepted"] * 4 + ["sent_back"] * 5
    assert [stages[n].times_sent_back for n in range(9)] == [0] * 4 + [1] * 5
    assert stages[4].due_at == checked_at + 14 * DAY
    assert [stages[n].due_at for n in (5, 6, 7, 8)] == [checked_at + 30 * DAY] * 4
    assert stages[0].due_at == OPENED + 48 * HOUR  # accepted stages keep theirs
    assert stages[6].review_note == "Effectiveness check: not effective. Specks again in lot 7"
    assert Notification.objects.filter(recipient=supplier, kind="8d_not_effective").count() == 1
    with pytest.raises(Conflict, match=r"D4 is not accepted yet\."):
        action_close(user=quality, action=action)
    with pytest.raises(Conflict, match=r"Submit D4 first\."):
        stage_submit(user=supplier, stage=stages[5], content="New actions")
    # The supplier goes round again from D4; closure is measured against the new D8 due time.
    work(action, supplier, quality, stages=range(4, 8))
    effectiveness_record(user=quality, action=action, result="effective", note="3 lots clean")
    work(action, supplier, quality, stages=[8])
    clock.at(OPENED + 45 * DAY)  # after the first D8 due time, before the second
    closed = action_close(user=quality, action=action)
    assert (closed.status, closed.closed_on_time) == ("closed", True)


@pytest.mark.parametrize(
    ("closed_after", "on_time"),
    [(29 * DAY, True), (30 * DAY, True), (30 * DAY + datetime.timedelta(seconds=1), False)],
)
def test_closure_on_time_is_by_the_d8_due_time(
    clock, action, nc, supplier, quality, closed_after, on_time
):
    finish(action, supplier, quality)
    closed_at = clock.at(OPENED + closed_after)
    closed = action_close(user=quality, action=action)
    assert (closed.status, closed.closed_at, closed.closed_on_time) == (
        "closed",
        closed_at,
        on_time,
    )
    nc.refresh_from_db()
    assert (nc.status, nc.closed_at, nc.closing_note) == (
        "closed",
        closed_at,
        "Closed with corrective action 8D-2026-0001.",
    )
    with pytest.raises(Conflict, match="is Closed"):
        stage_submit(user=supplier, stage=stages_of(action)[8], content="More")


def test_a_nonconformance_with_an_open_action_is_not_closed(action, nc, quality):
    with pytest.raises(InvalidInput):
        nc_close(user=quality, nc=nc, note="")
    with pytest.raises(Conflict, match="Corrective action 8D-2026-0001 is still open"):
        nc_close(user=quality, nc=nc, note="Done")
    nc.refresh_from_db()
    assert nc.status == "action"


def test_cancelling_a_nonconformance_cancels_its_open_action(action, nc, quality):
    cancelled = nc_cancel(user=quality, nc=nc, reason="Not the supplier's fault")
    assert (cancelled.status, cancelled.closing_note) == ("cancelled", "Not the supplier's fault")
    action.refresh_from_db()
    assert action.status == "cancelled"
    assert audit_rows(action)[-1].changes["status"] == ["open", "cancelled"]
    with pytest.raises(Conflict, match="already Cancelled"):
        nc_close(user=quality, nc=nc, note="Done")


def test_a_rejected_lots_nonconformance_needs_its_disposition(quality):
    lot = LotInspectionFactory(status="rejected")
    nc = NonconformanceFactory(partner=lot.partner, source="inspection", lot_inspection=lot)
    with pytest.raises(Conflict, match="no disposition yet"):
        nc_close(user=quality, nc=nc, note="Returned")
    with pytest.raises(Conflict, match="closed, not cancelled"):
        nc_cancel(user=quality, nc=nc, reason="Mistake")
    lot.disposition = "return_to_vendor"
    lot.save()
    assert nc_close(user=quality, nc=nc, note="Returned").status == "closed"


def test_a_due_time_is_moved_with_a_reason(clock, action, supplier, quality):
    stage = stages_of(action)[3]
    later = OPENED + 5 * DAY
    with pytest.raises(InvalidInput):
        stage_set_due(user=quality, stage=stage, due_at=later, reason=" ")
    with pytest.raises(InvalidInput) as refused:
        stage_set_due(
            user=quality, stage=stage, due_at=datetime.datetime(2026, 11, 9, 9), reason="Holiday"
        )
    assert "due_at" in refused.value.fields
    moved = stage_set_due(user=quality, stage=stage, due_at=later, reason="Plant holiday")
    assert (moved.due_at, moved.review_note) == (later, "Due time moved: Plant holiday")
    assert audit_rows(moved)[-1].changes["due_at"][1].startswith("2026-11-07")
    work(action, supplier, quality, stages=[0])
    with pytest.raises(Conflict, match="accepted"):
        stage_set_due(user=quality, stage=stages_of(action)[0], due_at=later, reason="Late")


# --- overdue notices -------------------------------------------------------------------------


def test_overdue_stages_are_notified_once_per_stage_and_due_time(
    clock, make_user, partner, action, supplier, quality
):
    colleague = make_user("partner", partner=partner)
    make_user("partner", partner=partner, is_active=False)
    stranger = make_user("partner", partner=PartnerFactory())
    # At 48 hours exactly nothing is overdue yet.
    assert notify_overdue_stages(OPENED + 48 * HOUR) == 0
    # An hour later D0 to D3 are: each to both active supplier users and the engineer.
    assert notify_overdue_stages(OPENED + 49 * HOUR) == 12
    notices = Notification.objects.filter(kind="8d_overdue")
    assert sorted({n.recipient_id for n in notices}) == sorted(
        [supplier.pk, colleague.pk, quality.pk]
    )
    assert notices.filter(recipient=supplier).count() == 4
    assert not Notification.objects.filter(recipient=stranger).exists()
    # The due time is told in the company's time (Shanghai): 09:30 on 4 November.
    assert notices.filter(recipient=supplier, title__contains="D3 Containment").get().title == (
        "Overdue: 8D-2026-0001 D3 Containment was due 2026-11-04 09:30"
    )
    # The next day's run sends nothing again.
    assert notify_overdue_stages(OPENED + 73 * HOUR) == 0
    assert Notification.objects.filter(kind="8d_overdue").count() == 12
    # D0 is submitted (the reviewer's turn), D1 gets more time; once that passes, D1 is
    # notified again, for its new due time.
    clock.at(OPENED + 74 * HOUR)
    stage_submit(user=supplier, stage=stages_of(action)[0], content="Stock sorted")
    stage_set_due(
        user=quality, stage=stages_of(action)[1], due_at=OPENED + 96 * HOUR, reason="Agreed"
    )
    assert notify_overdue_stages(OPENED + 95 * HOUR) == 0
    assert notify_overdue_stages(OPENED + 97 * HOUR) == 3
    assert Notification.objects.filter(kind="8d_overdue").count() == 15
    d1 = Notification.objects.filter(recipient=supplier, title__contains="D1 Team")
    assert sorted(n.title[-16:] for n in d1) == ["2026-11-04 09:30", "2026-11-06 09:30"]


def test_closed_and_cancelled_actions_are_not_chased(action, nc, quality):
    nc_cancel(user=quality, nc=nc, reason="Withdrawn")
    assert notify_overdue_stages(OPENED + 60 * DAY) == 0


# --- who may do what -------------------------------------------------------------------------


def test_a_partner_user_submits_but_does_not_review(action, supplier, quality, nc):
    stage = stages_of(action)[0]
    stage_submit(user=supplier, stage=stage, content="Sorted")
    with pytest.raises(Forbidden):
        stage_accept(user=supplier, stage=stage)
    with pytest.raises(Forbidden):
        stage_send_back(user=supplier, stage=stage, note="No")
    with pytest.raises(Forbidden):
        effectiveness_record(user=supplier, action=action, result="effective", note="Fine")
    with pytest.raises(Forbidden):
        action_close(user=supplier, action=action)
    with pytest.raises(Forbidden):
        nc_close(user=supplier, nc=nc, note="Done")
    assert stages_of(action)[0].status == "submitted"


def test_another_partners_user_gets_nothing(make_user, action):
    stranger = make_user("partner", partner=PartnerFactory())
    with pytest.raises(NotFound):
        stage_submit(user=stranger, stage=stages_of(action)[0], content="Not mine")
    assert stages_of(action)[0].status == "pending"
    assert not Notification.objects.filter(recipient=stranger).exists()


@pytest.mark.parametrize("role", ["finance", "management", "outsourcing"])
def test_view_only_roles_change_nothing(make_user, action, nc, contamination, role):
    user = make_user(role)
    with pytest.raises(Forbidden):
        make_nc(user, nc.partner, contamination, datetime.date(2026, 10, 1))
    with pytest.raises(Forbidden):
        stage_submit(user=user, stage=stages_of(action)[0], content="x")
    with pytest.raises(Forbidden):
        nc_update(user=user, nc=nc, data={"title": "x"})
    with pytest.raises(Forbidden):
        action_open(user=user, nc=nc)
    assert Nonconformance.objects.count() == 1


def test_manufacturing_reports_a_nonconformance_but_runs_no_8d(make_user, partner, contamination):
    production = make_user("manufacturing")
    nc = make_nc(production, partner, contamination, datetime.date(2026, 10, 1))
    assert (nc.owner, nc.source) == (production, "production")
    with pytest.raises(Forbidden):
        action_open(user=production, nc=nc)
