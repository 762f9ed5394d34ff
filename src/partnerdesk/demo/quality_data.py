"""Demo quality data: inspection standards for the items the finance demo orders, how their
readings are drawn, the lots that go wrong, the nonconformances recorded by hand, the cost
events and the 8D stories (read by ``demo/quality.py``).

Lots are named by delivery note and receipt line (the finance demo's natural keys). Every
other receipt line whose item has a standard is inspected and, mostly, accepted; order lines
delivered in parts are left out (see ``quality._lines``).
"""

from decimal import Decimal

BAG_KG = 25  # regrind comes in 25 kg bags: the lot size of a kg line is counted in bags

# code, name, applies to (item or category), level, AQL, notes, parameters:
# (code, name, kind, unit, target, lower, upper, plausible min, plausible max, defect type)
STANDARDS = [
    (
        "RG-PP",
        "PP regrind, washed and dried",
        {"category": "REGRIND"},
        "II",
        "2.5",
        "Per bag: moisture by halogen dryer, contamination by visual count on a 100 g "
        "sample, MFI at 230 °C / 2.16 kg, ΔE against the master plaque, fines by sieve.",
        [
            ("moisture", "Moisture", "measured", "%", "0.10", None, "0.20", "0", "5",
             "MOISTURE"),
            ("contamination", "Contamination", "measured", "ppm", "30", None, "100", "0",
             "100000", "CONTAMINATION"),
            ("mfi", "Melt flow index", "measured", "g/10 min", "11", "8", "14", "0.1", "200",
             "MFI"),
            ("colour", "Colour difference to the master", "measured", "ΔE", "0.6", None, "1.5",
             "0", "50", "COLOUR"),
            ("fines", "Fines below 1 mm", "measured", "%", "0.8", None, "2", "0", "100",
             "PARTICLE-SIZE"),
        ],
    ),
    (
        "HSG-A200",
        "Coffee machine housing A200",
        {"item": "HSG-A200"},
        "II",
        "0.65",
        "Drawing HSG-A200 rev. D; width and wall thickness with the CMM fixture F-12.",
        [
            ("width", "Housing width", "measured", "mm", "182.40", "182.15", "182.65", "170",
             "195", "DIMENSION"),
            ("wall", "Wall thickness at the screw boss", "measured", "mm", "2.20", "2.05",
             "2.35", "0.5", "5", "DIMENSION"),
            ("appearance", "Appearance of the visible faces", "attribute", "", None, None, None,
             None, None, "APPEARANCE"),
        ],
    ),
    (
        "MOULDED",
        "Moulded parts: key dimension and appearance",
        {"category": "MOULDED"},
        "I",
        "1.0",
        "The key dimension of the part's drawing, entered as the deviation from nominal; "
        "appearance against the boundary samples.",
        [
            ("dimension", "Key dimension, deviation from nominal", "measured", "mm", "0",
             "-0.15", "0.15", "-5", "5", "DIMENSION"),
            ("appearance", "Appearance (flash, sink marks, short shots, specks)", "attribute",
             "", None, None, None, None, None, "APPEARANCE"),
        ],
    ),
    (
        "RESIN",
        "Virgin resin as delivered",
        {"category": "RESIN"},
        "S-3",
        "1.0",
        "Bags checked against the certificate of analysis; MFI as the deviation from the "
        "grade's datasheet value.",
        [
            ("moisture", "Moisture as delivered", "measured", "%", "0.03", None, "0.05", "0",
             "5", "MOISTURE"),
            ("mfi", "Melt flow index, deviation from the datasheet", "measured", "%", "0", "-10",
             "10", "-90", "500", "MFI"),
            ("specks", "Black specks in 100 g", "measured", "count", "0", None, "2", "0",
             "1000", "CONTAMINATION"),
        ],
    ),
    (
        "PACKAGING",
        "Cartons and inserts",
        {"category": "PACKAGING"},
        "S-4",
        "2.5",
        "Inner dimensions against the packaging drawing; print, barcode grade and glue joint "
        "against the approved sample.",
        [
            ("dimension", "Inner length, deviation from nominal", "measured", "mm", "0", "-2",
             "2", "-50", "50", "DIMENSION"),
            ("print", "Print, barcode and glue joint", "attribute", "", None, None, None, None,
             None, "PACKAGING"),
        ],
    ),
]  # fmt: skip

# How readings are drawn, per standard and parameter: (mean, sigma, decimals, out-of-limit
# ranges). A conforming reading is clipped to lie inside the limits; a defective one is drawn
# from one of the ranges. Pass/fail parameters read 1, or 0 on a defective unit.
READINGS = {
    "RG-PP": {
        "moisture": ("0.10", "0.025", 2, [("0.22", "0.38")]),
        "contamination": ("35", "15", 0, [("120", "420")]),
        "mfi": ("11.0", "0.8", 1, [("14.6", "17.5"), ("6.2", "7.6")]),
        "colour": ("0.6", "0.25", 2, [("1.6", "2.8")]),
        "fines": ("0.8", "0.3", 2, [("2.2", "4.1")]),
    },
    "HSG-A200": {
        "width": ("182.40", "0.06", 2, [("182.68", "182.85"), ("181.95", "182.12")]),
        "wall": ("2.20", "0.03", 2, [("2.38", "2.52"), ("1.90", "2.02")]),
    },
    "MOULDED": {"dimension": ("0", "0.04", 3, [("0.17", "0.24"), ("-0.24", "-0.17")])},
    "RESIN": {
        "moisture": ("0.025", "0.008", 3, [("0.06", "0.12")]),
        "mfi": ("0", "2.5", 1, [("10.5", "15"), ("-15", "-10.5")]),
        "specks": ("0.3", "0.5", 0, [("3", "8")]),
    },
    "PACKAGING": {"dimension": ("0", "0.5", 1, [("2.2", "3.5"), ("-3.5", "-2.2")])},
}

# The lots that go wrong: (delivery note, receipt line) -> what is found and done.
# defects: nonconforming units per parameter; side: which out-of-limit range of ``READINGS``
# their readings come from (default: any); dispose: (disposition, days after the decision,
# note, extra arguments of lot_dispose); partial: units read so far (inspection running).
LOTS = {
    ("DN-RG-GREENLOOP-02A", 1): {
        "defects": {"moisture": 5, "contamination": 1},
        "dispose": (
            "sort",
            2,
            "Sorted bag by bag with the supplier's driver present: the wet and contaminated "
            "material (144 kg) taken back, the rest released.",
            {"quantity_accepted": Decimal(7056), "cost_amount": Decimal("960.00")},
        ),
        "action": "greenloop_moisture",
    },
    ("DN-CMO-XMN-02A", 1): {
        "defects": {"dimension": 5},
        "side": {"dimension": 0},  # neck finish oversize
        "dispose": (
            "use_as_is",
            1,
            "Accepted under concession for the promotion packs only: the bottles seal with "
            "the soft-liner caps; leak test passed on 200 bottles.",
            {"concession_reference": "CONC-BTL-750-07"},
        ),
        "action": "xmn_neck",
    },
    ("DN-CMO-XMN-03A", 1): {
        "defects": {"dimension": 6, "appearance": 1},
        "side": {"dimension": 0},
        "dispose": (
            "return_to_vendor",
            1,
            "Second neck-finish rejection in a row: the whole lot goes back to Xiamen; "
            "the credit note is requested by finance.",
            {"cost_amount": Decimal("1850.00")},
        ),
        "repeat_note": "Same neck finish defect as {previous}; corrective action {action} is "
        "reopened because its effectiveness check failed.",
    },
    ("DN-CMO-XMN-04A", 1): {"defects": {"appearance": 4}, "action": "xmn_specks"},
    ("DN-CMO-DGH-04A", 2): {
        "defects": {"dimension": 5},
        "side": {"dimension": 1},  # bore undersize
        "dispose": (
            "scrap",
            2,
            "Bore undersize: knobs do not fit the shaft. Cheaper to scrap at the supplier "
            "than to ship back; scrapping witnessed and photographed.",
            {"cost_amount": Decimal("1150.00")},
        ),
        "close": (
            6,
            "Core pin worn; replaced by the supplier. The next two lots were checked at "
            "100 % on the bore without a failure. No 8D needed for a single tool wear case.",
        ),
    },
    ("DN-RG-GREENLOOP-04A", 1): {"partial": 20},
}

# Nonconformances recorded by hand: key -> data (dates are days before today).
HAND_NCS = {
    "dgh_complaint": {
        "user": "zhang.wei",
        "days_ago": 75,
        "partner": "CMO-DGH",
        "source": "customer_complaint",
        "customer_reference": "RMA-HX-20418",
        "defect": "APPEARANCE",
        "title": "Chrome plating peeling on control knobs KNB-110",
        "description": "Service centre reports the chrome layer peeling off the front face of "
        "the control knob after three to six months of use. All from four weeks of moulding.",
        "severity": "major",
        "quantity": Decimal(460),
        "unit": "pcs",
        "cost": Decimal("18500.00"),
        "action": "dgh_chrome",
    },
    "drip_tray_start_up": {
        "user": "chen.jie",
        "days_ago": 19,
        "partner": None,
        "source": "production",
        "customer_reference": "",
        "defect": "APPEARANCE",
        "title": "Short shots on drip trays DT-200 after the start-up of press 5",
        "description": "The mould temperature was set 15 °C below the set-up sheet after the "
        "weekend stop; 640 drip trays moulded before the first-article check caught it.",
        "severity": "minor",
        "quantity": Decimal(640),
        "unit": "pcs",
        "cost": Decimal("4384.00"),
        "close": (
            4,
            "Set-up sheet corrected and a mould temperature check added to the first-article "
            "checklist of every press.",
        ),
    },
}

# Cost events recorded by hand: (key, user, days ago, data, correction). ``nc`` names the
# hand nonconformance they belong to; a correction is (days ago, right amount, reason).
COSTS = [
    (
        "dgh_returns",
        "zhang.wei",
        70,
        {
            "kind": "quality_defect",
            "amount": Decimal("18500.00"),
            "partner": "CMO-DGH",
            "nc": "dgh_complaint",
            "quantity": Decimal(460),
            "unit": "pcs",
            "description": "Field returns of chrome-peeling knobs KNB-110 (RMA-HX-20418): "
            "replacement parts and service visits, first estimate",
            "chargeback": True,
        },
        (
            40,
            Decimal("12960.00"),
            "Returns counted at the service centre: 324 knobs at 40 CNY each, not the 460 "
            "estimated",
        ),
    ),
    (
        "drip_tray_scrap",
        "chen.jie",
        19,
        {
            "kind": "material_loss",
            "amount": Decimal("4384.00"),
            "team": "Line 2 team A",
            "nc": "drip_tray_start_up",
            "quantity": Decimal(640),
            "unit": "pcs",
            "description": "640 drip trays DT-200 scrapped after a start-up with the mould "
            "too cold (press 5)",
            "chargeback": False,
        },
        None,
    ),
    (
        "purge_press_7",
        "chen.jie",
        9,
        {
            "kind": "material_loss",
            "amount": Decimal("837.25"),
            "team": "Line 3 team B",
            "quantity": Decimal(85),
            "unit": "kg",
            "description": "Purge and start-up scrap above the standard after the colour "
            "change on press 7 (85 kg PP K8003)",
            "chargeback": False,
        },
        None,
    ),
]

# 8D stories: who submits the stages, days from the nonconformance to the opening, the
# stage contents D0 to D8, and the events as (day after the opening, hour, event, ...):
# ("submit" | "accept", stage) by the submitter or the quality engineer; ("back", stage,
# note); ("due", stage, (days from today, reason)); ("effective" | "not_effective", note);
# ("close", None).
# fmt: off
ACTIONS_8D = {
    "greenloop_moisture": {
        "submitter": "tan.mei",
        "opened_after": 1,
        "texts": [
            "Remaining bags of the drying batch on hold at Greenloop; our sorting of the delivery "
            "agreed.",
            "Tan Mei (quality, leader), the drying shift supervisor, the maintenance technician; "
            "Zhang Wei for the customer.",
            "5 of 50 sampled bags above 0.20 % moisture (up to 0.38 %), one above 100 ppm "
            "contamination; all from one night-shift drying batch.",
            "Every bag of the batch re-dried and re-tested before shipping; the 144 kg found by "
            "sorting taken back.",
            "The dryer's desiccant wheel was saturated; the dew point drifted to -8 °C overnight "
            "without an alarm because the dew point sensor was out of calibration.",
            "Replace the desiccant, recalibrate the sensor, add a -30 °C dew point alarm "
            "interlocked with the discharge valve.",
            "Done; 12 batches since at 0.06 to 0.14 % moisture, dew point log attached to each "
            "certificate of analysis.",
            "Dew point sensor added to the calibration plan (quarterly); the same alarm fitted on "
            "dryer 2; dryer maintenance every 500 hours.",
            "Team thanked; the case is presented at the monthly supplier review.",
        ],
        "events": [
            (0, 16, "submit", 0), (0, 17, "submit", 1), (1, 9, "submit", 2), (1, 11, "submit", 3),
            (1, 15, "accept", 0), (1, 15, "accept", 1), (1, 15, "accept", 2),
            (1, 15, "accept", 3), (8, 10, "submit", 4), (9, 14, "accept", 4),
            (15, 10, "submit", 5), (16, 9, "accept", 5), (21, 10, "submit", 6),
            (21, 11, "submit", 7), (22, 15, "accept", 6), (22, 15, "accept", 7),
            (26, 10, "effective",
             "Three lots since accepted with moisture at most 0.15 %; dew point logs reviewed."),
            (26, 14, "submit", 8), (27, 10, "accept", 8), (27, 11, "close", None),
        ],
    },
    "dgh_chrome": {
        "submitter": "zhang.wei",
        "opened_after": 1,
        "texts": [
            "Returns quarantined at the service centre; our stock of KNB-110 tape-tested (ISO "
            "2409) without a failure.",
            "Huatai plating engineer (leader), moulding supervisor, QA manager; Zhang Wei and the "
            "service centre for us.",
            "Chrome peeling on the front face after 3 to 6 months of use; all knobs from the "
            "same four weeks of moulding.",
            "100 % tape test of stock and work in progress; every shipment with a tape test "
            "record per lot.",
            "Mould release agent sprayed on the knob cavities for four weeks against sticking; "
            "its residue stopped the plating from bonding.",
            "Release agent banned on plated parts; cavities polished and ejectors fixed; "
            "cross-cut adhesion test per plating batch.",
            "Implemented; four plating batches passed the cross-cut test at class 0.",
            "Control plan of plated parts and the PFMEA updated; setters trained.",
            "Team recognised; customer service informed with the 8D report.",
        ],
        "events": [
            (0, 16, "submit", 0), (0, 17, "submit", 1), (1, 9, "submit", 2), (1, 11, "submit", 3),
            (1, 15, "accept", 0), (1, 15, "accept", 1), (1, 15, "accept", 2),
            (1, 15, "accept", 3), (12, 10, "submit", 4), (14, 9, "accept", 4),
            (24, 10, "submit", 5), (25, 9, "accept", 5), (33, 16, "submit", 6),
            (36, 10, "submit", 7), (37, 9, "accept", 6), (37, 9, "accept", 7),
            (40, 10, "effective",
             "No return of knobs moulded since the change; three lots passed the tape test."),
            (40, 15, "submit", 8), (41, 10, "accept", 8), (41, 11, "close", None),
        ],
    },
    "xmn_neck": {
        "submitter": "zhang.wei",
        "opened_after": 3,
        "texts": [
            "Lot held; our filling line switched to bottles from stock.",
            "Bluewave QA manager (leader), blow-moulding process engineer, tool maker; Zhang Wei "
            "for us.",
            "Neck finish diameter 0.17 to 0.24 mm above tolerance on 5 of 125 bottles; caps do "
            "not seal.",
            "Neck checked at 100 % with a go/no-go gauge at the end of the line; stock at Xiamen "
            "sorted.",
            "Neck ring insert of cavity 3 worn after 1.2 million shots.",
            "Replace the neck ring insert of cavity 3; neck diameter added to the hourly SPC "
            "check.",
            "Insert replaced; capability study on 125 bottles: Cpk 1.45.",
            "Neck ring inserts in the preventive maintenance plan every 800,000 shots.",
            "",
        ],
        "events": [
            (0, 16, "submit", 0), (0, 17, "submit", 1), (1, 9, "submit", 2), (1, 11, "submit", 3),
            (1, 15, "accept", 0), (1, 15, "accept", 1), (1, 15, "accept", 2),
            (1, 15, "accept", 3), (9, 10, "submit", 4), (10, 9, "accept", 4),
            (13, 10, "submit", 5), (14, 9, "accept", 5), (17, 10, "submit", 6),
            (17, 10, "submit", 7), (17, 16, "accept", 6), (17, 16, "accept", 7),
            (18, 16, "not_effective",
             "The next bottle lot was rejected again for the neck finish (6 of 125): the other "
             "cavities drift too, so cavity 3 was not the root cause."),
        ],
    },
    "szp_calibration": {
        "submitter": "huang.lei",
        "opened_after": 1,
        "texts": [
            "Gauges past due taken out of use and tagged; parts measured with them since their "
            "due date are being re-checked.",
            "Shenzhen Precision quality manager (leader), metrology technician, line 3 "
            "supervisor.",
            "4 of 38 gauges (2 calipers, 2 height gauges) were past their calibration due date "
            "and in use on line 3 (audit finding).",
            "The 4 gauges calibrated externally, all within tolerance; the last 3 lots measured "
            "with them re-checked without a failure.",
            "The operator forgot to hand in the gauges for calibration.",
        ],
        "events": [
            (0, 16, "submit", 0), (0, 17, "submit", 1), (1, 9, "submit", 2), (1, 11, "submit", 3),
            (1, 15, "accept", 0), (1, 15, "accept", 1), (1, 15, "accept", 2),
            (1, 15, "accept", 3), (9, 17, "submit", 4),
            (10, 10, "due", 4, (5,
             "Root cause workshop with the metrology lab moved to next week; agreed on the "
             "supplier call.")),
            (11, 9, "back", 4,
             "The 5-why stops at the operator. Show why the calibration system let four gauges "
             "run past due: the register, the reminders and the gauge check at shift start."),
        ],
    },
    "xmn_specks": {
        "submitter": "zhang.wei",
        "opened_after": 2,
        "texts": [
            "Lot on hold in our warehouse; the promotion is supplied from the previous lot.",
            "Bluewave QA manager (leader) and the blow-moulding shift leaders.",
            "Black specks and sink marks on the visible face of 4 of 125 bottles under tightened "
            "inspection.",
        ],
        "events": [
            (0, 15, "submit", 0), (0, 16, "submit", 1), (1, 10, "submit", 2),
            (1, 15, "accept", 0), (1, 15, "accept", 1), (1, 16, "accept", 2),
        ],
    },
}
# fmt: on
