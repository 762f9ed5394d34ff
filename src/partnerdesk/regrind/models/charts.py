"""Control charts of dosing units, their limits (phase I, versioned) and the signals the run
rules raise on new points (phase II)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerdesk.core.permissions import RestrictedManager
from partnerdesk.regrind.choices import ChartKind, SignalStatus

DEFAULT_RULES = ["we1", "we2", "we3", "we4"]


def default_rules() -> list[str]:
    return list(DEFAULT_RULES)


class ControlChart(models.Model):
    """A control chart of a unit's regrind ratio: I-MR on single readings, or X̄-R / X̄-S on
    subgroups of ``subgroup_size`` consecutive readings. ``rules`` lists the run rules switched
    on; ``limits`` are the limits in force; ``monitored_until`` is the time of the last point
    checked against them."""

    unit = models.ForeignKey(
        "regrind.DosingUnit",
        verbose_name=_("dosing unit"),
        on_delete=models.PROTECT,
        related_name="charts",
    )
    kind = models.CharField(_("chart"), max_length=10, choices=ChartKind.choices)
    subgroup_size = models.PositiveSmallIntegerField(
        _("subgroup size"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(25)],
        help_text=_("1 for individuals; 2 to 25 consecutive readings for X̄-R and X̄-S."),
    )
    rules = models.JSONField(_("run rules"), default=default_rules)
    limits = models.ForeignKey(
        "regrind.ControlLimits",
        verbose_name=_("limits in force"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    monitored_until = models.DateTimeField(_("checked up to"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = RestrictedManager()
    partner_path = None

    class Meta:
        ordering = ["unit__code", "kind"]
        verbose_name = _("control chart")
        constraints = [
            models.UniqueConstraint(fields=["unit", "kind"], name="regrind_chart_unit_kind_uniq"),
            models.CheckConstraint(
                condition=(models.Q(kind="imr") & models.Q(subgroup_size=1))
                | (~models.Q(kind="imr") & models.Q(subgroup_size__gte=2, subgroup_size__lte=25)),
                name="regrind_chart_subgroup_size",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit.code} · {self.get_kind_display()}"


class ControlLimits(models.Model):
    """Limits computed from a baseline (phase I). A new baseline writes a new version; the old
    ones stay, and every signal names the version it was judged against."""

    chart = models.ForeignKey(
        ControlChart,
        verbose_name=_("chart"),
        on_delete=models.CASCADE,
        related_name="limit_versions",
    )
    version = models.PositiveIntegerField(_("version"))
    baseline_start = models.DateTimeField(_("baseline from"))
    baseline_end = models.DateTimeField(_("baseline to"))
    points = models.PositiveIntegerField(_("points"))
    readings = models.PositiveIntegerField(_("readings"))
    center = models.FloatField(_("centre line"))
    ucl = models.FloatField(_("upper control limit"))
    lcl = models.FloatField(_("lower control limit"))
    sigma = models.FloatField(_("process sigma (within)"))
    dispersion_center = models.FloatField(_("dispersion centre line"))
    dispersion_ucl = models.FloatField(_("dispersion upper limit"))
    dispersion_lcl = models.FloatField(_("dispersion lower limit"))
    explanation = models.JSONField(
        _("explanation"),
        default=dict,
        help_text=_("Constants, formulas, specification and capability of the baseline."),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("set"), auto_now_add=True)

    objects = RestrictedManager()
    partner_path = None

    class Meta:
        ordering = ["chart", "-version"]
        verbose_name = _("control limits")
        verbose_name_plural = _("control limits")
        constraints = [
            models.UniqueConstraint(
                fields=["chart", "version"], name="regrind_limits_chart_version_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.chart} v{self.version}"


class Signal(models.Model):
    """A run rule that fired on a point of a chart in phase II. Unique on chart, limits, rule
    and point, so checking the same points again raises nothing twice."""

    chart = models.ForeignKey(
        ControlChart, verbose_name=_("chart"), on_delete=models.CASCADE, related_name="signals"
    )
    limits = models.ForeignKey(
        ControlLimits, verbose_name=_("limits"), on_delete=models.CASCADE, related_name="signals"
    )
    rule = models.CharField(_("rule"), max_length=4)
    point_at = models.DateTimeField(_("point"))
    first_at = models.DateTimeField(_("pattern starts"))
    value = models.FloatField(_("value"))
    line = models.ForeignKey(
        "regrind.ProductionLine",
        verbose_name=_("line"),
        on_delete=models.CASCADE,
        related_name="signals",
    )
    team = models.ForeignKey(
        "organisation.Team",
        verbose_name=_("team on shift"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=15, choices=SignalStatus.choices, default=SignalStatus.OPEN
    )
    alerted = models.BooleanField(_("alert sent"), default=False)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    note = models.TextField(_("cause and action"), blank=True)
    created_at = models.DateTimeField(_("raised"), auto_now_add=True)

    objects = RestrictedManager()
    partner_path = None

    class Meta:
        ordering = ["-point_at", "rule"]
        verbose_name = _("signal")
        constraints = [
            models.UniqueConstraint(
                fields=["chart", "limits", "rule", "point_at"], name="regrind_signal_point_uniq"
            )
        ]
        indexes = [
            models.Index(fields=["line", "status", "-point_at"], name="regrind_signal_line_idx")
        ]

    def __str__(self) -> str:
        return f"{self.chart} {self.rule} @ {self.point_at:%Y-%m-%d %H:%M}"
