"""Who am I, over the API."""

from ninja import Router, Schema

router = Router(tags=["accounts"])


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    email: str
    partner_id: int | None
    roles: list[str]


@router.get("/me", response=MeOut)
def me(request):
    user = request.user
    return {
        "id": user.pk,
        "username": user.username,
        "full_name": user.get_full_name(),
        "email": user.email,
        "partner_id": user.partner_id,
        "roles": sorted(user.groups.values_list("name", flat=True)),
    }
