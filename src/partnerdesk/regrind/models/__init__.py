"""Regrind module models: the plant (lines, dosing units, products with their regrind
specification, shifts and who is on them), readings and their ingests, control charts with
their limits and signals, and the monthly precision rankings."""

from partnerdesk.regrind.models.charts import ControlChart, ControlLimits, Signal
from partnerdesk.regrind.models.plant import (
    DosingUnit,
    ProductionLine,
    ProductRun,
    RegrindProduct,
    Shift,
    ShiftAssignment,
)
from partnerdesk.regrind.models.ranking import PrecisionRanking, TeamPrecision
from partnerdesk.regrind.models.readings import Reading, ReadingIngest, RejectedReading

__all__ = [
    "ControlChart",
    "ControlLimits",
    "DosingUnit",
    "PrecisionRanking",
    "ProductRun",
    "ProductionLine",
    "Reading",
    "ReadingIngest",
    "RegrindProduct",
    "RejectedReading",
    "Shift",
    "ShiftAssignment",
    "Signal",
    "TeamPrecision",
]
