"""The contact directory: partner contacts (one primary per partner) and internal owners."""

import pytest

from partnerdesk.core.errors import Forbidden, InvalidInput
from partnerdesk.partners import services
from partnerdesk.partners.models import InternalOwner, PartnerContact
from tests.factories import (
    InternalOwnerFactory,
    PartnerContactFactory,
    PartnerFactory,
    PersonFactory,
)
from tests.support import audit_rows

pytestmark = pytest.mark.django_db


def primaries(partner) -> list[str]:
    return list(
        PartnerContact.objects.filter(partner=partner, is_primary=True).values_list(
            "name", flat=True
        )
    )


def test_create_contact_audits_it(make_user):
    # Given a partner and a finance user (who may add contacts)
    partner = PartnerFactory()
    user = make_user("finance")

    # When a contact is added
    contact = services.contact_create(
        user=user,
        partner=partner,
        data={"name": "Zhou Hui", "role": "finance", "email": "zhou@example.com"},
    )

    # Then it is stored and audited with its values
    [entry] = audit_rows(contact)
    assert entry.action == "create"
    assert entry.object_repr == "Zhou Hui (Finance contact)"
    assert entry.changes == {
        "id": [None, contact.pk],
        "partner": [None, partner.pk],
        "name": [None, "Zhou Hui"],
        "role": [None, "finance"],
        "job_title": [None, ""],
        "email": [None, "zhou@example.com"],
        "phone": [None, ""],
        "is_primary": [None, False],
        "notes": [None, ""],
    }


def test_a_new_primary_contact_demotes_the_old_one(outsourcing_user):
    # Given a partner whose primary contact is Old, and another partner with its own primary
    partner = PartnerFactory()
    old = PartnerContactFactory(partner=partner, name="Old", is_primary=True)
    other_partner = PartnerFactory()
    PartnerContactFactory(partner=other_partner, name="Elsewhere", is_primary=True)

    # When New is added as primary
    services.contact_create(
        user=outsourcing_user,
        partner=partner,
        data={"name": "New", "role": "account_manager", "is_primary": True},
    )

    # Then New is the only primary of that partner; the other partner keeps its primary
    assert primaries(partner) == ["New"]
    assert primaries(other_partner) == ["Elsewhere"]
    # and the demotion of Old is in the audit trail
    [entry] = audit_rows(old)
    assert entry.action == "update"
    assert entry.actor == outsourcing_user
    assert entry.changes == {"is_primary": [True, False]}


def test_making_an_existing_contact_primary_demotes_the_old_one(outsourcing_user):
    # Given a primary contact A and a contact B of the same partner
    partner = PartnerFactory()
    PartnerContactFactory(partner=partner, name="A", is_primary=True)
    b = PartnerContactFactory(partner=partner, name="B", is_primary=False)

    # When B is made primary
    services.contact_update(user=outsourcing_user, contact=b, data={"is_primary": True})

    # Then B is the only primary, and B's change is audited
    assert primaries(partner) == ["B"]
    assert audit_rows(b)[-1].changes == {"is_primary": [False, True]}


def test_saving_the_primary_contact_again_keeps_it_primary(outsourcing_user):
    partner = PartnerFactory()
    a = PartnerContactFactory(partner=partner, name="A", is_primary=True)

    services.contact_update(
        user=outsourcing_user, contact=a, data={"is_primary": True, "phone": "+86 1"}
    )

    assert primaries(partner) == ["A"]
    assert audit_rows(a)[-1].changes == {"phone": ["", "+86 1"]}


def test_a_refused_primary_change_leaves_the_old_primary_in_place(outsourcing_user):
    # Given a primary contact A and a contact B
    partner = PartnerFactory()
    PartnerContactFactory(partner=partner, name="A", is_primary=True)
    b = PartnerContactFactory(partner=partner, name="B", email="b@example.com")

    # When B is made primary with an invalid e-mail
    with pytest.raises(InvalidInput) as exc:
        services.contact_update(
            user=outsourcing_user, contact=b, data={"is_primary": True, "email": "not-an-email"}
        )

    # Then the e-mail is refused and A is still the primary
    assert exc.value.fields == {"email": ["Enter a valid email address."]}
    assert primaries(partner) == ["A"]
    b.refresh_from_db()
    assert b.email == "b@example.com"
    assert audit_rows(b) == []


def test_a_user_without_the_permission_cannot_demote_the_primary(make_user):
    # Given a primary contact and a manufacturing user (view only)
    partner = PartnerFactory()
    PartnerContactFactory(partner=partner, name="A", is_primary=True)

    # When they add a new primary contact
    with pytest.raises(Forbidden):
        services.contact_create(
            user=make_user("manufacturing"),
            partner=partner,
            data={"name": "New", "role": "quality", "is_primary": True},
        )

    # Then nothing changed
    assert primaries(partner) == ["A"]
    assert PartnerContact.objects.count() == 1


def test_delete_contact_audits_it(outsourcing_user):
    contact = PartnerContactFactory(name="Gone", role="quality")
    pk = contact.pk

    services.contact_delete(user=outsourcing_user, contact=contact)

    assert not PartnerContact.objects.filter(pk=pk).exists()
    [entry] = audit_rows(contact, pk)
    assert entry.action == "delete"
    assert entry.changes["name"] == ["Gone", None]


def test_delete_contact_needs_the_permission(make_user):
    contact = PartnerContactFactory()

    with pytest.raises(Forbidden):
        services.contact_delete(user=make_user("finance"), contact=contact)

    assert PartnerContact.objects.filter(pk=contact.pk).exists()


def test_owner_add_and_remove_are_audited(outsourcing_user):
    # Given a partner and a person
    partner = PartnerFactory()
    person = PersonFactory(full_name="Wang Fang")

    # When the person is made relationship owner, then removed
    owner = services.owner_add(
        user=outsourcing_user, partner=partner, person=person, role="relationship"
    )
    pk = owner.pk
    services.owner_remove(user=outsourcing_user, owner=owner)

    # Then both steps are in the trail
    assert [e.action for e in audit_rows(owner, pk)] == ["create", "delete"]
    assert InternalOwner.objects.count() == 0


def test_the_same_owner_role_twice_is_refused(outsourcing_user):
    # Given a relationship owner
    owner = InternalOwnerFactory(role="relationship")

    # When the same person is added again in the same role
    with pytest.raises(InvalidInput) as exc:
        services.owner_add(
            user=outsourcing_user, partner=owner.partner, person=owner.person, role="relationship"
        )

    # Then it is refused and there is still one owner
    assert exc.value.fields == {
        "__all__": ["Internal owner with this Partner, Person and Role already exists."]
    }
    assert InternalOwner.objects.count() == 1
