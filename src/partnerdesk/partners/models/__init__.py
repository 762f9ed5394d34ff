from partnerdesk.partners.models.certification import Certification, CertificationReminder
from partnerdesk.partners.models.contact import InternalOwner, PartnerContact
from partnerdesk.partners.models.document import PartnerDocument
from partnerdesk.partners.models.partner import (
    Capability,
    Partner,
    PartnerCategory,
    PartnerStatusChange,
)

__all__ = [
    "Capability",
    "Certification",
    "CertificationReminder",
    "InternalOwner",
    "Partner",
    "PartnerCategory",
    "PartnerContact",
    "PartnerDocument",
    "PartnerStatusChange",
]
