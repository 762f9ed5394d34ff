"""Filters and sortable columns of the partner lists, used by the pages and the API alike."""

import datetime
from typing import Annotated

from ninja import Field, FilterLookup

from partnerdesk.core.schemas import InputFilterSchema
from partnerdesk.partners.choices import (
    CertificationStandard,
    ContactRole,
    DocumentType,
    PartnerKind,
    PartnerStatus,
)


class PartnerFilter(InputFilterSchema):
    q: Annotated[
        str | None,
        FilterLookup(["code__icontains", "legal_name__icontains", "tax_id__icontains"]),
    ] = Field(None, max_length=100, description="Search code, legal name and tax id")
    kind: PartnerKind | None = None
    status: PartnerStatus | None = None
    country: Annotated[str | None, FilterLookup("country__iexact")] = Field(
        None, min_length=2, max_length=2, description="ISO 3166 alpha-2 code"
    )
    category: Annotated[int | None, FilterLookup("categories__id")] = Field(
        None, ge=1, le=2**31, description="Category id"
    )


PARTNER_SORTS = {
    "code": "code",
    "name": "legal_name",
    "kind": "kind",
    "status": "status",
    "country": "country",
    "updated": "updated_at",
}


class ContactFilter(InputFilterSchema):
    q: Annotated[
        str | None,
        FilterLookup(["name__icontains", "email__icontains", "partner__code__icontains"]),
    ] = Field(None, max_length=100)
    partner: Annotated[int | None, FilterLookup("partner_id")] = Field(None, ge=1, le=2**31)
    role: ContactRole | None = None


CONTACT_SORTS = {"name": "name", "partner": "partner__code", "role": "role"}


class CertificationFilter(InputFilterSchema):
    q: Annotated[
        str | None,
        FilterLookup(
            [
                "partner__code__icontains",
                "partner__legal_name__icontains",
                "certificate_number__icontains",
                "other_standard__icontains",
            ]
        ),
    ] = Field(None, max_length=100)
    partner: Annotated[int | None, FilterLookup("partner_id")] = Field(None, ge=1, le=2**31)
    standard: CertificationStandard | None = None
    # Real dates, not strings shaped like one: "2024-02-30" must be refused here, not reach the
    # database lookup (where it raised a server error).
    expires_before: Annotated[datetime.date | None, FilterLookup("expires_on__lte")] = Field(
        None, description="YYYY-MM-DD"
    )
    expires_after: Annotated[datetime.date | None, FilterLookup("expires_on__gte")] = Field(
        None, description="YYYY-MM-DD"
    )


CERTIFICATION_SORTS = {"expires": "expires_on", "partner": "partner__code", "standard": "standard"}


class DocumentFilter(InputFilterSchema):
    q: Annotated[str | None, FilterLookup(["title__icontains", "original_name__icontains"])] = (
        Field(None, max_length=100)
    )
    partner: Annotated[int | None, FilterLookup("partner_id")] = Field(None, ge=1, le=2**31)
    document_type: DocumentType | None = None


DOCUMENT_SORTS = {
    "created": "created_at",
    "title": "title",
    "type": "document_type",
    "valid_until": "valid_until",
}
