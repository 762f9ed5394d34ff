"""Pages of the SPC side: the plant dashboard, line dashboards, control charts, signals,
readings ingests and the monthly precision ranking."""

from django.urls import path

from partnerdesk.regrind.views import home, ingest, ranking, spc, spc_signals

urlpatterns: list = [
    path("", home.home, name="home"),
    path("lines/<int:pk>/", spc.line, name="line"),
    path("charts/new/", spc.chart_create, name="chart_create"),
    path("charts/<int:pk>/", spc.chart, name="chart"),
    path("charts/<int:pk>/rules/", spc.chart_rules, name="chart_rules"),
    path("charts/<int:pk>/baseline/", spc.chart_baseline, name="chart_baseline"),
    path("signals/", spc_signals.signals, name="signals"),
    path("signals/<int:pk>/", spc_signals.signal_ack, name="signal_ack"),
    path("ingests/", ingest.ingests, name="ingests"),
    path("ingests/upload/", ingest.ingest_upload, name="ingest_upload"),
    path("ingests/<int:pk>/", ingest.ingest, name="ingest"),
    path("ranking/", ranking.ranking, name="ranking"),
    path("ranking/compute/", ranking.ranking_compute, name="ranking_compute"),
    path("ranking/<int:pk>/finalize/", ranking.ranking_finalize, name="ranking_finalize"),
]
