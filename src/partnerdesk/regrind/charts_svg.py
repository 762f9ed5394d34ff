"""Control charts drawn on the server as SVG (``regrind/_control_chart.html``): the geometry is
computed here, the template only draws it. No script, readable in tests.

A location chart shows its centre line, the control limits, the zones of 1 and 2 sigma shaded, the
specification limits as dashed lines, and the points, those a run rule flagged in red with the
rule codes written above them. The dispersion chart is the same drawing without zones and
specification. Time labels run along the bottom in the company's time zone.
"""

import math

from django.utils import timezone
from django.utils.translation import gettext as _

from partnerdesk.core.charts import bar_chart

# Every point gets a circle up to this many points; beyond, only the flagged ones.
ALL_POINTS_UP_TO = 400
# Rule codes are written above at most this many flagged points (the latest).
MAX_FLAG_LABELS = 80


def _finite(value) -> bool:
    return value is not None and math.isfinite(float(value))


def _time_text(moment, *, with_day: bool) -> str:
    local = timezone.localtime(moment)
    return f"{local:%m-%d %H:%M}" if with_day else f"{local:%H:%M}"


def _x_labels(times, x_of, count: int) -> list[dict]:
    known = [(i, t) for i, t in enumerate(times) if t is not None]
    if not known:
        return []
    first, last = timezone.localtime(known[0][1]), timezone.localtime(known[-1][1])
    with_day = first.date() != last.date()
    picks = sorted({round(k * (len(known) - 1) / (count - 1)) for k in range(count)})
    chosen = [known[k] for k in picks]
    return [{"x": x_of(i), "text": _time_text(t, with_day=with_day)} for i, t in chosen]


def _labelled(indices, flags, offset, x_of, compact) -> set[int]:
    """The flagged points whose rule codes are written: a point close to the last labelled
    one is left unlabelled unless it brings a rule that label does not name (a long run
    would otherwise write the same code over itself)."""
    gap = 40 if compact else 56
    chosen, last_x, last_codes = set(), None, set()
    for index in indices:
        codes, x = set(flags.get(index + offset, ())), x_of(index)
        if last_x is None or x - last_x >= gap or not codes <= last_codes:
            chosen.add(index)
            last_x, last_codes = x, codes
    return chosen


def control_chart(
    values,
    *,
    times,
    title: str,
    center: float | None = None,
    ucl: float | None = None,
    lcl: float | None = None,
    zone_sigma: float | None = None,
    flags: dict[int, list[str]] | None = None,
    spec: list[tuple[str, float]] = (),
    marks: list[tuple[str, float]] = (),
    offset: int = 0,
    width: int = 960,
    height: int = 280,
    compact: bool = False,
) -> dict:
    """The geometry of one control chart. ``values`` are the points shown (NaN or None for a
    point without a value, e.g. the first moving range), ``times`` their times; ``flags`` maps
    a point's index in the whole window (``offset`` is the index of the first value shown) to
    the rule codes that flagged it. ``spec`` lines (dashed) widen the scale to show them;
    ``marks`` (dashed too, e.g. the maximum) are drawn only when they fall within it."""
    left, right, top, bottom = (40, 70, 8, 22) if compact else (52, 96, 14, 30)
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [float(v) if _finite(v) else None for v in values]
    flags = flags or {}
    lines = [
        (name, kind, value)
        for name, kind, value in (
            ("UCL", "ucl", ucl),
            ("CL", "center", center),
            ("LCL", "lcl", lcl),
        )
        if _finite(value)
    ]
    spec = [(label, float(value)) for label, value in spec if _finite(value)]
    numbers = [v for v in values if v is not None] + [v for _, _, v in lines] + [v for _, v in spec]
    spec += [(label, float(value)) for label, value in marks if _finite(value)]
    low, high = (min(numbers), max(numbers)) if numbers else (0.0, 1.0)
    pad = (high - low) * 0.06 or abs(high) * 0.1 or 1.0
    low, high = low - pad, high + pad
    span = high - low
    count = len(values)
    step = plot_w / max(count - 1, 1)

    def x_of(index: int) -> float:
        return round(left + (index * step if count > 1 else plot_w / 2), 1)

    def y_of(value: float) -> float:
        return round(top + plot_h - (min(max(value, low), high) - low) / span * plot_h, 1)

    path, pen_down, points = [], False, []
    flagged_indices = sorted(i - offset for i in flags if 0 <= i - offset < count)
    labelled = _labelled(flagged_indices[-MAX_FLAG_LABELS:], flags, offset, x_of, compact)
    draw_all = count <= ALL_POINTS_UP_TO
    for index, value in enumerate(values):
        if value is None:
            pen_down = False
            continue
        x, y = x_of(index), y_of(value)
        path.append(f"{'L' if pen_down else 'M'}{x},{y}")
        pen_down = True
        codes = flags.get(index + offset, [])
        if codes or draw_all:
            moment = times[index] if index < len(times) else None
            points.append(
                {
                    "x": x,
                    "y": y,
                    "value": f"{value:.3f}",
                    "time": _time_text(moment, with_day=True) if moment else "",
                    "flagged": bool(codes),
                    "codes": " ".join(codes),
                    "labelled": index in labelled,
                }
            )
    zones = []
    if _finite(center) and _finite(zone_sigma) and zone_sigma > 0:
        for kind, k in (("two", 2), ("one", 1)):
            upper, lower = y_of(center + k * zone_sigma), y_of(center - k * zone_sigma)
            zones.append({"kind": kind, "y": upper, "height": round(lower - upper, 1)})
    ticks = [low + span * i / 4 for i in range(5)]
    return {
        "title": title,
        "width": width,
        "height": height,
        "left": left,
        "top": top,
        "plot_width": plot_w,
        "plot_right": left + plot_w,
        "plot_bottom": top + plot_h,
        "compact": compact,
        "path": " ".join(path),
        "points": points,
        "count": count,
        "flagged": len(flagged_indices),
        "limits": [
            {"name": name, "kind": kind, "value": f"{value:.3f}", "y": y_of(value)}
            for name, kind, value in lines
        ],
        "zones": zones,
        "spec": [
            {"label": label, "value": f"{value:g}", "y": y_of(value)}
            for label, value in spec
            if low <= value <= high
        ],
        "x_labels": _x_labels(times, x_of, 4 if compact else 8),
        "y_ticks": [{"value": f"{t:.2f}", "y": y_of(t)} for t in ticks],
    }


def _spec_lines(product) -> tuple[list, list]:
    """The specification limits, and the maximum when it lies above the USL."""
    if product is None:
        return [], []
    lines = [(_("LSL"), float(product.lsl)), (_("USL"), float(product.usl))]
    marks = [(_("Max"), float(product.max_ratio))] if product.max_ratio > product.usl else []
    return lines, marks


def analysis_charts(analysis, *, width: int = 960, compact: bool = False) -> tuple[dict, dict]:
    """The location and the dispersion chart of a chart's analysis (``chart_analysis``), with
    the points shown (the last ``MAX_SHOWN``)."""
    first = analysis.shown_from
    times = [analysis.times.get(i) for i in range(first, analysis.points)]
    limits = analysis.limits
    kind = analysis.chart.kind
    names = {"imr": _("Moving range"), "xbar_r": _("Range"), "xbar_s": _("Standard deviation")}
    location_name = _("Individual readings (%)") if kind == "imr" else _("Subgroup means (%)")
    height = 170 if compact else 300
    spec, marks = _spec_lines(getattr(analysis, "product", None))
    location = control_chart(
        analysis.values[first:].tolist(),
        times=times,
        title=location_name,
        center=limits.center if limits else None,
        ucl=limits.ucl if limits else None,
        lcl=limits.lcl if limits else None,
        zone_sigma=limits.zone_sigma if limits else None,
        flags=analysis.flags(),
        spec=spec,
        marks=marks,
        offset=first,
        width=width,
        height=height,
        compact=compact,
    )
    dispersion = control_chart(
        analysis.dispersion[first:].tolist(),
        times=times,
        title=names.get(kind, ""),
        center=limits.dispersion_center if limits else None,
        ucl=limits.dispersion_ucl if limits else None,
        lcl=limits.dispersion_lcl if limits else None,
        flags=analysis.dispersion_flags(),
        offset=first,
        width=width,
        height=120 if compact else 200,
        compact=compact,
    )
    return location, dispersion


def share_bars(teams) -> dict:
    """The ranking's bar chart: each team's share of readings within tolerance (%)."""
    return bar_chart(
        [(team.team.name, round(100 * team.share_within, 1)) for team in teams],
        title=_("Share of readings within tolerance (%)"),
        label_width=130,
    )
