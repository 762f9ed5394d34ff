"""Contract services on the real database: create, update, amend, the status lifecycle, the
dispute ladder, deliverables and the RACI matrix. Refusals write nothing."""

import datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone

from partnerdesk.audit.models import AuditEntry
from partnerdesk.contracts.choices import STATUS_TRANSITIONS, ContractStatus
from partnerdesk.contracts.models import (
    Contract,
    ContractStatusChange,
    ContractVersion,
    Deliverable,
    DisputeLevel,
    RaciActivity,
    RaciAssignment,
)
from partnerdesk.contracts.services.contracts import (
    contract_amend,
    contract_change_status,
    contract_create,
    contract_update,
)
from partnerdesk.contracts.services.parts import (
    deliverable_create,
    deliverable_record,
    dispute_ladder_save,
    raci_save,
    validate_raci,
)
from partnerdesk.contracts.services.reminders import contracts_refresh_statuses
from partnerdesk.core.errors import Conflict, Forbidden, InvalidInput
from partnerdesk.performance.models import PartnerScore, PeriodClose, ScorecardPolicy
from tests.factories import PartnerContactFactory, PartnerFactory, PersonFactory, TeamFactory
from tests.support import audit_rows

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 21)
DATA = {
    "reference": "C-1",
    "title": "Moulding",
    "outsourced_scope": "Housings",
    "start_date": datetime.date(2026, 1, 1),
    "end_date": datetime.date(2027, 12, 31),
    "monthly_fee": D("100000.00"),
    "at_risk_percent": D("12.00"),
}
LABELS = {
    "draft": "Draft",
    "active": "Active",
    "expiring": "Expiring",
    "expired": "Expired",
    "terminated": "Terminated",
}
ALLOWED_TEXT = {
    "draft": "Active, Terminated",
    "active": "Expiring, Terminated",
    "expiring": "Active, Expired, Terminated",
    "expired": "none",
    "terminated": "none",
}
ALLOWED_PAIRS = [(src, dst) for src, targets in STATUS_TRANSITIONS.items() for dst in targets]
DISALLOWED_PAIRS = [
    (src, dst)
    for src in ContractStatus.values
    for dst in ContractStatus.values
    if dst not in STATUS_TRANSITIONS[src]
]


@pytest.fixture
def manager(make_user):
    return make_user("administrator", username="boss")


@pytest.fixture
def partner():
    return PartnerFactory(code="CMO-A")


def new_contract(user, partner, **overrides) -> Contract:
    return contract_create(user=user, partner=partner, data={**DATA, **overrides})


def active_contract(user, partner, **overrides) -> Contract:
    contract = new_contract(user, partner, **overrides)
    return contract_change_status(user=user, contract=contract, to_status="active", reason="Signed")


def counts() -> tuple[int, ...]:
    """What a refused write must leave as it was."""
    return (
        Contract.objects.count(),
        ContractVersion.objects.count(),
        ContractStatusChange.objects.count(),
        AuditEntry.objects.count(),
    )


# --- create and update -----------------------------------------------------------------------


def test_create_writes_a_draft_with_version_1_and_an_audit_row(manager, partner):
    # Given a manager and an active partner

    # When a contract is created
    contract = new_contract(manager, partner)

    # Then it is a draft at version 1
    contract = Contract.objects.get(pk=contract.pk)
    assert (contract.status, contract.version, contract.monthly_fee, contract.at_risk_percent) == (
        "draft",
        1,
        D("100000.00"),
        D("12.00"),
    )
    # with the original terms as version 1 from the start date
    [version] = contract.versions.all()
    assert (
        version.version,
        version.effective_from,
        version.summary,
        version.monthly_fee,
        version.at_risk_percent,
        version.end_date,
        version.created_by,
    ) == (
        1,
        datetime.date(2026, 1, 1),
        "Original terms",
        D("100000.00"),
        D("12.00"),
        datetime.date(2027, 12, 31),
        manager,
    )
    assert version.snapshot["reference"] == "C-1"
    # and one audit row
    [entry] = audit_rows(contract)
    assert (entry.action, entry.actor) == ("create", manager)
    assert entry.changes["reference"] == [None, "C-1"]
    assert entry.changes["monthly_fee"] == [None, "100000.00"]
    assert entry.changes["status"] == [None, "draft"]


def test_create_for_a_terminated_partner_is_refused_and_writes_nothing(manager):
    partner = PartnerFactory(code="CMO-T", status="terminated")
    before = counts()

    with pytest.raises(Conflict) as error:
        new_contract(manager, partner)

    assert error.value.message == "CMO-T is terminated."
    assert counts() == before


def test_create_with_the_end_before_the_start_is_refused(manager, partner):
    before = counts()

    with pytest.raises(InvalidInput) as error:
        new_contract(manager, partner, end_date=datetime.date(2025, 12, 31))

    assert error.value.fields["end_date"] == ["The end is before the start."]
    assert counts() == before


def test_create_needs_the_permission(make_user, partner):
    viewer = make_user("manufacturing")
    before = counts()

    with pytest.raises(Forbidden):
        new_contract(viewer, partner)

    assert counts() == before


def test_update_changes_descriptive_fields_of_an_active_contract(manager, partner):
    # Given an active contract
    contract = active_contract(manager, partner)

    # When its descriptive fields change (the form sends the unchanged fee along)
    contract_update(
        user=manager,
        contract=contract,
        data={
            "title": "Moulding and assembly",
            "payment_terms": "60 days end of month",
            "monthly_fee": D("100000"),
        },
    )

    # Then they are saved and the audit row names exactly what changed
    contract = Contract.objects.get(pk=contract.pk)
    assert (contract.title, contract.payment_terms) == (
        "Moulding and assembly",
        "60 days end of month",
    )
    entry = audit_rows(contract)[-1]
    assert entry.action == "update"
    assert entry.changes == {
        "title": ["Moulding", "Moulding and assembly"],
        "payment_terms": ["", "60 days end of month"],
    }
    assert contract.versions.count() == 1


def test_commercial_changes_on_an_active_contract_are_refused_naming_the_fields(manager, partner):
    # Given an active contract
    contract = active_contract(manager, partner)
    before = counts()

    # When fee and end date are changed by a plain update
    with pytest.raises(Conflict) as error:
        contract_update(
            user=manager,
            contract=contract,
            data={
                "title": "Renamed",
                "monthly_fee": D("90000.00"),
                "end_date": datetime.date(2028, 6, 30),
            },
        )

    # Then the error names both fields and nothing changed
    message = "Change these by an amendment (a new version): end_date, monthly_fee."
    assert error.value.message == message
    assert error.value.fields == {"end_date": [message], "monthly_fee": [message]}
    contract = Contract.objects.get(pk=contract.pk)
    assert (contract.title, contract.monthly_fee) == ("Moulding", D("100000.00"))
    assert counts() == before


def test_a_draft_changes_its_commercial_terms_freely_and_version_1_follows(manager, partner):
    contract = new_contract(manager, partner)

    contract_update(
        user=manager,
        contract=contract,
        data={"monthly_fee": D("90000.00"), "start_date": datetime.date(2026, 2, 1)},
    )

    [version] = ContractVersion.objects.filter(contract=contract)
    assert (version.version, version.effective_from, version.monthly_fee) == (
        1,
        datetime.date(2026, 2, 1),
        D("90000.00"),
    )
    assert version.snapshot["monthly_fee"] == "90000.00"


# --- amendments ------------------------------------------------------------------------------


def test_amend_writes_version_2_with_the_new_fee_from_its_effective_date(manager, partner):
    # Given an active contract at 100,000.00 a month
    contract = active_contract(manager, partner)

    # When the fee is amended to 120,000.00 from October
    version = contract_amend(
        user=manager,
        contract=contract,
        effective_from=datetime.date(2026, 10, 1),
        summary="Fee indexed to 2026 prices",
        changes={"monthly_fee": D("120000.00")},
        today=TODAY,
    )

    # Then version 2 holds the new fee from 2026-10-01 and version 1 keeps the old one
    assert list(
        ContractVersion.objects.filter(contract=contract).values_list(
            "version", "effective_from", "monthly_fee", "at_risk_percent", "end_date"
        )
    ) == [
        (1, datetime.date(2026, 1, 1), D("100000.00"), D("12.00"), datetime.date(2027, 12, 31)),
        (2, datetime.date(2026, 10, 1), D("120000.00"), D("12.00"), datetime.date(2027, 12, 31)),
    ]
    assert (version.summary, version.created_by) == ("Fee indexed to 2026 prices", manager)
    contract = Contract.objects.get(pk=contract.pk)
    assert (contract.version, contract.monthly_fee, contract.status) == (
        2,
        D("120000.00"),
        "active",
    )
    entry = audit_rows(contract)[-1]
    assert entry.changes == {"monthly_fee": ["100000.00", "120000.00"], "version": [1, 2]}


def test_an_amendment_in_a_closed_month_is_refused(manager, partner):
    # Given an active contract and September 2026 closed
    contract = active_contract(manager, partner)
    PeriodClose.objects.create(period=datetime.date(2026, 9, 1))
    before = counts()

    # When an amendment is to take effect in mid-September
    with pytest.raises(Conflict) as error:
        contract_amend(
            user=manager,
            contract=contract,
            effective_from=datetime.date(2026, 9, 15),
            summary="Retroactive discount",
            changes={"monthly_fee": D("90000.00")},
            today=TODAY,
        )

    # Then it is refused and nothing is written
    message = "2026-09 is closed: the amendment can start from the month after it."
    assert error.value.fields == {"effective_from": [message]}
    assert Contract.objects.get(pk=contract.pk).monthly_fee == D("100000.00")
    assert counts() == before
    # while October is fine
    contract_amend(
        user=manager,
        contract=contract,
        effective_from=datetime.date(2026, 10, 1),
        summary="Discount",
        changes={"monthly_fee": D("90000.00")},
        today=TODAY,
    )
    assert Contract.objects.get(pk=contract.pk).version == 2


@pytest.mark.parametrize(
    ("kwargs", "error_type", "field"),
    [
        ({"summary": "  "}, InvalidInput, "summary"),
        ({"changes": {"title": "New"}}, InvalidInput, "title"),
        ({"effective_from": datetime.date(2025, 12, 31)}, InvalidInput, "effective_from"),
    ],
)
def test_bad_amendments_are_refused_and_write_nothing(manager, partner, kwargs, error_type, field):
    contract = active_contract(manager, partner)
    before = counts()
    arguments = {
        "effective_from": datetime.date(2026, 10, 1),
        "summary": "Fee",
        "changes": {"monthly_fee": D("1.00")},
        **kwargs,
    }

    with pytest.raises(error_type) as error:
        contract_amend(user=manager, contract=contract, today=TODAY, **arguments)

    assert field in error.value.fields
    assert counts() == before


def test_an_expiring_contract_extended_beyond_90_days_becomes_active_again(manager, partner):
    # Given a contract ending 2027-01-31, expiring since the daily job ran on 2026-11-21
    contract = active_contract(manager, partner, end_date=datetime.date(2027, 1, 31))
    contracts_refresh_statuses(today=TODAY)
    assert Contract.objects.get(pk=contract.pk).status == "expiring"

    # When it is extended to the end of 2027 (405 days away)
    contract_amend(
        user=manager,
        contract=contract,
        effective_from=datetime.date(2026, 12, 1),
        summary="Renewed for 2027",
        changes={"end_date": datetime.date(2027, 12, 31)},
        today=TODAY,
    )

    # Then it is active again, with the move recorded
    assert Contract.objects.get(pk=contract.pk).status == "active"
    assert list(
        ContractStatusChange.objects.filter(contract=contract).values_list(
            "from_status", "to_status", "reason"
        )
    ) == [
        ("expiring", "active", "Extended by amendment: Renewed for 2027"),
        ("active", "expiring", "Automatic: ends within 90 days."),
        ("draft", "active", "Signed"),
    ]


def test_an_extension_still_within_90_days_leaves_the_contract_expiring(manager, partner):
    contract = active_contract(manager, partner, end_date=datetime.date(2027, 1, 31))
    contracts_refresh_statuses(today=TODAY)

    # 2027-02-19 is exactly 90 days after 2026-11-21: still expiring
    contract_amend(
        user=manager,
        contract=contract,
        effective_from=datetime.date(2026, 12, 1),
        summary="Short extension",
        changes={"end_date": datetime.date(2027, 2, 19)},
        today=TODAY,
    )

    assert Contract.objects.get(pk=contract.pk).status == "expiring"


# --- status lifecycle ------------------------------------------------------------------------


@pytest.mark.parametrize(("from_status", "to_status"), ALLOWED_PAIRS)
def test_every_allowed_status_move_works(manager, partner, from_status, to_status):
    # Given a contract in the from-status
    contract = new_contract(manager, partner)
    Contract.objects.filter(pk=contract.pk).update(status=from_status)

    # When it is moved
    contract_change_status(
        user=manager, contract=contract, to_status=to_status, reason="Agreed in review"
    )

    # Then it has the new status, the move is recorded and audited
    assert Contract.objects.get(pk=contract.pk).status == to_status
    change = ContractStatusChange.objects.get(contract=contract)
    assert (change.from_status, change.to_status, change.reason, change.changed_by) == (
        from_status,
        to_status,
        "Agreed in review",
        manager,
    )
    assert audit_rows(contract)[-1].changes == {
        "status": [from_status, to_status],
        "status_reason": [None, "Agreed in review"],
    }


@pytest.mark.parametrize(("from_status", "to_status"), DISALLOWED_PAIRS)
def test_a_disallowed_status_move_names_the_allowed_ones(manager, partner, from_status, to_status):
    contract = new_contract(manager, partner)
    Contract.objects.filter(pk=contract.pk).update(status=from_status)
    before = counts()

    with pytest.raises(Conflict) as error:
        contract_change_status(user=manager, contract=contract, to_status=to_status, reason="Try")

    message = (
        f"The contract is {LABELS[from_status]} and cannot become {LABELS[to_status]}."
        f" Allowed: {ALLOWED_TEXT[from_status]}."
    )
    assert error.value.message == message
    assert error.value.fields == {"to_status": [message]}
    assert Contract.objects.get(pk=contract.pk).status == from_status
    assert counts() == before


def test_a_status_move_needs_a_reason_and_a_known_status(manager, partner):
    contract = new_contract(manager, partner)
    before = counts()

    with pytest.raises(InvalidInput) as no_reason:
        contract_change_status(user=manager, contract=contract, to_status="active", reason="  ")
    with pytest.raises(InvalidInput) as unknown:
        contract_change_status(user=manager, contract=contract, to_status="paused", reason="x")

    assert no_reason.value.fields == {"reason": ["This field is required."]}
    assert unknown.value.fields == {"to_status": ["Unknown status."]}
    assert counts() == before


def test_a_status_move_needs_the_permission(make_user, manager, partner):
    contract = new_contract(manager, partner)
    before = counts()

    with pytest.raises(Forbidden):
        contract_change_status(
            user=make_user("finance"), contract=contract, to_status="active", reason="x"
        )

    assert counts() == before


@pytest.mark.parametrize(
    ("status", "label"), [("prospect", "Prospect"), ("suspended", "Suspended")]
)
def test_activation_needs_an_active_or_qualified_partner(manager, status, label):
    partner = PartnerFactory(code="CMO-B", status=status)
    contract = new_contract(manager, partner)
    before = counts()

    with pytest.raises(Conflict) as error:
        contract_change_status(user=manager, contract=contract, to_status="active", reason="Go")

    assert error.value.message == f"CMO-B is {label}; qualify the partner first."
    assert Contract.objects.get(pk=contract.pk).status == "draft"
    assert counts() == before


def test_a_qualified_partner_can_have_its_contract_activated(manager):
    partner = PartnerFactory(status="qualified")
    contract = new_contract(manager, partner)

    contract_change_status(user=manager, contract=contract, to_status="active", reason="Go")

    assert Contract.objects.get(pk=contract.pk).status == "active"


def standing(partner, action: str, *, name: str, overall: str) -> PartnerScore:
    policy = ScorecardPolicy.objects.get_or_create(
        version=1, defaults={"name": "Default", "effective_from": datetime.date(2026, 1, 1)}
    )[0]
    close = PeriodClose.objects.create(period=datetime.date(2026, 9, 1))
    return PartnerScore.objects.create(
        partner=partner,
        period=datetime.date(2026, 9, 1),
        policy=policy,
        period_close=close,
        score=D(overall),
        overall=D(overall),
        standing=name,
        action=action,
    )


def test_activation_and_new_contracts_are_refused_while_the_standing_blocks(manager, partner):
    # Given a draft contract, and then the partner's standing falls to a blocking band
    contract = new_contract(manager, partner)
    score = standing(partner, "block", name="Poor", overall="50.00")
    before = counts()

    # When the contract is activated, or another one created
    with pytest.raises(Conflict) as activation:
        contract_change_status(user=manager, contract=contract, to_status="active", reason="Go")
    with pytest.raises(Conflict) as creation:
        new_contract(manager, partner, reference="C-2")

    # Then both are refused with the standing and score
    message = "CMO-A stands at “Poor” (score 50.00): new contracts are blocked."
    assert activation.value.fields == {"to_status": [message]}
    assert creation.value.fields == {"partner": [message]}
    assert counts() == before
    # and once that close is reopened, the block no longer stands
    PeriodClose.objects.filter(pk=score.period_close_id).update(reopened_at=timezone.now())
    contract_change_status(user=manager, contract=contract, to_status="active", reason="Go")
    assert Contract.objects.get(pk=contract.pk).status == "active"


def test_a_warning_standing_does_not_block_activation(manager, partner):
    contract = new_contract(manager, partner)
    standing(partner, "warn", name="Watch", overall="65.00")

    contract_change_status(user=manager, contract=contract, to_status="active", reason="Go")

    assert Contract.objects.get(pk=contract.pk).status == "active"


# --- dispute ladder --------------------------------------------------------------------------


def test_dispute_ladder_is_saved_in_order_with_people_and_contacts(manager, partner):
    contract = new_contract(manager, partner)
    buyer = PersonFactory(full_name="Anna Berg")
    director = PersonFactory(full_name="Jonas Weber")
    account_manager = PartnerContactFactory(partner=partner, name="Li Wei")

    levels = dispute_ladder_save(
        user=manager,
        contract=contract,
        levels=[
            {
                "name": " Account managers ",
                "response_hours": 24,
                "internal_people": [buyer],
                "partner_contacts": [account_manager],
            },
            {"name": "Directors", "response_hours": 72, "internal_people": [director]},
        ],
    )

    assert [(lv.level, lv.name, lv.response_hours) for lv in levels] == [
        (1, "Account managers", 24),
        (2, "Directors", 72),
    ]
    first, second = DisputeLevel.objects.filter(contract=contract)
    assert [p.full_name for p in first.internal_people.all()] == ["Anna Berg"]
    assert [c.name for c in first.partner_contacts.all()] == ["Li Wei"]
    assert [p.full_name for p in second.internal_people.all()] == ["Jonas Weber"]
    assert audit_rows(contract)[-1].changes == {
        "dispute_ladder": [[], ["1. Account managers (24 h)", "2. Directors (72 h)"]]
    }


def test_dispute_ladder_errors_name_their_rows_and_nothing_is_saved(manager, partner):
    # Given a contract with a one-level ladder
    contract = new_contract(manager, partner)
    dispute_ladder_save(
        user=manager, contract=contract, levels=[{"name": "Managers", "response_hours": 24}]
    )
    stranger = PartnerContactFactory(partner=PartnerFactory(), name="Sam Other")
    before = counts()

    # When a new ladder has a nameless level, a zero response time and another partner's
    # contact
    with pytest.raises(InvalidInput) as error:
        dispute_ladder_save(
            user=manager,
            contract=contract,
            levels=[
                {"name": " ", "response_hours": 24},
                {"name": "Directors", "response_hours": 0},
                {"name": "Board", "response_hours": 96, "partner_contacts": [stranger]},
                {"name": "x" * 101, "response_hours": 120},
            ],
        )

    # Then every problem names its level
    assert error.value.fields == {
        "levels": [
            "Level 1: give a name.",
            "Level 2: the response time is a whole number of hours above 0.",
            "Level 3: Sam Other works for another partner.",
            "Level 4: the name is longer than 100 characters.",
        ]
    }
    # and the old ladder is untouched
    assert list(DisputeLevel.objects.filter(contract=contract).values_list("level", "name")) == [
        (1, "Managers")
    ]
    assert counts() == before


def test_dispute_ladder_is_replaced_whole(manager, partner):
    contract = new_contract(manager, partner)
    contact = PartnerContactFactory(partner=partner)
    dispute_ladder_save(
        user=manager,
        contract=contract,
        levels=[
            {"name": "Managers", "response_hours": 24, "partner_contacts": [contact]},
            {"name": "Directors", "response_hours": 72},
        ],
    )

    dispute_ladder_save(
        user=manager, contract=contract, levels=[{"name": "Steering board", "response_hours": 48}]
    )

    assert list(
        DisputeLevel.objects.filter(contract=contract).values_list(
            "level", "name", "response_hours"
        )
    ) == [(1, "Steering board", 48)]
    assert list(contact.dispute_levels.all()) == []
    assert audit_rows(contract)[-1].changes == {
        "dispute_ladder": [
            ["1. Managers (24 h)", "2. Directors (72 h)"],
            ["1. Steering board (48 h)"],
        ]
    }


# --- deliverables ----------------------------------------------------------------------------


@pytest.fixture
def deliverable(manager, partner):
    contract = new_contract(manager, partner)
    return deliverable_create(
        user=manager,
        contract=contract,
        data={"name": "Tool trial T1", "due_date": datetime.date(2026, 10, 15)},
    )


def test_deliver_then_accept(manager, deliverable):
    # Given an open deliverable due 2026-10-15
    assert deliverable.status == "open"

    # When it is delivered a day early and accepted
    deliverable_record(
        user=manager,
        deliverable=deliverable,
        action="deliver",
        delivered_on=datetime.date(2026, 10, 14),
    )
    item = deliverable_record(user=manager, deliverable=deliverable, action="accept")

    # Then it is accepted, on time, by the manager
    item = Deliverable.objects.get(pk=item.pk)
    assert (item.status, item.delivered_on, item.on_time, item.accepted_by) == (
        "accepted",
        datetime.date(2026, 10, 14),
        True,
        manager,
    )
    assert item.accepted_at is not None
    assert [e.changes for e in audit_rows(item)[1:]] == [
        {"status": ["open", "delivered"], "delivered_on": [None, "2026-10-14"]},
        {"status": ["delivered", "accepted"]},
    ]


def test_a_rejected_deliverable_can_be_delivered_again_late(manager, deliverable):
    deliverable_record(
        user=manager,
        deliverable=deliverable,
        action="deliver",
        delivered_on=datetime.date(2026, 10, 15),
    )
    deliverable_record(user=manager, deliverable=deliverable, action="reject")

    item = deliverable_record(
        user=manager,
        deliverable=deliverable,
        action="deliver",
        delivered_on=datetime.date(2026, 10, 20),
    )

    assert (item.status, item.delivered_on, item.on_time) == (
        "delivered",
        datetime.date(2026, 10, 20),
        False,
    )


@pytest.mark.parametrize("action", ["accept", "reject"])
def test_only_a_delivered_deliverable_can_be_accepted_or_rejected(manager, deliverable, action):
    before = counts()

    with pytest.raises(Conflict) as error:
        deliverable_record(user=manager, deliverable=deliverable, action=action)

    assert error.value.message == "Only a delivered deliverable can be accepted or rejected."
    assert Deliverable.objects.get(pk=deliverable.pk).status == "open"
    assert counts() == before


def test_an_accepted_deliverable_cannot_be_delivered_again(manager, deliverable):
    deliverable_record(
        user=manager,
        deliverable=deliverable,
        action="deliver",
        delivered_on=datetime.date(2026, 10, 14),
    )
    deliverable_record(user=manager, deliverable=deliverable, action="accept")

    with pytest.raises(Conflict) as error:
        deliverable_record(
            user=manager,
            deliverable=deliverable,
            action="deliver",
            delivered_on=datetime.date(2026, 10, 16),
        )

    assert error.value.message == "Only an open or rejected deliverable can be delivered."


def test_a_delivery_date_in_the_future_or_missing_is_refused(manager, deliverable):
    before = counts()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    with pytest.raises(InvalidInput) as future:
        deliverable_record(
            user=manager, deliverable=deliverable, action="deliver", delivered_on=tomorrow
        )
    with pytest.raises(InvalidInput) as missing:
        deliverable_record(user=manager, deliverable=deliverable, action="deliver")
    with pytest.raises(InvalidInput) as unknown:
        deliverable_record(user=manager, deliverable=deliverable, action="approve")

    assert future.value.fields == {"delivered_on": ["The delivery date is in the future."]}
    assert missing.value.fields == {"delivered_on": ["This field is required."]}
    assert unknown.value.fields == {"action": ["Unknown action."]}
    item = Deliverable.objects.get(pk=deliverable.pk)
    assert (item.status, item.delivered_on) == ("open", None)
    assert counts() == before


# --- RACI ------------------------------------------------------------------------------------


def test_validate_raci_accepts_a_complete_row():
    team = TeamFactory.build(pk=1, name="Purchasing")
    contact = PartnerContactFactory.build(pk=1, name="Li Wei")

    assert validate_raci(
        [{"activity": "Forecast", "assignments": [(team, "A"), (contact, "R")]}]
    ) == ([])


def test_validate_raci_names_every_problem_by_activity():
    purchasing = TeamFactory.build(pk=1, name="Purchasing")
    quality = TeamFactory.build(pk=2, name="Quality")
    contact = PartnerContactFactory.build(pk=1, name="Li Wei")

    problems = validate_raci(
        [
            {"activity": "Forecast", "assignments": [(purchasing, "R")]},
            {"activity": "Audit", "assignments": [(purchasing, "A"), (quality, "A")]},
            {"activity": "Ship", "assignments": [(contact, "A"), (contact, "R")]},
            {"activity": " ", "assignments": [(purchasing, "A"), (quality, "R")]},
            {"activity": "Pay", "assignments": [(purchasing, "A"), (quality, "R"), (contact, "X")]},
        ]
    )

    assert problems == [
        "Forecast: needs exactly one Accountable (has 0).",
        "Audit: needs exactly one Accountable (has 2).",
        "Audit: needs at least one Responsible.",
        "Ship: a party appears twice.",
        "Row 4: name the activity.",
        "Pay: letters are R, A, C or I.",
    ]


def test_raci_save_stores_the_matrix(manager, partner):
    contract = new_contract(manager, partner)
    purchasing = TeamFactory(name="Purchasing")
    contact = PartnerContactFactory(partner=partner, name="Li Wei")

    raci_save(
        user=manager,
        contract=contract,
        rows=[
            {"activity": "Forecast", "assignments": [(purchasing, "A"), (contact, "R")]},
            {"activity": "Ship", "assignments": [(contact, "A"), (purchasing, "R")]},
        ],
    )

    activities = list(RaciActivity.objects.filter(contract=contract))
    assert [(a.position, a.name) for a in activities] == [(0, "Forecast"), (1, "Ship")]
    assert sorted(
        (a.activity.name, a.role, a.team_id, a.contact_id)
        for a in RaciAssignment.objects.filter(activity__contract=contract)
    ) == [
        ("Forecast", "A", purchasing.pk, None),
        ("Forecast", "R", None, contact.pk),
        ("Ship", "A", None, contact.pk),
        ("Ship", "R", purchasing.pk, None),
    ]
    assert audit_rows(contract)[-1].changes == {
        "raci": [
            None,
            [
                "Forecast: A=Purchasing, R=Li Wei (Account manager)",
                "Ship: A=Li Wei (Account manager), R=Purchasing",
            ],
        ]
    }


def test_raci_save_with_errors_saves_nothing(manager, partner):
    # Given a contract with a valid matrix
    contract = new_contract(manager, partner)
    purchasing = TeamFactory(name="Purchasing")
    ours = PartnerContactFactory(partner=partner, name="Li Wei")
    raci_save(
        user=manager,
        contract=contract,
        rows=[{"activity": "Forecast", "assignments": [(purchasing, "A"), (ours, "R")]}],
    )
    stranger = PartnerContactFactory(partner=PartnerFactory(), name="Sam Other")
    before = counts()

    # When a new matrix lacks a Responsible and names another partner's contact
    with pytest.raises(InvalidInput) as error:
        raci_save(
            user=manager,
            contract=contract,
            rows=[
                {"activity": "Forecast", "assignments": [(purchasing, "A")]},
                {"activity": "Ship", "assignments": [(purchasing, "A"), (stranger, "R")]},
            ],
        )

    # Then the problems are listed and the old matrix stays
    assert error.value.fields == {
        "raci": [
            "Forecast: needs at least one Responsible.",
            "Sam Other works for another partner.",
        ]
    }
    assert [a.name for a in RaciActivity.objects.filter(contract=contract)] == ["Forecast"]
    assert RaciAssignment.objects.filter(activity__contract=contract).count() == 2
    assert counts() == before
