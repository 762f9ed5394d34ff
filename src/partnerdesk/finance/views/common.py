"""Pieces the finance pages share: fetching a row or 404, saving a document with its line
rows, the "add rows" answer for HTMX."""

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.forms.utils import ErrorDict
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from partnerdesk.core.errors import ApplicationError
from partnerdesk.finance.forms import ADD_ROWS, MAX_ROWS, LineTable


def get_or_404(selector, **kwargs):
    """Call a ``*_get`` selector; a row the user may not see is a 404."""
    try:
        return selector(**kwargs)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc


def int_or_none(value) -> int | None:
    value = str(value or "")
    return int(value) if value.isdigit() and len(value) < 10 else None


def place_errors(form, exc: ApplicationError) -> None:
    """Put a service's field errors on ``form`` (next to their fields, or at the top)."""
    placed = False
    for name, msgs in exc.fields.items():
        for msg in msgs:
            form.add_error(name if name in form.fields else None, msg)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def call_service(request, form, call, *, success_message=None):
    """Like ``core.views_helpers.save_form``, for forms whose fields are not the service's
    arguments: ``call()`` takes nothing. Returns the result, or None with the errors on the
    form."""
    try:
        result = call()
    except ApplicationError as exc:
        place_errors(form, exc)
        return None
    if success_message:
        messages.success(request, success_message)
    return result


def save_document(request, header, table: LineTable, call, *, success_message=None):
    """Validate the header form and the line rows, then ``call(header_values, lines)`` (a
    service). Line errors ``lines.<n>.<field>`` go next to the row they came from, the others
    next to the header's fields. Returns the result or None."""
    header_ok = header.is_valid()
    if not table.is_valid() or not header_ok:
        return None
    lines = table.lines()
    try:
        result = call(header.values(), lines)
    except ApplicationError as exc:
        rest = table.place_errors(exc.fields)
        for name, msgs in rest.items():
            for msg in msgs:
                header.add_error(name if name in header.fields else None, msg)
        if not exc.fields:
            header.add_error(None, exc.message)
        elif len(rest) < len(exc.fields):
            header.add_error(None, _("Some lines have problems; see the marked rows."))
        return None
    if success_message:
        messages.success(request, success_message)
    return result


def more_rows(request, form_class, **form_kwargs):
    """The HTMX answer of the "add rows" button: blank rows from ``rows_from`` on, and the
    button again, counting on (swapped out of band)."""
    start = min(int_or_none(request.GET.get("rows_from")) or 0, MAX_ROWS)
    count = max(min(ADD_ROWS, MAX_ROWS - start), 0)
    table = LineTable(form_class, start=start, count=count, **form_kwargs)
    return render(request, "finance/_line_rows.html", {"table": table, "oob": True})


def wants_rows(request) -> bool:
    return bool(getattr(request, "htmx", False)) and "rows_from" in request.GET


def document_create(
    request, *, header, line_form, line_kwargs, create, detail, success_message, title, cancel_url
):
    """The page of a new document: header form, line rows, "add rows" (HTMX, or a plain
    submit without script), and the service call. ``create(values, lines)`` returns the new
    document; the page then goes to its ``detail`` page (a URL name)."""
    if wants_rows(request):
        return more_rows(request, line_form, **line_kwargs)
    post = request.POST if request.method == "POST" else None
    table = LineTable(line_form, post, **line_kwargs)
    if post is not None and "add_rows" in post:
        # More rows, nothing checked yet: the typed values come back without errors.
        for form in (header, *table.forms):
            form._errors = ErrorDict()
        table.grow()
    elif post is not None:
        created = save_document(request, header, table, create, success_message=success_message)
        if created:
            return redirect(detail, created.pk)
    return render(
        request,
        "finance/document_form.html",
        {"header": header, "table": table, "title": title, "cancel_url": cancel_url},
    )
