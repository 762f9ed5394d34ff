"""Contract pages: every page renders, create → amend → version 2, status moves, the RACI and
dispute-ladder editors, deliverable actions, partner users' visibility, constant query counts."""

import datetime
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from partnerdesk.audit.services import record_change
from partnerdesk.contracts.models import (
    Contract,
    ContractAttachment,
    Deliverable,
    DisputeLevel,
    RaciActivity,
    RaciAssignment,
)
from partnerdesk.contracts.services.contracts import (
    contract_amend,
    contract_change_status,
    contract_create,
)
from partnerdesk.contracts.services.parts import (
    attachment_add,
    deliverable_create,
    dispute_ladder_save,
    raci_save,
)
from partnerdesk.performance.models import Metric
from partnerdesk.performance.services.service_levels import service_level_create
from tests.factories import (
    ContractFactory,
    DeliverableFactory,
    PartnerContactFactory,
    PartnerDocumentFactory,
    PartnerFactory,
    PersonFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db

TERMS = {
    "reference": "C-100",
    "title": "Housing moulding",
    "outsourced_scope": "Injection-moulded housings",
    "start_date": datetime.date(2026, 1, 1),
    "end_date": datetime.date(2027, 12, 31),
    "monthly_fee": Decimal("100000.00"),
    "at_risk_percent": Decimal("12.00"),
}


def form_data(partner=None, **overrides) -> dict:
    """What the contract form posts, all fields filled."""
    data = {
        "reference": "C-200",
        "title": "Cable assembly",
        "outsourced_scope": "Wire harnesses",
        "objectives": "Zero line stops",
        "scope_of_work": "Cut, crimp, test",
        "start_date": "2026-01-01",
        "end_date": "2027-12-31",
        "currency": "CNY",
        "value": "2400000.00",
        "monthly_fee": "100000.00",
        "at_risk_percent": "12",
        "payment_terms": "60 days end of month",
        "renewal_months": "12",
        "notice_days": "90",
        "review_every_months": "3",
        "next_review_date": "2026-04-01",
        "termination_triggers": "Three critical breaches in a quarter",
        "termination_notice_days": "90",
        "owner": "",
    }
    if partner is not None:
        data["partner"] = str(partner.pk)
    data.update(overrides)
    return data


@pytest.fixture
def world(outsourcing_user):
    """A contract with one of every part, written through the services."""
    user = outsourcing_user
    partner = PartnerFactory(code="CMO-MAIN", legal_name="Main Moulding Ltd.")
    contact = PartnerContactFactory(partner=partner, name="Li Na")
    team = TeamFactory(name="Supplier quality")
    person = PersonFactory(full_name="Zhang Wei")
    contract = contract_create(user=user, partner=partner, data=dict(TERMS))
    deliverable_create(
        user=user,
        contract=contract,
        data={"kind": "milestone", "name": "First article", "due_date": datetime.date(2026, 3, 1)},
    )
    raci_save(
        user=user,
        contract=contract,
        rows=[{"activity": "Design review", "assignments": [(team, "A"), (contact, "R")]}],
    )
    dispute_ladder_save(
        user=user,
        contract=contract,
        levels=[
            {
                "name": "Project managers",
                "response_hours": 24,
                "internal_people": [person],
                "partner_contacts": [contact],
            }
        ],
    )
    document = PartnerDocumentFactory(partner=partner, title="Signed contract")
    attachment_add(user=user, contract=contract, document=document)
    metric = Metric.objects.create(
        code="otd-test", name="On-time delivery", unit="%", direction="higher", aggregation="ratio"
    )
    service_level_create(
        user=user,
        contract=contract,
        metric=metric,
        name="OTD",
        terms={"target": Decimal("98.5"), "critical": False, "credit_model": "tiered"},
    )
    return SimpleNamespace(
        user=user,
        partner=partner,
        contact=contact,
        team=team,
        person=person,
        contract=contract,
        deliverable=contract.deliverables.get(),
        document=document,
    )


def page(client, url, user):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_every_contract_page_renders_for_an_outsourcing_user(client, world):
    c = world.contract
    urls = [
        "/contracts/",
        "/contracts/new/",
        f"/contracts/new/?partner={world.partner.pk}",
        f"/contracts/{c.pk}/",
        f"/contracts/{c.pk}/edit/",
        f"/contracts/{c.pk}/amend/",
        f"/contracts/{c.pk}/status/",
        f"/contracts/{c.pk}/raci/",
        f"/contracts/{c.pk}/disputes/",
        f"/contracts/{c.pk}/attachments/new/",
        f"/contracts/{c.pk}/deliverables/new/",
        f"/contracts/deliverables/{world.deliverable.pk}/edit/",
        f"/partners/{world.partner.pk}/",
    ]
    for url in urls:
        page(client, url, world.user)


def test_the_contract_page_shows_every_part(client, world):
    html = page(client, f"/contracts/{world.contract.pk}/", world.user)

    for text in (
        "Housing moulding",
        "Injection-moulded housings",
        "100,000.00 CNY",
        "12,000.00 CNY",  # at risk: 12 % of the monthly fee
        "v1",
        "Original terms",
        "First article",
        "Design review",
        "Supplier quality",
        "Li Na",
        "Project managers",
        "24 hours",
        "Zhang Wei",
        "Signed contract",
        f"/partners/documents/{world.document.pk}/download/",
        "OTD",
        "98.5 %",
        "Can move to: Active, Terminated",
        'id="history"',
    ):
        assert text in html, text
    # The RACI grid: the team is accountable, the contact responsible.
    assert re.search(r"<td>Design review</td><td[^>]*>A</td><td[^>]*>R</td>", html)


def test_the_partner_page_lists_its_contracts(client, world):
    html = page(client, f"/partners/{world.partner.pk}/", world.user)

    assert f'<a href="/contracts/{world.contract.pk}/">C-100</a>' in html
    assert f"/contracts/new/?partner={world.partner.pk}" in html


def test_the_list_filters_by_search_status_and_expiry(client, outsourcing_user):
    today = timezone.localdate()
    ContractFactory(reference="C-SOON", end_date=today + datetime.timedelta(days=20))
    ContractFactory(reference="C-LATER", end_date=today + datetime.timedelta(days=400))
    client.force_login(outsourcing_user)

    soon = client.get("/contracts/?expiring_within=30").content.decode()
    found = client.get("/contracts/?q=later").content.decode()
    active = client.get("/contracts/?status=active").content.decode()

    assert "C-SOON" in soon and "C-LATER" not in soon
    assert "C-LATER" in found and "C-SOON" not in found
    assert "No contract matches." in active


def test_the_list_answers_htmx_with_the_table_only(client, outsourcing_user):
    ContractFactory(reference="C-HX")
    client.force_login(outsourcing_user)

    response = client.get(
        "/contracts/?sort=-end", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="list-results"
    )

    html = response.content.decode()
    assert "C-HX" in html
    assert "<html" not in html


def test_create_then_amend_shows_version_2(client, outsourcing_user):
    partner = PartnerFactory(code="CMO-NEW")
    client.force_login(outsourcing_user)

    # Given a contract created through the form
    response = client.post(f"/contracts/new/?partner={partner.pk}", form_data(partner))
    contract = Contract.objects.get(reference="C-200")
    assert response.status_code == 302
    assert response["Location"] == f"/contracts/{contract.pk}/"
    assert contract.partner == partner
    assert contract.versions.count() == 1

    # When it is amended: a higher fee from July on
    response = client.post(
        f"/contracts/{contract.pk}/amend/",
        {
            "effective_from": "2026-07-01",
            "summary": "Second shift added",
            "monthly_fee": "110000.00",
            "at_risk_percent": "12",
            "end_date": "2027-12-31",
            "value": "2400000.00",
        },
    )

    # Then the contract page shows version 2 and what changed
    assert response.status_code == 302
    html = page(client, f"/contracts/{contract.pk}/", outsourcing_user)
    assert "v2" in html and "Second shift added" in html
    assert "2026-07-01" in html
    assert (
        'Monthly fee: <span class="before">100000.00</span> → <span class="after">110000.00</span>'
        in html
    )
    contract.refresh_from_db()
    assert (contract.version, contract.monthly_fee) == (2, Decimal("110000.00"))


def test_an_amendment_that_changes_nothing_says_so(client, world):
    c = world.contract
    client.force_login(world.user)

    response = client.post(
        f"/contracts/{c.pk}/amend/",
        {
            "effective_from": "2026-07-01",
            "summary": "Nothing really",
            "monthly_fee": "100000.00",
            "at_risk_percent": "12",
            "end_date": "2027-12-31",
            "value": "0",
        },
    )

    assert response.status_code == 200
    assert "The amendment changes nothing." in response.content.decode()
    assert c.versions.count() == 1


def test_an_end_before_the_start_is_shown_next_to_the_end(client, outsourcing_user):
    partner = PartnerFactory()
    client.force_login(outsourcing_user)

    response = client.post(
        "/contracts/new/", form_data(partner, start_date="2026-05-01", end_date="2026-04-30")
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert '<p class="error" id="id_end_date-error">The end is before the start.</p>' in html
    assert not Contract.objects.exists()


def test_a_blocked_partner_shows_the_conflict_next_to_the_partner(
    client, outsourcing_user, monkeypatch
):
    partner = PartnerFactory(code="CMO-LOW")
    standing = SimpleNamespace(action="block", standing="Blocked", overall=Decimal("31.50"))
    monkeypatch.setattr(
        "partnerdesk.performance.selectors.partner_standing", lambda partner_id: standing
    )
    client.force_login(outsourcing_user)

    response = client.post("/contracts/new/", form_data(partner))

    html = response.content.decode()
    assert response.status_code == 200
    assert (
        '<p class="error" id="id_partner-error">CMO-LOW stands at “Blocked” (score 31.50): '
        "new contracts are blocked.</p>"
    ) in html
    assert not Contract.objects.exists()


def test_editing_an_active_contract_keeps_its_commercial_terms(client, world):
    c = world.contract
    contract_change_status(user=world.user, contract=c, to_status="active", reason="Signed")
    client.force_login(world.user)

    html = page(client, f"/contracts/{c.pk}/edit/", world.user)
    assert "change only by an amendment" in html
    assert re.search(r'<input[^>]*name="monthly_fee"[^>]*disabled', html)

    # A posted fee is ignored (the field is read-only); the title changes.
    data = form_data(reference="C-100", title="Housing moulding II", monthly_fee="1.00")
    response = client.post(f"/contracts/{c.pk}/edit/", data)

    assert response.status_code == 302
    c.refresh_from_db()
    assert (c.title, c.monthly_fee, c.version) == ("Housing moulding II", Decimal("100000.00"), 1)


def test_a_disallowed_status_move_shows_the_allowed_ones(client, world):
    c = world.contract
    client.force_login(world.user)

    response = client.post(
        f"/contracts/{c.pk}/status/", {"to_status": "expired", "reason": "Testing"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "The contract is Draft and cannot become Expired. Allowed: Active, Terminated." in html
    c.refresh_from_db()
    assert c.status == "draft"


def test_an_allowed_status_move_is_recorded(client, world):
    c = world.contract
    client.force_login(world.user)

    response = client.post(
        f"/contracts/{c.pk}/status/", {"to_status": "active", "reason": "Signed"}
    )

    assert response.status_code == 302
    html = page(client, f"/contracts/{c.pk}/", world.user)
    assert "Draft → Active" in html and "Signed" in html


def raci_post(world, rows):
    """rows: [(activity, {party: letter})] → the editor's POST data."""
    data = {"rows": str(len(rows))}
    for i, (name, letters) in enumerate(rows):
        data[f"a{i}"] = name
        for party, letter in letters.items():
            key = f"t{party.pk}" if party is world.team else f"c{party.pk}"
            data[f"a{i}_{key}"] = letter
    return data


def test_a_raci_row_with_two_accountables_is_refused_by_name(client, world):
    c = world.contract
    before = list(RaciAssignment.objects.values_list("activity__name", "role"))
    client.force_login(world.user)

    response = client.post(
        f"/contracts/{c.pk}/raci/",
        raci_post(world, [("Tooling sign-off", {world.team: "A", world.contact: "A"})]),
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Tooling sign-off: needs exactly one Accountable (has 2)." in html
    assert "Tooling sign-off: needs at least one Responsible." in html
    # the user's input is kept
    assert 'value="Tooling sign-off"' in html
    assert re.search(
        rf'<select name="a0_t{world.team.pk}"[^>]*>(?:(?!</select>).)*'
        r'<option value="A" selected>',
        html,
        re.S,
    )
    assert list(RaciActivity.objects.values_list("name", flat=True)) == ["Design review"]
    assert list(RaciAssignment.objects.values_list("activity__name", "role")) == before


def test_the_raci_editor_saves_a_valid_matrix(client, world):
    c = world.contract
    client.force_login(world.user)

    response = client.post(
        f"/contracts/{c.pk}/raci/",
        raci_post(
            world,
            [
                ("Design review", {world.team: "A", world.contact: "R"}),
                ("", {}),  # a blank row is left out
                ("Tooling sign-off", {world.team: "R", world.contact: "A"}),
            ],
        ),
    )

    assert response.status_code == 302
    saved = {
        (a.activity.name, "team" if a.team_id else "contact", a.role)
        for a in RaciAssignment.objects.select_related("activity")
    }
    assert saved == {
        ("Design review", "team", "A"),
        ("Design review", "contact", "R"),
        ("Tooling sign-off", "team", "R"),
        ("Tooling sign-off", "contact", "A"),
    }


def test_the_dispute_ladder_editor_saves_levels_in_their_order(client, world):
    c = world.contract
    client.force_login(world.user)

    response = client.post(
        f"/contracts/{c.pk}/disputes/",
        {
            "rows": "3",
            "l0_level": "2",
            "l0_name": "Directors",
            "l0_hours": "72",
            "l0_people": [str(world.person.pk)],
            "l1_level": "1",
            "l1_name": "Project managers",
            "l1_hours": "24",
            "l1_contacts": [str(world.contact.pk)],
            "l2_level": "3",
        },
    )

    assert response.status_code == 302
    levels = [(d.level, d.name, d.response_hours) for d in DisputeLevel.objects.all()]
    assert levels == [(1, "Project managers", 24), (2, "Directors", 72)]


def test_the_dispute_ladder_editor_names_the_bad_row(client, world):
    c = world.contract
    client.force_login(world.user)

    response = client.post(
        f"/contracts/{c.pk}/disputes/",
        {"rows": "1", "l0_level": "1", "l0_name": "Directors", "l0_hours": ""},
    )

    assert response.status_code == 200
    assert (
        "Level 1: the response time is a whole number of hours above 0."
        in response.content.decode()
    )
    assert [d.name for d in DisputeLevel.objects.all()] == ["Project managers"]


def test_a_deliverable_is_delivered_then_accepted(client, world):
    d = world.deliverable
    client.force_login(world.user)

    client.post(
        f"/contracts/deliverables/{d.pk}/record/",
        {"action": "deliver", "delivered_on": "2026-03-03"},
    )
    client.post(f"/contracts/deliverables/{d.pk}/record/", {"action": "accept"})

    d.refresh_from_db()
    assert (d.status, d.delivered_on, d.accepted_by) == (
        "accepted",
        datetime.date(2026, 3, 3),
        world.user,
    )
    html = page(client, f"/contracts/{world.contract.pk}/", world.user)
    assert '<span class="badge badge-danger">late</span>' in html


def test_a_refused_deliverable_action_says_why(client, world):
    d = world.deliverable
    client.force_login(world.user)

    response = client.post(
        f"/contracts/deliverables/{d.pk}/record/", {"action": "accept"}, follow=True
    )

    assert "First article: Only a delivered deliverable can be accepted or rejected." in (
        response.content.decode()
    )
    d.refresh_from_db()
    assert d.status == "open"


def test_a_deliverable_is_added_from_the_contract_page(client, world):
    client.force_login(world.user)

    response = client.post(
        f"/contracts/{world.contract.pk}/deliverables/new/",
        {"kind": "deliverable", "name": "PPAP file", "due_date": "2026-05-01", "notes": ""},
    )

    assert response.status_code == 302
    assert Deliverable.objects.filter(name="PPAP file", contract=world.contract).exists()


def test_a_partner_document_is_attached(client, world):
    other = PartnerDocumentFactory(partner=world.partner, title="Quality annex")
    client.force_login(world.user)

    response = client.post(
        f"/contracts/{world.contract.pk}/attachments/new/", {"document": str(other.pk)}
    )

    assert response.status_code == 302
    assert set(ContractAttachment.objects.values_list("document__title", flat=True)) == {
        "Signed contract",
        "Quality annex",
    }


def test_a_partner_user_of_another_partner_sees_nothing_of_the_contract(client, make_user, world):
    own = PartnerFactory(code="CMO-OWN")
    ContractFactory(partner=own, reference="C-OWN")
    other_user = make_user("partner", partner=own)
    client.force_login(other_user)

    detail = client.get(f"/contracts/{world.contract.pk}/")
    html = client.get("/contracts/").content.decode()

    assert detail.status_code == 404
    assert "C-OWN" in html
    assert "C-100" not in html and "CMO-MAIN" not in html
    for url in ("edit", "amend", "status", "raci", "disputes"):
        assert client.get(f"/contracts/{world.contract.pk}/{url}/").status_code == 404


def test_a_partner_user_sees_their_own_contract_read_only(client, make_user, world):
    user = make_user("partner", partner=world.partner)

    html = page(client, f"/contracts/{world.contract.pk}/", user)

    assert "Housing moulding" in html
    assert f"/contracts/{world.contract.pk}/edit/" not in html
    assert client.get(f"/contracts/{world.contract.pk}/edit/").status_code == 404
    assert client.get("/contracts/new/").status_code == 404


# --- query counts ------------------------------------------------------------------------


def seed_list(n, user):
    for _ in range(n):
        ContractFactory()
    return "/contracts/"


def seed_detail(n, user):
    """One contract with N of everything its page shows."""
    contract = ContractFactory()
    partner = contract.partner
    metric = Metric.objects.create(
        code="m", name="Metric", unit="%", direction="higher", aggregation="mean"
    )
    teams = [TeamFactory() for _ in range(n)]
    contacts = [PartnerContactFactory(partner=partner) for _ in range(n)]
    people = [PersonFactory() for _ in range(n)]
    for i in range(n):
        DeliverableFactory(contract=contract, delivered_on=datetime.date(2026, 1, 1))
        attachment_add(
            user=user, contract=contract, document=PartnerDocumentFactory(partner=partner)
        )
        record_change(actor=user, instance=contract, action="update", before={"title": str(i)})
        metric = Metric.objects.create(
            code=f"m{i}", name=f"Metric {i}", unit="%", direction="higher", aggregation="mean"
        )
        service_level_create(
            user=user,
            contract=contract,
            metric=metric,
            name=f"SL {i}",
            terms={"target": Decimal("95"), "critical": False, "credit_model": "tiered"},
        )
    raci_save(
        user=user,
        contract=contract,
        rows=[
            {
                "activity": f"Activity {i}",
                "assignments": [(teams[i], "A"), (contacts[i], "R")],
            }
            for i in range(n)
        ],
    )
    dispute_ladder_save(
        user=user,
        contract=contract,
        levels=[
            {
                "name": f"Level {i}",
                "response_hours": 24,
                "internal_people": people,
                "partner_contacts": contacts,
            }
            for i in range(n)
        ],
    )
    contract_change_status(user=user, contract=contract, to_status="active", reason="Signed")
    for i in range(n):
        contract_amend(
            user=user,
            contract=contract,
            effective_from=datetime.date(2026, 2 + i, 1) if i < 11 else datetime.date(2027, 1, i),
            summary=f"Amendment {i}",
            changes={"monthly_fee": Decimal(100 + i)},
        )
    return f"/contracts/{contract.pk}/"


@pytest.mark.parametrize("rows", [2, 10])
@pytest.mark.parametrize(("seed", "queries"), [(seed_list, 8), (seed_detail, 18)])
def test_page_query_count_is_constant(
    client, outsourcing_user, django_assert_num_queries, seed, queries, rows
):
    url = seed(rows, outsourcing_user)
    client.force_login(outsourcing_user)
    client.get(url)

    with django_assert_num_queries(queries):
        response = client.get(url)

    assert response.status_code == 200
