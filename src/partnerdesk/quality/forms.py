"""Forms of the quality pages (inspection, nonconformances and 8D, costs). They give the
shapes and parse the input; the services enforce the rules and their errors are put next to
the fields (``core.views_helpers.save_form``)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnerdesk.core.currencies import CURRENCY_CHOICES
from partnerdesk.quality.choices import (
    CostKind,
    Disposition,
    Effectiveness,
    InspectionLevel,
    NCSeverity,
    NCSource,
    ParameterKind,
)
from partnerdesk.quality.engines.sampling_tables import AQL_VALUES

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _reading(label, **kwargs):
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=14,
        decimal_places=4,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 8}),
        **kwargs,
    )


def _text(label, *, rows=3, required=True, max_length=None, **kwargs):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kwargs,
    )


def _user_label(user) -> str:
    return user.get_full_name() or user.username


class _UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _user_label(obj)


# --- inspection standards ---------------------------------------------------------------------


class StandardForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=30)
    name = forms.CharField(label=_("Name"), max_length=150)
    item = forms.CharField(
        label=_("Item"),
        max_length=80,
        required=False,
        help_text=_("The order lines' item this standard applies to; or choose a category."),
    )
    category = forms.ModelChoiceField(
        label=_("Item category"),
        queryset=None,
        required=False,
        help_text=_("Applies to the category's items that no standard names."),
    )
    level = forms.ChoiceField(
        label=_("Inspection level"), choices=InspectionLevel.choices, initial=InspectionLevel.II
    )
    aql = forms.ChoiceField(
        label=_("AQL"),
        choices=[(value, value) for value in AQL_VALUES],
        initial="1.0",
        help_text=_("Acceptance quality limit, in percent nonconforming (ISO 2859-1)."),
    )
    allow_reduced = forms.BooleanField(
        label=_("Reduced inspection allowed"),
        required=False,
        initial=True,
        help_text=_("Switch to reduced inspection once the switching score reaches 30."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    notes = _text(_("Notes"), required=False)

    def __init__(self, *args, categories, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories
        if editing:
            del self.fields["code"]
        else:
            del self.fields["is_active"]

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["item"] = (data.get("item") or "").strip()
        return data


class ParameterForm(forms.Form):
    code = forms.SlugField(
        label=_("Code"),
        max_length=30,
        help_text=_("Short name used in reading files, e.g. moisture."),
    )
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=ParameterKind.choices)
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False)
    target = _reading(_("Target"))
    lower_limit = _reading(_("Lower limit"))
    upper_limit = _reading(_("Upper limit"))
    plausible_min = _reading(
        _("Plausible minimum"), help_text=_("Readings below are refused as typing errors.")
    )
    plausible_max = _reading(
        _("Plausible maximum"), help_text=_("Readings above are refused as typing errors.")
    )
    defect_type = forms.ModelChoiceField(
        label=_("Defect when out of limits"), queryset=None, required=False
    )

    def __init__(self, *args, defect_types, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["defect_type"].queryset = defect_types


# --- lots --------------------------------------------------------------------------------------


class LotOpenForm(forms.Form):
    lot_size = forms.IntegerField(
        label=_("Lot size (units)"),
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text=_("The number of units (pieces, bags, boxes) in the lot; sets the sample size."),
    )
    standard = forms.ModelChoiceField(label=_("Inspection standard"), queryset=None)
    inspector = _UserChoice(label=_("Inspector"), queryset=None, required=False)

    def __init__(self, *args, standards, inspectors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["standard"].queryset = standards
        self.fields["inspector"].queryset = inspectors


class ReadingsImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class DispositionForm(forms.Form):
    disposition = forms.ChoiceField(label=_("Disposition"), choices=Disposition.choices)
    quantity_accepted = forms.DecimalField(
        label=_("Good quantity found by sorting"),
        required=False,
        max_digits=16,
        decimal_places=3,
        min_value=0,
        help_text=_("Only for sorting: what passed and is accepted."),
    )
    concession_reference = forms.CharField(
        label=_("Concession reference"),
        max_length=60,
        required=False,
        help_text=_("Required to use the lot as is."),
    )
    note = _text(_("Note"), required=False)
    cost_amount = forms.DecimalField(
        label=_("Cost"),
        required=False,
        max_digits=16,
        decimal_places=2,
        min_value=0,
        help_text=_("Optional: recorded as a cost event in the order's currency."),
    )
    chargeback = forms.BooleanField(
        label=_("Charge the cost back to the partner"), required=False, initial=True
    )


class ResumeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("E.g. the supplier's corrective action that was accepted."),
    )


# --- nonconformances ---------------------------------------------------------------------------


class NonconformanceForm(forms.Form):
    source = forms.ChoiceField(label=_("Source"), choices=NCSource.choices)
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=None, required=False)
    defect_type = forms.ModelChoiceField(label=_("Defect"), queryset=None)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = _text(_("Description"), rows=4, required=False)
    detected_on = forms.DateField(label=_("Detected on"), widget=DATE)
    reported_severity = forms.ChoiceField(
        label=_("Severity"),
        choices=NCSeverity.choices,
        help_text=_("A repeat within 12 months raises it one step."),
    )
    quantity_affected = forms.DecimalField(
        label=_("Quantity affected"),
        required=False,
        max_digits=16,
        decimal_places=3,
        min_value=0,
    )
    unit = forms.CharField(label=_("Unit"), max_length=12, required=False)
    cost_amount = forms.DecimalField(
        label=_("Cost of poor quality"),
        required=False,
        max_digits=16,
        decimal_places=2,
        min_value=0,
    )
    currency = forms.ChoiceField(
        label=_("Currency"), choices=[("", "—"), *CURRENCY_CHOICES], required=False
    )
    customer_reference = forms.CharField(
        label=_("Customer reference"),
        max_length=60,
        required=False,
        help_text=_("Required for a customer complaint."),
    )
    owner = _UserChoice(label=_("Owner"), queryset=None, required=False)

    # Fields that stay as recorded once the nonconformance exists.
    FIXED = ("source", "partner", "defect_type", "detected_on")

    def __init__(self, *args, partners, defect_types, owners, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners
        self.fields["defect_type"].queryset = defect_types
        self.fields["owner"].queryset = owners
        if editing:
            for name in self.FIXED:
                del self.fields[name]
        else:
            self.fields["detected_on"].initial = timezone.localdate

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("unit", "customer_reference", "description", "currency"):
            if name in data:
                data[name] = (data[name] or "").strip()
        return data


class NoteForm(forms.Form):
    note = _text(_("How it was resolved"))


class ReasonForm(forms.Form):
    reason = _text(_("Reason"), rows=2)


class ActionOpenForm(forms.Form):
    owner = _UserChoice(
        label=_("Quality engineer"),
        queryset=None,
        required=False,
        help_text=_("Reviews the stages; you when left empty."),
    )

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners


# --- 8D ----------------------------------------------------------------------------------------


class StageSubmitForm(forms.Form):
    content = _text(_("What was done"), rows=5)


class StageAcceptForm(forms.Form):
    note = forms.CharField(label=_("Review note"), max_length=500, required=False)


class StageSendBackForm(forms.Form):
    note = _text(_("What is missing"), rows=2)


class StageDueForm(forms.Form):
    due_at = forms.DateTimeField(
        label=_("New due time"),
        widget=DATETIME,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)


class EffectivenessForm(forms.Form):
    result = forms.ChoiceField(
        label=_("Result"), choices=Effectiveness.choices, widget=forms.RadioSelect
    )
    note = _text(
        _("Evidence checked"),
        help_text=_("E.g. the lots inspected since the actions were implemented."),
    )


# --- costs -------------------------------------------------------------------------------------


class CostForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CostKind.choices)
    occurred_on = forms.DateField(label=_("Occurred on"), widget=DATE)
    amount = forms.DecimalField(label=_("Amount"), max_digits=16, decimal_places=2, min_value=0)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)
    partner = forms.ModelChoiceField(label=_("Partner responsible"), queryset=None, required=False)
    team = forms.ModelChoiceField(label=_("Team responsible"), queryset=None, required=False)
    nonconformance = forms.CharField(
        label=_("Nonconformance"),
        max_length=20,
        required=False,
        help_text=_("Its number, e.g. NC-2026-0001."),
    )
    lot_inspection = forms.CharField(
        label=_("Lot inspection"),
        max_length=20,
        required=False,
        help_text=_("Its number, e.g. LOT-2026-0001."),
    )
    quantity = forms.DecimalField(
        label=_("Quantity lost"), required=False, max_digits=16, decimal_places=3, min_value=0
    )
    unit = forms.CharField(label=_("Unit"), max_length=12, required=False)
    description = forms.CharField(label=_("Description"), max_length=300)
    chargeback = forms.BooleanField(label=_("Charge back to the partner"), required=False)

    def __init__(self, *args, partners, teams, nonconformances, lots, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners
        self.fields["team"].queryset = teams
        self._nonconformances, self._lots = nonconformances, lots
        self.fields["occurred_on"].initial = timezone.localdate

    def _by_number(self, name, queryset, message):
        number = (self.cleaned_data.get(name) or "").strip().upper()
        if not number:
            return None
        found = queryset.filter(number=number).first()
        if found is None:
            raise forms.ValidationError(message % {"number": number})
        return found

    def clean_nonconformance(self):
        return self._by_number(
            "nonconformance", self._nonconformances, _("No nonconformance %(number)s.")
        )

    def clean_lot_inspection(self):
        return self._by_number("lot_inspection", self._lots, _("No lot inspection %(number)s."))

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["unit"] = (data.get("unit") or "").strip()
        return data


class CostCorrectForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Correct amount"),
        max_digits=16,
        decimal_places=2,
        min_value=0,
        help_text=_("0 withdraws the cost: only the reversing entry is written."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)
