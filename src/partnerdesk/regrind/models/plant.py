"""The plant: production lines, their dosing units, products with a regrind specification, the
product running on a line over time, shifts and the team on shift on a line."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerdesk.core.currencies import CURRENCY_CHOICES
from partnerdesk.core.models import TimeStampedModel
from partnerdesk.core.permissions import RestrictedManager

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class ProductionLine(TimeStampedModel):
    """A production line of the manufacturing center; its dosing units mix regrind into the
    virgin material."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=150)
    manager = models.ForeignKey(
        "organisation.Person",
        verbose_name=_("line manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_lines",
        help_text=_("Receives the line's alerts when no team is on shift."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = RestrictedManager()
    partner_path = None

    class Meta:
        ordering = ["code"]
        verbose_name = _("production line")

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class DosingUnit(TimeStampedModel):
    """A dosing machine on a line. ``code`` is the machine id its exports and posts carry."""

    line = models.ForeignKey(
        ProductionLine,
        verbose_name=_("line"),
        on_delete=models.PROTECT,
        related_name="units",
    )
    code = models.CharField(_("machine id"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=150)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Readings of an inactive unit are refused.")
    )

    objects = RestrictedManager()
    partner_path = None

    class Meta:
        ordering = ["code"]
        verbose_name = _("dosing unit")

    def __str__(self) -> str:
        return self.code


class RegrindProduct(TimeStampedModel):
    """A product made on the lines, with its regrind specification (percent of regrind in the
    mix) and the prices that put a cost on a deviation."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=150)
    target_ratio = models.DecimalField(
        _("target regrind ratio (%)"), max_digits=5, decimal_places=2, validators=PERCENT
    )
    tolerance = models.DecimalField(
        _("tolerance (± percentage points)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    max_ratio = models.DecimalField(
        _("maximum allowed ratio (%)"),
        max_digits=5,
        decimal_places=2,
        validators=PERCENT,
        help_text=_("Above it the part is a quality risk."),
    )
    nominal_batch_kg = models.DecimalField(
        _("nominal batch mass (kg)"),
        max_digits=10,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0.001"))],
        help_text=_("Prices readings that carry only the ratio, without masses."),
    )
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    virgin_price_per_kg = models.DecimalField(
        _("virgin material price per kg"), max_digits=12, decimal_places=4
    )
    regrind_price_per_kg = models.DecimalField(
        _("regrind price per kg"), max_digits=12, decimal_places=4
    )
    risk_cost_per_kg = models.DecimalField(
        _("quality risk cost per kg above the maximum"),
        max_digits=12,
        decimal_places=4,
        help_text=_("What a kilogram of regrind above the maximum is expected to cost."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = RestrictedManager()
    partner_path = None

    class Meta:
        ordering = ["code"]
        verbose_name = _("product")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_ratio__gte=models.F("target_ratio")),
                name="regrind_product_max_not_below_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    @property
    def lsl(self) -> Decimal:
        """Lower specification limit: target less the tolerance, not below zero."""
        return max(Decimal("0"), self.target_ratio - self.tolerance)

    @property
    def usl(self) -> Decimal:
        """Upper specification limit: target plus the tolerance, capped by the maximum."""
        return min(self.target_ratio + self.tolerance, self.max_ratio)

    def clean(self):
        errors = {}
        target, maximum = self.target_ratio, self.max_ratio
        if target is not None and maximum is not None and maximum < target:
            errors["max_ratio"] = _("The maximum cannot be below the target.")
        for field in ("virgin_price_per_kg", "regrind_price_per_kg", "risk_cost_per_kg"):
            value = getattr(self, field)
            if value is not None and value < 0:
                errors[field] = _("A price cannot be negative.")
        if errors:
            raise ValidationError(errors)


class ProductRun(TimeStampedModel):
    """The product running on a line from ``starts_at`` until ``ends_at`` (open: still
    running). Readings take the specification of the product running at their time."""

    line = models.ForeignKey(
        ProductionLine, verbose_name=_("line"), on_delete=models.PROTECT, related_name="runs"
    )
    product = models.ForeignKey(
        RegrindProduct, verbose_name=_("product"), on_delete=models.PROTECT, related_name="runs"
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)

    objects = RestrictedManager()
    partner_path = None

    class Meta:
        ordering = ["line", "-starts_at"]
        verbose_name = _("product run")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__isnull=True)
                | models.Q(ends_at__gt=models.F("starts_at")),
                name="regrind_run_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["line", "starts_at"], name="regrind_run_line_start_uniq"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line.code}: {self.product.code} from {self.starts_at:%Y-%m-%d %H:%M}"


class Shift(TimeStampedModel):
    """A shift of the working day (early, late, night). ``hours`` may cross midnight."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=80)
    start_time = models.TimeField(_("starts at"))
    hours = models.PositiveSmallIntegerField(
        _("length (hours)"), validators=[MinValueValidator(1), MaxValueValidator(24)]
    )

    objects = RestrictedManager()
    partner_path = None

    class Meta:
        ordering = ["start_time"]
        verbose_name = _("shift")

    def __str__(self) -> str:
        return self.name


class ShiftAssignment(TimeStampedModel):
    """A team on shift on a line from ``starts_at`` to ``ends_at``: the readings of the line's
    units in that time belong to that team. Assignments of a line never overlap."""

    line = models.ForeignKey(
        ProductionLine,
        verbose_name=_("line"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    team = models.ForeignKey(
        "organisation.Team",
        verbose_name=_("team"),
        on_delete=models.PROTECT,
        related_name="shift_assignments",
    )
    shift = models.ForeignKey(
        Shift,
        verbose_name=_("shift"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))

    objects = RestrictedManager()
    partner_path = None

    class Meta:
        ordering = ["line", "starts_at"]
        verbose_name = _("shift assignment")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="regrind_assignment_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["line", "starts_at"], name="regrind_assignment_line_start_uniq"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line.code}: {self.team} {self.starts_at:%Y-%m-%d %H:%M}"
