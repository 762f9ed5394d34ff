"""Benchmark: the weekly reconciliation's match of a week of invoices.

Size at --scale 1: 1,000,000 invoice lines (about 200,000 invoices of five lines, all dated
in one ISO week) against 1,000,000 purchase-order lines (100,000 orders of ten lines over
1,000 partners, 2-, 3- and 4-way) and about 1,000,000 goods-receipt lines (partial
deliveries in two receipts, a few lines not received, a few on quality hold, 4-way lines
inspected and some awaiting inspection). Earlier invoices (the week before) invoiced part of
some order lines, so prior quantities count. About 90 % of the lines are clean; the rest
carry price variances up and down, quantity variances, missing receipts, missing orders,
exact and likely duplicates, over-billing over split invoices, tax and arithmetic errors,
holds and invoices in another currency than the order.

Product path: ``finance.services.matching.match_week`` (what the weekly reconciliation, its
command and its job call): reading the database, matching, writing the exceptions and the
invoices' payment status. Between timed runs the run's exceptions are deleted (untimed), so
every run starts equal. Goals: at most 20 s with SQLite on two cores, within 2x of the floor,
and 10x the data in at most 11x the time. ``--scaling`` (off by default so the suite's tiny
run stays quick) adds a second week ten times as big to the same database and times both
weeks again, turn about (``scaled_seconds`` / ``scaling_base_seconds`` = ``scaling_ratio``).

Floor: the same rows (the batch's invoice lines, invoices, order lines and receipt lines,
with the same columns) read with plain cursor SQL, and the same number of exception rows
written with ``executemany`` into ``finance_matchexception`` (deleted afterwards).
"""

import datetime
import random
import statistics
import time

from _harness import median_seconds, report, setup, teardown

WEEK_START = datetime.date(2026, 3, 2)  # 2026-W10
BIG_WEEK_START = datetime.date(2026, 3, 16)  # 2026-W12, the --scaling week
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
    ("price_up", 0.015),
    ("price_down", 0.010),
    ("qty_over", 0.015),
    ("missing_receipt", 0.010),
    ("missing_po", 0.005),
    ("tax", 0.007),
    ("arithmetic", 0.005),
    ("hold", 0.003),
    ("pending", 0.006),
]
# Invoice variances (the second invoice of an order): probability of each.
INVOICE_MIX = [("currency", 0.005), ("exact_dup", 0.003), ("likely_dup", 0.003)]
EARLIER_SHARE = 0.05  # orders whose first five lines were partly invoiced the week before
SPLIT_OVER_SHARE = 0.1  # of those, the batch invoices the full quantity again (over-billing)


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

    def start_ids(self):
        tables = {
            "orders": "finance_purchaseorder",
            "po_lines": "finance_purchaseorderline",
            "receipts": "finance_goodsreceipt",
            "receipt_lines": "finance_goodsreceiptline",
            "invoices": "finance_supplierinvoice",
            "invoice_lines": "finance_supplierinvoiceline",
        }
        for name, table in tables.items():
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
                for parent in self._parents(table):
                    self.flush(parent)
            rows = self.rows[table]
            if rows:
                self.cursor.executemany(self.SQL[table], rows)
                self.counts[table] += len(rows)
                self.rows[table] = []

    @staticmethod
    def _parents(name):
        return {
            "po_lines": ["orders"],
            "receipt_lines": ["orders", "po_lines", "receipts"],
            "invoice_lines": ["orders", "po_lines", "invoices"],
            "reviews": ["invoices"],
        }.get(name, [])


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
        if connection.vendor == "postgresql":
            for table in (
                "finance_purchaseorder",
                "finance_purchaseorderline",
                "finance_goodsreceipt",
                "finance_goodsreceiptline",
                "finance_supplierinvoice",
                "finance_supplierinvoiceline",
            ):
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
                add(
                    "receipt_lines",
                    (
                        next_id("receipt_lines"),
                        k + index * LINES_PER_ORDER,
                        part,
                        accepted,
                        rejected,
                        hold,
                        "Sink marks on the A-side" if hold else "",
                        receipt,
                        line_id,
                    ),
                )
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
        rows.append(
            (
                tables.next_id("invoice_lines"),
                no,
                reference,
                item,
                qty,
                price / 10_000,
                amount / 100,
                rate,
                line_tax / 100,
                invoice_id,
                po_line,
            )
        )
    due = day + datetime.timedelta(days=60)
    tables.add(
        "invoices",
        (
            invoice_id,
            NOW,
            NOW,
            number,
            normalise_number(number)[:40],
            day,
            day,
            due,
            currency,
            net / 100,
            tax / 100,
            (net + tax) / 100,
            partner.pk,
        ),
    )
    for row in rows:
        tables.add("invoice_lines", row)
    status = "complete" if invoice_id % 10 < 7 else "open"
    tables.add("reviews", (NOW, NOW, status, partner.pk, tables.template, invoice_id))


def week_end(start: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=6)


def product_match(start: datetime.date):
    from partnerdesk.finance.services.matching import match_week

    return match_week(start=start, end=week_end(start), label="bench")


def reset() -> None:
    """Undo a run (untimed): its exceptions, runs and the invoices' match state."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM finance_matchexception")
        cursor.execute("DELETE FROM finance_matchrun WHERE label <> 'floor'")
        cursor.execute(
            "UPDATE finance_supplierinvoice SET matched_at = NULL, payment_status = 'unchecked'"
        )


BATCH = "i.invoice_date BETWEEN %s AND %s AND i.kind = 'invoice' AND i.status <> 'rejected'"
FLOOR_READS = [
    "SELECT l.id, l.invoice_id, l.order_line_id, l.quantity, l.unit_price, l.amount, "
    "l.tax_amount, l.tax_rate, i.currency FROM finance_supplierinvoiceline l "
    f"JOIN finance_supplierinvoice i ON i.id = l.invoice_id WHERE {BATCH}",
    "SELECT i.id, i.partner_id, i.number, i.invoice_date, i.net_total, i.tax_total, "
    f"i.gross_total, i.currency FROM finance_supplierinvoice i WHERE {BATCH}",
    "SELECT pl.id, pl.order_id, o.partner_id, c.code, pl.item, pl.quantity, pl.unit_price, "
    "o.currency, o.match_mode FROM finance_purchaseorderline pl "
    "JOIN finance_purchaseorder o ON o.id = pl.order_id "
    "LEFT JOIN finance_itemcategory c ON c.id = pl.category_id WHERE pl.id IN ("
    "SELECT l.order_line_id FROM finance_supplierinvoiceline l JOIN finance_supplierinvoice i "
    f"ON i.id = l.invoice_id WHERE {BATCH} AND l.order_line_id IS NOT NULL)",
    "SELECT r.id, r.order_line_id, r.quantity_received, r.quantity_accepted, "
    "r.quantity_rejected, r.on_hold FROM finance_goodsreceiptline r WHERE r.order_line_id IN ("
    "SELECT l.order_line_id FROM finance_supplierinvoiceline l JOIN finance_supplierinvoice i "
    f"ON i.id = l.invoice_id WHERE {BATCH} AND l.order_line_id IS NOT NULL)",
]
FLOOR_WRITE = (
    "INSERT INTO finance_matchexception (invoice_id, invoice_line_id, related_invoice_id, type, "
    "severity, amount_at_stake, currency, detail, fingerprint, first_run_id, last_run_id, "
    "opened_at, status, reason_code, resolution, justification, recovered_amount) VALUES "
    "(%s, %s, NULL, %s, 'block', %s, %s, %s, %s, %s, %s, %s, 'open', '', '', '', 0)"
)


def floor_match(start: datetime.date, n_exceptions: int, run_id: int) -> None:
    """Read the batch's rows with plain SQL; write as many exception rows with executemany."""
    from django.db import connection, transaction

    params = (start, week_end(start))
    with transaction.atomic(), connection.cursor() as cursor:
        read = []
        for sql in FLOOR_READS:
            cursor.execute(sql, params)
            read.append(cursor.fetchall())
        lines = read[0]
        rows = []
        for k in range(n_exceptions):
            line = lines[k % len(lines)]
            rows.append(
                (
                    line[1],
                    line[0],
                    "quantity_variance",
                    line[5],
                    line[8],
                    f"quantity {line[3]} vs received: outside tolerance (profile 1) #{k}",
                    f"{line[1]}:{line[0]}:floor{k}",
                    run_id,
                    run_id,
                    NOW,
                )
            )
        cursor.executemany(FLOOR_WRITE, rows)


def clear_floor() -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM finance_matchexception")


def _db_size(connection) -> str:
    if connection.vendor != "sqlite":
        return "n/a"
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA page_count")
        pages = cursor.fetchone()[0]
        cursor.execute("PRAGMA page_size")
        return f"{pages * cursor.fetchone()[0] / 1e9:.2f}GB"


def _say(message: str) -> None:
    print(message, flush=True)


def _timed(name: str, fn):
    def run():
        started = time.perf_counter()
        fn()
        _say(f"  {name}: {time.perf_counter() - started:.2f} s")

    return run


def main():
    import argparse
    import sys

    extra = argparse.ArgumentParser(add_help=False)
    extra.add_argument("--scaling", action="store_true", help="also measure 10x the data")
    known, rest = extra.parse_known_args()
    sys.argv = [sys.argv[0], *rest]
    args = setup(__doc__)
    from django.db import connection
    from django.db.models import Count

    from partnerdesk.finance.models import MatchException, MatchRun

    n_lines = max(50, int(1_000_000 * args.scale))
    started = time.perf_counter()
    counts = build(n_lines, WEEK_START, "A", seed=17)
    build_seconds = time.perf_counter() - started
    _say(f"built {counts} in {build_seconds:.1f} s; db {_db_size(connection)}")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    rows = counts["invoice_lines"] - counts["earlier_lines"]

    product = _timed("match_week", lambda: product_match(WEEK_START))
    seconds = median_seconds(product, repeat=args.repeat, before=reset)
    exceptions = MatchException.objects.count()
    by_type = MatchException.objects.values_list("type").annotate(n=Count("id")).order_by("type")
    _say("exceptions by type: " + ", ".join(f"{t}={n}" for t, n in by_type))
    reset()
    floor_run = MatchRun.objects.create(label="floor").pk
    floor = _timed("floor", lambda: floor_match(WEEK_START, exceptions, floor_run))
    floor_seconds = median_seconds(floor, repeat=args.repeat, before=clear_floor)
    clear_floor()
    extra_fields = {}
    if known.scaling:
        started = time.perf_counter()
        big = build(n_lines * 10, BIG_WEEK_START, "B", seed=23)
        _say(f"built 10x {big} in {time.perf_counter() - started:.1f} s; db {_db_size(connection)}")
        # Both sizes again, turn about, on the same database (load drifts on a shared host).
        small, scaled = [], []
        for _ in range(max(1, args.repeat)):
            for start, name, times in ((WEEK_START, "1x", small), (BIG_WEEK_START, "10x", scaled)):
                run = _timed(f"match_week {name}", lambda start=start: product_match(start))
                times.append(median_seconds(run, repeat=1, before=reset))
        reset()
        small_seconds, scaled_seconds = statistics.median(small), statistics.median(scaled)
        extra_fields = {
            "scaled_rows": big["invoice_lines"] - big["earlier_lines"],
            "scaled_seconds": f"{scaled_seconds:.4f}",
            "scaling_base_seconds": f"{small_seconds:.4f}",
            "scaling_ratio": f"{scaled_seconds / small_seconds:.2f}",
        }
    report(
        "reconciliation",
        rows,
        seconds,
        floor_seconds,
        exceptions=exceptions,
        lines_per_second=f"{rows / seconds:.0f}",
        po_lines=counts["po_lines"],
        receipt_lines=counts["receipt_lines"],
        invoices=counts["invoices"],
        build_seconds=f"{build_seconds:.1f}",
        **extra_fields,
        db=connection.vendor,
    )
    teardown(args)


if __name__ == "__main__":
    main()
