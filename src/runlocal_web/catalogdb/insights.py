"""What the model and hardware pages say beyond the spec sheet, all worked out from the
catalog and the engine: a speed table per quantization, the measured benchmarks, the
commands to run a model, and a hardware entry's verdict, strengths and limits.

Nothing here is hand-written per entry: each sentence is built from engine answers shown on
the same page, so a reader can check every claim against the tables beside it.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from typing import Any

from runlocal.catalog import Catalog
from runlocal.engine import CheckQuery
from runlocal.errors import RunlocalError
from runlocal_web.lib.engine import run_commands as engine_commands
from runlocal_web.lib.labels import BACKEND_LABELS, LOSS_LABELS
from runlocal_web.lib.pages import path_with_query, script_prefix, url_for

# The quantizations the per-quant tables show, smallest first.
QUANT_LADDER = ("Q4_K_M", "Q5_K_M", "Q6_K", "Q8_0", "F16")
BENCH_ROWS = 12
GPU_BACKENDS = ("cuda", "rocm", "metal", "vulkan", "sycl")

# A table's cell: (catalog, digest, model id, hardware id, quantization, the side that varies)
# → (that side's name and link, the cell); the detail pages' TableCells.cell (cells.py).
TableCell = Callable[[Catalog, str, str, str, str, str], tuple[dict[str, str], dict[str, Any]]]


def quant_matrix(
    cell: TableCell,
    catalog: Catalog,
    digest: str,
    pairs: Sequence[tuple[str, str]],
    by: str,
) -> list[dict[str, Any]]:
    """One row per (model, hardware) pair, one cell per quantization of QUANT_LADDER.

    `by` names the side that varies between rows ("model" or "hardware"); each cell keeps
    what the table shows (verdict, decode speed, largest context) and its evidence, written
    by ``cell`` from the engine's answer."""
    rows = []
    for model_id, hardware_id in pairs:
        cells = []
        head: dict[str, Any] = {}
        for quant in QUANT_LADDER:
            side, c = cell(catalog, digest, model_id, hardware_id, quant, by)
            head = {by: side}
            cells.append(c)
        rows.append({**head, "cells": cells})
    return rows


def published_quants(files: Sequence[dict[str, Any]]) -> list[str]:
    """The quantizations of the published files that the ladder lacks (MXFP4, Q3_K_S...)."""
    out: list[str] = []
    for f in files:
        quant = str(f.get("quant") or "").upper()
        if quant and quant not in QUANT_LADDER and quant not in out:
            out.append(quant)
    return out


def quant_sizes(
    matrix: Sequence[dict[str, Any]],
    files: Sequence[dict[str, Any]],
    extra: dict[str, list[dict[str, Any]]] | None = None,
) -> list[dict[str, Any]]:
    """Per quantization: the weights in memory (the engine's count, the same on every device),
    the published file when the catalog has one, and the measured quality loss.

    extra: engine rows (check_row answers, one per device) for the published quantizations
    outside the ladder (published_quants), so every published file has its row."""
    published = {str(f.get("quant") or "").upper(): f for f in files if f.get("quant")}
    columns: list[tuple[str, list[dict[str, Any]]]] = [
        (quant, [row["cells"][i] for row in matrix]) for i, quant in enumerate(QUANT_LADDER)
    ]
    columns += [(quant, rows) for quant, rows in (extra or {}).items()]
    out = []
    for quant, column in columns:
        cells = [c for c in column if not c.get("error")]
        # A device that holds it all counts every weight; else the largest count seen.
        whole = [c for c in cells if c.get("verdict") == "comfortable"]
        cell = (
            whole[0]
            if whole
            else max(cells, key=lambda c: c.get("weights_bytes") or 0, default=None)
        )
        f = published.get(quant.upper())
        out.append(
            {
                "quant": quant,
                "weights_bytes": cell.get("weights_bytes") if cell else None,
                "quant_loss": cell.get("quant_loss") if cell else None,
                "quant_loss_label": LOSS_LABELS.get(str(cell.get("quant_loss")), "")
                if cell
                else "",
                "file_bytes": f.get("size_bytes") if f else None,
                "file_url": f.get("url") if f else None,
            }
        )
    return out


def benchmark_rows(catalog: Catalog, *, model: str = "", hardware: str = "") -> dict[str, Any]:
    """The published measurements of one model or one hardware entry, best evidence first."""
    rows = _published_rows(catalog).get(("model", model) if model else ("hardware", hardware), [])
    key = "model" if model else "hardware"
    list_url = url_for("reference:benchmark_list")
    return {
        "count": len(rows),
        "rows": rows[:BENCH_ROWS],
        "all_url": path_with_query(list_url, {key: model or hardware}) if rows else None,
        "list_url": list_url,
    }


_PUBLISHED: weakref.WeakKeyDictionary[Catalog, dict[tuple[str, str], list[dict[str, Any]]]] = (
    weakref.WeakKeyDictionary()
)


def _published_rows(catalog: Catalog) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Per ("model", id) and ("hardware", id): the catalog's published result rows, decode
    first (what the tables estimate), then the plainest test (no prefilled context); sorted
    once per loaded catalog (a synced catalog is immutable), not on every page."""
    from runlocal_web.reference.views.benchmarks import HIDDEN_TRUST, all_rows

    found = _PUBLISHED.get(catalog)
    if found is not None:
        return found
    rows = sorted(
        (r for r in all_rows(catalog) if r["trust"] not in HIDDEN_TRUST),
        key=lambda r: (
            r["metric"] != "tg_tok_s",
            r["n_devices"],
            r["context_tokens"] or 0,
            r["model"]["name"].casefold(),
            r["hardware"]["name"].casefold(),
            r["quant"],
        ),
    )
    index: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in rows:  # a stable sort: each entry's rows keep the order a filter then sort gave
        index.setdefault(("model", r["model"]["id"]), []).append(r)
        index.setdefault(("hardware", r["hardware"]["id"]), []).append(r)
    _PUBLISHED[catalog] = index
    return index


def run_commands(
    catalog: Catalog,
    digest: str,
    model_id: str,
    rows: Sequence[dict[str, Any]],
    quant: str | None = None,
) -> dict[str, Any] | None:
    """The commands for the first device in `rows` that runs the model comfortably (else the
    first that runs it at all), as the engine writes them for that device; None when no
    device runs it. The list is empty for models the engine writes no command for (speech,
    image and embedding models outside llama.cpp)."""
    usable = [r for r in rows if r.get("verdict") == "comfortable"] or [
        r for r in rows if r.get("verdict") == "tradeoffs"
    ]
    if not usable:
        return None
    row = usable[0]
    try:
        # The engine's defaults (its quantization, context and system RAM), as in the rows;
        # of its answer, the quantization, context and commands (what this shows).
        r = engine_commands(
            CheckQuery(model=model_id, hardware=(row["hardware"]["id"],), quant=quant),
            catalog,
            digest,
        )
    except RunlocalError:
        return None
    commands = r.get("commands") or {}
    return {
        "hardware": row["hardware"],
        "quant": r["quant"],
        "context": r["context"],
        "commands": [{"runtime": k, "command": v} for k, v in commands.items()],
        "check_url": row["check_url"],
    }


def _lower(text: str) -> str:
    text = str(text or "").rstrip(".")
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _fmt_speed(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def _fmt_ctx(tokens: int | None) -> str:
    if not tokens:
        return ""
    return f"{tokens // 1024}K" if tokens >= 1024 else str(tokens)


def hardware_assessment(
    entry_data: dict[str, Any],
    runs: Sequence[dict[str, Any]],
    catalog: Catalog,
    quant: str = "the default quantization",
) -> dict[str, Any]:
    """A verdict line, what the device does well and where it breaks, from the engine's answers
    in `runs` (featured models, smallest first) and the runtimes' published backends."""
    ok = [r for r in runs if not r.get("error")]
    if entry_data.get("kind") == "cpu":
        return _cpu_assessment(ok, quant, catalog)
    comfortable = [r for r in ok if r["verdict"] == "comfortable"]
    tradeoffs = [r for r in ok if r["verdict"] == "tradeoffs"]
    wont = [r for r in ok if r["verdict"] == "wont-run"]
    strengths: list[str] = []
    limits: list[str] = []
    verdict = ""
    if comfortable:
        biggest = comfortable[-1]
        verdict = (
            f"Runs models up to {biggest['model']['name']} comfortably at {biggest.get('quant') or quant} "
            f"({_fmt_speed(biggest['decode_tok_s'])} tok/s)"
        )
        fastest_small = comfortable[0]
        strengths.append(
            f"{fastest_small['model']['name']} decodes at about "
            f"{_fmt_speed(fastest_small['decode_tok_s'])} tok/s"
            + (
                f"; {biggest['model']['name']} at {_fmt_speed(biggest['decode_tok_s'])} tok/s."
                if biggest is not fastest_small
                else "."
            )
        )
        if biggest.get("max_context") and biggest.get("max_context_where") != "offload":
            strengths.append(
                f"{biggest['model']['name']} fits with up to {_fmt_ctx(biggest['max_context'])} "
                "tokens of context on the device."
            )
    if tradeoffs:
        t = tradeoffs[0]
        slow = (
            f" at {_fmt_speed(t['decode_tok_s'])} tok/s"
            if t.get("decode_tok_s") is not None
            else ""
        )
        limits.append(
            f"{t['model']['name']} runs only with tradeoffs{slow}: {_lower(t['reason'])}."
        )
        if not verdict:
            verdict = f"Runs {t['model']['name']} only with tradeoffs ({_lower(t['reason'])})"
    if wont:
        w = wont[0]
        limits.append(
            f"{w['model']['name']} does not fit at {w.get('quant') or quant}: {_lower(w['reason'])}."
        )
        if not verdict:
            verdict = f"Too small for the models in the table: {w['model']['name']} does not fit"
    elif ok and not tradeoffs:
        strengths.append(
            "Every model in the table below runs comfortably at its default quantization."
        )

    backends = [str(b) for b in entry_data.get("backends") or []]
    gpu_backends = [b for b in backends if b in GPU_BACKENDS]
    supported, unsupported = _runtime_support(gpu_backends, catalog)
    if gpu_backends:
        plural = len(gpu_backends) > 1
        names = ", ".join(BACKEND_LABELS.get(b, b) for b in gpu_backends[:-1])
        names = (
            f"{names} and {BACKEND_LABELS.get(gpu_backends[-1], gpu_backends[-1])}"
            if plural
            else (BACKEND_LABELS.get(gpu_backends[0], gpu_backends[0]))
        )
        strengths.append(
            f"Its {names} backend{'s' if plural else ''} {'are' if plural else 'is'} supported by "
            f"{len(supported)} of the {len(supported) + len(unsupported)} runtimes in the catalog."
        )
    if "cuda" not in backends and entry_data.get("kind") != "cpu" and unsupported:
        limits.append(
            f"No CUDA: {len(unsupported)} of the {len(supported) + len(unsupported)} runtimes "
            "in the catalog have no backend for it (listed below)."
        )
    return {
        "verdict": (verdict + ".") if verdict else "",
        "strengths": strengths,
        "limits": limits,
        "runtimes_supported": supported,
        "runtimes_unsupported": unsupported,
    }


# Below this a reply of a few hundred tokens takes minutes (runlocal.recommend's threshold).
PRACTICAL_TOK_S = 3.0


def _runtime_support(
    gpu_backends: Sequence[str], catalog: Catalog
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The catalog's runtimes with a backend for the device (its GPU backends, or the CPU),
    and those without, as links: worked out once per loaded catalog (a synced catalog is
    immutable) and set of backends, not on every hardware page (the runtimes sorted by name
    and a link each); each call gets lists of its own."""
    wanted = frozenset(gpu_backends) if gpu_backends else frozenset({"cpu"})
    per_catalog = _SUPPORT.get(catalog)
    if per_catalog is None:
        per_catalog = _SUPPORT[catalog] = {}
    key = (script_prefix(), wanted)  # the links' prefix: url_for's
    found = per_catalog.get(key)
    if found is None:
        supported: list[dict[str, str]] = []
        unsupported: list[dict[str, str]] = []
        for rt in sorted(catalog.entries("runtimes").values(), key=lambda e: e.name.casefold()):
            rt_backends = {str(b) for b in rt.get("backends") or []}
            if not rt_backends:
                continue
            link = {"name": rt.name, "url": url_for("reference:tool_detail", rt.id)}
            (supported if rt_backends & wanted else unsupported).append(link)
        found = per_catalog[key] = (supported, unsupported)
    return [dict(x) for x in found[0]], [dict(x) for x in found[1]]


_SUPPORT: weakref.WeakKeyDictionary[
    Catalog, dict[tuple[str, frozenset[str]], tuple[list[dict[str, str]], list[dict[str, str]]]]
] = weakref.WeakKeyDictionary()


def _cpu_assessment(ok: Sequence[dict[str, Any]], quant: str, catalog: Catalog) -> dict[str, Any]:
    """A CPU always decodes from system RAM, so the engine's "runs with tradeoffs, layers in
    system RAM" is its normal case: judge it by whether the model fits and how fast it goes."""
    runs = [r for r in ok if r["verdict"] != "wont-run" and r.get("decode_tok_s")]
    practical = [r for r in runs if r["decode_tok_s"] >= PRACTICAL_TOK_S]
    wont = [r for r in ok if r["verdict"] == "wont-run"]
    strengths: list[str] = []
    limits = [
        "A CPU decodes from system RAM: speed is bounded by memory bandwidth, several times "
        "slower than a GPU with the same amount of memory; prompt processing is slower still."
    ]
    if practical:
        biggest = practical[-1]
        verdict = (
            f"CPU-only: the largest model in the table it runs at a practical speed "
            f"(≥ {PRACTICAL_TOK_S:g} tok/s) is {biggest['model']['name']}, at about "
            f"{_fmt_speed(biggest['decode_tok_s'])} tok/s at {biggest.get('quant') or quant} from system RAM"
        )
        strengths.append(
            f"{practical[0]['model']['name']} decodes at about "
            f"{_fmt_speed(practical[0]['decode_tok_s'])} tok/s with no GPU at all."
        )
    elif runs:
        verdict = (
            f"CPU-only: even {runs[0]['model']['name']} decodes at only "
            f"{_fmt_speed(runs[0]['decode_tok_s'])} tok/s"
        )
    else:
        verdict = "CPU-only: none of the models in the table fits in the memory given"
    slow = [r for r in runs if r["decode_tok_s"] < PRACTICAL_TOK_S]
    if slow:
        limits.append(
            f"{slow[0]['model']['name']} fits but decodes at about "
            f"{_fmt_speed(slow[0]['decode_tok_s'])} tok/s: minutes per answer."
        )
    if wont:
        limits.append(
            f"{wont[0]['model']['name']} does not fit at {wont[0].get('quant') or quant}: {_lower(wont[0]['reason'])}."
        )
    supported, unsupported = _runtime_support((), catalog)
    strengths.append(
        f"{len(supported)} of the {len(supported) + len(unsupported)} runtimes in the catalog "
        "run on a CPU alone."
    )
    return {
        "verdict": verdict + ".",
        "strengths": strengths,
        "limits": limits,
        "runtimes_supported": supported,
        "runtimes_unsupported": unsupported,
    }
