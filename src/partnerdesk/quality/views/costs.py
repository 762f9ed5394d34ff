"""Cost of poor quality: the list of cost events with totals per currency and kind (charge
backs apart), recording an event, and correcting one (a reversing entry plus the right
amount; entries are never edited)."""

from decimal import Decimal

from django.conf import settings
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from partnerdesk.core.currencies import quantize
from partnerdesk.core.listing import build_list
from partnerdesk.core.views_helpers import render_list
from partnerdesk.organisation.models import Team
from partnerdesk.partners.models import Partner
from partnerdesk.quality import selectors
from partnerdesk.quality.choices import CostKind
from partnerdesk.quality.filters import COST_SORTS, CostFilter
from partnerdesk.quality.forms import CostCorrectForm, CostForm
from partnerdesk.quality.services import costs as service
from partnerdesk.quality.views.common import get_or_404, require, run


def _totals(rows) -> list[dict]:
    """Per currency: the total, the total per kind and what is charged back, rounded to the
    currency's minor unit."""
    by_currency: dict[str, dict] = {}
    for row in rows:
        currency = row["currency"]
        entry = by_currency.setdefault(
            currency,
            {"currency": currency, "total": Decimal(0), "chargeback": Decimal(0), "kinds": []},
        )
        total = _money(row["total"], currency)
        entry["total"] += total
        entry["chargeback"] += _money(row["chargeback"], currency)
        entry["kinds"].append({"label": CostKind(row["kind"]).label, "total": total})
    for entry in by_currency.values():
        entry["total"] = _money(entry["total"], entry["currency"])
        entry["chargeback"] = _money(entry["chargeback"], entry["currency"])
    return list(by_currency.values())


def _money(value, currency: str) -> Decimal:
    return quantize(Decimal(str(value or 0)), currency)


def cost_list(request):
    user = request.user
    require(user, "quality.view_costevent")
    rows = selectors.cost_list(user=user).annotate(correction_count=Count("corrections"))
    state = build_list(
        request,
        rows,
        filter_schema=CostFilter,
        sorts=COST_SORTS,
        default_sort="-occurred_on",
    )
    filtered = state.filters.filter(selectors.cost_list(user=user))
    context = {
        "list": state,
        "totals": _totals(selectors.cost_totals(user=user, queryset=filtered)),
        "kinds": CostKind.choices,
        "chargeback_choices": [("true", _("Charged back")), ("false", _("Not charged back"))],
        "partners": [(p.pk, p.code) for p in Partner.objects.restrict(user).order_by("code")],
        "teams": [(t.pk, t.name) for t in Team.objects.restrict(user).order_by("name")],
        "may_correct": user.has_perm("quality.add_costevent"),
        "columns": [
            ("occurred_on", _("Date")),
            ("kind", _("Kind")),
            ("amount", _("Amount")),
        ],
    }
    return render_list(request, "quality/cost_list.html", "quality/_cost_results.html", context)


@require_http_methods(["GET", "POST"])
def cost_create(request):
    user = request.user
    require(user, "quality.add_costevent")
    initial = {"currency": settings.DEFAULT_CURRENCY}
    nc_number = (request.GET.get("nonconformance") or "").strip()[:20]
    if nc_number:
        nc = selectors.nc_list(user=user).filter(number=nc_number).first()
        if nc is not None:
            initial.update(
                nonconformance=nc.number,
                partner=nc.partner_id,
                kind=CostKind.QUALITY_DEFECT,
                currency=nc.currency or settings.DEFAULT_CURRENCY,
                description=nc.title[:300],
            )
    form = CostForm(
        request.POST if request.method == "POST" else None,
        partners=Partner.objects.restrict(user).order_by("code"),
        teams=Team.objects.restrict(user).order_by("name"),
        nonconformances=selectors.nc_list(user=user),
        lots=selectors.lot_list(user=user),
        initial=initial,
    )
    if request.method == "POST":
        recorded = run(
            request,
            form,
            lambda data: service.cost_record(user=user, data=form.values()),
            success_message=_("Cost recorded."),
        )
        if recorded:
            if recorded.nonconformance_id:
                return redirect("quality:nc_detail", recorded.nonconformance_id)
            return redirect("quality:cost_list")
    return render(
        request,
        "quality/form_page.html",
        {
            "form": form,
            "title": _("Record a cost of poor quality"),
            "cancel_url": reverse("quality:cost_list"),
            "note": _(
                "Material lost or a quality defect, with who is responsible: a partner (who "
                "can be charged back), a team, or both. Entries are not edited: a correction "
                "reverses an entry and records the right amount."
            ),
        },
    )


@require_http_methods(["GET", "POST"])
def cost_correct(request, pk):
    """The entry with its corrections; a form to correct it while it is the latest of its
    chain. After correcting, the page shows the reversal and the new entry."""
    user = request.user
    event = get_or_404(selectors.cost_get, user=user, pk=pk)
    corrections = list(selectors.cost_list(user=user).filter(corrects=event).order_by("id"))
    correctable = user.has_perm("quality.add_costevent") and event.amount > 0 and not corrections
    form = None
    if correctable:
        form = CostCorrectForm(
            request.POST if request.method == "POST" else None,
            initial={"amount": event.amount},
        )
    if request.method == "POST":
        require(user, "quality.add_costevent")
        if form is None:
            form = CostCorrectForm(request.POST)
        written = run(
            request,
            form,
            lambda data: service.cost_correct(
                user=user, event=event, amount=data["amount"], reason=data["reason"]
            ),
            success_message=_("Correction recorded: the entry is reversed."),
        )
        if written:
            return redirect("quality:cost_correct", event.pk)
    return render(
        request,
        "quality/cost_correct.html",
        {"event": event, "corrections": corrections, "form": form},
    )
