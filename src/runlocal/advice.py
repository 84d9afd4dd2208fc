"""The one change that would most improve an answer: a smaller quantization, less context,
more system RAM, or a second GPU — each checked by the engine, never guessed (check_brief:
the verdict, placement and speed of check's answer, all a change is judged and quoted by).

Changes are tried in a fixed order, cheapest to make first (a setting, then memory you may
already have, then hardware to buy), and the first that lifts the verdict wins. A setup that
runs comfortably gets the better quantization that still fits comfortably, if there is one.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from .catalog import Catalog
from .engine import CheckQuery, check_brief
from .errors import RunlocalError
from .units import GIB

RANK = {"wont-run": 0, "tradeoffs": 1, "comfortable": 2}
# RAM sizes people buy (GiB): a suggestion is the smallest that is enough.
RAM_SIZES = (16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512)
GGUF_LOWER = ("Q6_K", "Q5_K_M", "Q4_K_M", "Q3_K_M", "Q2_K")
MIN_CONTEXT = 2048


def _better(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """True when answer `a` is better than `b`: a better verdict, or the same "tradeoffs"
    verdict that fits where `b` is only at the edge of memory (it may fail to load), or that
    fits with everything on the accelerators where `b` offloads."""
    ra, rb = RANK[a["verdict"]], RANK[b["verdict"]]
    if ra != rb:
        return ra > rb
    if a["verdict"] == "tradeoffs":
        if a["fits"] != b["fits"]:
            return bool(a["fits"])
        return _offloaded(b) and not _offloaded(a)
    return False


def _offloaded(r: dict[str, Any]) -> bool:
    off = r["offload"]
    return bool(off["experts_on_host_layers"]) or off["gpu_layers"] < off["total_layers"]


def _summary(r: dict[str, Any]) -> str:
    words = {
        "comfortable": "it runs comfortably",
        "tradeoffs": "it runs with tradeoffs",
        "wont-run": "it still does not run",
    }[r["verdict"]]
    decode = r["speed"]["decode_tok_s"]
    if decode is not None and r["verdict"] != "wont-run":
        words += f", about {decode:g} tokens/s"
    return words


def _candidates(q: CheckQuery, r: dict[str, Any]) -> list[tuple[str, str, CheckQuery]]:
    """(kind, label, query) to try, cheapest change first."""
    out: list[tuple[str, str, CheckQuery]] = []
    context = int(r.get("context") or 0)
    if context > MIN_CONTEXT:
        smaller = max(MIN_CONTEXT, context // 2)
        out.append(("context", f"With {smaller:,} tokens of context", replace(q, context=smaller)))
    quant = str(r.get("quant") or "")
    best = r.get("best_quant")
    if best and best != quant:
        out.append(("quant", f"At {best}", replace(q, quant=best)))
    elif quant in GGUF_LOWER:  # never requantize a model's own format (MXFP4) to suggest
        for lower in GGUF_LOWER[GGUF_LOWER.index(quant) + 1 :]:
            out.append(("quant", f"At {lower}", replace(q, quant=lower)))
    host = r.get("host")
    gpus = [d for d in r["basis"]["devices"] if d.get("kind") == "gpu"]
    if gpus and host is not None and not r["fits"]:
        # The part that does not fit on the GPUs goes to system RAM: enough of it to hold it.
        have = (r["basis"].get("host_ram_bytes") or 0) / GIB
        need = host["total_bytes"] / GIB
        size = next((s for s in RAM_SIZES if s > have and s >= math.ceil(need)), None)
        if size is not None:
            out.append(("ram", f"With {size} GiB of system RAM", replace(q, ram_gb=float(size))))
    if len(gpus) == 1 and len(q.hardware) == 1 and q.vram_gb is None:
        second = replace(q, hardware=(f"2x {q.hardware[0]}",))
        out.append(("gpus", f"With a second {gpus[0]['name']}", second))
    return out


def one_change(q: CheckQuery, r: dict[str, Any], catalog: Catalog) -> dict[str, Any] | None:
    """The single change that most improves answer `r` to query `q`, checked; None when no
    tried change helps (or the answer is as good as it gets)."""
    if r.get("context") is None:  # image and speech models: memory only
        return None
    if r["verdict"] == "comfortable":
        return _better_quality(q, r, catalog)
    for kind, label, changed in _candidates(q, r):
        try:
            got = check_brief(changed, catalog, allow_files=False)
        except RunlocalError:
            continue
        if _better(got, r):
            return _change(kind, label, changed, got)
    return None


def _better_quality(q: CheckQuery, r: dict[str, Any], catalog: Catalog) -> dict[str, Any] | None:
    """Comfortable already: the higher-quality quantization that still fits comfortably."""
    best, quant = r.get("best_quant"), str(r.get("quant") or "")
    if not best or best == quant:
        return None
    if (
        quant in GGUF_LOWER
        and best in GGUF_LOWER
        and GGUF_LOWER.index(best) > GGUF_LOWER.index(quant)
    ):
        return None  # the engine's best is lower quality than what is asked
    changed = replace(q, quant=best)
    try:
        got = check_brief(changed, catalog, allow_files=False)
    except RunlocalError:
        return None
    if got["verdict"] != "comfortable":
        return None
    return _change("quant", f"At {best} (better quality)", changed, got)


def _change(kind: str, label: str, q: CheckQuery, r: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": kind,
        "text": f"{label}, {_summary(r)}.",
        "verdict": r["verdict"],
        "decode_tok_s": r["speed"]["decode_tok_s"],
        "query": {
            "quant": q.quant,
            "context": q.context,
            "ram_gb": q.ram_gb,
            "hardware": list(q.hardware),
        },
    }
