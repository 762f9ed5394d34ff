"""Choices of the partners app, with the allowed status transitions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PartnerKind(models.TextChoices):
    CONTRACT_MANUFACTURER = "contract_manufacturer", _("Contract manufacturer")
    MATERIAL_SUPPLIER = "material_supplier", _("Material supplier")
    SERVICE_PROVIDER = "service_provider", _("Service provider")
    LOGISTICS = "logistics", _("Logistics")
    OTHER = "other", _("Other")


class PartnerStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    QUALIFIED = "qualified", _("Qualified")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    TERMINATED = "terminated", _("Terminated")


# From each status, the statuses a partner may move to. A terminated partner can only start
# again as a prospect (it must be qualified anew).
STATUS_TRANSITIONS: dict[str, tuple[str, ...]] = {
    PartnerStatus.PROSPECT: (PartnerStatus.QUALIFIED, PartnerStatus.TERMINATED),
    PartnerStatus.QUALIFIED: (
        PartnerStatus.ACTIVE,
        PartnerStatus.SUSPENDED,
        PartnerStatus.TERMINATED,
    ),
    PartnerStatus.ACTIVE: (PartnerStatus.SUSPENDED, PartnerStatus.TERMINATED),
    PartnerStatus.SUSPENDED: (PartnerStatus.ACTIVE, PartnerStatus.TERMINATED),
    PartnerStatus.TERMINATED: (PartnerStatus.PROSPECT,),
}


class ContactRole(models.TextChoices):
    ACCOUNT_MANAGER = "account_manager", _("Account manager")
    QUALITY = "quality", _("Quality contact")
    FINANCE = "finance", _("Finance contact")
    LOGISTICS = "logistics", _("Logistics contact")
    TECHNICAL = "technical", _("Technical contact")
    ESCALATION_1 = "escalation_1", _("Escalation level 1")
    ESCALATION_2 = "escalation_2", _("Escalation level 2")
    ESCALATION_3 = "escalation_3", _("Escalation level 3")
    OTHER = "other", _("Other")


class OwnerRole(models.TextChoices):
    RELATIONSHIP = "relationship", _("Relationship owner")
    QUALITY = "quality", _("Quality owner")
    FINANCE = "finance", _("Finance owner")
    ESCALATION_1 = "escalation_1", _("Escalation level 1")
    ESCALATION_2 = "escalation_2", _("Escalation level 2")
    ESCALATION_3 = "escalation_3", _("Escalation level 3")


class CertificationStandard(models.TextChoices):
    ISO_9001 = "iso_9001", "ISO 9001"
    ISO_14001 = "iso_14001", "ISO 14001"
    IATF_16949 = "iatf_16949", "IATF 16949"
    ISO_27001 = "iso_27001", "ISO/IEC 27001"
    ISO_45001 = "iso_45001", "ISO 45001"
    ISO_13485 = "iso_13485", "ISO 13485"
    OTHER = "other", _("Other")


# Days before expiry at which owners are reminded.
CERTIFICATION_REMINDER_DAYS = (90, 60, 30)


class DocumentType(models.TextChoices):
    CONTRACT = "contract", _("Contract")
    NDA = "nda", _("Non-disclosure agreement")
    CERTIFICATE = "certificate", _("Certificate")
    AUDIT_REPORT = "audit_report", _("Audit report")
    INSURANCE = "insurance", _("Insurance")
    BANK_DETAILS = "bank_details", _("Bank details")
    TAX_REGISTRATION = "tax_registration", _("Tax registration")
    SPECIFICATION = "specification", _("Specification")
    OTHER = "other", _("Other")


# What may be uploaded: extension -> content types accepted for it. The file's first bytes are
# checked too (see services.documents), so a renamed executable is refused.
ALLOWED_UPLOADS: dict[str, tuple[str, ...]] = {
    ".pdf": ("application/pdf",),
    ".png": ("image/png",),
    ".jpg": ("image/jpeg",),
    ".jpeg": ("image/jpeg",),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",),
    ".csv": ("text/csv", "text/plain", "application/vnd.ms-excel"),
    ".txt": ("text/plain",),
}
