from django.urls import path

from partnerdesk.partners.views import children, directory, partners

app_name = "partners"
urlpatterns = [
    path("", partners.partner_list, name="list"),
    path("new/", partners.partner_create, name="create"),
    path("contacts/", directory.contact_list, name="contacts"),
    path("certifications/", directory.certification_list, name="certifications"),
    path("documents/", directory.document_list, name="documents"),
    path("documents/<int:pk>/download/", directory.document_download, name="document_download"),
    path("documents/<int:pk>/delete/", directory.document_delete, name="document_delete"),
    path("<int:pk>/", partners.partner_detail, name="detail"),
    path("<int:pk>/edit/", partners.partner_edit, name="edit"),
    path("<int:pk>/status/", partners.partner_status, name="status"),
    path("<int:pk>/delete/", partners.partner_delete, name="delete"),
    path("<int:partner_pk>/documents/new/", directory.document_upload, name="document_upload"),
    path("<int:partner_pk>/<str:kind>/new/", children.child_create, name="child_create"),
    path("<str:kind>/<int:pk>/edit/", children.child_edit, name="child_edit"),
    path("<str:kind>/<int:pk>/delete/", children.child_delete, name="child_delete"),
]
