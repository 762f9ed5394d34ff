"""Partners, contacts, certifications and documents over the API.

Every endpoint reads through ``restrict(user, action)``, so a row the user may not see is a 404,
the same as in the UI; services check the permission again before writing.
"""

from django.http import FileResponse
from ninja import File, Form, Query, Router, Status, UploadedFile
from ninja.pagination import paginate

from partnerdesk.audit.selectors import history_for
from partnerdesk.core.listing import ApiPagination, apply_sort
from partnerdesk.partners import selectors, services
from partnerdesk.partners.filters import (
    CERTIFICATION_SORTS,
    CONTACT_SORTS,
    DOCUMENT_SORTS,
    PARTNER_SORTS,
    CertificationFilter,
    ContactFilter,
    DocumentFilter,
    PartnerFilter,
)
from partnerdesk.partners.models import Certification, PartnerContact, PartnerDocument
from partnerdesk.partners.schemas import (
    CertificationIn,
    CertificationOut,
    CertificationPatch,
    ContactIn,
    ContactOut,
    ContactPatch,
    DocumentMeta,
    DocumentOut,
    DocumentPatch,
    HistoryOut,
    PartnerIn,
    PartnerOut,
    PartnerPatch,
    StatusChangeIn,
)

router = Router(tags=["partners"])
ERRORS = {400: dict, 401: dict, 403: dict, 404: dict, 409: dict, 422: dict}


def _changes(payload) -> dict:
    return payload.dict(exclude_unset=True)


# --- Partners --------------------------------------------------------------------------------


@router.get("/partners", response={200: list[PartnerOut], **ERRORS})
@paginate(ApiPagination)
def list_partners(request, filters: Query[PartnerFilter], sort: str | None = None):
    qs = filters.filter(selectors.partner_list(user=request.user).prefetch_related("capabilities"))
    return apply_sort(qs, sort, PARTNER_SORTS, "code")[0]


@router.post("/partners", response={201: PartnerOut, **ERRORS})
def create_partner(request, payload: PartnerIn):
    return Status(201, services.partner_create(user=request.user, data=payload.dict()))


@router.get("/partners/{int:partner_id}", response={200: PartnerOut, **ERRORS})
def get_partner(request, partner_id: int):
    return selectors.partner_get(user=request.user, pk=partner_id)


@router.patch("/partners/{int:partner_id}", response={200: PartnerOut, **ERRORS})
def update_partner(request, partner_id: int, payload: PartnerPatch):
    partner = selectors.partner_get(user=request.user, pk=partner_id, action="change")
    return services.partner_update(user=request.user, partner=partner, data=_changes(payload))


@router.delete("/partners/{int:partner_id}", response={204: None, **ERRORS})
def delete_partner(request, partner_id: int):
    partner = selectors.partner_get(user=request.user, pk=partner_id, action="delete")
    services.partner_delete(user=request.user, partner=partner)
    return Status(204, None)


@router.post("/partners/{int:partner_id}/status", response={200: PartnerOut, **ERRORS})
def change_partner_status(request, partner_id: int, payload: StatusChangeIn):
    partner = selectors.partner_get(user=request.user, pk=partner_id)
    return services.partner_change_status(
        user=request.user, partner=partner, to_status=payload.to_status, reason=payload.reason
    )


@router.get("/partners/{int:partner_id}/history", response={200: list[HistoryOut], **ERRORS})
def partner_history(request, partner_id: int):
    partner = selectors.partner_get(user=request.user, pk=partner_id)
    return list(history_for(instance=partner, user=request.user))


# --- Contacts --------------------------------------------------------------------------------


@router.get("/contacts", response={200: list[ContactOut], **ERRORS})
@paginate(ApiPagination)
def list_contacts(request, filters: Query[ContactFilter], sort: str | None = None):
    qs = filters.filter(selectors.contact_list(user=request.user))
    return apply_sort(qs, sort, CONTACT_SORTS, "name")[0]


@router.post("/partners/{int:partner_id}/contacts", response={201: ContactOut, **ERRORS})
def create_contact(request, partner_id: int, payload: ContactIn):
    partner = selectors.partner_get(user=request.user, pk=partner_id)
    created = services.contact_create(user=request.user, partner=partner, data=payload.dict())
    return Status(201, created)


@router.get("/contacts/{int:contact_id}", response={200: ContactOut, **ERRORS})
def get_contact(request, contact_id: int):
    return PartnerContact.objects.restrict(request.user).get(pk=contact_id)


@router.patch("/contacts/{int:contact_id}", response={200: ContactOut, **ERRORS})
def update_contact(request, contact_id: int, payload: ContactPatch):
    contact = PartnerContact.objects.restrict(request.user, "change").get(pk=contact_id)
    return services.contact_update(user=request.user, contact=contact, data=_changes(payload))


@router.delete("/contacts/{int:contact_id}", response={204: None, **ERRORS})
def delete_contact(request, contact_id: int):
    contact = PartnerContact.objects.restrict(request.user, "delete").get(pk=contact_id)
    services.contact_delete(user=request.user, contact=contact)
    return Status(204, None)


# --- Certifications --------------------------------------------------------------------------


@router.get("/certifications", response={200: list[CertificationOut], **ERRORS})
@paginate(ApiPagination)
def list_certifications(request, filters: Query[CertificationFilter], sort: str | None = None):
    qs = filters.filter(selectors.certification_list(user=request.user))
    return apply_sort(qs, sort, CERTIFICATION_SORTS, "expires")[0]


@router.post(
    "/partners/{int:partner_id}/certifications", response={201: CertificationOut, **ERRORS}
)
def create_certification(request, partner_id: int, payload: CertificationIn):
    partner = selectors.partner_get(user=request.user, pk=partner_id)
    created = services.certification_create(user=request.user, partner=partner, data=payload.dict())
    return Status(201, created)


@router.get("/certifications/{int:certification_id}", response={200: CertificationOut, **ERRORS})
def get_certification(request, certification_id: int):
    return selectors.certification_list(user=request.user).get(pk=certification_id)


@router.patch("/certifications/{int:certification_id}", response={200: CertificationOut, **ERRORS})
def update_certification(request, certification_id: int, payload: CertificationPatch):
    certification = Certification.objects.restrict(request.user, "change").get(pk=certification_id)
    return services.certification_update(
        user=request.user, certification=certification, data=_changes(payload)
    )


@router.delete("/certifications/{int:certification_id}", response={204: None, **ERRORS})
def delete_certification(request, certification_id: int):
    certification = Certification.objects.restrict(request.user, "delete").get(pk=certification_id)
    services.certification_delete(user=request.user, certification=certification)
    return Status(204, None)


# --- Documents -------------------------------------------------------------------------------


@router.get("/documents", response={200: list[DocumentOut], **ERRORS})
@paginate(ApiPagination)
def list_documents(request, filters: Query[DocumentFilter], sort: str | None = None):
    qs = filters.filter(selectors.document_list(user=request.user))
    return apply_sort(qs, sort, DOCUMENT_SORTS, "-created")[0]


@router.post("/partners/{int:partner_id}/documents", response={201: DocumentOut, **ERRORS})
def upload_document(request, partner_id: int, meta: Form[DocumentMeta], file: File[UploadedFile]):
    partner = selectors.partner_get(user=request.user, pk=partner_id)
    created = services.document_upload(
        user=request.user, partner=partner, uploaded_file=file, data=meta.dict()
    )
    return Status(201, created)


@router.get("/documents/{int:document_id}", response={200: DocumentOut, **ERRORS})
def get_document(request, document_id: int):
    return selectors.document_list(user=request.user).get(pk=document_id)


@router.get("/documents/{int:document_id}/download", response={200: None, **ERRORS})
def download_document(request, document_id: int):
    document = selectors.document_list(user=request.user).get(pk=document_id)
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )


@router.patch("/documents/{int:document_id}", response={200: DocumentOut, **ERRORS})
def update_document(request, document_id: int, payload: DocumentPatch):
    document = PartnerDocument.objects.restrict(request.user, "change").get(pk=document_id)
    return services.document_update(user=request.user, document=document, data=_changes(payload))


@router.delete("/documents/{int:document_id}", response={204: None, **ERRORS})
def delete_document(request, document_id: int):
    document = PartnerDocument.objects.restrict(request.user, "delete").get(pk=document_id)
    services.document_delete(user=request.user, document=document)
    return Status(204, None)
