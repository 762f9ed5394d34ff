"""The contact directory on both sides: people at the partner and our internal owners."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerdesk.core.models import TimeStampedModel
from partnerdesk.core.permissions import RestrictedManager
from partnerdesk.partners.choices import ContactRole, OwnerRole


class PartnerContact(TimeStampedModel):
    """A person at the partner, with the role they play for us."""

    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partner"),
        on_delete=models.CASCADE,
        related_name="contacts",
    )
    name = models.CharField(_("name"), max_length=150)
    role = models.CharField(_("role"), max_length=20, choices=ContactRole.choices)
    job_title = models.CharField(_("job title"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)
    notes = models.TextField(_("notes"), blank=True)

    objects = RestrictedManager()
    partner_path = "partner"

    class Meta:
        ordering = ["partner", "role", "name"]
        verbose_name = _("partner contact")
        constraints = [
            models.UniqueConstraint(
                fields=["partner"],
                condition=models.Q(is_primary=True),
                name="partners_contact_one_primary_per_partner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"


class InternalOwner(TimeStampedModel):
    """One of our people responsible for a partner in a given role."""

    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partner"),
        on_delete=models.CASCADE,
        related_name="internal_owners",
    )
    person = models.ForeignKey(
        "organisation.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="partner_roles",
    )
    role = models.CharField(_("role"), max_length=20, choices=OwnerRole.choices)

    objects = RestrictedManager()
    # Internal owners are our side of the directory: partner users do not see them.
    partner_path = None

    class Meta:
        ordering = ["partner", "role"]
        verbose_name = _("internal owner")
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "person", "role"], name="partners_owner_partner_person_role_uniq"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()})"
