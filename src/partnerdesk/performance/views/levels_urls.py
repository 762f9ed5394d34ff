"""URLs of the metric library, service levels, exclusions and measurements."""

urlpatterns: list = []
