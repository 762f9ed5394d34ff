"""Forms of the SPC pages: the window of a chart, a baseline, the rule switches, a new chart,
acknowledging a signal, uploading readings and computing a ranking. They parse the input;
the services enforce the rules and their errors are put next to the fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from partnerdesk.regrind.choices import ChartKind
from partnerdesk.regrind.filters_spc import parse_month
from partnerdesk.regrind.rule_labels import RULE_GROUPS, RULE_LABELS
from partnerdesk.regrind.services.ranking import MIN_READINGS
from partnerdesk.regrind.services.signals import NOTE_MAX

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
MAX_WINDOW_POINTS = 100_000
DEFAULT_WINDOW_POINTS = 300


class WindowForm(forms.Form):
    """Which readings a chart shows: the last N points, or those from one time to another."""

    last = forms.IntegerField(
        label=_("Last points"),
        required=False,
        min_value=2,
        max_value=MAX_WINDOW_POINTS,
        help_text=_("Used when no time range is given."),
        widget=forms.NumberInput(attrs={"size": 6}),
    )
    start = forms.DateTimeField(label=_("From"), required=False, widget=DATETIME)
    end = forms.DateTimeField(label=_("To"), required=False, widget=DATETIME)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start >= end:
            self.add_error("end", _("The window must end after it starts."))
        return data

    def window(self) -> dict:
        """Keyword arguments for ``chart_analysis`` (the default window when invalid)."""
        if not self.is_bound or not self.is_valid():
            return {"last": DEFAULT_WINDOW_POINTS}
        data = self.cleaned_data
        if data.get("start") or data.get("end"):
            return {"start": data.get("start"), "end": data.get("end")}
        return {"last": data.get("last") or DEFAULT_WINDOW_POINTS}


class BaselineForm(forms.Form):
    start = forms.DateTimeField(label=_("Baseline from"), widget=DATETIME)
    end = forms.DateTimeField(label=_("Baseline to"), widget=DATETIME)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=300,
        help_text=_("Why these limits: a new material, a repaired doser, a stable period."),
    )


def rule_choices() -> list[tuple[str, str]]:
    return [(code, RULE_LABELS[code]) for _group, codes in RULE_GROUPS for code in codes]


class RulesForm(forms.Form):
    rules = forms.MultipleChoiceField(
        label=_("Run rules"),
        required=False,
        choices=rule_choices,
        widget=forms.CheckboxSelectMultiple,
    )


class ChartCreateForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Dosing unit"), queryset=None)
    kind = forms.ChoiceField(label=_("Chart"), choices=ChartKind.choices)
    subgroup_size = forms.IntegerField(
        label=_("Subgroup size"),
        required=False,
        min_value=2,
        max_value=25,
        help_text=_("For X̄-R and X̄-S: 2 to 25 consecutive readings (5 when left empty)."),
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class AcknowledgeForm(forms.Form):
    note = forms.CharField(
        label=_("Cause and action"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What caused the signal and what was done about it."),
    )
    with_earlier = forms.BooleanField(
        label=_("Also the earlier open signals of this rule on this chart"),
        required=False,
        initial=True,
        help_text=_("A run that keeps going signals on every point; one note can cover it."),
    )


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("An equipment export: one reading per line, with a header row."),
    )
    strict = forms.BooleanField(
        label=_("All or nothing"),
        required=False,
        help_text=_("Store nothing when any row is refused."),
    )


class RankingComputeForm(forms.Form):
    month = forms.CharField(
        label=_("Month"),
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"}),
    )
    min_readings = forms.IntegerField(
        label=_("Fewest readings to be ranked"),
        min_value=1,
        max_value=10_000_000,
        initial=MIN_READINGS,
    )

    def clean_month(self):
        month = parse_month(self.cleaned_data["month"])
        if month is None:
            raise forms.ValidationError(_("Give the month as YYYY-MM."))
        return month
