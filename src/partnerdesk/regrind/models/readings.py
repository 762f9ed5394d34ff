"""Dosing readings and the ingests that brought them.

A reading is one dosing batch (or shot) of a unit: its time, the regrind and virgin masses when
the machine reports them, and the ratio (percent of regrind). At ingest each reading is stamped
with its line, the product running and the team on shift, and its moving range (the change
from the unit's previous reading, left empty across a team or product change), so that
rankings and charts read one table. Measurements are floats: they come from instruments, and
SPC works in floating point; money computed from them is Decimal.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerdesk.core.permissions import RestrictedManager
from partnerdesk.regrind.choices import IngestSource, IngestStatus


class ReadingIngest(models.Model):
    """One CSV file or one machine post: what came in, what was stored, skipped and refused."""

    source = models.CharField(_("source"), max_length=10, choices=IngestSource.choices)
    filename = models.CharField(_("file"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=IngestStatus.choices, default=IngestStatus.RUNNING
    )
    strict = models.BooleanField(
        _("all or nothing"),
        default=False,
        help_text=_("Store nothing when any row is refused."),
    )
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rows = models.PositiveIntegerField(_("rows"), default=0)
    stored = models.PositiveIntegerField(_("stored"), default=0)
    duplicates = models.PositiveIntegerField(
        _("already stored"),
        default=0,
        help_text=_("Rows whose machine and time were stored before: a resend changes nothing."),
    )
    refused = models.PositiveIntegerField(_("refused"), default=0)
    first_at = models.DateTimeField(_("first reading"), null=True, blank=True)
    last_at = models.DateTimeField(_("last reading"), null=True, blank=True)
    message = models.TextField(_("message"), blank=True)

    objects = RestrictedManager()
    partner_path = None

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("reading ingest")

    def __str__(self) -> str:
        return f"{self.get_source_display()} #{self.pk}"


class RejectedReading(models.Model):
    """A row an ingest refused, kept with its raw text and the reasons, so nothing is lost:
    fix it and send it again."""

    ingest = models.ForeignKey(
        ReadingIngest,
        verbose_name=_("ingest"),
        on_delete=models.CASCADE,
        related_name="rejections",
    )
    row = models.PositiveIntegerField(_("row"))
    raw = models.TextField(_("row as received"))
    errors = models.JSONField(_("errors"), default=list)

    objects = RestrictedManager()
    partner_path = None

    class Meta:
        ordering = ["ingest", "row"]
        verbose_name = _("refused reading")
        constraints = [
            models.UniqueConstraint(fields=["ingest", "row"], name="regrind_rejected_row_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.ingest} row {self.row}"


class Reading(models.Model):
    """One dosing batch of a unit. Unique on unit and time: a resend stores nothing twice.

    Line, product, team and ingest are stamped by the ingest from rows it has just read, and
    their rows are protected from deletion by the ORM (``PROTECT``); the database does not check
    those four references again on every insert (each check is an index lookup per reading, a
    fifth of the insert time at volume). The unit, which comes from the sender, is checked.
    """

    unit = models.ForeignKey(
        "regrind.DosingUnit",
        verbose_name=_("dosing unit"),
        on_delete=models.PROTECT,
        related_name="readings",
        db_index=False,  # the unique (unit, time) index leads with the unit
    )
    taken_at = models.DateTimeField(_("time"))
    batch = models.CharField(_("batch or shot"), max_length=40, blank=True)
    regrind_kg = models.FloatField(_("regrind (kg)"), null=True, blank=True)
    virgin_kg = models.FloatField(_("virgin (kg)"), null=True, blank=True)
    ratio = models.FloatField(_("regrind ratio (%)"))
    moving_range = models.FloatField(_("moving range"), null=True, blank=True)
    line = models.ForeignKey(
        "regrind.ProductionLine",
        verbose_name=_("line"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,  # see the class docstring
    )
    product = models.ForeignKey(
        "regrind.RegrindProduct",
        verbose_name=_("product"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,  # see the class docstring
    )
    team = models.ForeignKey(
        "organisation.Team",
        verbose_name=_("team"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,  # see the class docstring
    )
    ingest = models.ForeignKey(
        ReadingIngest,
        verbose_name=_("ingest"),
        on_delete=models.PROTECT,
        related_name="readings",
        db_index=False,
        db_constraint=False,  # see the class docstring
    )

    objects = RestrictedManager()
    partner_path = None

    class Meta:
        ordering = ["unit", "taken_at"]
        verbose_name = _("reading")
        # One index only (inserts at volume pay for each index): unit and time serve the
        # charts, the resend check and, unit by unit, the month's ranking.
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "taken_at"], name="regrind_reading_unit_time_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.taken_at:%Y-%m-%d %H:%M:%S} {self.ratio:.2f} %"
