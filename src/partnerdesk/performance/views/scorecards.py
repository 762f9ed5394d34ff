"""Scorecard pages: the ranking of partners for a month, a partner's scorecard with its trend
charts, and the explanation of one score."""

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from partnerdesk.core.charts import LineSeries, bar_chart, line_chart
from partnerdesk.core.errors import InvalidInput
from partnerdesk.core.permissions import can
from partnerdesk.partners.models import Partner
from partnerdesk.performance import score_selectors as selectors
from partnerdesk.performance.models import PartnerScore
from partnerdesk.performance.periods import parse_period


def scorecard_ranking(request):
    user = request.user
    if not can(user, "view", PartnerScore):
        raise Http404
    periods = selectors.scored_periods(user=user)
    period = periods[0] if periods else None
    chosen = request.GET.get("period")
    if chosen:
        try:
            asked = parse_period(chosen)
        except InvalidInput:  # an unreadable month falls back to the latest
            asked = None
        if asked in periods:
            period = asked
    scores = selectors.ranking(user=user, period=period) if period else []
    ranked = [s for s in scores if s.overall is not None]
    chart = (
        bar_chart(
            [(s.partner.code, float(s.overall)) for s in ranked],
            title=_("Overall score by partner"),
        )
        if ranked
        else None
    )
    return render(
        request,
        "performance/ranking_list.html",
        {"periods": periods, "period": period, "scores": scores, "chart": chart},
    )


def scorecard_detail(request, partner_pk):
    user = request.user
    if not can(user, "view", PartnerScore):
        raise Http404
    try:
        partner = Partner.objects.restrict(user).get(pk=partner_pk)
    except Partner.DoesNotExist as exc:
        raise Http404 from exc
    card = selectors.partner_scorecard(user=user, partner=partner)
    labels = [p.strftime("%Y-%m") for p in card.periods]
    kpi_charts = []
    for kpi in card.kpis:
        references = []
        if kpi.worst is not None:
            references.append((_("scores 0"), kpi.worst))
        if kpi.best is not None:
            references.append((_("scores 100"), kpi.best))
        kpi_charts.append(
            {
                "kpi": kpi,
                "chart": line_chart(
                    [LineSeries(kpi.name, kpi.values, kpi.flagged)],
                    labels=labels,
                    title=_("%(kpi)s by month") % {"kpi": kpi.name},
                    references=references,
                ),
            }
        )
    score_chart = None
    if card.scores:
        score_chart = line_chart(
            [
                LineSeries(_("Period score"), [s.score for s in card.scores]),
                LineSeries(
                    _("Overall score"),
                    [s.overall for s in card.scores],
                    [selectors.is_flagged_standing(s) for s in card.scores],
                ),
            ],
            labels=labels,
            title=_("Period and overall score"),
            references=[
                (band["name"], band["lower"]) for band in card.bands if float(band["lower"]) > 0
            ],
            y_range=(0, 100),
        )
    return render(
        request,
        "performance/scorecard_detail.html",
        {
            "partner": partner,
            "card": card,
            "latest": card.latest,
            "rows": list(reversed(card.scores)),
            "kpi_charts": kpi_charts,
            "score_chart": score_chart,
        },
    )


def explain_score(request, pk):
    user = request.user
    try:
        score = selectors.score_get(user=user, pk=pk)
    except PartnerScore.DoesNotExist as exc:
        raise Http404 from exc
    return render(
        request,
        "performance/explain_score.html",
        {"score": score, **selectors.explain_score(user=user, score=score)},
    )
