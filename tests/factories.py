"""factory-boy factories for every model."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.utils import timezone
from factory.django import DjangoModelFactory

from partnerdesk.accounts.models import ApiToken, User
from partnerdesk.audit.models import AuditEntry
from partnerdesk.contracts.models import Contract, ContractVersion, Deliverable
from partnerdesk.finance.services.documents import number_key
from partnerdesk.notifications.models import Notification
from partnerdesk.organisation.models import Department, Person, Team
from partnerdesk.partners.models import (
    Capability,
    Certification,
    InternalOwner,
    Partner,
    PartnerCategory,
    PartnerContact,
    PartnerDocument,
    PartnerStatusChange,
)
from tests import conftest

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.LazyFunction(lambda: conftest.password_hash())

    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        """``UserFactory(role="finance")`` puts the user in that role's group."""
        if create and extracted:
            obj.groups.add(Group.objects.get(name=extracted))


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("kind",)

    kind = "outsourcing"
    name = factory.LazyAttribute(lambda d: d.kind.capitalize())


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team

    department = factory.SubFactory(DepartmentFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    full_name = factory.Faker("name")
    email = factory.Faker("email")
    department = factory.SubFactory(DepartmentFactory)


class PartnerCategoryFactory(DjangoModelFactory):
    class Meta:
        model = PartnerCategory
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Category {n}")


class CapabilityFactory(DjangoModelFactory):
    class Meta:
        model = Capability
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Capability {n}")


class PartnerFactory(DjangoModelFactory):
    class Meta:
        model = Partner

    code = factory.Sequence(lambda n: f"P{n:04d}")
    legal_name = factory.Faker("company")
    kind = "contract_manufacturer"
    status = "active"
    country = "CN"
    currency = "CNY"


class PartnerStatusChangeFactory(DjangoModelFactory):
    class Meta:
        model = PartnerStatusChange

    partner = factory.SubFactory(PartnerFactory)
    from_status = "prospect"
    to_status = "qualified"
    reason = "Qualified after audit"


class PartnerContactFactory(DjangoModelFactory):
    class Meta:
        model = PartnerContact

    partner = factory.SubFactory(PartnerFactory)
    name = factory.Faker("name")
    role = "account_manager"
    email = factory.Faker("email")


class InternalOwnerFactory(DjangoModelFactory):
    class Meta:
        model = InternalOwner

    partner = factory.SubFactory(PartnerFactory)
    person = factory.SubFactory(PersonFactory)
    role = "relationship"


class CertificationFactory(DjangoModelFactory):
    class Meta:
        model = Certification

    partner = factory.SubFactory(PartnerFactory)
    standard = "iso_9001"
    certificate_number = factory.Sequence(lambda n: f"CERT-{n:05d}")
    issuer = "TÜV SÜD"
    expires_on = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=400))


class PartnerDocumentFactory(DjangoModelFactory):
    class Meta:
        model = PartnerDocument

    partner = factory.SubFactory(PartnerFactory)
    document_type = "contract"
    title = factory.Sequence(lambda n: f"Document {n}")
    original_name = "contract.pdf"
    content_type = "application/pdf"
    size = len(PDF)
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
    file = factory.LazyFunction(lambda: ContentFile(PDF, name="contract.pdf"))
    confidential = False


class ContractFactory(DjangoModelFactory):
    """A draft contract with its first version (as ``contract_create`` makes it)."""

    class Meta:
        model = Contract
        skip_postgeneration_save = True

    partner = factory.SubFactory(PartnerFactory)
    reference = factory.Sequence(lambda n: f"C-{n:05d}")
    title = factory.Sequence(lambda n: f"Contract {n}")
    outsourced_scope = "Injection-moulded housings"
    start_date = datetime.date(2026, 1, 1)
    end_date = datetime.date(2027, 12, 31)
    currency = "CNY"
    monthly_fee = factory.LazyFunction(lambda: Decimal("100000.00"))
    at_risk_percent = factory.LazyFunction(lambda: Decimal("12.00"))

    @factory.post_generation
    def first_version(obj, create, extracted, **kwargs):
        if not create:
            return
        from partnerdesk.audit.services import snapshot

        ContractVersion.objects.create(
            contract=obj,
            version=1,
            effective_from=obj.start_date,
            summary="Original terms",
            monthly_fee=obj.monthly_fee,
            at_risk_percent=obj.at_risk_percent,
            end_date=obj.end_date,
            snapshot=snapshot(obj, m2m=False),
        )


class DeliverableFactory(DjangoModelFactory):
    class Meta:
        model = Deliverable

    contract = factory.SubFactory(ContractFactory)
    kind = "milestone"
    name = factory.Sequence(lambda n: f"Milestone {n}")
    due_date = datetime.date(2026, 6, 30)


class ApiTokenFactory(DjangoModelFactory):
    class Meta:
        model = ApiToken

    user = factory.SubFactory(UserFactory)
    name = "factory token"
    prefix = "pd_factory"
    token_hash = factory.Sequence(lambda n: f"{n:064x}")


class NotificationFactory(DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    kind = "test"
    title = factory.Sequence(lambda n: f"Notification {n}")


class AuditEntryFactory(DjangoModelFactory):
    class Meta:
        model = AuditEntry

    content_type = factory.LazyFunction(lambda: ContentType.objects.get_for_model(Partner))
    object_id = "1"
    object_repr = "P0001"
    action = "create"
    changes = factory.LazyFunction(dict)


# --- contracts and performance ----------------------------------------------------------------


class ContractStatusChangeFactory(DjangoModelFactory):
    class Meta:
        model = "contracts.ContractStatusChange"

    contract = factory.SubFactory(ContractFactory)
    from_status = "draft"
    to_status = "active"
    reason = "Signed"


class ContractVersionFactory(DjangoModelFactory):
    class Meta:
        model = "contracts.ContractVersion"

    contract = factory.SubFactory(ContractFactory)
    version = factory.Sequence(lambda n: n + 2)
    effective_from = datetime.date(2026, 7, 1)
    summary = "Fee indexed"
    monthly_fee = factory.LazyFunction(lambda: Decimal("105000.00"))
    at_risk_percent = factory.LazyFunction(lambda: Decimal("12.00"))
    end_date = datetime.date(2027, 12, 31)


class DisputeLevelFactory(DjangoModelFactory):
    class Meta:
        model = "contracts.DisputeLevel"

    contract = factory.SubFactory(ContractFactory)
    level = 1
    name = "Account managers"
    response_hours = 48


class ContractAttachmentFactory(DjangoModelFactory):
    class Meta:
        model = "contracts.ContractAttachment"

    contract = factory.SubFactory(ContractFactory)
    document = factory.SubFactory(
        PartnerDocumentFactory, partner=factory.SelfAttribute("..contract.partner")
    )


class RaciActivityFactory(DjangoModelFactory):
    class Meta:
        model = "contracts.RaciActivity"

    contract = factory.SubFactory(ContractFactory)
    name = factory.Sequence(lambda n: f"Activity {n}")


class RaciAssignmentFactory(DjangoModelFactory):
    class Meta:
        model = "contracts.RaciAssignment"

    activity = factory.SubFactory(RaciActivityFactory)
    team = factory.SubFactory(TeamFactory)
    role = "A"


class ContractReminderFactory(DjangoModelFactory):
    class Meta:
        model = "contracts.ContractReminder"

    contract = factory.SubFactory(ContractFactory)
    kind = "expiry"
    days_before = 90
    target_date = datetime.date(2027, 12, 31)


class MetricFactory(DjangoModelFactory):
    class Meta:
        model = "performance.Metric"
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"metric-{n}")
    name = factory.Sequence(lambda n: f"Metric {n}")
    unit = "%"
    direction = "higher"
    aggregation = "ratio"


class ServiceLevelFactory(DjangoModelFactory):
    class Meta:
        model = "performance.ServiceLevel"

    contract = factory.SubFactory(ContractFactory)
    metric = factory.SubFactory(MetricFactory)


class ServiceLevelTermsFactory(DjangoModelFactory):
    class Meta:
        model = "performance.ServiceLevelTerms"

    service_level = factory.SubFactory(ServiceLevelFactory)
    version = 1
    effective_from = datetime.date(2026, 1, 1)
    target = factory.LazyFunction(lambda: Decimal("99"))
    credit_model = "tiered"
    tiers = factory.LazyFunction(lambda: [{"threshold": "99", "percent_of_fee": "10"}])
    pool_allocation_percent = factory.LazyFunction(lambda: Decimal("50"))


class ExclusionFactory(DjangoModelFactory):
    class Meta:
        model = "performance.Exclusion"

    service_level = factory.SubFactory(ServiceLevelFactory)
    period = datetime.date(2026, 9, 1)
    reason = "Typhoon closed the port"


class MeasurementFactory(DjangoModelFactory):
    class Meta:
        model = "performance.Measurement"

    contract = factory.SubFactory(ContractFactory)
    metric = factory.SubFactory(MetricFactory)
    period = datetime.date(2026, 9, 1)
    measured_on = datetime.date(2026, 9, 30)
    numerator = factory.LazyFunction(lambda: Decimal("98"))
    denominator = factory.LazyFunction(lambda: Decimal("100"))
    value = factory.LazyFunction(lambda: Decimal("98"))
    source = "manual"


class PeriodCloseFactory(DjangoModelFactory):
    class Meta:
        model = "performance.PeriodClose"

    period = datetime.date(2026, 9, 1)


class ServiceLevelResultFactory(DjangoModelFactory):
    class Meta:
        model = "performance.ServiceLevelResult"

    period_close = factory.SubFactory(PeriodCloseFactory)
    service_level = factory.SubFactory(ServiceLevelFactory)
    contract = factory.SelfAttribute("service_level.contract")
    terms_version = 1
    attainment = factory.LazyFunction(lambda: Decimal("98"))
    outcome = "breach"
    raw_credit = factory.LazyFunction(lambda: Decimal("10000.00"))
    pool_cap = factory.LazyFunction(lambda: Decimal("6000.00"))
    credit = factory.LazyFunction(lambda: Decimal("6000.00"))
    currency = "CNY"


class CreditProposalFactory(DjangoModelFactory):
    class Meta:
        model = "performance.CreditProposal"

    result = factory.SubFactory(ServiceLevelResultFactory)
    contract = factory.SelfAttribute("result.contract")
    service_level = factory.SelfAttribute("result.service_level")
    period = factory.SelfAttribute("result.period_close.period")
    kind = "credit"
    amount = factory.SelfAttribute("result.credit")
    currency = "CNY"


class ScorecardPolicyFactory(DjangoModelFactory):
    class Meta:
        model = "performance.ScorecardPolicy"

    name = "Default"
    version = factory.Sequence(lambda n: n + 1)
    effective_from = factory.Sequence(
        lambda n: datetime.date(2020, 1, 1) + datetime.timedelta(days=n)
    )


class ScorecardCriterionFactory(DjangoModelFactory):
    class Meta:
        model = "performance.ScorecardCriterion"

    policy = factory.SubFactory(ScorecardPolicyFactory)
    metric = factory.SubFactory(MetricFactory)
    weight = factory.LazyFunction(lambda: Decimal("100"))
    worst = factory.LazyFunction(lambda: Decimal("80"))
    best = factory.LazyFunction(lambda: Decimal("100"))


class StandingBandFactory(DjangoModelFactory):
    class Meta:
        model = "performance.StandingBand"

    policy = factory.SubFactory(ScorecardPolicyFactory)
    name = "Good"
    lower = factory.LazyFunction(lambda: Decimal("0"))
    upper = factory.LazyFunction(lambda: Decimal("100"))


class PartnerScoreFactory(DjangoModelFactory):
    class Meta:
        model = "performance.PartnerScore"

    partner = factory.SubFactory(PartnerFactory)
    period = datetime.date(2026, 9, 1)
    policy = factory.SubFactory(ScorecardPolicyFactory)
    period_close = factory.SubFactory(PeriodCloseFactory)
    score = factory.LazyFunction(lambda: Decimal("75.00"))
    overall = factory.LazyFunction(lambda: Decimal("75.00"))
    standing = "Good"


class CertificationReminderFactory(DjangoModelFactory):
    class Meta:
        model = "partners.CertificationReminder"

    certification = factory.SubFactory(CertificationFactory)
    days_before = 90
    expires_on = factory.SelfAttribute("certification.expires_on")


class FailedLoginFactory(DjangoModelFactory):
    class Meta:
        model = "accounts.FailedLogin"

    username = "someone"


class ScheduledRunFactory(DjangoModelFactory):
    class Meta:
        model = "core.ScheduledRun"

    job = "certification-reminders"
    slot = factory.LazyFunction(timezone.now)


# --- finance ----------------------------------------------------------------------------------


class ItemCategoryFactory(DjangoModelFactory):
    class Meta:
        model = "finance.ItemCategory"
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"CAT{n:03d}")
    name = factory.Sequence(lambda n: f"Category {n}")


class PurchaseOrderFactory(DjangoModelFactory):
    class Meta:
        model = "finance.PurchaseOrder"

    partner = factory.SubFactory(PartnerFactory)
    number = factory.Sequence(lambda n: f"PO-{n:06d}")
    order_date = datetime.date(2026, 10, 1)
    currency = "CNY"


class PurchaseOrderLineFactory(DjangoModelFactory):
    class Meta:
        model = "finance.PurchaseOrderLine"

    order = factory.SubFactory(PurchaseOrderFactory)
    line_no = factory.Sequence(lambda n: n + 1)
    item = "HOUSING-A"
    quantity = factory.LazyFunction(lambda: Decimal("1000"))
    unit_price = factory.LazyFunction(lambda: Decimal("2.5000"))


class GoodsReceiptFactory(DjangoModelFactory):
    class Meta:
        model = "finance.GoodsReceipt"

    partner = factory.SubFactory(PartnerFactory)
    number = factory.Sequence(lambda n: f"DN-{n:06d}")
    received_on = datetime.date(2026, 10, 5)


class GoodsReceiptLineFactory(DjangoModelFactory):
    class Meta:
        model = "finance.GoodsReceiptLine"

    order_line = factory.SubFactory(PurchaseOrderLineFactory)
    receipt = factory.SubFactory(
        GoodsReceiptFactory, partner=factory.SelfAttribute("..order_line.order.partner")
    )
    line_no = factory.Sequence(lambda n: n + 1)
    quantity_received = factory.SelfAttribute("order_line.quantity")


class SupplierInvoiceFactory(DjangoModelFactory):
    class Meta:
        model = "finance.SupplierInvoice"

    partner = factory.SubFactory(PartnerFactory)
    number = factory.Sequence(lambda n: f"INV-{n:06d}")
    number_key = factory.LazyAttribute(lambda o: number_key(o.number))
    invoice_date = datetime.date(2026, 10, 8)
    received_on = datetime.date(2026, 10, 9)
    due_date = datetime.date(2026, 11, 7)
    currency = "CNY"
    net_total = factory.LazyFunction(lambda: Decimal("2500.00"))
    tax_total = factory.LazyFunction(lambda: Decimal("325.00"))
    gross_total = factory.LazyFunction(lambda: Decimal("2825.00"))


class SupplierInvoiceLineFactory(DjangoModelFactory):
    class Meta:
        model = "finance.SupplierInvoiceLine"

    invoice = factory.SubFactory(SupplierInvoiceFactory)
    line_no = factory.Sequence(lambda n: n + 1)
    quantity = factory.LazyFunction(lambda: Decimal("1000"))
    unit_price = factory.LazyFunction(lambda: Decimal("2.5000"))
    amount = factory.LazyFunction(lambda: Decimal("2500.00"))
    tax_rate = factory.LazyFunction(lambda: Decimal("13"))
    tax_amount = factory.LazyFunction(lambda: Decimal("325.00"))


class ToleranceProfileFactory(DjangoModelFactory):
    class Meta:
        model = "finance.ToleranceProfile"

    name = factory.Sequence(lambda n: f"Profile {n}")
    partner = factory.SubFactory(PartnerFactory)
    price_percent = factory.LazyFunction(lambda: Decimal("2"))


class ChecklistTemplateFactory(DjangoModelFactory):
    class Meta:
        model = "finance.ChecklistTemplate"

    document_type = "contract"
    name = "Contract review (test)"
    version = factory.Sequence(lambda n: n + 10)
    is_active = False


class ChecklistItemFactory(DjangoModelFactory):
    class Meta:
        model = "finance.ChecklistItem"

    template = factory.SubFactory(ChecklistTemplateFactory)
    position = factory.Sequence(lambda n: n + 1)
    text = "Signed by both sides"


class DocumentReviewFactory(DjangoModelFactory):
    class Meta:
        model = "finance.DocumentReview"

    invoice = factory.SubFactory(SupplierInvoiceFactory)
    partner = factory.SelfAttribute("invoice.partner")
    template = factory.SubFactory(ChecklistTemplateFactory, document_type="invoice")


class ReviewCheckFactory(DjangoModelFactory):
    class Meta:
        model = "finance.ReviewCheck"

    review = factory.SubFactory(DocumentReviewFactory)
    item = factory.SubFactory(
        ChecklistItemFactory, template=factory.SelfAttribute("..review.template")
    )


class MatchRunFactory(DjangoModelFactory):
    class Meta:
        model = "finance.MatchRun"

    label = "test run"


class MatchExceptionFactory(DjangoModelFactory):
    class Meta:
        model = "finance.MatchException"

    invoice = factory.SubFactory(SupplierInvoiceFactory)
    type = "price_variance"
    severity = "block"
    amount_at_stake = factory.LazyFunction(lambda: Decimal("100.00"))
    currency = "CNY"
    detail = "price 2.6000 vs PO 2.5000"
    fingerprint = factory.Sequence(lambda n: f"test:{n}:price_variance")
    first_run = factory.SubFactory(MatchRunFactory)
    last_run = factory.SelfAttribute("first_run")


class InvoiceDeductionFactory(DjangoModelFactory):
    class Meta:
        model = "finance.InvoiceDeduction"

    proposal = factory.SubFactory(CreditProposalFactory, status="applied")
    invoice = factory.SubFactory(
        SupplierInvoiceFactory, partner=factory.SelfAttribute("..proposal.contract.partner")
    )
    amount = factory.SelfAttribute("proposal.amount")
    currency = "CNY"


class WeeklyReconciliationFactory(DjangoModelFactory):
    class Meta:
        model = "finance.WeeklyReconciliation"

    week = factory.Sequence(lambda n: f"2026-W{(n % 50) + 1:02d}")
    week_start = datetime.date(2026, 11, 9)
    week_end = datetime.date(2026, 11, 15)
    run = factory.SubFactory(MatchRunFactory)


class AgendaItemFactory(DjangoModelFactory):
    class Meta:
        model = "finance.AgendaItem"

    reconciliation = factory.SubFactory(WeeklyReconciliationFactory)
    position = 1
    title = "Blocked invoices: 3"


class DocumentImportFactory(DjangoModelFactory):
    class Meta:
        model = "finance.DocumentImport"

    kind = "invoices"
    file_name = "invoices.csv"
    sha256 = factory.Sequence(lambda n: f"{n:064x}")


# --- quality -------------------------------------------------------------------------------------


class AuditTemplateFactory(DjangoModelFactory):
    class Meta:
        model = "quality.AuditTemplate"

    code = factory.Sequence(lambda n: f"TPL{n:03d}")
    name = factory.Sequence(lambda n: f"Audit template {n}")


class AuditSectionFactory(DjangoModelFactory):
    class Meta:
        model = "quality.AuditSection"

    template = factory.SubFactory(AuditTemplateFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Section {n}")


class AuditQuestionFactory(DjangoModelFactory):
    class Meta:
        model = "quality.AuditQuestion"

    section = factory.SubFactory(AuditSectionFactory)
    position = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Question {n}?")
    kind = "yes_no"
    weight = factory.LazyFunction(lambda: Decimal("1"))


class AuditScheduleFactory(DjangoModelFactory):
    class Meta:
        model = "quality.AuditSchedule"

    partner = factory.SubFactory(PartnerFactory)
    template = factory.SubFactory(AuditTemplateFactory)
    frequency = "monthly"
    next_due = datetime.date(2026, 12, 1)


class AuditFactory(DjangoModelFactory):
    class Meta:
        model = "quality.Audit"

    number = factory.Sequence(lambda n: f"AUD-2026-{n + 1:04d}")
    partner = factory.SubFactory(PartnerFactory)
    template = factory.SubFactory(AuditTemplateFactory)
    planned_date = datetime.date(2026, 11, 20)


class AuditAnswerFactory(DjangoModelFactory):
    class Meta:
        model = "quality.AuditAnswer"

    audit = factory.SubFactory(AuditFactory)
    position = factory.Sequence(lambda n: n + 1)
    section_title = "Section"
    text = factory.Sequence(lambda n: f"Question {n}?")
    kind = "yes_no"
    weight = factory.LazyFunction(lambda: Decimal("1"))


class AuditEvidenceFactory(DjangoModelFactory):
    class Meta:
        model = "quality.AuditEvidence"

    audit = factory.SubFactory(AuditFactory)
    file = factory.LazyFunction(lambda: ContentFile(PDF, name="evidence.pdf"))
    original_name = "evidence.pdf"
    content_type = "application/pdf"
    size = len(PDF)
    sha256 = factory.Sequence(lambda n: f"{n:064x}")


class DefectTypeFactory(DjangoModelFactory):
    class Meta:
        model = "quality.DefectType"
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"DEF{n:03d}")
    name = factory.Sequence(lambda n: f"Defect {n}")


class InspectionStandardFactory(DjangoModelFactory):
    class Meta:
        model = "quality.InspectionStandard"

    code = factory.Sequence(lambda n: f"STD{n:03d}")
    name = factory.Sequence(lambda n: f"Standard {n}")
    item = "HOUSING-A"
    level = "II"
    aql = factory.LazyFunction(lambda: Decimal("1.0"))


class InspectionParameterFactory(DjangoModelFactory):
    class Meta:
        model = "quality.InspectionParameter"

    standard = factory.SubFactory(InspectionStandardFactory)
    position = factory.Sequence(lambda n: n + 1)
    code = factory.Sequence(lambda n: f"param{n}")
    name = factory.Sequence(lambda n: f"Parameter {n}")
    unit = "mm"
    lower_limit = factory.LazyFunction(lambda: Decimal("9.9"))
    upper_limit = factory.LazyFunction(lambda: Decimal("10.1"))
    plausible_min = factory.LazyFunction(lambda: Decimal("0"))
    plausible_max = factory.LazyFunction(lambda: Decimal("100"))


class SamplingStateFactory(DjangoModelFactory):
    class Meta:
        model = "quality.SamplingState"

    partner = factory.SubFactory(PartnerFactory)
    standard = factory.SubFactory(InspectionStandardFactory)


class LotInspectionFactory(DjangoModelFactory):
    class Meta:
        model = "quality.LotInspection"

    number = factory.Sequence(lambda n: f"LOT-2026-{n + 1:04d}")
    receipt_line = factory.SubFactory(GoodsReceiptLineFactory)
    partner = factory.SelfAttribute("receipt_line.receipt.partner")
    standard = factory.SubFactory(InspectionStandardFactory)
    lot_size = 1000
    level = "II"
    aql = factory.LazyFunction(lambda: Decimal("1.0"))
    severity = "normal"
    code_letter = "J"
    plan_letter = "J"
    sample_size = 80
    accept_number = 2
    reject_number = 3
    plan_explanation = "ISO 2859-1 Table 2-A (normal), lot 1000, level II: code letter J"


class SampleReadingFactory(DjangoModelFactory):
    class Meta:
        model = "quality.SampleReading"

    inspection = factory.SubFactory(LotInspectionFactory)
    unit_no = factory.Sequence(lambda n: n + 1)
    parameter = factory.SubFactory(
        InspectionParameterFactory, standard=factory.SelfAttribute("..inspection.standard")
    )
    value = factory.LazyFunction(lambda: Decimal("10"))
    conforming = True


class NonconformanceFactory(DjangoModelFactory):
    class Meta:
        model = "quality.Nonconformance"

    number = factory.Sequence(lambda n: f"NC-2026-{n + 1:04d}")
    partner = factory.SubFactory(PartnerFactory)
    source = "production"
    defect_type = factory.SubFactory(DefectTypeFactory)
    title = factory.Sequence(lambda n: f"Nonconformance {n}")
    detected_on = datetime.date(2026, 11, 10)
    reported_severity = "minor"
    severity = "minor"


class CorrectiveActionFactory(DjangoModelFactory):
    class Meta:
        model = "quality.CorrectiveAction"

    number = factory.Sequence(lambda n: f"8D-2026-{n + 1:04d}")
    nonconformance = factory.SubFactory(NonconformanceFactory)
    partner = factory.SelfAttribute("nonconformance.partner")
    opened_at = factory.LazyFunction(timezone.now)


class EightDStageFactory(DjangoModelFactory):
    class Meta:
        model = "quality.EightDStage"

    action = factory.SubFactory(CorrectiveActionFactory)
    stage = 0
    due_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=2))


class CostEventFactory(DjangoModelFactory):
    class Meta:
        model = "quality.CostEvent"

    kind = "quality_defect"
    occurred_on = datetime.date(2026, 11, 10)
    amount = factory.LazyFunction(lambda: Decimal("1200.00"))
    currency = "CNY"
    partner = factory.SubFactory(PartnerFactory)
    description = "Sorting of a rejected lot"


# --- regrind: the plant ------------------------------------------------------------------------


class ProductionLineFactory(DjangoModelFactory):
    class Meta:
        model = "regrind.ProductionLine"

    code = factory.Sequence(lambda n: f"L{n + 1:02d}")
    name = factory.Sequence(lambda n: f"Injection line {n + 1}")


class DosingUnitFactory(DjangoModelFactory):
    class Meta:
        model = "regrind.DosingUnit"

    line = factory.SubFactory(ProductionLineFactory)
    code = factory.Sequence(lambda n: f"DOS-{n + 1:04d}")
    name = factory.Sequence(lambda n: f"Dosing unit {n + 1}")


class RegrindProductFactory(DjangoModelFactory):
    class Meta:
        model = "regrind.RegrindProduct"

    code = factory.Sequence(lambda n: f"P-{n + 1:04d}")
    name = factory.Sequence(lambda n: f"Housing {n + 1}")
    target_ratio = factory.LazyFunction(lambda: Decimal("20.00"))
    tolerance = factory.LazyFunction(lambda: Decimal("2.00"))
    max_ratio = factory.LazyFunction(lambda: Decimal("25.00"))
    nominal_batch_kg = factory.LazyFunction(lambda: Decimal("5.000"))
    currency = "CNY"
    virgin_price_per_kg = factory.LazyFunction(lambda: Decimal("12.5000"))
    regrind_price_per_kg = factory.LazyFunction(lambda: Decimal("4.2000"))
    risk_cost_per_kg = factory.LazyFunction(lambda: Decimal("30.0000"))


class ProductRunFactory(DjangoModelFactory):
    class Meta:
        model = "regrind.ProductRun"

    line = factory.SubFactory(ProductionLineFactory)
    product = factory.SubFactory(RegrindProductFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    ends_at = None


class ShiftFactory(DjangoModelFactory):
    class Meta:
        model = "regrind.Shift"
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"S{n + 1}")
    name = factory.LazyAttribute(lambda s: f"Shift {s.code}")
    start_time = datetime.time(6, 0)
    hours = 8


class ShiftAssignmentFactory(DjangoModelFactory):
    class Meta:
        model = "regrind.ShiftAssignment"

    line = factory.SubFactory(ProductionLineFactory)
    team = factory.SubFactory(TeamFactory)
    shift = None
    starts_at = factory.LazyFunction(
        lambda: timezone.now().replace(minute=0, second=0, microsecond=0)
    )
    ends_at = factory.LazyAttribute(lambda a: a.starts_at + datetime.timedelta(hours=8))


# --- regrind: readings, charts and rankings ----------------------------------------------------


class ReadingIngestFactory(DjangoModelFactory):
    class Meta:
        model = "regrind.ReadingIngest"

    source = "csv"
    filename = factory.Sequence(lambda n: f"doser-export-{n + 1}.csv")
    status = "done"
    finished_at = factory.LazyFunction(timezone.now)
    rows = 10
    stored = 9
    refused = 1


class RejectedReadingFactory(DjangoModelFactory):
    class Meta:
        model = "regrind.RejectedReading"

    ingest = factory.SubFactory(ReadingIngestFactory)
    row = factory.Sequence(lambda n: n + 2)
    raw = "DOS-0001,2026-03-02 08:00,B1,,,abc"
    errors = factory.LazyFunction(
        lambda: [{"field": "ratio", "code": "not_a_number", "params": {"value": "abc"}}]
    )


class ReadingFactory(DjangoModelFactory):
    class Meta:
        model = "regrind.Reading"

    unit = factory.SubFactory(DosingUnitFactory)
    taken_at = factory.Sequence(
        lambda n: datetime.datetime(2026, 3, 2, tzinfo=datetime.UTC) + datetime.timedelta(minutes=n)
    )
    batch = factory.Sequence(lambda n: f"B{n + 1}")
    ratio = 20.0
    line = factory.SelfAttribute("unit.line")
    ingest = factory.SubFactory(ReadingIngestFactory)


class ControlChartFactory(DjangoModelFactory):
    class Meta:
        model = "regrind.ControlChart"

    unit = factory.SubFactory(DosingUnitFactory)
    kind = "imr"
    subgroup_size = 1


class ControlLimitsFactory(DjangoModelFactory):
    """Limits of an I-MR chart from 20 readings around 20 % (moving ranges about 1)."""

    class Meta:
        model = "regrind.ControlLimits"

    chart = factory.SubFactory(ControlChartFactory)
    version = 1
    baseline_start = datetime.datetime(2026, 3, 2, tzinfo=datetime.UTC)
    baseline_end = datetime.datetime(2026, 3, 2, 3, 10, tzinfo=datetime.UTC)
    points = 20
    readings = 20
    center = 20.0
    ucl = 22.66
    lcl = 17.34
    sigma = 0.8865
    dispersion_center = 1.0
    dispersion_ucl = 3.267
    dispersion_lcl = 0.0


class SignalFactory(DjangoModelFactory):
    class Meta:
        model = "regrind.Signal"

    chart = factory.SubFactory(ControlChartFactory)
    limits = factory.SubFactory(ControlLimitsFactory, chart=factory.SelfAttribute("..chart"))
    rule = "we1"
    point_at = datetime.datetime(2026, 3, 2, 4, 0, tzinfo=datetime.UTC)
    first_at = factory.SelfAttribute("point_at")
    value = 23.1
    line = factory.SelfAttribute("chart.unit.line")


class PrecisionRankingFactory(DjangoModelFactory):
    class Meta:
        model = "regrind.PrecisionRanking"

    month = datetime.date(2026, 3, 1)
    revision = factory.Sequence(lambda n: n + 1)
    rule_version = "regrind-ranking-1"
    readings = 1000


class TeamPrecisionFactory(DjangoModelFactory):
    class Meta:
        model = "regrind.TeamPrecision"

    ranking = factory.SubFactory(PrecisionRankingFactory)
    team = factory.SubFactory(TeamFactory)
    rank = 1
    readings = 500
    within = 475
    share_within = 0.95
    mean_abs_deviation = 0.8
    mean_deviation = -0.1
    cpk = 1.4
    currency = "CNY"
