"""Compare hardware: two devices at /compare/hardware/<a>-vs-<b>/, or 2–6 at /compare/."""

from __future__ import annotations

import itertools
import re
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, QueryDict
from django.urls import reverse

from runlocal.catalog import Catalog, Entry
from runlocal.cost import tok_s_per_watt, usd_per_tok_s
from runlocal.engine import DEFAULT_RAM_GIB, CheckQuery
from runlocal.errors import InputError, UnknownNameError
from runlocal.runtimes import RUNTIMES
from runlocal_web.catalogdb.featured import featured_hardware, featured_models
from runlocal_web.catalogdb.store import current
from runlocal_web.checker.present import verdict_class, verdict_label
from runlocal_web.lib.engine import cached_answer
from runlocal_web.lib.pages import Page, path_with_query, respond
from runlocal_web.ops.limits import limited

from . import charts
from .common import (
    HardwarePick,
    guarded_check,
    hardware_names,
    model_url,
    resolve_hardware,
    spec_row,
)
from .forms import MAX_COMPARE, CompareForm

# Compare asks the engine with its defaults (a model's default quantization, the runtime's
# context, DEFAULT_RAM_GIB beside a discrete GPU): the same answers as Will it run? and the
# model and hardware pages. These name them in sentences.
QUANT = RUNTIMES["llama.cpp"].default_quant
CONTEXT = RUNTIMES["llama.cpp"].default_context
SEP = "-vs-"
_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9.+-]{0,99}$")
_PART_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._+-]{0,99}$")
TEMPLATE = "tools/compare.html"


def pair_url(a: str, b: str) -> str:
    return reverse("tools:compare_pair", args=[f"{a}{SEP}{b}"])


def compare_url(queries: list[str], ram_gb: float | None = None) -> str:
    params = [("hw", q) for q in queries]
    if ram_gb is not None:
        params.append(("ram_gb", f"{ram_gb:g}"))
    return path_with_query(reverse("tools:compare"), params)


def _canonical(picks: list[HardwarePick], ram_gb: float | None = None) -> str:
    """The pair address for two plain catalog devices, else /compare/?hw=…"""
    queries = [p.query for p in picks]
    if len(picks) == 2 and all(p.query == p.entry.id for p in picks) and ram_gb is None:
        return pair_url(*queries)
    return compare_url(queries, ram_gb)


# --- /compare/hardware/<a>-vs-<b>/ ----------------------------------------------------------


@limited("check")
def compare_pair(request: HttpRequest, pair: str) -> HttpResponse:
    digest, catalog = current()
    parts = pair.split(SEP)
    if len(parts) != 2 or not all(parts):
        return _pair_missing(request, pair, catalog, [None, None], [[], []])
    found: list[Entry | None] = []
    names: list[list[str]] = []
    for part in parts:
        entry, suggestions = _find(catalog, part)
        found.append(entry)
        names.append(suggestions)
    a, b = found
    if a is None or b is None:
        return _pair_missing(request, pair, catalog, found, names)
    if a.id == b.id:
        return _pair_missing(request, pair, catalog, found, names, same=True)
    if parts != [a.id, b.id]:
        target = pair_url(a.id, b.id)
        fmt = request.GET.get("format")
        return HttpResponsePermanentRedirect(
            path_with_query(target, {"format": fmt}) if fmt else target
        )
    picks = [resolve_hardware(catalog, a.id), resolve_hardware(catalog, b.id)]
    return _render(request, catalog, digest, picks, CompareForm(), {})


def _find(catalog: Catalog, part: str) -> tuple[Entry | None, list[str]]:
    if part in catalog.hardware:
        return catalog.hardware[part], []
    if not _PART_RE.match(part):
        return None, []
    try:
        return catalog.find_hardware(part), []
    except UnknownNameError as exc:
        return None, list(exc.suggestions)
    except InputError:
        return None, []


def _pair_missing(
    request: HttpRequest,
    pair: str,
    catalog: Catalog,
    found: list[Entry | None],
    names: list[list[str]],
    *,
    same: bool = False,
) -> HttpResponse:
    """A 404 whose suggestions are pair pages: each unknown side swapped for a close name."""
    by_name = {e.name: e.id for e in catalog.hardware.values()}
    options: list[list[str]] = []
    for entry, suggested in zip(found, names, strict=True):
        if entry is not None:
            options.append([entry.id])
        else:
            options.append([by_name[n] for n in suggested if n in by_name][:5])
    suggestions: list[dict[str, str]] = []
    if not same and all(options):
        for side in (0, 1):
            other = options[1 - side][0]
            for choice in options[side]:
                a, b = (choice, other) if side == 0 else (other, choice)
                if a != b:
                    item = {
                        "name": f"{catalog.hardware[a].name} vs {catalog.hardware[b].name}",
                        "url": pair_url(a, b),
                    }
                    if item not in suggestions:
                        suggestions.append(item)
    if same and found[0] is not None:
        suggestions.append(
            {"name": found[0].name, "url": reverse("catalogdb:hardware_detail", args=[found[0].id])}
        )
    shown = pair[:100]
    page = Page(
        title=f"No comparison called “{shown}”",
        description=(
            "Compare two different catalog devices: /compare/hardware/<first>-vs-<second>/."
            if same
            else "One of the two devices in this address is not in the runlocal catalog."
        ),
        breadcrumbs=[
            ("Home", "/"),
            ("Compare", reverse("tools:compare")),
            ("Not found", request.path),
        ],
        canonical_path=request.path,
        noindex=True,
    )
    unknown = next((p for p, e in zip(pair.split(SEP), found, strict=False) if e is None), shown)
    data = {
        "error": "the same device twice"
        if same
        else f"no hardware called {unknown[:100]!r} in the catalog",
        "suggestions": suggestions[:8],
        "search_url": path_with_query(
            reverse("catalogdb:hardware_list"), {"q": unknown[:100].replace("-", " ")}
        ),
    }
    return respond(
        request, "errors/not_found.html", page, data, context={"list_title": "Hardware"}, status=404
    )


# --- /compare/?hw=…&hw=… -------------------------------------------------------------------


@limited("check")
def compare(request: HttpRequest) -> HttpResponse:
    digest, catalog = current()
    typed = [v for v in request.GET.getlist("hw") if v.strip()]
    form = CompareForm(request.GET if typed else None)
    if len(typed) < 2 and "\x00" not in "".join(typed) and all(len(v) <= 100 for v in typed):
        # Nothing or one device so far (a box just removed): the form, with what is there.
        return _empty(request, catalog, form, typed)
    suggestions: list[dict[str, Any]] = []
    picks: list[HardwarePick] = []
    if form.is_valid():
        for text in form.cleaned_data["hw"]:
            try:
                pick = resolve_hardware(catalog, text)
            except UnknownNameError as exc:
                plain = type(exc) is UnknownNameError  # not ambiguous, not a size unsold
                form.add_error(
                    "hw",
                    exc.headline if plain else f"{text}: {exc}",
                )
                suggestions.append(
                    {"input": text, "suggestions": _swap_links(request.GET, text, exc.suggestions)}
                )
                continue
            except InputError as exc:
                form.add_error("hw", f"{text}: {exc}")
                continue
            if all(p.query != pick.query for p in picks):
                picks.append(pick)
        if not form.errors and len(picks) < 2:
            form.add_error("hw", "Pick at least two different devices.")
    if form.errors:
        page = Page(
            title="Compare hardware: check the form",
            description="Some of the devices need fixing before runlocal can compare them.",
            breadcrumbs=[("Home", "/"), ("Compare", reverse("tools:compare"))],
            canonical_path=reverse("tools:compare"),
            noindex=True,
        )
        data = {
            "query": {"hw": request.GET.getlist("hw")},
            "errors": {k or "__all__": list(v) for k, v in form.errors.items()},
            "suggestions": suggestions,
            "hardware": None,
        }
        context = _form_context(catalog, [v for v in request.GET.getlist("hw") if v.strip()])
        # The RAM box shows what was typed, a wrong value included, beside its error.
        context.update(suggestions=suggestions, form=form, ram_gb_value=_typed_ram(request))
        return respond(request, TEMPLATE, page, data, context=context, status=400)
    return _render(request, catalog, digest, picks, form, {}, form.cleaned_data.get("ram_gb"))


def _typed_ram(request: HttpRequest) -> str:
    return request.GET.get("ram_gb", "").strip()[:100]


def _swap_links(get: QueryDict, typed: str, names: list[str]) -> list[dict[str, str]]:
    out = []
    for name in names:
        values = [name if v.strip() == typed else v for v in get.getlist("hw")]
        out.append({"name": name, "url": compare_url(values)})
    return out


def _form_context(
    catalog: Catalog, values: list[str], labels: list[str] | None = None
) -> dict[str, Any]:
    """The boxes: one per device (shown by name, removed by link), one empty to add one."""
    values = values[:MAX_COMPARE]
    shown = labels or values
    boxes = [
        {
            "value": shown[i],
            "remove_url": compare_url([x for j, x in enumerate(values) if j != i]),
        }
        for i in range(len(values))
    ]
    if len(boxes) < MAX_COMPARE:
        boxes.append({"value": "", "remove_url": None})
    if len(boxes) < 2:
        boxes.append({"value": "", "remove_url": None})
    return {"boxes": boxes, "hardware_names": hardware_names(catalog)}


def _empty(
    request: HttpRequest, catalog: Catalog, form: CompareForm, typed: list[str]
) -> HttpResponse:
    featured = [h.id for h in featured_hardware() if h.id in catalog.hardware]
    pairs = [
        {
            "name": f"{catalog.hardware[a].name} vs {catalog.hardware[b].name}",
            "url": pair_url(a, b),
        }
        for a, b in itertools.pairwise(featured)
    ]
    page = Page(
        title="Compare hardware for local AI",
        description=(
            "Put two to six GPUs, Macs or CPUs side by side: memory, bandwidth, price per GB, "
            "and how fast each runs popular models, from the runlocal engine."
        ),
        breadcrumbs=[("Home", "/"), ("Compare", reverse("tools:compare"))],
        canonical_path=reverse("tools:compare"),
        noindex=bool(typed),
    )
    data = {"query": {"hw": typed} if typed else None, "hardware": None, "popular": pairs}
    context = {**_form_context(catalog, typed), "form": form, "ram_gb_value": _typed_ram(request)}
    return respond(request, TEMPLATE, page, data, context=context)


# --- the comparison ------------------------------------------------------------------------


def _render(
    request: HttpRequest,
    catalog: Catalog,
    digest: str,
    picks: list[HardwarePick],
    form: CompareForm,
    extra: dict[str, Any],
    ram_gb: float | None = None,
) -> HttpResponse:
    canonical = _canonical(picks, ram_gb)
    data = cached_answer(
        "compare",
        digest,
        (tuple(p.query for p in picks), ram_gb),
        lambda: compare_data(picks, catalog, digest, ram_gb),
    )
    names = [h["name"] for h in data["hardware"]]
    title = " vs ".join(names)
    page = Page(
        title=f"{title}: local AI compared",
        description=_clip(
            (data["verdict"][0] + " " if data["verdict"] else "")
            + f"Memory, bandwidth, price per GB and decode speed of {title} side by side."
        ),
        breadcrumbs=[("Home", "/"), ("Compare", reverse("tools:compare")), (title, canonical)],
        canonical_path=canonical,
    )
    query: dict[str, Any] = {"hw": [p.query for p in picks]}
    if ram_gb is not None:
        query["ram_gb"] = ram_gb
    data = {**data, "share_url": canonical, "query": query}
    context = _form_context(catalog, [p.query for p in picks], [p.label for p in picks])
    context["ram_gb_value"] = f"{ram_gb:g}" if ram_gb is not None else ""
    first_model = data["reference_model"] or (
        data["models"][0]["model"] if data["models"] else None
    )
    if first_model is not None:
        context["cost_url"] = path_with_query(
            reverse("tools:cost"), {"hardware": picks[0].query, "model": first_model["id"]}
        )
    context.update(
        form=form,
        spec_table=_spec_table(data["hardware"]),
        charts=_charts(data),
        **extra,
    )
    return respond(request, TEMPLATE, page, data, context=context)


def _clip(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def popular_models(catalog: Catalog) -> list[Entry]:
    """The models the hardware pages check (a spread of popular sizes), as catalog entries."""
    out = [catalog.models[m.id] for m in featured_models() if m.id in catalog.models]
    return [e for e in out if isinstance(e.get("architecture"), dict)]


def compare_data(
    picks: list[HardwarePick], catalog: Catalog, digest: str, ram_gb: float | None = None
) -> dict[str, Any]:
    """The JSON-able answer: specs, a check per model and device, value figures, the verdict.
    Every check is the engine's with its defaults (Will it run? asks the same), system RAM
    beside a discrete GPU included unless `ram_gb` says how much there is."""
    hardware = [spec_row(p) for p in picks]
    rows = []
    for m in popular_models(catalog):
        results = []
        for p in picks:
            q = CheckQuery(model=m.id, hardware=(p.query,), ram_gb=ram_gb)
            r, error = guarded_check(q, catalog, digest)
            results.append(_cell(m, p, r, error, ram_gb))
        params = m.get("params_total_b")
        rows.append(
            {
                "model": {
                    "id": m.id,
                    "name": m.name,
                    "url": model_url(m.id),
                    "params_total_b": params if isinstance(params, int | float) else None,
                },
                "results": results,
            }
        )
    reference = _reference(rows)
    value = []
    for i, h in enumerate(hardware):
        decode = reference["results"][i]["decode_tok_s"] if reference else None
        value.append(
            {
                "hardware": h["query"],
                "decode_tok_s": decode,
                "usd_per_tok_s": usd_per_tok_s(h["price_usd"], decode),
                "tok_s_per_watt": tok_s_per_watt(decode, h["tdp_w"]),
            }
        )
    gpus = any(d.kind == "gpu" for p in picks for d in p.devices)
    checked = [c for row in rows for c in row["results"] if c.get("verdict") is not None]
    return {
        # What the engine's answers say they used, never the defaults retyped: a model that
        # ships in another format (gpt-oss: MXFP4) or whose context is shorter than the
        # runtime's default (LLaMA 7B: 2,048) is checked at its own. None: they differ.
        "quant": _one(c["quant"] for c in checked) if checked else QUANT,
        "context": _one(c["context"] for c in checked) if checked else CONTEXT,
        "runtime": "llama.cpp",
        "ram_gb": ram_gb,
        # The system RAM the answers assumed beside the GPUs (None: given, or no GPU).
        "assumed_ram_gib": DEFAULT_RAM_GIB if gpus and ram_gb is None else None,
        "hardware": hardware,
        "models": rows,
        "reference_model": reference["model"] if reference else None,
        "value": value,
        "verdict": verdict_lines(hardware, rows),
    }


def _cell(
    m: Entry,
    p: HardwarePick,
    r: dict[str, Any] | None,
    error: str | None,
    ram_gb: float | None = None,
) -> dict[str, Any]:
    check_url = path_with_query(
        reverse("checker:will_it_run"),
        {"model": m.id, "hardware": p.query, "ram_gb": ram_gb},
    )
    if r is None:
        return {
            "hardware": p.query,
            "verdict": None,
            "verdict_label": "Not checked",
            "verdict_class": "neutral",
            "error": error,
            "decode_tok_s": None,
            "decode_tok_s_low": None,
            "decode_tok_s_high": None,
            "evidence": None,
            "total_bytes": None,
            "budget_bytes": None,
            "need_bytes": None,
            "offloaded": False,
            "quant": None,
            "context": None,
            "check_url": check_url,
        }
    speed = r["speed"]
    return {
        "hardware": p.query,
        "verdict": r["verdict"],
        "verdict_label": verdict_label(r["verdict"]),
        "verdict_class": verdict_class(r["verdict"]),
        "error": None,
        "decode_tok_s": speed["decode_tok_s"],
        "decode_tok_s_low": speed["decode_tok_s_low"],
        "decode_tok_s_high": speed["decode_tok_s_high"],
        "evidence": r["evidence"],
        "total_bytes": r["memory"]["total_bytes"],
        "budget_bytes": r["memory"]["budget_bytes"],
        # The whole model: what the accelerator holds plus what spills to system RAM.
        "need_bytes": r["memory"]["total_bytes"] + (r["memory"].get("host_bytes") or 0),
        "offloaded": r["offload"]["gpu_layers"] < r["offload"]["total_layers"]
        or bool(r["offload"]["experts_on_host_layers"]),
        "quant": r["quant"],
        "context": r["context"],
        "check_url": check_url,
    }


def _one(values: Any) -> Any:
    """The value every item has, else None."""
    found = set(values)
    return found.pop() if len(found) == 1 else None


def _runs(cell: dict[str, Any]) -> bool:
    return cell["verdict"] in ("comfortable", "tradeoffs")


def _size(row: dict[str, Any]) -> float:
    return float(row["model"]["params_total_b"] or 0.0)


def _reference(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The largest model every device runs with a speed: the fair ground for value figures."""
    common = [r for r in rows if all(_runs(c) and c["decode_tok_s"] for c in r["results"])]
    # Speed compared on a model every device holds itself; offload only when none is.
    held = [r for r in common if not any(c.get("offloaded") for c in r["results"])]
    return max(held or common, key=_size) if common else None


def _quant_of(row: dict[str, Any]) -> str:
    """The quantization a row was checked at (the model's default: MXFP4 for gpt-oss)."""
    quants = {c["quant"] for c in row["results"] if c.get("quant")}
    return quants.pop() if len(quants) == 1 else "its default quantization"


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def verdict_lines(hardware: list[dict[str, Any]], rows: list[dict[str, Any]]) -> list[str]:
    """A few computed sentences: where the devices part ways, speed, and price per GB."""
    names = [h["name"] for h in hardware]
    lines: list[str] = []
    by_size = sorted(rows, key=_size, reverse=True)
    seen: list[list[int]] = []
    for row in by_size:
        runs = [i for i, c in enumerate(row["results"]) if _runs(c)]
        if 0 < len(runs) < len(names) and runs not in seen and len(seen) < 2:
            seen.append(runs)
            who = _join([names[i] for i in runs])
            only = "only " if len(runs) == 1 or not seen[:-1] else ""
            spill = [i for i in runs if row["results"][i]["offloaded"]]
            # The same words as the table's cells: "fits" only when it is all on the device.
            if not spill:
                verb = "fits" if len(runs) == 1 else "fit"
            else:
                verb = "runs it" if len(runs) == 1 else "run it"
                verb += (
                    ", with part of it off the accelerator"
                    if len(spill) == len(runs)
                    else f" ({_join([names[i] for i in spill])} with part of it off the accelerator)"
                )
            lines.append(f"For {row['model']['name']} at {_quant_of(row)} {only}{who} {verb}.")
    if not seen and by_size:
        everywhere = [r for r in by_size if all(_runs(c) for c in r["results"])]
        nowhere = [r for r in by_size if not any(_runs(c) for c in r["results"])]
        if everywhere and everywhere[0] is by_size[0]:
            top = by_size[0]
            spill = [names[i] for i, c in enumerate(top["results"]) if c.get("offloaded")]
            lines.append(
                f"All of them run every model checked here, up to {top['model']['name']} "
                f"at {_quant_of(top)}"
                + (f" ({_join(spill)} with part of it off the accelerator)." if spill else ".")
            )
        elif everywhere and nowhere:
            need = min(
                (c["need_bytes"] for c in nowhere[-1]["results"] if c["need_bytes"]), default=None
            )
            needs = f" (it needs about {need / 2**30:.0f} GiB in all)" if need else ""
            top = everywhere[0]
            spill = [names[i] for i, c in enumerate(top["results"]) if c.get("offloaded")]
            spilled = f", {_join(spill)} with part of it off the accelerator" if spill else ""
            lines.append(
                f"All of them run models up to {top['model']['name']} at {_quant_of(top)}"
                f"{spilled}; none runs {nowhere[-1]['model']['name']}{needs}."
            )
    ref = _reference(rows)
    if ref is not None and len(names) > 1:
        speeds = [(c["decode_tok_s"], i) for i, c in enumerate(ref["results"])]
        (fast, fi), (slow, si) = max(speeds), min(speeds)
        model = ref["model"]["name"]
        if slow and fast / slow >= 1.05:
            lines.append(
                f"On {model}, {names[fi]} decodes about {fast / slow:.1f}× as fast as "
                f"{names[si]} ({fast:g} vs {slow:g} tokens/s)."
            )
        else:
            lines.append(f"On {model} they decode at about the same speed ({fast:g} tokens/s).")
    priced = [(h["usd_per_gib"], h["name"]) for h in hardware if h["usd_per_gib"] is not None]
    if len(priced) > 1:
        cost, name = min(priced)
        lines.append(f"{name} costs the least per GiB of memory (${cost:,.0f} per GiB).")
    return lines


# --- presentation --------------------------------------------------------------------------


def _fmt(value: Any, spec: str = "g", unit: str = "", prefix: str = "") -> str:
    """24.0 → '24', 1008.0 → '1,008', 936.2 → '936.2'; 'int' rounds; '—' for unknown."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, float | int) and not isinstance(value, bool):
        number = float(value)
        if spec == "int" or number.is_integer():
            text = f"{round(number):,}"
        else:
            text = f"{number:,.2f}".rstrip("0").rstrip(".")
    else:
        text = str(value)
    return f"{prefix}{text}{(' ' + unit) if unit else ''}"


def _spec_table(hardware: list[dict[str, Any]]) -> list[dict[str, Any]]:
    def memory(h: dict[str, Any]) -> str:
        text = _fmt(h["memory_gib"], unit="GiB")
        if h["count"] > 1:
            text += f" ({h['count']} × {h['memory_gib_each']:g})"
        if h["usable_memory_gib"] < h["memory_gib"] - 0.01:
            text += f", {h['usable_memory_gib']:.1f} usable by the GPU"
        return text

    def price(h: dict[str, Any]) -> str:
        if h["price_usd"] is None:
            return "—"
        return _fmt(h["price_usd"], "int", prefix="$") + f" ({h['price_basis']})"

    rows = [
        ("Memory", memory),
        ("Memory type", lambda h: _fmt(h["memory_type"])),
        (
            "Bandwidth",
            lambda h: _fmt(h["bandwidth_gb_s"], unit="GB/s") + (" each" if h["count"] > 1 else ""),
        ),
        (
            "FP16 tensor, dense",
            lambda h: (
                _fmt(h["fp16_tensor_tflops"], unit="TFLOPS") + (" each" if h["count"] > 1 else "")
            ),
        ),
        ("Board power (TDP)", lambda h: _fmt(h["tdp_w"], unit="W")),
        ("Price", price),
        ("Price per GiB", lambda h: _fmt(h["usd_per_gib"], "int", prefix="$")),
        ("Backends", lambda h: ", ".join(h["backend_labels"]) or "—"),
        ("Released", lambda h: _fmt(h["release_date"])),
    ]
    return [{"label": label, "cells": [fn(h) for h in hardware]} for label, fn in rows]


def _charts(data: dict[str, Any]) -> dict[str, Any]:
    hardware = data["hardware"]
    names = [h["name"] for h in hardware]
    groups = []
    for row in data["models"]:
        values: list[float | None] = []
        notes: list[str] = []
        for c in row["results"]:
            values.append(c["decode_tok_s"] if _runs(c) else None)
            notes.append("does not fit" if c["verdict"] == "wont-run" else "not checked")
        groups.append(charts.Group(row["model"]["name"], values, notes))
    out: dict[str, Any] = {
        "decode": charts.grouped_bar_chart(
            "chart-decode",
            "Decode speed at "
            + (f"{data['quant']}" if data["quant"] else "each model's default quantization")
            + ", "
            + (f"{data['context']:,} tokens" if data["context"] else "each model's default")
            + " of context (tokens/s)",
            groups,
            names,
            unit="tokens/s",
        ),
        "memory": charts.grouped_bar_chart(
            "chart-memory",
            "Memory, and what the GPU may use of it (GiB)",
            [charts.Group(h["name"], [h["memory_gib"], h["usable_memory_gib"]]) for h in hardware],
            ["Memory", "Usable by the GPU"],
            unit="GiB",
            fmt=lambda v: f"{v:.3g}" if v < 100 else f"{v:,.0f}",
        ),
        "usd_per_gib": charts.bar_chart(
            "chart-usd-gib",
            "Price per GiB of memory (USD)",
            [
                charts.Bar(
                    h["name"], h["usd_per_gib"], "no price in the catalog", charts.PALETTE[i % 7]
                )
                for i, h in enumerate(hardware)
            ],
            unit="per GiB",
            fmt=lambda v: f"${v:,.0f}",
        ),
    }
    ref = data["reference_model"]
    if ref is not None:
        value = data["value"]
        out["usd_per_tok_s"] = charts.bar_chart(
            "chart-usd-tok",
            f"Price per token/s on {ref['name']} (USD; lower is better)",
            [
                charts.Bar(
                    names[i], v["usd_per_tok_s"], "no price in the catalog", charts.PALETTE[i % 7]
                )
                for i, v in enumerate(value)
            ],
            unit="per token/s",
            fmt=lambda v: f"${v:,.0f}",
        )
        out["tok_s_per_watt"] = charts.bar_chart(
            "chart-per-watt",
            f"Tokens/s per watt of board power on {ref['name']}",
            [
                charts.Bar(names[i], v["tok_s_per_watt"], "no power figure", charts.PALETTE[i % 7])
                for i, v in enumerate(value)
            ],
            unit="tokens/s per W",
            fmt=lambda v: f"{v:.2f}",
        )
    return out
