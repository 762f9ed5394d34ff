"""The standard document review checklists shipped with Partnerdesk (version 1 of each).
Loaded by a data migration; administrators and finance make new versions from there."""

from django.utils.translation import gettext_noop as N_

# document type → (name, [(item text, automatic check code or "")])
DEFAULT_TEMPLATES = {
    "invoice": (
        N_("Supplier invoice review"),
        [
            (N_("Order number present and the order open"), "po_open"),
            (N_("Tax id matches the partner"), "tax_id"),
            (N_("Bank account unchanged since the last invoice"), "bank_account"),
            (N_("Lines, tax and totals add up"), "arithmetic"),
            (N_("Invoice addressed to our legal entity"), ""),
            (N_("Payment terms as agreed in the contract"), ""),
            (N_("Original or authorised electronic invoice (fapiao) received"), ""),
        ],
    ),
    "credit_note": (
        N_("Credit note review"),
        [
            (N_("Credit note refers to an invoice of the partner"), "credit_reference"),
            (N_("Tax id matches the partner"), "tax_id"),
            (N_("Lines, tax and totals add up"), "arithmetic"),
            (N_("Reason for the credit stated"), ""),
        ],
    ),
    "delivery_note": (
        N_("Delivery note review"),
        [
            (N_("Every line refers to an order line of the partner"), "receipt_po"),
            (N_("Quantities counted at the dock"), ""),
            (N_("Packaging and labels intact"), ""),
            (N_("Certificate of analysis or conformity attached where required"), ""),
        ],
    ),
    "contract": (
        N_("Contract review"),
        [
            (N_("Contract is active"), "contract_active"),
            (N_("Signed by authorised signatories on both sides"), ""),
            (N_("Service levels and credits match the negotiated terms"), ""),
            (N_("Dispute resolution and termination clauses present"), ""),
        ],
    ),
}
