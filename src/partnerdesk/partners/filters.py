"""Filters and sortable columns of the partner lists, used by the pages and the API alike."""

from ninja import Field, FilterSchema

from partnerdesk.partners.choices import (
    CertificationStandard,
    ContactRole,
    DocumentType,
    PartnerKind,
    PartnerStatus,
)


class PartnerFilter(FilterSchema):
    q: str | None = Field(
        None,
        q=["code__icontains", "legal_name__icontains", "tax_id__icontains"],
        description="Search code, name, tax id",
    )
    kind: PartnerKind | None = None
    status: PartnerStatus | None = None
    country: str | None = Field(None, max_length=2, description="ISO 3166 alpha-2 code")
    category: int | None = Field(None, q="categories__id", description="Category id")


PARTNER_SORTS = {
    "code": "code",
    "name": "legal_name",
    "kind": "kind",
    "status": "status",
    "country": "country",
    "updated": "updated_at",
}


class ContactFilter(FilterSchema):
    q: str | None = Field(
        None, q=["name__icontains", "email__icontains", "partner__code__icontains"]
    )
    partner: int | None = Field(None, q="partner_id")
    role: ContactRole | None = None


CONTACT_SORTS = {"name": "name", "partner": "partner__code", "role": "role"}


class CertificationFilter(FilterSchema):
    q: str | None = Field(
        None,
        q=[
            "partner__code__icontains",
            "partner__legal_name__icontains",
            "certificate_number__icontains",
            "other_standard__icontains",
        ],
    )
    partner: int | None = Field(None, q="partner_id")
    standard: CertificationStandard | None = None
    expires_before: str | None = Field(
        None, q="expires_on__lte", pattern=r"^\d{4}-\d{2}-\d{2}$", description="YYYY-MM-DD"
    )
    expires_after: str | None = Field(
        None, q="expires_on__gte", pattern=r"^\d{4}-\d{2}-\d{2}$", description="YYYY-MM-DD"
    )


CERTIFICATION_SORTS = {"expires": "expires_on", "partner": "partner__code", "standard": "standard"}


class DocumentFilter(FilterSchema):
    q: str | None = Field(None, q=["title__icontains", "original_name__icontains"])
    partner: int | None = Field(None, q="partner_id")
    document_type: DocumentType | None = None


DOCUMENT_SORTS = {
    "created": "created_at",
    "title": "title",
    "type": "document_type",
    "valid_until": "valid_until",
}
