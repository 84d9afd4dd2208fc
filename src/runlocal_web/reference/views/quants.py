"""Quantization types: the measured table of every GGUF type and a page per type."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from runlocal.quant_loss import REFERENCE_MODEL
from runlocal_web.lib.labels import LOSS_LABELS
from runlocal_web.lib.pages import Page, respond

from .. import quants as q
from ..content import catalog, entry_meta, resolve_or_missing


def _sources(entry_sources: list[str], rows: list[dict[str, Any]]) -> list[str]:
    """The record's sources, then any measurement source it does not already cite."""
    return list(dict.fromkeys([*entry_sources, *(r["source"] for r in rows if r["source"])]))


def quant_list(request: HttpRequest) -> HttpResponse:
    _digest, cat = catalog()
    path = reverse("reference:quant_list")
    sizes = q.size_models(cat)
    entries = q.sorted_quants(cat)
    rows = [q.quant_row(cat, e, sizes) for e in entries]
    sources: list[str] = []
    for e in entries:
        sources.extend(e.sources)
    page = Page(
        title="GGUF quantization types compared: size and measured quality loss",
        description=(
            "Every GGUF quantization type, 2-bit to F16, with its bits per weight, the download "
            f"size of an 8B and a 70B model, and llama.cpp's measured KL divergence, perplexity "
            f"increase and top-token agreement against FP16 on {REFERENCE_MODEL}."
        ),
        breadcrumbs=[("Home", "/"), ("Quantization types", path)],
        canonical_path=path,
    )
    latest = max((e.last_verified for e in entries if e.last_verified), default=None)
    reviewers = sorted({e.reviewed_by for e in entries if e.reviewed_by})
    data = {
        "count": len(rows),
        "reference_model": REFERENCE_MODEL,
        "size_models": [{k: v for k, v in s.items() if k != "spec"} for s in sizes],
        "quants": rows,
        "sources": list(dict.fromkeys(sources)),
        "last_verified": latest,
        "reviewed_by": ", ".join(reviewers),
    }
    context = {
        "chart": q.kld_chart(rows),
        "loss_labels": LOSS_LABELS,
        "glossary_url": reverse("reference:glossary_term", args=["quantization"])
        if "quantization" in cat.glossary
        else None,
    }
    return respond(request, "reference/quant_list.html", page, data, context=context)


def _in_practice(
    name: str,
    ref: dict[str, Any] | None,
    bits: float | None,
    models: list[dict[str, Any]],
    losses: list[dict[str, Any]],
) -> list[str]:
    """Plain sentences with the numbers: what the type does to answers and to memory."""
    out = []
    if ref is not None:
        if ref["top1_agreement"] is not None:
            differ = 100 - ref["top1_agreement"]
            out.append(
                f"On {ref['model']}, the most likely next token at {name} is the same as at "
                f"FP16 {ref['top1_agreement']:.1f}% of the time: about {differ:.0f} tokens in "
                f"100 would be picked differently by greedy decoding."
            )
        if ref["ppl_increase_pct"] is not None:
            out.append(
                f"Perplexity on Wikitext-2 rises {ref['ppl_increase_pct']:.1f}% over FP16 "
                f"({ref['ppl_f16']:.4g} → {ref['ppl']:.4g}); the mean KL divergence from the "
                f"FP16 model's token probabilities is "
                + (f"{ref['kld']:.4g}." if ref["kld"] is not None else "not published.")
            )
    for s in models:
        gb, full = s["weights_gb"], s["f16_gb"]
        if gb is not None:
            text = f"{s['name']}'s weights take about {gb:g} GB at {name}"
            if full and full != gb:
                text += f", {gb / full:.0%} of the {full:g} GB at F16"
            out.append(text + " (before the KV cache and buffers).")
    for loss in losses:
        if loss["ppl_increase_pct"] is not None:
            out.append(
                f"At {loss['params_b']:g}B parameters runlocal expects a "
                f"{loss['ppl_increase_pct']:.1f}% perplexity increase: a {loss['bucket']} loss "
                "(larger models lose less to the same quantization)."
            )
    if bits is not None and not out:
        out.append(f"{name} stores about {bits:g} bits per weight.")
    return out


def quant_detail(request: HttpRequest, slug: str) -> HttpResponse:
    list_url = reverse("reference:quant_list")
    found = resolve_or_missing(
        request,
        "quants",
        slug,
        noun="quantization type",
        list_label="Quantization types",
        list_url=list_url,
    )
    if isinstance(found, HttpResponse):
        return found
    e = found
    _digest, cat = catalog()
    url = reverse("reference:quant_detail", args=[e.id])
    name = q.quant_name(e)
    bits = q.bits_of(e)
    rows = q.measurement_rows(e)
    ref = q.reference_row(e)
    sizes = q.size_models(cat)
    models = [
        {
            **{k: v for k, v in s.items() if k != "spec"},
            "weights_gb": q.weight_gb(s, name),
            "f16_gb": q.weight_gb(s, "F16"),
        }
        for s in sizes
    ]
    if ref is not None:
        for r in rows:
            r["reference"] = r == ref
    losses = [q.loss_at(cat, name, 8.0), q.loss_at(cat, name, 70.0)]
    ordered = q.sorted_quants(cat)
    i = ordered.index(e)
    neighbours = {
        "fewer_bits": ordered[i - 1] if i > 0 else None,
        "more_bits": ordered[i + 1] if i + 1 < len(ordered) else None,
    }
    meta = entry_meta(e)
    meta["sources"] = _sources(meta["sources"], rows)
    data = {
        "quant": {**meta, "quant": name, "bits_per_weight": bits},
        "reference": ref,
        "measurements": rows,
        "size_models": models,
        "loss": losses,
        "in_practice": _in_practice(name, ref, bits, models, losses),
        "neighbours": {
            k: (
                {
                    "id": n.id,
                    "name": q.quant_name(n),
                    "url": reverse("reference:quant_detail", args=[n.id]),
                }
                if n is not None
                else None
            )
            for k, n in neighbours.items()
        },
    }
    summary = f"{name}: {bits:g} bits per weight" if bits is not None else name
    if ref is not None and ref["ppl_increase_pct"] is not None:
        summary += f", perplexity +{ref['ppl_increase_pct']:.1f}% vs FP16 on {ref['model']}"
    page = Page(
        title=f"{e.name}: size and measured quality loss",
        # Not describe(): its markdown clean-up would turn Q4_K_M into Q4KM.
        description=summary
        + f"; a {losses[0]['bucket']} loss at 8B, {losses[1]['bucket']} at 70B.",
        breadcrumbs=[("Home", "/"), ("Quantization types", list_url), (name, url)],
        canonical_path=url,
    )
    # The notes lead the page; the Sources block below carries the rest of the provenance.
    context = {"loss_labels": LOSS_LABELS, "provenance": {**meta, "notes": ""}}
    return respond(request, "reference/quant_detail.html", page, data, context=context)
