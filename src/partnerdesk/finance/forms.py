"""Forms of the finance pages. They give the shapes; the services enforce the rules.

A document (order, receipt, invoice) is a header form plus a table of line rows
(:class:`LineTable`): one small form per row, prefixed ``lines-<row>``. Blank rows are skipped;
the service's ``lines.<n>.<field>`` errors are put back next to the row they came from.
"""

import re

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from partnerdesk.contracts.models import Contract
from partnerdesk.core.currencies import CURRENCY_CHOICES
from partnerdesk.finance.choices import (
    CheckOutcome,
    Combine,
    InvoiceKind,
    MatchMode,
    ReasonCode,
    Resolution,
)
from partnerdesk.finance.models import SupplierInvoice, ToleranceProfile
from partnerdesk.partners.models import Partner

User = get_user_model()

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
BLANK_ROWS = 5
ADD_ROWS = 5
# A form posts at most this many rows (Django refuses more than 1,000 fields per request);
# longer documents come by import.
MAX_ROWS = 80
_ROW = re.compile(r"^lines-(\d+)-")


def _cell(label, *, max_length=200, size=None, number=False, date=False, **attrs):
    """A line cell: text kept as typed (the service parses and explains)."""
    widget_attrs = {"aria-label": str(label), **attrs}
    if size:
        widget_attrs["size"] = size
    if number:
        widget_attrs["inputmode"] = "decimal"
    if date:
        widget = forms.DateInput(attrs={"type": "date", **widget_attrs})
    else:
        widget = forms.TextInput(attrs=widget_attrs)
    return forms.CharField(label=label, max_length=max_length, required=False, widget=widget)


# --- line rows --------------------------------------------------------------------------------


class OrderLineForm(forms.Form):
    item = _cell(_("Item"), max_length=80, size=12)
    description = _cell(_("Description"), size=18)
    category = forms.ChoiceField(label=_("Category"), required=False)
    quantity = _cell(_("Quantity"), max_length=30, size=8, number=True)
    unit = _cell(_("Unit"), max_length=12, size=4, placeholder="pcs")
    unit_price = _cell(_("Unit price"), max_length=30, size=8, number=True)
    promised_date = _cell(_("Promised date"), max_length=10, date=True)

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["category"]
        field.choices = [("", "—")] + [(c.code, c.code) for c in categories]
        field.widget.attrs["aria-label"] = str(field.label)


class ReceiptLineForm(forms.Form):
    order = _cell(_("Order number"), max_length=40, size=12)
    order_line = _cell(_("Order line"), max_length=6, size=4, inputmode="numeric")
    quantity_received = _cell(_("Quantity received"), max_length=30, size=8, number=True)


class InvoiceLineForm(forms.Form):
    order = _cell(_("Order number"), max_length=40, size=10)
    order_line = _cell(_("Order line"), max_length=6, size=3, inputmode="numeric")
    item = _cell(_("Item"), max_length=80, size=10)
    description = _cell(_("Description"), size=14)
    quantity = _cell(_("Quantity"), max_length=30, size=7, number=True)
    unit_price = _cell(_("Unit price"), max_length=30, size=7, number=True)
    amount = _cell(_("Net amount"), max_length=30, size=8, number=True)
    tax_rate = _cell(_("Tax rate %"), max_length=10, size=4, number=True)
    tax_amount = _cell(_("Tax"), max_length=30, size=7, number=True)


class LineTable:
    """The line rows of a document form.

    Bound: one form per row index found in the data (``lines-<row>-<field>``); unbound: a few
    blank rows. ``lines()`` gives the filled rows as dicts for the service and remembers which
    row each came from, so ``place_errors`` can put ``lines.<n>.<field>`` next to that row."""

    def __init__(self, form_class, data=None, *, start=0, count=BLANK_ROWS, **form_kwargs):
        self.form_class, self.form_kwargs = form_class, form_kwargs
        if data is not None:
            rows = {int(m[1]) for key in data if (m := _ROW.match(key))}
            rows = {r for r in rows if r < MAX_ROWS}
            start, count = 0, (max(rows) + 1 if rows else count)
        self.forms = [self._form(data, start + i) for i in range(count)]
        self.next_row = start + count
        self.errors: list[str] = []
        self._rows: list[int] = []

    def _form(self, data, row):
        form = self.form_class(data, prefix=f"lines-{row}", **self.form_kwargs)
        form.row = row
        return form

    @property
    def empty_form(self):
        return self.form_class(prefix="lines-__row__", **self.form_kwargs)

    def grow(self, count: int = ADD_ROWS) -> None:
        """Add blank rows at the end (the "add rows" button without script)."""
        count = max(min(count, MAX_ROWS - self.next_row), 0)
        self.forms += [self._form(None, self.next_row + i) for i in range(count)]
        self.next_row += count

    @property
    def can_grow(self) -> bool:
        return self.next_row < MAX_ROWS

    def is_valid(self) -> bool:
        return all(form.is_valid() for form in self.forms)

    def lines(self) -> list[dict]:
        """The filled rows, in order (rows left blank are not lines)."""
        lines, self._rows = [], []
        for form in self.forms:
            data = {k: (v or "").strip() for k, v in form.cleaned_data.items()}
            if any(data.values()):
                lines.append(data)
                self._rows.append(form.row)
        return lines

    def place_errors(self, fields: dict[str, list[str]]) -> dict[str, list[str]]:
        """Put the line errors next to their rows; return the other (header) errors."""
        rest = {}
        by_row = {form.row: form for form in self.forms}
        for name, messages in fields.items():
            parts = name.split(".")
            if parts[0] != "lines":
                rest[name] = messages
                continue
            if len(parts) < 2 or not parts[1].isdigit() or int(parts[1]) >= len(self._rows):
                self.errors.extend(messages)
                continue
            form = by_row[self._rows[int(parts[1])]]
            field = parts[2] if len(parts) > 2 else None
            for message in messages:
                form.add_error(field if field in form.fields else None, message)
        return rest


# --- document headers -------------------------------------------------------------------------


class _PartnerHeader(forms.Form):
    def __init__(self, *args, partners=None, **kwargs):
        super().__init__(*args, **kwargs)
        if partners is not None:
            self.fields["partner"].queryset = partners
            self.fields["partner"].label_from_instance = lambda p: f"{p.code} · {p.legal_name}"


class OrderForm(_PartnerHeader):
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Partner.objects.none())
    number = forms.CharField(label=_("Order number"), max_length=40)
    order_date = forms.DateField(label=_("Order date"), widget=DATE)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)
    match_mode = forms.ChoiceField(
        label=_("Match"), choices=MatchMode.choices, initial=MatchMode.THREE_WAY
    )
    contract = forms.ModelChoiceField(
        label=_("Contract"), queryset=Contract.objects.none(), required=False
    )
    notes = forms.CharField(
        label=_("Notes"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, contracts=None, **kwargs):
        super().__init__(*args, **kwargs)
        if contracts is not None:
            self.fields["contract"].queryset = contracts
            self.fields["contract"].label_from_instance = lambda c: f"{c.reference} · {c.title}"

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["partner"] = data["partner"].pk
        data["contract"] = data["contract"].pk if data.get("contract") else None
        return data


class ReceiptForm(_PartnerHeader):
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Partner.objects.none())
    number = forms.CharField(label=_("Delivery note"), max_length=40)
    received_on = forms.DateField(label=_("Received on"), widget=DATE)
    notes = forms.CharField(
        label=_("Notes"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def values(self) -> dict:
        return {**self.cleaned_data, "partner": self.cleaned_data["partner"].pk}


class InvoiceForm(_PartnerHeader):
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Partner.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=InvoiceKind.choices)
    number = forms.CharField(label=_("Invoice number"), max_length=40)
    credits_invoice = forms.CharField(
        label=_("Credits invoice number"),
        max_length=40,
        required=False,
        help_text=_("Credit notes only: the number of the invoice it credits."),
    )
    invoice_date = forms.DateField(label=_("Invoice date"), widget=DATE)
    received_on = forms.DateField(
        label=_("Received on"), widget=DATE, required=False, help_text=_("Today if left blank.")
    )
    due_date = forms.DateField(label=_("Due date"), widget=DATE)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)
    net_total = forms.CharField(label=_("Net total"), max_length=30)
    tax_total = forms.CharField(label=_("Tax total"), max_length=30)
    gross_total = forms.CharField(label=_("Gross total"), max_length=30)
    tax_id = forms.CharField(label=_("Tax id on the invoice"), max_length=40, required=False)
    bank_account = forms.CharField(
        label=_("Bank account on the invoice"), max_length=60, required=False
    )

    def values(self) -> dict:
        return {**self.cleaned_data, "partner": self.cleaned_data["partner"].pk}


# --- receipts: inspection ---------------------------------------------------------------------


class InspectionForm(forms.Form):
    quantity_accepted = forms.DecimalField(
        label=_("Accepted"), required=False, max_digits=16, decimal_places=3
    )
    quantity_rejected = forms.DecimalField(
        label=_("Rejected"), required=False, max_digits=16, decimal_places=3
    )
    on_hold = forms.BooleanField(label=_("Quality hold"), required=False)
    hold_reason = forms.CharField(label=_("Hold reason"), max_length=200, required=False)

    def __init__(self, *args, line=None, **kwargs):
        if line is not None and not args and "initial" not in kwargs:
            kwargs["initial"] = {
                "quantity_accepted": line.quantity_accepted,
                "quantity_rejected": line.quantity_rejected,
                "on_hold": line.on_hold,
                "hold_reason": line.hold_reason,
            }
        if line is not None:
            kwargs.setdefault("auto_id", f"id_inspect_{line.pk}_%s")
        super().__init__(*args, **kwargs)


# --- invoices: review, rejection --------------------------------------------------------------


class ReviewAnswerForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Answer"),
        choices=[
            (CheckOutcome.PASSED, CheckOutcome.PASSED.label),
            (CheckOutcome.FAILED, CheckOutcome.FAILED.label),
            (CheckOutcome.NOT_APPLICABLE, CheckOutcome.NOT_APPLICABLE.label),
        ],
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, check=None, **kwargs):
        if check is not None:
            kwargs.setdefault("auto_id", f"id_check_{check.pk}_%s")
        super().__init__(*args, **kwargs)


class SecondReviewForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=150, required=False)

    def __init__(self, *args, check=None, **kwargs):
        if check is not None:
            kwargs.setdefault("auto_id", f"id_second_{check.pk}_%s")
        super().__init__(*args, **kwargs)


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the rejection"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# --- the exception queue ----------------------------------------------------------------------


class AssignForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)
    reason_code = forms.ChoiceField(
        label=_("Reason"), choices=[("", "—"), *ReasonCode.choices], required=False
    )

    def __init__(self, *args, users=None, **kwargs):
        super().__init__(*args, **kwargs)
        if users is not None:
            self.fields["owner"].queryset = users
            self.fields["owner"].label_from_instance = _user_label


class ResolveForm(forms.Form):
    resolution = forms.ChoiceField(
        label=_("Resolution"),
        choices=[
            (r, r.label)
            for r in (
                Resolution.ACCEPTED,
                Resolution.CREDIT_NOTE,
                Resolution.REJECTED,
                Resolution.CORRECTED,
            )
        ],
    )
    reason_code = forms.ChoiceField(
        label=_("Reason"), choices=[("", "—"), *ReasonCode.choices], required=False
    )
    justification = forms.CharField(
        label=_("Justification"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept as evidence. Accepting above the threshold needs a second approval."),
    )
    data_error_amount = forms.DecimalField(
        label=_("Data error amount"),
        required=False,
        max_digits=16,
        decimal_places=2,
        help_text=_("For “data corrected”; the amount at stake if left blank."),
    )
    found_by = forms.ModelChoiceField(
        label=_("Data error found by"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("For “data corrected”; you if left blank."),
    )

    def __init__(self, *args, users=None, **kwargs):
        super().__init__(*args, **kwargs)
        if users is not None:
            self.fields["found_by"].queryset = users
            self.fields["found_by"].label_from_instance = _user_label


class ApproveForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class CreditNoteForm(forms.Form):
    credit_note = forms.ModelChoiceField(
        label=_("Credit note received"), queryset=SupplierInvoice.objects.none()
    )
    amount = forms.DecimalField(
        label=_("Amount recovered"),
        required=False,
        max_digits=16,
        decimal_places=2,
        help_text=_("The credit note's gross total if left blank."),
    )

    def __init__(self, *args, credit_notes=None, **kwargs):
        super().__init__(*args, **kwargs)
        if credit_notes is not None:
            self.fields["credit_note"].queryset = credit_notes
            self.fields["credit_note"].label_from_instance = lambda n: (
                f"{n.number} · {n.invoice_date:%Y-%m-%d} · {n.gross_total} {n.currency}"
            )


def _user_label(user) -> str:
    return user.get_full_name() or user.username


# --- reconciliation ---------------------------------------------------------------------------


class ReconcileForm(forms.Form):
    week = forms.CharField(
        label=_("Week"),
        max_length=8,
        widget=forms.TextInput(attrs={"type": "week", "placeholder": "2026-W47", "size": 9}),
        help_text=_("An ISO week, e.g. 2026-W47. Running a week again makes a new revision."),
    )


# --- tolerance profiles and categories --------------------------------------------------------


class ToleranceProfileForm(forms.ModelForm):
    class Meta:
        model = ToleranceProfile
        fields = [
            "name",
            "partner",
            "category",
            "price_percent",
            "price_absolute",
            "quantity_percent",
            "quantity_absolute",
            "amount_percent",
            "amount_absolute",
            "combine",
        ]

    def __init__(self, *args, partners=None, **kwargs):
        super().__init__(*args, **kwargs)
        if partners is not None:
            self.fields["partner"].queryset = partners
        self.fields["partner"].help_text = _("Blank: every partner.")
        self.fields["category"].help_text = _("Blank: every category.")
        self.fields["combine"].choices = Combine.choices

    def validate_unique(self):
        # The service checks the scope is free (one profile per partner and category).
        pass

    def _post_clean(self):
        # Rules run in the service, so the page and the API say the same thing.
        pass


class ItemCategoryForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=30)
    name = forms.CharField(label=_("Name"), max_length=120)
