"""The quality overview: the figures that need attention, three charts (lot acceptance per
month, nonconformances by defect as a Pareto, cost of poor quality per month), upcoming
audits, overdue 8D stages and lots waiting for readings or a disposition."""

import datetime
from decimal import Decimal

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from partnerdesk.core.charts import LineSeries, bar_chart, line_chart
from partnerdesk.core.currencies import quantize
from partnerdesk.quality import selectors
from partnerdesk.quality.views.common import month_starts

MONTHS = 6
PARETO_DAYS = 365
PARETO_BARS = 8
LIST_ROWS = 8
# Whoever sees any part of the module sees its overview (figures of what they may see).
VIEW_PERMS = (
    "quality.view_lotinspection",
    "quality.view_nonconformance",
    "quality.view_audit",
)


def _acceptance_chart(user, months: list[datetime.date]) -> tuple[dict, list[dict]]:
    found = {
        row["month"]: row for row in selectors.lot_acceptance_by_month(user=user, since=months[0])
    }
    rows, rates = [], []
    for month in months:
        row = found.get(month, {"decided": 0, "accepted": 0})
        rate = round(100 * row["accepted"] / row["decided"], 1) if row["decided"] else None
        rates.append(rate)
        rows.append(
            {"month": month, "decided": row["decided"], "accepted": row["accepted"], "rate": rate}
        )
    chart = line_chart(
        [LineSeries(_("Lots accepted (%)"), rates)],
        labels=[f"{m:%Y-%m}" for m in months],
        title=_("Lot acceptance rate per month"),
        y_range=(0, 100),
    )
    return chart, rows


def _pareto(user, today: datetime.date) -> tuple[dict, list[dict]]:
    rows = selectors.nc_by_defect(user=user, since=today - datetime.timedelta(days=PARETO_DAYS))
    total = sum(row["count"] for row in rows)
    running = 0
    for row in rows:
        running += row["count"]
        row["cumulative"] = round(100 * running / total, 1) if total else 0
    shown = rows[:PARETO_BARS]
    chart = bar_chart(
        [(row["code"], row["count"]) for row in shown],
        title=_("Nonconformances by defect, last 12 months"),
    )
    return chart, shown


def _cost_chart(user, months: list[datetime.date]) -> tuple[dict | None, list[dict]]:
    rows = selectors.cost_by_month(user=user, since=months[0])
    currencies = sorted({row["currency"] for row in rows})
    by_key = {
        (_month(row["month"]), row["currency"]): quantize(
            Decimal(str(row["total"] or 0)), row["currency"]
        )
        for row in rows
    }
    totals = [
        {
            "currency": currency,
            "total": quantize(
                sum((by_key.get((m, currency), Decimal(0)) for m in months), Decimal(0)), currency
            ),
        }
        for currency in currencies
    ]
    if not currencies:
        return None, totals
    series = [
        LineSeries(currency, [float(by_key.get((m, currency), 0)) for m in months])
        for currency in currencies
    ]
    values = [value for item in series for value in item.values]
    chart = line_chart(
        series,
        labels=[f"{m:%Y-%m}" for m in months],
        title=_("Cost of poor quality per month"),
        y_range=(min(0.0, *values) * 1.1, max(0.0, *values) * 1.1 or 1.0),
    )
    return chart, totals


def _month(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        value = value.date()
    return value.replace(day=1)


@require_GET
def quality_home(request):
    user = request.user
    if not any(user.has_perm(perm) for perm in VIEW_PERMS):
        raise Http404
    today = timezone.localdate()
    months = month_starts(today, MONTHS)
    acceptance_chart, acceptance = _acceptance_chart(user, months)
    pareto_chart, pareto = _pareto(user, today)
    cost_chart, cost_totals = _cost_chart(user, months)
    may_inspect = user.has_perm("quality.add_lotinspection")
    context = {
        "counts": selectors.overview_counts(user=user),
        "acceptance_chart": acceptance_chart,
        "acceptance": acceptance,
        "pareto_chart": pareto_chart,
        "pareto": pareto,
        "cost_chart": cost_chart,
        "cost_totals": cost_totals,
        "upcoming_audits": list(selectors.upcoming_audits(user=user)[:LIST_ROWS]),
        "overdue_stages": list(selectors.overdue_stages(user=user)[:LIST_ROWS]),
        "lots_awaiting": list(selectors.lots_awaiting(user=user)[:LIST_ROWS]),
        "lines_to_inspect": (
            selectors.uninspected_receipt_lines(user=user).count() if may_inspect else None
        ),
        "now": timezone.now(),
    }
    return render(request, "quality/home.html", context)
