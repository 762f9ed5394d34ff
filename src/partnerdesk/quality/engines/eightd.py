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
REOPENED_ON_INEFFECTIVE = (4, 5, 6, 7, 8)


def due_times(
    opened_at: datetime.datetime, offsets: Mapping[int, datetime.timedelta]
) -> dict[int, datetime.datetime]:
    missing = [stage for stage in STAGES if stage not in offsets]
    if missing:
        raise ValueError(f"no due offset for stages {missing}")
    return {stage: opened_at + offsets[stage] for stage in STAGES}


def check_submit(statuses: Mapping[int, str], stage: int) -> str | None:
    """Why ``stage`` cannot be submitted now, or None when it can."""
    if stage not in STAGES:
        return f"D{stage} is not a stage of an 8D (D0 to D8)."
    if statuses[stage] == "accepted":
        return f"D{stage} is already accepted."
    if stage and statuses[stage - 1] not in ("submitted", "accepted"):
        return f"Submit D{stage - 1} first."
    return None


def check_accept(statuses: Mapping[int, str], stage: int) -> str | None:
    """Why ``stage`` cannot be accepted now, or None when it can."""
    if stage not in STAGES:
        return f"D{stage} is not a stage of an 8D (D0 to D8)."
    if statuses[stage] != "submitted":
        return f"D{stage} has not been submitted for review."
    earlier = [s for s in range(stage) if statuses[s] != "accepted"]
    if earlier:
        return f"Accept D{earlier[0]} first: stages are accepted in order."
    return None


def check_close(statuses: Mapping[int, str], effectiveness: str) -> str | None:
    open_stages = [s for s in STAGES if statuses.get(s) != "accepted"]
    if open_stages:
        return f"D{open_stages[0]} is not accepted yet."
    if effectiveness != "effective":
        return "The effectiveness check has not found the action effective."
    return None


def is_overdue(status: str, due_at: datetime.datetime, now: datetime.datetime) -> bool:
    return status in ("pending", "sent_back") and due_at < now


def repeat_window_start(detected_on: datetime.date) -> datetime.date:
    """The first day of the 12 months before ``detected_on`` (29 February -> 28 February)."""
    try:
        return detected_on.replace(year=detected_on.year - 1)
    except ValueError:
        return detected_on.replace(year=detected_on.year - 1, day=28)
