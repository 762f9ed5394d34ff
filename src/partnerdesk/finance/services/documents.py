"""Entering purchasing documents: orders, goods receipts, invoices and credit notes.

Each document arrives as a dict with a ``lines`` list (from a form, the API or an import row
group). Everything is checked before anything is written; problems are keyed by field, lines
as ``lines.<n>.<field>`` (0-based), so the form, the API and the import can point at them.
An invoice is taken as the partner sent it (its arithmetic is checked by the review and the
match, not refused here); only what cannot be stored is refused.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerdesk.audit.models import AuditAction
from partnerdesk.audit.services import record_change, snapshot
from partnerdesk.core.errors import Conflict, InvalidInput
from partnerdesk.core.services import require_perm
from partnerdesk.finance.choices import InvoiceKind, InvoiceStatus, MatchMode, OrderStatus
from partnerdesk.finance.engines.duplicates import normalise_number
from partnerdesk.finance.models import (
    GoodsReceipt,
    GoodsReceiptLine,
    ItemCategory,
    PurchaseOrder,
    PurchaseOrderLine,
    SupplierInvoice,
    SupplierInvoiceLine,
)
from partnerdesk.finance.services.document_input import (
    MAX_LINES,
    MONEY,
    PRICE,
    QUANTITY,
    RATE,
    _currency,
    _date,
    _decimal,
    _lines,
    _partner,
    _Problems,
    _text,
)


def number_key(number: str) -> str:
    """An invoice number compared for duplicates: upper case, leading zeros of digit runs
    dropped, punctuation and spaces removed ("INV-0012", "inv 12" and "INV12" compare equal);
    the matching engine's rule."""
    return normalise_number(number or "")[:40]


# --- purchase orders --------------------------------------------------------------------------


@transaction.atomic
def purchase_order_create(*, user, data: dict) -> PurchaseOrder:
    require_perm(user, "finance.add_purchaseorder")
    problems = _Problems()
    partner = _partner(user, data.get("partner"), problems)
    number = _text(problems, data, "number", required=True, max_length=40)
    order_date = _date(problems, data, "order_date")
    currency = _currency(problems, data)
    match_mode = data.get("match_mode") or MatchMode.THREE_WAY
    if match_mode not in MatchMode.values:
        problems.add("match_mode", _("Choose 2way, 3way or 4way."))
    contract = None
    if data.get("contract"):
        from partnerdesk.contracts.models import Contract

        try:
            contract = Contract.objects.restrict(user).filter(pk=data["contract"]).first()
        except (TypeError, ValueError):
            contract = None
        if contract is None or (partner and contract.partner_id != partner.pk):
            problems.add("contract", _("Unknown contract of this partner."))
    categories = {c.code: c for c in ItemCategory.objects.all()}
    built, seen = [], set()
    for index, line in enumerate(_lines(problems, data)):
        key = f"lines.{index}"
        line_no = line.get("line_no") or index + 1
        if line_no in seen:
            problems.add(f"{key}.line_no", _("Line number %(n)s repeats.") % {"n": line_no})
        seen.add(line_no)
        code = str(line.get("category") or "").strip()
        if code and code not in categories:
            problems.add(f"{key}.category", _("Unknown category “%(code)s”.") % {"code": code})
        built.append(
            PurchaseOrderLine(
                line_no=line_no,
                item=_text(problems, line, "item", f"{key}.item", required=True, max_length=80),
                description=_text(problems, line, "description", f"{key}.description"),
                category=categories.get(code),
                quantity=_decimal(
                    problems, line, "quantity", f"{key}.quantity", positive=True, digits=QUANTITY
                ),
                unit=_text(problems, line, "unit", f"{key}.unit", max_length=12) or "pcs",
                unit_price=_decimal(
                    problems, line, "unit_price", f"{key}.unit_price", nonneg=True, digits=PRICE
                ),
                promised_date=_date(
                    problems, line, "promised_date", f"{key}.promised_date", required=False
                ),
            )
        )
    if number and PurchaseOrder.objects.filter(number=number).exists():
        raise Conflict(
            _("Order %(number)s exists already.") % {"number": number},
            fields={"number": [_("This order number is taken.")]},
        )
    notes = _text(problems, data, "notes", max_length=2000)
    problems.raise_if_any(_("order"))
    order = PurchaseOrder.objects.create(
        partner=partner,
        contract=contract,
        number=number,
        order_date=order_date,
        currency=currency,
        match_mode=match_mode,
        status=OrderStatus.OPEN,
        notes=notes,
    )
    for line in built:
        line.order = order
    PurchaseOrderLine.objects.bulk_create(built)
    record_change(actor=user, instance=order, action=AuditAction.CREATE)
    return order


@transaction.atomic
def purchase_order_set_status(*, user, order: PurchaseOrder, status: str) -> PurchaseOrder:
    require_perm(user, "finance.change_purchaseorder")
    if status not in OrderStatus.values:
        raise InvalidInput(_("Unknown status."), fields={"status": [_("Unknown status.")]})
    order = PurchaseOrder.objects.select_for_update().get(pk=order.pk)
    before = snapshot(order)
    order.status = status
    order.save(update_fields=["status", "updated_at"])
    record_change(actor=user, instance=order, action=AuditAction.UPDATE, before=before)
    return order


def _order_lines(partner, refs: set[tuple[str, int]]) -> dict[tuple[str, int], PurchaseOrderLine]:
    """The partner's order lines named by (order number, line number), read at once."""
    numbers = {number for number, _line in refs}
    rows = PurchaseOrderLine.objects.filter(
        order__partner=partner, order__number__in=numbers
    ).select_related("order")
    return {(row.order.number, row.line_no): row for row in rows}


def _order_ref(problems, line, key) -> tuple[str, int] | None:
    order = str(line.get("order") or "").strip()
    line_no = line.get("order_line")
    if not order and line_no in (None, ""):
        return None
    try:
        line_no = int(line_no)
    except (TypeError, ValueError):
        problems.add(f"{key}.order_line", _("Give the order's line number."))
        return None
    if not order:
        problems.add(f"{key}.order", _("Give the order number."))
        return None
    return order, line_no


# --- goods receipts ---------------------------------------------------------------------------


@transaction.atomic
def receipt_create(*, user, data: dict) -> GoodsReceipt:
    require_perm(user, "finance.add_goodsreceipt")
    problems = _Problems()
    partner = _partner(user, data.get("partner"), problems)
    number = _text(problems, data, "number", required=True, max_length=40)
    received_on = _date(problems, data, "received_on")
    if received_on and received_on > timezone.localdate():
        problems.add("received_on", _("A receipt cannot be in the future."))
    lines = _lines(problems, data)
    refs = {}
    for index, line in enumerate(lines):
        ref = _order_ref(problems, line, f"lines.{index}")
        if ref is None and not problems.fields.get(f"lines.{index}.order"):
            problems.add(f"lines.{index}.order", _("Every receipt line names its order line."))
        refs[index] = ref
    known = _order_lines(partner, {r for r in refs.values() if r}) if partner else {}
    built = []
    for index, line in enumerate(lines):
        key = f"lines.{index}"
        order_line = known.get(refs[index]) if refs[index] else None
        if refs[index] and order_line is None:
            problems.add(
                f"{key}.order",
                _("Order %(order)s has no line %(line)s for this partner.")
                % {"order": refs[index][0], "line": refs[index][1]},
            )
        built.append(
            GoodsReceiptLine(
                line_no=index + 1,
                order_line=order_line,
                quantity_received=_decimal(
                    problems,
                    line,
                    "quantity_received",
                    f"{key}.quantity_received",
                    positive=True,
                    digits=QUANTITY,
                ),
            )
        )
    if partner and number and GoodsReceipt.objects.filter(partner=partner, number=number).exists():
        raise Conflict(
            _("Delivery note %(number)s of this partner exists already.") % {"number": number},
            fields={"number": [_("This delivery note is recorded already.")]},
        )
    notes = _text(problems, data, "notes", max_length=2000)
    problems.raise_if_any(_("receipt"))
    receipt = GoodsReceipt.objects.create(
        partner=partner, number=number, received_on=received_on, notes=notes
    )
    for line in built:
        line.receipt = receipt
    GoodsReceiptLine.objects.bulk_create(built)
    record_change(actor=user, instance=receipt, action=AuditAction.CREATE)
    return receipt


@transaction.atomic
def receipt_line_inspect(
    *,
    user,
    line: GoodsReceiptLine,
    accepted: Decimal | None,
    rejected: Decimal | None,
    on_hold: bool,
    hold_reason: str = "",
) -> GoodsReceiptLine:
    """Record what inspection accepted and rejected of a receipt line, and a quality hold
    (the quality module calls this; finance blocks the invoice while the hold lasts). The
    invoices on the order line still waiting for payment are matched again at once, so a hold
    blocks an invoice that was ready before the weekly run, and lifting it frees the
    invoice."""
    require_perm(user, "finance.change_goodsreceiptline")
    line = GoodsReceiptLine.objects.select_for_update().get(pk=line.pk)
    problems = _Problems()
    for name, value in (("quantity_accepted", accepted), ("quantity_rejected", rejected)):
        if value is not None and value < 0:
            problems.add(name, _("Must not be negative."))
    if (accepted or 0) + (rejected or 0) > line.quantity_received:
        problems.add(
            "quantity_accepted",
            _("Accepted and rejected add up to more than the %(n)s received.")
            % {"n": line.quantity_received},
        )
    if on_hold and not (hold_reason or "").strip():
        problems.add("hold_reason", _("Give the reason for the hold."))
    problems.raise_if_any(_("inspection"))
    before = snapshot(line)
    line.quantity_accepted, line.quantity_rejected = accepted, rejected
    line.on_hold, line.hold_reason = on_hold, (hold_reason or "").strip()[:200]
    line.save()
    record_change(actor=user, instance=line, action=AuditAction.UPDATE, before=before)
    # Only invoices still waiting for payment are matched again: a released invoice was paid
    # on the evidence of its time, and a rejected one is not matched.
    invoice_ids = set(
        SupplierInvoiceLine.objects.filter(
            order_line_id=line.order_line_id,
            invoice__kind=InvoiceKind.INVOICE,
            invoice__status=InvoiceStatus.RECEIVED,
        ).values_list("invoice_id", flat=True)
    )
    if invoice_ids:
        from partnerdesk.finance.services.matching import match_invoices

        match_invoices(invoice_ids=invoice_ids, actor=user, label=f"inspection {line.pk}")
    return line


# --- invoices and credit notes ----------------------------------------------------------------


@transaction.atomic
def invoice_create(*, user, data: dict) -> SupplierInvoice:
    """Record an invoice or credit note as received, start its checklist review and match it."""
    require_perm(user, "finance.add_supplierinvoice")
    invoice, lines = _invoice_from(user, data)
    invoice.save()
    for line in lines:
        line.invoice = invoice
    SupplierInvoiceLine.objects.bulk_create(lines)
    record_change(actor=user, instance=invoice, action=AuditAction.CREATE)
    from partnerdesk.finance.services.matching import match_invoices
    from partnerdesk.finance.services.reviews import review_start

    review_start(invoice=invoice)
    match_invoices(invoice_ids=[invoice.pk], actor=user, label=f"invoice {invoice.number}")
    invoice.refresh_from_db()
    return invoice


def _invoice_from(user, data: dict) -> tuple[SupplierInvoice, list[SupplierInvoiceLine]]:
    problems = _Problems()
    partner = _partner(user, data.get("partner"), problems)
    kind = data.get("kind") or InvoiceKind.INVOICE
    if kind not in InvoiceKind.values:
        problems.add("kind", _("Choose invoice or credit_note."))
    number = _text(problems, data, "number", required=True, max_length=40)
    invoice_date = _date(problems, data, "invoice_date")
    received_on = _date(problems, data, "received_on", required=False) or timezone.localdate()
    due_date = _date(problems, data, "due_date")
    if invoice_date and due_date and due_date < invoice_date:
        problems.add("due_date", _("The due date is before the invoice date."))
    if invoice_date and invoice_date > timezone.localdate() + datetime.timedelta(days=1):
        problems.add("invoice_date", _("The invoice date is in the future."))
    currency = _currency(problems, data)
    totals = {
        name: _decimal(problems, data, name, name, nonneg=True)
        for name in ("net_total", "tax_total", "gross_total")
    }
    credits_invoice = None
    if kind == InvoiceKind.CREDIT_NOTE and data.get("credits_invoice") and partner:
        credits_invoice = SupplierInvoice.objects.filter(
            partner=partner, kind=InvoiceKind.INVOICE, number=str(data["credits_invoice"]).strip()
        ).first()
        if credits_invoice is None:
            problems.add("credits_invoice", _("No invoice with this number from this partner."))
    lines = _lines(problems, data)
    refs = {index: _order_ref(problems, line, f"lines.{index}") for index, line in enumerate(lines)}
    known = _order_lines(partner, {r for r in refs.values() if r}) if partner else {}
    built = []
    for index, line in enumerate(lines):
        key = f"lines.{index}"
        # An unknown order reference is kept as printed: the match reports it as missing PO.
        order_line = known.get(refs[index]) if refs[index] else None
        printed = f"{refs[index][0]}/{refs[index][1]}" if refs[index] else ""
        built.append(
            SupplierInvoiceLine(
                line_no=index + 1,
                order_line=order_line,
                order_reference=_text(
                    problems, line, "order_reference", f"{key}.order_reference", max_length=60
                )
                or printed,
                item=_text(problems, line, "item", f"{key}.item", max_length=80),
                description=_text(problems, line, "description", f"{key}.description"),
                quantity=_decimal(
                    problems, line, "quantity", f"{key}.quantity", nonneg=True, digits=QUANTITY
                ),
                unit_price=_decimal(
                    problems, line, "unit_price", f"{key}.unit_price", nonneg=True, digits=PRICE
                ),
                amount=_decimal(problems, line, "amount", f"{key}.amount", nonneg=True),
                tax_rate=_decimal(
                    problems,
                    line,
                    "tax_rate",
                    f"{key}.tax_rate",
                    required=False,
                    nonneg=True,
                    digits=RATE,
                ),
                tax_amount=_decimal(
                    problems, line, "tax_amount", f"{key}.tax_amount", required=False, nonneg=True
                )
                or Decimal(0),
            )
        )
    tax_id = _text(problems, data, "tax_id", max_length=40)
    bank_account = _text(problems, data, "bank_account", max_length=60)
    problems.raise_if_any(_("invoice"))
    invoice = SupplierInvoice(
        partner=partner,
        kind=kind,
        number=number,
        number_key=number_key(number),
        invoice_date=invoice_date,
        received_on=received_on,
        due_date=due_date,
        currency=currency,
        tax_id=tax_id,
        bank_account=bank_account,
        credits_invoice=credits_invoice,
        **totals,
    )
    return invoice, built


__all__ = [
    "MAX_LINES",
    "MONEY",
    "PRICE",
    "QUANTITY",
    "RATE",
    "invoice_create",
    "number_key",
    "purchase_order_create",
    "purchase_order_set_status",
    "receipt_create",
    "receipt_line_inspect",
]
