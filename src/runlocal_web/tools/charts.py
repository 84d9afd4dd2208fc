"""Small inline SVG charts for the tool pages: bars, grouped bars and lines, drawn on the
server. Every chart carries a <title> and a <desc> with its numbers, and the page shows the
same numbers in a table, so nothing depends on seeing the picture."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Okabe–Ito: distinguishable with the common forms of colour blindness.
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#8c8c8c")
WIDTH = 640
LABEL_W = 200
VALUE_W = 110
BAR_H = 16
ROW_GAP = 8


def _fmt_default(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:,.1f}"
    return f"{value:,.2f}"


def _clip(text: str, limit: int = 27) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _with_unit(text: str, unit: str) -> str:
    return f"{text} {unit}" if unit else text


def _open(chart_id: str, height: float, title: str, desc: str) -> str:
    return (
        f'<svg class="toolchart" viewBox="0 0 {WIDTH} {height:.0f}" width="100%" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
    )


@dataclass
class Bar:
    label: str
    value: float | None
    note: str = "unknown"  # shown instead of a bar when value is None
    colour: str = PALETTE[0]


def bar_chart(
    chart_id: str,
    title: str,
    bars: Sequence[Bar],
    *,
    unit: str,
    fmt: Callable[[float], str] = _fmt_default,
) -> SafeString:
    """One horizontal bar per row on a shared scale; a row without a value shows its note."""
    if not bars:
        return mark_safe("")
    biggest = max((b.value for b in bars if b.value is not None), default=0.0) or 1.0
    span = WIDTH - LABEL_W - VALUE_W
    row_h = BAR_H + ROW_GAP
    height = len(bars) * row_h + ROW_GAP
    desc = "; ".join(
        f"{b.label}: {_with_unit(fmt(b.value), unit) if b.value is not None else b.note}"
        for b in bars
    )
    out = [_open(chart_id, height, title, desc)]
    for i, b in enumerate(bars):
        y = ROW_GAP / 2 + i * row_h
        out.append(
            f'<text x="{LABEL_W - 8}" y="{y + 12}" text-anchor="end" class="tc-label">'
            f"{escape(_clip(b.label))}<title>{escape(b.label)}</title></text>"
        )
        if b.value is None:
            out.append(f'<text x="{LABEL_W}" y="{y + 12}" class="tc-note">{escape(b.note)}</text>')
            continue
        w = max(b.value / biggest * span, 1.0) if b.value > 0 else 0.0
        out.append(
            f'<rect x="{LABEL_W}" y="{y}" width="{w:.1f}" height="{BAR_H}" fill="{b.colour}">'
            f"<title>{escape(b.label)}: {escape(_with_unit(fmt(b.value), unit))}</title></rect>"
            f'<text x="{LABEL_W + w + 6:.1f}" y="{y + 12}" class="tc-value">'
            f"{escape(_with_unit(fmt(b.value), unit))}</text>"
        )
    out.append("</svg>")
    # In a box of its own that scrolls on a phone: the text never shrinks below 11 px.
    return mark_safe('<div class="chart-scroll">' + "".join(out) + "</div>")


@dataclass
class Group:
    label: str
    values: list[float | None]  # one per series
    notes: list[str] = field(default_factory=list)  # per series, shown when the value is None


def grouped_bar_chart(
    chart_id: str,
    title: str,
    groups: Sequence[Group],
    series: Sequence[str],
    *,
    unit: str,
    fmt: Callable[[float], str] = _fmt_default,
) -> SafeString:
    """For each group (a model) one bar per series (a device), all on one scale."""
    if not groups or not series:
        return mark_safe("")
    values = [v for g in groups for v in g.values if v is not None]
    biggest = max(values, default=0.0) or 1.0
    span = WIDTH - LABEL_W - VALUE_W
    bar_h, gap = 12, 3
    group_h = len(series) * (bar_h + gap) + 12
    legend_rows = math.ceil(len(series) / 2)
    height = len(groups) * group_h + legend_rows * 20 + 10
    parts = []
    for g in groups:
        cells = []
        for s, name in enumerate(series):
            v = g.values[s] if s < len(g.values) else None
            note = g.notes[s] if s < len(g.notes) and g.notes[s] else "unknown"
            cells.append(f"{name} {fmt(v) + ' ' + unit if v is not None else note}")
        parts.append(f"{g.label}: " + ", ".join(cells))
    out = [_open(chart_id, height, title, "; ".join(parts))]
    for i, g in enumerate(groups):
        y0 = i * group_h + 4
        mid = y0 + (len(series) * (bar_h + gap)) / 2 + 4
        out.append(
            f'<text x="{LABEL_W - 8}" y="{mid:.0f}" text-anchor="end" class="tc-label">'
            f"{escape(_clip(g.label))}<title>{escape(g.label)}</title></text>"
        )
        for s, name in enumerate(series):
            y = y0 + s * (bar_h + gap)
            v = g.values[s] if s < len(g.values) else None
            colour = PALETTE[s % len(PALETTE)]
            if v is None:
                note = g.notes[s] if s < len(g.notes) and g.notes[s] else "unknown"
                out.append(
                    f'<rect x="{LABEL_W}" y="{y}" width="3" height="{bar_h}" fill="{colour}"/>'
                    f'<text x="{LABEL_W + 8}" y="{y + 10}" class="tc-note">{escape(note)}'
                    f"<title>{escape(name)}: {escape(note)}</title></text>"
                )
                continue
            w = max(v / biggest * span, 1.0) if v > 0 else 0.0
            out.append(
                f'<rect x="{LABEL_W}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{colour}">'
                f"<title>{escape(name)}, {escape(g.label)}: {escape(fmt(v))} {escape(unit)}"
                f"</title></rect>"
                f'<text x="{LABEL_W + w + 5:.1f}" y="{y + 10}" class="tc-value">'
                f"{escape(fmt(v))}</text>"
            )
    ly = len(groups) * group_h + 8
    for s, name in enumerate(series):
        x = 8 + (s % 2) * (WIDTH / 2)
        y = ly + (s // 2) * 20
        out.append(
            f'<rect x="{x:.0f}" y="{y}" width="12" height="12" fill="{PALETTE[s % len(PALETTE)]}"/>'
            f'<text x="{x + 18:.0f}" y="{y + 11}" class="tc-legend">{escape(_clip(name, 40))}</text>'
        )
    out.append("</svg>")
    # In a box of its own that scrolls on a phone: the text never shrinks below 11 px.
    return mark_safe('<div class="chart-scroll">' + "".join(out) + "</div>")


@dataclass
class Line:
    label: str
    ys: list[float | None]
    colour: str = PALETTE[0]
    dashed: bool = False


def nice_step(span: float, ticks: int = 5) -> float:
    """A round tick step (1, 2, 2.5 or 5 × 10^n) giving about `ticks` ticks over `span`."""
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * magnitude:
            return m * magnitude
    return 10 * magnitude


def line_chart(
    chart_id: str,
    title: str,
    xs: Sequence[float],
    lines: Sequence[Line],
    *,
    x_label: str,
    y_fmt: Callable[[float], str] = _fmt_default,
    markers: Sequence[tuple[float, str]] = (),
) -> SafeString:
    """Lines over a shared x axis from 0; `markers` are labelled vertical lines at x values."""
    ys = [y for line in lines for y in line.ys if y is not None and math.isfinite(y)]
    if not xs or not ys:
        return mark_safe("")
    left, right, top, bottom = 70, 16, 12, 46
    legend_h = 20 * len(lines)
    plot_h = 220
    height = top + plot_h + bottom + legend_h
    x_max = max(xs) or 1.0
    step = nice_step(max(ys))
    y_max = step * max(1, math.ceil(max(ys) / step))
    pw = WIDTH - left - right

    def px(x: float) -> float:
        return left + x / x_max * pw

    def py(y: float) -> float:
        return top + plot_h - y / y_max * plot_h

    desc = "; ".join(
        f"{line.label}: "
        + ", ".join(
            f"{x:g}: {y_fmt(y)}"
            for x, y in zip(xs, line.ys, strict=False)
            if y is not None and (x == xs[-1] or x % 12 == 0)
        )
        for line in lines
    )
    out = [_open(chart_id, height, title, desc)]
    tick = 0.0
    while tick <= y_max + 1e-9:
        y = py(tick)
        out.append(
            f'<line x1="{left}" x2="{WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}" class="tc-grid"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="tc-axis">'
            f"{escape(y_fmt(tick))}</text>"
        )
        tick += step
    x_step = nice_step(x_max, 6)
    x_step = max(x_step, 1.0)
    tx = 0.0
    while tx <= x_max + 1e-9:
        x = px(tx)
        out.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top + plot_h}" y2="{top + plot_h + 4}" '
            f'class="tc-axisline"/>'
            f'<text x="{x:.1f}" y="{top + plot_h + 17}" text-anchor="middle" class="tc-axis">'
            f"{tx:g}</text>"
        )
        tx += x_step
    out.append(
        f'<line x1="{left}" x2="{WIDTH - right}" y1="{top + plot_h}" y2="{top + plot_h}" '
        f'class="tc-axisline"/>'
        f'<text x="{left + pw / 2:.0f}" y="{top + plot_h + 36}" text-anchor="middle" '
        f'class="tc-axis">{escape(x_label)}</text>'
    )
    for mx, label in markers:
        if 0 <= mx <= x_max:
            x = px(mx)
            out.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{top + plot_h}" '
                f'class="tc-marker" stroke-dasharray="3 3"/>'
                f'<text x="{x + 4:.1f}" y="{top + 12}" class="tc-note">{escape(label)}</text>'
            )
    for line in lines:
        points = [
            f"{px(x):.1f},{py(y):.1f}"
            for x, y in zip(xs, line.ys, strict=False)
            if y is not None and math.isfinite(y)
        ]
        if not points:
            continue
        dash = ' stroke-dasharray="6 4"' if line.dashed else ""
        out.append(
            f'<polyline points="{" ".join(points)}" fill="none" stroke="{line.colour}" '
            f'stroke-width="2.5"{dash}><title>{escape(line.label)}</title></polyline>'
        )
    ly = top + plot_h + bottom
    for i, line in enumerate(lines):
        y = ly + i * 20
        dash = ' stroke-dasharray="6 4"' if line.dashed else ""
        out.append(
            f'<line x1="{left}" x2="{left + 24}" y1="{y + 6}" y2="{y + 6}" stroke="{line.colour}" '
            f'stroke-width="2.5"{dash}/>'
            f'<text x="{left + 32}" y="{y + 10}" class="tc-legend">{escape(line.label)}</text>'
        )
    out.append("</svg>")
    # In a box of its own that scrolls on a phone: the text never shrinks below 11 px.
    return mark_safe('<div class="chart-scroll">' + "".join(out) + "</div>")
