"""Measurement pages: the grid of a contract's year, entry, correction with history, and the
file import (upload, column mapping, preview, commit)."""

import datetime
import os
import re
import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.core.files import File
from django.core.files.storage import default_storage
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from partnerdesk.contracts.models import Contract
from partnerdesk.core.errors import ApplicationError
from partnerdesk.core.permissions import can
from partnerdesk.core.views_helpers import save_form
from partnerdesk.performance.choices import MetricSource
from partnerdesk.performance.forms import (
    CorrectionForm,
    ImportMappingForm,
    ImportUploadForm,
    MeasurementForm,
    MeasurementGridForm,
)
from partnerdesk.performance.models import Measurement, Metric, PeriodClose, ServiceLevel
from partnerdesk.performance.periods import month_end, months_between, parse_period
from partnerdesk.performance.services import import_files, imports
from partnerdesk.performance.services.measurements import (
    measurement_correct as correct_service,
    measurement_record as record_service,
)

PREVIEW_ROWS = 200
SHOWN_ERRORS = 1000


def _visible_contracts(user):
    return Contract.objects.restrict(user).only("id", "reference", "title").order_by("reference")


def _closed_periods(first: datetime.date, last: datetime.date) -> set[datetime.date]:
    return set(
        PeriodClose.objects.filter(
            period__gte=first, period__lte=last, reopened_at__isnull=True
        ).values_list("period", flat=True)
    )


def measurement_grid(request):
    user = request.user
    form = MeasurementGridForm(request.GET or None, contracts=_visible_contracts(user))
    today = timezone.localdate()
    contract, year = None, today.year
    if form.is_valid():
        contract = form.cleaned_data["contract"]
        year = form.cleaned_data["year"] or year
    months = months_between(datetime.date(year, 1, 1), datetime.date(year, 12, 1))
    rows = []
    can_add = can(user, "add", Measurement)
    can_change = can(user, "change", Measurement)
    if contract is not None:
        closed = _closed_periods(months[0], months[-1])
        levels = (
            ServiceLevel.objects.restrict(user)
            .filter(contract=contract)
            .select_related("metric")
            .order_by("metric__name")
        )
        cells: dict[tuple[int, datetime.date], list[Measurement]] = {}
        for m in (
            Measurement.objects.restrict(user)
            .filter(
                contract=contract,
                is_current=True,
                period__gte=months[0],
                period__lte=months[-1],
            )
            .order_by("measured_on", "id")
        ):
            cells.setdefault((m.metric_id, m.period), []).append(m)
        for level in levels:
            metric = level.metric
            derived = metric.source == MetricSource.DERIVED
            rows.append(
                {
                    "level": level,
                    "metric": metric,
                    "derived": derived,
                    "cells": [
                        {
                            "month": month,
                            "closed": month in closed,
                            "values": cells.get((metric.pk, month), []),
                            "record_url": None
                            if derived or month in closed or not can_add
                            else reverse("performance:measurement_record")
                            + "?"
                            + urlencode(
                                {
                                    "contract": contract.pk,
                                    "metric": metric.pk,
                                    "month": month.strftime("%Y-%m"),
                                }
                            ),
                        }
                        for month in months
                    ],
                }
            )
    return render(
        request,
        "performance/measurement_grid.html",
        {
            "form": form,
            "contract": contract,
            "year": year,
            "months": months,
            "rows": rows,
            "can_add": can_add,
            "can_change": can_change,
            "years": [year - 1, year + 1],
        },
    )


def _int_param(params, name):
    value = params.get(name, "")
    return int(value) if value.isdigit() and len(value) < 10 else None


@require_http_methods(["GET", "POST"])
def measurement_record(request):
    user = request.user
    if not can(user, "add", Measurement):
        raise Http404
    params = request.POST if request.method == "POST" else request.GET
    metric = None
    metric_pk = _int_param(params, "metric")
    if metric_pk:
        metric = Metric.objects.restrict(user).filter(pk=metric_pk).first()
    initial = {"contract": _int_param(request.GET, "contract"), "metric": metric_pk}
    try:
        month = parse_period(request.GET.get("month", ""))
    except ApplicationError:
        month = None
    if month:
        initial["measured_on"] = month_end(month)
    form = MeasurementForm(
        request.POST or None,
        initial=initial,
        contracts=_visible_contracts(user),
        metrics=Metric.objects.restrict(user),
        metric=metric,
    )
    if request.method == "POST":

        def record(data):
            return record_service(
                user=user,
                contract=data["contract"],
                metric=data["metric"],
                measured_on=data["measured_on"],
                evidence=data["evidence"],
                **form.values(),
            )

        created = save_form(request, form, record, success_message=_("Measurement recorded."))
        if created:
            return redirect(_grid_url(created))
    return render(request, "performance/measurement_form.html", {"form": form, "metric": metric})


def _grid_url(measurement: Measurement) -> str:
    query = urlencode({"contract": measurement.contract_id, "year": measurement.period.year})
    return f"{reverse('performance:measurements')}?{query}"


@require_http_methods(["GET", "POST"])
def measurement_correct(request, pk):
    user = request.user
    try:
        measurement = (
            Measurement.objects.restrict(user, "change")
            .select_related("contract", "metric", "author")
            .get(pk=pk)
        )
    except Measurement.DoesNotExist as exc:
        raise Http404 from exc
    metric = measurement.metric
    initial = {
        "value": measurement.value,
        "numerator": measurement.numerator,
        "denominator": measurement.denominator,
        "evidence": measurement.evidence,
    }
    form = CorrectionForm(request.POST or None, initial=initial)
    form.show_fields_of(metric)
    if request.method == "POST":

        def correct(data):
            return correct_service(
                user=user,
                measurement=measurement,
                reason=data["correction_reason"],
                evidence=data["evidence"],
                **form.values(),
            )

        corrected = save_form(request, form, correct, success_message=_("Value corrected."))
        if corrected:
            return redirect(_grid_url(corrected))
    history = (
        Measurement.objects.restrict(user)
        .filter(
            contract=measurement.contract_id,
            metric=measurement.metric_id,
            measured_on=measurement.measured_on,
        )
        .select_related("author")
        .order_by("-created_at", "-id")
    )
    return render(
        request,
        "performance/measurement_correct.html",
        {"form": form, "measurement": measurement, "metric": metric, "history": history},
    )


# --- import -----------------------------------------------------------------------------------

_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def _upload_path(user, token: str, extension: str) -> str:
    return f"measurement-imports/{user.pk}/{token}{extension}"


def _stash(user, uploaded) -> dict:
    """Keep the upload until the import is committed (the preview and the commit read it)."""
    name = os.path.basename(uploaded.name or "")[:100]
    extension = os.path.splitext(name)[1].lower()
    token = uuid.uuid4().hex
    uploaded.seek(0)
    default_storage.save(_upload_path(user, token, extension), uploaded)
    return {"token": token, "extension": extension, "name": name}


def _stashed(user, post) -> dict | None:
    token, extension = post.get("token", ""), post.get("extension", "")
    if not _TOKEN.match(token) or extension not in import_files.EXTENSIONS:
        return None
    path = _upload_path(user, token, extension)
    if not default_storage.exists(path):
        return None
    return {
        "token": token,
        "extension": extension,
        "name": os.path.basename(post.get("name", ""))[:100] or f"import{extension}",
        "path": path,
    }


def _parse(stash: dict, mapping):
    with default_storage.open(stash["path"], "rb") as handle:
        return import_files.parse_measurement_file(File(handle, name=stash["name"]), mapping)


def _mapping_from(post) -> dict[str, str]:
    return {name: post[name] for name in import_files.FIELD_NAMES if post.get(name)}


@require_http_methods(["GET", "POST"])
def measurement_import(request):
    user = request.user
    if not can(user, "add", Measurement):
        raise Http404
    step = request.POST.get("step", "upload")
    if request.method == "GET" or step == "upload":
        form = ImportUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                parsed = import_files.parse_measurement_file(form.cleaned_data["file"])
            except ApplicationError as exc:
                form.add_error("file", exc.message)
            else:
                stash = _stash(user, form.cleaned_data["file"])
                return _after_parse(request, stash, parsed)
        return render(request, "performance/measurement_import.html", {"form": form})
    stash = _stashed(user, request.POST)
    if stash is None:
        messages.error(request, _("The uploaded file is no longer here; upload it again."))
        return redirect("performance:measurement_import")
    mapping = _mapping_from(request.POST)
    if step == "map":
        form = ImportMappingForm(request.POST, headers=_parse(stash, None).headers)
        if not form.is_valid():
            return _mapping_page(request, stash, form)
        return _after_parse(request, stash, _parse(stash, form.mapping()))
    parsed = _parse(stash, mapping or None)
    try:
        result = imports.import_measurements(user=user, parsed=parsed)
    except imports.ImportRefused as exc:
        return _preview_page(request, stash, parsed, errors=exc.row_errors)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return _preview_page(request, stash, parsed)
    default_storage.delete(stash["path"])
    messages.success(
        request,
        _("Imported %(created)d measurements; %(unchanged)d rows were unchanged.")
        % {"created": result.created, "unchanged": result.unchanged},
    )
    return redirect("performance:measurements")


def _after_parse(request, stash: dict, parsed):
    if parsed.needs_mapping:
        form = ImportMappingForm(initial=parsed.mapping, headers=[h for h in parsed.headers if h])
        return _mapping_page(request, stash, form, parsed.errors)
    return _preview_page(request, stash, parsed)


def _mapping_page(request, stash, form, errors=()):
    return render(
        request,
        "performance/measurement_import_map.html",
        {"stash": stash, "form": form, "errors": errors},
    )


def _preview_page(request, stash, parsed, errors=None):
    plan = None
    if errors is None:
        plan = imports.check_measurements(user=request.user, parsed=parsed)
        errors = plan.errors
    return render(
        request,
        "performance/measurement_import_preview.html",
        {
            "stash": stash,
            "parsed": parsed,
            "mapping": parsed.mapping,
            "rows": parsed.rows[:PREVIEW_ROWS],
            "more_rows": max(len(parsed.rows) - PREVIEW_ROWS, 0),
            "errors": errors[:SHOWN_ERRORS],
            "error_count": len(errors),
            "plan": plan,
            "columns": import_files.FIELD_NAMES,
        },
    )
