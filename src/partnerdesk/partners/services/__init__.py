"""Writes of the partners app. Each service checks the permission, validates, saves inside a
transaction and writes the audit trail in the same transaction."""

from partnerdesk.partners.services.certifications import (
    certification_create,
    certification_delete,
    certification_send_reminders,
    certification_update,
)
from partnerdesk.partners.services.contacts import (
    contact_create,
    contact_delete,
    contact_update,
    owner_add,
    owner_remove,
)
from partnerdesk.partners.services.documents import (
    document_delete,
    document_update,
    document_upload,
)
from partnerdesk.partners.services.partner import (
    partner_change_status,
    partner_create,
    partner_delete,
    partner_update,
)

__all__ = [
    "certification_create",
    "certification_delete",
    "certification_send_reminders",
    "certification_update",
    "contact_create",
    "contact_delete",
    "contact_update",
    "document_delete",
    "document_update",
    "document_upload",
    "owner_add",
    "owner_remove",
    "partner_change_status",
    "partner_create",
    "partner_delete",
    "partner_update",
]
