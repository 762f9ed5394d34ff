"""Demo regrind data: the manufacturing center's lines, dosing units and products, the shifts,
how precisely each team doses, the events the control charts should catch, the formats of the
lines' CSV exports, the rows that go wrong and the acknowledgements (read by
``demo/regrind.py``).

Days are counted from the first day of the history (a Monday, 13 weeks before this week's
Monday) unless the name says otherwise; readings are taken every ``INTERVAL_MIN`` minutes on
weekdays during the early and late shift.
"""

import datetime

HISTORY_WEEKS = 13
ROSTER_WEEKS_AHEAD = 2
BASELINE_WEEKS = 3
INTERVAL_MIN = 10
JITTER_S = 240  # a batch completes somewhere in the first four minutes of its slot
POSTED_PER_UNIT = 12  # the latest two hours of each unit arrive as machine posts
# A gravimetric blender corrects each batch by part of the last one's error: consecutive
# batches are negatively correlated (AR(1) with this coefficient).
CORRECTION = -0.3

# code, name, unit, ISO 4217 currency, target %, ± points, max %, nominal batch kg, virgin,
# regrind and risk cost per kg (risk: a kilogram of regrind above the maximum)
PRODUCTS = [
    ("HSG-A200", "Coffee machine housing A200, PP black", "20", "2", "25", "25", "12.80",
     "5.20", "35.00"),
    ("DTC-A200", "Drip tray cover A200, PP grey", "15", "1.5", "18", "12", "11.60", "4.60",
     "28.00"),
    ("BRK-M40", "Motor bracket M40, ABS natural", "25", "3", "30", "18", "13.90", "5.80",
     "38.00"),
]  # fmt: skip

SHIFTS = [
    ("early", "Early", datetime.time(6), 8),
    ("late", "Late", datetime.time(14), 8),
]

# code, name, notes, product code, manager (a demo person), units: (machine id, name, offset)
# where offset is the unit's own small bias from target in points.
LINES = [
    (
        "L1",
        "Line 1 · injection moulding, housings",
        "Two 450 t machines moulding the A200 housing; PP regrind from our own granulator.",
        "HSG-A200",
        "Guo Lin",
        [
            ("DU-L1-A", "Gravimetric blender, machine 1-A (450 t)", 0.10),
            ("DU-L1-B", "Gravimetric blender, machine 1-B (450 t)", -0.05),
        ],
    ),
    (
        "L2",
        "Line 2 · injection moulding, covers",
        "Two 250 t machines moulding drip tray covers; tight regrind window for the colour.",
        "DTC-A200",
        "Lin Hua",
        [
            ("DU-L2-A", "Gravimetric blender, machine 2-A (250 t)", 0.05),
            ("DU-L2-B", "Gravimetric blender, machine 2-B (250 t)", -0.10),
        ],
    ),
    (
        "L3",
        "Line 3 · injection moulding, brackets",
        "Two 180 t machines moulding ABS motor brackets; volumetric feeders with a load cell.",
        "BRK-M40",
        "Gao Yan",
        [
            ("DU-L3-A", "Volumetric feeder, machine 3-A (180 t)", 0.15),
            ("DU-L3-B", "Volumetric feeder, machine 3-B (180 t)", -0.10),
        ],
    ),
]

# The teams of each line (the first starts on the early shift in even weeks) and how they
# dose: noise sigma and bias in points. Line 3 team B is the sloppy one.
TEAMS = {
    "L1": [("Line 1 team A", 0.40, 0.00), ("Line 1 team B", 0.48, 0.05)],
    "L2": [("Line 2 team A", 0.40, -0.03), ("Line 2 team B", 0.50, 0.05)],
    "L3": [("Line 3 team A", 0.90, 0.00), ("Line 3 team B", 1.20, 0.15)],
}
CHEN_JIE_TEAM = "Line 1 team A"  # the manufacturing demo user leads it

# The load cell of DU-L2-A's regrind hopper drifts over the second month: the ratio creeps up
# by ``rise`` points from day ``start`` to day ``end``, when it is recalibrated at ``fixed``.
DRIFT = {"unit": "DU-L2-A", "start": 31, "end": 59, "rise": 1.0, "fixed": datetime.time(10)}
# DU-L3-B's feed screw is refitted ``days_ago`` days before today; from the late shift on
# it doses ``step`` points more and nobody has noticed yet.
STEP = {"unit": "DU-L3-B", "days_ago": 14, "from": datetime.time(14), "step": 2.5}
# DU-L1-B's regrind hopper bridges now and then during team A's shift: for ``batches``
# batches from the ``slot``-th of the shift the ratio drops by ``drop`` points. One episode
# ``day`` days into the history, one on the latest weekday at least ``days_ago`` days back.
HOPPER = {"unit": "DU-L1-B", "team": "Line 1 team A", "slot": 20, "batches": 5, "drop": 3.4}
HOPPER_EPISODES = [{"day": 44}, {"days_ago": 2}]

# Each line's CSV export: header, separator, time format, whether it has the masses.
EXPORTS = {
    "L1": ("machine,timestamp,batch,regrind_kg,virgin_kg,ratio", ",", "%Y-%m-%d %H:%M:%S", True),
    "L2": (
        "Machine ID,Time,Batch ID,Regrind mass,Virgin mass,Regrind ratio",
        ",",
        "%Y-%m-%dT%H:%M:%S%z",
        True,
    ),
    "L3": ("dosing_unit;taken_at;shot;regrind_pct", ";", "%Y-%m-%d %H:%M:%S", False),
}
FILENAME = "{line}-dosing-export-{month:%Y-%m}.csv"
BAD_FILE = ("L2", 1)  # line 2's second monthly file carries a few bad rows
RESENT_FILE = ("L1", 0)  # line 1's first file is uploaded a second time the next morning


def bad_rows(day: datetime.date, stamp) -> list[tuple[datetime.time, str]]:
    """Rows of line 2's export that the ingest refuses, all on ``day`` (a working day), with
    the time each is filed under; ``stamp(time)`` writes a time as the export does: a
    negative mass, a ratio of 120 %, an unknown machine and a time in the wrong format."""
    batch = f"{day:%y%m%d}"
    rows = [
        (datetime.time(9, 41, 12), "DU-L2-B", "X1", "-1.250,10.750,15.02"),
        (datetime.time(11, 12, 40), "DU-L2-A", "X2", ",,120"),
        (datetime.time(15, 3, 5), "DU-L9-Z", "001", "1.810,10.190,15.08"),
    ]
    out = [
        (time, f"{unit},{stamp(time)},{unit[3:5]}{unit[-1]}-{batch}-{shot},{rest}")
        for time, unit, shot, rest in rows
    ]
    malformed = f"DU-L2-B,{day:%d.%m.%Y} 16:20,L2B-{batch}-X3,1.790,10.210,14.92"
    return [*out, (datetime.time(16, 20, 30), malformed)]


# Signals acknowledged (the older ones): which, by whom, when (after the point), and why.
ACKNOWLEDGEMENTS = [
    {
        "unit": "DU-L1-B",
        "episode": 0,
        "user": "chen.jie",
        "after": datetime.timedelta(minutes=35),
        "note": "Regrind hopper bridged after a damp delivery from the granulator: the ratio "
        "fell for five batches. Material knocked loose, hopper vibrator switched back on "
        "(it had been left off after cleaning); the five batches' parts were quarantined and "
        "checked, all fine.",
    },
    {
        "unit": "DU-L2-A",
        "drift": True,
        "user": "zhang.wei",
        "after": None,  # acknowledged at the recalibration
        "note": "Load cell of the regrind hopper drifted (zero offset +0.2 kg since the "
        "clean-out). Recalibrated with the 10 kg test weight; readings back on target. "
        "Load cell check added to the weekly TPM list.",
    },
    {
        "unit": "DU-L1-A",
        "first": True,
        "user": "chen.jie",
        "after": datetime.timedelta(minutes=50),
        "note": "Checked the blender settings, the hopper level and the regrind lot: nothing "
        "found, the next batches were normal. Common-cause variation; no action.",
    },
]

MACHINE_USER = ("dosing.gateway", "Dosing", "gateway")  # posts the units' readings
