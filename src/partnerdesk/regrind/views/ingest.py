"""Readings ingests: the list, an ingest's page with its refused rows (row, raw text and the
reasons), and uploading an equipment CSV export (or only checking it)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from partnerdesk.core.listing import build_list
from partnerdesk.core.views_helpers import render_list
from partnerdesk.regrind import selectors_spc as selectors
from partnerdesk.regrind.choices import IngestSource, IngestStatus
from partnerdesk.regrind.engines.readings import ALIASES, BATCH_MAX, FIELDS, RATIO_SLACK
from partnerdesk.regrind.filters_spc import INGEST_SORTS, IngestFilter
from partnerdesk.regrind.forms_spc import UploadForm
from partnerdesk.regrind.services.ingest import readings_ingest_csv
from partnerdesk.regrind.services.ingest_messages import FIELD_LABELS, describe
from partnerdesk.regrind.views.spc_common import get_or_404, require, run

REJECTIONS_PER_PAGE = 100


@require_GET
def ingests(request):
    user = request.user
    require(user, "regrind.view_readingingest")
    state = build_list(
        request,
        selectors.ingest_list(user=user),
        filter_schema=IngestFilter,
        sorts=INGEST_SORTS,
        default_sort="-started_at",
    )
    context = {
        "list": state,
        "sources": IngestSource.choices,
        "statuses": IngestStatus.choices,
        "refused_choices": [("true", _("With refused rows")), ("false", _("Without"))],
        "columns": [
            ("started_at", _("Started")),
            ("status", _("Status")),
            ("rows", _("Rows")),
            ("stored", _("Stored")),
            ("refused", _("Refused")),
        ],
    }
    return render_list(request, "regrind/ingest_list.html", "regrind/_ingest_table.html", context)


@require_GET
def ingest(request, pk):
    user = request.user
    found = get_or_404(selectors.ingest_get, user=user, pk=pk)
    rows = selectors.ingest_rejections(user=user, ingest=found)
    page = Paginator(rows, REJECTIONS_PER_PAGE).get_page(request.GET.get("page"))
    for rejection in page.object_list:
        rejection.messages = describe(rejection.errors)
    context = {
        "ingest": found,
        "page": page,
        "checked_only": found.status == IngestStatus.CHECKED,
        "refused_whole": found.status == IngestStatus.REFUSED,
    }
    return render(request, "regrind/ingest_detail.html", context)


def _columns() -> list[dict]:
    names: dict[str, list[str]] = {name: [] for name in FIELDS}
    for alias, name in ALIASES.items():
        if alias != name:
            names[name].append(alias)
    return [
        {"name": name, "label": FIELD_LABELS.get(name, name), "aliases": names[name]}
        for name in FIELDS
    ]


@require_http_methods(["GET", "POST"])
def ingest_upload(request):
    user = request.user
    require(user, "regrind.add_reading")
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        check_only = "check" in request.POST
        done = run(
            request,
            form,
            lambda data: readings_ingest_csv(
                user=user,
                stream=data["file"],
                filename=data["file"].name or "",
                strict=data["strict"],
                check_only=check_only,
            ),
        )
        if done is not None:
            messages.success(request, _summary(done))
            return redirect("regrind:ingest", done.pk)
    context = {
        "form": form,
        "columns": _columns(),
        "batch_max": BATCH_MAX,
        "ratio_slack": RATIO_SLACK,
    }
    return render(request, "regrind/ingest_upload.html", context)


def _summary(done) -> str:
    values = {
        "rows": done.rows,
        "stored": done.stored,
        "duplicates": done.duplicates,
        "refused": done.refused,
    }
    if done.status == IngestStatus.CHECKED:
        return (
            _(
                "Checked only, nothing stored: of %(rows)s rows, %(stored)s would be stored, "
                "%(duplicates)s are stored already and %(refused)s would be refused."
            )
            % values
        )
    if done.status == IngestStatus.REFUSED:
        return (
            _(
                "Nothing stored (all or nothing): %(refused)s of %(rows)s rows were refused. "
                "Correct them and send the file again."
            )
            % values
        )
    return (
        _(
            "%(rows)s rows read: %(stored)s stored, %(duplicates)s stored already, "
            "%(refused)s refused."
        )
        % values
    )
