"""Dating the demo's exception queue back, so that it has an age."""

import datetime

from django.utils import timezone

from partnerdesk.finance.models import MatchException, WeeklyReconciliation
from partnerdesk.finance.services.reconciliation import aging_buckets

D = datetime.timedelta(days=1)


def backdate_exceptions() -> None:
    """The services stamp exceptions with now; date them as if found the morning after their
    invoice arrived and resolved a few days later, so the aging buckets look like a real
    queue. Derived from the invoice dates only, so loading twice gives the same times."""
    now = timezone.now()
    rows = list(
        MatchException.objects.select_related("invoice").only(
            "opened_at", "resolved_at", "approved_at", "invoice__invoice_date", "pk"
        )
    )
    for exc in rows:
        day = exc.invoice.invoice_date + D
        opened = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 30)))
        exc.opened_at = min(opened, now)
        if exc.resolved_at:
            exc.resolved_at = min(exc.opened_at + (2 + exc.pk % 4) * D, now)
        if exc.approved_at:
            exc.approved_at = min(exc.resolved_at or exc.opened_at + D, now)
    MatchException.objects.bulk_update(rows, ["opened_at", "resolved_at", "approved_at"])
    # The newest weekly report shows the queue's age as it is now.
    newest = WeeklyReconciliation.objects.order_by("-week_start", "-revision").first()
    if newest is not None:
        newest.report = {**newest.report, "aging": aging_buckets(timezone.localdate())}
        newest.save(update_fields=["report"])
