from ninja import Field, FilterSchema


class PersonFilter(FilterSchema):
    q: str | None = Field(
        None, q=["full_name__icontains", "email__icontains", "job_title__icontains"]
    )
    department: int | None = Field(None, q="department_id")
    active: bool | None = Field(None, q="is_active")


PERSON_SORTS = {"name": "full_name", "department": "department__name", "team": "team__name"}
