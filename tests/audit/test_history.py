"""The audit trail as people read it: on the partner page, per record, and in the log."""

import pytest

from partnerdesk.audit.models import AuditEntry
from partnerdesk.audit.selectors import history_for
from partnerdesk.audit.services import record_change
from partnerdesk.partners import services
from tests.factories import PDF, PartnerContactFactory, PartnerFactory
from tests.support import audit_rows, upload

pytestmark = pytest.mark.django_db


def test_partner_page_shows_the_history_with_before_and_after(client, outsourcing_user):
    # Given a partner that was renamed and suspended
    partner = PartnerFactory(legal_name="Old Name Ltd.", status="active")
    services.partner_update(
        user=outsourcing_user, partner=partner, data={"legal_name": "New Name Ltd."}
    )
    services.partner_change_status(
        user=outsourcing_user, partner=partner, to_status="suspended", reason="Late deliveries."
    )

    # When the partner page is opened
    client.force_login(outsourcing_user)
    html = client.get(f"/partners/{partner.pk}/").content.decode()

    # Then both changes are listed with labels and readable before/after values
    assert (
        '<tr><td>Legal name</td><td class="before">Old Name Ltd.</td>'
        '<td class="after">New Name Ltd.</td></tr>'
    ) in html
    assert '<tr><td>Status</td><td class="before">Active</td><td class="after">Suspended</td>' in (
        html
    )
    assert '<td class="before">—</td><td class="after">Late deliveries.</td>' in html
    assert html.count(f"by {outsourcing_user}") == 2


def test_history_for_hides_confidential_entries_from_roles_without_the_permission(make_user):
    # Given a confidential document uploaded by compliance
    compliance = make_user("compliance")
    document = services.document_upload(
        user=compliance,
        partner=PartnerFactory(),
        uploaded_file=upload("bank.pdf", PDF),
        data={"document_type": "bank_details", "confidential": True},
    )
    [entry] = audit_rows(document)

    # Then its history is visible to the confidential roles only
    for role, visible in [
        ("compliance", [entry.pk]),
        ("management", [entry.pk]),
        ("administrator", [entry.pk]),
        ("outsourcing", []),
        ("quality", []),
        ("finance", []),
        ("manufacturing", []),
    ]:
        user = compliance if role == "compliance" else make_user(role)
        assert [e.pk for e in history_for(instance=document, user=user)] == visible, role


def test_history_for_is_empty_for_partner_users(make_user, outsourcing_user):
    partner = PartnerFactory(legal_name="Old Ltd.")
    services.partner_update(user=outsourcing_user, partner=partner, data={"legal_name": "New"})

    assert history_for(instance=partner, user=make_user("partner", partner=partner)) == []


def test_history_for_is_newest_first(outsourcing_user):
    partner = PartnerFactory(legal_name="One")
    for name in ["Two", "Three"]:
        services.partner_update(user=outsourcing_user, partner=partner, data={"legal_name": name})

    entries = history_for(instance=partner, user=outsourcing_user)

    assert [e.changes["legal_name"] for e in entries] == [["Two", "Three"], ["One", "Two"]]


def test_the_log_page_filters_by_model(client, outsourcing_user):
    # Given changes to a partner and to a contact
    partner = PartnerFactory(code="CMO-LOG", legal_name="Old")
    services.partner_update(user=outsourcing_user, partner=partner, data={"legal_name": "Logged"})
    contact = PartnerContactFactory(partner=partner, name="Zhou Hui")
    services.contact_update(user=outsourcing_user, contact=contact, data={"phone": "+86 1"})
    client.force_login(outsourcing_user)

    # When the log is filtered by model
    everything = client.get("/history/").content.decode()
    partners_only = client.get("/history/?model=partner").content.decode()
    contacts_only = client.get("/history/?model=partnercontact").content.decode()

    # Then each page shows only that model's entries
    assert "CMO-LOG · Logged" in everything and "Zhou Hui (Account manager)" in everything
    assert "CMO-LOG · Logged" in partners_only
    assert "Zhou Hui" not in partners_only
    assert "Zhou Hui (Account manager)" in contacts_only
    assert "CMO-LOG · Logged" not in contacts_only


def test_the_log_page_hides_confidential_entries(client, make_user):
    services.document_upload(
        user=make_user("compliance"),
        partner=PartnerFactory(),
        uploaded_file=upload("bank.pdf", PDF),
        data={"document_type": "bank_details", "title": "Bank letter", "confidential": True},
    )

    def log_for(role):
        client.force_login(make_user(role))
        return client.get("/history/?model=partnerdocument").content.decode()

    assert "Bank letter" in log_for("management")
    assert "Bank letter" not in log_for("quality")


def test_an_audited_change_keeps_the_request_id(client, outsourcing_user):
    # Given a partner edited through the page with a request id
    partner = PartnerFactory(code="CMO-1", legal_name="Old", country="CN", currency="CNY")
    client.force_login(outsourcing_user)

    response = client.post(
        f"/partners/{partner.pk}/edit/",
        {
            "code": "CMO-1",
            "legal_name": "Renamed",
            "kind": "contract_manufacturer",
            "country": "CN",
            "currency": "CNY",
        },
        HTTP_X_REQUEST_ID="req42abc",
    )

    # Then the audit row carries it
    assert response.status_code == 302
    assert response["X-Request-ID"] == "req42abc"
    [entry] = audit_rows(partner)
    assert entry.request_id == "req42abc"
    assert entry.changes == {"legal_name": ["Old", "Renamed"]}


def test_a_change_without_an_actor_is_recorded_as_system():
    partner = PartnerFactory()

    entry = record_change(actor=None, instance=partner, action="create")

    assert (entry.actor, entry.actor_repr, entry.request_id) == (None, "system", "")
    assert AuditEntry.objects.count() == 1
