"""The monthly team precision ranking: the month's final revision (else its latest, or one
chosen from the revisions), the table, a bar chart of the share within tolerance, each team's
explanation from its inputs, computing a new revision and making one final."""

import datetime
from decimal import Decimal

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from partnerdesk.core.errors import ApplicationError
from partnerdesk.regrind import selectors_spc as selectors
from partnerdesk.regrind.charts_svg import share_bars
from partnerdesk.regrind.filters_spc import parse_month
from partnerdesk.regrind.forms_spc import RankingComputeForm
from partnerdesk.regrind.services.ranking import (
    D2,
    MIN_READINGS,
    month_bounds,
    ranking_compute as compute,
    ranking_finalize as finalize,
)
from partnerdesk.regrind.views.spc_common import get_or_404, require, run


def _this_month() -> datetime.date:
    return timezone.localdate().replace(day=1)


def _month_url(month: datetime.date, revision: int | None = None) -> str:
    url = f"{reverse('regrind:ranking')}?month={month:%Y-%m}"
    return f"{url}&revision={revision}" if revision else url


def _explained(teams, lines: dict[int, str]) -> list:
    for team in teams:
        team.groups = [
            {**group, "line": lines.get(group.get("line_id"), "—")} for group in team.inputs or []
        ]
    return teams


def _page(request, month: datetime.date, *, form=None):
    user = request.user
    revisions = list(selectors.ranking_list(user=user).filter(month=month).order_by("-revision"))
    chosen = request.GET.get("revision", "")
    ranking = next((r for r in revisions if chosen.isdigit() and r.revision == int(chosen)), None)
    if ranking is None:
        ranking = next((r for r in revisions if r.is_final), revisions[0] if revisions else None)
    teams = list(selectors.ranking_teams(user=user, ranking=ranking)) if ranking else []
    line_ids = {group.get("line_id") for team in teams for group in team.inputs or []}
    lines = selectors.line_codes(user=user, ids=line_ids) if line_ids else {}
    _start, end = month_bounds(month)
    may_finalize = bool(
        ranking
        and not ranking.is_final
        and ranking.revision == revisions[0].revision
        and timezone.now() >= end
        and user.has_perm("regrind.finalize_precisionranking")
    )
    if form is None and user.has_perm("regrind.add_precisionranking"):
        form = RankingComputeForm(initial={"month": f"{month:%Y-%m}", "min_readings": MIN_READINGS})
    final = next((r for r in revisions if r.is_final), None)
    previous = (month - datetime.timedelta(days=1)).replace(day=1)
    following = (month + datetime.timedelta(days=32)).replace(day=1)
    context = {
        "month": month,
        "ranking": ranking,
        "teams": _explained(teams, lines),
        "chart": share_bars([t for t in teams if t.readings]) if teams else None,
        "revisions": revisions,
        "final": final,
        "form": form if form is not None and (form.is_bound or not final) else None,
        "may_finalize": may_finalize,
        "month_over": timezone.now() >= end,
        "totals": _totals(teams),
        "d2": D2,
        "previous": previous,
        "following": following if following <= _this_month() else None,
    }
    return render(request, "regrind/ranking.html", context)


def _totals(teams) -> dict:
    by_currency: dict[str, list[Decimal]] = {}
    for team in teams:
        sums = by_currency.setdefault(team.currency, [Decimal(0), Decimal(0)])
        sums[0] += team.virgin_cost
        sums[1] += team.risk_cost
    return {currency: {"virgin": v, "risk": r} for currency, (v, r) in by_currency.items()}


@require_GET
def ranking(request):
    require(request.user, "regrind.view_precisionranking")
    month = parse_month(request.GET.get("month")) or _this_month()
    return _page(request, month)


@require_POST
def ranking_compute(request):
    user = request.user
    require(user, "regrind.add_precisionranking")
    form = RankingComputeForm(request.POST)
    done = run(
        request,
        form,
        lambda data: compute(user=user, month=data["month"], min_readings=data["min_readings"]),
    )
    if done is None:
        month = parse_month(request.POST.get("month")) or _this_month()
        return _page(request, month, form=form)
    messages.success(
        request,
        _("Revision %(revision)s of %(month)s computed from %(readings)s readings.")
        % {"revision": done.revision, "month": f"{done.month:%Y-%m}", "readings": done.readings},
    )
    return redirect(_month_url(done.month, done.revision))


@require_POST
def ranking_finalize(request, pk):
    user = request.user
    require(user, "regrind.finalize_precisionranking")
    found = get_or_404(selectors.ranking_get, user=user, pk=pk)
    try:
        finalize(user=user, ranking=found)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Revision %(revision)s is the final ranking of %(month)s.")
            % {"revision": found.revision, "month": f"{found.month:%Y-%m}"},
        )
    return redirect(_month_url(found.month))
