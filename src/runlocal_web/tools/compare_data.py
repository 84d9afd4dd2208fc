"""Compare's answer as data: a check per popular model and device (the engine's, with its
defaults), the value figures on a model every device runs, and the verdict in sentences."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from runlocal.catalog import Catalog, Entry
from runlocal.cost import tok_s_per_watt, usd_per_tok_s
from runlocal.engine import DEFAULT_RAM_GIB, CheckQuery
from runlocal.runtimes import RUNTIMES
from runlocal_web.catalogdb.featured import featured_models
from runlocal_web.checker.present import verdict_class, verdict_label
from runlocal_web.lib.pages import path_with_query

from .common import HardwarePick, guarded_check, model_url, spec_row

# Compare asks the engine with its defaults (a model's default quantization, the runtime's
# context, DEFAULT_RAM_GIB beside a discrete GPU): the same answers as Will it run? and the
# model and hardware pages. These name them in sentences.
QUANT = RUNTIMES["llama.cpp"].default_quant
CONTEXT = RUNTIMES["llama.cpp"].default_context


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


def runs_here(cell: dict[str, Any]) -> bool:
    return cell["verdict"] in ("comfortable", "tradeoffs")


def _size(row: dict[str, Any]) -> float:
    return float(row["model"]["params_total_b"] or 0.0)


def _reference(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The largest model every device runs with a speed: the fair ground for value figures."""
    common = [r for r in rows if all(runs_here(c) and c["decode_tok_s"] for c in r["results"])]
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
        runs = [i for i, c in enumerate(row["results"]) if runs_here(c)]
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
        everywhere = [r for r in by_size if all(runs_here(c) for c in r["results"])]
        nowhere = [r for r in by_size if not any(runs_here(c) for c in r["results"])]
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
