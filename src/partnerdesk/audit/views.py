from django.core.paginator import Paginator
from django.shortcuts import render

from partnerdesk.audit.selectors import audit_log


def log(request):
    entries = audit_log(user=request.user)
    model = request.GET.get("model", "")
    if model:
        entries = entries.filter(content_type__model=model)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "audit/log.html", {"page": page, "model": model})
