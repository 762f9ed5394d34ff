"""The automatic checks of a review (the order is open, the tax id and bank account are the
partner's, the invoice's arithmetic adds up), the checklist templates and the review's status
as its checks leave it.
"""

import re
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from partnerdesk.core.errors import Conflict
from partnerdesk.finance.choices import (
    AutoCheck,
    CheckOutcome,
    DocumentType,
    InvoiceKind,
    InvoiceStatus,
    OrderStatus,
    ReviewStatus,
)
from partnerdesk.finance.models import (
    ChecklistTemplate,
    DocumentReview,
    SupplierInvoice,
)

CENT = Decimal("0.01")
_ALNUM = re.compile(r"[^0-9A-Z]")


def _template(document_type: str) -> ChecklistTemplate:
    template = (
        ChecklistTemplate.objects.filter(document_type=document_type, is_active=True)
        .prefetch_related("items")
        .first()
    )
    if template is None:
        raise Conflict(
            _("No checklist is in use for %(type)s documents.")
            % {"type": DocumentType(document_type).label}
        )
    return template


def run_automatic_checks(review: DocumentReview) -> None:
    """Answer the review's automatic items from the document as it is now. A reviewer's
    second confirmation of a bank account warning stays while the account is the same."""
    checks = list(review.checks.select_related("item").exclude(item__auto_check=""))
    now = timezone.now()
    for check in checks:
        outcome, detail, needs_second = _evaluate(review, check.item.auto_check)
        if (outcome, detail, needs_second) == (check.outcome, check.detail, check.needs_second):
            continue
        check.outcome, check.detail, check.needs_second = outcome, detail[:300], needs_second
        check.checked_at, check.checked_by = now, None
        if not needs_second:
            check.second_by, check.second_at = None, None
        check.save()
    _refresh_status(review)


def _evaluate(review: DocumentReview, code: str) -> tuple[str, str, bool]:
    invoice = review.invoice
    if code == AutoCheck.PO_OPEN:
        return _check_po_open(invoice)
    if code == AutoCheck.TAX_ID:
        return _check_tax_id(invoice)
    if code == AutoCheck.BANK_ACCOUNT:
        return _check_bank_account(invoice)
    if code == AutoCheck.ARITHMETIC:
        return _check_arithmetic(invoice)
    if code == AutoCheck.CREDIT_REFERENCE:
        if invoice.credits_invoice_id:
            return (
                CheckOutcome.PASSED,
                _("credits invoice %(n)s") % {"n": invoice.credits_invoice.number},
                False,
            )
        return CheckOutcome.FAILED, _("the credit note names no invoice of the partner"), False
    if code == AutoCheck.RECEIPT_PO:
        lines = list(review.receipt.lines.select_related("order_line__order"))
        foreign = [
            str(line.line_no)
            for line in lines
            if line.order_line.order.partner_id != review.receipt.partner_id
        ]
        if foreign:
            return (
                CheckOutcome.FAILED,
                _("lines %(l)s name another partner's order") % {"l": ", ".join(foreign)},
                False,
            )
        return (
            CheckOutcome.PASSED,
            _("%(n)s lines, all on the partner's orders") % {"n": len(lines)},
            False,
        )
    if code == AutoCheck.CONTRACT_ACTIVE:
        status = review.contract.status
        outcome = CheckOutcome.PASSED if status == "active" else CheckOutcome.FAILED
        return (
            outcome,
            _("contract status: %(s)s") % {"s": review.contract.get_status_display()},
            False,
        )
    return CheckOutcome.PENDING, "", False


def _check_po_open(invoice: SupplierInvoice):
    lines = list(invoice.lines.select_related("order_line__order"))
    missing = [str(line.line_no) for line in lines if line.order_line_id is None]
    closed = sorted(
        {
            line.order_line.order.number
            for line in lines
            if line.order_line_id and line.order_line.order.status != OrderStatus.OPEN
        }
    )
    problems = []
    if missing:
        problems.append(_("no known order on line(s) %(l)s") % {"l": ", ".join(missing)})
    if closed:
        problems.append(_("order(s) not open: %(o)s") % {"o": ", ".join(closed)})
    if problems:
        return CheckOutcome.FAILED, "; ".join(problems), False
    orders = sorted({line.order_line.order.number for line in lines})
    return CheckOutcome.PASSED, _("open order(s) %(o)s") % {"o": ", ".join(orders)}, False


def _normal(value: str) -> str:
    return _ALNUM.sub("", (value or "").upper())


def _check_tax_id(invoice: SupplierInvoice):
    expected = invoice.partner.tax_id
    if not expected:
        return CheckOutcome.WARNING, _("the partner has no tax id on file; check by hand"), False
    if not invoice.tax_id:
        return CheckOutcome.FAILED, _("no tax id on the invoice"), False
    if _normal(invoice.tax_id) != _normal(expected):
        return (
            CheckOutcome.FAILED,
            _("invoice shows %(got)s, the partner's is %(want)s")
            % {
                "got": invoice.tax_id,
                "want": expected,
            },
            False,
        )
    return CheckOutcome.PASSED, _("%(id)s") % {"id": expected}, False


def _check_bank_account(invoice: SupplierInvoice):
    if not invoice.bank_account:
        return CheckOutcome.FAILED, _("no bank account on the invoice"), False
    # A rejected invoice (perhaps rejected for its account) does not set the trusted account.
    previous = (
        SupplierInvoice.objects.filter(partner_id=invoice.partner_id, kind=InvoiceKind.INVOICE)
        .exclude(pk=invoice.pk)
        .exclude(bank_account="")
        .exclude(status=InvoiceStatus.REJECTED)
        .filter(invoice_date__lte=invoice.invoice_date)
        .order_by("-invoice_date", "-pk")
        .first()
    )
    if previous is None:
        return CheckOutcome.PASSED, _("first invoice with a bank account from this partner"), False
    if _normal(previous.bank_account) == _normal(invoice.bank_account):
        return (
            CheckOutcome.PASSED,
            _("same account as invoice %(n)s") % {"n": previous.number},
            False,
        )
    return (
        CheckOutcome.WARNING,
        _("account changed from %(old)s (invoice %(n)s) to %(new)s: a second reviewer must confirm")
        % {"old": previous.bank_account, "n": previous.number, "new": invoice.bank_account},
        True,
    )


def _check_arithmetic(invoice: SupplierInvoice):
    lines = list(invoice.lines.all())
    problems = []
    for line in lines:
        expected = (line.quantity * line.unit_price).quantize(CENT, rounding=ROUND_HALF_UP)
        if abs(expected - line.amount) > CENT:
            problems.append(
                _("line %(l)s: %(q)s x %(p)s = %(e)s, invoiced %(a)s")
                % {
                    "l": line.line_no,
                    "q": line.quantity,
                    "p": line.unit_price,
                    "e": expected,
                    "a": line.amount,
                }
            )
    net = sum((line.amount for line in lines), Decimal(0))
    tax = sum((line.tax_amount for line in lines), Decimal(0))
    if net != invoice.net_total:
        problems.append(
            _("lines add up to %(s)s, net total %(t)s") % {"s": net, "t": invoice.net_total}
        )
    if tax != invoice.tax_total:
        problems.append(
            _("line taxes add up to %(s)s, tax total %(t)s") % {"s": tax, "t": invoice.tax_total}
        )
    if invoice.net_total + invoice.tax_total != invoice.gross_total:
        problems.append(
            _("net %(n)s + tax %(t)s ≠ gross %(g)s")
            % {"n": invoice.net_total, "t": invoice.tax_total, "g": invoice.gross_total}
        )
    if problems:
        return CheckOutcome.FAILED, "; ".join(problems), False
    return (
        CheckOutcome.PASSED,
        _("%(n)s lines, net %(net)s + tax %(tax)s = %(g)s")
        % {"n": len(lines), "net": net, "tax": tax, "g": invoice.gross_total},
        False,
    )


def _refresh_status(review: DocumentReview) -> None:
    checks = list(review.checks.all())
    complete = all(
        c.outcome != CheckOutcome.PENDING and (not c.needs_second or c.second_by_id) for c in checks
    )
    status = ReviewStatus.COMPLETE if complete else ReviewStatus.OPEN
    if status != review.status:
        review.status = status
        review.completed_at = timezone.now() if complete else None
        review.save(update_fields=["status", "completed_at", "updated_at"])
    if review.invoice_id:
        from partnerdesk.finance.services.payment import refresh_payment_status

        refresh_payment_status([review.invoice_id])
