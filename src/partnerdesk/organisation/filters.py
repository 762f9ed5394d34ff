from typing import Annotated

from ninja import Field, FilterLookup, FilterSchema


class PersonFilter(FilterSchema):
    q: Annotated[
        str | None,
        FilterLookup(["full_name__icontains", "email__icontains", "job_title__icontains"]),
    ] = Field(None, max_length=100)
    department: Annotated[int | None, FilterLookup("department_id")] = Field(None, ge=1, le=2**31)
    active: Annotated[bool | None, FilterLookup("is_active")] = None


PERSON_SORTS = {"name": "full_name", "department": "department__name", "team": "team__name"}
