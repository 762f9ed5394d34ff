from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "partnerdesk.finance"
    label = "finance"

    def ready(self):
        # Register the finance KPI sources (on-time receipts, matched invoices, budget).
        from partnerdesk.finance import sources  # noqa: F401
