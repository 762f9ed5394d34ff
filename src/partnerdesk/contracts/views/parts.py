"""Deliverables and milestones (add, edit, deliver, accept, reject) and attachments."""

import copy

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from partnerdesk.contracts.forms import AttachmentForm, DeliverableForm, DeliverForm
from partnerdesk.contracts.models import Deliverable
from partnerdesk.contracts.services import parts as services
from partnerdesk.contracts.views.contracts import get_contract
from partnerdesk.core.errors import ApplicationError
from partnerdesk.core.permissions import can
from partnerdesk.core.views_helpers import save_form
from partnerdesk.partners.models import PartnerDocument

RECORD_ACTIONS = ("deliver", "accept", "reject")


def _deliverable(request, pk, action: str) -> Deliverable:
    try:
        return (
            Deliverable.objects.restrict(request.user, action)
            .select_related("contract__partner")
            .get(pk=pk)
        )
    except Deliverable.DoesNotExist as exc:
        raise Http404 from exc


def _render_part(request, contract, form, title, instance=None):
    return render(
        request,
        "contracts/part_form.html",
        {"form": form, "contract": contract, "title": title, "instance": instance},
    )


@require_http_methods(["GET", "POST"])
def deliverable_create(request, pk):
    contract = get_contract(request, pk)
    if not can(request.user, "add", Deliverable):
        raise Http404
    form = DeliverableForm(request.POST or None)
    if request.method == "POST":
        created = save_form(
            request,
            form,
            lambda data: services.deliverable_create(
                user=request.user, contract=contract, data=data
            ),
            success_message=_("Deliverable added."),
        )
        if created:
            return redirect("contracts:detail", contract.pk)
    return _render_part(request, contract, form, _("New deliverable or milestone"))


@require_http_methods(["GET", "POST"])
def deliverable_edit(request, pk):
    deliverable = _deliverable(request, pk, "change")
    form = DeliverableForm(request.POST or None, instance=copy.copy(deliverable))
    if request.method == "POST":
        updated = save_form(
            request,
            form,
            lambda data: services.deliverable_update(
                user=request.user, deliverable=deliverable, data=data
            ),
            success_message=_("Deliverable saved."),
        )
        if updated:
            return redirect("contracts:detail", deliverable.contract_id)
    return _render_part(
        request, deliverable.contract, form, _("Edit deliverable"), instance=deliverable
    )


@require_POST
def deliverable_record(request, pk):
    """Deliver (with the date), accept or reject, from the buttons on the contract page."""
    deliverable = _deliverable(request, pk, "change")
    action = request.POST.get("action", "")
    if action not in RECORD_ACTIONS:
        raise Http404
    delivered_on = None
    if action == "deliver":
        form = DeliverForm(request.POST)
        if not form.is_valid():
            messages.error(
                request,
                _("%(name)s: give the delivery date.") % {"name": deliverable.name},
            )
            return redirect("contracts:detail", deliverable.contract_id)
        delivered_on = form.cleaned_data["delivered_on"]
    try:
        services.deliverable_record(
            user=request.user, deliverable=deliverable, action=action, delivered_on=delivered_on
        )
    except ApplicationError as exc:
        messages.error(request, f"{deliverable.name}: {exc.message}")
    else:
        messages.success(request, _("%(name)s recorded.") % {"name": deliverable.name})
    return redirect("contracts:detail", deliverable.contract_id)


@require_http_methods(["GET", "POST"])
def attachment_add(request, pk):
    contract = get_contract(request, pk, "change")
    documents = (
        PartnerDocument.objects.restrict(request.user)
        .filter(partner_id=contract.partner_id)
        .exclude(contract_links__contract=contract)
        .order_by("title")
    )
    form = AttachmentForm(request.POST or None, documents=documents)
    if request.method == "POST":
        attached = save_form(
            request,
            form,
            lambda data: services.attachment_add(
                user=request.user, contract=contract, document=data["document"]
            ),
            success_message=_("Document attached."),
        )
        if attached:
            return redirect("contracts:detail", contract.pk)
    return _render_part(request, contract, form, _("Attach a partner document"))
