"""Turn the engine's answer into what the page shows: labels, the chart, sources, links."""

from __future__ import annotations

from typing import Any

from django.utils.safestring import SafeString

from runlocal.catalog import Catalog
from runlocal.units import GIB
from runlocal_web.lib.pages import url_for
from runlocal_web.lib.svg import ChartRow, memory_chart

VERDICTS = {
    "comfortable": ("Runs comfortably", "good"),
    "tradeoffs": ("Runs with tradeoffs", "warn"),
    "wont-run": ("Will not run", "bad"),
}
EVIDENCE = {
    "measured": "a published benchmark of this model, quantization and hardware at a similar "
    "context depth",
    "measured-near": "a published benchmark of this setup at another context depth, scaled to "
    "this one by the formula",
    "extrapolated": "a published benchmark of this model on other hardware with the same "
    "backend, scaled by the formula's ratio between the two",
    "estimated": "worked out from memory bandwidth and compute; no published benchmark matches",
}


TASK_LABELS = {"chat": "Chat", "coding": "Coding", "reasoning": "Reasoning"}
LOSS_TEXT = {
    "none": "no loss",
    "negligible": "a negligible loss",
    "small": "a small loss",
    "moderate": "a moderate loss",
    "large": "a large loss",
    "unknown": "an unmeasured loss",
}


def quality(result: dict[str, Any], catalog: Catalog) -> dict[str, Any] | None:
    """The engine's `quality` block as the page shows it: the quantization's loss with its
    cited numbers and the link to its measured table, and the model's quality per task."""
    block = result.get("quality")
    if not isinstance(block, dict):
        return None
    from runlocal_web.reference.quants import quant_url

    bucket = str(block.get("quant_loss") or "unknown")
    tasks = []
    for task, row in (block.get("tasks") or {}).items():
        if isinstance(row, dict) and row.get("score") is not None:
            tasks.append(
                {
                    "task": task,
                    "label": TASK_LABELS.get(task, str(task).capitalize()),
                    "score": row["score"],
                    "scale": row.get("scale") or "",
                    "estimated": bool(row.get("estimated")),
                    "basis": row.get("basis") or "",
                }
            )
    return {
        "loss": bucket,
        "loss_text": LOSS_TEXT.get(bucket, bucket),
        "basis": str(block.get("quant_loss_basis") or ""),
        "url": quant_url(catalog, str(result.get("quant") or "")),
        "tasks": tasks,
    }


def evidence_text(evidence: str) -> str:
    return EVIDENCE.get(evidence, evidence)


def verdict_label(verdict: str) -> str:
    return VERDICTS.get(verdict, (verdict, ""))[0]


def verdict_class(verdict: str) -> str:
    return VERDICTS.get(verdict, ("", "neutral"))[1]


def hardware_summary(result: dict[str, Any]) -> str:
    """'NVIDIA GeForce RTX 3090 ×2' or 'RTX 4090 + RTX 3090'."""
    names = [_device_name(h) for h in result["hardware"]]
    counted: dict[str, int] = {}
    for name in names:
        counted[name] = counted.get(name, 0) + 1
    return " + ".join(f"{n} ×{c}" if c > 1 else n for n, c in counted.items())


def _device_name(h: dict[str, Any]) -> str:
    """A catalog device's name; a device given by its numbers, described by them."""
    if h.get("source") != "explicit":
        return str(h["name"])
    memory = h["memory_bytes"] / GIB
    bandwidth = h["bandwidth_bytes_per_s"] / 1e9
    return f"a custom GPU ({memory:g} GiB, {bandwidth:g} GB/s)"


def unified_memory(result: dict[str, Any]) -> bool:
    """True when every device shares its memory with the CPU (Apple, Strix Halo, DGX Spark)."""
    devices = (result.get("basis") or {}).get("devices") or []
    return bool(devices) and all(d.get("kind") == "unified" for d in devices)


def chart(result: dict[str, Any]) -> SafeString:
    rows: list[ChartRow] = []
    devices = result["devices"]
    for i, d in enumerate(devices):
        label = (
            d["name"] if len(devices) == 1 else f"GPU {i + 1}: {d['name']} ({d['layers']} layers)"
        )
        rows.append(ChartRow(label=label, parts=d, budget_bytes=int(d["budget_bytes"])))
    host = result.get("host")
    if host and host["total_bytes"] > 0:
        shared = unified_memory(result)
        # On unified memory the CPU's part comes out of the same pool: its budget is what
        # the accelerator leaves, a known size, not a separate amount of RAM.
        known = shared or result["basis"].get("host_ram_bytes") is not None
        name = "Same memory, CPU side" if shared else "System RAM"
        rows.append(
            ChartRow(
                label=name + (f" ({host['layers']} layers)" if host["layers"] else ""),
                parts=host,
                budget_bytes=int(host["budget_bytes"]),
                budget_known=known,
            )
        )
    title = f"Memory of {result['model']['name']} at {result['quant']}"
    if result.get("context") is not None:  # image and speech models have no context
        title += f", {result['context']:,} tokens"
    return memory_chart(rows, title)


def sources(result: dict[str, Any], catalog: Catalog) -> list[dict[str, Any]]:
    """Where the numbers came from: the model's and each device's catalog sources."""
    out: list[dict[str, Any]] = []
    model = catalog.models.get(str(result["model"]["id"]))
    if model is not None:
        out.append(
            {
                "what": model.name,
                "url": url_for("catalogdb:model_detail", model.id),
                "sources": list(model.sources),
            }
        )
    seen: set[str] = set()
    for h in result["hardware"]:
        entry = catalog.hardware.get(str(h.get("id")))
        if entry is None or entry.id in seen:
            continue
        seen.add(entry.id)
        out.append(
            {
                "what": entry.name,
                "url": url_for("catalogdb:hardware_detail", entry.id),
                "sources": list(entry.sources),
            }
        )
    used = (result.get("basis") or {}).get("measurements")
    if isinstance(used, list) and used:
        urls = list(dict.fromkeys(str(m["source"]) for m in used if m.get("source")))
        if urls:
            out.append({"what": "Published benchmarks", "url": None, "sources": urls})
    return out


def basis_rows(result: dict[str, Any]) -> list[tuple[str, str]]:
    """The assumptions behind the numbers, as label/value pairs (missing ones left out)."""
    b = result.get("basis") or {}
    rows: list[tuple[str, str]] = []
    arch = b.get("architecture") or {}
    if arch:
        rows.append(("Architecture read from", "; ".join(str(v) for v in arch.values())))
    weights = b.get("weights") or {}
    if weights.get("bytes") is not None:
        kind = "exact" if weights.get("exact") else "estimated"
        rows.append(
            ("Weights", f"{weights['bytes'] / GIB:.2f} GiB, {kind} ({weights.get('source', '')})")
        )
    if b.get("layers_by_kind"):
        rows.append(("Layers", ", ".join(f"{n} {k}" for k, n in b["layers_by_kind"].items())))
    if b.get("kv_bytes_per_token_full_layers") is not None:
        rows.append(
            (
                "KV cache per token (full-attention layers)",
                f"{b['kv_bytes_per_token_full_layers'] / 1024:,.1f} KiB at {b.get('kv_type')}",
            )
        )
    if b.get("sliding_window"):
        rows.append(("Sliding window", f"{b['sliding_window']:,} tokens"))
    if b.get("experts"):
        rows.append(("Experts", f"{b['experts']['used']} of {b['experts']['total']} per token"))
    tasks = (result.get("quality") or {}).get("tasks") or {}
    for task, row in tasks.items():
        if isinstance(row, dict) and row.get("basis"):
            rows.append((f"Quality, {TASK_LABELS.get(task, task).lower()}", str(row["basis"])))
    sp = b.get("speed_params") or {}
    if sp.get("bandwidth_efficiency") is not None and sp.get("fixed_ms") is not None:
        rows.append(
            (
                "Speed model",
                f"{sp['backend']}: {sp['bandwidth_efficiency']:.0%} of peak memory bandwidth, "
                f"{sp['fixed_ms']:g} ms fixed cost per token",
            )
        )
    return rows
