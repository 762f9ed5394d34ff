from django.apps import AppConfig


class OrganisationConfig(AppConfig):
    name = "partnerdesk.organisation"
    label = "organisation"
