"""The fields of each kind of import file, and how headers are matched to them."""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _, gettext_lazy

from partnerdesk.core.errors import InvalidInput
from partnerdesk.finance.choices import ImportKind

EXTENSIONS = {".csv", ".txt", ".xlsx"}


# --- the columns of each kind of file ---------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """A column an import reads. ``head``: a field of the document (repeated on each of its
    rows) rather than of the line. ``kind``: text, code, date, int, qty, price, amount, rate,
    choice."""

    name: str
    label: str
    kind: str = "text"
    required: bool = False
    head: bool = False
    max_length: int = 0
    aliases: tuple[str, ...] = ()


_PARTNER = Field(
    "partner",
    gettext_lazy("Partner code"),
    "code",
    True,
    True,
    20,
    ("partner_code", "supplier", "supplier_code", "vendor", "vendor_code"),
)
_ORDER_REF = ("order", "po", "po_number", "po_no", "order_no", "purchase_order")

FIELDS: dict[str, tuple[Field, ...]] = {
    ImportKind.PURCHASE_ORDERS: (
        _PARTNER,
        Field(
            "order_number",
            gettext_lazy("Order number"),
            "code",
            True,
            True,
            40,
            (*_ORDER_REF, "number"),
        ),
        Field(
            "order_date",
            gettext_lazy("Order date (YYYY-MM-DD)"),
            "date",
            True,
            True,
            aliases=("po_date", "date", "ordered_on"),
        ),
        Field("currency", gettext_lazy("Currency"), "currency", True, True, 3, ("ccy", "cur")),
        Field(
            "match_mode",
            gettext_lazy("Match (2way, 3way, 4way)"),
            "choice",
            False,
            True,
            aliases=("match", "matching"),
        ),
        Field(
            "contract",
            gettext_lazy("Contract reference"),
            "code",
            False,
            True,
            30,
            ("contract_reference", "contract_ref"),
        ),
        Field("notes", gettext_lazy("Notes"), "text", False, True, 2000, ("note", "remarks")),
        Field(
            "line_no",
            gettext_lazy("Line number"),
            "int",
            aliases=("line", "line_number", "pos", "position", "item_no"),
        ),
        Field(
            "item",
            gettext_lazy("Item"),
            "text",
            True,
            max_length=80,
            aliases=("item_code", "article", "material", "part", "part_number", "sku"),
        ),
        Field("description", gettext_lazy("Description"), max_length=200, aliases=("desc", "text")),
        Field(
            "category",
            gettext_lazy("Category code"),
            "code",
            max_length=30,
            aliases=("category_code", "item_category"),
        ),
        Field(
            "quantity",
            gettext_lazy("Quantity"),
            "qty",
            True,
            aliases=("qty", "quantity_ordered", "ordered_quantity", "qty_ordered"),
        ),
        Field("unit", gettext_lazy("Unit"), max_length=12, aliases=("uom", "unit_of_measure")),
        Field(
            "unit_price",
            gettext_lazy("Unit price"),
            "price",
            True,
            aliases=("price", "net_price", "price_per_unit"),
        ),
        Field(
            "promised_date",
            gettext_lazy("Promised date (YYYY-MM-DD)"),
            "date",
            aliases=("promised", "delivery_date", "due", "due_date"),
        ),
    ),
    ImportKind.RECEIPTS: (
        _PARTNER,
        Field(
            "delivery_note",
            gettext_lazy("Delivery note"),
            "code",
            True,
            True,
            40,
            ("delivery_note_number", "dn", "dn_number", "receipt", "receipt_number", "number"),
        ),
        Field(
            "received_on",
            gettext_lazy("Received on (YYYY-MM-DD)"),
            "date",
            True,
            True,
            aliases=("received", "receipt_date", "received_date", "date"),
        ),
        Field("notes", gettext_lazy("Notes"), "text", False, True, 2000, ("note", "remarks")),
        Field(
            "line_no",
            gettext_lazy("Line number"),
            "int",
            aliases=("line", "line_number", "pos", "position"),
        ),
        Field(
            "order_number",
            gettext_lazy("Order number"),
            "code",
            True,
            max_length=40,
            aliases=_ORDER_REF,
        ),
        Field(
            "order_line",
            gettext_lazy("Order line"),
            "int",
            True,
            aliases=("po_line", "order_line_no", "order_line_number", "po_line_no"),
        ),
        Field(
            "quantity_received",
            gettext_lazy("Quantity received"),
            "qty",
            True,
            aliases=("received_quantity", "qty_received", "quantity", "qty"),
        ),
    ),
    ImportKind.INVOICES: (
        _PARTNER,
        Field(
            "kind",
            gettext_lazy("Kind (invoice, credit_note)"),
            "choice",
            False,
            True,
            aliases=("type", "document_type", "invoice_kind"),
        ),
        Field(
            "invoice_number",
            gettext_lazy("Invoice number"),
            "code",
            True,
            True,
            40,
            ("invoice", "invoice_no", "number", "document_number"),
        ),
        Field(
            "invoice_date",
            gettext_lazy("Invoice date (YYYY-MM-DD)"),
            "date",
            True,
            True,
            aliases=("date", "invoiced_on"),
        ),
        Field(
            "received_on",
            gettext_lazy("Received on (YYYY-MM-DD)"),
            "date",
            False,
            True,
            aliases=("received", "received_date"),
        ),
        Field(
            "due_date",
            gettext_lazy("Due date (YYYY-MM-DD)"),
            "date",
            True,
            True,
            aliases=("due", "payable_on"),
        ),
        Field("currency", gettext_lazy("Currency"), "currency", True, True, 3, ("ccy", "cur")),
        Field(
            "net_total",
            gettext_lazy("Net total"),
            "amount",
            True,
            True,
            aliases=("net", "total_net", "net_amount_total"),
        ),
        Field(
            "tax_total",
            gettext_lazy("Tax total"),
            "amount",
            True,
            True,
            aliases=("tax", "vat", "vat_total", "total_tax"),
        ),
        Field(
            "gross_total",
            gettext_lazy("Gross total"),
            "amount",
            True,
            True,
            aliases=("gross", "total", "total_gross"),
        ),
        Field(
            "tax_id",
            gettext_lazy("Tax id on the invoice"),
            "text",
            False,
            True,
            40,
            ("vat_id", "tax_number", "vat_number"),
        ),
        Field(
            "bank_account",
            gettext_lazy("Bank account on the invoice"),
            "text",
            False,
            True,
            60,
            ("iban", "account", "bank"),
        ),
        Field(
            "credits_invoice",
            gettext_lazy("Credited invoice number"),
            "code",
            False,
            True,
            40,
            ("credited_invoice", "original_invoice", "credits"),
        ),
        Field(
            "line_no",
            gettext_lazy("Line number"),
            "int",
            aliases=("line", "line_number", "pos", "position"),
        ),
        Field(
            "order_number",
            gettext_lazy("Order number"),
            "code",
            max_length=40,
            aliases=_ORDER_REF,
        ),
        Field(
            "order_line",
            gettext_lazy("Order line"),
            "int",
            aliases=("po_line", "order_line_no", "order_line_number", "po_line_no"),
        ),
        Field(
            "order_reference",
            gettext_lazy("Order reference as printed"),
            max_length=60,
            aliases=("po_reference", "reference"),
        ),
        Field("item", gettext_lazy("Item"), max_length=80, aliases=("item_code", "article", "sku")),
        Field("description", gettext_lazy("Description"), max_length=200, aliases=("desc", "text")),
        Field("quantity", gettext_lazy("Quantity"), "qty", True, aliases=("qty",)),
        Field(
            "unit_price",
            gettext_lazy("Unit price"),
            "price",
            True,
            aliases=("price", "net_price"),
        ),
        Field(
            "amount",
            gettext_lazy("Net amount"),
            "amount",
            True,
            aliases=("line_amount", "net_amount", "line_net"),
        ),
        Field("tax_rate", gettext_lazy("Tax rate %"), "rate", aliases=("vat_rate", "rate")),
        Field(
            "tax_amount",
            gettext_lazy("Tax amount"),
            "amount",
            aliases=("line_tax", "vat_amount", "tax_line"),
        ),
    ),
}


def fields_of(kind: str) -> tuple[Field, ...]:
    try:
        return FIELDS[kind]
    except KeyError:
        message = _("Choose what the file holds: %(kinds)s.") % {
            "kinds": ", ".join(ImportKind.values)
        }
        raise InvalidInput(message, fields={"kind": [message]}) from None


def field_names(kind: str) -> list[str]:
    return [f.name for f in fields_of(kind)]


# --- headers and mapping ----------------------------------------------------------------------


def normalise_header(header) -> str:
    text = str(header or "").strip().lower()
    text = re.sub(r"[^\w]+", "_", text)
    return text.strip("_")


def guess_mapping(kind: str, headers: list[str]) -> dict[str, str]:
    """Which header holds which field, as far as the names tell: the field's name first, then
    its translated label, then the usual synonyms. A header serves one field."""
    by_name: dict[str, str] = {}
    for header in headers:
        if header:
            by_name.setdefault(normalise_header(header), header)
    mapping, taken = {}, set()
    fields = fields_of(kind)
    for level in range(3):
        for f in fields:
            if f.name in mapping:
                continue
            names = (
                [f.name]
                if level == 0
                else [normalise_header(f.label)]
                if level == 1
                else [normalise_header(a) for a in f.aliases]
            )
            for name in names:
                header = by_name.get(name)
                if header is not None and header not in taken:
                    mapping[f.name] = header
                    taken.add(header)
                    break
    return mapping
