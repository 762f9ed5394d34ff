"""The weekly reconciliation as an Excel workbook, for the finance and outsourcing meeting.

Sheets: Summary, By type, By partner, Aging (from the stored report), Exceptions (the week's
exceptions that are open now) and Agenda. Written in openpyxl's write-only mode (rows are
streamed, memory stays flat). Nothing confidential goes in: no bank accounts, tax ids,
justifications or reviewers' notes, only the figures, the exceptions' public facts and the
agenda. Text is always written as text (a value starting with "=" is not a formula).
"""

import io
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from partnerdesk.finance.choices import (
    AgendaStatus,
    ExceptionStatus,
    ExceptionType,
    InvoiceKind,
    PaymentStatus,
    Severity,
)
from partnerdesk.finance.models import AgendaItem, MatchException, WeeklyReconciliation

BOLD = Font(bold=True)


def _amount(value) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None


class _Sheet:
    def __init__(self, book: Workbook, title: str, widths: list[int]):
        self.sheet = book.create_sheet(title=title)
        for index, width in enumerate(widths):
            self.sheet.column_dimensions[chr(ord("A") + index)].width = width

    def _cell(self, value, bold=False):
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        elif hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
            value = timezone.localtime(value).replace(tzinfo=None)
        elif value is not None and not isinstance(value, int | float | Decimal):
            value = str(value)
        cell = WriteOnlyCell(self.sheet, value=value)
        if cell.data_type == "f":
            cell.data_type = "s"  # text from documents is never a formula
        if bold:
            cell.font = BOLD
        return cell

    def header(self, *labels):
        self.sheet.append([self._cell(str(label), bold=True) for label in labels])

    def row(self, *values):
        self.sheet.append([self._cell(v) for v in values])


def _label(choices, value) -> str:
    return str(choices(value).label) if value in choices.values else str(value)


def reconciliation_xlsx(recon: WeeklyReconciliation) -> bytes:
    """The reconciliation's workbook as the bytes of an .xlsx file."""
    report = recon.report or {}
    book = Workbook(write_only=True)
    _summary(book, recon, report)

    by_type = _Sheet(book, _("By type"), [28, 16, 10, 10, 16])
    by_type.header(_("Type"), _("Severity"), _("Currency"), _("Count"), _("Amount at stake"))
    for row in report.get("exceptions_by_type", []):
        by_type.row(
            _label(ExceptionType, row.get("type")),
            _label(Severity, row.get("severity")),
            row.get("currency"),
            row.get("count"),
            _amount(row.get("amount")),
        )

    by_partner = _Sheet(book, _("By partner"), [20, 10, 10, 16])
    by_partner.header(_("Partner"), _("Currency"), _("Count"), _("Amount at stake"))
    for row in report.get("exceptions_by_partner", []):
        by_partner.row(
            row.get("partner"), row.get("currency"), row.get("count"), _amount(row.get("amount"))
        )

    aging = _Sheet(book, _("Aging"), [14, 10, 10, 16])
    aging.header(_("Open for"), _("Count"), _("Currency"), _("Amount at stake"))
    for bucket in report.get("aging", []):
        amounts = bucket.get("amount") or {}
        if not amounts:
            aging.row(bucket.get("label"), bucket.get("count"), None, None)
        for currency, amount in amounts.items():
            aging.row(bucket.get("label"), bucket.get("count"), currency, _amount(amount))

    _exceptions(book, recon)

    agenda = _Sheet(book, _("Agenda"), [6, 60, 60, 14, 10])
    agenda.header("#", _("Title"), _("Detail"), _("Partner"), _("Status"))
    for item in (
        AgendaItem.objects.filter(reconciliation=recon)
        .select_related("partner")
        .order_by("position")
    ):
        agenda.row(
            item.position,
            item.title,
            item.detail,
            item.partner.code if item.partner_id else None,
            _label(AgendaStatus, item.status),
        )

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _summary(book, recon, report) -> None:
    sheet = _Sheet(book, _("Summary"), [34, 22, 16])
    sheet.header(_("Weekly reconciliation"), recon.week, None)
    sheet.row(_("Revision"), recon.revision)
    sheet.row(_("Week"), f"{recon.week_start:%Y-%m-%d} to {recon.week_end:%Y-%m-%d}")
    sheet.row(_("Reconciled at"), recon.created_at)
    sheet.row(_("Invoices matched"), report.get("invoices"))
    sheet.row(_("Invoice lines"), report.get("lines"))
    sheet.row(_("Lines matched"), report.get("lines_matched"))
    share = report.get("matched_share")
    sheet.row(_("Matched share %"), _amount(share) if share is not None else None)
    sheet.row(_("Exceptions opened by the run"), report.get("opened"))
    sheet.row(_("Exceptions cleared by the run"), report.get("cleared"))
    sheet.row()
    sheet.header(_("Payment status"), _("Invoices"), None)
    statuses = report.get("payment_status", {})
    for value, label in PaymentStatus.choices:
        sheet.row(str(label), statuses.get(value, 0))
    for title, key in (
        (_("Blocked"), "blocked"),
        (_("Recovered"), "recovered"),
        (_("Data errors found"), "data_errors"),
    ):
        sheet.row()
        sheet.header(title, _("Count"), _("Amount"))
        rows = report.get(key, [])
        for row in rows:
            sheet.row(row.get("currency"), row.get("count"), _amount(row.get("amount")))
        if not rows:
            sheet.row(_("none"), 0, None)


def _exceptions(book, recon) -> None:
    sheet = _Sheet(book, _("Exceptions"), [14, 18, 26, 16, 14, 10, 70, 18])
    sheet.header(
        _("Partner"),
        _("Invoice"),
        _("Type"),
        _("Severity"),
        _("Amount at stake"),
        _("Currency"),
        _("Detail"),
        _("Opened"),
    )
    rows = (
        MatchException.objects.filter(
            invoice__invoice_date__gte=recon.week_start,
            invoice__invoice_date__lte=recon.week_end,
            invoice__kind=InvoiceKind.INVOICE,
        )
        .exclude(status=ExceptionStatus.RESOLVED)
        .order_by("invoice__partner__code", "invoice__number", "pk")
        .values_list(
            "invoice__partner__code",
            "invoice__number",
            "type",
            "severity",
            "amount_at_stake",
            "currency",
            "detail",
            "opened_at",
        )
    )
    for partner, number, type_, severity, amount, currency, detail, opened in rows.iterator(
        chunk_size=2000
    ):
        sheet.row(
            partner,
            number,
            _label(ExceptionType, type_),
            _label(Severity, severity),
            amount,
            currency,
            detail,
            opened,
        )
