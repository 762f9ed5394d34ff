from django.urls import include, path

from partnerdesk.api import api

urlpatterns = [
    path("", include("partnerdesk.core.urls")),
    path("accounts/", include("partnerdesk.accounts.urls")),
    path("organisation/", include("partnerdesk.organisation.urls")),
    path("partners/", include("partnerdesk.partners.urls")),
    path("contracts/", include("partnerdesk.contracts.urls")),
    path("performance/", include("partnerdesk.performance.urls")),
    path("finance/", include("partnerdesk.finance.urls")),
    path("quality/", include("partnerdesk.quality.urls")),
    path("regrind/", include("partnerdesk.regrind.urls")),
    path("notifications/", include("partnerdesk.notifications.urls")),
    path("history/", include("partnerdesk.audit.urls")),
    path("api/v1/", api.urls),
]
