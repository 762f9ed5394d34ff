from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "partnerdesk.finance"
    label = "finance"
