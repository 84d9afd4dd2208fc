"""Models that are not decoder LLMs and are described by their parts (diffusion, Whisper).

Memory, not speed: weights of each component at its shipped precision (or the main
component at a chosen quantization), plus the activation peak. Runtimes such as ComfyUI and
diffusers can keep only the component that is working on the GPU (sequential offload), so a
model that does not fit whole may still run, slower: that is the "tradeoffs" tier.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .answer import edge_words
from .catalog import Entry
from .errors import InputError, shown
from .hardware import Device
from .memory import within_edge
from .units import GIB, MIB

BYTES_PER_PARAM = {"fp32": 4.0, "fp16": 2.0, "bf16": 2.0, "fp8": 1.0, "int8": 1.0}
# GGUF and other quantizations people apply to diffusion transformers (FLUX): bits/weight.
QUANT_BITS = {
    "Q8_0": 8.5,
    "Q6_K": 6.5625,
    "Q5_K_M": 5.5,
    "Q4_K_M": 4.5,
    "Q4_0": 4.5,
    "FP8": 8.0,
    "NF4": 4.127,
    "BF16": 16.0,
    "FP16": 16.0,
    "F16": 16.0,
}
MAIN_COMPONENTS = ("transformer", "unet")
# VAE decoding at full resolution is the activation peak of image generation: about 2.4 KB
# per output pixel in fp16 without tiling (SDXL at 1024² peaks near 2.5 GB in diffusers).
VAE_DECODE_BYTES_PER_PIXEL = 2400
# Diffusion backbone activations at batch 1 scale with latent tokens.
BACKBONE_BYTES_PER_LATENT = 48 * 1024
RUNTIME_OVERHEAD_BYTES = 500 * MIB  # PyTorch + CUDA context (or Metal)


@dataclass(frozen=True)
class Part:
    name: str
    params: float
    dtype: str
    bytes: int


def parts(entry: Entry, quant: str | None) -> list[Part]:
    raw = entry.get("components")
    if not isinstance(raw, list) or not raw:
        raise InputError(f"{entry.name}: the catalog lists no components to size")
    out = []
    for item in raw:
        if not isinstance(item, dict):
            raise InputError(f"{entry.name}: components must be tables")
        name = str(item.get("name", "component"))
        params = float(item.get("params_b", 0)) * 1e9
        dtype = str(item.get("dtype", "fp16")).lower()
        if quant and name in MAIN_COMPONENTS:
            bits = QUANT_BITS.get(quant.upper())
            if bits is None:
                known = ", ".join(QUANT_BITS)
                raise InputError(
                    f"unknown quantization {shown(quant)} for {entry.name}; known: {known}"
                )
            out.append(Part(name, params, quant.upper(), int(params * bits / 8)))
        else:
            per = BYTES_PER_PARAM.get(dtype)
            if per is None:
                raise InputError(f"{entry.name}: component {name} has unknown dtype {dtype!r}")
            out.append(Part(name, params, dtype, int(params * per)))
    return out


def activation_bytes(entry: Entry, resolution: int | None) -> tuple[int, int]:
    """(backbone activations, decoder activations) at batch 1."""
    modality = entry.get("modality")
    if modality == "image":
        image = entry.get("image") or {}
        res = resolution or int(image.get("native_resolution", 1024))
        scale = int(image.get("vae_scale", 8))
        latent_tokens = (res // scale) ** 2
        return (
            latent_tokens * BACKBONE_BYTES_PER_LATENT // 64,
            res * res * VAE_DECODE_BYTES_PER_PIXEL,
        )
    # Whisper: 30 s of audio is 1,500 encoder frames; the decoder keeps at most 448 tokens.
    return 256 * MIB, 64 * MIB


def check_components(
    entry: Entry, devices: list[Device], quant: str | None, resolution: int | None
) -> dict[str, Any]:
    """Memory and verdict for a component model on the first device (no multi-GPU split)."""
    device = devices[0]
    items = parts(entry, quant)
    weights = sum(p.bytes for p in items)
    backbone_act, decode_act = activation_bytes(entry, resolution)
    compute = max(backbone_act, decode_act)
    overhead = RUNTIME_OVERHEAD_BYTES
    total = weights + compute + overhead
    budget = device.budget_bytes
    largest = max(p.bytes for p in items)
    sequential = largest + compute + overhead
    if total <= budget - max(GIB, budget // 10):
        verdict, reason = "comfortable", "every component and the activations fit at once"
    elif total <= budget:
        verdict, reason = "tradeoffs", "it fits with little headroom"
    elif sequential <= budget:
        verdict, reason = (
            "tradeoffs",
            "it fits only with components loaded one at a time (sequential offload), which is slower",
        )
    elif within_edge(sequential, budget):
        # Over by less than the memory estimate's uncertainty: it may load (answer.verdict_for).
        verdict = "tradeoffs"
        reason = edge_words(sequential, budget, f"on {device.name}, one component at a time")
    else:
        verdict, reason = "wont-run", "even its largest component does not fit with its activations"
    return {
        "weights_bytes": weights,
        "kv_cache_bytes": 0,
        "compute_bytes": compute,
        "overhead_bytes": overhead,
        "total_bytes": total,
        "budget_bytes": budget,
        "host_bytes": 0,
        "verdict": verdict,
        "reason": reason,
        # Within the budget (false at the edge, as check's "fits").
        "fits": sequential <= budget,
        "sequential_offload_bytes": sequential,
        "components": [
            {"name": p.name, "params": p.params, "dtype": p.dtype, "bytes": p.bytes} for p in items
        ],
    }


def component_answer(
    entry: Entry, devices: list[Device], quant: str | None, batch: int, runtime_id: str
) -> dict[str, Any]:
    """`check`'s answer for a diffusion or speech model on ``devices``: memory and a verdict;
    speed is not modelled."""
    m = check_components(entry, devices, quant, None)
    total_b = entry.get("params_total_b")
    params = round(float(total_b) * 1e9) if total_b else None
    d = devices[0]
    out: dict[str, Any] = {
        "model": {
            "id": entry.id,
            "name": entry.name,
            "architecture": entry.get("modality"),
            "params_total": params,
            "params_active": params,
            "source": "catalog",
            "weights_source": "component parameter counts at their shipped precision",
            "weights_exact": False,
        },
        "hardware": [
            {
                "id": x.id,
                "name": x.name,
                "memory_bytes": x.memory_bytes,
                "bandwidth_bytes_per_s": x.bandwidth_bytes_per_s,
                "usable_memory_bytes": x.budget_bytes,
                "source": x.source,
            }
            for x in devices
        ],
        "runtime": runtime_id,
        "quant": (quant or "as shipped").upper(),
        "context": None,
        "batch": batch,
        "kv_type": None,
        "memory": {
            k: m[k]
            for k in (
                "weights_bytes",
                "kv_cache_bytes",
                "compute_bytes",
                "overhead_bytes",
                "total_bytes",
                "budget_bytes",
                "host_bytes",
            )
        },
        "devices": [
            {
                "name": d.name,
                "id": d.id,
                "layers": None,
                "weights_bytes": m["weights_bytes"],
                "kv_cache_bytes": 0,
                "compute_bytes": m["compute_bytes"],
                "overhead_bytes": m["overhead_bytes"],
                "total_bytes": m["total_bytes"],
                "budget_bytes": m["budget_bytes"],
            }
        ],
        "host": None,
        "verdict": m["verdict"],
        "reason": m["reason"],
        "fits": m["fits"],
        # Components count as the units: all of them run on the accelerator (one at a time
        # when they only fit with sequential offload).
        "offload": {
            "gpu_layers": len(m["components"]) if m["verdict"] != "wont-run" else 0,
            "total_layers": len(m["components"]),
            "experts_on_host_layers": 0,
        },
        "max_context": None,
        "max_context_where": None,
        "best_quant": None,
        "speed": {
            "decode_tok_s": None,
            "decode_tok_s_low": None,
            "decode_tok_s_high": None,
            "prefill_tok_s": None,
            "prefill_tok_s_low": None,
            "prefill_tok_s_high": None,
            "at_depth_tokens": None,
        },
        "evidence": "estimated",
        "basis": {
            "components": m["components"],
            "sequential_offload_bytes": m["sequential_offload_bytes"],
            "devices": [x.to_dict() for x in devices],
        },
        "notes": [
            f"{entry.get('modality')} models: memory only; their speed is not modelled yet",
            "runtimes like ComfyUI and diffusers can offload components one at a time when the whole model does not fit",
        ],
        "commands": {},
        "assumed": {"quant": quant is None, "context": False, "ram_gib": None},
    }
    return out
