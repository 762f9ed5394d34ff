"""List pages and list endpoints share this: filters, sorting and pagination.

A list is declared once per model (a ``FilterSchema`` plus a dict of sortable columns) and used by
both the HTMX page and the API endpoint, so they filter and sort the same way.
"""

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import QuerySet
from ninja import Field, FilterSchema, Schema
from ninja.pagination import PageNumberPagination
from pydantic import ValidationError


def apply_sort(
    queryset: QuerySet, sort: str | None, allowed: dict[str, str], default: str
) -> tuple[QuerySet, str]:
    """Order by a whitelisted column; ``-name`` sorts descending. Unknown names fall back to
    the default. The primary key breaks ties so pages are stable."""
    key = sort or default
    descending = key.startswith("-")
    name = key.lstrip("-")
    if name not in allowed:
        key, descending, name = default, default.startswith("-"), default.lstrip("-")
    field = allowed[name]
    ordering = f"-{field}" if descending else field
    return queryset.order_by(ordering, "-pk" if descending else "pk"), key


def parse_filters(schema: type[FilterSchema], params) -> tuple[FilterSchema, dict[str, str]]:
    """Read filters from query parameters; invalid values are dropped and reported by field."""
    raw = {k: v for k, v in params.items() if k in schema.model_fields and v not in ("", None)}
    errors: dict[str, str] = {}
    try:
        return schema.model_validate(raw), errors
    except ValidationError as exc:
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "?"
            errors[field] = error["msg"]
            raw.pop(field, None)
    return schema.model_validate(raw), errors


@dataclass
class ListState:
    page: object
    sort: str
    filters: FilterSchema
    filter_errors: dict[str, str]
    query_string: str

    @property
    def items(self):
        return self.page.object_list


def build_list(
    request,
    queryset: QuerySet,
    *,
    filter_schema: type[FilterSchema],
    sorts: dict[str, str],
    default_sort: str,
    per_page: int = 25,
) -> ListState:
    filters, errors = parse_filters(filter_schema, request.GET)
    queryset = filters.filter(queryset)
    queryset, sort = apply_sort(queryset, request.GET.get("sort"), sorts, default_sort)
    paginator = Paginator(queryset, per_page)
    page = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return ListState(
        page=page, sort=sort, filters=filters, filter_errors=errors, query_string=params.urlencode()
    )


class ApiPagination(PageNumberPagination):
    """Ninja's page-number pagination with a ceiling on ``page``: an unbounded page number
    became an OFFSET too large for the database (a server error instead of a 422)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int | None = Field(None, ge=1, le=1_000_000)
