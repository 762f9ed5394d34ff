"""The 8D and repeat rules (pure): due times per stage, the order of submission and acceptance,
closure, what is overdue, and the 12-month repeat window (29 February included)."""

import datetime

import pytest

from partnerdesk.quality.choices import DEFAULT_STAGE_DUE
from partnerdesk.quality.engines.eightd import (
    REOPENED_ON_INEFFECTIVE,
    STAGES,
    check_accept,
    check_close,
    check_submit,
    due_times,
    is_overdue,
    repeat_window_start,
)

OPENED = datetime.datetime(2026, 11, 2, 9, 30, tzinfo=datetime.UTC)


def statuses(*given: str) -> dict[int, str]:
    """Statuses of D0, D1, … as given; the rest pending."""
    return {stage: (given[stage] if stage < len(given) else "pending") for stage in STAGES}


def test_due_times_from_the_default_offsets():
    due = due_times(OPENED, DEFAULT_STAGE_DUE)
    two_days = datetime.datetime(2026, 11, 4, 9, 30, tzinfo=datetime.UTC)
    assert [due[s] for s in (0, 1, 2, 3)] == [two_days] * 4  # containment: 48 hours
    assert due[4] == datetime.datetime(2026, 11, 16, 9, 30, tzinfo=datetime.UTC)  # 14 days
    month = datetime.datetime(2026, 12, 2, 9, 30, tzinfo=datetime.UTC)  # 30 days
    assert [due[s] for s in (5, 6, 7, 8)] == [month] * 4


def test_due_times_need_an_offset_for_every_stage():
    offsets = {s: datetime.timedelta(days=1) for s in STAGES if s not in (4, 7)}
    with pytest.raises(ValueError, match=r"no due offset for stages \[4, 7\]"):
        due_times(OPENED, offsets)


def test_the_stages_are_d0_to_d8_and_ineffective_reopens_d4_to_d8():
    assert STAGES == (0, 1, 2, 3, 4, 5, 6, 7, 8)
    assert REOPENED_ON_INEFFECTIVE == (4, 5, 6, 7, 8)


def test_submission_follows_the_order():
    assert check_submit(statuses(), 0) is None  # D0 has no predecessor
    assert check_submit(statuses(), 1) == "Submit D0 first."
    # The stage before submitted (still under review) or accepted is enough.
    assert check_submit(statuses("submitted"), 1) is None
    assert check_submit(statuses("accepted"), 1) is None
    # The stage before sent back or pending is not.
    assert check_submit(statuses("accepted", "sent_back"), 2) == "Submit D1 first."
    # A stage under review can be submitted again (an improved text); an accepted one cannot.
    assert check_submit(statuses("submitted"), 0) is None
    assert check_submit(statuses("accepted", "accepted"), 1) == "D1 is already accepted."
    # A sent-back stage is submitted again.
    assert check_submit(statuses("accepted", "sent_back"), 1) is None
    assert check_submit(statuses(), 9) == "D9 is not a stage of an 8D (D0 to D8)."


def test_acceptance_follows_the_order():
    assert check_accept(statuses(), 0) == "D0 has not been submitted for review."
    assert check_accept(statuses("submitted"), 0) is None
    # D1 submitted while D0 is still under review: D0 first.
    assert (
        check_accept(statuses("submitted", "submitted"), 1)
        == "Accept D0 first: stages are accepted in order."
    )
    assert check_accept(statuses("accepted", "submitted"), 1) is None
    # The first stage not accepted is named.
    assert (
        check_accept(statuses("accepted", "accepted", "sent_back", "submitted"), 3)
        == "Accept D2 first: stages are accepted in order."
    )
    assert check_accept(statuses("accepted", "sent_back"), 1) == (
        "D1 has not been submitted for review."
    )
    assert check_accept(statuses(), -1) == "D-1 is not a stage of an 8D (D0 to D8)."


def test_closure_needs_all_stages_accepted_and_an_effective_check():
    all_accepted = statuses(*["accepted"] * 9)
    assert check_close(all_accepted, "effective") is None
    assert check_close(statuses(*["accepted"] * 8, "submitted"), "effective") == (
        "D8 is not accepted yet."
    )
    assert check_close(statuses("accepted", "accepted", "sent_back"), "effective") == (
        "D2 is not accepted yet."
    )
    message = "The effectiveness check has not found the action effective."
    assert check_close(all_accepted, "") == message
    assert check_close(all_accepted, "not_effective") == message


def test_overdue_is_the_suppliers_turn_past_the_due_time():
    now = datetime.datetime(2026, 11, 4, 9, 30, tzinfo=datetime.UTC)
    second = datetime.timedelta(seconds=1)
    assert is_overdue("pending", now - second, now) is True
    assert is_overdue("sent_back", now - second, now) is True
    assert is_overdue("pending", now, now) is False  # due this very moment: not yet
    assert is_overdue("pending", now + second, now) is False
    # Under review or accepted: the reviewer's turn, or done.
    assert is_overdue("submitted", now - second, now) is False
    assert is_overdue("accepted", now - second, now) is False


@pytest.mark.parametrize(
    ("detected", "start"),
    [
        (datetime.date(2026, 11, 10), datetime.date(2025, 11, 10)),
        (datetime.date(2026, 1, 1), datetime.date(2025, 1, 1)),
        # 29 February: the year before has none; the window starts on 28 February.
        (datetime.date(2028, 2, 29), datetime.date(2027, 2, 28)),
        (datetime.date(2024, 2, 29), datetime.date(2023, 2, 28)),
        # The day after: 1 March of the year before.
        (datetime.date(2028, 3, 1), datetime.date(2027, 3, 1)),
        # 28 February in the year after a leap year: 28 February of the leap year.
        (datetime.date(2029, 2, 28), datetime.date(2028, 2, 28)),
    ],
)
def test_the_repeat_window_is_the_twelve_months_before(detected, start):
    assert repeat_window_start(detected) == start
