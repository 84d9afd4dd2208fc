"""How `runlocal check` prints an answer as text (`--json` prints the result itself)."""

from __future__ import annotations

from typing import Any

from .units import GIB


def _gib(n: int | float | None) -> str:
    return "unknown" if n is None else f"{n / GIB:.2f} GiB"


def largest_context_line(r: dict[str, Any]) -> str:
    """The largest context that runs, and where: the same placement as the verdict."""
    if not r.get("max_context"):
        return "largest context that runs: none (the model does not run here)"
    where = (
        "with part of the model in system RAM"
        if r.get("max_context_where") == "offload"
        else "every layer on the accelerator"
    )
    return f"largest context that runs: {r['max_context']:,} tokens, {where}"


def assumption_lines(r: dict[str, Any]) -> list[str]:
    """The defaults the answer took, and the flag that changes each."""
    assumed = r.get("assumed") or {}
    out = []
    if assumed.get("ram_gib"):
        out.append(
            f"assuming {assumed['ram_gib']:g} GiB of system RAM beside the GPU for offload "
            "(--ram-gb changes it)"
        )
    if assumed.get("quant"):
        out.append(f"assuming {r['quant']}, the default for this model (--quant changes it)")
    if assumed.get("context") and r.get("context"):
        out.append(f"assuming {r['context']:,} tokens of context (--context changes it)")
    return out


def format_result(r: dict[str, Any]) -> str:
    label = {
        "comfortable": "RUNS COMFORTABLY",
        "tradeoffs": "RUNS WITH TRADEOFFS",
        "wont-run": "WILL NOT RUN",
    }
    m = r["memory"]
    s = r["speed"]
    hw = " + ".join(h["name"] for h in r["hardware"])
    ctx = f"{r['context']:,} tokens" if r["context"] is not None else "no context"
    lines = [
        f"{r['model']['name']} · {r['quant']} · {ctx} · {r['runtime']} on {hw}",
        f"{label[r['verdict']]}: {r['reason']}",
        "",
        f"memory  weights {_gib(m['weights_bytes'])} + KV {_gib(m['kv_cache_bytes'])} + compute "
        f"{_gib(m['compute_bytes'])} + overhead {_gib(m['overhead_bytes'])} = {_gib(m['total_bytes'])}"
        f" of {_gib(m['budget_bytes'])}",
    ]
    if len(r["devices"]) > 1 or r["offload"]["gpu_layers"] < r["offload"]["total_layers"]:
        for d in r["devices"]:
            lines.append(
                f"  {d['name']}: {d['layers']} layers, {_gib(d['total_bytes'])} of {_gib(d['budget_bytes'])}"
            )
        if r["host"]:
            lines.append(f"  system RAM: {_gib(r['host']['total_bytes'])}")
    off = r["offload"]
    if off["total_layers"] is not None:
        lines.append(f"offload {off['gpu_layers']}/{off['total_layers']} layers on the accelerator")
    if s["decode_tok_s"] is not None:
        lines.append(
            f"speed   decode {s['decode_tok_s']} tok/s ({s['decode_tok_s_low']}–{s['decode_tok_s_high']}), "
            f"prefill {s['prefill_tok_s'] if s['prefill_tok_s'] is not None else 'unknown'} tok/s  [{r['evidence']}]"
        )
    lines.append(largest_context_line(r))
    if r.get("best_quant"):
        lines.append(f"best quantization that fits comfortably: {r['best_quant']}")
    quality = r.get("quality")
    if quality:
        lines.append(f"quality {quality['quant_loss_basis']}")
        tasks = quality.get("tasks") or {}
        scored = [
            f"{task} {t['score']:g} ({t['scale']} scale{', estimated' if t['estimated'] else ''})"
            for task, t in tasks.items()
            if t is not None
        ]
        if scored:
            lines.append(f"        {'; '.join(scored)}")
    lines.extend(assumption_lines(r))
    for note in r["notes"]:
        lines.append(f"note: {note}")
    for name, cmd in r["commands"].items():
        lines.append(f"{name}: {cmd}")
    return "\n".join(lines) + "\n"
