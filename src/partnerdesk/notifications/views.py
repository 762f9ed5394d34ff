from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from partnerdesk.notifications.models import Notification
from partnerdesk.notifications.services import notification_mark_read


def notification_list(request):
    qs = Notification.objects.restrict(request.user)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@require_POST
def notification_read(request):
    # With no "id" at all every unread notification is marked; with ids, only those (and
    # none when every id given is malformed).
    raw_ids = request.POST.getlist("id")
    ids = [int(i) for i in raw_ids if i.isdigit()] if raw_ids else None
    notification_mark_read(user=request.user, ids=ids)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "notifications:list"
    return redirect(target)
