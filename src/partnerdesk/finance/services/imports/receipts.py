"""The goods receipt importer, and the base of the importers whose lines refer to order lines."""

from django.utils.translation import gettext as _

from partnerdesk.finance.models import (
    GoodsReceipt,
    GoodsReceiptLine,
    PurchaseOrderLine,
)
from partnerdesk.finance.services.imports.common import _Doc, _ids_by_pairs, _plain_rows
from partnerdesk.finance.services.imports.importer import _Importer
from partnerdesk.finance.services.imports.parsing import _as_decimal

# --- shared by receipts and invoices: the order lines they name -------------------------------


class _WithOrders(_Importer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # order number -> (partner id, {line no: order line id}); None when unknown
        self.orders: dict[str, tuple[int, dict[int, int]] | None] = {}

    def resolve_lines(self, rows) -> None:
        numbers = {r[2].get("order_number") for r in rows} - set(self.orders) - {None, ""}
        if not numbers:
            return
        found: dict[str, tuple[int, dict[int, int]]] = {}
        for number, partner_id, line_no, pk in _plain_rows(
            PurchaseOrderLine.objects.restrict(self.user)
            .filter(order__number__in=numbers)
            .order_by()
            .values_list("order__number", "order__partner_id", "line_no", "pk")
        ):
            entry = found.get(number)
            if entry is None:
                entry = found[number] = (partner_id, {})
            entry[1][line_no] = pk
        for number in numbers:
            self.orders[number] = found.get(number)

    def order_line(self, number, doc, values, failed, *, required: bool):
        """(fine, order line id) of the row's order reference."""
        if "order_number" in failed or "order_line" in failed:
            return False, None
        order, line_no = values.get("order_number") or "", values.get("order_line")
        if not order and line_no is None:
            return not required, None
        if not order:
            self.fail(number, "order_number", _("Give the order number of the line."), doc)
            return False, None
        if line_no is None:
            self.fail(number, "order_line", _("Give the order's line number."), doc)
            return False, None
        entry = self.orders.get(order)
        if entry is None:
            self.fail(number, "order_number", _("Unknown order “%(n)s”.") % {"n": order}, doc)
            return False, None
        partner_id, lines = entry
        if doc.partner_id and partner_id != doc.partner_id:
            self.fail(
                number,
                "order_number",
                _("Order %(n)s is not an order of partner %(p)s.")
                % {"n": order, "p": doc.head["partner"]},
                doc,
            )
            return False, None
        pk = lines.get(line_no)
        if pk is None:
            self.fail(
                number,
                "order_line",
                _("Order %(n)s has no line %(l)s.") % {"n": order, "l": line_no},
                doc,
            )
            return False, None
        return True, pk


def _order_text(number, line_no) -> str:
    return f"{number}/{line_no}" if number else ""


# --- goods receipts ---------------------------------------------------------------------------


class _ReceiptImport(_WithOrders):
    key_fields = ("partner", "delivery_note")
    key_columns = ("partner_id", "number")
    minimum = {"quantity_received": "positive"}
    model, line_model = GoodsReceipt, GoodsReceiptLine
    columns = ["created_at", "updated_at", "partner", "number", "received_on", "notes"]
    line_columns = [
        "receipt",
        "line_no",
        "order_line",
        "quantity_received",
        "quantity_accepted",
        "quantity_rejected",
        "on_hold",
        "hold_reason",
    ]

    def db_key(self, doc):
        return (doc.partner_id, doc.key[1])

    def check_head(self, doc: _Doc) -> None:
        received = doc.head.get("received_on")
        if received and received > self.today:
            self.fail(doc.row, "received_on", _("A receipt cannot be in the future."), doc)

    def resolve_documents(self, docs) -> None:
        wanted = {(d.partner_id, d.key[1]): d for d in docs}
        existing = {
            (r["partner_id"], r["number"]): r
            for r in GoodsReceipt.objects.filter(
                pk__in=_ids_by_pairs(GoodsReceipt, "partner", "number", set(wanted))
            ).values("pk", "partner_id", "number", "received_on", "notes")
            if (r["partner_id"], r["number"]) in wanted
        }
        if not existing:
            return
        lines: dict[int, dict] = {}
        for line in GoodsReceiptLine.objects.filter(
            receipt_id__in=[r["pk"] for r in existing.values()]
        ).values(
            "receipt_id",
            "line_no",
            "order_line__order__number",
            "order_line__line_no",
            "quantity_received",
        ):
            lines.setdefault(line["receipt_id"], {})[line["line_no"]] = line
        for key, receipt in existing.items():
            receipt["lines"] = lines.get(receipt["pk"], {})
            doc = wanted[key]
            doc.existing = receipt
            self.compare_head(
                doc,
                {
                    "received_on": (doc.head.get("received_on"), receipt["received_on"]),
                    "notes": (doc.head.get("notes"), receipt["notes"]),
                },
            )

    def check(self, number, doc, values, failed):
        fine, order_line = self.order_line(number, doc, values, failed, required=True)
        if doc.existing is not None:
            if fine and not failed and doc.partner_id:
                line_no = values["line_no"]
                recorded = self.recorded_line(number, doc, line_no)
                if recorded is not None:
                    self.compare_line(
                        number,
                        doc,
                        line_no,
                        {
                            "order_number": (
                                _order_text(values["order_number"], values["order_line"]),
                                _order_text(
                                    recorded["order_line__order__number"],
                                    recorded["order_line__line_no"],
                                ),
                            ),
                            "quantity_received": (
                                _as_decimal(values.get("quantity_received")),
                                recorded["quantity_received"],
                            ),
                        },
                    )
            return None
        if failed or not fine or not doc.partner_id:
            return None
        return (
            doc,
            values["line_no"],
            order_line,
            values["quantity_received"],
            None,
            None,
            False,
            "",
        )

    def write(self, lines) -> None:
        stamp = self.stamp

        def header(d):
            return (
                stamp,
                stamp,
                d.partner_id,
                d.key[1],
                d.head["received_on"].isoformat(),
                d.head.get("notes") or "",
            )

        self.write_documents(lines, header)

    def snapshot(self, doc):
        return {
            "id": doc.pk,
            "partner": doc.partner_id,
            "number": doc.key[1],
            "received_on": doc.head["received_on"].isoformat(),
            "notes": doc.head.get("notes") or "",
        }
