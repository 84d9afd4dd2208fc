"""The quantization tables (catalog `quants/`) as the site shows them: one row per type, the
weight size of an 8B and a 70B model, the loss on the reference model, and a KLD chart.

The numbers are the catalog's (llama.cpp's perplexity / KL-divergence tables) and the loss
buckets are `runlocal.quant_loss`'s, so a page and an engine answer always agree.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from runlocal.catalog import Catalog, Entry
from runlocal.errors import RunlocalError
from runlocal.quality import quality_model
from runlocal.quant_loss import LIKE_GGUF, REFERENCE_MODEL, QuantTable
from runlocal.sources import inventory_for, resolve_model
from runlocal.weights import normalize_quant

# The models the size columns are worked out for: the first of these the catalog has, else
# the dense catalog model with an architecture nearest the size (within 15%).
SIZE_MODELS = {
    8.0: ("llama-3.1-8b-instruct", "llama-3-8b"),
    70.0: ("llama-3.1-70b-instruct", "llama-3.3-70b-instruct", "llama-3-70b"),
}
SIZE_TOLERANCE = 0.15


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def quant_name(e: Entry) -> str:
    value = e.get("quant")
    return value.strip() if isinstance(value, str) and value.strip() else e.id.upper()


def bits_of(e: Entry) -> float | None:
    return _number(e.get("bits_per_weight"))


def sorted_quants(cat: Catalog) -> list[Entry]:
    """Every quantization type, fewest bits per weight first (unknown last)."""
    return sorted(
        cat.quants.values(),
        key=lambda e: (bits_of(e) is None, bits_of(e) or 0.0, quant_name(e), e.id),
    )


def find_quant(cat: Catalog, quant: str) -> Entry | None:
    """The catalog's page for an engine quantization name ('Q4_K_M', 'MXFP4_MOE', 'AWQ-4BIT'
    read as its GGUF equivalent), or None."""
    name = quant.strip().upper()
    if name.endswith("_MOE"):
        name = name[: -len("_MOE")]
    name = LIKE_GGUF.get(name, name)
    for e in cat.quants.values():
        if quant_name(e).upper() == name:
            return e
    return None


def quant_url(cat: Catalog, quant: str) -> str | None:
    e = find_quant(cat, quant)
    return reverse("reference:quant_detail", args=[e.id]) if e is not None else None


def measurement_rows(e: Entry) -> list[dict[str, Any]]:
    out = []
    for m in e.get("measurements") or []:
        if not isinstance(m, Mapping):
            continue
        ppl, f16 = _number(m.get("ppl")), _number(m.get("ppl_f16"))
        increase = (ppl / f16 - 1) * 100 if ppl and f16 else None
        source = m.get("source")
        out.append(
            {
                "model": str(m.get("model") or ""),
                "ppl": ppl,
                "ppl_f16": f16,
                "ppl_increase_pct": round(increase, 2) if increase is not None else None,
                "kld": _number(m.get("kld")),
                "top1_agreement": _number(m.get("top1_agreement")),
                "imatrix": str(m.get("imatrix") or ""),
                "source": source if isinstance(source, str) else "",
                "date": m.get("date"),
                "note": str(m.get("note") or ""),
            }
        )
    return out


def reference_row(e: Entry) -> dict[str, Any] | None:
    """The measurement the loss rests on: LLaMA 3 8B without an importance matrix (as
    `runlocal.quant_loss.QuantTable.reference` picks it)."""
    raw = tuple(m for m in e.get("measurements") or [] if isinstance(m, Mapping))
    ref = QuantTable(quant_name(e), bits_of(e), raw).reference()
    if ref is None:
        return None
    rows = measurement_rows(e)
    return rows[raw.index(ref)]


def _size_model(cat: Catalog, params_b: float) -> Entry | None:
    for eid in SIZE_MODELS.get(params_b, ()):
        if eid in cat.models and isinstance(cat.models[eid].get("architecture"), dict):
            return cat.models[eid]
    best: tuple[float, str, Entry] | None = None
    for m in cat.models.values():
        total = _number(m.get("params_total_b"))
        active = _number(m.get("params_active_b"))
        if total is None or not isinstance(m.get("architecture"), dict):
            continue
        if active is not None and active < total:  # a mixture of experts
            continue
        off = abs(math.log(total / params_b))
        if off <= math.log(1 + SIZE_TOLERANCE) and (best is None or (off, m.id) < best[:2]):
            best = (off, m.id, m)
    return best[2] if best else None


def size_models(cat: Catalog) -> list[dict[str, Any]]:
    """[{params_b, id, name, url, spec}] of the models the size columns use."""
    out = []
    for params_b in SIZE_MODELS:
        m = _size_model(cat, params_b)
        if m is None:
            continue
        try:
            spec = resolve_model(m.id, cat, allow_files=False).spec
        except RunlocalError:
            continue
        out.append(
            {
                "params_b": params_b,
                "id": m.id,
                "name": m.name,
                "url": reverse("catalogdb:model_detail", args=[m.id]),
                "spec": spec,
            }
        )
    return out


def weight_gb(size_model: Mapping[str, Any], quant: str) -> float | None:
    """GB (10^9 bytes) of the model's weights at `quant`, by the engine's estimator; None for a
    type the estimator lacks or one for mixture-of-experts models only (MXFP4)."""
    try:
        name = normalize_quant(quant)
    except RunlocalError:
        return None
    if name.endswith("_MOE"):
        return None
    try:
        inv = inventory_for(size_model["spec"], None, name)
    except (RunlocalError, KeyError):
        return None
    return round(inv.total_bytes / 1e9, 1)


def loss_at(cat: Catalog, quant: str, params_b: float) -> dict[str, Any]:
    loss = quality_model(cat).quant_loss(quant, params_b)
    increase = (math.exp(loss.nats) - 1) * 100 if loss.nats is not None else None
    return {
        "params_b": params_b,
        "bucket": loss.bucket,
        "ppl_increase_pct": round(increase, 2) if increase is not None else None,
        "basis": loss.note,
    }


def quant_row(cat: Catalog, e: Entry, sizes: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    name = quant_name(e)
    ref = reference_row(e)
    return {
        "id": e.id,
        "name": e.name,
        "quant": name,
        "url": reverse("reference:quant_detail", args=[e.id]),
        "bits_per_weight": bits_of(e),
        "weights_gb": {f"{s['params_b']:g}b": weight_gb(s, name) for s in sizes},
        "reference": (
            {k: ref[k] for k in ("model", "kld", "ppl_increase_pct", "top1_agreement")}
            if ref
            else None
        ),
        "loss": loss_at(cat, name, 8.0)["bucket"],
    }


# --- the chart ------------------------------------------------------------------------------

WIDTH = 640
HEIGHT = 300
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 12, 44


LABEL_CHAR_W = 7.0  # about one character of the 12 px chart font
LABEL_H = 12.0
MAX_CHART_BITS = 10.0  # 16-bit types sit near zero and would squeeze the rest together


def _label_spot(
    cx: float,
    cy: float,
    w: float,
    placed: list[tuple[float, float, float, float]],
    dots: Sequence[tuple[float, float]],
) -> tuple[float, float, str]:
    """(x, baseline y, text-anchor) of a point's label: the first spot around it that
    overlaps no label placed so far and no other point, else the least crowded one."""
    spots = []
    for dx, dy in ((7, -5), (7, 12), (-7, -5), (-7, 12), (0, -9), (0, 20), (7, 26), (-7, -19)):
        x0 = cx + dx if dx >= 0 else cx + dx - w
        if dx == 0:
            x0 = cx - w / 2
        box = (x0, cy + dy - LABEL_H + 2, x0 + w, cy + dy + 2)
        inside = box[0] >= LEFT and box[2] <= WIDTH - RIGHT and box[1] >= TOP
        hits = sum(
            1 for b in placed if b[0] < box[2] and box[0] < b[2] and b[1] < box[3] and box[1] < b[3]
        ) + sum(
            1
            for px_, py_ in dots
            if (px_, py_) != (cx, cy)
            and box[0] - 4 < px_ < box[2] + 4
            and box[1] - 4 < py_ < box[3] + 4
        )
        spots.append((hits + (0 if inside else 10), len(spots), box, dx))
        if hits == 0 and inside:
            break
    _hits, _i, box, dx = min(spots)
    placed.append(box)
    anchor = "middle" if dx == 0 else "start" if dx > 0 else "end"
    x = (box[0] + box[2]) / 2 if dx == 0 else box[0] if dx > 0 else box[2]
    return x, box[3] - 2, anchor


def kld_chart(rows: Sequence[Mapping[str, Any]], chart_id: str = "kld-chart") -> SafeString:
    """KL divergence (log scale) against bits per weight, one labelled point per quantized
    type (the 16-bit ones are left out: their divergence is near zero)."""
    points = [
        (float(r["bits_per_weight"]), float(r["reference"]["kld"]), str(r["quant"]))
        for r in rows
        if r.get("bits_per_weight")
        and r.get("reference")
        and r["reference"].get("kld") is not None
        and r["reference"]["kld"] > 0
        and r["bits_per_weight"] <= MAX_CHART_BITS
    ]
    if len(points) < 2:
        return mark_safe("")
    x_lo = math.floor(min(p[0] for p in points)) - 0.5
    x_hi = math.ceil(max(p[0] for p in points)) + 0.5
    y_lo = math.floor(math.log10(min(p[1] for p in points)))
    y_hi = math.ceil(math.log10(max(p[1] for p in points)))
    if y_hi == y_lo:
        y_hi += 1
    pw, ph = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def px(x: float) -> float:
        return LEFT + (x - x_lo) / (x_hi - x_lo) * pw

    def py(y: float) -> float:
        return TOP + ph - (math.log10(y) - y_lo) / (y_hi - y_lo) * ph

    title = f"KL divergence vs FP16 on {REFERENCE_MODEL}, by bits per weight"
    desc = "; ".join(f"{q}: {x:.2f} bits, KLD {y:.3g}" for x, y, q in points)
    out = [
        f'<svg class="toolchart quantchart" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
    ]
    for k in range(y_lo, y_hi + 1):
        y = py(10.0**k)
        out.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="tc-grid"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" class="tc-axis">'
            f"{10.0**k:g}</text>"
        )
    bits = math.ceil(x_lo)
    step = 2 if x_hi - x_lo > 10 else 1
    while bits <= x_hi:
        x = px(bits)
        out.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP + ph}" y2="{TOP + ph + 4}" '
            f'class="tc-axisline"/>'
            f'<text x="{x:.1f}" y="{TOP + ph + 17}" text-anchor="middle" class="tc-axis">'
            f"{bits}</text>"
        )
        bits += step
    out.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + ph}" y2="{TOP + ph}" '
        f'class="tc-axisline"/>'
        f'<text x="{LEFT + pw / 2:.0f}" y="{HEIGHT - 6}" text-anchor="middle" class="tc-axis">'
        f"bits per weight</text>"
        f'<text x="14" y="{TOP + ph / 2:.0f}" text-anchor="middle" class="tc-axis" '
        f'transform="rotate(-90 14 {TOP + ph / 2:.0f})">KL divergence (log scale)</text>'
    )
    placed: list[tuple[float, float, float, float]] = []  # label boxes: x0, y0, x1, y1
    dots = [(px(x), py(y)) for x, y, _q in points]
    for x, y, q in sorted(points):
        cx, cy = px(x), py(y)
        out.append(
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="4" fill="#0072b2">'
            f"<title>{escape(q)}: {x:.2f} bits per weight, KLD {y:.3g}</title></circle>"
        )
        lx, ly, anchor = _label_spot(cx, cy, len(q) * LABEL_CHAR_W, placed, dots)
        out.append(
            f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="{anchor}" class="tc-legend">'
            f"{escape(q)}</text>"
        )
    out.append("</svg>")
    # In a box of its own that scrolls on a phone: the text never shrinks below 11 px.
    return mark_safe('<div class="chart-scroll">' + "".join(out) + "</div>")
