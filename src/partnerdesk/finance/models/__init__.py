from partnerdesk.finance.models.controls import (
    ChecklistItem,
    ChecklistTemplate,
    DocumentReview,
    ReviewCheck,
    ToleranceProfile,
)
from partnerdesk.finance.models.documents import (
    GoodsReceipt,
    GoodsReceiptLine,
    ItemCategory,
    PurchaseOrder,
    PurchaseOrderLine,
    SupplierInvoice,
    SupplierInvoiceLine,
)
from partnerdesk.finance.models.matching import (
    AgendaItem,
    DocumentImport,
    InvoiceDeduction,
    MatchException,
    MatchRun,
    WeeklyReconciliation,
)

__all__ = [
    "AgendaItem",
    "ChecklistItem",
    "ChecklistTemplate",
    "DocumentImport",
    "DocumentReview",
    "GoodsReceipt",
    "GoodsReceiptLine",
    "InvoiceDeduction",
    "ItemCategory",
    "MatchException",
    "MatchRun",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "ReviewCheck",
    "SupplierInvoice",
    "SupplierInvoiceLine",
    "ToleranceProfile",
    "WeeklyReconciliation",
]
