"""Charts drawn on the server as SVG: no script, no network, readable in tests.

Each function returns a dict a template draws (``core/_bar_chart.html``,
``core/_line_chart.html``); geometry is computed here so templates stay dumb.
"""

from dataclasses import dataclass


@dataclass
class Bar:
    label: str
    value: float
    y: float
    width: float
    text_x: float


def bar_chart(
    rows: list[tuple[str, float]],
    *,
    title: str,
    width: int = 420,
    bar_height: int = 22,
    gap: int = 8,
    label_width: int = 110,
) -> dict:
    """A horizontal bar chart: one bar per (label, value), scaled to the largest value."""
    peak = max((value for _, value in rows), default=0) or 1
    plot_width = width - label_width - 40
    bars = []
    for index, (label, value) in enumerate(rows):
        bar_width = plot_width * value / peak
        bars.append(
            Bar(
                label=label,
                value=value,
                y=index * (bar_height + gap),
                width=round(bar_width, 1),
                text_x=round(label_width + bar_width + 6, 1),
            )
        )
    return {
        "title": title,
        "width": width,
        "height": len(rows) * (bar_height + gap),
        "bar_height": bar_height,
        "label_width": label_width,
        "bars": bars,
    }


# Colours of the series of a line chart, in order (the stylesheet's brand and status colours).
LINE_COLOURS = ("#2e75b6", "#1e7b45", "#a86400", "#7c3aed", "#b3261e")


@dataclass
class LineSeries:
    """One line of a line chart: a value (or None for a gap) per x label, and which points are
    flagged (drawn larger, in red: a breach, a blocking standing)."""

    name: str
    values: list
    flagged: list[bool] | None = None


def line_chart(
    series: list[LineSeries],
    *,
    labels: list[str],
    title: str,
    references: list[tuple[str, float]] = (),
    y_range: tuple[float, float] | None = None,
    width: int = 560,
    height: int = 220,
) -> dict:
    """A line chart: x = ``labels`` (periods, oldest first), y = each series' values, with
    horizontal reference lines (a target, band edges) as (label, value). A None value breaks
    the line. The y range fits the values and references unless ``y_range`` is given.
    Returns the geometry ``core/_line_chart.html`` draws."""
    left, right, top, bottom = 48, 110, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    numbers = [float(v) for s in series for v in s.values if v is not None]
    numbers += [float(v) for _, v in references]
    if y_range is not None:
        low, high = (float(y_range[0]), float(y_range[1]))
    else:
        low, high = (min(numbers), max(numbers)) if numbers else (0.0, 1.0)
        pad = (high - low) * 0.1 or abs(high) * 0.1 or 1.0
        low, high = low - pad, high + pad
    span = (high - low) or 1.0
    step = plot_w / max(len(labels) - 1, 1)

    def x_of(index: int) -> float:
        return round(left + (index * step if len(labels) > 1 else plot_w / 2), 1)

    def y_of(value: float) -> float:
        return round(top + plot_h - (min(max(value, low), high) - low) / span * plot_h, 1)

    lines = []
    for number, item in enumerate(series):
        flags = item.flagged or [False] * len(item.values)
        points, path, pen_down = [], [], False
        for index, value in enumerate(item.values):
            if value is None:
                pen_down = False
                continue
            x, y = x_of(index), y_of(float(value))
            path.append(f"{'L' if pen_down else 'M'}{x},{y}")
            pen_down = True
            points.append(
                {
                    "x": x,
                    "y": y,
                    "value": value,
                    "label": labels[index],
                    "flagged": bool(flags[index]) if index < len(flags) else False,
                }
            )
        lines.append(
            {
                "name": item.name,
                "colour": LINE_COLOURS[number % len(LINE_COLOURS)],
                "path": " ".join(path),
                "points": points,
            }
        )
    ticks = [low + span * i / 4 for i in range(5)]
    return {
        "title": title,
        "width": width,
        "height": height,
        "left": left,
        "top": top,
        "plot_right": left + plot_w,
        "plot_bottom": top + plot_h,
        # Every label when they fit, else every second or third one.
        "x_labels": [
            {"text": label, "x": x_of(i)}
            for i, label in enumerate(labels)
            if i % (len(labels) // 7 + 1) == 0 or i == len(labels) - 1
        ],
        "y_ticks": [{"value": round(t, 2), "y": y_of(t)} for t in ticks],
        "references": [
            {"label": label, "value": f"{float(value):g}", "y": y_of(float(value))}
            for label, value in references
            if low <= float(value) <= high
        ],
        "series": lines,
    }
