"""Forms of the contracts app. They validate shapes; the services enforce the rules.

The RACI and dispute-ladder editors are grids whose columns depend on the contract (our teams,
the partner's contacts), so their fields are built per row in ``__init__``. Their choices are
plain lists computed once, so rendering a grid costs no query per cell.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from partnerdesk.contracts.choices import RaciRole
from partnerdesk.contracts.models import Contract, Deliverable
from partnerdesk.contracts.services.contracts import COMMERCIAL_TERMS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_GRID_ROWS = 200


def _rows_posted(data, default: int) -> int:
    """How many rows a grid was posted with (the hidden ``rows`` field), within bounds."""
    if data is None:
        return default
    try:
        return max(0, min(int(data.get("rows", default)), MAX_GRID_ROWS))
    except (TypeError, ValueError):
        return default


def _aria(row: str, label, **attrs) -> dict:
    """Grid cells have no visible label of their own: name them for screen readers."""
    return {"aria-label": f"{row}: {label}", **attrs}


class ContractForm(forms.ModelForm):
    """The terms of a contract. Without ``partners`` (editing) the partner is fixed; with
    ``commercial_read_only`` (a contract in force) the commercial terms are shown but change
    only by amendment."""

    class Meta:
        model = Contract
        fields = [
            "partner",
            "reference",
            "title",
            "outsourced_scope",
            "objectives",
            "scope_of_work",
            "start_date",
            "end_date",
            "currency",
            "value",
            "monthly_fee",
            "at_risk_percent",
            "payment_terms",
            "auto_renew",
            "renewal_months",
            "notice_days",
            "review_every_months",
            "next_review_date",
            "termination_triggers",
            "termination_notice_days",
            "owner",
        ]
        widgets = {
            "outsourced_scope": forms.Textarea(attrs={"rows": 3}),
            "objectives": forms.Textarea(attrs={"rows": 3}),
            "scope_of_work": forms.Textarea(attrs={"rows": 4}),
            "termination_triggers": forms.Textarea(attrs={"rows": 3}),
            "start_date": DATE,
            "end_date": DATE,
            "next_review_date": DATE,
        }

    def __init__(
        self, *args, partners=None, people=None, commercial_read_only: bool = False, **kwargs
    ):
        super().__init__(*args, **kwargs)
        if partners is None:
            del self.fields["partner"]
        else:
            self.fields["partner"].queryset = partners
        if people is not None:
            self.fields["owner"].queryset = people
        self.read_only = set()
        if commercial_read_only:
            for name in COMMERCIAL_TERMS & self.fields.keys():
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Change by amendment (a new version).")
                self.read_only.add(name)

    def validate_unique(self):
        # Uniqueness is checked by the service so the UI and the API say the same thing.
        pass

    def service_data(self) -> dict:
        """The cleaned terms for the service, without the partner and the read-only ones."""
        return {
            k: v for k, v in self.cleaned_data.items() if k != "partner" and k not in self.read_only
        }


class AmendForm(forms.Form):
    effective_from = forms.DateField(label=_("Effective from"), widget=DATE)
    summary = forms.CharField(
        label=_("What changes and why"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    AMENDABLE = ("monthly_fee", "at_risk_percent", "end_date", "value")

    def __init__(self, *args, contract: Contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.contract = contract
        for name in self.AMENDABLE:
            field = Contract._meta.get_field(name).formfield()
            if name == "end_date":
                field.widget = DATE
            field.initial = getattr(contract, name)
            self.fields[name] = field

    def changes(self) -> dict:
        """The amendable terms whose value differs from the contract's current one."""
        return {
            name: self.cleaned_data[name]
            for name in self.AMENDABLE
            if self.cleaned_data.get(name) is not None
            and self.cleaned_data[name] != getattr(self.contract, name)
        }


class DeliverableForm(forms.ModelForm):
    class Meta:
        model = Deliverable
        fields = ["kind", "name", "due_date", "notes"]
        widgets = {"due_date": DATE, "notes": forms.Textarea(attrs={"rows": 3})}


class DeliverForm(forms.Form):
    delivered_on = forms.DateField(label=_("Delivered on"), widget=DATE)


class AttachmentForm(forms.Form):
    document = forms.ModelChoiceField(label=_("Partner document"), queryset=None)

    def __init__(self, *args, documents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = documents


class RaciGridForm(forms.Form):
    """Rows of activities by columns of parties; each cell is "", R, A, C or I.

    ``parties``: [(key, object)] with keys from ``selectors.party_key``; ``activities``:
    the saved matrix (to start from). A few blank rows are added for new activities."""

    BLANK_ROWS = 3
    rows = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, data=None, *, parties, activities=(), **kwargs):
        from partnerdesk.contracts.selectors import party_key

        self.parties = parties
        count = _rows_posted(data, len(activities) + self.BLANK_ROWS)
        initial = {"rows": count}
        for i, activity in enumerate(activities):
            initial[f"a{i}"] = activity.name
            for assignment in activity.assignments.all():
                initial[f"a{i}_{party_key(assignment)}"] = assignment.role
        super().__init__(data, initial=initial, **kwargs)
        letters = [("", "")] + [(r.value, r.value) for r in RaciRole]
        self.row_count = count
        for i in range(count):
            row = _("Row %(row)d") % {"row": i + 1}
            self.fields[f"a{i}"] = forms.CharField(
                label=_("Activity"),
                max_length=200,
                required=False,
                widget=forms.TextInput(attrs=_aria(row, _("Activity"))),
            )
            for key, party in parties:
                self.fields[f"a{i}_{key}"] = forms.ChoiceField(
                    label=str(party),
                    choices=letters,
                    required=False,
                    widget=forms.Select(attrs=_aria(row, party)),
                )

    def grid(self):
        """For the template: [(activity field, [cell field per party])]."""
        return [
            (self[f"a{i}"], [self[f"a{i}_{key}"] for key, _p in self.parties])
            for i in range(self.row_count)
        ]

    def matrix_rows(self) -> list[dict]:
        """The filled rows as ``raci_save`` takes them; empty rows are left out."""
        rows = []
        for i in range(self.row_count):
            name = (self.cleaned_data.get(f"a{i}") or "").strip()
            assignments = [
                (party, self.cleaned_data[f"a{i}_{key}"])
                for key, party in self.parties
                if self.cleaned_data.get(f"a{i}_{key}")
            ]
            if name or assignments:
                rows.append({"activity": name, "assignments": assignments})
        return rows


class DisputeLadderForm(forms.Form):
    """Ordered levels, each with a name, a response time and the people on each side. Rows
    are saved in the order of their level numbers; blank rows add levels."""

    BLANK_ROWS = 2
    rows = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, data=None, *, people, contacts, levels=(), **kwargs):
        self.people = {str(p.pk): p for p in people}
        self.contacts = {str(c.pk): c for c in contacts}
        count = _rows_posted(data, len(levels) + self.BLANK_ROWS)
        initial = {"rows": count}
        for i in range(count):
            initial[f"l{i}_level"] = i + 1
        for i, level in enumerate(levels):
            initial[f"l{i}_name"] = level.name
            initial[f"l{i}_hours"] = level.response_hours
            initial[f"l{i}_people"] = [str(p.pk) for p in level.internal_people.all()]
            initial[f"l{i}_contacts"] = [str(c.pk) for c in level.partner_contacts.all()]
        super().__init__(data, initial=initial, **kwargs)
        people_choices = [(k, str(p)) for k, p in self.people.items()]
        contact_choices = [(k, c.name) for k, c in self.contacts.items()]
        self.row_count = count
        for i in range(count):
            row = _("Row %(row)d") % {"row": i + 1}
            self.fields[f"l{i}_level"] = forms.IntegerField(
                label=_("Level"),
                required=False,
                min_value=1,
                max_value=MAX_GRID_ROWS,
                widget=forms.NumberInput(attrs=_aria(row, _("Level"), size=3, style="width:4em")),
            )
            self.fields[f"l{i}_name"] = forms.CharField(
                label=_("Name"),
                max_length=100,
                required=False,
                widget=forms.TextInput(attrs=_aria(row, _("Name"))),
            )
            self.fields[f"l{i}_hours"] = forms.IntegerField(
                label=_("Response time (hours)"),
                required=False,
                widget=forms.NumberInput(
                    attrs=_aria(row, _("Response time (hours)"), style="width:6em")
                ),
            )
            self.fields[f"l{i}_people"] = forms.MultipleChoiceField(
                label=_("Our people"),
                choices=people_choices,
                required=False,
                widget=forms.SelectMultiple(attrs=_aria(row, _("Our people"), size=4)),
            )
            self.fields[f"l{i}_contacts"] = forms.MultipleChoiceField(
                label=_("Partner contacts"),
                choices=contact_choices,
                required=False,
                widget=forms.SelectMultiple(attrs=_aria(row, _("Partner contacts"), size=4)),
            )

    def grid(self):
        names = ("level", "name", "hours", "people", "contacts")
        return [[self[f"l{i}_{n}"] for n in names] for i in range(self.row_count)]

    def levels(self) -> list[dict]:
        """The filled rows, ordered by level number, as ``dispute_ladder_save`` takes them."""
        filled = []
        for i in range(self.row_count):
            data = {n: self.cleaned_data.get(f"l{i}_{n}") for n in ("level", "name", "hours")}
            people = self.cleaned_data.get(f"l{i}_people") or []
            contacts = self.cleaned_data.get(f"l{i}_contacts") or []
            name = (data["name"] or "").strip()
            if not (name or data["hours"] is not None or people or contacts):
                continue
            order = data["level"] if data["level"] is not None else MAX_GRID_ROWS + i
            filled.append(
                (
                    order,
                    i,
                    {
                        "name": name,
                        "response_hours": data["hours"],
                        "internal_people": [self.people[k] for k in people],
                        "partner_contacts": [self.contacts[k] for k in contacts],
                    },
                )
            )
        return [level for _order, _i, level in sorted(filled, key=lambda t: (t[0], t[1]))]
