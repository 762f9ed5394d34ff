"""Choices of the finance module: document kinds and states, match modes, exception types,
severities and resolutions, checklist outcomes."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class MatchMode(models.TextChoices):
    TWO_WAY = "2way", _("2-way (order and invoice)")
    THREE_WAY = "3way", _("3-way (+ goods receipt)")
    FOUR_WAY = "4way", _("4-way (+ quantity accepted by inspection)")


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")


class InvoiceStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    RELEASED = "released", _("Released for payment")
    REJECTED = "rejected", _("Rejected")


class PaymentStatus(models.TextChoices):
    UNCHECKED = "unchecked", _("Not matched yet")
    READY = "ready", _("Ready")
    WARNED = "warned", _("Ready with warnings")
    BLOCKED = "blocked", _("Blocked")


class Combine(models.TextChoices):
    AND = "and", _("Both limits (AND)")
    OR = "or", _("Either limit (OR)")


class ExceptionType(models.TextChoices):
    PRICE_VARIANCE = "price_variance", _("Price variance")
    QUANTITY_VARIANCE = "quantity_variance", _("Quantity variance")
    AMOUNT_VARIANCE = "amount_variance", _("Amount variance")
    MISSING_RECEIPT = "missing_receipt", _("Missing receipt")
    MISSING_PO = "missing_po", _("Missing purchase order")
    DUPLICATE = "duplicate", _("Duplicate invoice")
    OVER_BILLING = "over_billing", _("Over-billing")
    TAX_MISMATCH = "tax_mismatch", _("Tax mismatch")
    ARITHMETIC = "arithmetic", _("Arithmetic error")
    QUALITY_HOLD = "quality_hold", _("Quality hold")
    AWAITING_INSPECTION = "awaiting_inspection", _("Awaiting inspection")
    CURRENCY = "currency", _("Currency differs from the order")


class Severity(models.TextChoices):
    BLOCK = "block", _("Blocks payment")
    WARN = "warn", _("Warning")


class ExceptionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    AWAITING_APPROVAL = "approval", _("Awaiting second approval")
    AWAITING_CREDIT = "credit", _("Credit note requested")
    RESOLVED = "resolved", _("Resolved")


class Resolution(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted with justification")
    CREDIT_NOTE = "credit_note", _("Credit note requested")
    REJECTED = "rejected", _("Invoice rejected")
    CORRECTED = "corrected", _("Data corrected")
    CLEARED = "cleared", _("Cleared by a later match")


class ReasonCode(models.TextChoices):
    PRICE_CHANGE = "price_change", _("Agreed price change not on the order")
    PARTIAL_DELIVERY = "partial_delivery", _("Partial delivery")
    RECEIPT_NOT_POSTED = "receipt_not_posted", _("Receipt not posted yet")
    SUPPLIER_ERROR = "supplier_error", _("Supplier billing error")
    DATA_ENTRY = "data_entry", _("Data entry error")
    DUPLICATE_SUBMISSION = "duplicate", _("Invoice submitted twice")
    FREIGHT = "freight", _("Freight or surcharge")
    QUALITY = "quality", _("Quality problem")
    OTHER = "other", _("Other")


class DocumentType(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    DELIVERY_NOTE = "delivery_note", _("Delivery note")
    CREDIT_NOTE = "credit_note", _("Credit note")
    CONTRACT = "contract", _("Contract")


class AutoCheck(models.TextChoices):
    """Checklist items the system answers itself."""

    NONE = "", _("Ticked by a reviewer")
    PO_OPEN = "po_open", _("Order number present and the order open")
    TAX_ID = "tax_id", _("Tax id matches the partner")
    BANK_ACCOUNT = "bank_account", _("Bank account unchanged since the last invoice")
    ARITHMETIC = "arithmetic", _("Lines and totals add up")
    RECEIPT_PO = "receipt_po", _("Every line refers to an order line of the partner")
    CREDIT_REFERENCE = "credit_reference", _("Credit note refers to an invoice of the partner")
    CONTRACT_ACTIVE = "contract_active", _("Contract is active")


class CheckOutcome(models.TextChoices):
    PENDING = "pending", _("Not checked")
    PASSED = "passed", _("Passed")
    WARNING = "warning", _("Warning")
    FAILED = "failed", _("Failed")
    NOT_APPLICABLE = "na", _("Not applicable")


class ReviewStatus(models.TextChoices):
    OPEN = "open", _("Open")
    COMPLETE = "complete", _("Complete")


class ImportKind(models.TextChoices):
    PURCHASE_ORDERS = "purchase_orders", _("Purchase order lines")
    RECEIPTS = "receipts", _("Goods receipt lines")
    INVOICES = "invoices", _("Invoice lines")


class AgendaStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
