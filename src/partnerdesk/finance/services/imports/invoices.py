"""The supplier invoice importer."""

import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _

from partnerdesk.finance.choices import (
    InvoiceKind,
    InvoiceStatus,
    PaymentStatus,
)
from partnerdesk.finance.engines.duplicates import normalise_number
from partnerdesk.finance.models import (
    SupplierInvoice,
    SupplierInvoiceLine,
)
from partnerdesk.finance.services.imports.common import _Doc, _ids_by_pairs
from partnerdesk.finance.services.imports.parsing import _as_decimal
from partnerdesk.finance.services.imports.receipts import _order_text, _WithOrders

# --- invoices and credit notes ----------------------------------------------------------------

_TOTALS = ("net_total", "tax_total", "gross_total")
_HEAD_COMPARED = (
    "invoice_date",
    "received_on",
    "due_date",
    "currency",
    *_TOTALS,
    "tax_id",
    "bank_account",
)


class _InvoiceImport(_WithOrders):
    key_fields = ("partner", "kind", "invoice_number")
    key_defaults = {"kind": InvoiceKind.INVOICE}
    key_columns = ("partner_id", "kind", "number")
    model, line_model = SupplierInvoice, SupplierInvoiceLine
    columns = [
        "created_at",
        "updated_at",
        "partner",
        "kind",
        "number",
        "number_key",
        "invoice_date",
        "received_on",
        "due_date",
        "currency",
        "net_total",
        "tax_total",
        "gross_total",
        "tax_id",
        "bank_account",
        "credits_invoice",
        "status",
        "payment_status",
        "matched_at",
        "released_at",
        "released_by",
        "rejection_reason",
    ]
    line_columns = [
        "invoice",
        "line_no",
        "order_line",
        "order_reference",
        "item",
        "description",
        "quantity",
        "unit_price",
        "amount",
        "tax_rate",
        "tax_amount",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.new_ids: list[int] = []
        self.credit_note_ids: list[int] = []

    def db_key(self, doc):
        return (doc.partner_id, doc.key[1], doc.key[2])

    def label(self, doc):
        return str(doc.key[2])

    def check_head(self, doc: _Doc) -> None:
        head = doc.head
        head["_number_key"] = normalise_number(doc.key[2])[:40]
        invoice_date, due_date = head.get("invoice_date"), head.get("due_date")
        if invoice_date and due_date and due_date < invoice_date:
            self.fail(doc.row, "due_date", _("The due date is before the invoice date."), doc)
        if invoice_date and invoice_date > self.today + datetime.timedelta(days=1):
            self.fail(doc.row, "invoice_date", _("The invoice date is in the future."), doc)

    def resolve_documents(self, docs) -> None:
        self._credited(docs)
        wanted = {(d.partner_id, d.key[1], d.key[2]): d for d in docs}
        candidates: dict[tuple, list[dict]] = {}
        # (partner, number key) is indexed; the number itself is compared below
        ids = _ids_by_pairs(
            SupplierInvoice,
            "partner",
            "number_key",
            {(d.partner_id, d.head["_number_key"]) for d in docs},
        )
        if not ids:
            return
        for invoice in SupplierInvoice.objects.filter(pk__in=ids).values(
            "pk",
            "partner_id",
            "kind",
            "number",
            "status",
            "credits_invoice__number",
            *_HEAD_COMPARED,
        ):
            key = (invoice["partner_id"], invoice["kind"], invoice["number"])
            if key in wanted:
                candidates.setdefault(key, []).append(invoice)
        if not candidates:
            return
        ids = [i["pk"] for found in candidates.values() for i in found]
        lines: dict[int, dict] = {}
        for line in SupplierInvoiceLine.objects.filter(invoice_id__in=ids).values(
            "invoice_id",
            "line_no",
            "order_line__order__number",
            "order_line__line_no",
            "order_reference",
            "item",
            "description",
            "quantity",
            "unit_price",
            "amount",
            "tax_rate",
            "tax_amount",
        ):
            lines.setdefault(line["invoice_id"], {})[line["line_no"]] = line
        for key, found in candidates.items():
            for invoice in found:
                invoice["lines"] = lines.get(invoice["pk"], {})
            self._existing(wanted[key], found)

    def _credited(self, docs) -> None:
        """The invoice each credit note credits (recorded already, of the same partner)."""
        notes = [
            d for d in docs if d.key[1] == InvoiceKind.CREDIT_NOTE and d.head.get("credits_invoice")
        ]
        if not notes:
            return
        found = {
            (p, n): pk
            for pk, p, n in SupplierInvoice.objects.filter(
                kind=InvoiceKind.INVOICE,
                pk__in=_ids_by_pairs(
                    SupplierInvoice,
                    "partner",
                    "number_key",
                    {
                        (d.partner_id, normalise_number(d.head["credits_invoice"])[:40])
                        for d in notes
                    },
                ),
            )
            .exclude(status=InvoiceStatus.REJECTED)
            .values_list("pk", "partner_id", "number")
        }
        for doc in notes:
            pk = found.get((doc.partner_id, doc.head["credits_invoice"]))
            doc.head["_credits"] = pk
            if pk is None:
                self.fail(
                    doc.row,
                    "credits_invoice",
                    _("No invoice %(n)s from partner %(p)s is recorded; import it first.")
                    % {"n": doc.head["credits_invoice"], "p": doc.head["partner"]},
                    doc,
                )

    def _existing(self, doc: _Doc, found: list[dict]) -> None:
        """The recorded invoice the file's one is compared with: one with the same header
        (its lines decide: unchanged or a conflict), else the one not rejected (a conflict).
        When every invoice with this number was rejected and none has the same header, the
        file's invoice is a new one."""
        same = [i for i in found if self._same_head(doc, i)]
        live = [i for i in found if i["status"] != InvoiceStatus.REJECTED]
        chosen = (same or live or [None])[0]
        if chosen is None:
            return
        doc.existing = chosen
        self.compare_head(doc, self._head_pairs(doc, chosen))

    def _head_pairs(self, doc, invoice) -> dict:
        head = doc.head
        pairs = {}
        for name in _HEAD_COMPARED:
            mine = head.get(name)
            pairs[name] = (_as_decimal(mine) if name in _TOTALS else mine, invoice[name])
        pairs["credits_invoice"] = (
            head.get("credits_invoice"),
            invoice["credits_invoice__number"] or "",
        )
        return pairs

    def _same_head(self, doc, invoice) -> bool:
        return all(
            mine is None or not self.mapped(name) or mine == theirs
            for name, (mine, theirs) in self._head_pairs(doc, invoice).items()
        )

    def check(self, number, doc, values, failed):
        fine, order_line = self.order_line(number, doc, values, failed, required=False)
        if doc.existing is not None:
            if fine and not failed and doc.partner_id:
                self._compare(number, doc, values)
            return None
        if failed or not fine or not doc.partner_id:
            return None
        reference = values.get("order_reference")
        if not reference and order_line is not None:
            reference = _order_text(values["order_number"], values["order_line"])
        return (
            doc,
            values["line_no"],
            order_line,
            reference or "",
            values.get("item") or "",
            values.get("description") or "",
            values["quantity"],
            values["unit_price"],
            values["amount"],
            values.get("tax_rate"),
            values.get("tax_amount") or "0",
        )

    def _compare(self, number, doc, values) -> None:
        line_no = values["line_no"]
        recorded = self.recorded_line(number, doc, line_no)
        if recorded is None:
            return
        pairs = {
            "order_number": (
                _order_text(values.get("order_number"), values.get("order_line")),
                _order_text(recorded["order_line__order__number"], recorded["order_line__line_no"]),
            )
        }
        for name in ("order_reference", "item", "description"):
            pairs[name] = (values.get(name), recorded[name])
        if not values.get("order_reference"):
            pairs.pop("order_reference")
        for name in ("quantity", "unit_price", "amount", "tax_rate", "tax_amount"):
            pairs[name] = (_as_decimal(values.get(name)), recorded[name])
        self.compare_line(number, doc, line_no, pairs)

    def header_row(self, d) -> tuple:
        """The invoice's row in ``columns`` order."""
        head = d.head
        received = head.get("received_on")
        return (
            self.stamp,
            self.stamp,
            d.partner_id,
            d.key[1],
            d.key[2],
            head["_number_key"],
            head["invoice_date"].isoformat(),
            received.isoformat() if received else self.today.isoformat(),
            head["due_date"].isoformat(),
            head["currency"],
            head["net_total"],
            head["tax_total"],
            head["gross_total"],
            head.get("tax_id") or "",
            head.get("bank_account") or "",
            head.get("_credits"),
            InvoiceStatus.RECEIVED,
            PaymentStatus.UNCHECKED,
            None,
            None,
            None,
            "",
        )

    def write(self, lines) -> None:
        docs = self.write_documents(lines, self.header_row)
        self.new_ids.extend(d.pk for d in docs)
        self.credit_note_ids.extend(d.pk for d in docs if d.key[1] == InvoiceKind.CREDIT_NOTE)

    def snapshot(self, doc):
        head = doc.head
        received = head.get("received_on") or self.today
        return {
            "id": doc.pk,
            "partner": doc.partner_id,
            "kind": doc.key[1],
            "number": doc.key[2],
            "number_key": head["_number_key"],
            "invoice_date": head["invoice_date"].isoformat(),
            "received_on": received.isoformat(),
            "due_date": head["due_date"].isoformat(),
            "currency": head["currency"],
            "net_total": head["net_total"],
            "tax_total": head["tax_total"],
            "gross_total": head["gross_total"],
            "tax_id": head.get("tax_id") or "",
            "bank_account": head.get("bank_account") or "",
            "credits_invoice": head.get("_credits"),
            "status": InvoiceStatus.RECEIVED.value,
            "payment_status": PaymentStatus.UNCHECKED.value,
            "rejection_reason": "",
        }

    def after_write(self) -> None:
        """Start the new invoices' reviews (in bulk) and match them, in the import for a file
        of up to ``FINANCE_IMPORT_INLINE_LINES`` lines; a larger file leaves that to the
        worker (``tasks.check_new_invoices``, queued once the import is committed), so that
        a million lines are in within seconds and the request does not wait for the matching.
        Until checked, the invoices are "not matched yet" and cannot be released."""
        ids = self.new_ids
        if not ids:
            return
        if self.report.created > settings.FINANCE_IMPORT_INLINE_LINES:
            from partnerdesk.finance.tasks import check_new_invoices

            self.report.invoices_deferred = len(ids)
            transaction.on_commit(check_new_invoices.enqueue)
            return
        self.report.invoices_matched += check_invoices(
            ids, self.credit_note_ids, actor=self.user, label=f"import {self.report.file_name}"
        )


def check_invoices(ids, credit_note_ids, *, actor, label: str) -> int:
    """Start the reviews of the invoices and credit notes ``ids`` (in bulk) and match the
    invoices, in as few matching runs as the database allows; returns how many invoices were
    matched."""
    from partnerdesk.finance.services.matching import match_invoices
    from partnerdesk.finance.services.payment import refresh_payment_status
    from partnerdesk.finance.services.reviews import start_reviews_bulk

    start_reviews_bulk(ids, refresh_status=False)
    refresh_payment_status(credit_note_ids)  # matching refreshes the invoices
    size, matched = _match_run_size(), 0
    for offset in range(0, len(ids), size):
        outcome = match_invoices(
            invoice_ids=ids[offset : offset + size], actor=actor, label=label[:40]
        )
        matched += outcome.invoices
    return matched


def _match_run_size() -> int:
    """Invoices per matching run: as many as one statement may name (a matching run names
    its invoices twice in some statements). One run per import where possible: every further
    run would read the earlier runs' invoices as existing ones, a cost that grows with the
    square of the import."""
    if connection.vendor == "sqlite":
        import sqlite3

        try:
            limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        except (AttributeError, sqlite3.Error):  # Python < 3.11
            limit = 32_766
        return max(1_000, (limit - 16) // 2)
    return 30_000
