"""What a new installation starts with: the two audit templates the source texts ask for and
the defect types. Loaded by migration ``quality 0002``; edit the records in the app after that.

A question is (text, kind, weight, options) where options may hold ``scale_max``, ``lower``,
``upper``, ``unit``, ``evidence`` (evidence required) and ``critical``.
"""

Y, S, N = "yes_no", "scale", "numeric"

ONSITE = (
    "ONSITE",
    "On-site supplier audit",
    "Yearly or quarterly audit at the supplier's plant: equipment, people, process, storage, "
    "housekeeping. Grade A from 90 %, B from 80 %; a major finding allows at most B.",
    [
        (
            "Equipment maintenance and calibration records",
            [
                (
                    "A preventive maintenance plan covers all production equipment and is followed",
                    Y,
                    2,
                    {"evidence": True},
                ),
                ("Maintenance records of the last 12 months are complete", S, 2, {"scale_max": 5}),
                (
                    "Measuring instruments are calibrated within their due dates, traceable "
                    "to national standards",
                    Y,
                    3,
                    {"critical": True, "evidence": True},
                ),
                ("Gauges with a valid calibration", N, 2, {"lower": 95, "unit": "%"}),
                ("Breakdowns are analysed and repeat failures acted on", S, 1, {"scale_max": 5}),
            ],
        ),
        (
            "Employee training records",
            [
                (
                    "A training matrix covers every operator and process",
                    Y,
                    2,
                    {"evidence": True},
                ),
                (
                    "Operators on critical processes are qualified, with signed records",
                    Y,
                    3,
                    {"critical": True},
                ),
                (
                    "Training records of five operators picked at random are complete",
                    S,
                    2,
                    {"scale_max": 5},
                ),
                ("Induction training covers quality and safety", Y, 1, {}),
            ],
        ),
        (
            "Process control",
            [
                (
                    "Control plans and work instructions at the workstation are the current "
                    "revision",
                    Y,
                    2,
                    {},
                ),
                ("Set-up and first-article approval are recorded", Y, 2, {}),
                (
                    "Key characteristics are charted (SPC) and reactions to signals recorded",
                    S,
                    2,
                    {"scale_max": 5},
                ),
                (
                    "Nonconforming product is identified and segregated",
                    Y,
                    3,
                    {"critical": True},
                ),
                (
                    "Mould temperature deviation from the set point",
                    N,
                    1,
                    {"lower": -5, "upper": 5, "unit": "°C"},
                ),
            ],
        ),
        (
            "Storage and traceability",
            [
                ("Materials carry lot labels and are used first in, first out", Y, 2, {}),
                (
                    "A finished lot is traced to its raw material lots within four hours",
                    Y,
                    3,
                    {"critical": True},
                ),
                ("Relative humidity in the material store", N, 1, {"upper": 65, "unit": "%RH"}),
                ("Regrind and recycled material is segregated and labelled", Y, 2, {}),
            ],
        ),
        (
            "Housekeeping and safety",
            [
                ("State of the shop floor (5S)", S, 1, {"scale_max": 5, "evidence": True}),
                (
                    "Emergency exits and fire extinguishers are free and inspected",
                    Y,
                    2,
                    {"critical": True},
                ),
                ("Personal protective equipment is worn where required", Y, 1, {}),
                ("Chemicals and waste are labelled and stored in bunds", Y, 1, {}),
            ],
        ),
    ],
)

REGRIND = (
    "REGRIND-MONTHLY",
    "Monthly regrind supplier inspection",
    "Monthly on-site inspection at a regrind supplier: feedstock, grinding and drying, the "
    "quality of the current batch, packaging and records.",
    [
        (
            "Feedstock and sorting",
            [
                (
                    "Feedstock is sorted by polymer and colour, without mixing",
                    Y,
                    3,
                    {"critical": True},
                ),
                (
                    "Metal separation (magnet, detector) works and is checked daily",
                    Y,
                    2,
                    {"evidence": True},
                ),
            ],
        ),
        (
            "Grinding and drying",
            [
                ("Grinder blades and screens are maintained on schedule", Y, 1, {}),
                ("Dryer dew point", N, 2, {"upper": -20, "unit": "°C"}),
                ("Moisture of a sample of the current batch", N, 3, {"upper": "0.20", "unit": "%"}),
            ],
        ),
        (
            "Quality of the current batch",
            [
                ("Contamination", N, 2, {"upper": 100, "unit": "ppm"}),
                ("Melt flow index", N, 2, {"lower": 8, "upper": 14, "unit": "g/10 min"}),
                ("Fines below 1 mm", N, 1, {"upper": 2, "unit": "%"}),
                ("Colour difference to the master sample", N, 1, {"upper": "1.5", "unit": "ΔE"}),
            ],
        ),
        (
            "Packaging, labelling and records",
            [
                ("Bags are labelled with grade, batch, weight and date", Y, 2, {}),
                (
                    "Batch records and certificates of analysis of the last month are complete",
                    S,
                    2,
                    {"scale_max": 5, "evidence": True},
                ),
                ("Finished bags are stored dry and covered", Y, 1, {}),
            ],
        ),
    ],
)

TEMPLATES = [ONSITE, REGRIND]

DEFECT_TYPES = [
    ("CONTAMINATION", "Contamination", "Foreign material, dirt, mixed polymers or colours."),
    ("MOISTURE", "Moisture", "Moisture content above the limit."),
    ("MFI", "Melt flow index", "Melt flow index outside its limits."),
    ("COLOUR", "Colour difference", "Colour difference to the master sample above the limit."),
    ("PARTICLE-SIZE", "Particle size", "Too many fines or oversize particles."),
    ("DIMENSION", "Dimension", "A dimension outside its tolerance."),
    ("APPEARANCE", "Appearance", "Flash, sink marks, scratches, short shots."),
    ("PACKAGING", "Packaging and labelling", "Wrong, damaged or unlabelled packaging."),
    ("DOCUMENTATION", "Documentation", "Missing or wrong certificates and records."),
    ("AUDIT", "Audit finding", "A finding of a supplier audit."),
    ("OTHER", "Other", "Any other nonconformity."),
]
