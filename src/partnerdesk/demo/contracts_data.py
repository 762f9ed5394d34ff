"""Demo contracts, service levels, deliverables and the scorecard policy.

Months are counted back from the last complete month: index 11 is the last complete month,
index 0 the month eleven before it. A partner's quality ``q`` (0-1) in a month turns into each
metric's value on the same scale the scorecard uses (``VALUE_RANGES``: q 0 → worst, 1 → best).
"""

from decimal import Decimal

MONTHS = 12

# Metric code → (value at q=0, value at q=1). The scorecard normalises on the same ranges, so a
# quality of 0.9 scores about 90.
VALUE_RANGES = {
    "on_time_delivery": (Decimal(80), Decimal(100)),
    "lot_acceptance": (Decimal(80), Decimal(100)),
    "ppm_defective": (Decimal(3000), Decimal(0)),
    "invoice_accuracy": (Decimal(80), Decimal(100)),
    "budget_adherence": (Decimal(80), Decimal(100)),
    "customer_quality_index": (Decimal(50), Decimal(100)),
    "quality_response_time": (Decimal(96), Decimal(0)),
    "regrind_within_tolerance": (Decimal(80), Decimal(100)),
    "milestone_on_time": (Decimal(50), Decimal(100)),
}
# Ratio metrics: how many items a month's value counts (deliveries, lots, invoices).
DENOMINATORS = {
    "on_time_delivery": (480, 620),
    "lot_acceptance": (150, 220),
    "invoice_accuracy": (60, 90),
    "regrind_within_tolerance": (120, 180),
}
EVIDENCE = {
    "on_time_delivery": "ERP delivery performance report {period}",
    "lot_acceptance": "Incoming inspection lot log {period}",
    "ppm_defective": "IQC defect summary {period}",
    "invoice_accuracy": "AP invoice match report {period}",
    "budget_adherence": "Cost-centre budget report {period}",
    "customer_quality_index": "Customer survey {period}",
    "quality_response_time": "8D tracker {period}",
    "regrind_within_tolerance": "Regrind ratio SPC sheet {period}",
}

# Good months cycle through these qualities: up, down, up, down — never two declines in a row.
GOOD_PATTERN = (Decimal("0.865"), Decimal("0.935"), Decimal("0.90"), Decimal("0.965"))
# The partner that slides into the blocking standing: quality of the last four months.
SLIDE = {8: Decimal("0.62"), 9: Decimal("0.45"), 10: Decimal("0.30"), 11: Decimal("0.15")}


def _tiers(*rows):
    return [{"threshold": str(t), "percent_of_fee": str(p)} for t, p in rows]


# Cloud-style credit tables adapted to each metric ("below 95 %: 5 % of the fee" …).
TERMS = {
    "on_time_delivery": {
        "target": Decimal(95),
        "credit_model": "tiered",
        "tiers": _tiers((95, 5), (92, 10), (85, 25)),
    },
    "lot_acceptance": {
        "target": Decimal(96),
        "credit_model": "tiered",
        "tiers": _tiers((96, 5), (93, 15), (88, 30)),
    },
    "ppm_defective": {
        "target": Decimal(800),
        "credit_model": "tiered",
        "tiers": _tiers((800, 5), (1500, 15), (2500, 30)),
    },
    "invoice_accuracy": {
        "target": Decimal(97),
        "credit_model": "tiered",
        "tiers": _tiers((97, 2), (94, 5), (90, 10)),
    },
    "regrind_within_tolerance": {
        "target": Decimal(95),
        "credit_model": "tiered",
        "tiers": _tiers((95, 5), (90, 10), (85, 20)),
    },
    "budget_adherence": {
        "target": Decimal(95),
        "credit_model": "per_point",
        "percent_per_point": Decimal(1),
    },
    "quality_response_time": {
        "target": Decimal(24),
        "credit_model": "fixed_percent",
        "fixed_percent": Decimal(2),
    },
    "customer_quality_index": {"target": Decimal(85), "credit_model": "tiered", "tiers": []},
    "milestone_on_time": {"target": Decimal(90), "credit_model": "tiered", "tiers": []},
}

# Service level: (metric code, name, pool allocation % or None for a KPI, earn-back periods).
# Contract "kind": "running" (started 14 months ago), "expiring" (ends within 60 days) or
# "draft" (starts next month). "breaches": {(metric, month index): quality}.
CONTRACTS = [
    {
        "reference": "CT-2025-001",
        "partner": "CMO-SZP",
        "kind": "running",
        "title": "Injection moulding of appliance housings",
        "scope": "Moulding, pad printing and packing of the K-series kettle housings and lids.",
        "objectives": "Secure capacity for 1.2 million housings a year at PPAP quality.",
        "fee": Decimal("850000.00"),
        "levels": [
            ("on_time_delivery", "On-time delivery", 40, 2),
            ("lot_acceptance", "Lot acceptance", 30, 0),
            ("ppm_defective", "Defects (ppm)", 20, 0),
            ("quality_response_time", "8D first answer", 10, 0),
            ("milestone_on_time", "Reports and milestones on time", None, 0),
        ],
        "breaches": {("ppm_defective", 3): Decimal("0.45")},
        "late": {2},
    },
    {
        "reference": "CT-2025-002",
        "partner": "CMO-DGH",
        "kind": "running",
        "title": "Moulding of blender jars and bases",
        "scope": "Two-shot moulding of blender bases, jars in Tritan, assembly of seals.",
        "objectives": "Second source for the blender line; reach 96 % lot acceptance in year one.",
        "fee": Decimal("420000.00"),
        "levels": [
            ("on_time_delivery", "On-time delivery", 50, 2),
            ("lot_acceptance", "Lot acceptance", 30, 0),
            ("ppm_defective", "Defects (ppm)", 20, 0),
            ("milestone_on_time", "Reports and milestones on time", None, 0),
        ],
        # A late month, earned back by the two met months after it.
        "breaches": {("on_time_delivery", 6): Decimal("0.62")},
        "late": set(),
    },
    {
        "reference": "CT-2025-003",
        "partner": "CMO-SUZ",
        "kind": "running",
        "title": "PCBA and final assembly of controller boards",
        "scope": "SMT, wave soldering, ICT and functional test of the CB-7 controller boards.",
        "objectives": "Cut board cost by 8 % while holding field returns under 300 ppm.",
        "fee": Decimal("1200000.00"),
        "levels": [
            ("on_time_delivery", "On-time delivery", 40, 0),
            ("lot_acceptance", "Lot acceptance", 40, 2),
            ("customer_quality_index", "Customer quality index", None, 0),
            ("milestone_on_time", "Reports and milestones on time", None, 0),
        ],
        # A breach with earn-back terms followed by another breach: the first credit is final.
        "breaches": {
            ("lot_acceptance", 4): Decimal("0.70"),
            ("lot_acceptance", 5): Decimal("0.78"),
        },
        "late": {9},
    },
    {
        "reference": "CT-2025-004",
        "partner": "CMO-XMN",
        "kind": "running",
        "title": "Household storage boxes and lids",
        "scope": "Moulding and packing of PP storage boxes in four sizes with clip lids.",
        "objectives": "Serve the retail promotion season without air freight.",
        "fee": Decimal("300000.00"),
        "levels": [
            ("on_time_delivery", "On-time delivery", 40, 0),
            ("lot_acceptance", "Lot acceptance", 30, 0),
            ("ppm_defective", "Defects (ppm)", 30, 0),
            ("quality_response_time", "8D first answer", None, 0),
            ("milestone_on_time", "Reports and milestones on time", None, 0),
        ],
        "breaches": {},
        "slide": True,
        "late": {8, 9, 10, 11},
    },
    {
        "reference": "CT-2025-005",
        "partner": "RG-GREENLOOP",
        "kind": "running",
        "title": "Regrind supply and in-house regrind processing",
        "scope": "Take-back of sprues and rejects, grinding, drying and return as certified "
        "regrind within the agreed ratio.",
        "objectives": "Reach 25 % recycled content in housings without cosmetic defects.",
        "fee": Decimal("180000.00"),
        "levels": [
            ("regrind_within_tolerance", "Regrind ratio within tolerance", 50, 2),
            ("lot_acceptance", "Lot acceptance", 30, 0),
            ("on_time_delivery", "On-time delivery", 20, 0),
        ],
        # Out of tolerance in month 9, back within it for months 10 and 11: earned back.
        "breaches": {("regrind_within_tolerance", 9): Decimal("0.55")},
        "late": set(),
    },
    {
        "reference": "CT-2025-006",
        "partner": "RES-SINO",
        "kind": "running",
        "title": "PP and ABS resin supply agreement",
        "scope": "Call-off supply of PP K8003 and ABS 0215A with consignment stock.",
        "objectives": "Price indexed to the monthly naphtha average; no line stop for resin.",
        "fee": Decimal("600000.00"),
        "levels": [
            ("on_time_delivery", "On-time delivery", 60, 0),
            ("lot_acceptance", "Lot acceptance", 40, 0),
            ("invoice_accuracy", "Invoice accuracy", None, 0),
        ],
        # A typhoon month: late, but excused by an approved exclusion.
        "breaches": {("on_time_delivery", 3): Decimal("0.40")},
        "exclusions": {
            ("on_time_delivery", 3): "Typhoon closed Nansha port for five days (force majeure, "
            "clause 14.2)."
        },
        "late": set(),
    },
    {
        "reference": "CT-2024-007",
        "partner": "LOG-SFX",
        "kind": "expiring",
        "title": "Inbound milk-run and finished goods distribution",
        "scope": "Daily milk-run from moulders to the plant, finished goods to three DCs.",
        "objectives": "Keep inbound stock under three days with 98 % on-time pick-ups.",
        "fee": Decimal("150000.00"),
        "levels": [
            ("on_time_delivery", "On-time pick-up", 70, 0),
            ("invoice_accuracy", "Invoice accuracy", 30, 0),
            ("quality_response_time", "Damage claim first answer", None, 0),
        ],
        "breaches": {("invoice_accuracy", 7): Decimal("0.72")},
        "late": set(),
    },
    {
        "reference": "CT-2025-008",
        "partner": "SVC-MAINT",
        "kind": "running",
        "title": "Preventive maintenance of moulding machines",
        "scope": "Preventive maintenance of 42 injection moulding machines, breakdown response.",
        "objectives": "Machine availability above 97 % within the agreed budget.",
        "fee": Decimal("60000.00"),
        "levels": [
            ("budget_adherence", "Budget adherence", 40, 0),
            ("quality_response_time", "Breakdown first response", 60, 0),
            ("milestone_on_time", "Maintenance plan milestones", None, 0),
        ],
        "breaches": {("budget_adherence", 10): Decimal("0.70")},
        "late": {5},
    },
    {
        "reference": "CT-2026-009",
        "partner": "CMO-PENANG",
        "kind": "draft",
        "title": "Moulding and assembly of export coffee machines",
        "scope": "Moulding and final assembly of the C-200 coffee machine for EU export.",
        "objectives": "A second region for the EU market, tariff-neutral.",
        "fee": Decimal("95000.00"),
        "levels": [
            ("on_time_delivery", "On-time delivery", 40, 2),
            ("lot_acceptance", "Lot acceptance", 30, 0),
            ("ppm_defective", "Defects (ppm)", 30, 0),
        ],
        "breaches": {},
        "late": set(),
    },
]

# One-off milestones per contract (besides the monthly report): (name, month offset from the
# last complete month, days late or None for still open).
MILESTONES = [
    ("Capacity and tooling review", -7, 0),
    ("Annual business review", 2, None),
]

RACI = [
    # activity, [(party, letter)] where a party is ("team", name) or ("contact", role)
    (
        "Production and delivery planning",
        [
            (("team", "Purchasing"), "A"),
            (("contact", "account_manager"), "R"),
            (("team", "Supplier development"), "C"),
        ],
    ),
    (
        "Incoming quality inspection",
        [
            (("team", "Incoming inspection"), "R"),
            (("team", "Supplier quality"), "A"),
            (("contact", "quality"), "I"),
        ],
    ),
    (
        "Corrective actions (8D)",
        [
            (("contact", "quality"), "R"),
            (("team", "Supplier quality"), "A"),
            (("team", "Supplier development"), "I"),
        ],
    ),
    (
        "Invoice reconciliation and service credits",
        [
            (("team", "Accounts payable"), "R"),
            (("team", "Controlling"), "A"),
            (("contact", "finance"), "C"),
        ],
    ),
]

# Dispute ladder: (name, response hours, our people, partner contact roles).
DISPUTE_LADDER = [
    ("Account managers", 48, ["Wang Fang"], ["account_manager"]),
    ("Heads of quality and supply", 120, ["Zhang Wei", "Sun Hao"], ["quality", "escalation_2"]),
    ("Executive sponsors", 240, ["Liu Yang"], ["escalation_2"]),
]

POLICY = {
    "name": "Partner scorecard",
    "decay": Decimal("0.8"),
    "window": 6,
    "criteria": [
        ("on_time_delivery", 30),
        ("lot_acceptance", 20),
        ("ppm_defective", 15),
        ("milestone_on_time", 10),
        ("quality_response_time", 10),
        ("regrind_within_tolerance", 15),
    ],
    "bands": [
        {"name": "Excellent", "lower": 85, "upper": 100, "action": "none"},
        {"name": "Good", "lower": 70, "upper": 85, "action": "none"},
        {"name": "Watch", "lower": 50, "upper": 70, "action": "warn"},
        {"name": "Poor", "lower": 0, "upper": 50, "action": "block"},
    ],
}
