"""The names people read for run rules and chart formulas (the engines carry English
descriptions for developers; these are translated)."""

from django.utils.translation import gettext_lazy as _

# Not a run rule of the engine: a point of the dispersion chart (moving range, range or
# standard deviation) beyond its own limits. The monitoring checks it beside the run rules.
DISPERSION_RULE = "d1"

RULE_LABELS = {
    "we1": _("WE 1: a point beyond a control limit"),
    "we2": _("WE 2: 2 of 3 points beyond 2σ, same side"),
    "we3": _("WE 3: 4 of 5 points beyond 1σ, same side"),
    "we4": _("WE 4: 8 points in a row on one side"),
    "n1": _("Nelson 1: a point beyond a control limit"),
    "n2": _("Nelson 2: 9 points in a row on one side"),
    "n3": _("Nelson 3: 6 points in a row steadily rising or falling"),
    "n4": _("Nelson 4: 14 points in a row alternating up and down"),
    "n5": _("Nelson 5: 2 of 3 points beyond 2σ, same side"),
    "n6": _("Nelson 6: 4 of 5 points beyond 1σ, same side"),
    "n7": _("Nelson 7: 15 points in a row within 1σ"),
    "n8": _("Nelson 8: 8 points in a row beyond 1σ, either side"),
    DISPERSION_RULE: _("Dispersion beyond its control limit"),
}

RULE_GROUPS = (
    (_("Western Electric"), ("we1", "we2", "we3", "we4")),
    (_("Nelson"), ("n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8")),
    (_("Dispersion chart"), (DISPERSION_RULE,)),
)

EDGE_CASES = _(
    "A point exactly on a limit or zone boundary is not beyond it; a point exactly on the centre "
    "line is on neither side and breaks a run on one side; equal neighbours break a trend or "
    "an alternation. A signal is placed on the point that completes its pattern."
)

_FORMULAS = {
    "imr": [
        "CL = x̄; UCL/LCL = x̄ ± 3·MR̄/d2 (d2 = 1.128)",
        "MR chart: CL = MR̄, UCL = D4·MR̄ (D4 = 3.267), LCL = 0",
        "σ(within) = MR̄/d2",
    ],
    "xbar_r": [
        "CL = x̿; UCL/LCL = x̿ ± A2·R̄",
        "R chart: CL = R̄, UCL = D4·R̄, LCL = D3·R̄",
        "σ(within) = R̄/d2",
    ],
    "xbar_s": [
        "CL = x̿; UCL/LCL = x̿ ± A3·s̄",
        "S chart: CL = s̄, UCL = B4·s̄, LCL = B3·s̄",
        "σ(within) = s̄/c4",
    ],
}


def formula(kind: str) -> list[str]:
    return list(_FORMULAS.get(kind, []))


def rule_label(code: str) -> str:
    return str(RULE_LABELS.get(code, code))
