"""Incoming inspection: standards per material or part with their parameters, the switching
state per partner and standard, lot inspections of goods receipt lines and their readings."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerdesk.core.models import TimeStampedModel
from partnerdesk.core.permissions import RestrictedManager
from partnerdesk.quality.choices import (
    Disposition,
    InspectionLevel,
    LotStatus,
    ParameterKind,
    Severity,
)


def _reading(label, **kwargs):
    return models.DecimalField(label, max_digits=14, decimal_places=4, **kwargs)


class InspectionStandard(TimeStampedModel):
    """How incoming lots of a material or part are inspected: the parameters and the sampling
    plan (inspection level and AQL, ISO 2859-1). It applies to receipt lines whose order line
    has this ``item`` or, when no standard names the item, this ``category``."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=150)
    item = models.CharField(_("item"), max_length=80, blank=True, db_index=True)
    category = models.ForeignKey(
        "finance.ItemCategory",
        verbose_name=_("item category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspection_standards",
    )
    level = models.CharField(
        _("inspection level"),
        max_length=3,
        choices=InspectionLevel.choices,
        default=InspectionLevel.II,
    )
    aql = models.DecimalField(_("AQL"), max_digits=7, decimal_places=3)
    allow_reduced = models.BooleanField(
        _("reduced inspection allowed"),
        default=True,
        help_text=_(
            "The responsible authority's approval of reduced inspection once the switching "
            "score reaches 30 (ISO 2859-1 clause 9.3.3)."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = RestrictedManager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("inspection standard")

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    def clean(self):
        from django.core.exceptions import ValidationError

        from partnerdesk.quality.engines.sampling import parse_aql

        errors = {}
        if not (self.item or "").strip() and not self.category_id:
            errors["item"] = _("Name the item or the item category the standard applies to.")
        if self.aql is not None:
            try:
                parse_aql(self.aql)
            except ValueError:
                errors["aql"] = _("Not an AQL of ISO 2859-1 (0.010, 0.015, … 1000).")
        if errors:
            raise ValidationError(errors)


class InspectionParameter(models.Model):
    """One characteristic checked on every sample unit. A measured value conforms when it is
    within [lower, upper] (limits included); a reading outside [plausible min, max] is refused
    as a typing or instrument error. A pass/fail parameter takes 1 (pass) or 0 (fail)."""

    standard = models.ForeignKey(
        InspectionStandard, on_delete=models.CASCADE, related_name="parameters"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(
        _("kind"), max_length=10, choices=ParameterKind.choices, default=ParameterKind.MEASURED
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    target = _reading(_("target"), null=True, blank=True)
    lower_limit = _reading(_("lower limit"), null=True, blank=True)
    upper_limit = _reading(_("upper limit"), null=True, blank=True)
    plausible_min = _reading(_("plausible minimum"), null=True, blank=True)
    plausible_max = _reading(_("plausible maximum"), null=True, blank=True)
    defect_type = models.ForeignKey(
        "quality.DefectType",
        verbose_name=_("defect when out of limits"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = RestrictedManager()

    class Meta:
        ordering = ["standard", "position"]
        verbose_name = _("inspection parameter")
        constraints = [
            models.UniqueConstraint(fields=["standard", "code"], name="quality_param_code_uniq"),
            models.UniqueConstraint(
                fields=["standard", "position"], name="quality_param_position_uniq"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})" if self.unit else self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if self.kind == ParameterKind.MEASURED:
            low, high = self.lower_limit, self.upper_limit
            if low is None and high is None:
                errors["lower_limit"] = _("A measured parameter needs a lower or upper limit.")
            elif low is not None and high is not None and low > high:
                errors["upper_limit"] = _("The upper limit is below the lower limit.")
            pmin, pmax = self.plausible_min, self.plausible_max
            if pmin is not None and pmax is not None and pmin > pmax:
                errors["plausible_max"] = _("The plausible maximum is below the minimum.")
            for name, value in (("lower_limit", low), ("upper_limit", high)):
                if value is None:
                    continue
                if (pmin is not None and value < pmin) or (pmax is not None and value > pmax):
                    errors[name] = _("The limit is outside the plausible range.")
        if errors:
            raise ValidationError(errors)


class SamplingState(models.Model):
    """Where the lots of one partner under one standard stand in the switching rules
    (ISO 2859-1 clause 9); updated under a row lock as each lot is decided."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    standard = models.ForeignKey(InspectionStandard, on_delete=models.CASCADE, related_name="+")
    severity = models.CharField(
        _("inspection"), max_length=12, choices=Severity.choices, default=Severity.NORMAL
    )
    # Original-inspection results of the last lots on normal inspection, "A" or "R", oldest first.
    recent = models.CharField(max_length=5, blank=True)
    consecutive_accepted = models.PositiveSmallIntegerField(default=0)
    not_accepted_on_tightened = models.PositiveSmallIntegerField(default=0)
    switching_score = models.PositiveSmallIntegerField(default=0)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedManager()
    partner_path = "partner"

    class Meta:
        verbose_name = _("sampling state")
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "standard"], name="quality_sampling_state_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner_id}/{self.standard_id}: {self.severity}"


class LotInspection(TimeStampedModel):
    """Inspection of one receipt line as a lot. The plan (from the standard and the switching
    state when the inspection is opened) is kept with the inspection; entering the sample's
    readings decides it. A rejected lot holds the receipt line and opens a nonconformance."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    receipt_line = models.OneToOneField(
        "finance.GoodsReceiptLine",
        on_delete=models.PROTECT,
        related_name="lot_inspection",
        verbose_name=_("receipt line"),
    )
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="lot_inspections"
    )
    standard = models.ForeignKey(
        InspectionStandard, on_delete=models.PROTECT, related_name="inspections"
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspector"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    lot_size = models.PositiveIntegerField(_("lot size (units)"))
    level = models.CharField(_("inspection level"), max_length=3)
    aql = models.DecimalField(_("AQL"), max_digits=7, decimal_places=3)
    severity = models.CharField(_("inspection"), max_length=12, choices=Severity.choices)
    code_letter = models.CharField(_("code letter"), max_length=1)
    plan_letter = models.CharField(_("plan letter"), max_length=1)
    sample_size = models.PositiveIntegerField(_("sample size"))
    accept_number = models.PositiveIntegerField(_("Ac"))
    reject_number = models.PositiveIntegerField(_("Re"))
    hundred_percent = models.BooleanField(_("100 % inspection"), default=False)
    plan_explanation = models.CharField(_("plan"), max_length=300)
    status = models.CharField(
        _("status"), max_length=10, choices=LotStatus.choices, default=LotStatus.OPEN
    )
    defectives = models.PositiveIntegerField(_("nonconforming units"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    switching = models.JSONField(_("switching rules"), default=dict, blank=True)
    disposition = models.CharField(
        _("disposition"), max_length=20, choices=Disposition.choices, blank=True
    )
    disposition_note = models.TextField(_("disposition note"), blank=True)
    concession_reference = models.CharField(_("concession"), max_length=60, blank=True)
    disposed_at = models.DateTimeField(_("disposed"), null=True, blank=True)
    disposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedManager()
    partner_path = "partner"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lot inspection")
        indexes = [
            models.Index(fields=["partner", "decided_at"], name="quality_lot_partner_idx"),
            models.Index(fields=["status", "created_at"], name="quality_lot_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sample_size__gt=0) & models.Q(lot_size__gt=0),
                name="quality_lot_sizes_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(disposition="") | models.Q(status="rejected"),
                name="quality_lot_disposition_rejected_only",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class SampleReading(models.Model):
    """The reading of one parameter on one sample unit (unit 1 … sample size)."""

    inspection = models.ForeignKey(LotInspection, on_delete=models.CASCADE, related_name="readings")
    unit_no = models.PositiveIntegerField(_("unit"))
    parameter = models.ForeignKey(
        InspectionParameter, on_delete=models.PROTECT, related_name="readings"
    )
    value = _reading(_("value"))
    conforming = models.BooleanField(_("conforming"))

    objects = RestrictedManager()
    partner_path = "inspection__partner"

    class Meta:
        ordering = ["inspection", "unit_no", "parameter__position"]
        verbose_name = _("sample reading")
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "unit_no", "parameter"], name="quality_reading_uniq"
            ),
            models.CheckConstraint(condition=models.Q(unit_no__gt=0), name="quality_unit_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.inspection_id}/{self.unit_no}/{self.parameter_id}={self.value}"
