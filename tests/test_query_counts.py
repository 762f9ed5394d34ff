"""Query counts of the list pages, the partner page and the API lists are pinned: the same exact
number with 3 rows as with 30, so an N+1 fails here.

Each case seeds N rows of what the page lists, warms the per-process caches with one request,
then counts the queries of a second one.
"""

import datetime

import pytest
from django.utils import timezone

from partnerdesk.audit.services import record_change
from tests.factories import (
    CapabilityFactory,
    CertificationFactory,
    DepartmentFactory,
    InternalOwnerFactory,
    NotificationFactory,
    PartnerCategoryFactory,
    PartnerContactFactory,
    PartnerDocumentFactory,
    PartnerFactory,
    PartnerStatusChangeFactory,
    PersonFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def seed_partners(n, user):
    categories = [PartnerCategoryFactory(name=f"Category {i}") for i in range(2)]
    capabilities = [CapabilityFactory(name=f"Capability {i}") for i in range(2)]
    for _ in range(n):
        partner = PartnerFactory()
        partner.categories.set(categories)
        partner.capabilities.set(capabilities)
    return "/partners/"


def seed_contacts(n, user):
    for _ in range(n):
        PartnerContactFactory()
    return "/partners/contacts/"


def seed_certifications(n, user):
    for _ in range(n):
        CertificationFactory()
    return "/partners/certifications/"


def seed_documents(n, user):
    for _ in range(n):
        PartnerDocumentFactory(uploaded_by=UserFactory())
    return "/partners/documents/"


def seed_people(n, user):
    department = DepartmentFactory(kind="quality", name="Quality")
    team = TeamFactory(department=department)
    for _ in range(n):
        PersonFactory(department=department, team=team, user=UserFactory())
    return "/organisation/"


def seed_departments(n, user):
    department = DepartmentFactory(kind="quality", name="Quality")
    for i in range(n):
        team = TeamFactory(department=department, name=f"Team {i}")
        team.lead = PersonFactory(department=department, team=team)
        team.save()
    return "/organisation/departments/"


def seed_audit_log(n, user):
    for _ in range(n):
        record_change(actor=user, instance=PartnerFactory(), action="create")
    return "/history/"


def seed_home(n, user):
    today = timezone.localdate()
    for i in range(n):
        CertificationFactory(expires_on=today + datetime.timedelta(days=i % 80))
        NotificationFactory(recipient=user)
    return "/"


def seed_partner_detail(n, user):
    """One partner with N of everything its page shows."""
    partner = PartnerFactory()
    partner.categories.set([PartnerCategoryFactory(name=f"Category {i}") for i in range(n)])
    partner.capabilities.set([CapabilityFactory(name=f"Capability {i}") for i in range(n)])
    for i in range(n):
        PartnerContactFactory(partner=partner)
        InternalOwnerFactory(partner=partner, person=PersonFactory(), role="relationship")
        CertificationFactory(partner=partner)
        PartnerDocumentFactory(partner=partner, uploaded_by=user)
        PartnerStatusChangeFactory(partner=partner, changed_by=user)
        partner.legal_name = f"Name {i}"
        record_change(actor=user, instance=partner, action="update", before={"legal_name": "x"})
    return f"/partners/{partner.pk}/"


# page, how to seed it, the pinned number of queries (the same for 3 and for 30 rows)
PAGES = [
    ("partner list", seed_partners, 9),
    ("contact list", seed_contacts, 7),
    ("certification list", seed_certifications, 7),
    ("document list", seed_documents, 7),
    ("people list", seed_people, 8),
    ("departments", seed_departments, 9),
    ("audit log", seed_audit_log, 7),
    ("home", seed_home, 8),
    ("partner detail", seed_partner_detail, 15),
]


@pytest.mark.parametrize("rows", [3, 30])
@pytest.mark.parametrize(("page", "seed", "queries"), PAGES, ids=[p[0] for p in PAGES])
def test_page_query_count_is_constant(
    client, outsourcing_user, django_assert_num_queries, page, seed, queries, rows
):
    url = seed(rows, outsourcing_user)
    client.force_login(outsourcing_user)
    client.get(url)

    with django_assert_num_queries(queries):
        response = client.get(url)

    assert response.status_code == 200


def seed_api_partners(n, user):
    seed_partners(n, user)
    return "/api/v1/partners"


def seed_api_contacts(n, user):
    seed_contacts(n, user)
    return "/api/v1/contacts"


def seed_api_certifications(n, user):
    seed_certifications(n, user)
    return "/api/v1/certifications"


def seed_api_documents(n, user):
    seed_documents(n, user)
    return "/api/v1/documents"


ENDPOINTS = [
    ("partners", seed_api_partners, 7),
    ("contacts", seed_api_contacts, 5),
    ("certifications", seed_api_certifications, 5),
    ("documents", seed_api_documents, 5),
]


@pytest.mark.parametrize("rows", [3, 30])
@pytest.mark.parametrize(("endpoint", "seed", "queries"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_api_list_query_count_is_constant(
    api_client, outsourcing_user, django_assert_num_queries, endpoint, seed, queries, rows
):
    url = seed(rows, outsourcing_user)
    client = api_client(outsourcing_user)
    client.get(url)

    with django_assert_num_queries(queries):
        response = client.get(url)

    assert response.status_code == 200
    assert response.json()["count"] == rows
    assert len(response.json()["items"]) == rows


# --- finance pages: a finance user (who sees every form), 1 row against 5 --------------------


def _proposal(partner, month, status="proposed"):
    """A service credit of its own closed month for the partner (one close per month)."""
    from decimal import Decimal

    from tests.factories import (
        ContractFactory,
        CreditProposalFactory,
        PeriodCloseFactory,
        ServiceLevelFactory,
        ServiceLevelResultFactory,
    )

    result = ServiceLevelResultFactory(
        period_close=PeriodCloseFactory(period=datetime.date(2025, month, 1)),
        service_level=ServiceLevelFactory(contract=ContractFactory(partner=partner)),
        credit=Decimal("100.00"),
    )
    return CreditProposalFactory(result=result, status=status, amount=Decimal("100.00"))


def seed_orders(n, user):
    from tests.factories import PurchaseOrderLineFactory

    for _ in range(n):
        line = PurchaseOrderLineFactory(order__partner=PartnerFactory())
        PurchaseOrderLineFactory(order=line.order)
    return "/finance/orders/"


def seed_receipts(n, user):
    from tests.factories import GoodsReceiptLineFactory

    for _ in range(n):
        GoodsReceiptLineFactory(on_hold=True, hold_reason="Sink marks")
    return "/finance/receipts/"


def seed_invoices(n, user):
    from tests.factories import MatchExceptionFactory

    for _ in range(n):
        MatchExceptionFactory(invoice__payment_status="blocked")
    return "/finance/invoices/"


def seed_exceptions(n, user):
    from tests.factories import MatchExceptionFactory, SupplierInvoiceLineFactory

    for i in range(n):
        line = SupplierInvoiceLineFactory()
        MatchExceptionFactory(
            invoice=line.invoice,
            invoice_line=line,
            owner=UserFactory(),
            type=["price_variance", "duplicate", "tax_mismatch"][i % 3],
            related_invoice=line.invoice,
        )
    return "/finance/exceptions/"


def seed_reconciliations(n, user):
    from tests.factories import WeeklyReconciliationFactory

    for _ in range(n):
        WeeklyReconciliationFactory(
            created_by=user, report={"invoices": 3, "matched_share": "90.0"}
        )
    return "/finance/reconciliations/"


def seed_invoice_detail(n, user):
    """One invoice with N of everything its page shows: lines each with an exception, review
    checks (one needing a second reviewer), applied deductions, open credit proposals, and
    history."""
    from partnerdesk.finance.models import InvoiceDeduction
    from tests.factories import (
        ChecklistItemFactory,
        DocumentReviewFactory,
        MatchExceptionFactory,
        ReviewCheckFactory,
        SupplierInvoiceFactory,
        SupplierInvoiceLineFactory,
    )

    invoice = SupplierInvoiceFactory(credits_invoice=None)
    review = DocumentReviewFactory(invoice=invoice)
    for i in range(n):
        line = SupplierInvoiceLineFactory(invoice=invoice)
        MatchExceptionFactory(invoice=invoice, invoice_line=line, owner=user)
        ReviewCheckFactory(
            review=review,
            item=ChecklistItemFactory(template=review.template),
            checked_by=user,
            needs_second=i == 0,
        )
        InvoiceDeduction.objects.create(
            invoice=invoice,
            proposal=_proposal(invoice.partner, i + 1, status="applied"),
            amount=100,
            currency="CNY",
            applied_by=user,
        )
        _proposal(invoice.partner, i + 6)
        invoice.number = f"INV-{i}"
        record_change(actor=user, instance=invoice, action="update", before={"number": "x"})
    return f"/finance/invoices/{invoice.pk}/"


# page, how to seed it, the pinned number of queries (the same for 1 and for 5 rows)
FINANCE_PAGES = [
    ("order list", seed_orders, 8),
    ("receipt list", seed_receipts, 8),
    ("invoice list", seed_invoices, 8),
    ("exception queue", seed_exceptions, 9),
    ("reconciliation list", seed_reconciliations, 7),
    ("invoice detail", seed_invoice_detail, 17),
]


@pytest.mark.parametrize("rows", [1, 5])
@pytest.mark.parametrize(
    ("page", "seed", "queries"), FINANCE_PAGES, ids=[p[0] for p in FINANCE_PAGES]
)
def test_finance_page_query_count_is_constant(
    client, make_user, django_assert_num_queries, page, seed, queries, rows
):
    user = make_user("finance", username="finance-test")
    url = seed(rows, user)
    client.force_login(user)
    client.get(url)

    with django_assert_num_queries(queries):
        response = client.get(url)

    assert response.status_code == 200
