from django.apps import AppConfig


class RegrindConfig(AppConfig):
    name = "partnerdesk.regrind"
    label = "regrind"
    verbose_name = "Regrind ratio control"
