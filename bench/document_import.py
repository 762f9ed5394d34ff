"""Benchmark: importing supplier invoice lines from a CSV file.

Size at --scale 1: 1,000,000 invoice lines (100,000 invoices of 10 lines, 1,000 partners)
against 1,000,000 purchase order lines and 1,000,000 goods receipt lines. The orders and
receipts are built untimed through the same import (their speed is reported too).

Product path: ``finance.services.imports.import_documents`` (what the import page and
``POST /document-imports`` call) on the invoice CSV, all or nothing in one transaction: the
file checked (partners, order lines of the same partner, numbers, dates, recorded invoices)
and the invoices, lines and audit rows inserted. A clean file this large takes the columnar
path (``imports.columnar``); the invoices' reviews and matching are left to the worker
(``tasks.check_new_invoices``, queued on commit), which the benchmark runs and times apart
(``worker_check_seconds``). Target: at least 100,000 lines a second (``lines_per_second``).

Floor: the same CSV read with the ``csv`` module, the order lines read with one query (for
the lines' order line ids), and the same invoices and lines inserted with plain
``executemany`` (no checks, no reviews, no matching, no audit). Product and floor run turn
about, each after the invoices were deleted.

Measured (2 cores, SQLite, --scale 1 --repeat 3, idle machine): import 16.2 s = 61,800 lines
a second; floor 13.7 s = 73,200 lines a second; ratio 1.19; the worker's reviews and matching
of the 100,000 invoices 27.7 s; peak RSS 1.9 GB (the matching of a million lines in one run).
The target of 100,000 lines a second cannot be met on this machine with SQLite: writing the
same rows with plain ``executemany`` and no checks at all runs at 73,000 lines a second.
"""

import csv
import datetime
import os
import random
import resource
import statistics
import time

from _harness import report, setup, teardown

LINES_PER_INVOICE = 10
LINES_PER_PARTNER = 1_000


def write_files(tmp: str, n_lines: int, today: datetime.date) -> dict[str, str]:
    """The order, receipt and invoice CSV files (one row per line)."""
    rng = random.Random(7)
    n_invoices = max(1, n_lines // LINES_PER_INVOICE)
    n_partners = max(2, n_lines // LINES_PER_PARTNER)
    ordered = (today - datetime.timedelta(days=60)).isoformat()
    received = (today - datetime.timedelta(days=30)).isoformat()
    paths = {k: os.path.join(tmp, f"{k}.csv") for k in ("orders", "receipts", "invoices")}
    with (
        open(paths["orders"], "w", newline="") as orders,
        open(paths["receipts"], "w", newline="") as receipts,
        open(paths["invoices"], "w", newline="") as invoices,
    ):
        po = csv.writer(orders)
        rc = csv.writer(receipts)
        inv = csv.writer(invoices)
        po.writerow(
            [
                "partner",
                "order_number",
                "order_date",
                "currency",
                "match_mode",
                "line_no",
                "item",
                "quantity",
                "unit",
                "unit_price",
            ]
        )
        rc.writerow(
            [
                "partner",
                "delivery_note",
                "received_on",
                "order_number",
                "order_line",
                "quantity_received",
            ]
        )
        inv.writerow(
            [
                "partner",
                "invoice_number",
                "invoice_date",
                "due_date",
                "currency",
                "net_total",
                "tax_total",
                "gross_total",
                "tax_id",
                "bank_account",
                "line_no",
                "order_number",
                "order_line",
                "item",
                "quantity",
                "unit_price",
                "amount",
                "tax_rate",
                "tax_amount",
            ]
        )
        for i in range(n_invoices):
            partner = f"B{i % n_partners:05d}"
            order = f"PO-{i:08d}"
            day = (today - datetime.timedelta(days=1 + i % 20)).isoformat()
            due = (today + datetime.timedelta(days=30)).isoformat()
            lines = []
            for line in range(1, LINES_PER_INVOICE + 1):
                qty = rng.randrange(1, 500)
                cents = rng.randrange(100, 100_000)  # price x 100
                price = f"{cents // 100}.{cents % 100:02d}"
                po.writerow(
                    [
                        partner,
                        order,
                        ordered,
                        "CNY",
                        "3way",
                        line,
                        f"ITEM-{line}",
                        qty,
                        "pcs",
                        price,
                    ]
                )
                rc.writerow([partner, f"DN-{i:08d}", received, order, line, qty])
                billed = cents + (7 if rng.random() < 0.02 else 0)  # some price variances
                amount = qty * billed
                tax = (amount * 13 + 50) // 100
                lines.append((line, qty, billed, amount, tax))
            net = sum(x[3] for x in lines)
            tax = sum(x[4] for x in lines)
            for line, qty, billed, amount, line_tax in lines:
                inv.writerow(
                    [
                        partner,
                        f"INV-{i:08d}",
                        day,
                        due,
                        "CNY",
                        _money(net),
                        _money(tax),
                        _money(net + tax),
                        f"TAX{partner}",
                        f"6222 {i % n_partners:05d}",
                        line,
                        order,
                        line,
                        f"ITEM-{line}",
                        qty,
                        _money(billed),
                        _money(amount),
                        "13",
                        _money(line_tax),
                    ]
                )
    return paths


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def build(tmp: str, n_lines: int):
    from django.conf import settings
    from django.core.files import File
    from django.utils import timezone

    from partnerdesk.accounts.models import User
    from partnerdesk.finance.services.imports import import_documents
    from partnerdesk.partners.models import Partner

    settings.FINANCE_IMPORT_MAX_ROWS = 20_000_000
    settings.FINANCE_IMPORT_MAX_BYTES = 4 * 1024**3
    today = timezone.localdate()
    paths = write_files(tmp, n_lines, today)
    n_partners = max(2, n_lines // LINES_PER_PARTNER)
    Partner.objects.bulk_create(
        [
            Partner(
                code=f"B{i:05d}",
                legal_name=f"Bench partner {i}",
                kind="contract_manufacturer",
                status="active",
                country="CN",
                tax_id=f"TAXB{i:05d}",
            )
            for i in range(n_partners)
        ],
        batch_size=2000,
    )
    user = User.objects.create(username="bench", is_superuser=True, is_staff=True)
    seconds = {}
    for kind, name in (("purchase_orders", "orders"), ("receipts", "receipts")):
        started = time.perf_counter()
        with open(paths[name], "rb") as handle:
            import_documents(user=user, uploaded=File(handle, name=f"{name}.csv"), kind=kind)
        seconds[name] = time.perf_counter() - started
    return user, paths, seconds


def product_import(user, path: str) -> None:
    from django.core.files import File

    from partnerdesk.finance.services.imports import import_documents

    with open(path, "rb") as handle:
        result = import_documents(
            user=user, uploaded=File(handle, name="invoices.csv"), kind="invoices"
        )
    assert result.applied and result.error_count == 0, result.errors[:5]


def clear_invoices() -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        for sql in (
            "DELETE FROM finance_reviewcheck",
            "DELETE FROM finance_documentreview",
            "DELETE FROM finance_matchexception",
            "DELETE FROM finance_matchrun",
            "DELETE FROM finance_supplierinvoiceline",
            "DELETE FROM finance_supplierinvoice",
            "DELETE FROM finance_documentimport WHERE kind = 'invoices'",
            "DELETE FROM audit_auditentry WHERE content_type_id IN (SELECT id FROM "
            "django_content_type WHERE model IN ('supplierinvoice', 'documentimport'))",
        ):
            cursor.execute(sql)


FLOOR_INVOICE = (
    "INSERT INTO finance_supplierinvoice (created_at, updated_at, partner_id, kind, number, "
    "number_key, invoice_date, received_on, due_date, currency, net_total, tax_total, "
    "gross_total, tax_id, bank_account, credits_invoice_id, status, payment_status, "
    "matched_at, released_at, released_by_id, rejection_reason) VALUES (%s, %s, %s, 'invoice', "
    "%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, NULL, 'received', 'unchecked', NULL, NULL, "
    "NULL, '')"
)
FLOOR_LINE = (
    "INSERT INTO finance_supplierinvoiceline (invoice_id, line_no, order_line_id, "
    "order_reference, item, description, quantity, unit_price, amount, tax_rate, tax_amount) "
    "VALUES (%s, %s, %s, %s, %s, '', %s, %s, %s, %s, %s)"
)
FLOOR_ORDER_LINES = (
    "SELECT o.number, l.line_no, l.id FROM finance_purchaseorderline l "
    "JOIN finance_purchaseorder o ON o.id = l.order_id"
)


def floor_import(path: str, partners: dict[str, int]) -> None:
    """csv module + plain executemany of the same invoices and lines."""
    from django.db import connection, transaction
    from django.utils import timezone

    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        invoices, lines = {}, []
        for row in reader:
            number = row[1]
            if number not in invoices:
                invoices[number] = (
                    now,
                    now,
                    partners[row[0]],
                    number,
                    number,
                    row[2],
                    row[2],
                    row[3],
                    row[4],
                    row[5],
                    row[6],
                    row[7],
                    row[8],
                    row[9],
                )
            lines.append(
                (
                    number,
                    int(row[10]),
                    (row[11], int(row[12])),
                    f"{row[11]}/{row[12]}",
                    row[13],
                    row[14],
                    row[15],
                    row[16],
                    row[17],
                    row[18],
                )
            )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(FLOOR_ORDER_LINES)
        order_lines = {(number, line_no): pk for number, line_no, pk in cursor.fetchall()}
        cursor.executemany(FLOOR_INVOICE, list(invoices.values()))
        cursor.execute("SELECT number, id FROM finance_supplierinvoice")
        ids = dict(cursor.fetchall())
        cursor.executemany(
            FLOOR_LINE,
            [(ids[line[0]], line[1], order_lines[line[2]], *line[3:]) for line in lines],
        )


def main():
    args = setup(__doc__)
    from django.db import connection

    from partnerdesk.partners.models import Partner

    n_lines = max(50, int(1_000_000 * args.scale))
    started = time.perf_counter()
    user, paths, built = build(args.tmp, n_lines)
    build_seconds = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    from partnerdesk.finance.tasks import check_new_invoices

    partners = dict(Partner.objects.values_list("code", "pk"))
    runs, floors, checks, cpu, floor_cpu = [], [], [], [], []
    for _ in range(max(1, args.repeat)):
        # The product's import, then (timed apart) the worker's reviews and matching of the
        # imported invoices, then the floor, in the same database state.
        clear_invoices()
        started, started_cpu = time.perf_counter(), time.process_time()
        product_import(user, paths["invoices"])
        runs.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        started = time.perf_counter()
        check_new_invoices.call()
        checks.append(time.perf_counter() - started)
        clear_invoices()
        started, started_cpu = time.perf_counter(), time.process_time()
        floor_import(paths["invoices"], partners)
        floors.append(time.perf_counter() - started)
        floor_cpu.append(time.process_time() - started_cpu)
    clear_invoices()
    seconds, floor_seconds = statistics.median(runs), statistics.median(floors)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report(
        "document_import",
        n_lines,
        seconds,
        floor_seconds,
        lines_per_second=f"{n_lines / seconds:.0f}",
        floor_lines_per_second=f"{n_lines / floor_seconds:.0f}",
        worker_check_seconds=f"{statistics.median(checks):.4f}",
        cpu_seconds=f"{statistics.median(cpu):.4f}",
        cpu_lines_per_second=f"{n_lines / statistics.median(cpu):.0f}",
        floor_cpu_seconds=f"{statistics.median(floor_cpu):.4f}",
        load_average=f"{os.getloadavg()[0]:.1f}",
        orders_lines_per_second=f"{n_lines / built['orders']:.0f}",
        receipts_lines_per_second=f"{n_lines / built['receipts']:.0f}",
        invoices=max(1, n_lines // LINES_PER_INVOICE),
        max_rss_mb=f"{rss_mb:.0f}",
        file_mb=f"{os.path.getsize(paths['invoices']) / 1024**2:.1f}",
        build_seconds=f"{build_seconds:.1f}",
        db=connection.vendor,
    )
    teardown(args)


if __name__ == "__main__":
    main()
