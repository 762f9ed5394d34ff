"""The purchase order importer."""

from django.utils.translation import gettext as _

from partnerdesk.finance.choices import (
    MatchMode,
    OrderStatus,
)
from partnerdesk.finance.models import (
    ItemCategory,
    PurchaseOrder,
    PurchaseOrderLine,
)
from partnerdesk.finance.services.imports.importer import _Importer
from partnerdesk.finance.services.imports.parsing import _as_decimal

# --- purchase orders --------------------------------------------------------------------------


class _OrderImport(_Importer):
    key_fields = ("order_number",)
    key_columns = ("number",)
    minimum = {"quantity": "positive"}
    model, line_model = PurchaseOrder, PurchaseOrderLine
    columns = [
        "created_at",
        "updated_at",
        "partner",
        "contract",
        "number",
        "order_date",
        "currency",
        "status",
        "match_mode",
        "notes",
    ]
    line_columns = [
        "order",
        "line_no",
        "item",
        "description",
        "category",
        "quantity",
        "unit",
        "unit_price",
        "promised_date",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = dict(ItemCategory.objects.values_list("code", "pk"))
        self.contracts: dict[str, tuple[int, int] | None] = {}

    def db_key(self, doc):
        return (doc.key[0],)

    def resolve_documents(self, docs) -> None:
        from partnerdesk.contracts.models import Contract

        refs = {d.head.get("contract") for d in docs} - set(self.contracts) - {None, ""}
        if refs:
            found = {
                ref: (pk, partner_id)
                for ref, pk, partner_id in Contract.objects.restrict(self.user)
                .filter(reference__in=refs)
                .values_list("reference", "pk", "partner_id")
            }
            for ref in refs:
                self.contracts[ref] = found.get(ref)
        existing = {
            o["number"]: o
            for o in PurchaseOrder.objects.filter(number__in={d.key[0] for d in docs}).values(
                "pk",
                "number",
                "partner_id",
                "contract__reference",
                "order_date",
                "currency",
                "match_mode",
                "notes",
            )
        }
        if existing:
            lines: dict[int, dict] = {}
            for line in PurchaseOrderLine.objects.filter(
                order_id__in=[o["pk"] for o in existing.values()]
            ).values(
                "order_id",
                "line_no",
                "item",
                "description",
                "category__code",
                "quantity",
                "unit",
                "unit_price",
                "promised_date",
            ):
                lines.setdefault(line["order_id"], {})[line["line_no"]] = line
            for order in existing.values():
                order["lines"] = lines.get(order["pk"], {})
        for doc in docs:
            order = existing.get(doc.key[0])
            head = doc.head
            if order is not None:
                doc.existing = order
                if order["partner_id"] != doc.partner_id:
                    self.fail(
                        doc.row,
                        "order_number",
                        _("Order number %(n)s is taken by an order of another partner.")
                        % {"n": doc.key[0]},
                        doc,
                    )
                    continue
                self.compare_head(
                    doc,
                    {
                        "order_date": (head.get("order_date"), order["order_date"]),
                        "currency": (head.get("currency"), order["currency"]),
                        "match_mode": (head.get("match_mode"), order["match_mode"]),
                        "contract": (head.get("contract"), order["contract__reference"] or ""),
                        "notes": (head.get("notes"), order["notes"]),
                    },
                )
                continue
            ref = head.get("contract")
            if ref:
                contract = self.contracts.get(ref)
                if contract is None or contract[1] != doc.partner_id:
                    self.fail(
                        doc.row,
                        "contract",
                        _("“%(ref)s” is not a contract of partner %(p)s.")
                        % {"ref": ref, "p": head["partner"]},
                        doc,
                    )

    def check(self, number, doc, values, failed):
        code = values.get("category") or ""
        category_id = None
        if code:
            category_id = self.categories.get(code)
            if category_id is None:
                self.fail(
                    number, "category", _("Unknown category “%(code)s”.") % {"code": code}, doc
                )
                failed = failed | {"category"}
        if doc.existing is not None:
            if doc.partner_id and not failed:
                self._compare(number, doc, values, code)
            return None
        if failed or not doc.partner_id:
            return None
        promised = values.get("promised_date")
        return (
            doc,
            values["line_no"],
            values["item"],
            values.get("description") or "",
            category_id,
            values["quantity"],
            values.get("unit") or "pcs",
            values["unit_price"],
            promised.isoformat() if promised else None,
        )

    def _compare(self, number, doc, values, code) -> None:
        line_no = values["line_no"]
        recorded = self.recorded_line(number, doc, line_no)
        if recorded is None:
            return
        self.compare_line(
            number,
            doc,
            line_no,
            {
                "item": (values.get("item"), recorded["item"]),
                "description": (values.get("description"), recorded["description"]),
                "category": (code, recorded["category__code"] or ""),
                "quantity": (_as_decimal(values.get("quantity")), recorded["quantity"]),
                "unit": (values.get("unit") or "pcs", recorded["unit"]),
                "unit_price": (_as_decimal(values.get("unit_price")), recorded["unit_price"]),
                "promised_date": (values.get("promised_date"), recorded["promised_date"]),
            },
        )

    def write(self, lines) -> None:
        stamp, contracts = self.stamp, self.contracts

        def header(d):
            head = d.head
            contract = contracts.get(head.get("contract") or "")
            return (
                stamp,
                stamp,
                d.partner_id,
                contract[0] if contract else None,
                d.key[0],
                head["order_date"].isoformat(),
                head["currency"],
                OrderStatus.OPEN,
                head.get("match_mode") or MatchMode.THREE_WAY,
                head.get("notes") or "",
            )

        self.write_documents(lines, header)

    def snapshot(self, doc):
        head = doc.head
        contract = self.contracts.get(head.get("contract") or "")
        return {
            "id": doc.pk,
            "partner": doc.partner_id,
            "contract": contract[0] if contract else None,
            "number": doc.key[0],
            "order_date": head["order_date"].isoformat(),
            "currency": head["currency"],
            "status": OrderStatus.OPEN.value,
            "match_mode": head.get("match_mode") or MatchMode.THREE_WAY.value,
            "notes": head.get("notes") or "",
        }
