"""The regrind dashboard of the plant: each line with the product running and its
specification, the team on shift now, the readings of the last 24 hours and their share within
tolerance, and its open signals; then the latest signals and ingests."""

import datetime

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from partnerdesk.regrind import selectors_plant, selectors_spc as selectors
from partnerdesk.regrind.views.spc_common import require, with_ack_forms

DAY = datetime.timedelta(hours=24)
LIST_ROWS = 10


@require_GET
def home(request):
    user = request.user
    require(user, "regrind.view_productionline")
    now = timezone.now()
    lines = list(selectors_plant.line_list(user=user, now=now).filter(is_active=True))
    unit_ids = selectors_plant.unit_list(user=user).filter(line__in=lines).values_list("pk")
    figures = {
        row["line_id"]: row
        for row in selectors.reading_figures(
            user=user, unit_ids=[pk for (pk,) in unit_ids], since=now - DAY
        )
    }
    products = selectors.products_running(user=user, lines=lines, at=now)
    open_counts = selectors.open_signal_counts(user=user)
    rows = [
        {
            "line": line,
            "product": products.get(line.pk),
            "figures": figures.get(line.pk),
            "open_signals": open_counts.get(line.pk, 0),
        }
        for line in lines
    ]
    context = {
        "rows": rows,
        "latest_signals": with_ack_forms(user, selectors.signal_list(user=user)[:LIST_ROWS]),
        "latest_ingests": list(selectors.ingest_list(user=user)[:LIST_ROWS]),
        "now": now,
    }
    return render(request, "regrind/home.html", context)
