"""Data for ``bench/reconciliation.py``: partners, orders with lines, goods receipts and a
week of invoices (plus earlier ones), written with raw ``executemany`` in one transaction.

Each order has ten lines (2-, 3- or 4-way); most lines are received in full, some in two
deliveries, some not at all; 4-way receipts are inspected (a few lines rejected in part) or
wait for inspection; a few are on quality hold. Each order is billed by two invoices of five
lines in the week; ``LINE_MIX`` and ``INVOICE_MIX`` plant the discrepancies. Earlier invoices
(five days before the week) bill part of some orders, so prior quantities count.
"""

import datetime
import random

NOW = "2026-03-10 09:00:00"
CATEGORIES = [
    ("RESIN", "Virgin resin"),
    ("MOULDED", "Moulded parts"),
    ("PACK", "Packaging"),
    ("REGRIND", "Regrind"),
    ("ELEC", "Electronics"),
]
LINES_PER_ORDER = 10
LINES_PER_INVOICE = 5
FLUSH = 50_000
# Line variances: (kind, probability); the rest is clean.
LINE_MIX = [
    ("price_up", 0.015), ("price_down", 0.010), ("qty_over", 0.015), ("missing_receipt", 0.010),
    ("missing_po", 0.005), ("tax", 0.007), ("arithmetic", 0.005), ("hold", 0.003),
    ("pending", 0.006),
]  # fmt: skip
# Invoice variances (the second invoice of an order): probability of each.
INVOICE_MIX = [("currency", 0.005), ("exact_dup", 0.003), ("likely_dup", 0.003)]
EARLIER_SHARE = 0.05  # orders whose first five lines were partly invoiced the week before
SPLIT_OVER_SHARE = 0.1  # of those, the batch invoices the full quantity again (over-billing)


TABLES = {  # buffer name → table whose ids the builder assigns
    "orders": "finance_purchaseorder",
    "po_lines": "finance_purchaseorderline",
    "receipts": "finance_goodsreceipt",
    "receipt_lines": "finance_goodsreceiptline",
    "invoices": "finance_supplierinvoice",
    "invoice_lines": "finance_supplierinvoiceline",
}


class Tables:
    """Buffers of raw rows per table, flushed with executemany."""

    SQL = {
        "orders": "INSERT INTO finance_purchaseorder (id, created_at, updated_at, number, "
        "order_date, currency, status, match_mode, notes, contract_id, partner_id) VALUES "
        "(%s, %s, %s, %s, %s, %s, 'open', %s, '', NULL, %s)",
        "po_lines": "INSERT INTO finance_purchaseorderline (id, line_no, item, description, "
        "quantity, unit, unit_price, promised_date, category_id, order_id) VALUES "
        "(%s, %s, %s, '', %s, 'pcs', %s, NULL, %s, %s)",
        "receipts": "INSERT INTO finance_goodsreceipt (id, created_at, updated_at, number, "
        "received_on, notes, partner_id) VALUES (%s, %s, %s, %s, %s, '', %s)",
        "receipt_lines": "INSERT INTO finance_goodsreceiptline (id, line_no, quantity_received, "
        "quantity_accepted, quantity_rejected, on_hold, hold_reason, receipt_id, order_line_id) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
        "invoices": "INSERT INTO finance_supplierinvoice (id, created_at, updated_at, kind, "
        "number, number_key, invoice_date, received_on, due_date, currency, net_total, "
        "tax_total, gross_total, tax_id, bank_account, status, payment_status, matched_at, "
        "released_at, rejection_reason, credits_invoice_id, partner_id, released_by_id) VALUES "
        "(%s, %s, %s, 'invoice', %s, %s, %s, %s, %s, %s, %s, %s, %s, '', 'CN-BANK-1', "
        "'received', 'unchecked', NULL, NULL, '', NULL, %s, NULL)",
        "invoice_lines": "INSERT INTO finance_supplierinvoiceline (id, line_no, order_reference, "
        "item, description, quantity, unit_price, amount, tax_rate, tax_amount, invoice_id, "
        "order_line_id) VALUES (%s, %s, %s, %s, '', %s, %s, %s, %s, %s, %s, %s)",
        "reviews": "INSERT INTO finance_documentreview (created_at, updated_at, status, "
        "completed_at, completed_by_id, contract_id, partner_id, template_id, receipt_id, "
        "invoice_id) VALUES (%s, %s, %s, NULL, NULL, NULL, %s, %s, NULL, %s)",
    }

    def __init__(self, cursor, template: int):
        self.cursor, self.template = cursor, template
        self.rows = {name: [] for name in self.SQL}
        self.counts = dict.fromkeys([*self.SQL, "earlier_lines"], 0)
        self.ids = dict.fromkeys(self.SQL, 0)

    PARENTS = {
        "po_lines": ["orders"],
        "receipt_lines": ["orders", "po_lines", "receipts"],
        "invoice_lines": ["orders", "po_lines", "invoices"],
        "reviews": ["invoices"],
    }

    def start_ids(self):
        for name, table in TABLES.items():
            self.cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
            self.ids[name] = self.cursor.fetchone()[0]

    def next_id(self, name: str) -> int:
        self.ids[name] += 1
        return self.ids[name]

    def add(self, name: str, row: tuple) -> None:
        rows = self.rows[name]
        rows.append(row)
        if len(rows) >= FLUSH:
            self.flush(name)

    def flush(self, name: str | None = None) -> None:
        # Parents before children, so foreign keys hold at every flush.
        for table in [name] if name else list(self.SQL):
            if table == name:
                for parent in self.PARENTS.get(table, []):
                    self.flush(parent)
            rows = self.rows[table]
            if rows:
                self.cursor.executemany(self.SQL[table], rows)
                self.counts[table] += len(rows)
                self.rows[table] = []


def _pick(rng, mix) -> str:
    r, acc = rng.random(), 0.0
    for kind, share in mix:
        acc += share
        if r < acc:
            return kind
    return "clean"


def _cents(qty: int, price: int) -> int:
    """qty (whole units) * price (1/10,000) rounded half up to cents."""
    return (qty * price + 50) // 100


def build(n_lines: int, week_start: datetime.date, tag: str, seed: int) -> dict[str, int]:
    """Orders, receipts, the week's invoices and the earlier ones, with raw executemany."""
    from django.db import connection, transaction

    from partnerdesk.finance.models import ChecklistTemplate, ItemCategory, ToleranceProfile
    from partnerdesk.partners.models import Partner

    rng = random.Random(seed)
    n_orders = max(2, n_lines // LINES_PER_ORDER)
    n_partners = max(3, n_orders // 100)
    for code, name in CATEGORIES:
        ItemCategory.objects.get_or_create(code=code, defaults={"name": name})
    categories = [c.pk for c in ItemCategory.objects.filter(code__in=[c for c, _n in CATEGORIES])]
    partners = Partner.objects.bulk_create(
        [
            Partner(
                code=f"{tag}{i:06d}",
                legal_name=f"Partner {tag}{i}",
                kind="contract_manufacturer",
                status="active",
                country="CN",
                currency="USD" if i % 10 == 9 else "CNY",
            )
            for i in range(n_partners)
        ],
        batch_size=2000,
    )
    # Overrides of the company default: resin is tighter, the first partner has an allowance.
    resin = ItemCategory.objects.get(code="RESIN")
    if not ToleranceProfile.objects.filter(partner=None, category=resin).exists():
        ToleranceProfile.objects.create(
            name="Resin", category=resin, price_percent=1, quantity_percent="0.5", combine="or"
        )
    ToleranceProfile.objects.create(
        name=f"{partners[0].code} freight", partner=partners[0], amount_absolute=100
    )
    template = ChecklistTemplate.objects.get(document_type="invoice", is_active=True).pk
    with transaction.atomic(), connection.cursor() as cursor:
        tables = Tables(cursor, template)
        tables.start_ids()
        _documents(tables, rng, partners, categories, n_orders, week_start, tag)
        tables.flush()
        for table in TABLES.values() if connection.vendor == "postgresql" else ():
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT MAX(id) FROM {table}))"
            )
    return tables.counts


def _documents(tables, rng, partners, categories, n_orders, week_start, tag):
    add, next_id = tables.add, tables.next_id
    earlier_day = week_start - datetime.timedelta(days=5)
    for o in range(n_orders):
        partner = partners[o % len(partners)]
        currency = partner.currency
        rate = 13 if currency == "CNY" else 0
        mode = ("2way", "2way", "3way", "3way", "3way", "3way", "3way", "3way", "4way", "4way")[
            rng.randrange(10)
        ]
        order_id, number = next_id("orders"), f"PO-{tag}{o:07d}"
        order_date = week_start - datetime.timedelta(days=rng.randint(25, 60))
        add("orders", (order_id, NOW, NOW, number, order_date, currency, mode, partner.pk))
        received_on = min(order_date + datetime.timedelta(days=14), week_start)
        first_receipt, second_receipt = next_id("receipts"), None
        add("receipts", (first_receipt, NOW, NOW, f"DN-{tag}{o:07d}", received_on, partner.pk))
        lines = []
        for k in range(1, LINES_PER_ORDER + 1):
            line_id = next_id("po_lines")
            qty, price = rng.randrange(100, 5000, 10), rng.randint(500, 250_000)
            category = categories[rng.randrange(len(categories))]
            item = f"IT-{category}-{rng.randrange(1000):03d}"
            add("po_lines", (line_id, k, item, qty, price / 10_000, category, order_id))
            kind = _pick(rng, LINE_MIX)
            if kind == "pending" and mode != "4way":
                kind = "clean"
            received = qty
            if kind == "missing_receipt" and mode == "2way":
                kind = "clean"
            if kind == "missing_receipt" or (mode == "2way" and rng.random() < 0.5):
                received = 0  # 2-way lines need no receipt: half of them have none
            elif kind == "qty_over":
                received = qty * 9 // 10 if mode != "2way" else qty
            parts = [received] if rng.random() > 0.1 or received < 20 else None
            if parts is None:
                parts = [received * 6 // 10, received - received * 6 // 10]
                if second_receipt is None:
                    second_receipt = next_id("receipts")
                    late = received_on + datetime.timedelta(days=5)
                    add(
                        "receipts",
                        (second_receipt, NOW, NOW, f"DN-{tag}{o:07d}B", late, partner.pk),
                    )
            for index, part in enumerate(p for p in parts if p > 0):
                accepted = rejected = None
                if mode == "4way" and kind != "pending":
                    rejected = part // 50 if rng.random() < 0.05 else 0
                    accepted = part - rejected
                hold = kind == "hold" and index == 0
                receipt = first_receipt if index == 0 else second_receipt
                reason = "Sink marks on the A-side" if hold else ""
                row = (k + index * LINES_PER_ORDER, part, accepted, rejected, hold, reason)
                add("receipt_lines", (next_id("receipt_lines"), *row, receipt, line_id))
            lines.append((line_id, k, item, qty, price, kind, mode))
        earlier = rng.random() < EARLIER_SHARE
        over = earlier and rng.random() < SPLIT_OVER_SHARE
        invoiced_before = {}
        if earlier:
            part = [
                (ln[0], ln[1], ln[2], ln[3] * 4 // 10, ln[4], "clean", ln[6]) for ln in lines[:5]
            ]
            _invoice(tables, partner, currency, rate, f"EI-{tag}{o:07d}", earlier_day, part, number)
            tables.counts["earlier_lines"] += len(part)
            invoiced_before = {ln[0]: ln[3] for ln in part}
        day = week_start + datetime.timedelta(days=o % 7)
        first = []
        for line in lines[:LINES_PER_INVOICE]:
            qty = line[3] if over else line[3] - invoiced_before.get(line[0], 0)
            first.append((*line[:3], qty, *line[4:]))
        _invoice(tables, partner, currency, rate, f"INV-{tag}{o:07d}-1", day, first, number)
        invoice_kind = _pick(rng, INVOICE_MIX)
        second, inv_currency = lines[LINES_PER_INVOICE:], currency
        second_number, second_day = f"INV-{tag}{o:07d}-2", day
        if invoice_kind == "currency":
            inv_currency = "EUR"
        elif invoice_kind in ("exact_dup", "likely_dup"):
            second = first  # the first invoice sent again
            second_number = (
                f"inv {tag}{o:07d} 1" if invoice_kind == "exact_dup" else f"INV-{tag}{o:07d}-1R"
            )
            second_day = min(day + datetime.timedelta(days=1), week_start + datetime.timedelta(6))
        _invoice(tables, partner, inv_currency, rate, second_number, second_day, second, number)


def _invoice(tables, partner, currency, rate, number, day, lines, order_number) -> None:
    from partnerdesk.finance.engines.duplicates import normalise_number

    invoice_id = tables.next_id("invoices")
    net = tax = 0
    rows = []
    for no, (po_line, k, item, qty, price, kind, _mode) in enumerate(lines, start=1):
        if kind == "price_up":
            price = price * 105 // 100
        elif kind == "price_down":
            price = price * 95 // 100
        amount = _cents(qty, price)
        if kind == "arithmetic":
            amount += 1000
        line_tax = (amount * rate + 50) // 100
        if kind == "tax":
            line_tax += 100
        reference = f"{order_number}/{k}"
        if kind == "missing_po":
            po_line, reference = None, f"{order_number}/{k + 90}"
        net, tax = net + amount, tax + line_tax
        rows.append((tables.next_id("invoice_lines"), no, reference, item, qty, price / 10_000,
                     amount / 100, rate, line_tax / 100, invoice_id, po_line))  # fmt: skip
    due = day + datetime.timedelta(days=60)
    key = normalise_number(number)[:40]
    tables.add("invoices", (invoice_id, NOW, NOW, number, key, day, day, due, currency, net / 100,
                            tax / 100, (net + tax) / 100, partner.pk))  # fmt: skip
    for row in rows:
        tables.add("invoice_lines", row)
    status = "complete" if invoice_id % 10 < 7 else "open"
    tables.add("reviews", (NOW, NOW, status, partner.pk, tables.template, invoice_id))
