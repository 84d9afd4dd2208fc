"""Benchmarks: every published measurement row, filterable, and one page per benchmark set.

Each row keeps its evidence: where it was published, the command that reproduces it and a
trust label. Rows transcribed from a publication are "published"; community submissions go
"queued" → "approved" → "reproduced", and queued rows are shown only when asked for.
"""

from __future__ import annotations

import weakref
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from runlocal.catalog import Catalog, Entry
from runlocal_web.lib.labels import BACKEND_LABELS
from runlocal_web.lib.pages import Page, page_of, path_with_query, respond

from ..content import (
    EDITORIAL,
    as_list,
    catalog,
    describe,
    entry_meta,
    label,
    link,
    resolve_or_missing,
    sorted_entries,
    text,
)
from ..forms import METRIC_LABELS, TRUST_LABELS, BenchmarkFilterForm

PER_PAGE = 100
METRIC_SHORT = {"tg_tok_s": "Decode", "pp_tok_s": "Prefill"}
HIDDEN_TRUST = ("queued",)  # never published until an editor approves them


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def test_label(metric: str, prompt: int | None, gen: int | None, depth: int | None) -> str:
    """llama-bench's names: pp512, tg128, with '@ d4096' for a prefilled context."""
    if metric == "pp_tok_s" and prompt:
        name = f"pp{prompt}"
    elif metric == "tg_tok_s" and gen:
        name = f"tg{gen}"
    else:
        name = METRIC_LABELS.get(metric, metric)
    return f"{name} @ d{depth}" if depth else name


def set_rows(b: Entry, cat: Catalog) -> list[dict[str, Any]]:
    """The result rows of one benchmark set, each with its evidence."""
    hardware = link("hardware", text(b.get("hardware")), cat)
    default_trust = text(b.get("trust")) or "published"
    source = next(iter(b.sources), "")
    set_url = reverse("reference:benchmark_detail", args=[b.id])
    rows = []
    for i, r in enumerate(as_list(b.get("results")), start=1):
        if not isinstance(r, dict):
            continue
        metric = text(r.get("metric"))
        trust = text(r.get("trust")) or default_trust
        prompt, gen = _int(r.get("prompt_tokens")), _int(r.get("gen_tokens"))
        depth = _int(r.get("context_tokens"))
        backend = text(r.get("backend"))
        rows.append(
            {
                "id": f"{b.id}-r{i}",
                "set": {"id": b.id, "name": b.name, "url": set_url},
                "anchor": f"{set_url}#r{i}",
                "hardware": hardware,
                "model": link("models", text(r.get("model")), cat),
                "quant": text(r.get("quant")),
                "runtime": text(r.get("runtime")),
                "backend": backend,
                "backend_label": label(BACKEND_LABELS, backend) if backend else "",
                "n_devices": _int(r.get("n_devices")) or 1,
                "metric": metric,
                "metric_label": METRIC_LABELS.get(metric, metric),
                "metric_short": METRIC_SHORT.get(metric, metric),
                "test": test_label(metric, prompt, gen, depth),
                "prompt_tokens": prompt,
                "gen_tokens": gen,
                "context_tokens": depth,
                "value": _number(r.get("value")),
                "build": text(r.get("build")),
                "command": text(r.get("command")),
                "notes": text(r.get("notes")),
                "trust": trust,
                "trust_label": TRUST_LABELS.get(trust, trust),
                "source": text(r.get("source")) or source,
            }
        )
    return rows


_ALL_ROWS: weakref.WeakKeyDictionary[Catalog, tuple[dict[str, Any], ...]] = (
    weakref.WeakKeyDictionary()
)


def all_rows(cat: Catalog) -> tuple[dict[str, Any], ...]:
    """Every result row of the catalog, built once per loaded catalog (a synced catalog is
    immutable; model and hardware pages each filter these). Callers must not change rows."""
    rows = _ALL_ROWS.get(cat)
    if rows is None:
        built: list[dict[str, Any]] = []
        for b in sorted_entries(cat.benchmarks.values()):
            built.extend(set_rows(b, cat))
        rows = _ALL_ROWS[cat] = tuple(built)
    return rows


def _choices(rows: list[dict[str, Any]]) -> dict[str, list[tuple[str, str]]]:
    models = {r["model"]["id"]: r["model"]["name"] for r in rows if r["model"]["id"]}
    hardware = {r["hardware"]["id"]: r["hardware"]["name"] for r in rows if r["hardware"]["id"]}
    quants = sorted({r["quant"] for r in rows if r["quant"]})
    backends = sorted({r["backend"] for r in rows if r["backend"]})
    return {
        "model": sorted(models.items(), key=lambda kv: kv[1].casefold()),
        "hardware": sorted(hardware.items(), key=lambda kv: kv[1].casefold()),
        "quant": [(q, q) for q in quants],
        "backend": [(b, label(BACKEND_LABELS, b)) for b in backends],
    }


SORT_KEYS = {
    "hardware": lambda r: (r["hardware"]["name"].casefold(), r["model"]["name"].casefold()),
    "model": lambda r: (r["model"]["name"].casefold(), r["hardware"]["name"].casefold()),
    "fastest": lambda r: -(r["value"] or 0.0),
}


def benchmark_list(request: HttpRequest) -> HttpResponse:
    _digest, cat = catalog()
    path = reverse("reference:benchmark_list")
    everything = all_rows(cat)
    form = BenchmarkFilterForm(request.GET or None, values=_choices(everything))
    status = 200
    rows = [r for r in everything if r["trust"] not in HIDDEN_TRUST]
    if form.is_bound and not form.is_valid():
        status = 400
    elif form.is_bound:
        d = form.cleaned_data
        if d.get("trust"):
            rows = [r for r in everything if r["trust"] == d["trust"]]
        for key in ("model", "hardware"):
            if d.get(key):
                rows = [r for r in rows if r[key]["id"] == d[key]]
        for key in ("quant", "backend", "metric"):
            if d.get(key):
                rows = [r for r in rows if r[key] == d[key]]
    sort = (form.cleaned_data.get("sort") if form.is_bound and status == 200 else "") or "hardware"
    rows.sort(key=SORT_KEYS[sort])
    paginator = Paginator(rows, PER_PAGE)
    page_obj = page_of(paginator, request)
    filters = form.active()
    pagination: dict[str, Any] = {
        "page": page_obj.number,
        "pages": paginator.num_pages,
        "per_page": PER_PAGE,
    }
    if page_obj.has_previous():
        pagination["previous"] = path_with_query(
            path, {**filters, "page": page_obj.previous_page_number()}
        )
    if page_obj.has_next():
        pagination["next"] = path_with_query(path, {**filters, "page": page_obj.next_page_number()})
    page = Page(
        title="Local AI benchmarks: measured tokens per second, with sources",
        description=(
            "Published llama.cpp measurements of decode and prefill speed by model, hardware, "
            "quantization and backend; every row with its source and the command to reproduce it."
        ),
        breadcrumbs=[("Home", "/"), ("Benchmarks", path)],
        canonical_path=path,
        noindex=bool(filters) or page_obj.number > 1 or status != 200,
    )
    data: dict[str, Any] = {
        "filters": filters,
        "count": paginator.count,
        "sets": len(cat.benchmarks),
        "pagination": pagination,
        "results": list(page_obj.object_list),
        "protocol_url": protocol_url(cat),
    }
    if status != 200:
        data["errors"] = {k: list(v) for k, v in form.errors.items()}
    context = {"form": form, "rows": page_obj.object_list, "trust_labels": TRUST_LABELS}
    return respond(
        request, "reference/benchmark_list.html", page, data, context=context, status=status
    )


def protocol_url(cat: Catalog) -> str:
    """Where the capture protocol is explained: its own page when written, else Methodology."""
    if "benchmark-protocol" in cat.entries("pages"):
        return reverse("reference:benchmark_protocol")
    return EDITORIAL["methodology"][0] + "#benchmarks"


def benchmark_detail(request: HttpRequest, slug: str) -> HttpResponse:
    list_url = reverse("reference:benchmark_list")
    found = resolve_or_missing(
        request,
        "benchmarks",
        slug,
        noun="benchmark set",
        list_label="Benchmarks",
        list_url=list_url,
    )
    if isinstance(found, HttpResponse):
        return found
    b = found
    _digest, cat = catalog()
    url = reverse("reference:benchmark_detail", args=[b.id])
    rows = set_rows(b, cat)
    commands = list(dict.fromkeys(r["command"] for r in rows if r["command"]))
    hardware = link("hardware", text(b.get("hardware")), cat)
    data = {
        "benchmark": {
            **entry_meta(b),
            "trust": text(b.get("trust")) or "published",
            "trust_label": TRUST_LABELS.get(text(b.get("trust")) or "published", ""),
            "capture": text(b.get("capture")),
        },
        "hardware": hardware,
        "results": rows,
        "commands": commands,
        "protocol_url": protocol_url(cat),
        "filtered_url": path_with_query(list_url, {"hardware": hardware["id"]})
        if hardware["url"]
        else None,
    }
    page = Page(
        title=f"{b.name}",
        description=describe(
            f"{len(rows)} measured results on {hardware['name']}, each with its source and the "
            "command that reproduces it.",
            fallback="",
        ),
        breadcrumbs=[("Home", "/"), ("Benchmarks", list_url), (b.name, url)],
        canonical_path=url,
    )
    return respond(request, "reference/benchmark_detail.html", page, data)
