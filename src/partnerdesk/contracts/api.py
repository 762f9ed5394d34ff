"""Contracts, their versions, deliverables, RACI matrix and dispute ladder over the API.

Every endpoint reads through ``restrict(user, action)``, so a contract the user may not see is a
404; the services check the permission again before writing.
"""

from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from partnerdesk.audit.selectors import history_for
from partnerdesk.contracts.filters import CONTRACT_SORTS
from partnerdesk.contracts.models import (
    Contract,
    ContractVersion,
    Deliverable,
    DisputeLevel,
    RaciActivity,
)
from partnerdesk.contracts.schemas import (
    AmendmentIn,
    ContractApiFilter,
    ContractIn,
    ContractOut,
    ContractPatch,
    ContractStatusIn,
    ContractVersionOut,
    DeliverableActionIn,
    DeliverableIn,
    DeliverableOut,
    DisputeLevelOut,
    RaciActivityOut,
)
from partnerdesk.contracts.services import contracts as services, parts
from partnerdesk.core.errors import InvalidInput
from partnerdesk.core.listing import ApiPagination, apply_sort
from partnerdesk.organisation.models import Person
from partnerdesk.partners.models import Partner
from partnerdesk.partners.schemas import HistoryOut

router = Router(tags=["contracts"])
ERRORS = {400: dict, 401: dict, 403: dict, 404: dict, 409: dict, 422: dict}


def contract_get(user, contract_id: int, action: str = "view") -> Contract:
    """One contract the user may see (or act on); ``Contract.DoesNotExist`` (a 404) otherwise."""
    return Contract.objects.restrict(user, action).select_related("partner").get(pk=contract_id)


def _visible(queryset, pk: int | None, field: str, message: str):
    """A row named in a request body, or a 422 on that field: an id the user may not see reads
    the same as one that does not exist."""
    if pk is None:
        return None
    row = queryset.filter(pk=pk).first()
    if row is None:
        raise InvalidInput(message, fields={field: [message]})
    return row


def _owner(user, data: dict) -> dict:
    if "owner" in data:
        data["owner"] = _visible(
            Person.objects.restrict(user), data["owner"], "owner", _("Unknown person.")
        )
    return data


# --- Contracts -------------------------------------------------------------------------------


@router.get("/contracts", response={200: list[ContractOut], **ERRORS})
@paginate(ApiPagination)
def list_contracts(request, filters: Query[ContractApiFilter], sort: str | None = None):
    qs = filters.filter(Contract.objects.restrict(request.user).select_related("partner"))
    return apply_sort(qs, sort, CONTRACT_SORTS, "reference")[0]


@router.post("/contracts", response={201: ContractOut, **ERRORS})
def create_contract(request, payload: ContractIn):
    data = payload.dict()
    partner = _visible(
        Partner.objects.restrict(request.user),
        data.pop("partner"),
        "partner",
        _("Unknown partner."),
    )
    created = services.contract_create(
        user=request.user, partner=partner, data=_owner(request.user, data)
    )
    return Status(201, created)


@router.get("/contracts/{int:contract_id}", response={200: ContractOut, **ERRORS})
def get_contract(request, contract_id: int):
    return contract_get(request.user, contract_id)


@router.patch("/contracts/{int:contract_id}", response={200: ContractOut, **ERRORS})
def update_contract(request, contract_id: int, payload: ContractPatch):
    contract = contract_get(request.user, contract_id, "change")
    data = _owner(request.user, payload.dict(exclude_unset=True))
    updated = services.contract_update(user=request.user, contract=contract, data=data)
    updated.partner = contract.partner
    return updated


@router.post("/contracts/{int:contract_id}/status", response={200: ContractOut, **ERRORS})
def change_contract_status(request, contract_id: int, payload: ContractStatusIn):
    contract = contract_get(request.user, contract_id)
    return services.contract_change_status(
        user=request.user, contract=contract, to_status=payload.to_status, reason=payload.reason
    )


@router.post(
    "/contracts/{int:contract_id}/amendments", response={201: ContractVersionOut, **ERRORS}
)
def amend_contract(request, contract_id: int, payload: AmendmentIn):
    contract = contract_get(request.user, contract_id, "change")
    version = services.contract_amend(
        user=request.user,
        contract=contract,
        effective_from=payload.effective_from,
        summary=payload.summary,
        changes=payload.changes.dict(exclude_unset=True),
    )
    return Status(201, version)


@router.get(
    "/contracts/{int:contract_id}/versions", response={200: list[ContractVersionOut], **ERRORS}
)
def contract_versions(request, contract_id: int):
    contract = contract_get(request.user, contract_id)
    return list(
        ContractVersion.objects.restrict(request.user)
        .filter(contract=contract)
        .select_related("contract")
        .order_by("version")
    )


@router.get("/contracts/{int:contract_id}/history", response={200: list[HistoryOut], **ERRORS})
def contract_history(request, contract_id: int):
    contract = contract_get(request.user, contract_id)
    return list(history_for(instance=contract, user=request.user))


# --- Deliverables ----------------------------------------------------------------------------


@router.get(
    "/contracts/{int:contract_id}/deliverables", response={200: list[DeliverableOut], **ERRORS}
)
def contract_deliverables(request, contract_id: int):
    contract = contract_get(request.user, contract_id)
    return list(Deliverable.objects.restrict(request.user).filter(contract=contract))


@router.post("/contracts/{int:contract_id}/deliverables", response={201: DeliverableOut, **ERRORS})
def create_deliverable(request, contract_id: int, payload: DeliverableIn):
    contract = contract_get(request.user, contract_id)
    created = parts.deliverable_create(user=request.user, contract=contract, data=payload.dict())
    return Status(201, created)


@router.post("/deliverables/{int:deliverable_id}/actions", response={200: DeliverableOut, **ERRORS})
def record_deliverable(request, deliverable_id: int, payload: DeliverableActionIn):
    deliverable = Deliverable.objects.restrict(request.user, "change").get(pk=deliverable_id)
    return parts.deliverable_record(
        user=request.user,
        deliverable=deliverable,
        action=payload.action,
        delivered_on=payload.delivered_on,
    )


# --- RACI matrix and dispute ladder ----------------------------------------------------------


@router.get("/contracts/{int:contract_id}/raci", response={200: list[RaciActivityOut], **ERRORS})
def contract_raci(request, contract_id: int):
    contract = contract_get(request.user, contract_id)
    return list(
        RaciActivity.objects.restrict(request.user)
        .filter(contract=contract)
        .prefetch_related("assignments__team", "assignments__contact")
    )


@router.get(
    "/contracts/{int:contract_id}/dispute-ladder",
    response={200: list[DisputeLevelOut], **ERRORS},
)
def contract_dispute_ladder(request, contract_id: int):
    contract = contract_get(request.user, contract_id)
    return list(
        DisputeLevel.objects.restrict(request.user)
        .filter(contract=contract)
        .prefetch_related("internal_people", "partner_contacts")
    )
