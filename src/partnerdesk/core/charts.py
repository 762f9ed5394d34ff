"""Charts drawn on the server as SVG: no script, no network, readable in tests.

Each function returns a dict the template ``core/_bar_chart.svg.html`` (and future chart
templates) draws; geometry is computed here so templates stay dumb.
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
