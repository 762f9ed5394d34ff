"""Acceptance sampling by attributes after ISO 2859-1:1999 (single sampling, switching rules).

ISO 2859-1 is the international form of ANSI/ASQ Z1.4 and MIL-STD-105E. The tables live in
``sampling_tables``; this module reads them:

* Table 1 gives the sample size code letter for a lot size and an inspection level (special
  S-1 to S-4, general I, II, III). The table starts at lot size 2; a lot of one item is read
  from the 2-8 row, and any plan then means inspecting that item.
* Tables 2-A (normal), 2-B (tightened) and 2-C (reduced) give, per code letter and AQL, a
  sample size n, an acceptance number Ac and a rejection number Re. Where a cell holds an
  arrow, the first plan below (or above) it in the same column is used, with the sample size
  of that plan's row. When n equals or exceeds the lot size, every item is inspected (the
  footnote to the tables).
* Table 2-C is the one of the 1999 edition: the reduced plans have no gap between Ac and Re
  (Re = Ac + 1), like the normal and tightened plans. Z1.4 and MIL-STD-105E still have the
  older reduced table (plans such as Ac 0 Re 2, where a count between the two accepts the lot
  but reinstates normal inspection); that table and that rule are not implemented.
* A lot is accepted when the count in the sample is at most Ac and not accepted from Re on.
  For AQLs up to 10 the count is of nonconforming items and cannot exceed the sample size;
  AQLs above 10 apply only to nonconformities per 100 items, which can exceed it.

Switching between normal, tightened and reduced inspection follows clause 9 of the 1999
edition. Inspection starts at normal (9.1) and keeps its severity unless a rule applies:

* normal to tightened (9.3.1): 2 lots out of 5 or fewer consecutive ones are not accepted on
  original inspection;
* tightened to normal (9.3.2): 5 consecutive lots are accepted on original inspection;
* normal to reduced (9.3.3): the switching score is at least 30, production is at a steady
  rate and the responsible authority considers reduced inspection desirable. The score
  (9.3.3.2) is set to 0 when normal inspection starts; after each lot on normal inspection,
  with Ac 0 or 1 it gains 2 when the lot is accepted, and with Ac 2 or more it gains 3 when
  the lot would have been accepted with the AQL one step tighter; otherwise it returns to 0;
* reduced to normal (9.3.4): a lot is not accepted, production becomes irregular or delayed,
  or other conditions warrant normal inspection;
* discontinuation (9.4): when the number of lots not accepted in a sequence of consecutive
  lots on tightened inspection reaches 5, acceptance inspection stops until the supplier has
  acted to improve quality; it then resumes at tightened inspection.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Literal

from partnerdesk.quality.engines.sampling_tables import (
    AQL_VALUES,
    CODE_LETTER_TABLE,
    LETTERS,
    LEVELS,
    MASTER_TABLES,
    SAMPLE_SIZES,
    TABLE_NUMBERS,
)


class Inspection(StrEnum):
    """The severity of inspection, plus the state where inspection has been stopped."""

    NORMAL = "normal"
    TIGHTENED = "tightened"
    REDUCED = "reduced"
    DISCONTINUED = "discontinued"


AQLS: tuple[Decimal, ...] = tuple(Decimal(value) for value in AQL_VALUES)
_AQL_INDEX = {value: index for index, value in enumerate(AQLS)}  # Decimal("1") finds "1.0"
_ARROWS = {"v": ("down", 1), "^": ("up", -1)}
_PERCENT_LIMIT = Decimal(10)  # AQLs above this are for nonconformities per 100 items only

Decision = Literal["accept", "reject"]


def parse_aql(aql: Decimal | str | int) -> Decimal:
    """The preferred AQL equal to ``aql`` (compared as a Decimal), as the tables print it."""
    if isinstance(aql, bool) or not isinstance(aql, Decimal | str | int):
        raise ValueError(f"AQL must be a Decimal or a string such as '1.0', not {aql!r}")
    try:
        value = aql if isinstance(aql, Decimal) else Decimal(str(aql).strip())
    except InvalidOperation:
        raise ValueError(f"AQL {aql!r} is not a number") from None
    index = _AQL_INDEX.get(value) if value.is_finite() else None
    if index is None:
        preferred = ", ".join(AQL_VALUES)
        raise ValueError(f"AQL {aql} is not a preferred value of ISO 2859-1 ({preferred})")
    return AQLS[index]


def tighter_aql(aql: Decimal | str | int) -> Decimal | None:
    """The preferred AQL one step tighter than ``aql``, or None for the tightest (0.010)."""
    index = _AQL_INDEX[parse_aql(aql)]
    return AQLS[index - 1] if index else None


def _level(level: str) -> str:
    normalized = level.strip().upper() if isinstance(level, str) else None
    if normalized not in LEVELS:
        raise ValueError(f"inspection level {level!r} is not one of {', '.join(LEVELS)}")
    return normalized


def _lot_size(lot_size: int) -> int:
    if isinstance(lot_size, bool) or not isinstance(lot_size, int) or lot_size < 1:
        raise ValueError(f"lot size must be a whole number of at least 1, not {lot_size!r}")
    return lot_size


def _severity(severity: str) -> Inspection:
    try:
        value = Inspection(severity.strip().lower())
    except (AttributeError, ValueError):
        value = None
    if value is None or value == Inspection.DISCONTINUED:
        raise ValueError(
            f"severity {str(severity)!r} is not one of normal, tightened, reduced"
            + (" (inspection is discontinued, clause 9.4)" if value else "")
        )
    return value


def code_letter(lot_size: int, level: str) -> str:
    """The sample size code letter of Table 1 for ``lot_size`` at inspection ``level``."""
    lot_size, column = _lot_size(lot_size), LEVELS.index(_level(level))
    for largest, letters in CODE_LETTER_TABLE:
        if largest is None or lot_size <= largest:
            return letters[column]
    raise AssertionError("Table 1 has an open last range")  # pragma: no cover


def _resolve(severity: str, letter: str, column: int) -> tuple[str, int, str | None]:
    """(letter of the plan used, its Ac, "down"/"up"/None) for one cell of a master table."""
    table = MASTER_TABLES[severity]
    rows = [row for row in LETTERS + "S" if row in table]
    index = rows.index(letter)
    cell = table[letter].split()[column]
    arrow, step = _ARROWS.get(cell, (None, 0))
    while cell in _ARROWS:
        index += step
        if not 0 <= index < len(rows):
            raise AssertionError(f"Table {TABLE_NUMBERS[severity]}: arrow leads off the table")
        cell = table[rows[index]].split()[column]
    if cell == "-":
        raise AssertionError(f"Table {TABLE_NUMBERS[severity]}: arrow ends on a blank cell")
    return rows[index], int(cell), arrow


@dataclass(frozen=True)
class TablePlan:
    """The plan one cell of Table 2-A, 2-B or 2-C leads to, arrows followed."""

    letter: str
    sample_size: int
    accept: int
    reject: int
    arrow: str | None  # "down", "up", or None when the cell holds the plan itself


def table_plan(letter: str, aql: Decimal | str | int, severity: str = "normal") -> TablePlan:
    """The plan in row ``letter``, column ``aql`` of the master table for ``severity``."""
    aql, inspection = parse_aql(aql), _severity(severity)
    if not isinstance(letter, str) or letter not in set(LETTERS):
        raise ValueError(f"code letter {letter!r} is not one of {LETTERS}")
    used, accept, arrow = _resolve(inspection, letter, _AQL_INDEX[aql])
    return TablePlan(used, SAMPLE_SIZES[inspection][used], accept, accept + 1, arrow)


@dataclass(frozen=True)
class Plan:
    """A single sampling plan for one lot, read from Tables 1 and 2-A/2-B/2-C.

    ``code_letter`` is the letter of Table 1; ``plan_letter`` is the row of the plan actually
    used, different from it when the table points elsewhere with an arrow (``arrow`` is then
    "down" or "up"). ``table_sample_size`` is the n of that row; ``sample_size`` is the number
    of items to inspect, the whole lot when ``hundred_percent``.
    """

    lot_size: int
    aql: Decimal
    level: str
    severity: Inspection
    code_letter: str
    plan_letter: str
    arrow: str | None
    table_sample_size: int
    sample_size: int
    accept: int
    reject: int
    hundred_percent: bool

    @property
    def table(self) -> str:
        """The number of the master table the plan comes from, e.g. "2-A"."""
        return TABLE_NUMBERS[self.severity]

    @property
    def explanation(self) -> str:
        """One line naming the table, the letters, the arrow followed, n, Ac and Re."""
        text = (
            f"ISO 2859-1 Table {self.table} ({self.severity}), lot {self.lot_size}, level "
            f"{self.level}: code letter {self.code_letter}; AQL {self.aql}: "
        )
        if self.arrow:
            text += f"arrow {self.arrow} to letter {self.plan_letter}; "
        text += f"n={self.table_sample_size}, Ac={self.accept}, Re={self.reject}"
        if self.hundred_percent:
            text += f"; n >= lot size, so all {self.lot_size} items are inspected (100 %)"
        return text

    def decide(self, defects: int) -> Decision:
        """Return "accept" when ``defects`` is at most Ac and "reject" once it reaches Re.

        ``defects`` counts nonconforming items in the sample (or, for AQLs above 10,
        nonconformities, which may exceed the number of items).
        """
        if isinstance(defects, bool) or not isinstance(defects, int) or defects < 0:
            raise ValueError(f"defects must be a whole number of at least 0, not {defects!r}")
        if defects > self.sample_size and self.aql <= _PERCENT_LIMIT:
            raise ValueError(
                f"{defects} nonconforming items found in a sample of {self.sample_size}"
            )
        return "accept" if defects <= self.accept else "reject"


def plan(
    lot_size: int, aql: Decimal | str | int, level: str = "II", severity: str = "normal"
) -> Plan:
    """The single sampling plan for a lot (Table 1, then Table 2-A, 2-B or 2-C)."""
    lot_size, level, aql = _lot_size(lot_size), _level(level), parse_aql(aql)
    inspection = _severity(severity)
    letter = code_letter(lot_size, level)
    cell = table_plan(letter, aql, inspection)
    return Plan(
        lot_size=lot_size,
        aql=aql,
        level=level,
        severity=inspection,
        code_letter=letter,
        plan_letter=cell.letter,
        arrow=cell.arrow,
        table_sample_size=cell.sample_size,
        sample_size=min(cell.sample_size, lot_size),
        accept=cell.accept,
        reject=cell.reject,
        hundred_percent=cell.sample_size >= lot_size,
    )


@dataclass(frozen=True)
class LotOutcome:
    """The result of original inspection of one lot, as the switching rules need it.

    ``accept_number`` is the Ac of the plan used. On normal inspection with Ac 2 or more,
    ``accepted_at_tighter_aql`` says whether the lot would also have been accepted with the
    AQL one step tighter (clause 9.3.3.2); ``lot_outcome`` works both out from a plan.
    """

    accepted: bool
    accept_number: int = 0
    accepted_at_tighter_aql: bool | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.accepted, bool):
            raise ValueError(f"accepted must be True or False, not {self.accepted!r}")
        number = self.accept_number
        if isinstance(number, bool) or not isinstance(number, int) or number < 0:
            raise ValueError(f"accept number must be a whole number >= 0, not {number!r}")
        if self.accepted_at_tighter_aql and not self.accepted:
            raise ValueError("a lot not accepted cannot be accepted at a tighter AQL")


def lot_outcome(plan: Plan, defects: int) -> LotOutcome:
    """The outcome of inspecting a lot with ``plan`` and finding ``defects`` in the sample.

    The tighter-AQL check reads Table 2-A one column to the left, in the row of the plan
    used; where Ac is 2 or more that plan has the same sample size.
    """
    accepted = plan.decide(defects) == "accept"
    at_tighter = None
    if plan.severity == Inspection.NORMAL and plan.accept >= 2:
        tighter = tighter_aql(plan.aql)  # never None: Ac >= 2 does not occur at 0.010
        at_tighter = defects <= table_plan(plan.plan_letter, tighter).accept
    return LotOutcome(accepted, plan.accept, at_tighter)


@dataclass(frozen=True)
class SwitchingState:
    """Where a stream of lots stands in the switching rules of clause 9.

    ``recent`` holds the original-inspection results (True = accepted) of up to the last 5
    lots on normal inspection; ``consecutive_accepted`` and ``not_accepted_on_tightened``
    count lots on tightened inspection; ``switching_score`` is the score of clause 9.3.3.2.
    All counters start again when the severity changes. ``switched_from`` is set on the
    state that follows a switch, and ``reason`` says why the state is what it is.
    """

    inspection: Inspection = Inspection.NORMAL
    recent: tuple[bool, ...] = ()
    consecutive_accepted: int = 0
    not_accepted_on_tightened: int = 0
    switching_score: int = 0
    switched_from: Inspection | None = None
    reason: str = "inspection starts at normal (clause 9.1)"


def _switch(state: SwitchingState, to: Inspection, reason: str) -> SwitchingState:
    return SwitchingState(inspection=to, switched_from=state.inspection, reason=reason)


def next_state(
    state: SwitchingState,
    lot: LotOutcome,
    *,
    production_steady: bool = True,
    authority_approves_reduced: bool = True,
) -> SwitchingState:
    """The state after original inspection of one more lot under ``state``.

    ``production_steady`` is False when production is irregular or delayed;
    ``authority_approves_reduced`` is the responsible authority's view that reduced inspection
    is desirable. On reduced inspection, False for it means other conditions warrant normal
    inspection (clause 9.3.4 c).
    """
    if not isinstance(lot, LotOutcome):
        raise ValueError(f"lot must be a LotOutcome, not {lot!r}")
    if state.inspection == Inspection.DISCONTINUED:
        raise ValueError(
            "inspection is discontinued (clause 9.4): call resume() once the supplier's "
            "corrective action has been accepted"
        )
    if state.inspection == Inspection.NORMAL:
        return _after_normal(state, lot, production_steady, authority_approves_reduced)
    if state.inspection == Inspection.TIGHTENED:
        return _after_tightened(state, lot)
    return _after_reduced(state, lot, production_steady, authority_approves_reduced)


def _after_normal(
    state: SwitchingState, lot: LotOutcome, steady: bool, approved: bool
) -> SwitchingState:
    recent = (*state.recent, lot.accepted)[-5:]
    if recent.count(False) >= 2:
        span = len(recent) - recent.index(False)
        return _switch(
            state,
            Inspection.TIGHTENED,
            f"2 of {span} consecutive lots not accepted on normal inspection (clause 9.3.1)",
        )
    if lot.accept_number >= 2:
        if lot.accepted and lot.accepted_at_tighter_aql is None:
            raise ValueError(
                "with Ac 2 or more the switching score needs accepted_at_tighter_aql "
                "(clause 9.3.3.2)"
            )
        gain = 3 if lot.accepted_at_tighter_aql else 0
    else:
        gain = 2 if lot.accepted else 0
    score = state.switching_score + gain if gain else 0
    if score >= 30 and steady and approved:
        return _switch(
            state,
            Inspection.REDUCED,
            f"switching score {score} is at least 30, production is steady and reduced "
            "inspection is approved (clause 9.3.3)",
        )
    missing = [
        text
        for text, ok in (("steady production", steady), ("the authority's approval", approved))
        if not ok
    ]
    reason = f"normal inspection continues, switching score {score}"
    if score >= 30:
        reason += f" (reduced inspection waits for {' and '.join(missing)})"
    return SwitchingState(
        inspection=Inspection.NORMAL, recent=recent, switching_score=score, reason=reason
    )


def _after_tightened(state: SwitchingState, lot: LotOutcome) -> SwitchingState:
    consecutive = state.consecutive_accepted + 1 if lot.accepted else 0
    not_accepted = state.not_accepted_on_tightened + (not lot.accepted)
    if not_accepted >= 5:
        return _switch(
            state,
            Inspection.DISCONTINUED,
            "5 lots not accepted on tightened inspection: inspection stops until the "
            "supplier has acted to improve quality (clause 9.4)",
        )
    if consecutive >= 5:
        return _switch(
            state,
            Inspection.NORMAL,
            "5 consecutive lots accepted on tightened inspection (clause 9.3.2)",
        )
    return SwitchingState(
        inspection=Inspection.TIGHTENED,
        consecutive_accepted=consecutive,
        not_accepted_on_tightened=not_accepted,
        reason=(
            f"tightened inspection continues: {consecutive} consecutive lots accepted, "
            f"{not_accepted} not accepted"
        ),
    )


def _after_reduced(
    state: SwitchingState, lot: LotOutcome, steady: bool, approved: bool
) -> SwitchingState:
    if not lot.accepted:
        reason = "a lot not accepted on reduced inspection (clause 9.3.4 a)"
    elif not steady:
        reason = "production irregular or delayed (clause 9.3.4 b)"
    elif not approved:
        reason = "other conditions warrant normal inspection (clause 9.3.4 c)"
    else:
        return SwitchingState(inspection=Inspection.REDUCED, reason="reduced inspection continues")
    return _switch(state, Inspection.NORMAL, reason)


def resume(state: SwitchingState) -> SwitchingState:
    """Restart discontinued inspection, at tightened inspection (clause 9.4)."""
    if state.inspection != Inspection.DISCONTINUED:
        raise ValueError(f"inspection is {state.inspection}, not discontinued")
    return _switch(
        state,
        Inspection.TIGHTENED,
        "resumed at tightened inspection after the supplier's corrective action (clause 9.4)",
    )
