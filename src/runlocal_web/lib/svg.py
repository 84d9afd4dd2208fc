"""The memory chart: one stacked bar per device, drawn as inline SVG on the server."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from runlocal.units import GIB

# Okabe–Ito colours: distinguishable with the common forms of colour blindness.
SEGMENTS = (
    ("weights_bytes", "Weights", "#0072b2"),
    ("kv_cache_bytes", "KV cache", "#e69f00"),
    ("compute_bytes", "Compute buffers", "#009e73"),
    ("overhead_bytes", "Runtime overhead", "#8c8c8c"),
)
OVER_COLOUR = "#d55e00"
WIDTH = 640
LABEL_H = 18
BAR_H = 22
ROW_GAP = 16
PAD_X = 2


@dataclass
class ChartRow:
    label: str
    parts: dict[str, int]  # segment key → bytes
    budget_bytes: int
    budget_known: bool = True

    @property
    def total_bytes(self) -> int:
        return sum(self.parts.get(key, 0) for key, _, _ in SEGMENTS)


def _gib(n: float) -> str:
    g = n / GIB
    return f"{g:,.2f} GiB" if g < 10 else f"{g:,.1f} GiB"


def memory_chart(rows: list[ChartRow], title: str) -> SafeString:
    """Bars share one scale so devices compare at a glance; the dashed line is each budget."""
    if not rows:
        return mark_safe("")
    biggest = max(max(r.total_bytes, r.budget_bytes) for r in rows) or 1
    scale = (WIDTH - 2 * PAD_X) / (biggest * 1.02)
    row_h = LABEL_H + BAR_H + ROW_GAP
    legend_y = len(rows) * row_h + 4
    height = legend_y + 22
    out: list[str] = []
    summary = "; ".join(
        f"{r.label}: {_gib(r.total_bytes)} of {_gib(r.budget_bytes)}"
        + ("" if r.budget_known else " (size not given)")
        for r in rows
    )
    out.append(
        f'<svg class="memchart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-labelledby="memchart-title memchart-desc" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="memchart-title">{escape(title)}</title>'
        f'<desc id="memchart-desc">{escape(summary)}</desc>'
    )
    for i, row in enumerate(rows):
        y0 = i * row_h
        bar_y = y0 + LABEL_H
        used = row.total_bytes
        if row.budget_known:
            status = f"{_gib(used)} of {_gib(row.budget_bytes)}"
            if used > row.budget_bytes:
                status += f" (over by {_gib(used - row.budget_bytes)})"
        else:
            status = f"{_gib(used)} needed (amount not given)"
        out.append(
            f'<text x="{PAD_X}" y="{y0 + 13}" class="memchart-label">{escape(row.label)}</text>'
            f'<text x="{WIDTH - PAD_X}" y="{y0 + 13}" text-anchor="end" '
            f'class="memchart-value">{escape(status)}</text>'
        )
        budget_w = row.budget_bytes * scale
        if row.budget_known:
            out.append(
                f'<rect x="{PAD_X}" y="{bar_y}" width="{budget_w:.1f}" height="{BAR_H}" '
                f'class="memchart-budget" fill="#eef1f5"/>'
            )
        x = float(PAD_X)
        for key, name, colour in SEGMENTS:
            w = row.parts.get(key, 0) * scale
            if w < 0.5:
                continue
            out.append(
                f'<rect x="{x:.1f}" y="{bar_y}" width="{w:.1f}" height="{BAR_H}" fill="{colour}">'
                f"<title>{escape(name)}: {_gib(row.parts.get(key, 0))}</title></rect>"
            )
            x += w
        if row.budget_known:
            bx = PAD_X + budget_w
            colour = OVER_COLOUR if used > row.budget_bytes else "currentColor"
            out.append(
                f'<line x1="{bx:.1f}" x2="{bx:.1f}" y1="{bar_y - 3}" y2="{bar_y + BAR_H + 3}" '
                f'stroke="{colour}" stroke-width="2" stroke-dasharray="4 3">'
                f"<title>budget: {_gib(row.budget_bytes)}</title></line>"
            )
    lx = float(PAD_X)
    for _key, name, colour in SEGMENTS:
        out.append(
            f'<rect x="{lx:.0f}" y="{legend_y + 4}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{lx + 16:.0f}" y="{legend_y + 14}" class="memchart-legend">{escape(name)}</text>'
        )
        lx += 22 + 7.5 * len(name)
    out.append(
        f'<line x1="{lx:.0f}" x2="{lx:.0f}" y1="{legend_y + 2}" y2="{legend_y + 18}" '
        f'stroke="currentColor" stroke-width="2" stroke-dasharray="4 3"/>'
        f'<text x="{lx + 6:.0f}" y="{legend_y + 14}" class="memchart-legend">memory budget</text>'
    )
    out.append("</svg>")
    # In a box of its own that scrolls on a phone: the text never shrinks below 11 px.
    return mark_safe('<div class="chart-scroll">' + "".join(out) + "</div>")
