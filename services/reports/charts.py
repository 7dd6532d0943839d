"""Charts drawn on the server as inline SVG: no script, no external file, nothing the CSP forbids.

Each chart is an `<svg role="img">` with a `<title>` and a `<desc>` naming what it shows; every
bar carries its figure in its own `<title>`. The same figures are in the table next to each chart,
which is what screen readers and printouts rely on. Text is escaped; numbers are formatted here.
"""

import math
from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

# Distinguishable in print and for the common colour-vision deficiencies (Okabe–Ito).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 28, 44


def _number(value: float) -> str:
    return f"{value:g}"


def _frame(chart_id: str, title: str, description: str, height: int, body: str) -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" id="{}" role="img" '
        'aria-labelledby="{}-title {}-desc" viewBox="0 0 {} {}" width="100%" preserveAspectRatio="xMinYMin meet">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        chart_id, chart_id, chart_id, WIDTH, height, chart_id, title, chart_id, description, mark_safe(body),
    )


def _nice_ceiling(value: float) -> float:
    """1, 2 or 5 times a power of ten, at least `value` (at least 1)."""
    if value <= 1:
        return 1
    power = 1
    while power * 10 <= value:
        power *= 10
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def stacked_columns(chart_id: str, title: str, categories: Sequence[str],
                    series: Sequence[tuple[str, Sequence[int]]]) -> SafeString:
    """Columns per category, stacked by series (e.g. applications per week, by approval mode)."""
    totals = [sum(values[i] for _label, values in series) for i in range(len(categories))]
    highest = max(totals, default=0)
    step = max(_nice_ceiling(highest / 4), 1)  # whole numbers on the axis: these are counts
    top = step * max(math.ceil(highest / step), 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(categories), 1)
    bar_w = slot * 0.6
    parts = [_axis(top, step, plot_h)]
    for index, category in enumerate(categories):
        x = LEFT + index * slot + (slot - bar_w) / 2
        base = TOP + plot_h
        for number, (label, values) in enumerate(series):
            value = values[index]
            if not value:
                continue
            height = plot_h * value / top
            base -= height
            parts.append(format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}: {}</title></rect>',
                f"{x:.1f}", f"{base:.1f}", f"{bar_w:.1f}", f"{height:.1f}", PALETTE[number % len(PALETTE)],
                category, label, value))
        parts.append(format_html(
            '<text x="{}" y="{}" font-size="10" text-anchor="middle">{}</text>',
            f"{x + bar_w / 2:.1f}", TOP + plot_h + 14, category))
    legend, lines = _legend([label for label, _values in series], HEIGHT - 12)
    description = format_html_join("; ", "{}: {}", ((c, t) for c, t in zip(categories, totals, strict=True)))
    return _frame(chart_id, title, description, HEIGHT + 14 * (lines - 1), "".join(parts) + legend)


def horizontal_bars(chart_id: str, title: str, rows: Sequence[tuple[str, float | None]],
                    maximum: float = 100, unit: str = "%") -> SafeString:
    """One bar per row (e.g. an on-time rate per department); a row without a figure shows "—"."""
    row_h, label_w = 22, 220
    height = TOP + row_h * max(len(rows), 1) + 8
    plot_w = WIDTH - label_w - RIGHT - 48
    parts = []
    for index, (label, value) in enumerate(rows):
        y = TOP + index * row_h
        parts.append(format_html('<text x="{}" y="{}" font-size="11" text-anchor="end">{}</text>',
                                 label_w - 6, y + 14, label))
        shown = "—" if value is None else f"{_number(value)}{unit}"
        width = 0 if value is None else plot_w * min(value, maximum) / maximum
        parts.append(format_html(
            '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}</title></rect>'
            '<text x="{}" y="{}" font-size="11">{}</text>',
            label_w, y + 3, f"{width:.1f}", row_h - 8, PALETTE[0], label, shown,
            f"{label_w + width + 4:.1f}", y + 14, shown))
    description = format_html_join("; ", "{}: {}", (
        (label, "—" if value is None else f"{_number(value)}{unit}") for label, value in rows))
    return _frame(chart_id, title, description, height, "".join(parts))


def _axis(top: float, step: float, plot_h: float) -> str:
    ticks = []
    for number in range(round(top / step) + 1):
        value = number * step
        y = TOP + plot_h - plot_h * value / top
        ticks.append(format_html(
            '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#ccc"/>'
            '<text x="{}" y="{}" font-size="10" text-anchor="end">{}</text>',
            LEFT, WIDTH - RIGHT, f"{y:.1f}", f"{y:.1f}", LEFT - 4, f"{y + 3:.1f}", _number(value)))
    return "".join(ticks)


def _text_width(text: str, size: int = 10) -> float:
    """Roughly: CJK characters are square, Latin ones about half as wide."""
    return sum(size if ord(char) > 0x2E80 else size * 0.6 for char in text)


def _legend(labels: Sequence[str], y: int) -> tuple[str, int]:
    """The colour key under the plot, wrapped onto more lines as needed; and how many lines it took."""
    x, lines, parts = LEFT, 1, []
    for number, label in enumerate(labels):
        width = 14 + _text_width(label) + 16
        if x > LEFT and x + width > WIDTH - RIGHT:
            x, y, lines = LEFT, y + 14, lines + 1
        parts.append(format_html(
            '<rect x="{}" y="{}" width="10" height="10" fill="{}"/><text x="{}" y="{}" font-size="10">{}</text>',
            f"{x:.1f}", y - 9, PALETTE[number % len(PALETTE)], f"{x + 14:.1f}", y, label))
        x += width
    return "".join(parts), lines
