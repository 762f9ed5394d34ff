"""API shapes of the partners app."""

import datetime

from ninja import Field, Schema

from partnerdesk.core.schemas import InputSchema
from partnerdesk.partners.choices import (
    CertificationStandard,
    ContactRole,
    DocumentType,
    PartnerKind,
    PartnerStatus,
)

Code = Field(..., min_length=2, max_length=20, pattern=r"^[A-Za-z0-9][A-Za-z0-9-]{1,19}$")


class PartnerOut(Schema):
    id: int
    code: str
    legal_name: str
    kind: PartnerKind
    status: PartnerStatus
    country: str
    currency: str
    tax_id: str
    website: str
    categories: list[str]
    capabilities: list[str]
    notes: str
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_country(obj) -> str:
        return obj.country.code or ""

    @staticmethod
    def resolve_categories(obj) -> list[str]:
        return [c.name for c in obj.categories.all()]

    @staticmethod
    def resolve_capabilities(obj) -> list[str]:
        return [c.name for c in obj.capabilities.all()]


class PartnerIn(InputSchema):
    code: str = Code
    legal_name: str = Field(..., min_length=1, max_length=200)
    kind: PartnerKind
    country: str = Field(..., min_length=2, max_length=2, description="ISO 3166 alpha-2")
    currency: str = Field("CNY", min_length=3, max_length=3, description="ISO 4217")
    tax_id: str = Field("", max_length=40)
    website: str = Field("", max_length=200)
    categories: list[str] = Field(default_factory=list, max_length=50)
    capabilities: list[str] = Field(default_factory=list, max_length=50)
    notes: str = Field("", max_length=10_000)


# The *Patch schemas: a field left out keeps its value. Their types are not Optional on
# purpose, so an explicit ``null`` for a column that cannot be null is a 422 on that field
# (it used to reach the database and come back as a misleading 409 "clashes" answer).


class PartnerPatch(InputSchema):
    code: str = Field(None, min_length=2, max_length=20, pattern=r"^[A-Za-z0-9][A-Za-z0-9-]{1,19}$")
    legal_name: str = Field(None, min_length=1, max_length=200)
    kind: PartnerKind = None
    country: str = Field(None, min_length=2, max_length=2)
    currency: str = Field(None, min_length=3, max_length=3)
    tax_id: str = Field(None, max_length=40)
    website: str = Field(None, max_length=200)
    categories: list[str] = Field(None, max_length=50)
    capabilities: list[str] = Field(None, max_length=50)
    notes: str = Field(None, max_length=10_000)


class StatusChangeIn(InputSchema):
    to_status: PartnerStatus
    reason: str = Field(..., min_length=1, max_length=2000)


class HistoryOut(Schema):
    id: int
    action: str
    at: datetime.datetime
    actor: str = Field(..., alias="actor_repr")
    changes: dict
    request_id: str


class ContactOut(Schema):
    id: int
    partner_id: int
    name: str
    role: ContactRole
    job_title: str
    email: str
    phone: str
    is_primary: bool
    notes: str


class ContactIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=150)
    role: ContactRole
    job_title: str = Field("", max_length=100)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=40)
    is_primary: bool = False
    notes: str = Field("", max_length=10_000)


class ContactPatch(InputSchema):
    name: str = Field(None, min_length=1, max_length=150)
    role: ContactRole = None
    job_title: str = Field(None, max_length=100)
    email: str = Field(None, max_length=254)
    phone: str = Field(None, max_length=40)
    is_primary: bool = None
    notes: str = Field(None, max_length=10_000)


class CertificationOut(Schema):
    id: int
    partner_id: int
    standard: CertificationStandard
    standard_label: str
    other_standard: str
    certificate_number: str
    issuer: str
    scope: str
    issued_on: datetime.date | None
    expires_on: datetime.date
    document_id: int | None


class CertificationIn(InputSchema):
    standard: CertificationStandard
    other_standard: str = Field("", max_length=100)
    certificate_number: str = Field("", max_length=80)
    issuer: str = Field("", max_length=150)
    scope: str = Field("", max_length=5000)
    issued_on: datetime.date | None = None
    expires_on: datetime.date


class CertificationPatch(InputSchema):
    standard: CertificationStandard = None
    other_standard: str = Field(None, max_length=100)
    certificate_number: str = Field(None, max_length=80)
    issuer: str = Field(None, max_length=150)
    scope: str = Field(None, max_length=5000)
    issued_on: datetime.date | None = None
    expires_on: datetime.date = None


class DocumentOut(Schema):
    id: int
    partner_id: int
    document_type: DocumentType
    title: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    valid_from: datetime.date | None
    valid_until: datetime.date | None
    confidential: bool
    created_at: datetime.datetime


class DocumentMeta(InputSchema):
    document_type: DocumentType
    title: str = Field("", max_length=200)
    valid_from: datetime.date | None = None
    valid_until: datetime.date | None = None
    confidential: bool = False


class DocumentPatch(InputSchema):
    document_type: DocumentType = None
    title: str = Field(None, min_length=1, max_length=200)
    valid_from: datetime.date | None = None
    valid_until: datetime.date | None = None
    confidential: bool = None
