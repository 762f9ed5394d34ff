"""A batch is read and matched in parts of whole partners (``matching._parts``); the outcome
must not depend on where the parts are cut. The data is the benchmark's (``bench/
_reconciliation_data.py``): every kind of discrepancy, split invoices, earlier invoices on the
same order lines, exact and likely duplicates, invoices in another currency."""

import datetime
import sys
from pathlib import Path

import polars as pl
import pytest
from django.db import connection

from partnerdesk.finance.engines import matching as engine
from partnerdesk.finance.models import MatchException, MatchRun, SupplierInvoice
from partnerdesk.finance.services import matching

pytestmark = pytest.mark.django_db

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from _reconciliation_data import build  # noqa: E402

WEEK = (datetime.date(2026, 3, 2), datetime.date(2026, 3, 8))


def _queue() -> list[tuple]:
    return sorted(
        MatchException.objects.values_list(
            "fingerprint", "severity", "amount_at_stake", "currency", "detail",
            "related_invoice_id", "status",
        )
    )  # fmt: skip


def _statuses() -> dict[int, str]:
    return dict(SupplierInvoice.objects.values_list("pk", "payment_status"))


def _forget_the_run() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM finance_matchexception")
    MatchRun.objects.all().delete()
    SupplierInvoice.objects.update(matched_at=None, payment_status="unchecked")


def test_parts_hold_whole_partners_of_about_the_size_asked(monkeypatch):
    invoices = pl.DataFrame({"invoice_id": range(10), "partner_id": [3, 1, 3, 2, 1, 3, 3, 2, 5, 4]})
    monkeypatch.setattr(matching, "PART_INVOICES", 3)
    parts = matching._parts(invoices)
    partners = sorted(sorted(set(p["partner_id"])) for p in parts)
    # Partners in id order, each in the part where its first invoice falls when the batch is
    # counted off in threes: 1 and 2 start at 0 and 2, 3 at 4, 4 at 8 and 5 at 9. A partner's
    # invoices are never split (3 has four).
    assert partners == [[1, 2], [3], [4], [5]]
    assert sorted(i for p in parts for i in p["invoice_id"]) == list(range(10))
    assert matching._parts(invoices.clear()) == []


def test_a_week_matched_in_parts_is_the_week_matched_whole(monkeypatch):
    counts = build(6000, WEEK[0], "T", seed=5)
    assert counts["invoices"] > 1000
    calls = []
    real = engine.match_invoices

    def counted(**kwargs):
        calls.append(kwargs["invoices"]["partner_id"].unique().to_list())
        return real(**kwargs)

    monkeypatch.setattr(matching.engine, "match_invoices", counted)

    whole = matching.match_week(start=WEEK[0], end=WEEK[1])
    assert len(calls) == 1
    queue, statuses = _queue(), _statuses()
    types = {row[0].rsplit(":", 1)[1] for row in queue}
    assert {"price_variance", "quantity_variance", "over_billing", "duplicate", "currency",
            "missing_po", "missing_receipt", "quality_hold", "tax_mismatch"} <= types  # fmt: skip

    _forget_the_run()
    calls.clear()
    monkeypatch.setattr(matching, "PART_INVOICES", 150)
    parted = matching.match_week(start=WEEK[0], end=WEEK[1])
    assert len(calls) == len({p for c in calls for p in c}) > 3  # one partner a part
    assert (parted.invoices, parted.lines, parted.lines_matched) == (
        whole.invoices,
        whole.lines,
        whole.lines_matched,
    )
    assert (parted.run.exceptions_opened, parted.run.exceptions_cleared) == (len(queue), 0)
    assert _queue() == queue
    assert _statuses() == statuses
