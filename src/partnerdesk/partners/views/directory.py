"""Cross-partner lists: contacts, certifications and documents; document upload and download."""

from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from partnerdesk.core.listing import build_list
from partnerdesk.core.permissions import can
from partnerdesk.core.views_helpers import render_list, save_form
from partnerdesk.partners import selectors, services
from partnerdesk.partners.choices import CertificationStandard, ContactRole, DocumentType
from partnerdesk.partners.filters import (
    CERTIFICATION_SORTS,
    CONTACT_SORTS,
    DOCUMENT_SORTS,
    CertificationFilter,
    ContactFilter,
    DocumentFilter,
)
from partnerdesk.partners.forms import DocumentForm
from partnerdesk.partners.models import PartnerDocument
from partnerdesk.partners.views.partners import _get as get_partner


def contact_list(request):
    state = build_list(
        request,
        selectors.contact_list(user=request.user),
        filter_schema=ContactFilter,
        sorts=CONTACT_SORTS,
        default_sort="name",
    )
    return render_list(
        request,
        "partners/contact_list.html",
        "partners/_contact_table.html",
        {
            "list": state,
            "roles": ContactRole.choices,
            "columns": [("name", _("Name")), ("partner", _("Partner")), ("role", _("Role"))],
        },
    )


def certification_list(request):
    state = build_list(
        request,
        selectors.certification_list(user=request.user),
        filter_schema=CertificationFilter,
        sorts=CERTIFICATION_SORTS,
        default_sort="expires",
    )
    today = timezone.localdate()
    for certification in state.items:
        certification.days_left = (certification.expires_on - today).days
    return render_list(
        request,
        "partners/certification_list.html",
        "partners/_certification_table.html",
        {
            "list": state,
            "standards": CertificationStandard.choices,
            "columns": [
                ("partner", _("Partner")),
                ("standard", _("Standard")),
                ("expires", _("Expires")),
            ],
        },
    )


def document_list(request):
    state = build_list(
        request,
        selectors.document_list(user=request.user),
        filter_schema=DocumentFilter,
        sorts=DOCUMENT_SORTS,
        default_sort="-created",
    )
    return render_list(
        request,
        "partners/document_list.html",
        "partners/_document_table.html",
        {
            "list": state,
            "types": DocumentType.choices,
            "columns": [
                ("title", _("Title")),
                ("type", _("Type")),
                ("valid_until", _("Valid until")),
                ("created", _("Uploaded")),
            ],
        },
    )


@require_http_methods(["GET", "POST"])
def document_upload(request, partner_pk):
    partner = get_partner(request, partner_pk)
    if not can(request.user, "add", PartnerDocument):
        raise Http404
    confidential_ok = request.user.has_perm("partners.view_confidential_partnerdocument")
    form = DocumentForm(
        request.POST or None, request.FILES or None, can_mark_confidential=confidential_ok
    )
    if request.method == "POST":

        def upload(data):
            meta = {k: v for k, v in data.items() if k != "file"}
            return services.document_upload(
                user=request.user, partner=partner, uploaded_file=data["file"], data=meta
            )

        if save_form(request, form, upload, success_message=_("Document uploaded.")):
            return redirect("partners:detail", partner.pk)
    return render(
        request,
        "partners/child_form.html",
        {
            "form": form,
            "partner": partner,
            "title": _("document"),
            "instance": None,
            "multipart": True,
        },
    )


def document_download(request, pk):
    try:
        document = selectors.document_list(user=request.user).get(pk=pk)
    except PartnerDocument.DoesNotExist as exc:
        raise Http404 from exc
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )


@require_http_methods(["GET", "POST"])
def document_delete(request, pk):
    try:
        document = PartnerDocument.objects.restrict(request.user, "delete").get(pk=pk)
    except PartnerDocument.DoesNotExist as exc:
        raise Http404 from exc
    if request.method == "POST":
        services.document_delete(user=request.user, document=document)
        return redirect("partners:detail", document.partner_id)
    from django.urls import reverse

    return render(
        request,
        "core/confirm_delete.html",
        {"object": document, "cancel_url": reverse("partners:detail", args=[document.partner_id])},
    )
