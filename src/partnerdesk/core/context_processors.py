"""Navigation for the layout: the modules this user may open, and unread notifications."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # (label, url name, permission); a module appears once it exists and the user may see it.
    modules = [
        (_("Home"), "core:home", None),
        (_("Partners"), "partners:list", "partners.view_partner"),
        (_("Contacts"), "partners:contacts", "partners.view_partnercontact"),
        (_("Certifications"), "partners:certifications", "partners.view_certification"),
        (_("Documents"), "partners:documents", "partners.view_partnerdocument"),
        (_("Contracts"), "contracts:list", "contracts.view_contract"),
        (_("Measurements"), "performance:measurements", "performance.view_measurement"),
        (_("Scorecards"), "performance:scorecards", "performance.view_partnerscore"),
        (_("Period close"), "performance:closes", "performance.view_periodclose"),
        (_("Orders"), "finance:orders", "finance.view_purchaseorder"),
        (_("Receipts"), "finance:receipts", "finance.view_goodsreceipt"),
        (_("Invoices"), "finance:invoices", "finance.view_supplierinvoice"),
        (_("Exceptions"), "finance:exceptions", "finance.view_matchexception"),
        (_("Reconciliation"), "finance:reconciliations", "finance.view_weeklyreconciliation"),
        (_("Quality"), "quality:home", "quality.view_nonconformance"),
        (_("Regrind"), "regrind:home", "regrind.view_productionline"),
        (_("Organisation"), "organisation:people", "organisation.view_person"),
        (_("Audit log"), "audit:log", "audit.view_auditentry"),
        (_("Users"), "accounts:users", "accounts.view_user"),
    ]
    nav = []
    for label, url_name, perm in modules:
        if perm is None or user.has_perm(perm):
            url = reverse(url_name)
            active = request.path == url if url == "/" else request.path.startswith(url)
            nav.append({"label": label, "url": url, "active": active})
    from partnerdesk.notifications.models import Notification

    unread = Notification.objects.restrict(user).filter(read_at__isnull=True).count()
    return {"nav_modules": nav, "unread_notifications": unread}
