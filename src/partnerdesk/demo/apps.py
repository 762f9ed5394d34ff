from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "partnerdesk.demo"
    label = "demo"
