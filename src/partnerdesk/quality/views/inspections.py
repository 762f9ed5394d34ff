"""Incoming inspection pages: standards and their parameters, the receipt lines to inspect,
opening a lot, a lot with its plan, readings (entered as a grid or imported), decision and
disposition, and the switching state per partner and standard."""

import re
from urllib.parse import quote

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from partnerdesk.audit.selectors import history_for
from partnerdesk.core.errors import ApplicationError
from partnerdesk.core.listing import build_list
from partnerdesk.core.views_helpers import render_list
from partnerdesk.finance.models import GoodsReceiptLine
from partnerdesk.partners.models import Partner
from partnerdesk.quality import selectors
from partnerdesk.quality.choices import (
    Disposition,
    LotStatus,
    ParameterKind,
    Severity,
)
from partnerdesk.quality.engines import sampling
from partnerdesk.quality.engines.sampling_tables import LETTERS, TABLE_NUMBERS
from partnerdesk.quality.filters import LOT_SORTS, LotFilter
from partnerdesk.quality.forms import (
    DispositionForm,
    LotOpenForm,
    ReadingsImportForm,
)
from partnerdesk.quality.services import inspection as service
from partnerdesk.quality.views.common import get_or_404, int_or_none, require, run

# Cells of the readings grid on one page: a form posts at most ~1,000 fields, so a large
# sample is entered a page of units at a time (or imported).
GRID_CELLS = 600
_CELL = re.compile(r"^v-(\d{1,6})-(\d{1,10})$")


# --- standards ---------------------------------------------------------------------------------


# --- receipt lines to inspect, opening a lot ---------------------------------------------------


def lot_todo(request):
    """The inspectors' work queue: receipt lines a standard applies to, not inspected yet."""
    user = request.user
    require(user, "quality.add_lotinspection")
    lines = selectors.uninspected_receipt_lines(user=user)
    page = Paginator(lines, 50).get_page(request.GET.get("page"))
    return render(request, "quality/lot_todo.html", {"page": page})


def _line_or_404(user, line_pk) -> GoodsReceiptLine:
    line = (
        GoodsReceiptLine.objects.restrict(user)
        .select_related("receipt__partner", "order_line__order", "order_line__category")
        .filter(pk=line_pk)
        .first()
    )
    if line is None:
        raise Http404
    return line


def _default_lot_size(line: GoodsReceiptLine) -> int | None:
    """The quantity received when it counts units (pieces, bags…), as the service reads it."""
    quantity = line.quantity_received
    unit = (line.order_line.unit or "").strip().lower()
    if unit in service.COUNTED_UNITS and quantity == quantity.to_integral_value():
        return int(quantity)
    return None


@require_http_methods(["GET", "POST"])
def lot_open(request, line_pk):
    user = request.user
    require(user, "quality.add_lotinspection")
    line = _line_or_404(user, line_pk)
    existing = selectors.lot_list(user=user).filter(receipt_line=line).first()
    if existing is not None:
        messages.info(
            request,
            _("Receipt line %(receipt)s/%(line)s is inspected in lot %(lot)s.")
            % {"receipt": line.receipt.number, "line": line.line_no, "lot": existing.number},
        )
        return redirect("quality:lot_detail", existing.pk)
    standards = selectors.standard_list(user=user).filter(is_active=True).order_by("code")
    inspectors = selectors.quality_staff("change_lotinspection")
    suggested = service.standard_for(line)
    form = LotOpenForm(
        request.POST or None,
        standards=standards,
        inspectors=inspectors,
        initial={
            "lot_size": _default_lot_size(line),
            "standard": suggested.pk if suggested else None,
            "inspector": user.pk if inspectors.filter(pk=user.pk).exists() else None,
        },
    )
    if request.method == "POST":
        opened = run(
            request,
            form,
            lambda data: service.lot_open(
                user=user,
                receipt_line=line,
                lot_size=data["lot_size"],
                standard=data["standard"],
                inspector=data["inspector"],
            ),
        )
        if opened:
            messages.success(
                request,
                _("Lot %(n)s opened: inspect a sample of %(size)s units.")
                % {"n": opened.number, "size": opened.sample_size},
            )
            return redirect("quality:lot_detail", opened.pk)
    preview = None
    size = _default_lot_size(line)
    if suggested is not None and size and suggested.parameters.exists():
        state = (
            selectors.sampling_states(user=user)
            .filter(partner_id=line.receipt.partner_id, standard=suggested)
            .first()
        )
        severity = state.severity if state else Severity.NORMAL
        if severity != Severity.DISCONTINUED:
            preview = sampling.plan(size, suggested.aql, suggested.level, severity)
    return render(
        request,
        "quality/lot_open.html",
        {"form": form, "line": line, "suggested": suggested, "preview": preview},
    )


# --- lots --------------------------------------------------------------------------------------


def lot_list(request):
    user = request.user
    require(user, "quality.view_lotinspection")
    state = build_list(
        request,
        selectors.lot_list(user=user),
        filter_schema=LotFilter,
        sorts=LOT_SORTS,
        default_sort="-created_at",
    )
    context = {
        "list": state,
        "statuses": LotStatus.choices,
        "severities": Severity.choices,
        "dispositions": Disposition.choices,
        "partners": [(p.pk, p.code) for p in Partner.objects.restrict(user).order_by("code")],
        "standards": [(s.pk, s.code) for s in selectors.standard_list(user=user).order_by("code")],
        "columns": [
            ("number", _("Lot")),
            ("partner", _("Partner")),
            ("created_at", _("Opened")),
            ("decided_at", _("Decided")),
            ("status", _("Status")),
        ],
    }
    return render_list(request, "quality/lot_list.html", "quality/_lot_table.html", context)


def _plan_facts(lot) -> dict:
    """The plan of a lot as the tables give it: table, letters, arrow, n, Ac, Re."""
    arrow = None
    if lot.plan_letter != lot.code_letter and lot.plan_letter in LETTERS:
        arrow = "down" if LETTERS.index(lot.plan_letter) > LETTERS.index(lot.code_letter) else "up"
    try:
        table_n = sampling.table_plan(lot.plan_letter, lot.aql, lot.severity).sample_size
    except ValueError:
        table_n = lot.sample_size
    return {
        "table": TABLE_NUMBERS.get(lot.severity, "—"),
        "arrow": arrow,
        "table_sample_size": table_n,
    }


def _units_page(request, lot, parameter_count: int) -> tuple[int, int, int]:
    """(first unit, last unit, units per page) of the grid page asked for."""
    per_page = max(5, GRID_CELLS // max(parameter_count, 1))
    asked = int_or_none(request.POST.get("unit_from") or request.GET.get("unit_from")) or 1
    first = min(max(asked, 1), lot.sample_size)
    first -= (first - 1) % per_page
    return first, min(lot.sample_size, first + per_page - 1), per_page


def _grid(lot, parameters, readings, first, last, posted=None):
    rows = []
    for unit in range(first, last + 1):
        cells = []
        for parameter in parameters:
            reading = readings.get(unit, {}).get(parameter.pk)
            name = f"v-{unit}-{parameter.pk}"
            if posted is not None and name in posted:
                value = posted[name]
            elif reading is not None:
                value = _plain(reading.value, parameter)
            else:
                value = ""
            cells.append(
                {
                    "name": name,
                    "reading": reading,
                    "value": value,
                    "out": reading is not None and not reading.conforming,
                    "parameter": parameter,
                }
            )
        rows.append(
            {
                "unit": unit,
                "cells": cells,
                "nonconforming": any(c["out"] for c in cells),
            }
        )
    return rows


def _plain(value, parameter) -> str:
    if parameter.kind == ParameterKind.ATTRIBUTE:
        return "1" if value == 1 else "0"
    return format(value.normalize(), "f")


def _example_csv(lot, parameters) -> str:
    """A data: URL of a CSV file with the expected columns and two units as examples."""
    lines = ["unit,parameter,value"]
    for unit in range(1, min(lot.sample_size, 2) + 1):
        for parameter in parameters:
            if parameter.kind == ParameterKind.ATTRIBUTE:
                value = "1"
            elif parameter.target is not None:
                value = format(parameter.target.normalize(), "f")
            elif parameter.lower_limit is not None and parameter.upper_limit is not None:
                value = format(
                    ((parameter.lower_limit + parameter.upper_limit) / 2).normalize(), "f"
                )
            else:
                limit = parameter.lower_limit
                if limit is None:
                    limit = parameter.upper_limit
                value = format(limit.normalize(), "f") if limit is not None else "0"
            lines.append(f"{unit},{parameter.code},{value}")
    return "data:text/csv;charset=utf-8," + quote("\r\n".join(lines) + "\r\n")


def _lot_context(request, lot, *, readings_errors=None, posted=None, **forms) -> dict:
    user = request.user
    parameters = selectors.lot_parameters(user=user, inspection=lot)
    readings = selectors.lot_readings(user=user, inspection=lot)
    first, last, per_page = _units_page(request, lot, len(parameters))
    count = sum(len(cells) for cells in readings.values())
    may_change = user.has_perm("quality.change_lotinspection")
    is_open = lot.status == LotStatus.OPEN
    needs_disposition = lot.status == LotStatus.REJECTED and not lot.disposition
    nc = selectors.nc_list(user=user).filter(lot_inspection=lot).first()
    context = {
        "lot": lot,
        "line": lot.receipt_line,
        "plan": _plan_facts(lot),
        "parameters": parameters,
        "grid": _grid(lot, parameters, readings, first, last, posted),
        "unit_first": first,
        "unit_last": last,
        "unit_previous": first - per_page if first > 1 else None,
        "unit_next": last + 1 if last < lot.sample_size else None,
        "readings_count": count,
        "readings_needed": lot.sample_size * len(parameters),
        "readings_missing": max(lot.sample_size * len(parameters) - count, 0),
        "readings_errors": readings_errors or [],
        "may_enter": may_change and is_open,
        "may_dispose": may_change and needs_disposition,
        "import_form": forms.get("import_form") or ReadingsImportForm(),
        "dispose_form": forms.get("dispose_form") or DispositionForm(),
        "example_csv": _example_csv(lot, parameters) if parameters else "",
        "nc": nc,
        "invoices": list(selectors.lot_invoices(user=user, inspection=lot)),
        "costs": list(selectors.cost_list(user=user).filter(lot_inspection=lot)),
        "history": history_for(instance=lot, user=user),
    }
    return context


def lot_detail(request, pk):
    lot = get_or_404(selectors.lot_get, user=request.user, pk=pk)
    return render(request, "quality/lot_detail.html", _lot_context(request, lot))


def _posted_rows(post, parameters) -> tuple[list, dict]:
    by_id = {p.pk: p for p in parameters}
    rows, posted = [], {}
    for key, value in post.items():
        match = _CELL.match(key)
        if not match:
            continue
        posted[key] = value
        unit, parameter_id = int(match[1]), int(match[2])
        parameter = by_id.get(parameter_id)
        if parameter is None or not value.strip():
            continue
        rows.append(service.ReadingRow(unit, parameter.code, value.strip(), row=unit))
    position = {p.code: p.position for p in parameters}
    rows.sort(key=lambda r: (r.unit_no, position[r.parameter]))
    return rows, posted


def _decided_message(request, lot) -> None:
    if lot.status == LotStatus.ACCEPTED:
        messages.success(
            request,
            _("Lot %(n)s accepted: %(d)s nonconforming in a sample of %(s)s (Ac %(ac)s).")
            % {"n": lot.number, "d": lot.defectives, "s": lot.sample_size, "ac": lot.accept_number},
        )
    elif lot.status == LotStatus.REJECTED:
        messages.error(
            request,
            _(
                "Lot %(n)s rejected: %(d)s nonconforming in a sample of %(s)s (Re %(re)s). "
                "The receipt line is on quality hold and a nonconformance is opened; decide "
                "the disposition."
            )
            % {"n": lot.number, "d": lot.defectives, "s": lot.sample_size, "re": lot.reject_number},
        )


def _after_readings(request, lot, parameters) -> None:
    if lot.status != LotStatus.OPEN:
        _decided_message(request, lot)
        return
    missing = max(lot.sample_size * len(parameters) - lot.readings.count(), 0)
    messages.info(
        request,
        _(
            "Readings saved. The plan needs a sample of %(n)s units: %(missing)s readings are "
            "still missing, the lot is not decided yet."
        )
        % {"n": lot.sample_size, "missing": missing},
    )


@require_POST
def lot_readings(request, pk):
    """Save the readings of the grid (it may be partly filled); "Save and decide" decides the
    lot too, and refuses, saving nothing, while the sample is incomplete."""
    user = request.user
    require(user, "quality.change_lotinspection")
    lot = get_or_404(selectors.lot_get, user=user, pk=pk, action="change")
    parameters = selectors.lot_parameters(user=user, inspection=lot)
    rows, posted = _posted_rows(request.POST, parameters)
    decide = "decide" in request.POST
    try:
        with transaction.atomic():
            if rows or not decide:
                lot = service.readings_record(user=user, inspection=lot, rows=rows)
            if decide and lot.status == LotStatus.OPEN:
                lot = service.lot_decide(user=user, inspection=lot)
    except ApplicationError as exc:
        lot = get_or_404(selectors.lot_get, user=user, pk=pk)
        errors = [exc.message] + [
            msg for msgs in exc.fields.values() for msg in msgs if msg != exc.message
        ]
        context = _lot_context(request, lot, readings_errors=errors, posted=posted)
        return render(request, "quality/lot_detail.html", context)
    _after_readings(request, lot, parameters)
    url = reverse("quality:lot_detail", args=[lot.pk])
    if lot.status == LotStatus.OPEN:
        url += f"?unit_from={_units_page(request, lot, len(parameters))[0]}#readings"
    return redirect(url)


@require_POST
def lot_import(request, pk):
    user = request.user
    require(user, "quality.change_lotinspection")
    lot = get_or_404(selectors.lot_get, user=user, pk=pk, action="change")
    form = ReadingsImportForm(request.POST, request.FILES)
    imported = run(
        request,
        form,
        lambda data: service.readings_import(user=user, inspection=lot, uploaded_file=data["file"]),
    )
    if imported is None:
        lot = get_or_404(selectors.lot_get, user=user, pk=pk)
        context = _lot_context(request, lot, import_form=form)
        return render(request, "quality/lot_detail.html", context)
    _after_readings(request, imported, selectors.lot_parameters(user=user, inspection=imported))
    return redirect("quality:lot_detail", lot.pk)


@require_POST
def lot_dispose(request, pk):
    user = request.user
    require(user, "quality.change_lotinspection")
    lot = get_or_404(selectors.lot_get, user=user, pk=pk, action="change")
    form = DispositionForm(request.POST)
    disposed = run(
        request,
        form,
        lambda data: service.lot_dispose(
            user=user,
            inspection=lot,
            disposition=data["disposition"],
            note=data["note"],
            concession_reference=data["concession_reference"],
            quantity_accepted=data["quantity_accepted"],
            cost_amount=data["cost_amount"],
            chargeback=data["chargeback"],
        ),
    )
    if disposed is None:
        lot = get_or_404(selectors.lot_get, user=user, pk=pk)
        context = _lot_context(request, lot, dispose_form=form)
        return render(request, "quality/lot_detail.html", context)
    messages.success(
        request,
        _("Lot %(n)s: %(d)s. The quality hold on the receipt line is lifted.")
        % {"n": disposed.number, "d": disposed.get_disposition_display()},
    )
    return redirect("quality:lot_detail", lot.pk)


# --- switching states --------------------------------------------------------------------------
