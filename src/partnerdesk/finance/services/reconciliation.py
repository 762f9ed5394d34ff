"""The weekly reconciliation: match the week's invoices, then report and set the agenda of the
finance and outsourcing reconciliation meeting.

``reconcile_week(week="2026-W47")`` is what the command, the weekly job and the button call.
Running a week again makes a new revision (the earlier report stays as it was).
"""

import datetime
import re
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerdesk.audit.models import AuditAction
from partnerdesk.audit.services import record_change, snapshot
from partnerdesk.core.errors import InvalidInput
from partnerdesk.core.services import require_perm
from partnerdesk.finance.choices import (
    AgendaStatus,
    ExceptionStatus,
    InvoiceKind,
    InvoiceStatus,
    PaymentStatus,
    Resolution,
)
from partnerdesk.finance.models import (
    AgendaItem,
    MatchException,
    SupplierInvoice,
    WeeklyReconciliation,
)

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
AGING_BUCKETS = [(0, 7), (8, 14), (15, 30), (31, None)]
TOP_PARTNERS = 5


def parse_week(week: str) -> tuple[datetime.date, datetime.date]:
    """Monday and Sunday of an ISO week written ``YYYY-Www``."""
    match = _WEEK.match((week or "").strip())
    message = _("Give the week as YYYY-Www, e.g. 2026-W47.")
    if not match:
        raise InvalidInput(message, fields={"week": [message]})
    year, number = int(match[1]), int(match[2])
    try:
        monday = datetime.date.fromisocalendar(year, number, 1)
        sunday = monday + datetime.timedelta(days=6)
    except (ValueError, OverflowError) as exc:
        raise InvalidInput(
            _("%(year)s has no week %(n)s.") % {"year": year, "n": number},
            fields={"week": [message]},
        ) from exc
    return monday, sunday


def week_of(day: datetime.date) -> str:
    year, week, _day = day.isocalendar()
    return f"{year}-W{week:02d}"


def previous_week(today: datetime.date | None = None) -> str:
    return week_of((today or timezone.localdate()) - datetime.timedelta(days=7))


def reconcile(*, user, week: str) -> WeeklyReconciliation:
    """The button: a finance user reconciles a week."""
    require_perm(user, "finance.add_weeklyreconciliation")
    return reconcile_week(week=week, actor=user)


@transaction.atomic
def reconcile_week(*, week: str, actor=None) -> WeeklyReconciliation:
    from partnerdesk.finance.services.matching import match_week

    start, end = parse_week(week)
    if start > timezone.localdate():
        message = _("Week %(w)s has not started yet.") % {"w": week}
        raise InvalidInput(message, fields={"week": [message]})
    week = week_of(start)
    outcome = match_week(start=start, end=end, actor=actor, label=_("week %(w)s") % {"w": week})
    revision = (
        WeeklyReconciliation.objects.select_for_update()
        .filter(week=week)
        .order_by("-revision")
        .values_list("revision", flat=True)
        .first()
        or 0
    ) + 1
    recon = WeeklyReconciliation.objects.create(
        week=week,
        revision=revision,
        week_start=start,
        week_end=end,
        run=outcome.run,
        created_by=actor if getattr(actor, "pk", None) else None,
        report=build_report(start, end, outcome),
    )
    AgendaItem.objects.bulk_create(agenda_items(recon))
    return recon


def _money(value) -> str:
    return f"{(value or Decimal(0)):.2f}"


def _by_currency(rows, amount_key="amount") -> dict[str, str]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        totals[row["currency"]] += row[amount_key] or Decimal(0)
    return {currency: _money(total) for currency, total in sorted(totals.items())}


def aging_buckets(today: datetime.date) -> list[dict]:
    """Open exceptions (all weeks) by days since they were opened, amounts per currency."""
    aging = []
    open_all = MatchException.objects.exclude(status=ExceptionStatus.RESOLVED)
    for low, high in AGING_BUCKETS:
        newest = today - datetime.timedelta(days=low)
        bucket = open_all.filter(opened_at__date__lte=newest)
        if high is not None:
            bucket = bucket.filter(opened_at__date__gte=today - datetime.timedelta(days=high))
        rows = list(
            bucket.values("currency").annotate(n=Count("id"), amount=Sum("amount_at_stake"))
        )
        aging.append(
            {
                "label": f"{low}-{high} d" if high is not None else f"> {low - 1} d",
                "count": sum(r["n"] for r in rows),
                "amount": _by_currency(rows),
            }
        )
    return aging


def build_report(start: datetime.date, end: datetime.date, outcome) -> dict:
    """The week's figures: matched share, exceptions by type and partner, what is blocked,
    aging of all open exceptions, what was recovered and which data errors were found."""
    today = timezone.localdate()
    week_invoices = SupplierInvoice.objects.filter(
        invoice_date__gte=start, invoice_date__lte=end, kind=InvoiceKind.INVOICE
    ).exclude(status=InvoiceStatus.REJECTED)
    week_exceptions = MatchException.objects.filter(invoice__in=week_invoices.values("pk")).exclude(
        status=ExceptionStatus.RESOLVED
    )
    by_type = list(
        week_exceptions.values("type", "severity", "currency")
        .annotate(n=Count("id"), amount=Sum("amount_at_stake"))
        .order_by("type", "severity", "currency")
    )
    by_partner = list(
        week_exceptions.values("invoice__partner_id", "invoice__partner__code", "currency")
        .annotate(n=Count("id"), amount=Sum("amount_at_stake"))
        .order_by("-amount")
    )
    blocked = list(
        week_invoices.filter(payment_status=PaymentStatus.BLOCKED)
        .values("currency")
        .annotate(n=Count("id"), amount=Sum("gross_total"))
        .order_by("currency")
    )
    statuses = dict(week_invoices.values_list("payment_status").annotate(n=Count("id")).order_by())
    aging = aging_buckets(today)
    resolved_in_week = MatchException.objects.filter(
        resolved_at__date__gte=start, resolved_at__date__lte=end
    )
    recovered = list(
        resolved_in_week.filter(recovered_amount__gt=0)
        .values("currency")
        .annotate(n=Count("id"), amount=Sum("recovered_amount"))
    )
    data_errors = list(
        resolved_in_week.filter(resolution=Resolution.CORRECTED)
        .values("currency")
        .annotate(n=Count("id"), amount=Sum("data_error_amount"))
    )
    lines, matched = outcome.lines, outcome.lines_matched
    return {
        "week_start": start.isoformat(),
        "week_end": end.isoformat(),
        "invoices": outcome.invoices,
        "lines": lines,
        "lines_matched": matched,
        "matched_share": f"{Decimal(matched * 100) / lines:.1f}" if lines else None,
        "payment_status": {k: statuses.get(k, 0) for k in PaymentStatus.values},
        "exceptions_by_type": [
            {
                "type": r["type"],
                "severity": r["severity"],
                "currency": r["currency"],
                "count": r["n"],
                "amount": _money(r["amount"]),
            }
            for r in by_type
        ],
        "exceptions_by_partner": [
            {
                "partner_id": r["invoice__partner_id"],
                "partner": r["invoice__partner__code"],
                "currency": r["currency"],
                "count": r["n"],
                "amount": _money(r["amount"]),
            }
            for r in by_partner[:20]
        ],
        "blocked": [
            {"currency": r["currency"], "count": r["n"], "amount": _money(r["amount"])}
            for r in blocked
        ],
        "aging": aging,
        "recovered": [
            {"currency": r["currency"], "count": r["n"], "amount": _money(r["amount"])}
            for r in recovered
        ],
        "data_errors": [
            {"currency": r["currency"], "count": r["n"], "amount": _money(r["amount"])}
            for r in data_errors
        ],
        "opened": outcome.run.exceptions_opened,
        "cleared": outcome.run.exceptions_cleared,
    }


def agenda_items(recon: WeeklyReconciliation) -> list[AgendaItem]:
    """The points for the weekly meeting: blocked invoices, the partners with most at stake,
    old exceptions, approvals and credit notes waiting, service credits to deduct."""
    report = recon.report
    items: list[tuple[str, str, int | None]] = []
    for row in report["blocked"]:
        items.append(
            (
                _("Blocked invoices: %(n)s (%(amount)s %(c)s)")
                % {"n": row["count"], "amount": row["amount"], "c": row["currency"]},
                _("Decide on each blocking exception so the invoices can be paid on time."),
                None,
            )
        )
    for row in report["exceptions_by_partner"][:TOP_PARTNERS]:
        items.append(
            (
                _("%(p)s: %(n)s open exception(s), %(amount)s %(c)s at stake")
                % {
                    "p": row["partner"],
                    "n": row["count"],
                    "amount": row["amount"],
                    "c": row["currency"],
                },
                _("Outsourcing to follow up with the partner; finance to confirm the figures."),
                row["partner_id"],
            )
        )
    old = report["aging"][-1] if report["aging"] else None
    if old and old["count"]:
        items.append(
            (
                _("%(n)s exception(s) open for more than 30 days") % {"n": old["count"]},
                _("Escalate or resolve: %(amounts)s at stake.")
                % {"amounts": ", ".join(f"{v} {k}" for k, v in old["amount"].items())},
                None,
            )
        )
    waiting = MatchException.objects.filter(status=ExceptionStatus.AWAITING_APPROVAL).count()
    if waiting:
        items.append(
            (
                _("%(n)s accepted exception(s) awaiting a second approval") % {"n": waiting},
                "",
                None,
            )
        )
    credits = MatchException.objects.filter(status=ExceptionStatus.AWAITING_CREDIT).count()
    if credits:
        items.append(
            (_("%(n)s credit note(s) requested and not received") % {"n": credits}, "", None)
        )
    from partnerdesk.performance.choices import ProposalKind, ProposalStatus
    from partnerdesk.performance.models import CreditProposal

    # Service credits only (earn-backs are paid to the partner, not deducted): the count and
    # the amount are of the same proposals.
    proposals = list(
        CreditProposal.objects.filter(status=ProposalStatus.PROPOSED, kind=ProposalKind.CREDIT)
        .values("currency")
        .annotate(n=Count("id"), amount=Sum("amount"))
        .order_by("currency")
    )
    for row in proposals:
        items.append(
            (
                _("Service credits to deduct: %(n)s proposal(s), %(amount)s %(c)s")
                % {"n": row["n"], "amount": _money(row["amount"]), "c": row["currency"]},
                _("Apply them to the partners' next invoices."),
                None,
            )
        )
    return [
        AgendaItem(
            reconciliation=recon, position=i, title=title[:200], detail=detail, partner_id=partner
        )
        for i, (title, detail, partner) in enumerate(items, start=1)
    ]


@transaction.atomic
def agenda_item_set_status(*, user, item: AgendaItem, status: str) -> AgendaItem:
    """Tick an agenda point of the weekly meeting done, or open it again."""
    require_perm(user, "finance.change_agendaitem")
    if status not in AgendaStatus.values:
        message = _("Choose open or done.")
        raise InvalidInput(message, fields={"status": [message]})
    item = AgendaItem.objects.select_for_update().get(pk=item.pk)
    if item.status == status:
        return item
    before = snapshot(item)
    item.status = status
    item.save(update_fields=["status"])
    record_change(actor=user, instance=item, action=AuditAction.UPDATE, before=before)
    return item
