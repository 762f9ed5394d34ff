"""Pages of the metric library: the list, create and edit."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from partnerdesk.core.listing import build_list
from partnerdesk.core.permissions import can
from partnerdesk.core.views_helpers import render_list, save_form
from partnerdesk.performance.choices import Aggregation, MetricSource
from partnerdesk.performance.filters import METRIC_SORTS, MetricFilter
from partnerdesk.performance.forms import MetricForm
from partnerdesk.performance.models import Metric
from partnerdesk.performance.services.service_levels import metric_create, metric_update
from partnerdesk.performance.sources import SOURCES


def metric_list(request):
    if not can(request.user, "view", Metric):
        raise Http404
    state = build_list(
        request,
        Metric.objects.restrict(request.user),
        filter_schema=MetricFilter,
        sorts=METRIC_SORTS,
        default_sort="name",
    )
    for metric in state.items:
        source = SOURCES.get(metric.derived_source)
        metric.derived_label = source.label if source else metric.derived_source
    return render_list(
        request,
        "performance/metric_list.html",
        "performance/_metric_table.html",
        {
            "list": state,
            "sources": MetricSource.choices,
            "aggregations": Aggregation.choices,
            "can_add": can(request.user, "add", Metric),
            "can_change": can(request.user, "change", Metric),
            "columns": [
                ("code", _("Code")),
                ("name", _("Name")),
                ("unit", _("Unit")),
                ("aggregation", _("Aggregation")),
                ("source", _("Source")),
            ],
        },
    )


@require_http_methods(["GET", "POST"])
def metric_create_view(request):
    if not can(request.user, "add", Metric):
        raise Http404
    form = MetricForm(request.POST or None)
    if request.method == "POST":
        created = save_form(
            request,
            form,
            lambda data: metric_create(user=request.user, data=data),
            success_message=_("Metric created."),
        )
        if created:
            return redirect("performance:metrics")
    return render(request, "performance/metric_form.html", {"form": form, "metric": None})


@require_http_methods(["GET", "POST"])
def metric_update_view(request, pk):
    try:
        metric = Metric.objects.restrict(request.user, "change").get(pk=pk)
    except Metric.DoesNotExist as exc:
        raise Http404 from exc
    form = MetricForm(request.POST or None, instance=metric)
    if request.method == "POST":
        updated = save_form(
            request,
            form,
            lambda data: metric_update(user=request.user, metric=metric, data=data),
            success_message=_("Metric saved."),
        )
        if updated:
            return redirect("performance:metrics")
    return render(request, "performance/metric_form.html", {"form": form, "metric": metric})
