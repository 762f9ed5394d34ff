"""Finance API: tolerance profiles, item categories and match runs."""

from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from partnerdesk.core.listing import ApiPagination
from partnerdesk.finance.api_common import ERRORS, _named
from partnerdesk.finance.models import (
    ItemCategory,
    MatchRun,
    ToleranceProfile,
)
from partnerdesk.finance.schemas import (
    CategoryIn,
    CategoryOut,
    MatchRunOut,
    ProfileIn,
    ProfileOut,
    ProfilePatch,
)
from partnerdesk.finance.services import profiles
from partnerdesk.partners.models import Partner

# Mounted on ``api.router`` (its "finance" tag); the operation ids are the ones these endpoints
# had there.
router = Router()


# --- Tolerance profiles and item categories --------------------------------------------------


def _profiles(user, action: str = "view"):
    return ToleranceProfile.objects.restrict(user, action).select_related("partner", "category")


def _profile_refs(user, data: dict) -> dict:
    """Partner and category ids of a body as the rows they name (422 on the field if unseen)."""
    if data.get("partner") is not None:
        data["partner"] = _named(
            Partner.objects.restrict(user), "partner", _("Unknown partner."), pk=data["partner"]
        )
    if data.get("category") is not None:
        data["category"] = _named(
            ItemCategory.objects.restrict(user),
            "category",
            _("Unknown item category."),
            pk=data["category"],
        )
    return data


@router.get(
    "/tolerance-profiles",
    response={200: list[ProfileOut], **ERRORS},
    operation_id="partnerdesk_finance_api_list_profiles",
)
@paginate(ApiPagination)
def list_profiles(request):
    return _profiles(request.user).order_by("partner__code", "category__code", "name", "pk")


@router.post(
    "/tolerance-profiles",
    response={201: ProfileOut, **ERRORS},
    operation_id="partnerdesk_finance_api_create_profile",
)
def create_profile(request, payload: ProfileIn):
    data = _profile_refs(request.user, payload.dict())
    profile = profiles.profile_create(user=request.user, data=data)
    return Status(201, _profiles(request.user).get(pk=profile.pk))


@router.get(
    "/tolerance-profiles/{int:profile_id}",
    response={200: ProfileOut, **ERRORS},
    operation_id="partnerdesk_finance_api_get_profile",
)
def get_profile(request, profile_id: int):
    return _profiles(request.user).get(pk=profile_id)


@router.patch(
    "/tolerance-profiles/{int:profile_id}",
    response={200: ProfileOut, **ERRORS},
    operation_id="partnerdesk_finance_api_update_profile",
)
def update_profile(request, profile_id: int, payload: ProfilePatch):
    profile = _profiles(request.user, "change").get(pk=profile_id)
    data = _profile_refs(request.user, payload.dict(exclude_unset=True))
    profiles.profile_update(user=request.user, profile=profile, data=data)
    return _profiles(request.user).get(pk=profile_id)


@router.delete(
    "/tolerance-profiles/{int:profile_id}",
    response={204: None, **ERRORS},
    operation_id="partnerdesk_finance_api_delete_profile",
)
def delete_profile(request, profile_id: int):
    profile = _profiles(request.user, "delete").get(pk=profile_id)
    profiles.profile_delete(user=request.user, profile=profile)
    return Status(204, None)


@router.get(
    "/item-categories",
    response={200: list[CategoryOut], **ERRORS},
    operation_id="partnerdesk_finance_api_list_categories",
)
@paginate(ApiPagination)
def list_categories(request):
    return ItemCategory.objects.restrict(request.user).order_by("code", "pk")


@router.post(
    "/item-categories",
    response={201: CategoryOut, **ERRORS},
    operation_id="partnerdesk_finance_api_create_category",
)
def create_category(request, payload: CategoryIn):
    return Status(201, profiles.category_create(user=request.user, data=payload.dict()))


# --- Match runs ------------------------------------------------------------------------------


@router.get(
    "/match-runs",
    response={200: list[MatchRunOut], **ERRORS},
    operation_id="partnerdesk_finance_api_list_match_runs",
)
@paginate(ApiPagination)
def list_match_runs(request):
    return MatchRun.objects.restrict(request.user).order_by("-started_at", "-pk")
