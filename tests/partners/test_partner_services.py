"""Partner services: create, update, delete and the status lifecycle, each with its audit row."""

import pytest

from partnerdesk.audit.models import AuditEntry
from partnerdesk.core.errors import ApplicationError, Conflict, Forbidden, InvalidInput
from partnerdesk.partners import services
from partnerdesk.partners.choices import STATUS_TRANSITIONS, PartnerStatus
from partnerdesk.partners.models import Partner, PartnerCategory, PartnerStatusChange
from tests.factories import (
    CapabilityFactory,
    PartnerCategoryFactory,
    PartnerContactFactory,
    PartnerFactory,
)
from tests.support import audit_rows

pytestmark = pytest.mark.django_db

NEW_PARTNER = {
    "code": " cmo-new ",
    "legal_name": "Foshan Newmould Co., Ltd.",
    "kind": "contract_manufacturer",
    "country": "CN",
    "currency": "CNY",
    "tax_id": "91440600MA4UABCD12",
    "website": "https://newmould.example.com",
    "categories": ["Injection moulding", "Assembly"],
    "capabilities": ["Two-shot moulding"],
    "notes": "Met at Chinaplas.",
}

ALLOWED_PAIRS = [(src, dst) for src, targets in STATUS_TRANSITIONS.items() for dst in targets]
DISALLOWED_PAIRS = [
    (src, dst)
    for src in PartnerStatus.values
    for dst in PartnerStatus.values
    if dst not in STATUS_TRANSITIONS[src]
]


# --- create ----------------------------------------------------------------------------------


def test_create_stores_a_prospect_with_normalised_code_and_audits_every_field(admin_user):
    # Given an administrator and the data of a new partner

    # When the partner is created
    partner = services.partner_create(user=admin_user, data=NEW_PARTNER)

    # Then it is stored as a prospect with the code upper-cased and stripped
    partner = Partner.objects.get(pk=partner.pk)
    assert partner.code == "CMO-NEW"
    assert partner.status == "prospect"
    assert sorted(c.name for c in partner.categories.all()) == ["Assembly", "Injection moulding"]
    assert [c.name for c in partner.capabilities.all()] == ["Two-shot moulding"]
    # and one audit row records every field as [before, after]
    [entry] = audit_rows(partner)
    assert entry.action == "create"
    assert entry.actor == admin_user
    assert entry.actor_repr == str(admin_user)
    assert entry.object_repr == "CMO-NEW · Foshan Newmould Co., Ltd."
    assert entry.confidential is False
    assert entry.changes == {
        "id": [None, partner.pk],
        "code": [None, "CMO-NEW"],
        "legal_name": [None, "Foshan Newmould Co., Ltd."],
        "kind": [None, "contract_manufacturer"],
        "status": [None, "prospect"],
        "country": [None, "CN"],
        "currency": [None, "CNY"],
        "tax_id": [None, "91440600MA4UABCD12"],
        "website": [None, "https://newmould.example.com"],
        "notes": [None, "Met at Chinaplas."],
        "categories": [None, ["Assembly", "Injection moulding"]],
        "capabilities": [None, ["Two-shot moulding"]],
    }


def test_create_reuses_existing_category_names(admin_user):
    # Given a category that exists already
    existing = PartnerCategoryFactory(name="Assembly")

    # When a partner names it (and a new one, and a blank one)
    partner = services.partner_create(
        user=admin_user,
        data={**NEW_PARTNER, "categories": ["Assembly", " Packaging ", "  "], "capabilities": []},
    )

    # Then the existing row is reused and only the new name is added
    assert sorted(PartnerCategory.objects.values_list("name", flat=True)) == [
        "Assembly",
        "Packaging",
    ]
    assert existing in partner.categories.all()
    assert partner.categories.count() == 2


def test_create_with_a_duplicate_code_is_a_conflict_and_stores_nothing(admin_user):
    # Given a partner with the code CMO-1
    PartnerFactory(code="CMO-1")

    # When another partner is created with the same code in lower case
    with pytest.raises(Conflict) as exc:
        services.partner_create(user=admin_user, data={**NEW_PARTNER, "code": "cmo-1"})

    # Then the refusal names the field, and nothing was stored or audited
    assert exc.value.status == 409
    assert exc.value.fields == {"code": ["Partner with this Code already exists."]}
    assert Partner.objects.count() == 1
    assert AuditEntry.objects.count() == 0


def test_create_with_invalid_fields_reports_each_field_and_stores_nothing(admin_user):
    # Given data with a malformed code, an unknown kind and an unknown country
    data = {**NEW_PARTNER, "code": "x", "kind": "pirate", "country": "XX"}

    # When the partner is created
    with pytest.raises(InvalidInput) as exc:
        services.partner_create(user=admin_user, data=data)

    # Then every bad field is named and nothing was stored
    assert exc.value.fields == {
        "code": ["Use 2 to 20 capital letters, digits or dashes, starting with a letter or digit."],
        "kind": ["Value 'pirate' is not a valid choice."],
        "country": ["Value 'XX' is not a valid choice."],
    }
    assert Partner.objects.count() == 0
    assert PartnerCategory.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_create_refuses_fields_that_cannot_be_set(admin_user):
    # Given data that tries to set the status directly
    data = {**NEW_PARTNER, "status": "active"}

    # When the partner is created
    with pytest.raises(ApplicationError) as exc:
        services.partner_create(user=admin_user, data=data)

    # Then the status field is refused and nothing was stored
    assert exc.value.fields == {"status": ["This field cannot be set here."]}
    assert Partner.objects.count() == 0


@pytest.mark.parametrize("role", ["finance", "quality", "manufacturing", "management"])
def test_create_needs_the_add_permission(make_user, role):
    # Given a user whose role may not add partners
    user = make_user(role)

    # When they create a partner
    with pytest.raises(Forbidden) as exc:
        services.partner_create(user=user, data=NEW_PARTNER)

    # Then they are refused and nothing was stored
    assert exc.value.message == "You are not allowed to do this (needs partners.add_partner)."
    assert Partner.objects.count() == 0


# --- update ----------------------------------------------------------------------------------


def test_update_audits_exactly_the_changed_fields(outsourcing_user):
    # Given a partner with one category
    partner = PartnerFactory(code="CMO-1", legal_name="Old Name Ltd.", tax_id="")
    partner.categories.add(PartnerCategoryFactory(name="Assembly"))
    partner.capabilities.add(CapabilityFactory(name="Pad printing"))

    # When its name, tax id and categories change (capabilities stay)
    services.partner_update(
        user=outsourcing_user,
        partner=partner,
        data={
            "legal_name": "New Name Ltd.",
            "tax_id": "TAX-1",
            "categories": ["Assembly", "Packaging"],
            "capabilities": ["Pad printing"],
        },
    )

    # Then the stored partner has the new values
    partner.refresh_from_db()
    assert partner.legal_name == "New Name Ltd."
    assert partner.tax_id == "TAX-1"
    # and one update row holds before and after of the changed fields only
    [entry] = audit_rows(partner)
    assert entry.action == "update"
    assert entry.changes == {
        "legal_name": ["Old Name Ltd.", "New Name Ltd."],
        "tax_id": ["", "TAX-1"],
        "categories": [["Assembly"], ["Assembly", "Packaging"]],
    }


def test_update_with_nothing_changed_writes_no_audit_row(outsourcing_user):
    # Given a partner
    partner = PartnerFactory(legal_name="Same Ltd.")

    # When it is saved with the values it has
    services.partner_update(
        user=outsourcing_user, partner=partner, data={"legal_name": "Same Ltd."}
    )

    # Then no audit row is written
    assert audit_rows(partner) == []


def test_update_to_a_taken_code_is_a_conflict_and_changes_nothing(outsourcing_user):
    # Given two partners
    PartnerFactory(code="CMO-1")
    partner = PartnerFactory(code="CMO-2", legal_name="Second Ltd.")

    # When the second takes the first one's code (and a new name in the same request)
    with pytest.raises(Conflict) as exc:
        services.partner_update(
            user=outsourcing_user,
            partner=partner,
            data={"code": "cmo-1", "legal_name": "Renamed Ltd."},
        )

    # Then the clash is named and the partner is unchanged
    assert exc.value.fields == {"code": ["Partner with this Code already exists."]}
    partner.refresh_from_db()
    assert (partner.code, partner.legal_name) == ("CMO-2", "Second Ltd.")
    assert audit_rows(partner) == []


def test_update_needs_the_change_permission(make_user):
    # Given a partner and a finance user
    partner = PartnerFactory(legal_name="Kept Ltd.")

    # When finance renames it
    with pytest.raises(Forbidden):
        services.partner_update(
            user=make_user("finance"), partner=partner, data={"legal_name": "Other Ltd."}
        )

    # Then nothing changed
    partner.refresh_from_db()
    assert partner.legal_name == "Kept Ltd."
    assert audit_rows(partner) == []


# --- delete ----------------------------------------------------------------------------------


def test_delete_removes_the_partner_and_audits_its_last_values(admin_user):
    # Given a partner
    partner = PartnerFactory(
        code="CMO-9", legal_name="Gone Ltd.", status="prospect", country="VN", currency="USD"
    )
    pk = partner.pk

    # When the administrator deletes it
    services.partner_delete(user=admin_user, partner=partner)

    # Then it is gone and the delete row keeps every value as [before, None]
    assert not Partner.objects.filter(pk=pk).exists()
    [entry] = AuditEntry.objects.filter(object_id=str(pk))
    assert entry.action == "delete"
    assert entry.object_repr == "CMO-9 · Gone Ltd."
    assert entry.changes == {
        "id": [pk, None],
        "code": ["CMO-9", None],
        "legal_name": ["Gone Ltd.", None],
        "kind": ["contract_manufacturer", None],
        "status": ["prospect", None],
        "country": ["VN", None],
        "currency": ["USD", None],
        "tax_id": ["", None],
        "website": ["", None],
        "notes": ["", None],
        "categories": [[], None],
        "capabilities": [[], None],
    }


def test_delete_of_a_partner_with_users_is_refused_and_changes_nothing(admin_user, make_user):
    # Given a partner that has a partner user
    partner = PartnerFactory()
    make_user("partner", partner=partner)
    PartnerContactFactory(partner=partner)

    # When the administrator deletes it
    with pytest.raises(Conflict) as exc:
        services.partner_delete(user=admin_user, partner=partner)

    # Then they are told to terminate it instead; the partner and its contact remain
    assert exc.value.message == (
        "This partner has records that depend on it; terminate it instead of deleting it."
    )
    assert Partner.objects.filter(pk=partner.pk).exists()
    assert partner.contacts.count() == 1
    assert audit_rows(partner) == []


def test_delete_needs_the_delete_permission(outsourcing_user):
    partner = PartnerFactory()

    with pytest.raises(Forbidden):
        services.partner_delete(user=outsourcing_user, partner=partner)

    assert Partner.objects.filter(pk=partner.pk).exists()


# --- status lifecycle ------------------------------------------------------------------------


@pytest.mark.parametrize(("from_status", "to_status"), ALLOWED_PAIRS)
def test_every_allowed_transition_moves_the_partner_and_keeps_the_reason(
    outsourcing_user, from_status, to_status
):
    # Given a partner in the from-status
    partner = PartnerFactory(status=from_status)

    # When it moves to an allowed status with a reason
    result = services.partner_change_status(
        user=outsourcing_user, partner=partner, to_status=to_status, reason="  Audit passed.  "
    )

    # Then the status is stored, the move is kept with its (trimmed) reason
    assert result.status == to_status
    partner.refresh_from_db()
    assert partner.status == to_status
    [change] = PartnerStatusChange.objects.filter(partner=partner)
    assert (change.from_status, change.to_status, change.reason, change.changed_by) == (
        from_status,
        to_status,
        "Audit passed.",
        outsourcing_user,
    )
    # and audited with before and after
    [entry] = audit_rows(partner)
    assert entry.action == "update"
    assert entry.changes == {
        "status": [from_status, to_status],
        "status_reason": [None, "Audit passed."],
    }


@pytest.mark.parametrize(("from_status", "to_status"), DISALLOWED_PAIRS)
def test_every_disallowed_transition_is_a_conflict_naming_the_allowed_ones(
    outsourcing_user, from_status, to_status
):
    # Given a partner in the from-status
    partner = PartnerFactory(status=from_status)

    # When it is moved to a status that is not allowed from there
    with pytest.raises(Conflict) as exc:
        services.partner_change_status(
            user=outsourcing_user, partner=partner, to_status=to_status, reason="Because."
        )

    # Then the message names the statuses that are allowed
    allowed = ", ".join(str(PartnerStatus(s).label) for s in STATUS_TRANSITIONS[from_status])
    expected = (
        f"The partner is {PartnerStatus(from_status).label} and cannot become "
        f"{PartnerStatus(to_status).label}. Allowed: {allowed}."
    )
    assert exc.value.message == expected
    assert exc.value.fields == {"to_status": [expected]}
    # and nothing changed
    partner.refresh_from_db()
    assert partner.status == from_status
    assert PartnerStatusChange.objects.count() == 0
    assert audit_rows(partner) == []


def test_a_terminated_partner_can_only_start_again_as_a_prospect(outsourcing_user):
    partner = PartnerFactory(status="terminated")

    with pytest.raises(Conflict) as exc:
        services.partner_change_status(
            user=outsourcing_user, partner=partner, to_status="active", reason="Back."
        )

    assert (
        exc.value.message
        == "The partner is Terminated and cannot become Active. Allowed: Prospect."
    )


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_status_change_needs_a_reason(outsourcing_user, reason):
    # Given an active partner
    partner = PartnerFactory(status="active")

    # When it is suspended without a reason
    with pytest.raises(InvalidInput) as exc:
        services.partner_change_status(
            user=outsourcing_user, partner=partner, to_status="suspended", reason=reason
        )

    # Then the reason is asked for and nothing changed
    assert exc.value.message == "Give a reason for the status change."
    assert exc.value.fields == {"reason": ["This field is required."]}
    partner.refresh_from_db()
    assert partner.status == "active"
    assert PartnerStatusChange.objects.count() == 0
    assert audit_rows(partner) == []


def test_an_unknown_status_is_invalid_input(outsourcing_user):
    partner = PartnerFactory(status="active")

    with pytest.raises(InvalidInput) as exc:
        services.partner_change_status(
            user=outsourcing_user, partner=partner, to_status="retired", reason="x"
        )

    assert exc.value.fields == {"to_status": ["Unknown status."]}
    partner.refresh_from_db()
    assert partner.status == "active"


@pytest.mark.parametrize("role", ["finance", "quality", "manufacturing", "compliance"])
def test_a_status_change_needs_the_status_permission(make_user, role):
    partner = PartnerFactory(status="active")

    with pytest.raises(Forbidden):
        services.partner_change_status(
            user=make_user(role), partner=partner, to_status="suspended", reason="x"
        )

    partner.refresh_from_db()
    assert partner.status == "active"
    assert PartnerStatusChange.objects.count() == 0
