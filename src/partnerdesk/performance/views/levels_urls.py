"""URLs of the metric library, service levels, exclusions and measurements."""

from django.urls import path

from partnerdesk.performance.views import measurements, metrics, service_levels

urlpatterns: list = [
    path("metrics/", metrics.metric_list, name="metrics"),
    path("metrics/new/", metrics.metric_create_view, name="metric_create"),
    path("metrics/<int:pk>/edit/", metrics.metric_update_view, name="metric_update"),
    path(
        "contracts/<int:contract_pk>/service-levels/",
        service_levels.contract_service_levels,
        name="contract_service_levels",
    ),
    path(
        "contracts/<int:contract_pk>/service-levels/new/",
        service_levels.service_level_create,
        name="service_level_create",
    ),
    path("service-levels/<int:pk>/", service_levels.service_level_detail, name="service_level"),
    path(
        "service-levels/<int:pk>/terms/new/",
        service_levels.terms_add_version,
        name="terms_add_version",
    ),
    path(
        "service-levels/<int:pk>/exclusions/new/",
        service_levels.exclusion_request,
        name="exclusion_request",
    ),
    path("exclusions/<int:pk>/decide/", service_levels.exclusion_decide, name="exclusion_decide"),
    path("measurements/", measurements.measurement_grid, name="measurements"),
    path("measurements/new/", measurements.measurement_record, name="measurement_record"),
    path(
        "measurements/<int:pk>/correct/",
        measurements.measurement_correct,
        name="measurement_correct",
    ),
    path("measurements/import/", measurements.measurement_import, name="measurement_import"),
]
