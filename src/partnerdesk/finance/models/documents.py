"""Purchasing documents: orders and their lines, goods receipts, supplier invoices and credit
notes. Quantities have three decimals, unit prices four, amounts two."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerdesk.core.currencies import CURRENCY_CHOICES
from partnerdesk.core.models import TimeStampedModel
from partnerdesk.core.permissions import RestrictedManager
from partnerdesk.finance.choices import (
    InvoiceKind,
    InvoiceStatus,
    MatchMode,
    OrderStatus,
    PaymentStatus,
)


def quantity_field(label, **kwargs):
    return models.DecimalField(label, max_digits=16, decimal_places=3, **kwargs)


def price_field(label, **kwargs):
    return models.DecimalField(label, max_digits=16, decimal_places=4, **kwargs)


def amount_field(label, **kwargs):
    return models.DecimalField(label, max_digits=16, decimal_places=2, **kwargs)


class ItemCategory(models.Model):
    """A family of purchased items (resin, moulded parts, packaging…); tolerance profiles can
    be set per category."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=120)

    objects = RestrictedManager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("item category")
        verbose_name_plural = _("item categories")

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class PurchaseOrder(TimeStampedModel):
    """An order placed with a partner. ``match_mode`` says how its invoices are matched."""

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="purchase_orders"
    )
    contract = models.ForeignKey(
        "contracts.Contract",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="purchase_orders",
    )
    number = models.CharField(_("order number"), max_length=40, unique=True)
    order_date = models.DateField(_("order date"))
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    status = models.CharField(
        _("status"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.OPEN
    )
    match_mode = models.CharField(
        _("match"), max_length=5, choices=MatchMode.choices, default=MatchMode.THREE_WAY
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = RestrictedManager()
    partner_path = "partner"

    class Meta:
        ordering = ["-order_date", "-number"]
        verbose_name = _("purchase order")
        indexes = [models.Index(fields=["partner", "order_date"], name="finance_po_partner_idx")]

    def __str__(self) -> str:
        return self.number


class PurchaseOrderLine(models.Model):
    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveIntegerField(_("line"))
    item = models.CharField(_("item"), max_length=80)
    description = models.CharField(_("description"), max_length=200, blank=True)
    category = models.ForeignKey(
        ItemCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="order_lines",
        verbose_name=_("category"),
    )
    quantity = quantity_field(_("quantity ordered"))
    unit = models.CharField(_("unit"), max_length=12, default="pcs")
    unit_price = price_field(_("unit price"))
    promised_date = models.DateField(_("promised date"), null=True, blank=True)

    objects = RestrictedManager()
    partner_path = "order__partner"

    class Meta:
        ordering = ["order", "line_no"]
        verbose_name = _("order line")
        constraints = [
            models.UniqueConstraint(fields=["order", "line_no"], name="finance_poline_uniq"),
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="finance_poline_qty_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(unit_price__gte=0), name="finance_poline_price_nonneg"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.line_no} {self.item}"


class GoodsReceipt(TimeStampedModel):
    """A delivery received from a partner (the delivery note), with its lines."""

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="goods_receipts"
    )
    number = models.CharField(_("delivery note"), max_length=40)
    received_on = models.DateField(_("received on"))
    notes = models.TextField(_("notes"), blank=True)

    objects = RestrictedManager()
    partner_path = "partner"

    class Meta:
        ordering = ["-received_on", "-number"]
        verbose_name = _("goods receipt")
        constraints = [
            models.UniqueConstraint(fields=["partner", "number"], name="finance_receipt_uniq")
        ]

    def __str__(self) -> str:
        return self.number


class GoodsReceiptLine(models.Model):
    """Quantity received against an order line; inspection later sets the accepted and
    rejected quantities, and may put the line on quality hold."""

    receipt = models.ForeignKey(GoodsReceipt, on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveIntegerField(_("line"))
    order_line = models.ForeignKey(
        PurchaseOrderLine, on_delete=models.PROTECT, related_name="receipt_lines"
    )
    quantity_received = quantity_field(_("quantity received"))
    quantity_accepted = quantity_field(_("quantity accepted"), null=True, blank=True)
    quantity_rejected = quantity_field(_("quantity rejected"), null=True, blank=True)
    on_hold = models.BooleanField(_("quality hold"), default=False)
    hold_reason = models.CharField(_("hold reason"), max_length=200, blank=True)

    objects = RestrictedManager()
    partner_path = "receipt__partner"

    class Meta:
        ordering = ["receipt", "line_no"]
        verbose_name = _("receipt line")
        constraints = [
            models.UniqueConstraint(fields=["receipt", "line_no"], name="finance_rcptline_uniq"),
            models.CheckConstraint(
                condition=models.Q(quantity_received__gt=0), name="finance_rcptline_qty_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_id}/{self.line_no}"


class SupplierInvoice(TimeStampedModel):
    """An invoice or credit note as the partner sent it. Amounts are never edited after entry;
    a wrong document is rejected and entered anew, or corrected by a credit note.

    ``number_key`` is the number without punctuation, spaces and leading zeros (upper case), so
    that likely duplicates are found. ``payment_status`` sums up the open exceptions and the
    review (``finance.selectors.payment_reasons`` lists every reason)."""

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="supplier_invoices"
    )
    kind = models.CharField(
        _("kind"), max_length=12, choices=InvoiceKind.choices, default=InvoiceKind.INVOICE
    )
    number = models.CharField(_("invoice number"), max_length=40)
    number_key = models.CharField(max_length=40, editable=False, db_index=True)
    invoice_date = models.DateField(_("invoice date"))
    received_on = models.DateField(_("received on"))
    due_date = models.DateField(_("due date"))
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    net_total = amount_field(_("net total"))
    tax_total = amount_field(_("tax total"))
    gross_total = amount_field(_("gross total"))
    tax_id = models.CharField(_("tax id on the invoice"), max_length=40, blank=True)
    bank_account = models.CharField(_("bank account on the invoice"), max_length=60, blank=True)
    credits_invoice = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
        verbose_name=_("credits invoice"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.RECEIVED
    )
    payment_status = models.CharField(
        _("payment status"),
        max_length=10,
        choices=PaymentStatus.choices,
        default=PaymentStatus.UNCHECKED,
    )
    matched_at = models.DateTimeField(_("matched at"), null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rejection_reason = models.CharField(_("rejection reason"), max_length=300, blank=True)

    objects = RestrictedManager()
    partner_path = "partner"

    class Meta:
        ordering = ["-invoice_date", "-number"]
        verbose_name = _("supplier invoice")
        permissions = [("release_supplierinvoice", "Can release invoices for payment")]
        indexes = [
            models.Index(fields=["partner", "number_key"], name="finance_inv_number_idx"),
            models.Index(fields=["invoice_date"], name="finance_inv_date_idx"),
        ]

    def __str__(self) -> str:
        return self.number


class SupplierInvoiceLine(models.Model):
    invoice = models.ForeignKey(SupplierInvoice, on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveIntegerField(_("line"))
    order_line = models.ForeignKey(
        PurchaseOrderLine,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoice_lines",
        verbose_name=_("order line"),
    )
    order_reference = models.CharField(
        _("order reference on the invoice"), max_length=60, blank=True
    )
    item = models.CharField(_("item"), max_length=80, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    quantity = quantity_field(_("quantity"))
    unit_price = price_field(_("unit price"))
    amount = amount_field(_("net amount"))
    tax_rate = models.DecimalField(
        _("tax rate %"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    tax_amount = amount_field(_("tax"), default=0)

    objects = RestrictedManager()
    partner_path = "invoice__partner"

    class Meta:
        ordering = ["invoice", "line_no"]
        verbose_name = _("invoice line")
        constraints = [
            models.UniqueConstraint(fields=["invoice", "line_no"], name="finance_invline_uniq"),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=0), name="finance_invline_qty_nonneg"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id}/{self.line_no}"
