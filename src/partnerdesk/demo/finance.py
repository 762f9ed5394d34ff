"""Demo finance: item categories, tolerance profiles, three months of orders, receipts,
invoices and credit notes, their review checklists, the exception queue in every state, weekly
reconciliations with their agendas, released invoices and service credits deducted.

Dates are counted from last week's Monday (``last``): four order rounds three weeks apart end
with invoices dated last week. Each partner's documents follow its match mode; ``TWISTS``
plants one discrepancy in a round and ``ACTIONS`` says what finance did about it. The steps
are played in date order (``_run``): each of the last four weeks is reconciled on the Monday
after it, and finance acts on an exception after its week was reconciled (a later run would
find an accepted variance again). Everything goes through the services and is looked up by
its natural key first (order, delivery note and invoice numbers), so loading twice changes
nothing. The services stamp times with now; at the end the exceptions are dated back to the
days after their invoices (``finance_aging``), so the queue has an age.
"""

import datetime
import heapq
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from partnerdesk.accounts.models import User
from partnerdesk.core.currencies import quantize
from partnerdesk.demo.finance_aging import backdate_exceptions
from partnerdesk.demo.finance_data import (
    ACTIONS,
    BANK_CHANGES,
    CATEGORIES,
    DEDUCT_FROM,
    MAIN_TYPE,
    PARTIAL,
    PARTNERS,
    PRICE_FACTORS,
    PROFILES,
    QTY_FACTORS,
    REJECTS,
    RELEASED,
    TAX_IDS,
    TWISTS,
)
from partnerdesk.finance.choices import AgendaStatus, CheckOutcome, ExceptionStatus
from partnerdesk.finance.models import (
    GoodsReceipt,
    InvoiceDeduction,
    ItemCategory,
    MatchException,
    PurchaseOrder,
    SupplierInvoice,
    ToleranceProfile,
    WeeklyReconciliation,
)
from partnerdesk.finance.services import documents, exceptions, payment, profiles, reviews
from partnerdesk.finance.services.reconciliation import (
    agenda_item_set_status,
    reconcile_week,
    week_of,
)
from partnerdesk.partners.models import Partner
from partnerdesk.partners.services import partner_update
from partnerdesk.performance.models import CreditProposal

W = datetime.timedelta(weeks=1)
D = datetime.timedelta(days=1)
CENT = Decimal("0.01")


def _bank(code: str, r: int) -> str:
    changed = [rr for (c, rr) in BANK_CHANGES if c == code and rr <= r]
    seed = sum(map(ord, code)) * 7919 + (1 if changed else 0) * 104729
    return f"{'ICBC' if not changed else 'CMB'} {seed % 10**16:016d}"


def _reference_data(finance, admin) -> None:
    for code, name in CATEGORIES:
        if not ItemCategory.objects.filter(code=code).exists():
            profiles.category_create(user=finance, data={"code": code, "name": name})
    for partner_code, category_code, limits in PROFILES:
        partner = Partner.objects.get(code=partner_code) if partner_code else None
        category = ItemCategory.objects.get(code=category_code) if category_code else None
        if not ToleranceProfile.objects.filter(partner=partner, category=category).exists():
            data = {**limits, "partner": partner, "category": category}
            profiles.profile_create(user=finance, data=data)
    for code, tax_id in TAX_IDS.items():
        partner = Partner.objects.get(code=code)
        if not partner.tax_id:
            partner_update(user=admin, partner=partner, data={"tax_id": tax_id})


def _order(buyer, partner, number, day, spec, r):
    existing = PurchaseOrder.objects.filter(number=number).first()
    if existing:
        return existing
    _code, mode, currency, _rate, _rounds, items = spec
    keys = ("item", "description", "category", "unit", "unit_price")
    lines = [
        dict(zip(keys, row[:5], strict=True))
        | {"quantity": (row[5] * QTY_FACTORS[r]).to_integral_value(), "promised_date": day + 2 * W}
        for row in items
    ]
    data = {"partner": partner, "number": number, "order_date": day, "currency": currency}
    data |= {"match_mode": mode, "notes": f"Call-off {r + 1} of the quarterly forecast."}
    return documents.purchase_order_create(user=buyer, data={**data, "lines": lines})


def _receipt(users, partner, number, day, order, quantities, inspect, reject):
    """Book a delivery; returns the quantity to invoice per order line (accepted in 4-way)."""
    receipt = GoodsReceipt.objects.filter(partner=partner, number=number).first()
    if receipt is None:
        receipt = documents.receipt_create(
            user=users["wang.fang"],
            data={"partner": partner, "number": number, "received_on": day, "lines": [
                {"order": order.number, "order_line": k, "quantity_received": q}
                for k, q in quantities.items()
            ]},
        )  # fmt: skip
    billable = {}
    for line in receipt.lines.select_related("order_line"):
        k, received = line.order_line.line_no, line.quantity_received
        accepted, hold = received, inspect == "hold" and line.line_no == 1
        if reject:
            accepted = received - (received / 50).to_integral_value()  # wet, contaminated bags
        if inspect in ("4way", "hold") and line.quantity_accepted is None and not line.on_hold:
            documents.receipt_line_inspect(
                user=users["zhang.wei"],
                line=line,
                accepted=None if hold else accepted,
                rejected=None if hold else received - accepted,
                on_hold=hold,
                hold_reason="Sink marks on the visible face; 8D requested." if hold else "",
            )
        billable[k] = accepted
    return billable


def _invoice(finance, partner, spec, number, day, order, quantities, twist, r):
    """Enter an invoice for ``quantities`` per order line, with the twist planted."""
    code, _mode, currency, rate, _rounds, _items = spec
    order_lines = {line.line_no: line for line in order.lines.all()}
    factor = PRICE_FACTORS.get(twist, Decimal(1))
    currency = "CNY" if twist == "currency" else currency
    tax_rate = Decimal(16 if twist == "tax" else rate)  # "tax": the old VAT rate applied
    lines = []
    for k, qty in sorted(quantities.items()):
        if twist == "qty_over" and k == 1:
            qty = (qty * Decimal("1.1")).to_integral_value()
        price = (order_lines[k].unit_price * factor).quantize(Decimal("0.0001"), ROUND_HALF_UP)
        amount = quantize(qty * price, currency) + (1000 if twist == "arithmetic" and k == 1 else 0)
        po = "PO-PKG-DOLPH-99" if twist == "missing_po" and k == 1 else order.number
        tax = quantize(amount * tax_rate / 100, currency)
        lines.append(_line(po, k, order_lines[k].item, qty, price, amount, rate, tax=tax))
    return _enter(finance, partner, number, day, currency, lines, bank=_bank(code, r))


LINE_KEYS = ("order", "order_line", "item", "quantity", "unit_price", "amount", "tax_rate")


def _line(*values, tax, description="") -> dict:
    """An invoice line from LINE_KEYS values, its tax amount and description."""
    line = dict(zip(LINE_KEYS, values, strict=True))
    return line | {"tax_amount": tax, "description": description}


def _enter(user, partner, number, day, currency, lines, *, bank, kind="invoice", credits=""):
    """An invoice or credit note (looked up by number first) with totals from its lines."""
    existing = SupplierInvoice.objects.filter(partner=partner, number=number).first()
    if existing:
        return existing
    net = sum((line["amount"] for line in lines), Decimal(0))
    tax = sum((line["tax_amount"] for line in lines), Decimal(0))
    data = {"partner": partner, "kind": kind, "number": number, "invoice_date": day}
    data |= {"received_on": min(day + 2 * D, timezone.localdate()), "due_date": day + 60 * D}
    data |= {"currency": currency, "net_total": net, "tax_total": tax, "gross_total": net + tax}
    data |= {"tax_id": partner.tax_id, "bank_account": bank, "credits_invoice": credits}
    return documents.invoice_create(user=user, data={**data, "lines": lines})


def _same_week(day: datetime.date, days: int) -> datetime.date:
    return min(day + days * D, day + (6 - day.weekday()) * D)


def _round(users, spec, index, r, last, out):
    """One order round of a partner, step by step: yields the date of its next step (or a
    (date, callable) to run later), so that ``_run`` plays all rounds in date order."""
    code, mode, *_rest = spec
    partner, twist, key = Partner.objects.get(code=code), TWISTS.get((code, r)), (code, r)
    order_day, end = last - (11 - 3 * r) * W + (index % 4) * D, last + 6 * D
    yield order_day
    order = _order(users["wang.fang"], partner, f"PO-{code}-{r + 1:02d}", order_day, spec, r)
    ordered = {line.line_no: line.quantity for line in order.lines.all()}
    partial = PARTIAL.get(twist, mode == "3way" and (index + r) % 3 == 0)
    if mode == "2way" or twist == "missing_receipt":  # services billed when done; resin early
        deliveries = [(None, min(order_day + 10 * D, end), dict(ordered))]
    else:
        first = {
            k: (q * Decimal("0.6")).to_integral_value() if partial else q
            for k, q in ordered.items()
        }
        deliveries = [("A", order_day + 8 * D, first)]
        if partial:  # the rest three weeks after the order
            rest = {k: q - first[k] for k, q in ordered.items()}
            deliveries.append(("B", min(order_day + 22 * D, end - 3 * D), rest))
    inspect = twist if twist in ("awaiting", "hold") else mode
    short = code.split("-")[1]
    for n, (letter, day, quantities) in enumerate(deliveries):
        if letter:
            yield day
            dn = f"DN-{code}-{r + 1:02d}{letter}"
            reject = key in REJECTS
            quantities = _receipt(users, partner, dn, day, order, quantities, inspect, reject)
            day = min(day + 3 * D, end)
        if twist == "split_over" and n == 1:
            quantities = {**quantities, 1: ordered[1]}  # the whole line billed again
        yield day
        number = f"{short}-{(r + 1) * 100 + n + 1:05d}"
        kind = twist if (n == 0) != (twist == "split_over") else None
        planted = None if kind in ("exact_dup", "likely_dup") else kind
        invoice = _invoice(
            users["li.na"], partner, spec, number, day, order, quantities, planted, r
        )
        out.append((r, invoice))
        if kind in ("exact_dup", "likely_dup"):
            again = f"{short} {(r + 1) * 100 + 1}" if kind == "exact_dup" else f"{number}A"
            day = _same_week(day, 3 if kind == "exact_dup" else 0)
            yield day
            invoice = _invoice(
                users["li.na"], partner, spec, again, day, order, quantities, None, r
            )
            out.append((r, invoice))
        if kind and key in ACTIONS:  # acted on after the invoice's week was reconciled
            yield (_same_week(day, 6) + 2 * D, lambda i=invoice: _act(users, key, i))


def _run(rounds, on_day) -> None:
    """Play the rounds' steps in date order; ``on_day(day)`` runs before each step."""
    heap = [(datetime.date.min, seq, gen) for seq, gen in enumerate(rounds)]
    seq = len(heap)
    while heap:
        day, _seq, step = heapq.heappop(heap)
        on_day(day)
        if callable(step):
            step()
            continue
        for item in step:
            seq += 1
            if isinstance(item, tuple):  # (date, callable): run later
                heapq.heappush(heap, (item[0], seq, item[1]))
                continue
            heapq.heappush(heap, (item, seq, step))
            break


def _review(users, invoice, r) -> None:
    """Rounds 0-1 reviewed completely, round 2 partly, round 3 not yet; a changed bank
    account is confirmed by a second reviewer where BANK_CHANGES says so."""
    review = reviews.review_start(invoice=invoice)
    manual = list(review.checks.filter(item__auto_check="").order_by("item__position"))
    todo = manual if r <= 1 else manual[:1] if r == 2 else []
    for check in todo:
        if check.outcome == CheckOutcome.PENDING:
            reviews.review_answer(user=users["li.na"], check=check, outcome=CheckOutcome.PASSED)
    change = BANK_CHANGES.get((invoice.partner.code, r))
    bank = review.checks.filter(item__auto_check="bank_account", needs_second=True).first()
    if change and bank and bank.second_by_id is None and r <= 1:
        reviews.review_confirm_second(
            user=users["admin"],
            check=bank,
            note="New account confirmed by phone with the "
            "partner's finance manager against the signed bank letter.",
        )


def _resolve(user, exception, resolution, text, reason, **extra):
    return exceptions.exception_resolve(
        user=user,
        exception=exception,
        resolution=resolution,
        justification=text,
        reason_code=reason,
        **extra,
    )


def _act(users, key, invoice) -> None:
    """What finance did about the discrepancy planted at ``key`` (see ACTIONS)."""
    action, argument, reason, text = ACTIONS[key]
    finance = users["li.na"]
    found = MatchException.objects.filter(invoice=invoice).order_by("pk")
    main = found.filter(type=MAIN_TYPE[TWISTS[key]]).first()
    if main is None:
        return
    others = [e for e in found.exclude(pk=main.pk) if e.status == ExceptionStatus.OPEN]
    if action == "assign":
        for exc in [main, *others]:
            if exc.owner_id is None and exc.status != ExceptionStatus.RESOLVED:
                owner = users[argument]
                exceptions.exception_assign(
                    user=finance, exception=exc, owner=owner, reason_code=reason
                )
    elif action in ("accept", "approve"):
        for exc in [main, *others]:
            if exc.status == ExceptionStatus.OPEN:
                _resolve(finance, exc, "accepted", text, reason)
        waiting = found.filter(status=ExceptionStatus.AWAITING_APPROVAL)
        for exc in waiting if action == "approve" else []:
            note = "Surcharge letter checked against the quote."
            exceptions.exception_approve(
                user=users[argument], exception=exc, approve=True, note=note
            )
    elif action == "credit_received":
        _credit_received(users, main, others, text, reason)
    elif main.status != ExceptionStatus.OPEN:
        return
    elif action == "reject":
        _resolve(finance, main, "rejected", text, reason)
    elif action == "correct":
        _resolve(finance, main, "corrected", text, reason, found_by=users[argument])
        _settle(finance, others, f"Same error as exception #{main.pk}, corrected.")
    else:  # credit note requested for all of them
        for exc in [main, *others]:
            _resolve(finance, exc, "credit_note", text, reason)


def _settle(user, others, text) -> None:
    for exc in others:
        _resolve(user, exc, "accepted", text, "supplier_error")


def _credit_received(users, main, others, text, reason) -> None:
    """Credit note asked for, received and recorded with the amount recovered."""
    finance = users["li.na"]
    if main.status == ExceptionStatus.OPEN:
        main = _resolve(finance, main, "credit_note", text, reason)
    if main.status != ExceptionStatus.AWAITING_CREDIT:
        return
    invoice, line = main.invoice, main.invoice_line
    number = f"CN-{invoice.number}"
    qty = line.quantity - (line.order_line.quantity - _invoiced_before(line))
    amount = (qty * line.unit_price).quantize(CENT, ROUND_HALF_UP)
    tax = (amount * line.tax_rate / 100).quantize(CENT, ROUND_HALF_UP)
    day = min(invoice.invoice_date + 9 * D, timezone.localdate())
    po, text = line.order_line, "Quantity billed twice"
    values = (po.order.number, po.line_no, line.item, qty, line.unit_price, amount, line.tax_rate)
    lines = [_line(*values, tax=tax, description=text)]
    kind, bank, credits = "credit_note", invoice.bank_account, invoice.number
    note = _enter(finance, invoice.partner, number, day, invoice.currency, lines, bank=bank,
                  kind=kind, credits=credits)  # fmt: skip
    review = reviews.review_start(invoice=note)
    for check in review.checks.filter(item__auto_check="", outcome=CheckOutcome.PENDING):
        reviews.review_answer(user=finance, check=check, outcome=CheckOutcome.PASSED)
    exceptions.exception_record_credit_note(
        user=finance, exception=main, credit_note=note, amount=note.net_total
    )
    _settle(finance, others, f"Recovered with credit note {number} (exception #{main.pk}).")


def _invoiced_before(line) -> Decimal:
    rows = line.order_line.invoice_lines.filter(
        invoice__kind="invoice", invoice__invoice_date__lt=line.invoice.invoice_date
    )
    return sum((row.quantity for row in rows), Decimal(0))


def _agenda_done(user, week) -> None:
    """The first point of the oldest meeting is done."""
    recon = WeeklyReconciliation.objects.filter(week=week).order_by("revision").first()
    item = recon.agenda.order_by("position").first() if recon else None
    if item is not None and not recon.agenda.filter(status=AgendaStatus.DONE).exists():
        agenda_item_set_status(user=user, item=item, status=AgendaStatus.DONE)


def _release(finance, invoices) -> None:
    released = 0
    for invoice in invoices:
        invoice.refresh_from_db()
        if invoice.status == "released":
            released += 1
        elif released < RELEASED and (invoice.status, invoice.payment_status) == (
            "received",
            "ready",
        ):
            payment.invoice_release(user=finance, invoice=invoice)
            released += 1


def _deductions(finance, codes) -> None:
    """The proposed service credits of the first partner that has some go against its latest
    invoice large enough to take them."""
    if InvoiceDeduction.objects.filter(invoice__partner__code__in=codes).exists():
        return
    for code in codes:
        proposals = list(
            CreditProposal.objects.filter(
                contract__partner__code=code, status="proposed", kind="credit"
            ).order_by("-period")[:2]
        )
        total = sum((p.amount for p in proposals), Decimal(0))
        invoice = (
            SupplierInvoice.objects.filter(
                partner__code=code, kind="invoice", status="received", gross_total__gte=total
            )
            .order_by("-invoice_date", "-pk")
            .first()
        )
        if proposals and invoice and {p.currency for p in proposals} == {invoice.currency}:
            for proposal in proposals:
                payment.deduction_apply(user=finance, invoice=invoice, proposal=proposal)
            return


def load_finance_demo(*, today: datetime.date | None = None) -> dict[str, int]:
    """The finance module's demo data (see the module docstring). Returns counts to print."""
    today = today or timezone.localdate()
    last = today - (today.weekday() + 7) * D  # last week's Monday
    names = ["admin", "li.na", "wang.fang", "zhang.wei", "liu.yang"]
    users = {user.username: user for user in User.objects.filter(username__in=names)}
    _reference_data(users["li.na"], users["admin"])
    weeks = {week_of(last - k * W): last - k * W + 6 * D for k in (3, 2, 1, 0)}

    def reconcile_before(day):  # the weekly job runs on the Monday after each week
        for week, sunday in weeks.items():
            if sunday < day and not WeeklyReconciliation.objects.filter(week=week).exists():
                reconcile_week(week=week, actor=users["li.na"])

    invoices = []
    _run(
        [
            _round(users, spec, index, r, last, invoices)
            for r in range(4)
            for index, spec in enumerate(PARTNERS)
            if r in spec[4]
        ],
        reconcile_before,
    )
    reconcile_before(datetime.date.max)
    for r, invoice in invoices:
        _review(users, invoice, r)
    _agenda_done(users["wang.fang"], next(iter(weeks)))
    _release(users["li.na"], [invoice for r, invoice in invoices if r == 0])
    _deductions(users["li.na"], DEDUCT_FROM)
    backdate_exceptions()
    return {
        "purchase_orders": PurchaseOrder.objects.count(),
        "supplier_invoices": SupplierInvoice.objects.count(),
        "match_exceptions": MatchException.objects.count(),
        "weekly_reconciliations": WeeklyReconciliation.objects.count(),
    }
