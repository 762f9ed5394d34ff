"""Rules of the 8D corrective action and of repeat nonconformances (pure, no Django).

* Due times: each stage is due a set time after the action is opened (``due_times``).
* Order: a stage may be submitted once the stage before it has been submitted or accepted,
  and accepted only once every stage before it has been accepted (``check_submit``,
  ``check_accept``). D0 has no predecessor.
* Closure needs all nine stages accepted and an effectiveness check found effective.
  A check found not effective sends D4 to D8 back: the root cause was not the real one.
* Overdue: a stage is overdue when its due time has passed and it is neither submitted nor
  accepted (a stage under review is the reviewer's turn, not the supplier's).
* Repeat: a nonconformance repeats an earlier one of the same partner and defect type
  detected within the 12 months before it (from the same day one year earlier, inclusive).
"""

import datetime
from collections.abc import Mapping

STAGES = tuple(range(9))


class Refusal(str):
    """Why a step is refused: the English sentence, with its ``template`` and ``params`` kept
    so that the caller can translate it (``gettext(template) % params``)."""

    template: str
    params: dict

    @classmethod
    def of(cls, template: str, **params) -> "Refusal":
        refusal = cls(template % params)
        refusal.template, refusal.params = template, params
        return refusal


NOT_A_STAGE = "D%(stage)s is not a stage of an 8D (D0 to D8)."
ALREADY_ACCEPTED = "D%(stage)s is already accepted."
SUBMIT_FIRST = "Submit D%(stage)s first."
NOT_SUBMITTED = "D%(stage)s has not been submitted for review."
ACCEPT_FIRST = "Accept D%(stage)s first: stages are accepted in order."
NOT_ACCEPTED_YET = "D%(stage)s is not accepted yet."
NOT_EFFECTIVE = "The effectiveness check has not found the action effective."
TEMPLATES = (
    NOT_A_STAGE,
    ALREADY_ACCEPTED,
    SUBMIT_FIRST,
    NOT_SUBMITTED,
    ACCEPT_FIRST,
    NOT_ACCEPTED_YET,
    NOT_EFFECTIVE,
)
REOPENED_ON_INEFFECTIVE = (4, 5, 6, 7, 8)


def due_times(
    opened_at: datetime.datetime, offsets: Mapping[int, datetime.timedelta]
) -> dict[int, datetime.datetime]:
    missing = [stage for stage in STAGES if stage not in offsets]
    if missing:
        raise ValueError(f"no due offset for stages {missing}")
    return {stage: opened_at + offsets[stage] for stage in STAGES}


def check_submit(statuses: Mapping[int, str], stage: int) -> Refusal | None:
    """Why ``stage`` cannot be submitted now, or None when it can."""
    if stage not in STAGES:
        return Refusal.of(NOT_A_STAGE, stage=stage)
    if statuses[stage] == "accepted":
        return Refusal.of(ALREADY_ACCEPTED, stage=stage)
    if stage and statuses[stage - 1] not in ("submitted", "accepted"):
        return Refusal.of(SUBMIT_FIRST, stage=stage - 1)
    return None


def check_accept(statuses: Mapping[int, str], stage: int) -> Refusal | None:
    """Why ``stage`` cannot be accepted now, or None when it can."""
    if stage not in STAGES:
        return Refusal.of(NOT_A_STAGE, stage=stage)
    if statuses[stage] != "submitted":
        return Refusal.of(NOT_SUBMITTED, stage=stage)
    earlier = [s for s in range(stage) if statuses[s] != "accepted"]
    if earlier:
        return Refusal.of(ACCEPT_FIRST, stage=earlier[0])
    return None


def check_close(statuses: Mapping[int, str], effectiveness: str) -> Refusal | None:
    open_stages = [s for s in STAGES if statuses.get(s) != "accepted"]
    if open_stages:
        return Refusal.of(NOT_ACCEPTED_YET, stage=open_stages[0])
    if effectiveness != "effective":
        return Refusal.of(NOT_EFFECTIVE)
    return None


def is_overdue(status: str, due_at: datetime.datetime, now: datetime.datetime) -> bool:
    return status in ("pending", "sent_back") and due_at < now


def repeat_window_start(detected_on: datetime.date) -> datetime.date:
    """The first day of the 12 months before ``detected_on`` (29 February -> 28 February)."""
    try:
        return detected_on.replace(year=detected_on.year - 1)
    except ValueError:
        return detected_on.replace(year=detected_on.year - 1, day=28)
