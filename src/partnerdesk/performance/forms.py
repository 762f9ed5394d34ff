"""Forms of the performance app. They validate shapes; the services enforce the rules."""

import datetime

from django import forms
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from partnerdesk.core.errors import InvalidInput
from partnerdesk.performance.choices import Aggregation, MetricSource
from partnerdesk.performance.models import Metric, ServiceLevelTerms
from partnerdesk.performance.periods import parse_period
from partnerdesk.performance.services.import_files import FIELDS as IMPORT_FIELDS
from partnerdesk.performance.sources import SOURCES

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MetricForm(forms.ModelForm):
    derived_source = forms.ChoiceField(label=_("Derived source"), required=False)

    class Meta:
        model = Metric
        fields = [
            "code",
            "name",
            "description",
            "unit",
            "direction",
            "aggregation",
            "scale",
            "source",
            "derived_source",
            "decimals",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["derived_source"].choices = [("", "—")] + [
            (code, source.label) for code, source in sorted(SOURCES.items())
        ]
        self.fields["derived_source"].help_text = _("Only for metrics derived from platform data.")

    def validate_unique(self):
        # Uniqueness and the cross-field rules are checked by the service.
        pass

    def _post_clean(self):
        # The model's clean() runs in the service, so the UI and the API say the same thing.
        pass


class ServiceLevelForm(forms.Form):
    metric = forms.ModelChoiceField(label=_("Metric"), queryset=Metric.objects.none())
    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        required=False,
        help_text=_("Leave blank to use the metric's name."),
    )

    def __init__(self, *args, metrics=None, **kwargs):
        super().__init__(*args, **kwargs)
        if metrics is not None:
            self.fields["metric"].queryset = metrics


TERMS_FORM_FIELDS = [
    "target",
    "critical",
    "credit_model",
    "percent_per_point",
    "fixed_amount",
    "fixed_percent",
    "pool_allocation_percent",
    "earn_back_periods",
    "note",
]
# The fields each credit model uses; the others are sent empty.
MODEL_FIELDS = {
    "tiered": set(),
    "per_point": {"percent_per_point"},
    "fixed_amount": {"fixed_amount"},
    "fixed_percent": {"fixed_percent"},
}


class TermsForm(forms.Form):
    """One version of a service level's terms; the credit table is the ``TierFormSet``."""

    def __init__(self, *args, with_effective_from: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if with_effective_from:
            self.fields["effective_from"] = forms.DateField(
                label=_("Effective from"),
                widget=DATE,
                help_text=_("Must lie after the last closed month."),
            )
        self.fields.update(fields_for_model(ServiceLevelTerms, fields=TERMS_FORM_FIELDS))
        self.fields["note"].widget = forms.TextInput(attrs={"size": 60})

    def terms_data(self, tiers: list[dict]) -> dict:
        """What ``terms_add_version`` takes: the fields of the chosen credit model only."""
        data = {name: self.cleaned_data[name] for name in TERMS_FORM_FIELDS}
        used = MODEL_FIELDS.get(data["credit_model"], set())
        for name in ("percent_per_point", "fixed_amount", "fixed_percent"):
            if name not in used:
                data[name] = None
        data["tiers"] = tiers if data["credit_model"] == "tiered" else []
        if data["pool_allocation_percent"] is None:
            data.pop("pool_allocation_percent")
        return data


class TierForm(forms.Form):
    threshold = forms.DecimalField(label=_("Threshold"), required=False, max_digits=14)
    percent_of_fee = forms.DecimalField(label=_("% of fee"), required=False, max_digits=6)

    def clean(self):
        data = super().clean()
        threshold, percent = data.get("threshold"), data.get("percent_of_fee")
        if (threshold is None) != (percent is None) and not self.errors:
            raise forms.ValidationError(_("Give both the threshold and the percentage of the fee."))
        return data

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return data.get("threshold") is None and data.get("percent_of_fee") is None


TierFormSet = forms.formset_factory(TierForm, extra=3, max_num=40, validate_max=True)


def number_rows(formset) -> None:
    """Number the filled rows of the grid 1, 2, … as the engine numbers its problems (blank
    rows are skipped), so "Row 2: …" points at the row labelled 2."""
    number = 0
    for form in formset.forms:
        filled = any(form[name].value() not in (None, "") for name in form.fields)
        number += filled
        form.row_number = number if filled else None


def tier_rows(formset) -> list[dict]:
    """The filled rows of a valid tier grid, in the order entered."""
    return [
        {
            "threshold": str(form.cleaned_data["threshold"]),
            "percent_of_fee": str(form.cleaned_data["percent_of_fee"]),
        }
        for form in formset.forms
        if not form.is_blank
    ]


def tiers_initial(terms) -> list[dict]:
    return [
        {"threshold": row["threshold"], "percent_of_fee": row["percent_of_fee"]}
        for row in (terms.tiers if terms else [])
    ]


class MonthField(forms.CharField):
    """A month written YYYY-MM (an ``<input type=month>``), cleaned to its first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-10"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return parse_period(value)
        except InvalidInput as exc:
            raise forms.ValidationError(exc.message) from exc

    def prepare_value(self, value):
        if isinstance(value, datetime.date):
            return value.strftime("%Y-%m")
        return value


class ExclusionRequestForm(forms.Form):
    period = MonthField(label=_("Month"))
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("What happened, and which clause excuses it."),
    )


class MeasurementGridForm(forms.Form):
    contract = forms.ModelChoiceField(label=_("Contract"), queryset=None, required=False)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)

    def __init__(self, *args, contracts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = contracts


class MeasurementValuesForm(forms.Form):
    """The value (or numerator and denominator for a ratio) and the evidence."""

    value = forms.DecimalField(label=_("Value"), required=False, max_digits=16, decimal_places=4)
    numerator = forms.DecimalField(
        label=_("Numerator"), required=False, max_digits=18, decimal_places=4
    )
    denominator = forms.DecimalField(
        label=_("Denominator"), required=False, max_digits=18, decimal_places=4
    )
    evidence = forms.CharField(
        label=_("Evidence"),
        required=False,
        max_length=300,
        help_text=_("Where the value comes from: report, file, link."),
    )

    def show_fields_of(self, metric: Metric | None) -> None:
        """Ratio metrics take numerator and denominator, the others a value."""
        if metric is None:
            return
        if metric.aggregation == Aggregation.RATIO:
            del self.fields["value"]
        else:
            del self.fields["numerator"]
            del self.fields["denominator"]

    def values(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in ("value", "numerator", "denominator")}


class MeasurementForm(MeasurementValuesForm):
    contract = forms.ModelChoiceField(label=_("Contract"), queryset=None)
    metric = forms.ModelChoiceField(label=_("Metric"), queryset=None)
    measured_on = forms.DateField(label=_("Measured on"), widget=DATE)
    field_order = [
        "contract",
        "metric",
        "measured_on",
        "value",
        "numerator",
        "denominator",
        "evidence",
    ]

    def __init__(self, *args, contracts, metrics, metric: Metric | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = contracts
        # Derived metrics are computed at the close, never entered.
        self.fields["metric"].queryset = metrics.exclude(source=MetricSource.DERIVED)
        self.show_fields_of(metric)


class CorrectionForm(MeasurementValuesForm):
    correction_reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=300,
        widget=forms.TextInput(attrs={"size": 60}),
    )


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV or Excel (.xlsx) with the columns contract, metric, measured_on (YYYY-MM-DD), "
            "value, numerator, denominator, evidence."
        ),
    )


class ImportMappingForm(forms.Form):
    """Which column of the file holds each field."""

    def __init__(self, *args, headers: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— not in the file —"))] + [(h, h) for h in headers if h]
        for name, label, required in IMPORT_FIELDS:
            self.fields[name] = forms.ChoiceField(label=label, choices=choices, required=required)

    def mapping(self) -> dict[str, str]:
        return {name: header for name, header in self.cleaned_data.items() if header}
