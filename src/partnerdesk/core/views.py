"""The home page: what needs attention today."""

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from partnerdesk.core.charts import bar_chart
from partnerdesk.partners import selectors as partner_selectors


@require_GET
def home(request):
    user = request.user
    today = timezone.localdate()
    expiring = list(partner_selectors.certifications_expiring(user=user, today=today)[:15])
    for certification in expiring:
        certification.days_left = (certification.expires_on - today).days
    status_counts = partner_selectors.partner_status_counts(user=user)
    chart = bar_chart(
        [(str(row["label"]), row["count"]) for row in status_counts], title=str(_status_title())
    )
    notifications = list(user.notifications.filter(read_at__isnull=True)[:8])
    return render(
        request,
        "core/home.html",
        {
            "expiring": expiring,
            "status_counts": status_counts,
            "status_chart": chart,
            "notifications": notifications,
            "today": today,
        },
    )


def _status_title():
    from django.utils.translation import gettext_lazy as _

    return _("Partners by status")


@require_GET
def health(request):
    """Liveness for load balancers: answers once the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
