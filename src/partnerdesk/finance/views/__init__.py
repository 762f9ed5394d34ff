"""Finance pages: purchase orders, goods receipts, invoices and credit notes, the exception
queue, the weekly reconciliation and the tolerance profiles. One module per area."""
