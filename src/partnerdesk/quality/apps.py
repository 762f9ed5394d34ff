from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "partnerdesk.quality"
    label = "quality"

    def ready(self):
        # Register the quality KPI sources (lot acceptance, PPM, audit score, 8D, repeats).
        from partnerdesk.quality import sources  # noqa: F401
