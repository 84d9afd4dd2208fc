"""Decode and prefill speed: a roofline with a few fitted, physically meaningful parameters.

Decode, per token: every device reads its share of the active weights and of the KV cache at
the current depth from memory (bandwidth × efficiency), and spends arithmetic on
dequantizing the weights it reads (vector FP32 throughput × ops per weight); devices
hold consecutive layers, so their times add; a fixed per-token cost (kernel launches,
sampling) is added per backend. Prefill, per token: 2 FLOPs per active parameter plus
attention over the depth, at tensor throughput × efficiency.

The parameters live in data/speed_params.json, fitted by bench/calibrate_speed.py on the
published measurements; docs/methodology.md explains each one.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from .hardware import Device
from .memory import MemoryPlan
from .spec import ModelSpec, WeightInventory

PARAMS_PATH = Path(__file__).with_name("data") / "speed_params.json"
BACKEND_CLASSES = ("cuda", "rocm", "metal", "vulkan", "cpu")


@dataclass(frozen=True)
class SpeedParams:
    bandwidth_efficiency: dict[str, float]  # share of peak bandwidth reached when decoding
    fixed_ms: dict[str, float]  # per-token cost independent of size, per backend
    per_layer_us: float  # launch cost per layer per token
    dequant_ops: dict[str, float]  # FP32 ops per weight read, by quant family
    prefill_efficiency: dict[str, float]  # share of tensor FLOP/s reached in prefill
    prefill_quant_factor: dict[str, float]  # extra prefill cost of dequantizing, by family
    attention_factor: float  # cost of attention FLOPs relative to matmul FLOPs in prefill
    pipeline_efficiency: float  # share of each extra GPU's work that pipelining overlaps
    tflops_per_watt: float  # sustained tensor throughput a watt of board power buys (GPUs)
    # Dequantization cost multiplier on GPUs without a native int8 dot product (dp4a):
    # NVIDIA below compute capability 6.1 (Kepler, Maxwell, GP100), where llama.cpp
    # emulates it with byte extracts and 32-bit multiplies.
    no_dp4a_dequant_factor: float
    decode_spread: dict[str, tuple[float, float]]  # p10/p90 of measured/predicted
    prefill_spread: dict[str, tuple[float, float]]

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SpeedParams:
        return cls(
            bandwidth_efficiency=dict(d["bandwidth_efficiency"]),
            fixed_ms=dict(d["fixed_ms"]),
            per_layer_us=float(d["per_layer_us"]),
            dequant_ops=dict(d["dequant_ops"]),
            prefill_efficiency=dict(d["prefill_efficiency"]),
            prefill_quant_factor=dict(d["prefill_quant_factor"]),
            attention_factor=float(d.get("attention_factor", 1.0)),
            pipeline_efficiency=float(d.get("pipeline_efficiency", 0.5)),
            tflops_per_watt=float(d.get("tflops_per_watt", 10.0)),
            no_dp4a_dequant_factor=float(d.get("no_dp4a_dequant_factor", 1.0)),
            decode_spread={k: (float(v[0]), float(v[1])) for k, v in d["decode_spread"].items()},
            prefill_spread={k: (float(v[0]), float(v[1])) for k, v in d["prefill_spread"].items()},
        )


@cache
def load_params(path: Path = PARAMS_PATH) -> SpeedParams:
    with path.open(encoding="utf-8") as f:
        return SpeedParams.from_dict(json.load(f))


def backend_class(device: Device) -> str:
    return device.backend if device.backend in BACKEND_CLASSES else "vulkan"


def quant_family(quant: str) -> str:
    """Groups with similar dequantization cost."""
    q = quant.upper()
    if q in ("F16", "BF16", "F32", "FP16", "MLX-BF16"):
        return "f16"
    if q.startswith(("Q8", "FP8", "INT8", "MLX-8")):
        return "q8"
    if q.startswith(("Q4_0", "Q4_1", "Q5_0", "Q5_1", "IQ4_NL", "MXFP4")):
        return "q_legacy"
    if q.startswith("IQ"):
        return "iq"
    return "k_quant"


@dataclass(frozen=True)
class DeviceLoad:
    """What one device does per decoded token."""

    backend: str
    bandwidth_bytes_per_s: float
    fp32_flops: float | None
    fp16_flops: float | None
    tdp_w: float | None
    weight_bytes: float
    weight_params: float
    kv_bytes: float
    layers: int
    dp4a: bool = True  # a native int8 dot product (every GPU but old NVIDIA ones)


# NVIDIA's __dp4a arrived with compute capability 6.1; llama.cpp (ggml-cuda common.cuh,
# ggml_cuda_dp4a) emulates it below that.
DP4A_MIN_COMPUTE_CAPABILITY = 6.1


def has_dp4a(device: Device) -> bool:
    cc = device.compute_capability
    return cc is None or device.backend != "cuda" or cc >= DP4A_MIN_COMPUTE_CAPABILITY


@dataclass(frozen=True)
class SpeedFeatures:
    loads: tuple[DeviceLoad, ...]
    host_bytes: float  # bytes streamed from system RAM per token (offloaded layers and experts)
    host_bandwidth_bytes_per_s: float | None
    quant_family: str
    n_layers: int
    active_params: float
    attn_flops_per_token_per_depth: float  # 4 · n_layers · heads · head_dim
    tensor_parallel: bool = False
    host_params: float = 0.0  # weights (parameters) read from system RAM per token
    host_layers: int = 0  # whole layers run by the CPU
    # Unified memory: the GPU's FP32 rate, a floor on the CPU side's dequantization time
    # (the CPU cores of these SoCs have a fraction of the GPU's arithmetic); None for a
    # separate host, whose DDR bandwidth binds first.
    host_fp32_flops: float | None = None


def _expert_bytes(inv: WeightInventory, start: int, stop: int) -> float:
    return float(sum(inv.layer_expert_bytes[max(start, 0) : max(stop, 0)]))


def features(
    spec: ModelSpec,
    inv: WeightInventory,
    plan: MemoryPlan,
    depth: int,
    host_bandwidth_bytes_per_s: float | None,
    host_fp32_flops: float | None = None,
) -> SpeedFeatures:
    """Bytes and parameters each device touches per token at KV depth ``depth``.

    llama.cpp keeps the first layers on the host (``-ngl``) and, for MoE, the routed experts
    of the first ``experts_on_host_layers`` layers (``--n-cpu-moe``); GPUs hold the
    following layers in order. Each active byte is read once per token, from wherever it
    lives: only the routed share of the experts a device (or the host) holds."""
    n = spec.n_layers
    moe_share = (spec.n_experts_used / spec.n_experts) if spec.is_moe else 1.0
    per_layer_experts = spec.is_moe and len(inv.layer_expert_bytes) == n
    experts_host = plan.experts_on_host_layers
    start = n - sum(use.layers for use in plan.devices)  # first layer on a GPU
    total_kv_full = 0.0
    loads = []
    bpw = inv.total_bytes / max(spec.params_total, 1)
    for use in plan.devices:
        share = use.layers / n if n else 0.0
        if plan.tensor_parallel:
            share = 1 / len(plan.devices)
        weights = float(use.weights_bytes)
        if spec.is_moe:
            if per_layer_experts and not plan.tensor_parallel:
                stop = start + use.layers
                experts_here = _expert_bytes(inv, max(start, experts_host), stop)
                start = stop
            else:
                experts_here = inv.expert_bytes * share
            weights -= experts_here * (1 - moe_share)
        kv = use.kv_cache_bytes * min(1.0, depth / plan.kv_tokens) if plan.kv_tokens else 0.0
        total_kv_full += use.kv_cache_bytes
        loads.append(
            DeviceLoad(
                backend=backend_class(use.device),
                bandwidth_bytes_per_s=use.device.bandwidth_bytes_per_s,
                fp32_flops=use.device.fp32_flops,
                fp16_flops=use.device.fp16_flops,
                tdp_w=use.device.tdp_w,
                weight_bytes=max(weights, 0.0),
                weight_params=max(weights, 0.0) / bpw,
                kv_bytes=kv,
                layers=use.layers,
                dp4a=has_dp4a(use.device),
            )
        )
    host_bytes = 0.0
    host_layers = 0
    if (
        plan.host is not None and plan.gpu_layers < plan.total_layers
    ) or plan.experts_on_host_layers:
        host = plan.host
        assert host is not None
        host_weights = float(max(host.weights_bytes - inv.input_bytes, 0))
        if spec.is_moe:
            # Whole host layers read their attention in full and a routed share of their
            # experts; layers whose experts alone stay on the host read that share.
            first_gpu = n - sum(use.layers for use in plan.devices)
            if per_layer_experts:
                experts_on_host = _expert_bytes(inv, 0, max(first_gpu, experts_host))
            else:
                experts_on_host = inv.expert_bytes * max(first_gpu, experts_host) / max(n, 1)
            experts_on_host = min(experts_on_host, host_weights)
            host_weights -= experts_on_host * (1 - moe_share)
        host_bytes = host_weights
        # Whole layers on the CPU, and layers whose experts alone run there: each is one
        # more hand-off between the backends (a copy and a synchronisation) per token.
        host_layers = max(0, min(n, plan.total_layers - plan.gpu_layers))
        host_layers = max(host_layers, min(n, experts_host))
        if plan.kv_tokens:
            host_bytes += host.kv_cache_bytes * min(1.0, depth / plan.kv_tokens)
        host_params = host_weights / bpw
    else:
        host_params = 0.0
    return SpeedFeatures(
        loads=tuple(loads),
        host_bytes=host_bytes,
        host_bandwidth_bytes_per_s=host_bandwidth_bytes_per_s,
        quant_family=quant_family(inv.quant),
        n_layers=n,
        active_params=float(spec.params_active),
        attn_flops_per_token_per_depth=4.0 * spec.attention_width,
        tensor_parallel=plan.tensor_parallel,
        host_params=host_params,
        host_layers=host_layers,
        host_fp32_flops=host_fp32_flops,
    )


def decode_seconds_per_token(f: SpeedFeatures, p: SpeedParams) -> float | None:
    ops = p.dequant_ops.get(f.quant_family, 0.0)
    times = []
    for load in f.loads:
        eta = p.bandwidth_efficiency[load.backend]
        t_dev = (load.weight_bytes + load.kv_bytes) / (load.bandwidth_bytes_per_s * eta)
        if load.fp32_flops:
            factor = 1.0 if load.dp4a else p.no_dp4a_dequant_factor
            t_dev += load.weight_params * ops * factor / load.fp32_flops
        times.append(t_dev + load.layers * p.per_layer_us * 1e-6)
    # Layer split: devices work one after another. Tensor parallel: side by side.
    t = max(times, default=0.0) if f.tensor_parallel else sum(times)
    if f.host_bytes:
        if not f.host_bandwidth_bytes_per_s:
            return None
        # The CPU reads its part in turn with the GPUs (one token at a time), pays a
        # per-layer cost for each layer it takes part in and, on unified memory, at least
        # the dequantization the GPU would have done.
        t += f.host_bytes / (f.host_bandwidth_bytes_per_s * p.bandwidth_efficiency["cpu"])
        t += f.host_layers * p.per_layer_us * 1e-6
        if f.host_fp32_flops:
            t += f.host_params * ops / f.host_fp32_flops
    main = f.loads[0].backend if f.loads else "cpu"
    return t + p.fixed_ms[main] * 1e-3


def prefill_seconds_per_token(
    f: SpeedFeatures, p: SpeedParams, depth: float, prompt_tokens: int = 512
) -> float | None:
    """Per prompt token, at an average attention depth of ``depth`` tokens.

    Layer-split GPUs work one after another on a batch, but llama.cpp pipelines the
    512-token micro-batches of a 2048-token batch across them, so long prompts overlap.
    Discrete GPUs sustain at most their board power's worth of tensor throughput.
    """
    if not f.loads:
        return None
    flops_total = (
        2 * f.active_params + p.attention_factor * f.attn_flops_per_token_per_depth * depth
    )
    t = 0.0
    n_layers = sum(load.layers for load in f.loads) or 1
    for load in f.loads:
        peak = load.fp16_flops
        if not peak:
            return None
        if load.tdp_w and load.backend in ("cuda", "rocm"):
            peak = min(peak, load.tdp_w * p.tflops_per_watt * 1e12)
        share = 1 / len(f.loads) if f.tensor_parallel else load.layers / n_layers
        eta = p.prefill_efficiency[load.backend] / p.prefill_quant_factor.get(f.quant_family, 1.0)
        t += flops_total * share / (peak * eta)
    if len(f.loads) > 1 and not f.tensor_parallel:
        in_flight = min(len(f.loads), max(1, -(-min(prompt_tokens, 2048) // 512)))
        t /= 1 + (in_flight - 1) * p.pipeline_efficiency
    if f.host_bytes and f.host_bandwidth_bytes_per_s:
        # Offloaded layers: llama.cpp streams their weights over PCIe once per 512-token batch.
        t += f.host_bytes / 25e9 / 512
    return t


def spread(table: dict[str, tuple[float, float]], backend: str) -> tuple[float, float]:
    return table.get(backend, table.get("default", (0.8, 1.2)))


def safe_rate(seconds: float | None) -> float | None:
    if seconds is None or seconds <= 0 or math.isnan(seconds):
        return None
    return 1.0 / seconds
