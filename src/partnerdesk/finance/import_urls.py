"""Pages of the document imports (upload, map columns, preview, apply)."""

from django.urls import path

from partnerdesk.finance.views import imports

urlpatterns = [
    path("imports/", imports.document_import, name="document_import"),
]
