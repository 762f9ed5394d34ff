from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "partnerdesk.performance"
    label = "performance"
