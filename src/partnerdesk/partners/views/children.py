"""Pages for the records that hang off a partner: contacts, owners, certifications, documents.

They share one shape (a form on the partner, edit, delete), declared once in ``ChildPages``.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from partnerdesk.core.errors import ApplicationError
from partnerdesk.core.permissions import can
from partnerdesk.core.views_helpers import save_form
from partnerdesk.partners import services
from partnerdesk.partners.forms import CertificationForm, ContactForm, OwnerForm
from partnerdesk.partners.models import Certification, InternalOwner, PartnerContact
from partnerdesk.partners.views.partners import _get as get_partner


@dataclass(frozen=True)
class ChildPages:
    model: Any
    form: Any
    create: Any  # service(user, partner, data)
    update: Any  # service(user, instance, data) or None
    delete: Any  # service(user, instance)
    title: str


def _contact_update(user, instance, data):
    return services.contact_update(user=user, contact=instance, data=data)


def _certification_update(user, instance, data):
    return services.certification_update(user=user, certification=instance, data=data)


PAGES = {
    "contact": ChildPages(
        PartnerContact,
        ContactForm,
        lambda user, partner, data: services.contact_create(user=user, partner=partner, data=data),
        _contact_update,
        lambda user, instance: services.contact_delete(user=user, contact=instance),
        _("contact"),
    ),
    "owner": ChildPages(
        InternalOwner,
        OwnerForm,
        lambda user, partner, data: services.owner_add(
            user=user, partner=partner, person=data["person"], role=data["role"]
        ),
        None,
        lambda user, instance: services.owner_remove(user=user, owner=instance),
        _("internal owner"),
    ),
    "certification": ChildPages(
        Certification,
        CertificationForm,
        lambda user, partner, data: services.certification_create(
            user=user, partner=partner, data=data
        ),
        _certification_update,
        lambda user, instance: services.certification_delete(user=user, certification=instance),
        _("certification"),
    ),
}


def _pages(kind: str) -> ChildPages:
    if kind not in PAGES:
        raise Http404
    return PAGES[kind]


def _instance(request, pages: ChildPages, pk, action: str):
    try:
        return (
            pages.model.objects.restrict(request.user, action).select_related("partner").get(pk=pk)
        )
    except pages.model.DoesNotExist as exc:
        raise Http404 from exc


@require_http_methods(["GET", "POST"])
def child_create(request, partner_pk, kind):
    pages = _pages(kind)
    partner = get_partner(request, partner_pk)
    if not can(request.user, "add", pages.model):
        raise Http404
    form = pages.form(request.POST or None)
    if request.method == "POST":
        created = save_form(
            request,
            form,
            lambda data: pages.create(request.user, partner, data),
            success_message=_("Saved."),
        )
        if created:
            return redirect("partners:detail", partner.pk)
    return render(
        request,
        "partners/child_form.html",
        {"form": form, "partner": partner, "title": pages.title, "instance": None, "kind": kind},
    )


@require_http_methods(["GET", "POST"])
def child_edit(request, kind, pk):
    pages = _pages(kind)
    if pages.update is None:
        raise Http404
    instance = _instance(request, pages, pk, "change")
    form = pages.form(request.POST or None, instance=instance)
    if request.method == "POST":
        updated = save_form(
            request,
            form,
            lambda data: pages.update(request.user, instance, data),
            success_message=_("Saved."),
        )
        if updated:
            return redirect("partners:detail", instance.partner_id)
    return render(
        request,
        "partners/child_form.html",
        {
            "form": form,
            "partner": instance.partner,
            "title": pages.title,
            "instance": instance,
            "kind": kind,
        },
    )


@require_http_methods(["GET", "POST"])
def child_delete(request, kind, pk):
    pages = _pages(kind)
    instance = _instance(request, pages, pk, "delete")
    if request.method == "POST":
        try:
            pages.delete(request.user, instance)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Deleted."))
        return redirect("partners:detail", instance.partner_id)
    from django.urls import reverse

    return render(
        request,
        "core/confirm_delete.html",
        {"object": instance, "cancel_url": reverse("partners:detail", args=[instance.partner_id])},
    )
