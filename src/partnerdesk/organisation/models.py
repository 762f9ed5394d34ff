"""The company's own side: departments, teams and people."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerdesk.core.models import TimeStampedModel
from partnerdesk.core.permissions import RestrictedManager


class DepartmentKind(models.TextChoices):
    OUTSOURCING = "outsourcing", _("Outsourcing")
    FINANCE = "finance", _("Finance")
    QUALITY = "quality", _("Quality")
    MANUFACTURING = "manufacturing", _("Manufacturing center")
    MANAGEMENT = "management", _("Management")
    COMPLIANCE = "compliance", _("Compliance")


class Department(TimeStampedModel):
    """One of the company's departments; ``kind`` ties it to the product's roles."""

    kind = models.CharField(_("kind"), max_length=20, choices=DepartmentKind.choices, unique=True)
    name = models.CharField(_("name"), max_length=100)
    head = models.ForeignKey(
        "Person",
        verbose_name=_("head"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_departments",
    )

    objects = RestrictedManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")

    def __str__(self) -> str:
        return self.name


class Team(TimeStampedModel):
    """A team within a department (a production team, the AP clerks, the auditors)."""

    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="teams"
    )
    name = models.CharField(_("name"), max_length=100)
    lead = models.ForeignKey(
        "Person",
        verbose_name=_("team lead"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_teams",
    )

    objects = RestrictedManager()

    class Meta:
        ordering = ["department__name", "name"]
        verbose_name = _("team")
        constraints = [
            models.UniqueConstraint(
                fields=["department", "name"], name="organisation_team_department_name_uniq"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Person(TimeStampedModel):
    """An employee. Linked to a user when they sign in; some people (line operators) never do."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    full_name = models.CharField(_("full name"), max_length=150)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    job_title = models.CharField(_("job title"), max_length=100, blank=True)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="people"
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = RestrictedManager()

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.full_name

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.team_id and self.department_id and self.team.department_id != self.department_id:
            raise ValidationError({"team": _("The team belongs to another department.")})
