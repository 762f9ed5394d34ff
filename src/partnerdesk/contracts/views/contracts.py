"""Contract pages: the list and the contract page with all its parts."""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerdesk.audit.selectors import history_for
from partnerdesk.contracts import selectors
from partnerdesk.contracts.choices import STATUS_TRANSITIONS, ContractStatus
from partnerdesk.contracts.filters import CONTRACT_SORTS, ContractFilter
from partnerdesk.contracts.models import Contract, Deliverable
from partnerdesk.core.currencies import quantize
from partnerdesk.core.listing import build_list
from partnerdesk.core.permissions import can
from partnerdesk.core.views_helpers import render_list
from partnerdesk.partners.models import Partner

# Choices of the "expiring within" filter, in days.
EXPIRY_WINDOWS = (30, 60, 90, 180)


def get_contract(request, pk, action: str = "view") -> Contract:
    try:
        return selectors.contract_get(user=request.user, pk=pk, action=action)
    except Contract.DoesNotExist as exc:
        raise Http404 from exc


def contract_list(request):
    if not can(request.user, "view", Contract):
        raise Http404
    state = build_list(
        request,
        selectors.contract_list(user=request.user),
        filter_schema=ContractFilter,
        sorts=CONTRACT_SORTS,
        default_sort="reference",
    )
    context = {
        "list": state,
        "statuses": ContractStatus.choices,
        "partners": Partner.objects.restrict(request.user).only("pk", "code").order_by("code"),
        "expiry_windows": [
            (days, _("Expiring within %(days)d days") % {"days": days}) for days in EXPIRY_WINDOWS
        ],
        "can_add": can(request.user, "add", Contract),
        "columns": [
            ("reference", _("Reference")),
            ("title", _("Title")),
            ("partner", _("Partner")),
            ("status", _("Status")),
            ("start", _("Start")),
            ("end", _("End")),
            ("fee", _("Monthly fee")),
            ("review", _("Next review")),
        ],
    }
    return render_list(
        request, "contracts/contract_list.html", "contracts/_contract_table.html", context
    )


def contract_detail(request, pk):
    contract = get_contract(request, pk)
    user = request.user
    may_change = can(user, "change", Contract)
    context = {
        "contract": contract,
        "versions": selectors.contract_versions(user=user, contract=contract),
        "deliverables": selectors.deliverables_of(user=user, contract=contract),
        "dispute_levels": selectors.dispute_ladder(user=user, contract=contract),
        "raci": selectors.raci_matrix(user=user, contract=contract),
        "attachments": selectors.attachments_of(user=user, contract=contract),
        "service_levels": selectors.service_levels_of(user=user, contract=contract),
        "status_changes": selectors.status_changes_of(user=user, contract=contract),
        "history": history_for(instance=contract, user=user),
        "allowed_transitions": [ContractStatus(s) for s in STATUS_TRANSITIONS[contract.status]],
        "at_risk_amount": quantize(
            contract.monthly_fee * contract.at_risk_percent / 100, contract.currency
        ),
        "today": timezone.localdate(),
        "perms_for": {
            "edit": may_change,
            "amend": may_change
            and contract.status not in (ContractStatus.EXPIRED, ContractStatus.TERMINATED),
            "status": user.has_perm("contracts.change_contract_status"),
            "parts": may_change,
            "add_deliverable": can(user, "add", Deliverable),
            "change_deliverable": can(user, "change", Deliverable),
        },
    }
    return render(request, "contracts/contract_detail.html", context)
