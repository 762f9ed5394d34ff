"""Partner pages: list, detail with history, create, edit, status change, delete."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from partnerdesk.audit.selectors import history_for
from partnerdesk.contracts.selectors import contracts_of_partner
from partnerdesk.core.errors import ApplicationError
from partnerdesk.core.lifecycle import StatusChangeForm
from partnerdesk.core.listing import build_list
from partnerdesk.core.permissions import can
from partnerdesk.core.views_helpers import render_list, save_form
from partnerdesk.partners import selectors, services
from partnerdesk.partners.choices import PartnerKind, PartnerStatus
from partnerdesk.partners.filters import PARTNER_SORTS, PartnerFilter
from partnerdesk.partners.forms import PartnerForm
from partnerdesk.partners.models import Partner, PartnerCategory
from partnerdesk.partners.services.partner import allowed_transitions


def _get(request, pk, action="view") -> Partner:
    try:
        return selectors.partner_get(user=request.user, pk=pk, action=action)
    except Partner.DoesNotExist as exc:
        raise Http404 from exc


def partner_list(request):
    state = build_list(
        request,
        selectors.partner_list(user=request.user),
        filter_schema=PartnerFilter,
        sorts=PARTNER_SORTS,
        default_sort="code",
    )
    context = {
        "list": state,
        "kinds": PartnerKind.choices,
        "statuses": PartnerStatus.choices,
        "categories": PartnerCategory.objects.all(),
        "can_add": can(request.user, "add", Partner),
        "columns": [
            ("code", _("Code")),
            ("name", _("Legal name")),
            ("kind", _("Kind")),
            ("status", _("Status")),
            ("country", _("Country")),
        ],
    }
    return render_list(
        request, "partners/partner_list.html", "partners/_partner_table.html", context
    )


def partner_detail(request, pk):
    partner = _get(request, pk)
    user = request.user
    context = {
        "partner": partner,
        "categories": partner.categories.all(),
        "capabilities": partner.capabilities.all(),
        "contacts": selectors.contact_list(user=user).filter(partner=partner),
        "owners": selectors.owner_list(user=user).filter(partner=partner),
        "certifications": selectors.certification_list(user=user).filter(partner=partner),
        "documents": selectors.document_list(user=user).filter(partner=partner),
        "contracts": contracts_of_partner(user=user, partner=partner),
        "status_changes": partner.status_changes.select_related("changed_by")[:10],
        "history": history_for(instance=partner, user=user),
        "allowed_transitions": [PartnerStatus(s) for s in allowed_transitions(partner)],
        "perms_for": {
            "edit": can(user, "change", Partner),
            "status": user.has_perm("partners.change_partner_status"),
            "delete": can(user, "delete", Partner),
            "add_contact": user.has_perm("partners.add_partnercontact"),
            "change_contact": user.has_perm("partners.change_partnercontact"),
            "add_owner": user.has_perm("partners.add_internalowner"),
            "add_certification": user.has_perm("partners.add_certification"),
            "change_certification": user.has_perm("partners.change_certification"),
            "add_document": user.has_perm("partners.add_partnerdocument"),
            "view_contracts": user.has_perm("contracts.view_contract"),
            "add_contract": user.has_perm("contracts.add_contract"),
        },
    }
    return render(request, "partners/partner_detail.html", context)


@require_http_methods(["GET", "POST"])
def partner_create(request):
    if not can(request.user, "add", Partner):
        raise Http404
    form = PartnerForm(request.POST or None)
    if request.method == "POST":
        partner = save_form(
            request,
            form,
            lambda data: services.partner_create(user=request.user, data=data),
            success_message=_("Partner created."),
        )
        if partner:
            return redirect("partners:detail", partner.pk)
    return render(request, "partners/partner_form.html", {"form": form, "partner": None})


@require_http_methods(["GET", "POST"])
def partner_edit(request, pk):
    partner = _get(request, pk, "change")
    form = PartnerForm(request.POST or None, instance=partner)
    if request.method == "POST":
        updated = save_form(
            request,
            form,
            lambda data: services.partner_update(user=request.user, partner=partner, data=data),
            success_message=_("Partner saved."),
        )
        if updated:
            return redirect("partners:detail", partner.pk)
    return render(request, "partners/partner_form.html", {"form": form, "partner": partner})


@require_http_methods(["GET", "POST"])
def partner_status(request, pk):
    partner = _get(request, pk)
    if not request.user.has_perm("partners.change_partner_status"):
        raise Http404
    form = StatusChangeForm(
        request.POST or None, statuses=PartnerStatus, allowed=allowed_transitions(partner)
    )
    if request.method == "POST":
        changed = save_form(
            request,
            form,
            lambda data: services.partner_change_status(
                user=request.user,
                partner=partner,
                to_status=data["to_status"],
                reason=data["reason"],
            ),
            success_message=_("Status changed."),
        )
        if changed:
            return redirect("partners:detail", partner.pk)
    return render(
        request,
        "partners/partner_status.html",
        {
            "form": form,
            "partner": partner,
            "allowed": [PartnerStatus(s) for s in allowed_transitions(partner)],
        },
    )


@require_http_methods(["GET", "POST"])
def partner_delete(request, pk):
    partner = _get(request, pk, "delete")
    if request.method == "POST":
        try:
            services.partner_delete(user=request.user, partner=partner)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("partners:detail", partner.pk)
        messages.success(request, _("Partner deleted."))
        return redirect("partners:list")
    return render(
        request, "core/confirm_delete.html", {"object": partner, "cancel_url": partner_url(partner)}
    )


def partner_url(partner) -> str:
    from django.urls import reverse

    return reverse("partners:detail", args=[partner.pk])
