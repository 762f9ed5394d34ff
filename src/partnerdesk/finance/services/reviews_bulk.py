"""Reviews started in bulk for imported invoices: the checklist written and the automatic checks
run set-based, a chunk of invoices at a time.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

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
    ReviewCheck,
    SupplierInvoice,
)
from partnerdesk.finance.services.review_checks import CENT, _normal, _template

# --- many invoices at once (document imports) -------------------------------------------------

BULK_CHUNK = 5000


def start_reviews_bulk(invoice_ids, *, refresh_status: bool = True) -> int:
    """Open the reviews of many invoices at once (a document import): the same checklist
    items, automatic checks, outcomes and details as ``review_start`` gives each one, but
    computed set-based — a few queries and one ``executemany`` per table for every
    ``BULK_CHUNK`` invoices instead of several queries per invoice. Invoices that have a review
    keep it. Returns how many reviews were started. ``refresh_status=False`` leaves the
    payment status to the caller (an import matches the invoices next, which refreshes it)."""
    from partnerdesk.finance.services.payment import refresh_payment_status

    ids = sorted({int(i) for i in invoice_ids})
    started = 0
    with transaction.atomic():
        state = _BulkState()
        for offset in range(0, len(ids), BULK_CHUNK):
            started += _start_chunk(ids[offset : offset + BULK_CHUNK], state)
        if refresh_status:
            refresh_payment_status(ids)
    return started


class _BulkState:
    def __init__(self):
        self.templates: dict[str, tuple[ChecklistTemplate, list]] = {}
        self.banks: dict[int, tuple[list, list]] = {}  # partner -> (keys, rows) by (date, id)
        self.now = timezone.now()
        self.texts = _bulk_texts()

    def template(self, kind: str):
        document_type = (
            DocumentType.CREDIT_NOTE if kind == InvoiceKind.CREDIT_NOTE else DocumentType.INVOICE
        )
        if document_type not in self.templates:
            template = _template(document_type)
            self.templates[document_type] = (template, list(template.items.all()))
        return self.templates[document_type]


def _in(ids) -> str:
    return ", ".join(["%s"] * len(ids))


def _start_chunk(ids: list[int], state: _BulkState) -> int:
    from django.db import connection

    invoices = list(
        SupplierInvoice.objects.filter(pk__in=ids, review__isnull=True).values_list(
            "pk",
            "partner_id",
            "kind",
            "invoice_date",
            "tax_id",
            "bank_account",
            "credits_invoice__number",
            "net_total",
            "tax_total",
            "gross_total",
            "partner__tax_id",
        )
    )
    if not invoices:
        return 0
    ids = [row[0] for row in invoices]
    marks = _in(ids)
    if connection.vendor == "postgresql":
        wrong_line = "ABS(ROUND(l.quantity * l.unit_price, 2) - l.amount) > 0.01"
    else:  # exact in integers: quantity x 1,000 times price x 10,000, half up to cents
        wrong_line = (
            "ABS((CAST(ROUND(l.quantity * 1000) AS BIGINT) * CAST(ROUND(l.unit_price * 10000) "
            "AS BIGINT) + 50000) / 100000 - CAST(ROUND(l.amount * 100) AS BIGINT)) > 1"
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT l.invoice_id, COUNT(*), SUM(CAST(ROUND(l.amount * 100) AS BIGINT)), "  # noqa: S608
            "SUM(CAST(ROUND(l.tax_amount * 100) AS BIGINT)), "
            f"SUM(CASE WHEN {wrong_line} THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN l.order_line_id IS NULL THEN 1 ELSE 0 END) "
            f"FROM finance_supplierinvoiceline l WHERE l.invoice_id IN ({marks}) "
            "GROUP BY l.invoice_id",
            ids,
        )
        sums = {row[0]: row[1:] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT DISTINCT l.invoice_id, o.number, o.status "  # noqa: S608
            "FROM finance_supplierinvoiceline l "
            "JOIN finance_purchaseorderline pl ON pl.id = l.order_line_id "
            "JOIN finance_purchaseorder o ON o.id = pl.order_id "
            f"WHERE l.invoice_id IN ({marks})",
            ids,
        )
        orders: dict[int, list[tuple[str, str]]] = {}
        for invoice_id, number, status in cursor.fetchall():
            orders.setdefault(invoice_id, []).append((number, status))
    missing = _lines_of([i for i, s in sums.items() if s[4]], order_line__isnull=True)
    wrong = _lines_of([i for i, s in sums.items() if s[3]])
    _bank_history(state, {row[1] for row in invoices})

    now = state.now
    reviews, checks = [], {}
    for row in invoices:
        pk, partner_id, kind = row[0], row[1], row[2]
        template, items = state.template(kind)
        results = []
        for item in items:
            if item.auto_check:
                outcome, detail, second = _bulk_evaluate(
                    item.auto_check,
                    row,
                    sums.get(pk),
                    orders.get(pk, []),
                    missing.get(pk, []),
                    wrong.get(pk, []),
                    state,
                )
                results.append((item.pk, outcome, detail[:300], second))
            else:  # written by one INSERT … SELECT below
                results.append((None, CheckOutcome.PENDING, "", False))
        complete = all(o != CheckOutcome.PENDING and not s for _i, o, _d, s in results)
        reviews.append(
            (
                now,
                now,
                template.pk,
                partner_id,
                pk,
                ReviewStatus.COMPLETE if complete else ReviewStatus.OPEN,
                now if complete else None,
            )
        )
        checks[pk] = results
    _bulk_insert(
        DocumentReview,
        [
            "created_at",
            "updated_at",
            "template_id",
            "partner_id",
            "invoice_id",
            "status",
            "completed_at",
        ],
        reviews,
    )
    review_of = dict(
        DocumentReview.objects.filter(invoice_id__in=ids).values_list("invoice_id", "pk")
    )
    _bulk_insert(
        ReviewCheck,
        ["review_id", "item_id", "outcome", "detail", "note", "checked_at", "needs_second"],
        [
            (
                review_of[invoice_id],
                item_id,
                outcome,
                detail,
                "",
                now if outcome != CheckOutcome.PENDING else None,
                second,
            )
            for invoice_id, results in checks.items()
            for item_id, outcome, detail, second in results
            if item_id is not None
        ],
    )
    _insert_manual_checks(ids)
    return len(reviews)


def _insert_manual_checks(invoice_ids: list[int]) -> None:
    """The reviews' items a reviewer ticks, not answered yet: generated by the database from
    the reviews and their templates (one statement, nothing to send per row)."""
    from django.db import connection

    quote = connection.ops.quote_name

    def column(name):
        return quote(ReviewCheck._meta.get_field(name).column)

    values = {
        "review": "r.id",
        "item": "i.id",
        "outcome": "%s",
        "detail": "''",
        "note": "''",
        "checked_by": "NULL",
        "checked_at": "NULL",
        "needs_second": "%s",
        "second_by": "NULL",
        "second_at": "NULL",
    }
    stored = [f.name for f in ReviewCheck._meta.concrete_fields if not f.primary_key]
    if sorted(stored) != sorted(values):
        raise RuntimeError(f"ReviewCheck columns changed: {sorted(set(stored) ^ set(values))}")
    sql = (
        f"INSERT INTO {quote(ReviewCheck._meta.db_table)} "  # noqa: S608
        f"({', '.join(column(n) for n in values)}) "
        f"SELECT {', '.join(values.values())} "
        "FROM finance_documentreview r "
        "JOIN finance_checklistitem i ON i.template_id = r.template_id "
        f"WHERE i.auto_check = '' AND r.invoice_id IN ({_in(invoice_ids)}) "
        "ORDER BY r.id, i.position"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [CheckOutcome.PENDING, False, *invoice_ids])


def _bulk_insert(model, columns: list[str], rows: list) -> None:
    """One ``executemany``; columns not named take their model default (all null or constant
    here), values adapted as the ORM would."""
    from django.db import connection

    if not rows:
        return
    ops = connection.ops
    names = list(columns)
    values_extra = []
    for f in model._meta.concrete_fields:
        if f.primary_key or f.attname in names:
            continue
        names.append(f.attname)
        values_extra.append(f.get_default())
    datetimes = [
        i
        for i, name in enumerate(names)
        if model._meta.get_field(name).get_internal_type() == "DateTimeField"
    ]
    adapted = {None: None}
    rows = [list(r) + values_extra for r in rows]
    for row in rows:
        for i in datetimes:
            value = row[i]
            if value not in adapted:
                adapted[value] = ops.adapt_datetimefield_value(value)
            row[i] = adapted[value]
    quote = ops.quote_name
    columns_sql = ", ".join(quote(model._meta.get_field(n).column) for n in names)
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({columns_sql}) "  # noqa: S608
        f"VALUES ({_in(names)})"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _lines_of(invoice_ids: list[int], **filters) -> dict[int, list]:
    """(line no, quantity, unit price, amount) of the invoices' lines, by invoice."""
    from partnerdesk.finance.models import SupplierInvoiceLine

    out: dict[int, list] = {}
    for offset in range(0, len(invoice_ids), BULK_CHUNK):
        for invoice_id, *line in (
            SupplierInvoiceLine.objects.filter(
                invoice_id__in=invoice_ids[offset : offset + BULK_CHUNK], **filters
            )
            .order_by("invoice_id", "line_no")
            .values_list("invoice_id", "line_no", "quantity", "unit_price", "amount")
        ):
            out.setdefault(invoice_id, []).append(line)
    return out


def _bank_history(state: _BulkState, partner_ids: set[int]) -> None:
    """Each partner's invoices with a bank account, by (date, id), read once per import."""
    wanted = sorted(partner_ids - set(state.banks))
    for offset in range(0, len(wanted), BULK_CHUNK):
        part = wanted[offset : offset + BULK_CHUNK]
        for partner_id in part:
            state.banks[partner_id] = ([], [])
        for pk, partner_id, day, number, account in (
            SupplierInvoice.objects.filter(partner_id__in=part, kind=InvoiceKind.INVOICE)
            .exclude(bank_account="")
            .exclude(status=InvoiceStatus.REJECTED)
            .order_by("partner_id", "invoice_date", "pk")
            .values_list("pk", "partner_id", "invoice_date", "number", "bank_account")
        ):
            keys, rows = state.banks[partner_id]
            keys.append((day, pk))
            rows.append((number, account))


def _previous_account(state: _BulkState, partner_id: int, day, pk: int):
    """(number, account) of the partner's latest other invoice with a bank account dated on
    or before ``day`` — the one ``_check_bank_account`` finds."""
    import bisect

    keys, rows = state.banks.get(partner_id, ([], []))
    index = bisect.bisect_right(keys, (day, float("inf"))) - 1
    while index >= 0 and keys[index][1] == pk:
        index -= 1
    return rows[index] if index >= 0 else None


def _cents(value: int) -> Decimal:
    return Decimal(value).scaleb(-2)


def _bulk_texts() -> dict[str, str]:
    """The automatic checks' messages, translated once per bulk start (the same messages as
    the checks of one invoice)."""
    return {
        "no_order": _("no known order on line(s) %(l)s"),
        "not_open": _("order(s) not open: %(o)s"),
        "open": _("open order(s) %(o)s"),
        "no_partner_tax_id": _("the partner has no tax id on file; check by hand"),
        "no_tax_id": _("no tax id on the invoice"),
        "tax_id_differs": _("invoice shows %(got)s, the partner's is %(want)s"),
        "tax_id": _("%(id)s"),
        "no_account": _("no bank account on the invoice"),
        "first_account": _("first invoice with a bank account from this partner"),
        "same_account": _("same account as invoice %(n)s"),
        "account_changed": _(
            "account changed from %(old)s (invoice %(n)s) to %(new)s: a second reviewer must "
            "confirm"
        ),
        "line": _("line %(l)s: %(q)s x %(p)s = %(e)s, invoiced %(a)s"),
        "net": _("lines add up to %(s)s, net total %(t)s"),
        "tax": _("line taxes add up to %(s)s, tax total %(t)s"),
        "gross": _("net %(n)s + tax %(t)s ≠ gross %(g)s"),
        "adds_up": _("%(n)s lines, net %(net)s + tax %(tax)s = %(g)s"),
        "credits": _("credits invoice %(n)s"),
        "no_credit": _("the credit note names no invoice of the partner"),
    }


def _bulk_evaluate(code, row, sums, orders, missing, wrong, state):
    """``_evaluate`` for one invoice from the set-based reads (the same outcomes and
    details)."""
    text = state.texts
    pk, partner_id, _kind, day, tax_id, bank_account, credited = row[:7]
    net_total, tax_total, gross_total, partner_tax_id = row[7:]
    if code == AutoCheck.PO_OPEN:
        problems = []
        if missing:
            problems.append(text["no_order"] % {"l": ", ".join(str(m[0]) for m in missing)})
        closed = sorted({number for number, status in orders if status != OrderStatus.OPEN})
        if closed:
            problems.append(text["not_open"] % {"o": ", ".join(closed)})
        if problems:
            return CheckOutcome.FAILED, "; ".join(problems), False
        numbers = sorted({number for number, _status in orders})
        return CheckOutcome.PASSED, text["open"] % {"o": ", ".join(numbers)}, False
    if code == AutoCheck.TAX_ID:
        if not partner_tax_id:
            return CheckOutcome.WARNING, text["no_partner_tax_id"], False
        if not tax_id:
            return CheckOutcome.FAILED, text["no_tax_id"], False
        if _normal(tax_id) != _normal(partner_tax_id):
            return (
                CheckOutcome.FAILED,
                text["tax_id_differs"] % {"got": tax_id, "want": partner_tax_id},
                False,
            )
        return CheckOutcome.PASSED, text["tax_id"] % {"id": partner_tax_id}, False
    if code == AutoCheck.BANK_ACCOUNT:
        if not bank_account:
            return CheckOutcome.FAILED, text["no_account"], False
        previous = _previous_account(state, partner_id, day, pk)
        if previous is None:
            return CheckOutcome.PASSED, text["first_account"], False
        number, account = previous
        if _normal(account) == _normal(bank_account):
            return CheckOutcome.PASSED, text["same_account"] % {"n": number}, False
        return (
            CheckOutcome.WARNING,
            text["account_changed"] % {"old": account, "n": number, "new": bank_account},
            True,
        )
    if code == AutoCheck.ARITHMETIC:
        count, net, tax = (sums[0], _cents(sums[1]), _cents(sums[2])) if sums else (0, 0, 0)
        net, tax = Decimal(net), Decimal(tax)
        problems = []
        for line_no, quantity, unit_price, amount in wrong:
            expected = (quantity * unit_price).quantize(CENT, rounding=ROUND_HALF_UP)
            if abs(expected - amount) > CENT:
                problems.append(
                    text["line"]
                    % {"l": line_no, "q": quantity, "p": unit_price, "e": expected, "a": amount}
                )
        if net != net_total:
            problems.append(text["net"] % {"s": net, "t": net_total})
        if tax != tax_total:
            problems.append(text["tax"] % {"s": tax, "t": tax_total})
        if net_total + tax_total != gross_total:
            problems.append(text["gross"] % {"n": net_total, "t": tax_total, "g": gross_total})
        if problems:
            return CheckOutcome.FAILED, "; ".join(problems), False
        return (
            CheckOutcome.PASSED,
            text["adds_up"] % {"n": count, "net": net, "tax": tax, "g": gross_total},
            False,
        )
    if code == AutoCheck.CREDIT_REFERENCE:
        if credited:
            return CheckOutcome.PASSED, text["credits"] % {"n": credited}, False
        return CheckOutcome.FAILED, text["no_credit"], False
    return CheckOutcome.PENDING, "", False
