"""Physical plausibility of a measured speed: can this hardware go this fast at all?

A benchmark submission claims decode and prefill rates. Neither can beat the roofline:

- decode, one token at a time, reads every active weight once per token, so
  ``tok/s ≤ bandwidth / active weight bytes`` (the KV cache only lowers it further);
- prefill does at least two FLOPs per active matmul parameter per token, so
  ``tok/s ≤ FP16 tensor FLOP/s / (2 × active matmul parameters)``.

Both get a margin (1.25× by default) for rounding, boost clocks and spec sheets that
understate a device. Several devices add their FLOP/s to a prompt (tensor parallelism, or a
layer split pipelining micro-batches), so the prefill ceiling scales with the device count.
Decoding one stream is different: with a layer split (llama.cpp's default) the devices take
turns on every token, so it is no faster than one device; only tensor parallelism reads the
weights side by side, and no further than one shard per attention head. The bytes come from the engine's
own weight inventory (the catalog's file size when it has one), so a check and a plausibility
test agree on what a model weighs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .catalog import Catalog
from .errors import InputError
from .hardware import Device
from .sources import inventory_for, resolve_model
from .spec import ModelSpec, WeightInventory
from .weights import active_weight_bytes, normalize_quant

MARGIN = 1.25


@dataclass(frozen=True)
class Roofline:
    """The fastest a model can run on some devices, and what that follows from."""

    decode_tok_s_max: float
    prefill_tok_s_max: float | None  # None: the device's FP16 throughput is unknown
    weight_bytes_per_token: int
    matmul_params_per_token: int
    bandwidth_bytes_per_s: float
    fp16_flops: float | None
    n_devices: int
    margin: float
    # Devices whose bandwidth adds up for one decoded stream (1 for a layer split).
    decode_devices: int = 1
    tensor_parallel: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "decode_tok_s_max": round(self.decode_tok_s_max, 1),
            "prefill_tok_s_max": (
                round(self.prefill_tok_s_max, 1) if self.prefill_tok_s_max is not None else None
            ),
            "weight_bytes_per_token": self.weight_bytes_per_token,
            "matmul_params_per_token": self.matmul_params_per_token,
            "bandwidth_bytes_per_s": self.bandwidth_bytes_per_s,
            "fp16_flops": self.fp16_flops,
            "n_devices": self.n_devices,
            "decode_devices": self.decode_devices,
            "split": "tensor" if self.tensor_parallel else "layer",
            "margin": self.margin,
        }


@dataclass(frozen=True)
class Problem:
    """One implausible field, with a sentence saying why."""

    field: str
    message: str


def matmul_params_per_token(spec: ModelSpec) -> int:
    """Parameters multiplied per prompt token: every block's, routed experts at their share.

    Embeddings are a lookup and the output head runs on the last prompt token only, so both
    are left out; leaving things out only raises the ceiling."""
    share = spec.n_experts_used / spec.n_experts if spec.is_moe else 1.0
    total = 0.0
    for layer in spec.layers:
        total += layer.params - layer.params_experts + layer.params_experts * share
    return int(total)


def roofline(
    spec: ModelSpec,
    inv: WeightInventory,
    device: Device,
    n_devices: int = 1,
    margin: float = MARGIN,
    tensor_parallel: bool = False,
) -> Roofline:
    """The ceilings for ``spec`` at the quantization of ``inv`` on ``n_devices`` × ``device``,
    split by layers (the default) or tensor parallel."""
    if n_devices < 1:
        raise InputError(f"n_devices must be at least 1, got {n_devices}")
    weight_bytes = active_weight_bytes(spec, inv)
    params = matmul_params_per_token(spec)
    if weight_bytes <= 0 or params <= 0:
        raise InputError(f"{spec.name}: its weights are unknown, so no ceiling can be set")
    decode_devices = min(n_devices, max(1, spec.n_heads)) if tensor_parallel else 1
    bandwidth = device.bandwidth_bytes_per_s * decode_devices
    flops = device.fp16_flops * n_devices if device.fp16_flops else None
    return Roofline(
        decode_tok_s_max=bandwidth / weight_bytes * margin,
        prefill_tok_s_max=flops / (2 * params) * margin if flops else None,
        weight_bytes_per_token=weight_bytes,
        matmul_params_per_token=params,
        bandwidth_bytes_per_s=device.bandwidth_bytes_per_s,
        fp16_flops=device.fp16_flops,
        n_devices=n_devices,
        margin=margin,
        decode_devices=decode_devices,
        tensor_parallel=tensor_parallel,
    )


def catalog_roofline(
    catalog: Catalog,
    model: str,
    quant: str,
    device: Device,
    n_devices: int = 1,
    margin: float = MARGIN,
    tensor_parallel: bool = False,
) -> Roofline:
    """The ceilings for a catalog model (by id or name) at ``quant``.

    Raises InputError for an unknown model or quantization, or a model without an
    architecture (image and speech models have no tokens per second to check)."""
    resolved = resolve_model(model, catalog, allow_files=False)
    quant_id = normalize_quant(quant)
    spec = resolved.spec
    inv = (
        spec.weights if spec.weights is not None else inventory_for(spec, resolved.entry, quant_id)
    )
    return roofline(spec, inv, device, n_devices, margin, tensor_parallel)


def check_speeds(
    limits: Roofline,
    tg_tok_s: float | None,
    pp_tok_s: float | None,
) -> list[Problem]:
    """The measured rates that beat the ceilings (an empty list: plausible)."""
    problems: list[Problem] = []
    if tg_tok_s is not None and tg_tok_s > limits.decode_tok_s_max:
        gb = limits.weight_bytes_per_token / 1e9
        bw = limits.bandwidth_bytes_per_s * limits.decode_devices / 1e9
        how = ""
        if limits.n_devices > 1 and not limits.tensor_parallel:
            how = f"; split by layers, the {limits.n_devices} devices take turns on each token"
        problems.append(
            Problem(
                "tg_tok_s",
                f"{tg_tok_s:g} tokens/s is faster than the memory allows: {gb:.2f} GB of "
                f"weights per token at {bw:g} GB/s gives at most "
                f"{limits.decode_tok_s_max:.1f} tokens/s ({limits.margin:g}× the roofline){how}",
            )
        )
    if (
        pp_tok_s is not None
        and limits.prefill_tok_s_max is not None
        and pp_tok_s > limits.prefill_tok_s_max
    ):
        tflops = (limits.fp16_flops or 0.0) * limits.n_devices / 1e12
        params_b = limits.matmul_params_per_token / 1e9
        problems.append(
            Problem(
                "pp_tok_s",
                f"{pp_tok_s:g} tokens/s is faster than the arithmetic allows: 2 × {params_b:.2f}B "
                f"parameters per token at {tflops:g} FP16 TFLOPS gives at most "
                f"{limits.prefill_tok_s_max:.1f} tokens/s ({limits.margin:g}× the roofline)",
            )
        )
    return problems
