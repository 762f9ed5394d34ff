"""Cost events of poor quality: what a cost needs, rounding to the currency, corrections as a
reversing entry and a new one (never an edit), withdrawal, and the audit rows."""

import datetime
from decimal import Decimal as D

import pytest

from partnerdesk.core.errors import Conflict, Forbidden, InvalidInput
from partnerdesk.quality.models import CostEvent
from partnerdesk.quality.services.costs import cost_correct, cost_record
from tests.factories import NonconformanceFactory, PartnerFactory, TeamFactory
from tests.support import audit_rows

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 10)


@pytest.fixture
def quality(make_user):
    return make_user("quality")


@pytest.fixture
def partner():
    return PartnerFactory()


def record(user, **data):
    payload = {
        "kind": "quality_defect",
        "occurred_on": DAY,
        "amount": "1200",
        "currency": "CNY",
        "description": "Sorting of lot LOT-2026-0007",
        **data,
    }
    return cost_record(user=user, data=payload)


def test_a_cost_is_recorded_with_who_is_responsible(quality, partner):
    nc = NonconformanceFactory(partner=partner)
    event = record(
        quality,
        partner=partner,
        nonconformance=nc,
        quantity=D("20"),
        unit="kg",
        chargeback=True,
    )
    event.refresh_from_db()
    assert (event.kind, event.amount, event.currency, event.partner, event.chargeback) == (
        "quality_defect",
        D("1200.00"),
        "CNY",
        partner,
        True,
    )
    assert (event.nonconformance, event.quantity, event.recorded_by) == (nc, D(20), quality)
    [row] = audit_rows(event)
    assert (row.action, row.actor, row.changes["amount"]) == ("create", quality, [None, "1200.00"])


def test_production_records_its_material_loss_against_a_team(make_user):
    production = make_user("manufacturing")
    team = TeamFactory()
    event = record(production, kind="material_loss", team=team, amount="85.5")
    assert (event.team, event.partner, event.amount, event.chargeback) == (
        team,
        None,
        D("85.50"),
        False,
    )


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("1200.005", "CNY", D("1200.01")),  # half up to the fen
        ("1200.004", "CNY", D("1200.00")),
        ("1500.5", "JPY", D("1501")),  # no minor unit
        ("12,5", "EUR", D("12.50")),  # a decimal comma is read
    ],
)
def test_the_amount_is_rounded_to_the_currency(quality, partner, amount, currency, expected):
    assert record(quality, partner=partner, amount=amount, currency=currency).amount == expected


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"amount": "0"}, "amount", "A cost is a positive amount"),
        ({"amount": "-50"}, "amount", "A cost is a positive amount"),
        ({"amount": "a lot"}, "amount", "“a lot” is not an amount."),
        ({"amount": "Infinity"}, "amount", "is not an amount"),
        ({"amount": None}, "amount", "Give the amount."),
        ({"partner": None}, "partner", "Name who is responsible"),
        ({"partner": None, "team": "team", "chargeback": True}, "chargeback", "Only a partner"),
        ({"occurred_on": datetime.date(2099, 1, 1)}, "occurred_on", "in the future"),
        ({"kind": "penalty"}, "kind", "kind"),
        ({"currency": "XXX"}, "currency", "currency"),
        ({"description": ""}, "description", "description"),
    ],
)
def test_what_a_cost_needs(quality, partner, data, field, message):
    if data.get("team") == "team":
        data = {**data, "team": TeamFactory()}
    with pytest.raises(InvalidInput, match=message) as refused:
        record(quality, **{"partner": partner, **data})
    assert field in refused.value.fields
    assert not CostEvent.objects.exists()


@pytest.mark.parametrize("role", ["finance", "management", "outsourcing"])
def test_view_only_roles_record_no_cost(make_user, partner, role):
    with pytest.raises(Forbidden):
        record(make_user(role), partner=partner)
    assert not CostEvent.objects.exists()


def test_a_correction_reverses_the_entry_and_records_the_right_amount(make_user, quality, partner):
    nc = NonconformanceFactory(partner=partner)
    team = TeamFactory()
    event = record(
        quality,
        partner=partner,
        team=team,
        nonconformance=nc,
        quantity=D("20"),
        unit="kg",
        chargeback=True,
    )
    corrector = make_user("quality")
    reversal, corrected = cost_correct(
        user=corrector, event=event, amount="950,40", reason="Invoice of the sorter"
    )
    assert (reversal.amount, reversal.quantity, reversal.corrects) == (D("-1200.00"), D(-20), event)
    assert reversal.description == "Reversal: Invoice of the sorter"
    assert (corrected.amount, corrected.quantity, corrected.corrects) == (D("950.40"), D(20), event)
    assert corrected.description == (
        "Sorting of lot LOT-2026-0007 (corrected: Invoice of the sorter)"
    )
    for entry in (reversal, corrected):
        entry.refresh_from_db()
        assert (
            entry.kind,
            entry.occurred_on,
            entry.currency,
            entry.partner,
            entry.team,
            entry.nonconformance,
            entry.unit,
            entry.chargeback,
            entry.recorded_by,
        ) == ("quality_defect", DAY, "CNY", partner, team, nc, "kg", True, corrector)
        assert [row.action for row in audit_rows(entry)] == ["create"]
    # The entry itself is never edited; the chain adds up to the corrected amount.
    event.refresh_from_db()
    assert event.amount == D("1200.00")
    assert [row.action for row in audit_rows(event)] == ["create"]
    assert sum(e.amount for e in CostEvent.objects.all()) == D("950.40")


def test_an_entry_is_corrected_once_and_a_reversal_never(quality, partner):
    event = record(quality, partner=partner)
    reversal, corrected = cost_correct(user=quality, event=event, amount="1000", reason="Typo")
    with pytest.raises(Conflict, match="corrected already"):
        cost_correct(user=quality, event=event, amount="900", reason="Again")
    with pytest.raises(Conflict, match=r"A reversing entry is not corrected itself\."):
        cost_correct(user=quality, event=reversal, amount="0", reason="Undo")
    assert CostEvent.objects.count() == 3
    # The latest entry of the chain can be corrected in turn.
    again = cost_correct(user=quality, event=corrected, amount="900", reason="Discount")
    assert [e.amount for e in again] == [D("-1000.00"), D("900.00")]
    assert sum(e.amount for e in CostEvent.objects.all()) == D("900.00")


def test_withdrawing_a_cost_writes_only_the_reversal(quality, partner):
    event = record(quality, partner=partner)
    [reversal] = cost_correct(user=quality, event=event, amount="0", reason="Not our cost")
    assert (reversal.amount, reversal.corrects) == (D("-1200.00"), event)
    assert CostEvent.objects.count() == 2
    assert sum(e.amount for e in CostEvent.objects.all()) == D(0)


@pytest.mark.parametrize(
    ("amount", "reason", "field"),
    [
        ("1200.00", "Same", "amount"),  # unchanged
        ("1200.001", "Same", "amount"),  # unchanged once rounded to the fen
        ("-5", "Refund", "amount"),
        ("abc", "Typo", "amount"),
        ("900", "  ", "reason"),
    ],
)
def test_a_correction_is_checked_and_writes_nothing_when_refused(
    quality, partner, amount, reason, field
):
    event = record(quality, partner=partner)
    with pytest.raises(InvalidInput) as refused:
        cost_correct(user=quality, event=event, amount=amount, reason=reason)
    assert field in refused.value.fields
    assert list(CostEvent.objects.all()) == [event]


def test_a_correction_needs_the_permission(make_user, quality, partner):
    event = record(quality, partner=partner)
    with pytest.raises(Forbidden):
        cost_correct(user=make_user("finance"), event=event, amount="10", reason="No")
    supplier = make_user("partner", partner=partner)
    with pytest.raises(Forbidden):
        cost_correct(user=supplier, event=event, amount="10", reason="Too high")
    assert CostEvent.objects.count() == 1
