from django.urls import path

from partnerdesk.finance import import_urls
from partnerdesk.finance.views import (
    exceptions,
    invoices,
    orders,
    profiles,
    receipts,
    reconciliations,
)

app_name = "finance"

urlpatterns = [
    path("orders/", orders.order_list, name="orders"),
    path("orders/new/", orders.order_create, name="order_create"),
    path("orders/<int:pk>/", orders.order_detail, name="order"),
    path("receipts/", receipts.receipt_list, name="receipts"),
    path("receipts/new/", receipts.receipt_create_view, name="receipt_create"),
    path("receipts/<int:pk>/", receipts.receipt_detail, name="receipt"),
    path("invoices/", invoices.invoice_list, name="invoices"),
    path("invoices/new/", invoices.invoice_create_view, name="invoice_create"),
    path("invoices/<int:pk>/", invoices.invoice_detail, name="invoice"),
    path("exceptions/", exceptions.exception_list, name="exceptions"),
    path("exceptions/<int:pk>/", exceptions.exception_detail, name="exception"),
    path("reconciliations/", reconciliations.reconciliation_list, name="reconciliations"),
    path(
        "reconciliations/<int:pk>/",
        reconciliations.reconciliation_detail,
        name="reconciliation",
    ),
    path(
        "reconciliations/<int:pk>/export.xlsx",
        reconciliations.reconciliation_export,
        name="reconciliation_export",
    ),
    path("tolerance-profiles/", profiles.profile_list, name="profiles"),
    path("tolerance-profiles/new/", profiles.profile_create_view, name="profile_create"),
    path("tolerance-profiles/<int:pk>/edit/", profiles.profile_edit, name="profile_edit"),
    path(
        "tolerance-profiles/<int:pk>/delete/", profiles.profile_delete_view, name="profile_delete"
    ),
    path("item-categories/", profiles.category_list, name="categories"),
    *import_urls.urlpatterns,
]
