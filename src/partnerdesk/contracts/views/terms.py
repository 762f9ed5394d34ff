"""Writing a contract's terms: create, edit the descriptive terms, amend the commercial terms
(a new version) and move it through its lifecycle."""

import copy

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from partnerdesk.contracts.choices import STATUS_TRANSITIONS, ContractStatus
from partnerdesk.contracts.forms import AmendForm, ContractForm
from partnerdesk.contracts.models import Contract
from partnerdesk.contracts.services import contracts as services
from partnerdesk.contracts.views.contracts import get_contract
from partnerdesk.core.lifecycle import StatusChangeForm
from partnerdesk.core.permissions import can
from partnerdesk.core.views_helpers import save_form
from partnerdesk.organisation.models import Person
from partnerdesk.partners.models import Partner


def _people(user, current=None):
    people = Person.objects.restrict(user).filter(is_active=True)
    if current is not None:
        people = people | Person.objects.restrict(user).filter(pk=current)
    return people


@require_http_methods(["GET", "POST"])
def contract_create(request):
    user = request.user
    if not can(user, "add", Contract):
        raise Http404
    partners = Partner.objects.restrict(user).order_by("code")
    initial = {}
    partner_param = request.GET.get("partner", "")
    if partner_param.isdigit():
        initial["partner"] = partners.filter(pk=partner_param).first()
    form = ContractForm(
        request.POST or None, initial=initial, partners=partners, people=_people(user)
    )
    if request.method == "POST":
        contract = save_form(
            request,
            form,
            lambda data: services.contract_create(
                user=user, partner=data["partner"], data=form.service_data()
            ),
            success_message=_("Contract created."),
        )
        if contract:
            return redirect("contracts:detail", contract.pk)
    return render(
        request,
        "contracts/contract_form.html",
        {"form": form, "contract": None, "partner": initial.get("partner")},
    )


@require_http_methods(["GET", "POST"])
def contract_edit(request, pk):
    contract = get_contract(request, pk, "change")
    locked = contract.status != ContractStatus.DRAFT
    # The form writes into its instance while validating; keep the page's contract as stored.
    form = ContractForm(
        request.POST or None,
        instance=copy.copy(contract),
        people=_people(request.user, contract.owner_id),
        commercial_read_only=locked,
    )
    if request.method == "POST":
        updated = save_form(
            request,
            form,
            lambda data: services.contract_update(
                user=request.user, contract=contract, data=form.service_data()
            ),
            success_message=_("Contract saved."),
        )
        if updated:
            return redirect("contracts:detail", contract.pk)
    return render(
        request,
        "contracts/contract_form.html",
        {"form": form, "contract": contract, "commercial_locked": locked},
    )


@require_http_methods(["GET", "POST"])
def contract_amend(request, pk):
    contract = get_contract(request, pk, "change")
    form = AmendForm(request.POST or None, contract=contract)
    if request.method == "POST":
        version = save_form(
            request,
            form,
            lambda data: services.contract_amend(
                user=request.user,
                contract=contract,
                effective_from=data["effective_from"],
                summary=data["summary"],
                changes=form.changes(),
            ),
            success_message=_("Amendment saved."),
        )
        if version:
            return redirect("contracts:detail", contract.pk)
    return render(request, "contracts/contract_amend.html", {"form": form, "contract": contract})


@require_http_methods(["GET", "POST"])
def contract_status(request, pk):
    contract = get_contract(request, pk)
    if not request.user.has_perm("contracts.change_contract_status"):
        raise Http404
    allowed = STATUS_TRANSITIONS[contract.status]
    form = StatusChangeForm(request.POST or None, statuses=ContractStatus, allowed=allowed)
    if request.method == "POST":
        changed = save_form(
            request,
            form,
            lambda data: services.contract_change_status(
                user=request.user,
                contract=contract,
                to_status=data["to_status"],
                reason=data["reason"],
            ),
            success_message=_("Status changed."),
        )
        if changed:
            return redirect("contracts:detail", contract.pk)
    return render(
        request,
        "contracts/contract_status.html",
        {"form": form, "contract": contract, "allowed": [ContractStatus(s) for s in allowed]},
    )
