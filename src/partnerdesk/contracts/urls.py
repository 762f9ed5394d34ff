from django.urls import path

from partnerdesk.contracts.views import contracts, parts, responsibilities, terms

app_name = "contracts"
urlpatterns = [
    path("", contracts.contract_list, name="list"),
    path("new/", terms.contract_create, name="create"),
    path("<int:pk>/", contracts.contract_detail, name="detail"),
    path("<int:pk>/edit/", terms.contract_edit, name="edit"),
    path("<int:pk>/amend/", terms.contract_amend, name="amend"),
    path("<int:pk>/status/", terms.contract_status, name="status"),
    path("<int:pk>/raci/", responsibilities.raci_edit, name="raci"),
    path("<int:pk>/disputes/", responsibilities.dispute_ladder_edit, name="disputes"),
    path("<int:pk>/attachments/new/", parts.attachment_add, name="attachment_add"),
    path("<int:pk>/deliverables/new/", parts.deliverable_create, name="deliverable_create"),
    path("deliverables/<int:pk>/edit/", parts.deliverable_edit, name="deliverable_edit"),
    path("deliverables/<int:pk>/record/", parts.deliverable_record, name="deliverable_record"),
]
