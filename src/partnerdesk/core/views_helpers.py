"""Small pieces shared by the apps' views: service calls from forms, list rendering."""

from django.contrib import messages
from django.shortcuts import render

from partnerdesk.core.errors import ApplicationError


def save_form(request, form, call, *, success_message: str | None = None):
    """Validate ``form``, then run ``call(cleaned_data)`` (a service). Business errors are put
    on the form next to their fields (or at the top); returns the result or None."""
    if not form.is_valid():
        return None
    try:
        result = call(form.cleaned_data)
    except ApplicationError as exc:
        placed = False
        for name, msgs in exc.fields.items():
            for msg in msgs:
                form.add_error(name if name in form.fields else None, msg)
                placed = True
        if not placed:
            form.add_error(None, exc.message)
        return None
    if success_message:
        messages.success(request, success_message)
    return result


def render_list(request, template: str, partial: str, context: dict):
    """Render a list page, or only its table when HTMX asks for it (search, sort, page)."""
    if getattr(request, "htmx", False) and request.htmx.target == "list-results":
        return render(request, partial, context)
    return render(request, template, context)
