"""Nonconformance pages: the list, reporting one, its page (repeat explained, the lot or
audit it came from, its costs and 8D), editing, closing, cancelling and requesting the
supplier's corrective action (8D)."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from partnerdesk.audit.selectors import history_for
from partnerdesk.core.listing import build_list
from partnerdesk.core.views_helpers import render_list
from partnerdesk.partners.models import Partner
from partnerdesk.quality import selectors
from partnerdesk.quality.choices import (
    RAISED_SEVERITY,
    NCSeverity,
    NCSource,
    NCStatus,
)
from partnerdesk.quality.filters import NC_SORTS, NonconformanceFilter
from partnerdesk.quality.forms import ActionOpenForm, NonconformanceForm, NoteForm, ReasonForm
from partnerdesk.quality.services import nonconformance as service
from partnerdesk.quality.views.common import get_or_404, require, run

OPEN = (NCStatus.OPEN, NCStatus.ACTION)


def _partners(user):
    return Partner.objects.restrict(user).order_by("code")


def _form(request, user, *, editing=False, initial=None):
    return NonconformanceForm(
        request.POST if request.method == "POST" else None,
        partners=_partners(user),
        defect_types=selectors.defect_types(),
        owners=selectors.quality_staff("change_nonconformance"),
        editing=editing,
        initial=initial,
    )


def nc_list(request):
    user = request.user
    require(user, "quality.view_nonconformance")
    state = build_list(
        request,
        selectors.nc_list(user=user),
        filter_schema=NonconformanceFilter,
        sorts=NC_SORTS,
        default_sort="-detected_on",
    )
    context = {
        "list": state,
        "statuses": NCStatus.choices,
        "sources": NCSource.choices,
        "severities": NCSeverity.choices,
        "repeat_choices": [("true", _("Repeats only")), ("false", _("First occurrences"))],
        "defects": [(d.pk, d.code) for d in selectors.defect_types()],
        "partners": [(p.pk, p.code) for p in _partners(user)],
        "columns": [
            ("number", _("Number")),
            ("detected_on", _("Detected")),
            ("partner", _("Partner")),
            ("severity", _("Severity")),
            ("status", _("Status")),
        ],
    }
    return render_list(request, "quality/nc_list.html", "quality/_nc_table.html", context)


@require_http_methods(["GET", "POST"])
def nc_create(request):
    user = request.user
    require(user, "quality.add_nonconformance")
    initial = {"currency": settings.DEFAULT_CURRENCY, "owner": user.pk}
    form = _form(request, user, initial=initial)
    if request.method == "POST":
        created = run(
            request,
            form,
            lambda data: service.nc_create(user=user, data=_without_empty_owner(form.values())),
        )
        if created:
            message = _("Nonconformance %(n)s recorded.") % {"n": created.number}
            if created.repeat_of_id:
                message += " " + _(
                    "It repeats %(prev)s within 12 months: severity raised to %(s)s."
                ) % {"prev": created.repeat_of.number, "s": created.get_severity_display()}
            messages.success(request, message)
            return redirect("quality:nc_detail", created.pk)
    return render(
        request,
        "quality/form_page.html",
        {
            "form": form,
            "title": _("Report a nonconformance"),
            "cancel_url": reverse("quality:nc_list"),
            "note": _(
                "The same defect at the same partner within 12 months is a repeat: its "
                "severity is raised one step."
            ),
        },
    )


def _without_empty_owner(values: dict) -> dict:
    """No owner chosen: the service makes the reporter the owner."""
    if values.get("owner") is None:
        values.pop("owner", None)
    return values


def _repeat_explanation(nc) -> str | None:
    if nc.repeat_of_id is None:
        return None
    reported = NCSeverity(nc.reported_severity)
    raised = RAISED_SEVERITY[reported]
    if raised == reported:
        return _(
            "Repeat of %(prev)s (detected %(date)s, the same defect at the same partner within "
            "12 months): reported %(reported)s, which is already the highest severity."
        ) % {
            "prev": nc.repeat_of.number,
            "date": f"{nc.repeat_of.detected_on:%Y-%m-%d}",
            "reported": reported.label,
        }
    return _(
        "Repeat of %(prev)s (detected %(date)s): reported %(reported)s, raised to %(raised)s "
        "because the same defect occurred at the same partner within 12 months."
    ) % {
        "prev": nc.repeat_of.number,
        "date": f"{nc.repeat_of.detected_on:%Y-%m-%d}",
        "reported": reported.label,
        "raised": raised.label,
    }


def _detail_context(request, nc, **forms) -> dict:
    user = request.user
    action = selectors.action_list(user=user).filter(nonconformance=nc).first()
    is_open = nc.status in OPEN
    may_change = user.has_perm("quality.change_nonconformance") and is_open
    may_open_action = (
        user.has_perm("quality.add_correctiveaction")
        and is_open
        and action is None
        and nc.partner_id is not None
    )
    return {
        "nc": nc,
        "repeat_explanation": _repeat_explanation(nc),
        "action": action,
        "costs": list(selectors.cost_list(user=user).filter(nonconformance=nc)),
        "may_change": may_change,
        "may_cancel": may_change and not nc.lot_inspection_id,
        "may_open_action": may_open_action,
        "may_add_cost": user.has_perm("quality.add_costevent") and is_open,
        "close_form": forms.get("close_form") or NoteForm(auto_id="id_close_%s"),
        "cancel_form": forms.get("cancel_form") or ReasonForm(auto_id="id_cancel_%s"),
        "action_form": forms.get("action_form")
        or ActionOpenForm(
            owners=selectors.quality_staff("review_correctiveaction"),
            auto_id="id_action_%s",
        ),
        "history": history_for(instance=nc, user=user),
    }


def nc_detail(request, pk):
    nc = get_or_404(selectors.nc_get, user=request.user, pk=pk)
    return render(request, "quality/nc_detail.html", _detail_context(request, nc))


@require_http_methods(["GET", "POST"])
def nc_edit(request, pk):
    user = request.user
    require(user, "quality.change_nonconformance")
    nc = get_or_404(selectors.nc_get, user=user, pk=pk, action="change")
    if nc.status not in OPEN:
        messages.error(request, _("A closed or cancelled nonconformance is not edited."))
        return redirect("quality:nc_detail", nc.pk)
    names = (
        "title",
        "description",
        "reported_severity",
        "quantity_affected",
        "unit",
        "cost_amount",
        "currency",
        "customer_reference",
    )
    initial = {name: getattr(nc, name) for name in names}
    initial["owner"] = nc.owner_id
    form = _form(request, user, editing=True, initial=initial)
    if request.method == "POST":
        saved = run(
            request,
            form,
            lambda data: service.nc_update(user=user, nc=nc, data=form.values()),
            success_message=_("Nonconformance saved."),
        )
        if saved:
            return redirect("quality:nc_detail", nc.pk)
    return render(
        request,
        "quality/form_page.html",
        {
            "form": form,
            "title": _("Edit %(n)s") % {"n": nc.number},
            "cancel_url": reverse("quality:nc_detail", args=[nc.pk]),
            "note": _("Source, partner, defect and detection date stay as recorded."),
        },
    )


def _post_action(request, pk, *, form_name, form, call, success):
    """Run one of the page's actions; on an error the page again with the form's errors."""
    user = request.user
    require(user, "quality.change_nonconformance")
    nc = get_or_404(selectors.nc_get, user=user, pk=pk, action="change")
    done = run(request, form, lambda data: call(nc, data), success_message=success)
    if done is None:
        nc = get_or_404(selectors.nc_get, user=user, pk=pk)
        return render(
            request, "quality/nc_detail.html", _detail_context(request, nc, **{form_name: form})
        )
    return redirect("quality:nc_detail", nc.pk)


@require_POST
def nc_close(request, pk):
    return _post_action(
        request,
        pk,
        form_name="close_form",
        form=NoteForm(request.POST, auto_id="id_close_%s"),
        call=lambda nc, data: service.nc_close(user=request.user, nc=nc, note=data["note"]),
        success=_("Nonconformance closed."),
    )


@require_POST
def nc_cancel(request, pk):
    return _post_action(
        request,
        pk,
        form_name="cancel_form",
        form=ReasonForm(request.POST, auto_id="id_cancel_%s"),
        call=lambda nc, data: service.nc_cancel(user=request.user, nc=nc, reason=data["reason"]),
        success=_("Nonconformance cancelled."),
    )


@require_POST
def action_open(request, pk):
    user = request.user
    require(user, "quality.add_correctiveaction")
    nc = get_or_404(selectors.nc_get, user=user, pk=pk)
    form = ActionOpenForm(
        request.POST,
        owners=selectors.quality_staff("review_correctiveaction"),
        auto_id="id_action_%s",
    )
    opened = run(
        request,
        form,
        lambda data: service.action_open(user=user, nc=nc, owner=data["owner"]),
    )
    if opened is None:
        nc = get_or_404(selectors.nc_get, user=user, pk=pk)
        return render(
            request, "quality/nc_detail.html", _detail_context(request, nc, action_form=form)
        )
    messages.success(
        request,
        _("Corrective action %(n)s requested from %(partner)s; its users are notified.")
        % {"n": opened.number, "partner": nc.partner.code},
    )
    return redirect("quality:action_detail", opened.pk)
