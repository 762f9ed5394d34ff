from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from partnerdesk.audit.models import AuditEntry
from partnerdesk.audit.selectors import audit_log
from partnerdesk.core.permissions import can


def log(request):
    if not can(request.user, "view", AuditEntry):
        raise Http404
    entries = audit_log(user=request.user)
    model = request.GET.get("model", "")
    if model:
        entries = entries.filter(content_type__model=model)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "audit/log.html", {"page": page, "model": model})
