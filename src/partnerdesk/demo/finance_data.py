"""Demo finance data: item categories, the partners' order lines, the discrepancies planted
in the order rounds and what finance did about each (read by ``demo/finance.py``).

Rounds are the four call-off orders of the quarter (0 = eleven weeks before last week's Monday,
3 = two weeks before). A twist is planted in the round's first invoice (``split_over``: in the
second, which bills a line of the first delivery again).
"""

from decimal import Decimal

CATEGORIES = [
    ("RESIN", "Virgin resin"),
    ("MOULDED", "Moulded parts"),
    ("PACKAGING", "Packaging"),
    ("REGRIND", "Regrind"),
    ("ELECTRONICS", "Electronics and assemblies"),
    ("TOOLING", "Moulds and tooling"),
    ("SERVICES", "Services and maintenance"),
]
# code, match mode, currency, VAT %, rounds ordered in,
# order lines: (item, description, category, unit, unit price, quantity)
PARTNERS = [
    ("CMO-SZP", "3way", "CNY", 13, (0, 1, 2, 3), [
        ("CVR-A210", "Water tank cover, PC, clear", "MOULDED", "pcs", "3.20", 2000),
        ("HSG-A200", "Coffee machine housing, PP, black", "MOULDED", "pcs", "6.85", 2000),
        ("CTN-A200", "Shipping carton, 5-ply, printed", "PACKAGING", "pcs", "4.60", 400),
    ]),
    ("CMO-DGH", "3way", "CNY", 13, (0, 1, 2, 3), [
        ("BZL-120", "Display bezel, PC/ABS", "MOULDED", "pcs", "2.48", 5000),
        ("KNB-110", "Control knob, ABS, chrome-plated", "MOULDED", "pcs", "1.15", 10000),
    ]),
    ("CMO-SUZ", "4way", "CNY", 13, (0, 1, 2, 3), [
        ("PCBA-C200", "Main control board assembly", "ELECTRONICS", "pcs", "48.50", 3000),
        ("HRN-C210", "Wire harness, 6-pin", "ELECTRONICS", "pcs", "7.90", 3000),
    ]),
    ("CMO-XMN", "3way", "CNY", 13, (0, 1, 2, 3), [
        ("BTL-750", "Water bottle 750 ml, PET, blow-moulded", "MOULDED", "pcs", "1.85", 12000),
        ("CAP-750", "Flip cap, PP", "MOULDED", "pcs", "0.42", 12000),
    ]),
    ("RG-GREENLOOP", "4way", "CNY", 13, (0, 1, 2, 3), [
        ("RG-PP-BLK", "PP regrind, black, washed and dried", "REGRIND", "kg", "7.20", 8000),
    ]),
    ("RES-SINO", "3way", "CNY", 13, (0, 1, 2, 3), [
        ("PP-K8003", "PP copolymer K8003", "RESIN", "kg", "9.85", 15000),
    ]),
    ("RES-COVE", "3way", "CNY", 13, (0, 1, 2, 3), [
        ("PC-2805", "Makrolon 2805 PC, natural", "RESIN", "kg", "24.60", 4000),
    ]),
    ("PKG-DOLPH", "3way", "CNY", 13, (0, 1, 2, 3), [
        ("CTN-S01", "Inner carton, printed", "PACKAGING", "pcs", "1.36", 10000),
        ("INS-S02", "Moulded pulp insert", "PACKAGING", "pcs", "0.95", 10000),
    ]),
    ("CMO-PENANG", "3way", "USD", 0, (1, 2), [
        ("ASSY-C200", "Final assembly, C-200 coffee machine", "ELECTRONICS", "pcs", "12.40",
         1500),
    ]),
    ("SVC-MAINT", "2way", "CNY", 6, (0, 1, 2, 3), [
        ("SVC-HYD-PM", "Preventive maintenance, hydraulic presses", "SERVICES", "visit",
         "3800", 2),
    ]),
    ("TOOL-KYOTO", "2way", "JPY", 0, (0,), [
        ("MLD-A200", "Injection mould, housing A200, 2 cavities", "TOOLING", "set", "4850000", 1),
    ]),
]  # fmt: skip
QTY_FACTORS = (Decimal(1), Decimal("0.9"), Decimal("1.1"), Decimal(1))  # per round
TAX_IDS = {"CMO-PENANG": "MY-C2019-0183746", "TOOL-KYOTO": "T5130001028457"}
PRICE_FACTORS = {
    "price_up": Decimal("1.04"),
    "price_down": Decimal("0.97"),
    "big_price": Decimal("1.06"),
    "currency": Decimal("7.18"),  # USD order billed in CNY
}
# (partner, round) → the discrepancy planted in that round
TWISTS = {
    ("CMO-DGH", 1): "price_up",
    ("CMO-SZP", 1): "split_over",
    ("CMO-XMN", 1): "qty_over",
    ("CMO-SUZ", 1): "big_price",
    ("RES-SINO", 1): "tax",
    ("CMO-SUZ", 2): "big_price",
    ("RES-SINO", 2): "price_down",
    ("CMO-DGH", 2): "arithmetic",
    ("CMO-SZP", 2): "exact_dup",
    ("CMO-XMN", 2): "price_up",
    ("CMO-PENANG", 2): "currency",
    ("CMO-SUZ", 3): "likely_dup",
    ("RES-COVE", 3): "missing_receipt",
    ("PKG-DOLPH", 3): "missing_po",
    ("CMO-XMN", 3): "hold",
    ("RG-GREENLOOP", 3): "awaiting",
}
# Some 3-way orders are delivered in two parts (see ``_round``) unless a twist says otherwise.
PARTIAL = {"split_over": True, "qty_over": False, "hold": False, "missing_receipt": False}
MAIN_TYPE = {
    "price_up": "price_variance",
    "price_down": "price_variance",
    "big_price": "price_variance",
    "split_over": "over_billing",
    "qty_over": "quantity_variance",
    "tax": "tax_mismatch",
    "arithmetic": "arithmetic",
    "exact_dup": "duplicate",
    "likely_dup": "duplicate",
    "currency": "currency",
    "missing_receipt": "missing_receipt",
    "missing_po": "missing_po",
    "hold": "quality_hold",
    "awaiting": "awaiting_inspection",
}
# (partner, round) → (action, user, reason code, justification). The other exceptions of the
# invoice follow the main one (accepted alike, or accepted as covered by its resolution).
ACTIONS = {
    ("CMO-DGH", 1): ("assign", "wang.fang", "price_change", ""),
    ("CMO-SZP", 1): (
        "credit_received",
        None,
        "supplier_error",
        "The second invoice billed the covers of the first delivery again; credit note asked.",
    ),
    ("CMO-XMN", 1): (
        "credit",
        None,
        "supplier_error",
        "Billed 10 % more bottles than were delivered; the partner issues a credit note.",
    ),
    ("CMO-SUZ", 1): (
        "approve",
        "liu.yang",
        "price_change",
        "Copper surcharge agreed by purchasing on the supplier call; the PO change follows.",
    ),
    ("RES-SINO", 1): (
        "correct",
        "li.na",
        "data_entry",
        "VAT keyed at the old 16 % rate; corrected to 13 % with the partner.",
    ),
    ("CMO-SUZ", 2): (
        "accept",
        None,
        "price_change",
        "Component shortage surcharge, quoted in writing; needs a second approval.",
    ),
    ("RES-SINO", 2): (
        "accept",
        None,
        "price_change",
        "The index-linked resin price fell; the lower price is accepted.",
    ),
    ("CMO-DGH", 2): (
        "correct",
        "wang.fang",
        "data_entry",
        "A line amount carried an extra 1,000; the partner confirmed the correct figures.",
    ),
    ("CMO-SZP", 2): (
        "reject",
        None,
        "duplicate",
        "The same invoice sent again under a reformatted number.",
    ),
    ("CMO-PENANG", 2): ("assign", "li.na", "supplier_error", ""),
    ("CMO-SUZ", 3): ("assign", "li.na", "duplicate", ""),
    ("RES-COVE", 3): ("assign", "wang.fang", "receipt_not_posted", ""),
    ("PKG-DOLPH", 3): ("assign", "wang.fang", "data_entry", ""),
    ("CMO-XMN", 3): ("assign", "zhang.wei", "quality", ""),
    ("RG-GREENLOOP", 3): ("assign", "zhang.wei", "quality", ""),
}
# The bank account changes with that round's first invoice: True = a second reviewer confirmed.
BANK_CHANGES = {("CMO-DGH", 1): True, ("RES-COVE", 1): False}
REJECTS = {("RG-GREENLOOP", 1)}  # inspection rejects 2 % of these deliveries
RELEASED = 5  # clean invoices of the first round released for payment
DEDUCT_FROM = ["CMO-SZP", "CMO-XMN", "CMO-SUZ", "CMO-DGH", "RG-GREENLOOP"]
# Tolerance profiles beside the company default (shipped by migration): (partner, category, limits)
PROFILES = [
    (None, "RESIN", {
        "name": "Resin: index-linked prices, weighed deliveries",
        "price_percent": Decimal(1), "quantity_percent": Decimal("0.5"),
        "amount_percent": Decimal("0.5"), "combine": "or",
    }),
    ("RG-GREENLOOP", None, {
        "name": "Greenloop: weighbridge allowance",
        "price_absolute": Decimal("0.05"), "quantity_percent": Decimal(2),
        "amount_percent": Decimal(2), "combine": "or",
    }),
]  # fmt: skip
