"""Benchmark: the weekly reconciliation's match of a week of invoices.

Size at --scale 1: 1,000,000 invoice lines (about 200,000 invoices of five lines, all dated
in one ISO week) against 1,000,000 purchase-order lines (100,000 orders of ten lines over
1,000 partners, 2-, 3- and 4-way) and about 1,000,000 goods-receipt lines (partial
deliveries in two receipts, a few lines not received, a few on quality hold, 4-way lines
inspected and some awaiting inspection). Earlier invoices (the week before) invoiced part of
some order lines, so prior quantities count. About 90 % of the lines are clean; the rest
carry price variances up and down, quantity variances, missing receipts, missing orders,
exact and likely duplicates, over-billing over split invoices, tax and arithmetic errors,
holds and invoices in another currency than the order (``bench/_reconciliation_data.py``
builds it).

Product path: ``finance.services.matching.match_week`` (what the weekly reconciliation, its
command and its job call): reading the database, matching, writing the exceptions and the
invoices' payment status. Between timed runs the run's exceptions are deleted (untimed), so
every run starts equal. Goals: at most 20 s with SQLite on two cores, within 2x of the floor,
and 10x the data in at most 11x the time. ``--scaling`` (off by default so the suite's tiny
run stays quick) adds a second week ten times as big to the same database and times both
weeks again, turn about (``scaled_seconds`` / ``scaling_base_seconds`` = ``scaling_ratio``).

Floor: the same rows (the batch's invoice lines, invoices, order lines and receipt lines,
with the same columns; the quantities earlier invoices billed on those order lines; the
earlier invoices that could be duplicates, by number and by gross total in the window) read
with plain cursor SQL, and the same number of exception rows written with ``executemany``
into ``finance_matchexception`` (deleted afterwards).
"""

import datetime
import statistics
import time

from _harness import median_seconds, report, setup, teardown
from _reconciliation_data import NOW, build

WEEK_START = datetime.date(2026, 3, 2)  # 2026-W10
BIG_WEEK_START = datetime.date(2026, 3, 16)  # 2026-W12, the --scaling week


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
    # What earlier invoices outside the week invoiced on the same order lines.
    "SELECT l.order_line_id, SUM(l.quantity) FROM finance_supplierinvoiceline l "
    "JOIN finance_supplierinvoice p ON p.id = l.invoice_id WHERE l.order_line_id IN ("
    "SELECT l.order_line_id FROM finance_supplierinvoiceline l JOIN finance_supplierinvoice i "
    f"ON i.id = l.invoice_id WHERE {BATCH} AND l.order_line_id IS NOT NULL) "
    "AND p.invoice_date < %s AND p.kind = 'invoice' AND p.status <> 'rejected' "
    "GROUP BY l.order_line_id",
    # Earlier invoices with the same partner and number key (duplicate candidates) ...
    "SELECT DISTINCT e.id, e.partner_id, e.number, e.invoice_date, e.net_total, e.tax_total, "
    "e.gross_total, e.currency FROM finance_supplierinvoice i JOIN finance_supplierinvoice e "
    f"ON e.partner_id = i.partner_id AND e.number_key = i.number_key WHERE {BATCH} "
    "AND e.invoice_date < %s",
    # ... and with the same partner and gross total within the duplicate window.
    "SELECT e.id, e.partner_id, e.number, e.invoice_date, e.net_total, e.tax_total, "
    "e.gross_total, e.currency FROM finance_supplierinvoice e WHERE e.invoice_date "
    "BETWEEN %s AND %s AND (+e.partner_id, e.gross_total) IN (SELECT i.partner_id, "
    f"i.gross_total FROM finance_supplierinvoice i WHERE {BATCH})",
]
WINDOW = datetime.timedelta(days=7)
FLOOR_WRITE = (
    "INSERT INTO finance_matchexception (invoice_id, invoice_line_id, related_invoice_id, type, "
    "severity, amount_at_stake, currency, detail, fingerprint, first_run_id, last_run_id, "
    "opened_at, status, reason_code, resolution, justification, recovered_amount) VALUES "
    "(%s, %s, NULL, %s, 'block', %s, %s, %s, %s, %s, %s, %s, 'open', '', '', '', 0)"
)


def floor_match(start: datetime.date, n_exceptions: int, run_id: int) -> None:
    """Read the batch's rows with plain SQL; write as many exception rows with executemany."""
    from django.db import connection, transaction

    week = (start, week_end(start))
    params = [
        week,
        week,
        week,
        week,
        (*week, start),
        (*week, start),
        (start - WINDOW, week[1] + WINDOW, *week),
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        read = []
        for sql, values in zip(FLOOR_READS, params, strict=True):
            cursor.execute(sql, values)
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
