import pytest

from tests.factories import CertificationFactory, PartnerContactFactory, PartnerFactory

pytestmark = pytest.mark.django_db


def test_partner_pages_render_for_outsourcing(client, outsourcing_user):
    partner = PartnerFactory(code="CMO-1")
    PartnerContactFactory(partner=partner, name="Zhou Hui")
    CertificationFactory(partner=partner)
    client.force_login(outsourcing_user)
    assert client.get("/").status_code == 200
    response = client.get("/partners/")
    assert response.status_code == 200
    assert b"CMO-1" in response.content
    detail = client.get(f"/partners/{partner.pk}/")
    assert b"Zhou Hui" in detail.content
