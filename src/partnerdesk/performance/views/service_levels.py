"""Pages of service levels: a contract's list, the detail with its terms versions, results and
exclusions, the terms editor (new service level, new terms version) and exclusion decisions."""

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from partnerdesk.contracts.models import Contract
from partnerdesk.core.errors import ApplicationError
from partnerdesk.core.permissions import can
from partnerdesk.core.views_helpers import save_form
from partnerdesk.performance.choices import ExclusionStatus
from partnerdesk.performance.forms import (
    ExclusionRequestForm,
    ServiceLevelForm,
    TermsForm,
    TierFormSet,
    number_rows,
    tier_rows,
    tiers_initial,
)
from partnerdesk.performance.models import (
    Exclusion,
    Metric,
    ServiceLevel,
    ServiceLevelResult,
    ServiceLevelTerms,
)
from partnerdesk.performance.services import service_levels as services

RECENT_RESULTS = 12


def _contract(request, pk) -> Contract:
    try:
        return Contract.objects.restrict(request.user).select_related("partner").get(pk=pk)
    except Contract.DoesNotExist as exc:
        raise Http404 from exc


def _level(request, pk, action: str = "view") -> ServiceLevel:
    try:
        return (
            ServiceLevel.objects.restrict(request.user, action)
            .select_related("contract", "contract__partner", "metric")
            .get(pk=pk)
        )
    except ServiceLevel.DoesNotExist as exc:
        raise Http404 from exc


def _visible_terms(user):
    return ServiceLevelTerms.objects.restrict(user).select_related("created_by")


def _with_plain_target(versions):
    """Targets as written (99.9, not 99.9000); the column keeps four decimals."""
    for terms in versions:
        terms.target_text = format(terms.target.normalize(), "f")
    return versions


def terms_in_force(versions, day):
    """The version in force on ``day`` (the newest started one, else the first to start)."""
    started = [t for t in versions if t.effective_from <= day]
    if started:
        return max(started, key=lambda t: (t.effective_from, t.version))
    return min(versions, key=lambda t: t.effective_from, default=None)


def contract_service_levels(request, contract_pk):
    contract = _contract(request, contract_pk)
    levels = list(
        ServiceLevel.objects.restrict(request.user)
        .filter(contract=contract)
        .select_related("metric")
        .prefetch_related(Prefetch("terms", queryset=_visible_terms(request.user)))
    )
    today = timezone.localdate()
    for level in levels:
        level.current_terms = terms_in_force(_with_plain_target(list(level.terms.all())), today)
    return render(
        request,
        "performance/service_level_list.html",
        {
            "contract": contract,
            "levels": levels,
            "can_add": can(request.user, "add", ServiceLevel),
        },
    )


def _detail_context(request, level: ServiceLevel, exclusion_form=None) -> dict:
    user = request.user
    versions = _with_plain_target(
        list(_visible_terms(user).filter(service_level=level).order_by("version"))
    )
    return {
        "level": level,
        "contract": level.contract,
        "metric": level.metric,
        "versions": versions,
        "current_terms": terms_in_force(versions, timezone.localdate()),
        "results": ServiceLevelResult.objects.restrict(user)
        .filter(service_level=level)
        .select_related("period_close")
        .order_by("-period_close__period", "-period_close__revision")[:RECENT_RESULTS],
        "exclusions": Exclusion.objects.restrict(user)
        .filter(service_level=level)
        .select_related("requested_by", "decided_by"),
        "exclusion_form": exclusion_form or ExclusionRequestForm(),
        "perms_for": {
            "add_terms": can(user, "add", ServiceLevelTerms),
            "request_exclusion": can(user, "add", Exclusion),
            "decide_exclusion": user.has_perm("performance.approve_exclusion"),
        },
        "requested": ExclusionStatus.REQUESTED,
    }


def service_level_detail(request, pk):
    level = _level(request, pk)
    return render(request, "performance/service_level_detail.html", _detail_context(request, level))


def _place_errors(exc: ApplicationError, forms) -> None:
    """Put a service's field errors on the form holding that field; the rest (the credit
    table's row-named problems) at the top of the terms form."""
    placed = False
    for name, msgs in exc.fields.items():
        target = next((f for f in forms if name in f.fields), forms[-1])
        for msg in msgs:
            target.add_error(name if name in target.fields else None, msg)
            placed = True
    if not placed:
        forms[-1].add_error(None, exc.message)


def _terms_editor(request, *, level_form, terms_form, tiers, call):
    """Validate the editor's forms and run ``call(tiers)``; the result or None."""
    forms = [f for f in (level_form, terms_form) if f is not None]
    valid = all([f.is_valid() for f in forms] + [tiers.is_valid()])
    number_rows(tiers)
    if not valid:
        return None
    try:
        return call(tier_rows(tiers))
    except ApplicationError as exc:
        _place_errors(exc, forms)
        return None


def _editor_page(request, context: dict):
    return render(request, "performance/service_level_form.html", context)


@require_http_methods(["GET", "POST"])
def service_level_create(request, contract_pk):
    contract = _contract(request, contract_pk)
    if not can(request.user, "add", ServiceLevel):
        raise Http404
    data = request.POST or None
    level_form = ServiceLevelForm(data, metrics=Metric.objects.restrict(request.user))
    terms_form = TermsForm(data)
    tiers = TierFormSet(data, prefix="tiers")
    if request.method == "POST":

        def create(tier_list):
            return services.service_level_create(
                user=request.user,
                contract=contract,
                metric=level_form.cleaned_data["metric"],
                name=level_form.cleaned_data["name"],
                terms=terms_form.terms_data(tier_list),
            )

        level = _terms_editor(
            request, level_form=level_form, terms_form=terms_form, tiers=tiers, call=create
        )
        if level:
            messages.success(request, _("Service level added."))
            return redirect("performance:service_level", level.pk)
    else:
        number_rows(tiers)
    return _editor_page(
        request,
        {
            "contract": contract,
            "level": None,
            "level_form": level_form,
            "terms_form": terms_form,
            "tiers": tiers,
        },
    )


@require_http_methods(["GET", "POST"])
def terms_add_version(request, pk):
    level = _level(request, pk)
    if not can(request.user, "add", ServiceLevelTerms):
        raise Http404
    versions = list(_visible_terms(request.user).filter(service_level=level).order_by("version"))
    latest = versions[-1] if versions else None
    if request.method == "POST":
        terms_form = TermsForm(request.POST, with_effective_from=True)
        tiers = TierFormSet(request.POST, prefix="tiers")

        def add(tier_list):
            return services.terms_add_version(
                user=request.user,
                service_level=level,
                effective_from=terms_form.cleaned_data["effective_from"],
                data=terms_form.terms_data(tier_list),
            )

        added = _terms_editor(
            request, level_form=None, terms_form=terms_form, tiers=tiers, call=add
        )
        if added:
            messages.success(
                request, _("Terms version %(version)d saved.") % {"version": added.version}
            )
            return redirect("performance:service_level", level.pk)
    else:
        # Start from the newest version: most changes touch one or two values.
        initial = {}
        if latest:
            initial = {
                name: getattr(latest, name)
                for name in TermsForm(with_effective_from=True).fields
                if name != "effective_from"
            }
        terms_form = TermsForm(initial=initial, with_effective_from=True)
        tiers = TierFormSet(initial=tiers_initial(latest), prefix="tiers")
        number_rows(tiers)
    return _editor_page(
        request,
        {
            "contract": level.contract,
            "level": level,
            "level_form": None,
            "terms_form": terms_form,
            "tiers": tiers,
            "latest": latest,
        },
    )


@require_POST
def exclusion_request(request, pk):
    level = _level(request, pk)
    if not can(request.user, "add", Exclusion):
        raise Http404
    form = ExclusionRequestForm(request.POST)
    requested = save_form(
        request,
        form,
        lambda data: services.exclusion_request(
            user=request.user, service_level=level, period=data["period"], reason=data["reason"]
        ),
        success_message=_("Exclusion requested; someone else approves it."),
    )
    if requested:
        return redirect("performance:service_level", level.pk)
    return render(
        request,
        "performance/service_level_detail.html",
        _detail_context(request, level, exclusion_form=form),
    )


@require_POST
def exclusion_decide(request, pk):
    if not request.user.has_perm("performance.approve_exclusion"):
        raise Http404
    try:
        exclusion = Exclusion.objects.restrict(request.user).get(pk=pk)
    except Exclusion.DoesNotExist as exc:
        raise Http404 from exc
    decision = request.POST.get("decision")
    if decision not in ("approve", "reject"):
        messages.error(request, _("Choose approve or reject."))
        return redirect("performance:service_level", exclusion.service_level_id)
    try:
        services.exclusion_decide(
            user=request.user, exclusion=exclusion, approve=decision == "approve"
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Exclusion approved.") if decision == "approve" else _("Exclusion rejected."),
        )
    return redirect("performance:service_level", exclusion.service_level_id)
