"""Choices of the contracts app and the contract lifecycle."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    EXPIRING = "expiring", _("Expiring")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")


# Moves a person may make. "expiring" and "expired" are also set by the daily job from the end
# date; an amendment that extends the end date brings an expiring contract back to active.
STATUS_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ContractStatus.DRAFT: (ContractStatus.ACTIVE, ContractStatus.TERMINATED),
    ContractStatus.ACTIVE: (ContractStatus.EXPIRING, ContractStatus.TERMINATED),
    ContractStatus.EXPIRING: (
        ContractStatus.ACTIVE,
        ContractStatus.EXPIRED,
        ContractStatus.TERMINATED,
    ),
    ContractStatus.EXPIRED: (),
    ContractStatus.TERMINATED: (),
}

# Days before the end date at which a contract counts as expiring.
EXPIRING_WITHIN_DAYS = 90
CONTRACT_REMINDER_DAYS = (90, 60, 30)


class ReminderKind(models.TextChoices):
    EXPIRY = "expiry", _("Contract expiry")
    NOTICE = "notice", _("Notice deadline")
    REVIEW = "review", _("Review date")


class DeliverableKind(models.TextChoices):
    DELIVERABLE = "deliverable", _("Deliverable")
    MILESTONE = "milestone", _("Milestone")


class DeliverableStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DELIVERED = "delivered", _("Delivered")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class RaciRole(models.TextChoices):
    RESPONSIBLE = "R", _("Responsible")
    ACCOUNTABLE = "A", _("Accountable")
    CONSULTED = "C", _("Consulted")
    INFORMED = "I", _("Informed")
