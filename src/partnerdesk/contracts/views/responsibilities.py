"""Who does what and who talks to whom: the RACI matrix and the dispute-resolution ladder
editors. Both replace the whole grid on save; a refused grid keeps the user's input and lists
the problems by row at the top."""

from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from partnerdesk.contracts import selectors
from partnerdesk.contracts.forms import DisputeLadderForm, RaciGridForm
from partnerdesk.contracts.services import parts as services
from partnerdesk.contracts.views.contracts import get_contract
from partnerdesk.core.views_helpers import save_form
from partnerdesk.organisation.models import Person
from partnerdesk.partners.models import PartnerContact


@require_http_methods(["GET", "POST"])
def raci_edit(request, pk):
    contract = get_contract(request, pk, "change")
    teams, contacts = selectors.raci_parties(user=request.user, contract=contract)
    parties = [(selectors.party_key(p), p) for p in teams + contacts]
    form = RaciGridForm(
        request.POST or None,
        parties=parties,
        activities=selectors.raci_activities(user=request.user, contract=contract),
    )
    if request.method == "POST":
        saved = save_form(
            request,
            form,
            lambda data: services.raci_save(
                user=request.user, contract=contract, rows=form.matrix_rows()
            ),
            success_message=_("RACI matrix saved."),
        )
        if saved is not None:
            return redirect("contracts:detail", contract.pk)
    return render(
        request,
        "contracts/raci_form.html",
        {"form": form, "contract": contract, "teams": teams, "contacts": contacts},
    )


@require_http_methods(["GET", "POST"])
def dispute_ladder_edit(request, pk):
    contract = get_contract(request, pk, "change")
    people = Person.objects.restrict(request.user).filter(is_active=True)
    contacts = PartnerContact.objects.restrict(request.user).filter(partner_id=contract.partner_id)
    form = DisputeLadderForm(
        request.POST or None,
        people=people,
        contacts=contacts,
        levels=selectors.dispute_ladder(user=request.user, contract=contract),
    )
    if request.method == "POST":
        saved = save_form(
            request,
            form,
            lambda data: services.dispute_ladder_save(
                user=request.user, contract=contract, levels=form.levels()
            ),
            success_message=_("Dispute ladder saved."),
        )
        if saved is not None:
            return redirect("contracts:detail", contract.pk)
    return render(request, "contracts/dispute_form.html", {"form": form, "contract": contract})
