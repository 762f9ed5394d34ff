"""Scorecard policies: the list of versions and the editor of a new version (criteria grid and
standing-band grid). The rules (weights sum to 100, bands cover 0-100) are the service's."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_http_methods

from partnerdesk.core.permissions import can
from partnerdesk.core.views_helpers import save_form
from partnerdesk.performance import score_selectors as selectors
from partnerdesk.performance.choices import BandAction
from partnerdesk.performance.models import ScorecardPolicy
from partnerdesk.performance.periods import month_start, next_month
from partnerdesk.performance.selectors import latest_closed_period
from partnerdesk.performance.services.policies import policy_create

BLANK_ROWS = 3


class PolicyForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    effective_from = forms.DateField(
        label=gettext_lazy("Effective from"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("Must lie after the last closed month."),
    )
    decay = forms.DecimalField(
        label=gettext_lazy("Weight of each older period"),
        max_digits=4,
        decimal_places=3,
        min_value=0,
        max_value=1,
        help_text=gettext_lazy("The newest period weighs 1, the one before this, then its square…"),
    )
    window = forms.IntegerField(
        label=gettext_lazy("Periods in the overall score"), min_value=1, max_value=60
    )


def _require_all(form: forms.Form, names: tuple[str, ...]) -> None:
    """A row left entirely blank is skipped; a row partly filled needs every field."""
    if any(form.cleaned_data.get(name) not in (None, "") for name in names):
        for name in names:
            if form.cleaned_data.get(name) in (None, "") and name not in form.errors:
                form.add_error(name, _("This field is required."))


class CriterionForm(forms.Form):
    metric = forms.ChoiceField(label=gettext_lazy("Metric"), required=False)
    weight = forms.DecimalField(label=gettext_lazy("Weight"), required=False, max_digits=5)
    worst = forms.DecimalField(label=gettext_lazy("Value scoring 0"), required=False, max_digits=14)
    best = forms.DecimalField(
        label=gettext_lazy("Value scoring 100"), required=False, max_digits=14
    )

    def __init__(self, *args, metric_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = [("", "—"), *metric_choices]

    def clean(self):
        data = super().clean()
        _require_all(self, ("metric", "weight", "worst", "best"))
        return data


class BandForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), required=False, max_length=40)
    lower = forms.DecimalField(label=gettext_lazy("From"), required=False, max_digits=5)
    upper = forms.DecimalField(label=gettext_lazy("To"), required=False, max_digits=5)
    action = forms.ChoiceField(
        label=gettext_lazy("Action"),
        choices=BandAction.choices,
        initial=BandAction.NONE,
        required=False,
    )

    def clean(self):
        data = super().clean()
        _require_all(self, ("name", "lower", "upper"))
        data["action"] = data.get("action") or BandAction.NONE
        return data


CriterionFormSet = forms.formset_factory(CriterionForm, extra=BLANK_ROWS, max_num=30)
BandFormSet = forms.formset_factory(BandForm, extra=BLANK_ROWS, max_num=20)


def _filled(formset, first: str) -> list[dict]:
    """The rows with something in them, in grid order (blank rows are left out)."""
    return [
        f.cleaned_data
        for f in formset.forms
        if f.cleaned_data and f.cleaned_data.get(first) not in (None, "")
    ]


def policy_list(request):
    if not can(request.user, "view", ScorecardPolicy):
        raise Http404
    return render(
        request,
        "performance/policy_list.html",
        {
            "policies": selectors.policy_list(user=request.user),
            "can_add": can(request.user, "add", ScorecardPolicy),
        },
    )


def _initial(user) -> tuple[dict, list[dict], list[dict]]:
    """Start from the newest version: its criteria and bands, effective after the last close."""
    closed = latest_closed_period()
    start = next_month(closed) if closed else month_start(timezone.localdate())
    latest = selectors.policy_list(user=user).first()
    if latest is None:
        return {"name": "", "effective_from": start, "decay": "0.8", "window": 6}, [], []
    criteria = [
        {"metric": c.metric.code, "weight": c.weight, "worst": c.worst, "best": c.best}
        for c in latest.criteria.all()
    ]
    bands = [
        {"name": b.name, "lower": b.lower, "upper": b.upper, "action": b.action}
        for b in latest.bands.all()
    ]
    head = {
        "name": latest.name,
        "effective_from": start,
        "decay": latest.decay,
        "window": latest.window,
    }
    return head, criteria, bands


@require_http_methods(["GET", "POST"])
def policy_create_view(request):
    user = request.user
    if not can(user, "add", ScorecardPolicy):
        raise Http404
    metric_choices = list(selectors.metric_list(user=user).values_list("code", "name"))
    kwargs = {"form_kwargs": {"metric_choices": metric_choices}}
    if request.method == "POST":
        form = PolicyForm(request.POST)
        criteria = CriterionFormSet(request.POST, prefix="criteria", **kwargs)
        bands = BandFormSet(request.POST, prefix="bands")
        grids_valid = criteria.is_valid() and bands.is_valid()
        if grids_valid:
            policy = save_form(
                request,
                form,
                lambda data: policy_create(
                    user=user,
                    name=data["name"],
                    effective_from=data["effective_from"],
                    decay=data["decay"],
                    window=data["window"],
                    criteria=_filled(criteria, "metric"),
                    bands=_filled(bands, "name"),
                ),
            )
            if policy:
                messages.success(
                    request,
                    _("Policy %(name)s version %(version)d saved.")
                    % {"name": policy.name, "version": policy.version},
                )
                return redirect("performance:policies")
        else:
            form.is_valid()
    else:
        head, rows, band_rows = _initial(user)
        form = PolicyForm(initial=head)
        criteria = CriterionFormSet(prefix="criteria", initial=rows, **kwargs)
        bands = BandFormSet(prefix="bands", initial=band_rows)
    return render(
        request,
        "performance/policy_form.html",
        {"form": form, "criteria": criteria, "bands": bands},
    )
