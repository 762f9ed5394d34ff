"""Forms of the plant set-up pages. They give the shapes and parse the input; the services in
``services/plant.py`` enforce the rules, and their errors are put next to the fields."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from partnerdesk.core.currencies import CURRENCY_CHOICES
from partnerdesk.regrind.services.plant import MAX_ROSTER_DAYS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
ROTATION_TEAMS = 5


class _Editing:
    """Codes are set once: an edit form has no code field."""

    def _drop_code(self, editing: bool) -> None:
        if editing:
            del self.fields["code"]


def team_label(team) -> str:
    return f"{team.name} ({team.department.name})"


class ObjectChoiceField(forms.TypedChoiceField):
    """A choice among objects already read (one query shared by several fields); the cleaned
    value is the object."""

    def __init__(self, *, objects, label_of=str, **kwargs):
        self.by_pk = {str(obj.pk): obj for obj in objects}
        super().__init__(
            choices=[("", "---------")] + [(pk, label_of(obj)) for pk, obj in self.by_pk.items()],
            coerce=self.by_pk.__getitem__,
            empty_value=None,
            **kwargs,
        )


class ObjectMultipleChoiceField(forms.TypedMultipleChoiceField):
    def __init__(self, *, objects, label_of=str, **kwargs):
        self.by_pk = {str(obj.pk): obj for obj in objects}
        super().__init__(
            choices=[(pk, label_of(obj)) for pk, obj in self.by_pk.items()],
            coerce=self.by_pk.__getitem__,
            **kwargs,
        )


def _money(label):
    return forms.DecimalField(label=label, min_value=0, max_digits=12, decimal_places=4)


def _percent(label, **kwargs):
    return forms.DecimalField(
        label=label, min_value=0, max_value=100, max_digits=5, decimal_places=2, **kwargs
    )


class LineForm(_Editing, forms.Form):
    code = forms.CharField(label=_("Code"), max_length=30)
    name = forms.CharField(label=_("Name"), max_length=150)
    manager = forms.ModelChoiceField(
        label=_("Line manager"),
        queryset=None,
        required=False,
        help_text=_("Receives the line's alerts when no team is on shift."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, people, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = people
        self._drop_code(editing)


class UnitForm(_Editing, forms.Form):
    line = forms.ModelChoiceField(label=_("Line"), queryset=None)
    code = forms.CharField(
        label=_("Machine id"),
        max_length=40,
        help_text=_("The id the machine's exports and posts carry; it cannot change later."),
    )
    name = forms.CharField(label=_("Name"), max_length=150)
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        initial=True,
        help_text=_("Readings of an inactive unit are refused."),
    )

    def __init__(self, *args, lines, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = lines
        self._drop_code(editing)


class ProductForm(_Editing, forms.Form):
    code = forms.CharField(label=_("Code"), max_length=30)
    name = forms.CharField(label=_("Name"), max_length=150)
    target_ratio = _percent(_("Target regrind ratio (%)"))
    tolerance = forms.DecimalField(
        label=_("Tolerance (± percentage points)"),
        min_value=Decimal("0.01"),
        max_digits=5,
        decimal_places=2,
        help_text=_(
            "LSL = target - tolerance (not below 0); USL = target + tolerance, capped "
            "by the maximum."
        ),
    )
    max_ratio = _percent(
        _("Maximum allowed ratio (%)"), help_text=_("Above it the part is a quality risk.")
    )
    nominal_batch_kg = forms.DecimalField(
        label=_("Nominal batch mass (kg)"),
        min_value=Decimal("0.001"),
        max_digits=10,
        decimal_places=3,
        help_text=_("Prices readings that carry only the ratio, without masses."),
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)
    virgin_price_per_kg = _money(_("Virgin material price per kg"))
    regrind_price_per_kg = _money(_("Regrind price per kg"))
    risk_cost_per_kg = _money(_("Quality risk cost per kg above the maximum"))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].initial = settings.DEFAULT_CURRENCY
        self._drop_code(editing)


class ShiftForm(_Editing, forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=80)
    start_time = forms.TimeField(
        label=_("Starts at"),
        widget=TIME,
        help_text=_("In the company's time zone."),
    )
    hours = forms.IntegerField(
        label=_("Length (hours)"),
        min_value=1,
        max_value=24,
        help_text=_("A shift may run past midnight (22:00 for 8 hours ends at 06:00)."),
    )

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self._drop_code(editing)


class RunStartForm(forms.Form):
    line = forms.ModelChoiceField(label=_("Line"), queryset=None)
    product = forms.ModelChoiceField(label=_("Product"), queryset=None)
    starts_at = forms.DateTimeField(
        label=_("Starts"),
        widget=DATETIME,
        help_text=_("The product running on the line until then ends at this time."),
    )

    def __init__(self, *args, lines, products, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = lines
        self.fields["product"].queryset = products


class AssignmentForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=DATE, help_text=_("The day the shift starts."))

    def __init__(self, *args, teams, shifts, **kwargs):
        kwargs.setdefault("prefix", "add")
        super().__init__(*args, **kwargs)
        self.fields["team"] = ObjectChoiceField(label=_("Team"), objects=teams, label_of=team_label)
        self.fields["shift"] = ObjectChoiceField(label=_("Shift"), objects=shifts)
        self.order_fields(["team", "shift", "day"])


class RosterForm(forms.Form):
    """The teams in rotation order (the first takes the first shift of the day in the first
    period), the shifts to fill, the days and how often the teams move on."""

    start = forms.DateField(label=_("First day"), widget=DATE)
    end = forms.DateField(label=_("Last day"), widget=DATE)
    rotation_days = forms.IntegerField(
        label=_("Rotate every (days)"), min_value=1, max_value=MAX_ROSTER_DAYS, initial=7
    )

    def __init__(self, *args, teams, shifts, **kwargs):
        kwargs.setdefault("prefix", "roster")
        super().__init__(*args, **kwargs)
        order = []
        for number in range(1, ROTATION_TEAMS + 1):
            name = f"team_{number}"
            self.fields[name] = ObjectChoiceField(
                label=_("Team %(n)s") % {"n": number},
                objects=teams,
                label_of=team_label,
                required=number == 1,
                help_text=_("Teams in rotation order.") if number == 1 else "",
            )
            order.append(name)
        self.fields["shifts"] = ObjectMultipleChoiceField(
            label=_("Shifts"),
            objects=shifts,
            widget=forms.CheckboxSelectMultiple,
            initial=[str(shift.pk) for shift in shifts],
        )
        self.order_fields(order + ["shifts", "start", "end", "rotation_days"])

    def teams(self) -> list:
        """The chosen teams in rotation order (gaps closed)."""
        data = self.cleaned_data
        chosen = (data.get(f"team_{n}") for n in range(1, ROTATION_TEAMS + 1))
        return [team for team in chosen if team is not None]
