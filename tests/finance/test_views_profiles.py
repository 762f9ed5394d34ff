"""Tolerance profiles (list, create, edit, delete) and item categories (list, create)."""

import pytest

from partnerdesk.finance.models import ItemCategory, ToleranceProfile
from tests.factories import PartnerFactory, ToleranceProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance(make_user):
    return make_user("finance")


def test_profile_list(client, finance):
    ToleranceProfileFactory(name="Alpha resin", partner=PartnerFactory(code="CMO-ALPHA"))
    client.force_login(finance)

    html = client.get("/finance/tolerance-profiles/").content.decode()

    assert "Alpha resin" in html and "CMO-ALPHA" in html and "2 %" in html
    assert "New profile" in html


def test_create_edit_and_delete_a_profile(client, finance):
    partner = PartnerFactory()
    client.force_login(finance)
    data = {"name": "Partner X", "partner": partner.pk, "price_percent": "3", "combine": "or"}

    assert client.post("/finance/tolerance-profiles/new/", data).status_code == 302
    profile = ToleranceProfile.objects.get(name="Partner X")
    assert profile.partner == partner and profile.price_percent == 3

    edit = f"/finance/tolerance-profiles/{profile.pk}/edit/"
    assert client.get(edit).status_code == 200
    client.post(edit, {**data, "price_percent": "", "price_absolute": "0.05"})
    profile.refresh_from_db()
    assert profile.price_percent is None and str(profile.price_absolute) == "0.0500"

    delete = f"/finance/tolerance-profiles/{profile.pk}/delete/"
    assert client.get(delete).status_code == 200
    assert client.post(delete).status_code == 302
    assert not ToleranceProfile.objects.filter(pk=profile.pk).exists()


def test_profile_errors_are_shown_at_their_fields(client, finance):
    partner = PartnerFactory()
    ToleranceProfileFactory(name="Taken", partner=partner)
    client.force_login(finance)

    negative = client.post(
        "/finance/tolerance-profiles/new/",
        {"name": "Bad", "price_percent": "-1", "combine": "or"},
    ).content.decode()
    assert "Must not be negative." in negative

    clash = client.post(
        "/finance/tolerance-profiles/new/",
        {"name": "Again", "partner": partner.pk, "combine": "or"},
    ).content.decode()
    assert "exists already: Taken" in clash


def test_the_default_profile_cannot_be_deleted(client, finance):
    default = ToleranceProfile.objects.get(partner=None, category=None)
    client.force_login(finance)

    html = client.post(f"/finance/tolerance-profiles/{default.pk}/delete/").content.decode()

    assert "cannot be deleted" in html
    assert ToleranceProfile.objects.filter(pk=default.pk).exists()


def test_categories(client, finance):
    client.force_login(finance)

    assert (
        client.post("/finance/item-categories/", {"code": "RES", "name": "Resin"}).status_code
        == 302
    )
    assert ItemCategory.objects.filter(code="RES").exists()
    again = client.post("/finance/item-categories/", {"code": "RES", "name": "Again"})
    assert again.status_code == 200 and "already exists" in again.content.decode()
    assert "Resin" in client.get("/finance/item-categories/").content.decode()


def test_readers_see_no_buttons(client, make_user):
    profile = ToleranceProfileFactory(name="Read only")
    client.force_login(make_user("manufacturing"))

    html = client.get("/finance/tolerance-profiles/").content.decode()
    assert "Read only" in html and "New profile" not in html and "Edit" not in html
    assert client.get(f"/finance/tolerance-profiles/{profile.pk}/edit/").status_code == 404
    assert "New category" not in client.get("/finance/item-categories/").content.decode()
    assert client.post("/finance/item-categories/", {"code": "X", "name": "X"}).status_code == 404
