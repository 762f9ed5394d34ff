from django.urls import path  # noqa: F401

from partnerdesk.finance import import_urls

app_name = "finance"

urlpatterns = [
    *import_urls.urlpatterns,
]
