from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "partnerdesk.contracts"
    label = "contracts"
