"""Template helpers for lists (sort links, page links) and small formatting."""

from django import template
from django.http import QueryDict
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def sort_header(context, state, key: str, label: str):
    """A column header that sorts by ``key``; clicking again reverses the order."""
    request = context["request"]
    params = request.GET.copy()
    params.pop("page", None)
    current = state.sort
    if current == key:
        new, arrow = f"-{key}", " ▲"
    elif current == f"-{key}":
        new, arrow = key, " ▼"
    else:
        new, arrow = key, ""
    params["sort"] = new
    url = f"?{params.urlencode()}"
    return format_html(
        '<a href="{}" hx-get="{}" hx-target="#list-results" hx-push-url="true">{}{}</a>',
        url,
        url,
        label,
        arrow,
    )


@register.simple_tag
def page_url(query_string: str, number: int) -> str:
    params = QueryDict(query_string, mutable=True)
    params["page"] = str(number)
    return f"?{params.urlencode()}"


@register.filter
def status_class(value: str) -> str:
    return f"badge badge-{value}"


@register.filter
def days_class(days: int) -> str:
    if days < 0:
        return "badge badge-expired"
    if days <= 30:
        return "badge badge-danger"
    if days <= 60:
        return "badge badge-warning"
    return "badge badge-info"
