"""factory-boy factories for every model."""

import datetime

import factory
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from factory.django import DjangoModelFactory

from partnerdesk.accounts.models import ApiToken, User
from partnerdesk.audit.models import AuditEntry
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
