"""Tolerance profiles and item categories: one profile per scope, the default stays, limits."""

from decimal import Decimal as D

import pytest

from partnerdesk.audit.models import AuditAction
from partnerdesk.core.errors import ApplicationError, Conflict, Forbidden, InvalidInput
from partnerdesk.finance.models import ItemCategory, ToleranceProfile
from partnerdesk.finance.services import profiles
from tests.factories import ItemCategoryFactory, PartnerFactory
from tests.support import audit_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance(make_user):
    return make_user("finance")


@pytest.fixture
def default():
    return ToleranceProfile.objects.get(partner=None, category=None)


def test_the_company_default_is_shipped(default):
    assert (default.name, default.price_percent, default.price_absolute, default.combine) == (
        "Company default",
        D("2.00"),
        D("0.0500"),
        "or",
    )
    assert (default.quantity_percent, default.amount_percent, default.amount_absolute) == (
        D("0.00"),
        D("1.00"),
        D("50.0000"),
    )


def test_one_profile_per_partner_and_category(finance):
    partner, category = PartnerFactory(), ItemCategoryFactory(code="RESIN")
    profile = profiles.profile_create(
        user=finance,
        data={"name": "Resin at P", "partner": partner, "category": category,
              "price_percent": D("5"), "combine": "and"},
    )  # fmt: skip
    assert (profile.partner, profile.category, profile.price_percent, profile.combine) == (
        partner,
        category,
        D("5"),
        "and",
    )
    assert [e.action for e in audit_rows(profile)] == [AuditAction.CREATE]
    with pytest.raises(Conflict) as error:
        profiles.profile_create(
            user=finance, data={"name": "Again", "partner": partner, "category": category}
        )
    assert error.value.status == 409
    assert error.value.fields == {
        "category": ["A profile for this partner and category exists already: Resin at P."]
    }
    # Other scopes of the same partner or category are fine.
    profiles.profile_create(user=finance, data={"name": "P", "partner": partner})
    profiles.profile_create(user=finance, data={"name": "Resin", "category": category})
    with pytest.raises(Conflict):
        profiles.profile_create(user=finance, data={"name": "Second default"})
    with pytest.raises(Conflict):
        profiles.profile_create(user=finance, data={"name": "P2", "partner": partner})
    assert ToleranceProfile.objects.count() == 4


def test_an_update_may_not_take_another_profiles_scope(finance):
    partner = PartnerFactory()
    a = profiles.profile_create(user=finance, data={"name": "A", "partner": partner})
    b = profiles.profile_create(user=finance, data={"name": "B", "partner": PartnerFactory()})
    # Its own scope does not clash with itself.
    profiles.profile_update(user=finance, profile=a, data={"price_percent": D("3")})
    with pytest.raises(Conflict):
        profiles.profile_update(user=finance, profile=b, data={"partner": partner})
    b.refresh_from_db()
    assert b.partner != partner


def test_the_default_profile_cannot_be_deleted_or_narrowed(finance, default):
    with pytest.raises(Conflict) as error:
        profiles.profile_delete(user=finance, profile=default)
    assert error.value.message == (
        "The default profile cannot be deleted; change its limits instead."
    )
    with pytest.raises(Conflict) as error:
        profiles.profile_update(user=finance, profile=default, data={"partner": PartnerFactory()})
    assert list(error.value.fields) == ["partner"]
    assert ToleranceProfile.objects.filter(partner=None, category=None).count() == 1
    # Its limits can change.
    profiles.profile_update(user=finance, profile=default, data={"price_percent": D("1.5")})
    default.refresh_from_db()
    assert default.price_percent == D("1.50")
    [entry] = audit_rows(default)
    assert (entry.action, entry.changes) == (AuditAction.UPDATE, {"price_percent": ["2.00", "1.5"]})


def test_a_partner_profile_is_deleted_with_an_audit_row(finance):
    profile = profiles.profile_create(user=finance, data={"name": "P", "partner": PartnerFactory()})
    pk = profile.pk
    profiles.profile_delete(user=finance, profile=profile)
    assert not ToleranceProfile.objects.filter(pk=pk).exists()
    assert [e.action for e in audit_rows(profile, pk=pk)] == [
        AuditAction.CREATE,
        AuditAction.DELETE,
    ]


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"price_percent": D("-0.01")}, {"price_percent": ["Must not be negative."]}),
        ({"amount_absolute": D("-1")}, {"amount_absolute": ["Must not be negative."]}),
        ({"quantity_percent": D("100.01")}, {"quantity_percent": ["At most 100 %."]}),
        ({"amount_percent": "abc"}, {"amount_percent": ["Enter a number."]}),
        ({"combine": "xor"}, {"combine": ["Choose and or or."]}),
    ],
)
def test_limits_are_checked(finance, data, fields):
    count = ToleranceProfile.objects.count()
    with pytest.raises(InvalidInput) as error:
        profiles.profile_create(
            user=finance, data={"name": "P", "partner": PartnerFactory(), **data}
        )
    assert error.value.fields == fields
    assert ToleranceProfile.objects.count() == count


def test_limits_at_the_edges_are_fine(finance):
    profile = profiles.profile_create(
        user=finance,
        data={"name": "P", "partner": PartnerFactory(), "price_percent": D("100"),
              "quantity_percent": D("0"), "amount_absolute": D("250000")},
    )  # fmt: skip
    assert (profile.price_percent, profile.amount_absolute) == (D("100"), D("250000"))


def test_an_update_checks_the_limits_too(finance, default):
    with pytest.raises(InvalidInput) as error:
        profiles.profile_update(user=finance, profile=default, data={"price_percent": D("101")})
    assert error.value.fields == {"price_percent": ["At most 100 %."]}


def test_only_finance_changes_profiles(make_user, default):
    buyer = make_user("outsourcing")
    with pytest.raises(Forbidden):
        profiles.profile_create(user=buyer, data={"name": "P", "partner": PartnerFactory()})
    with pytest.raises(Forbidden):
        profiles.profile_update(user=buyer, profile=default, data={"price_percent": D("1")})
    with pytest.raises(Forbidden):
        profiles.profile_delete(user=buyer, profile=default)


def test_categories(finance):
    category = profiles.category_create(user=finance, data={"code": "PKG", "name": "Packaging"})
    assert ItemCategory.objects.get(code="PKG").name == "Packaging"
    profiles.category_update(user=finance, category=category, data={"name": "Packaging, boxes"})
    category.refresh_from_db()
    assert category.name == "Packaging, boxes"
    with pytest.raises(Conflict):
        profiles.category_create(user=finance, data={"code": "PKG", "name": "Again"})
    with pytest.raises(ApplicationError) as error:  # the code cannot be changed
        profiles.category_update(user=finance, category=category, data={"code": "BOX"})
    assert error.value.fields == {"code": ["This field cannot be set here."]}
