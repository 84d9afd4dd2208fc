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
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from .hardware import Device
from .memory import (
    LLAMA_UBATCH,
    MemoryPlan,
    attention_flops,
    kv_read_bytes,
    layers_with_experts,
)
from .runtimes import Runtime
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
    # Share of the FP32 vector rate decode attention reaches (flash-attention vector kernels
    # score and mix every cached token: arithmetic, not only reads, at depth and for MLA).
    decode_attention_efficiency: float = 1.0
    per_moe_layer_us: float = 0.0  # routing, top-k and expert gathers per MoE layer
    # Prefill attention without flash attention (llama.cpp before the end of August 2025):
    # the score matrix is written and re-read in FP32 and softmaxed separately.
    attention_factor_no_fa: float = 1.0
    # Prompt GEMMs load (and unpack) each weight tile once for the tokens that share it:
    # per token and weight the cost is one multiply-add plus 1/n of a tile load, n the
    # tokens multiplied by that tile. This is the tile load's cost in tokens' worth of
    # multiply-adds: GEMM time scales as 1 + tile_load_tokens / n. n is the micro-batch for
    # dense weights and ubatch × k / E for a routed expert (llama.cpp mul_mat_id), whose
    # tiles 128- or 256-expert models fill with 16 tokens a 512-token micro-batch.
    tile_load_tokens: float = 0.0
    # Prompt attention cost relative to the CUDA flash-attention kernels, per backend class:
    # each backend has its own flash-attention kernels (CUDA mma, Metal simdgroup, Vulkan
    # coopmat/scalar, HIP rocWMMA/tile), unlike the GEMMs whose rate the path sets.
    attention_backend_factor: dict[str, float] = field(default_factory=dict)
    # Query rows of a prompt that share one load of a K/V tile in flash attention: each
    # block of this many rows streams the cache of its KV heads once, so prefill at depth
    # reads the cache depth / rows times per token. What makes multi-head (no GQA) models
    # and low-bandwidth machines slow at depth. 0: not counted.
    attention_tile_rows: float = 0.0
    # Share of its peak each prefill arithmetic path reaches, relative to the backend's
    # prefill_efficiency (which is measured on the tensor-core path), except dp4a, whose
    # value is its own share of 4 × FP32 on CUDA and HIP alike: see prefill_path().
    prefill_path_efficiency: dict[str, float] = field(default_factory=dict)
    # NVIDIA: SM·GHz a watt of board power sustains under prefill (0: no cap).
    sm_ghz_per_watt: float = 0.0
    clock_power_exponent: float = 1.0  # board power ∝ clock^exponent under DVFS
    # CPUs: int8 operations per weight a decoded token spends unpacking and multiplying a
    # quantized weight (shifts, masks, SDOT/VNNI dot products, scales), counted at the int8
    # dot-product rate: the compute floor of decode on weak cores (cpu_int8_flops).
    cpu_decode_ops: float = 0.0

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
            decode_attention_efficiency=float(d.get("decode_attention_efficiency", 1.0)),
            per_moe_layer_us=float(d.get("per_moe_layer_us", 0.0)),
            tile_load_tokens=float(d.get("tile_load_tokens", 0.0)),
            attention_backend_factor=dict(d.get("attention_backend_factor", {})),
            attention_tile_rows=float(d.get("attention_tile_rows", 0.0)),
            attention_factor_no_fa=float(
                d.get("attention_factor_no_fa", d.get("attention_factor", 1.0))
            ),
            prefill_path_efficiency=dict(d.get("prefill_path_efficiency", {})),
            sm_ghz_per_watt=float(d.get("sm_ghz_per_watt", 0.0)),
            clock_power_exponent=float(d.get("clock_power_exponent", 1.0)),
            cpu_decode_ops=float(d.get("cpu_decode_ops", 0.0)),
        )


@cache
def load_params(path: Path = PARAMS_PATH) -> SpeedParams:
    with path.open(encoding="utf-8") as f:
        return SpeedParams.from_dict(json.load(f))


@cache
def load_params_raw(path: Path = PARAMS_PATH) -> dict[str, Any]:
    """The parameter file as stored, with the fit's cross-validation report."""
    with path.open(encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


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
    attn_flops: float = 0.0  # decode attention arithmetic per token at the current depth
    moe_layers: int = 0
    tensor_cores: bool = True  # NVIDIA: compute capability 7.0 and later
    vendor: str | None = None
    api: str | None = None  # the device's own backend (sycl stays sycl; backend is its class)
    # Every weight the device holds, routed experts included: a prompt micro-batch of 512
    # tokens reaches nearly every expert, so prefill streams them all once per micro-batch.
    resident_weight_bytes: float = 0.0
    # NVIDIA: streaming multiprocessors × boost clock (Hz), from the FP32 rate and the FP32
    # lanes per SM of the compute capability; None elsewhere.
    sm_clock_hz: float | None = None
    compute_capability: float | None = None
    gpu_arch: str | None = None  # AMD LLVM target
    int8_flops: float | None = None  # int8 dot-product ops/s (catalog int8_tops)


# NVIDIA's __dp4a arrived with compute capability 6.1; llama.cpp (ggml-cuda common.cuh,
# ggml_cuda_dp4a) emulates it below that.
DP4A_MIN_COMPUTE_CAPABILITY = 6.1


def has_dp4a(device: Device) -> bool:
    cc = device.compute_capability
    return cc is None or device.backend != "cuda" or cc >= DP4A_MIN_COMPUTE_CAPABILITY


TENSOR_CORE_MIN_COMPUTE_CAPABILITY = 7.0  # Volta


def has_tensor_cores(device: Device) -> bool:
    cc = device.compute_capability
    return cc is None or device.backend != "cuda" or cc >= TENSOR_CORE_MIN_COMPUTE_CAPABILITY


# llama.cpp's quantized GEMMs (MMQ) use int8 tensor-core MMA from Turing on
# (ggml-cuda mmq.cu, ggml_cuda_should_use_mmq: turing_mma_available); Volta has FP16 tensor
# cores only, so large batches dequantize to FP16 and run cuBLAS there.
INT8_MMA_MIN_COMPUTE_CAPABILITY = 7.5


def fp32_lanes_per_sm(cc: float) -> int:
    """FP32 results per clock per SM (CUDA C++ Programming Guide, arithmetic instruction
    throughput table): 192 on Kepler, 128 on Maxwell, 64 on GP100, Volta, Turing and GA100,
    128 on GP10x, GA10x, Ada, Hopper and Blackwell."""
    if cc < 5.0:
        return 192
    if cc < 6.0 or round(cc, 1) in (6.1, 6.2) or cc >= 8.6 or round(cc, 1) == 9.0:
        return 128
    return 64


def sm_clock_hz(device: Device) -> float | None:
    """SMs × boost clock of an NVIDIA GPU: its FP32 rate over 2 FLOPs × FP32 lanes per SM."""
    cc = device.compute_capability
    if device.backend != "cuda" or cc is None or not device.fp32_flops:
        return None
    return device.fp32_flops / (2 * fp32_lanes_per_sm(cc))


def amd_dp4a_mmq(gpu_arch: str | None) -> bool:
    """AMD GPUs on which llama.cpp's HIP build runs quantized prompt GEMMs in MMQ on the
    int8 dot product (v_dot4_i32_i8, 4 multiply-adds per FP32 lane) for lack of matrix
    units: Vega 20 (gfx906) and RDNA2 (gfx103x). CDNA (MFMA) and RDNA3/4 (WMMA) reach their
    matrix units through MMQ or hipBLAS (ggml-cuda mmq.cu, ggml_cuda_should_use_mmq)."""
    return gpu_arch is not None and (gpu_arch == "gfx906" or gpu_arch.startswith("gfx103"))


# Dense int8 tensor-core operations per SM per clock on Turing, GA10x, Ada and GB20x SMs
# (e.g. RTX 4090: 660.6 dense int8 TOPS / (128 SMs × 2.52 GHz) = 2048). llama.cpp's MMQ
# kernels are bound by loading and unpacking quantized tiles per SM, not by the MMA rate:
# measured per SM and clock, the wider tensor cores of A100/H100 (4096/8192) give them no
# more than GA10x/Ada, so the MMQ path is rated per SM × clock at this width.
MMQ_OPS_PER_SM_CLOCK = 2048
# llama.cpp's native FP4 MMA (PR #17906) on compute capability 12.x: Blackwell's m16n8k64
# block-scaled FP4 instruction has twice the int8 MMA's throughput per SM and clock, and the
# kernel quantizes the activations to FP4, so its activation tiles are half the bytes of the
# q8_1 ones: the FP4 tensors' MMQ cost (multiply-adds and tile loads alike) halves. Diluted
# by attention, dense layers and weight streaming this gives the 1.2-1.3x on the whole prompt
# the PR measured on DGX Spark and desktop Blackwell. Compute capability 10.x (B200) has
# other FP4 instructions (tcgen05) that llama.cpp does not use (GGML_CUDA_CC_BLACKWELL 1200).
FP4_MMQ_SPEEDUP = 2.0
FP4_MMA_COMPUTE_CAPABILITY = (12.0, 13.0)
FP4_QUANTS = ("MXFP4", "NVFP4")
# Prefill paths whose efficiency is absolute (one kernel family on several backends).
ABSOLUTE_PATHS = frozenset({"dp4a"})


@dataclass(frozen=True)
class SpeedFeatures:
    loads: tuple[DeviceLoad, ...]
    host_bytes: float  # bytes streamed from system RAM per token (offloaded layers and experts)
    host_bandwidth_bytes_per_s: float | None
    quant_family: str
    n_layers: int
    active_params: float  # parameters a token multiplies (embedding lookups excluded)
    attn_prefill_flops: float  # attention FLOPs per prompt token at the average depth
    flash_attn: bool = True
    ubatch: int = LLAMA_UBATCH  # tokens per prompt micro-batch
    mmq: bool = True  # llama.cpp's int8 MMQ kernels for quantized prompt GEMMs (Runtime.mmq)
    fp4_mma: bool = True  # llama.cpp's native FP4 MMA for MXFP4/NVFP4 weights (Runtime.fp4_mma)
    llama_kernels: bool = True  # the runtime is llama.cpp (its dp4a MMQ on AMD Vega 20/RDNA2)
    engine: str = "llama.cpp"  # Runtime.engine: which decode model applies (RUNTIME_DECODE)
    engine_version: tuple[int, ...] | None = None  # the runtime's release, None: current
    n_experts: int = 0  # routed experts per MoE layer (0: dense)
    quant: str = ""  # the weights' scheme label (inv.quant): picks transformers' kernel path
    active_expert_params: float = 0.0  # the routed-expert part of active_params
    expert_share: float = 1.0  # k / E: the share of a micro-batch's tokens each expert takes
    sequences: int = 1  # sequences decoded together (each load's kv_bytes covers them all)
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
    runtime: Runtime | None = None,
    kv_type: str = "f16",
    sequences: int = 1,
) -> SpeedFeatures:
    """Bytes and parameters each device touches per token at KV depth ``depth``.

    llama.cpp keeps the first layers on the host (``-ngl``) and, for MoE, the routed experts
    of the first ``experts_on_host_layers`` layers (``--n-cpu-moe``); GPUs hold the
    following layers in order. Each active byte is read once per token, from wherever it
    lives: only the routed share of the experts a device (or the host) holds, never the
    embedding tables a token only looks up. With ``runtime`` the KV read at ``depth`` is
    counted layer by layer (sliding windows capped, recurrent state fixed)."""
    n = spec.n_layers
    moe_share = (spec.n_experts_used / spec.n_experts) if spec.is_moe else 1.0
    per_layer_experts = spec.is_moe and len(inv.layer_expert_bytes) == n
    experts_host = plan.experts_on_host_layers
    start = n - sum(use.layers for use in plan.devices)  # first layer on a GPU
    loads = []
    bpw = inv.total_bytes / max(spec.params_total, 1)
    tp = len(plan.devices) if plan.tensor_parallel else 1
    for k, use in enumerate(plan.devices):
        share = use.layers / n if n else 0.0
        lo, hi = (0, n) if plan.tensor_parallel else (start, start + use.layers)
        if plan.tensor_parallel:
            share = 1 / tp
        weights = float(use.weights_bytes)
        if k < len(plan.lookup_bytes):
            weights -= plan.lookup_bytes[k]
        resident = max(weights, 0.0)
        # MTP layers and towers are held, not read: they sit with the last layers.
        if plan.tensor_parallel:
            weights -= inv.unread_bytes / tp
        elif k == len(plan.devices) - 1:
            weights -= inv.unread_bytes
        if spec.is_moe:
            if per_layer_experts and not plan.tensor_parallel:
                experts_here = _expert_bytes(inv, max(lo, experts_host), hi)
            else:
                experts_here = inv.expert_bytes * share
            weights -= experts_here * (1 - moe_share)
        if runtime is not None:
            kv = kv_read_bytes(spec, depth, runtime, kv_type, sequences, range(lo, hi)) / tp
            attn = attention_flops(spec, runtime, depth, lo, hi, decode=True) * sequences / tp
        else:
            kv = use.kv_cache_bytes * min(1.0, depth / plan.kv_tokens) if plan.kv_tokens else 0.0
            attn = 0.0
        if not plan.tensor_parallel:
            start = hi
        loads.append(
            DeviceLoad(
                backend=backend_class(use.device),
                bandwidth_bytes_per_s=use.device.bandwidth_bytes_per_s,
                fp32_flops=use.device.fp32_flops,
                fp16_flops=use.device.fp16_flops,
                tdp_w=use.device.tdp_w,
                weight_bytes=max(weights, 0.0),
                weight_params=max(weights, 0.0) / bpw,
                kv_bytes=float(kv),
                layers=use.layers,
                dp4a=has_dp4a(use.device),
                attn_flops=attn,
                moe_layers=layers_with_experts(spec, lo, hi),
                tensor_cores=has_tensor_cores(use.device),
                vendor=use.device.vendor,
                api=use.device.backend,
                resident_weight_bytes=resident,
                sm_clock_hz=sm_clock_hz(use.device),
                compute_capability=use.device.compute_capability,
                gpu_arch=use.device.gpu_arch,
                int8_flops=use.device.int8_flops,
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
    if runtime is not None:
        attn_prefill = attention_flops(spec, runtime, depth, 0, n, decode=False)
    else:
        attn_prefill = 4.0 * spec.attention_width * depth
    return SpeedFeatures(
        loads=tuple(loads),
        host_bytes=host_bytes,
        host_bandwidth_bytes_per_s=host_bandwidth_bytes_per_s,
        quant_family=quant_family(inv.quant),
        n_layers=n,
        active_params=float(spec.params_matmul_active),
        attn_prefill_flops=attn_prefill,
        tensor_parallel=plan.tensor_parallel,
        host_params=host_params,
        host_layers=host_layers,
        host_fp32_flops=host_fp32_flops,
        active_expert_params=float(spec.routed_expert_params * moe_share),
        expert_share=moe_share,
        sequences=max(sequences, 1),
        flash_attn=runtime.flash_attn if runtime is not None else True,
        ubatch=runtime.ubatch if runtime is not None else LLAMA_UBATCH,
        # MMQ and dp4a GEMMs are llama.cpp's own kernels; vLLM, transformers and ExLlama run
        # FP16/BF16 tensor-core GEMMs (cuBLAS, Marlin, their own) on quantized weights too.
        mmq=runtime is None or (runtime.mmq and runtime.engine == "llama.cpp"),
        llama_kernels=runtime is None or runtime.engine == "llama.cpp",
        fp4_mma=runtime is None or (runtime.fp4_mma and runtime.engine == "llama.cpp"),
        engine=runtime.engine if runtime is not None else "llama.cpp",
        engine_version=_release(runtime.version) if runtime is not None else None,
        n_experts=spec.n_experts if spec.is_moe else 0,
        quant=inv.quant.upper(),
    )


@dataclass(frozen=True)
class RuntimeDecode:
    """What one decoded token costs a runtime other than llama.cpp beyond reading its bytes
    (docs/methodology.md, "Other runtimes"). GPU time is the bytes each device reads (active
    weights and KV cache) at the backend's decode bandwidth efficiency: their matrix-vector
    kernels (cuBLAS, Marlin, MLX's qmv) dequantize within the read, so llama.cpp's
    per-quant-family dequantization arithmetic and its vector flash-attention cost do not apply.

    - ``per_layer_us``: a latency floor per layer that the bytes do not explain: each of a
      layer's ten-odd small kernels ramps up and drains (vLLM replays them from a CUDA graph;
      MLX encodes them into a command buffer ahead of the GPU).
    - ``fixed_ms``: once per token: vLLM's scheduler, sampler and output processing.
    - ``host_per_layer_us``: eager PyTorch (transformers' generate): Python dispatches every
      operation of every layer, one kernel launch after another. The GPU runs behind the
      host, so a token takes the longer of the two, not their sum.
    - ``per_expert_us``: transformers 4.x MoE blocks loop over every expert of a layer in
      Python, with a host synchronisation (torch.where) per expert, whether or not a token
      chose it; transformers 5 batches the experts (``expert_loop_before``).
    - ``host_per_linear_us``: eager PyTorch again, by weight scheme: the host time each
      quantized linear layer adds when its scheme has no single fused matrix-vector kernel
      and dequantizes (or quantizes the activations) in separate operations launched one by
      one. Schemes not named here (BF16, GPTQ 4-bit on ExLlama, AWQ) launch one kernel per
      linear, as an unquantized layer does."""

    per_layer_us: float = 0.0
    fixed_ms: float = 0.0
    host_per_layer_us: float = 0.0
    per_expert_us: float = 0.0
    expert_loop_before: tuple[int, ...] = ()
    host_per_linear_us: Mapping[str, float] = field(default_factory=dict)


# The linear layers of a transformer block: q, k, v and o projections, and the MLP's gate, up
# and down (a MoE layer's routed experts are counted by ``per_expert_us`` instead).
ATTENTION_LINEARS = 4
MLP_LINEARS = 3


# Read off single-request measurements in bench/data/measured-extra.csv (docs/methodology.md):
# vLLM 0.6.3 with CUDA graphs on an A100 (Qwen2.5 0.5B–32B, BF16, GPTQ, AWQ): 0.6 ms + 120 µs
# per layer beyond the bytes; mlx-lm on M3 Pro/M3 Max/M4 Max: about 110 µs per layer;
# transformers 4.46/4.51 generate() on A100/H20: 0.6–0.9 ms of host time per layer, and
# 80 µs per expert per MoE layer (Qwen3-30B-A3B at 1.9 tokens/s on an H20). Quantized linears
# without a fused kernel, on top: GPTQ 8-bit (AutoGPTQ's CUDA/Triton path, GPTQModel) and
# bitsandbytes NF4 80 µs each (0.3–0.8 ms per layer more than BF16 on A100/H20), bitsandbytes
# LLM.int8() 530 µs each (its outlier decomposition; 6.98 vs 46.4 tokens/s for F16 on an A100).
RUNTIME_DECODE: dict[str, RuntimeDecode] = {
    "vllm": RuntimeDecode(per_layer_us=120.0, fixed_ms=0.6),
    "mlx": RuntimeDecode(per_layer_us=110.0),
    "transformers": RuntimeDecode(
        host_per_layer_us=750.0,
        per_expert_us=80.0,
        expert_loop_before=(5, 0),
        host_per_linear_us={"GPTQ-8BIT": 80.0, "NF4": 80.0, "INT8": 530.0},
    ),
}


def _release(version: str | None) -> tuple[int, ...] | None:
    if not version:
        return None
    parts = []
    for part in version.lstrip("vb").split("."):
        if not part.isdigit():
            break
        parts.append(int(part))
    return tuple(parts) or None


def runtime_decode_seconds(f: SpeedFeatures, p: SpeedParams, r: RuntimeDecode) -> float:
    """Seconds per decoded token on a runtime other than llama.cpp (RuntimeDecode): the bytes
    every device reads at the backend's bandwidth efficiency plus the per-layer floor
    (devices in turn, or side by side under tensor parallelism), the per-token fixed cost,
    and, for eager PyTorch, at least the host's dispatch time."""
    times = []
    for load in f.loads:
        eta = p.bandwidth_efficiency[load.backend]
        t_dev = (load.weight_bytes + load.kv_bytes) / (load.bandwidth_bytes_per_s * eta)
        times.append(t_dev + load.layers * r.per_layer_us * 1e-6)
    t = max(times, default=0.0) if f.tensor_parallel else sum(times)
    host = f.n_layers * r.host_per_layer_us * 1e-6
    moe_layers = sum(load.moe_layers for load in f.loads) if f.n_experts else 0
    loops = f.engine_version is not None and f.engine_version < r.expert_loop_before
    if loops and moe_layers:
        host += moe_layers * f.n_experts * r.per_expert_us * 1e-6
    per_linear = r.host_per_linear_us.get(f.quant, 0.0)
    if per_linear:
        linears = f.n_layers * ATTENTION_LINEARS + (f.n_layers - moe_layers) * MLP_LINEARS
        host += linears * per_linear * 1e-6
    return max(t, host) + r.fixed_ms * 1e-3


def decode_seconds_per_token(f: SpeedFeatures, p: SpeedParams) -> float | None:
    other = RUNTIME_DECODE.get(f.engine)
    if other is not None and not f.host_bytes:
        return runtime_decode_seconds(f, p, other)
    ops = p.dequant_ops.get(f.quant_family, 0.0)
    times = []
    for load in f.loads:
        eta = p.bandwidth_efficiency[load.backend]
        t_dev = (load.weight_bytes + load.kv_bytes) / (load.bandwidth_bytes_per_s * eta)
        if load.backend == "cpu":
            t_dev = cpu_decode_seconds(load, p, t_dev)
        elif load.fp32_flops:
            factor = 1.0 if load.dp4a else p.no_dp4a_dequant_factor
            t_dev += load.weight_params * ops * factor / load.fp32_flops
            t_dev += load.attn_flops / (load.fp32_flops * p.decode_attention_efficiency)
        t_dev += load.layers * p.per_layer_us * 1e-6 + load.moe_layers * p.per_moe_layer_us * 1e-6
        times.append(t_dev)
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


# llama.cpp's CPU backend quantizes the activations to 8 bits (Q8_0/Q8_K) and multiplies them
# with the quantized weights in int8 dot products: NEON SDOT (and SMMLA with i8mm), AVX2
# maddubs, AVX-VNNI and AVX-512 VNNI (ggml-cpu arch/*/quants.c, repack.cpp). Each of these
# does 4 int8 multiply-adds in the 32-bit lane where an FMA does one FP32 multiply-add.
CPU_INT8_PER_FP32 = 4.0


def cpu_int8_flops(load: DeviceLoad) -> float | None:
    """The int8 dot-product rate of a CPU: the catalog's int8_tops where recorded (it names
    the ISA's rate: SDOT, i8mm, VNNI), else 4 × its FP32 FMA rate (CPU_INT8_PER_FP32)."""
    if load.int8_flops:
        return load.int8_flops
    return CPU_INT8_PER_FP32 * load.fp32_flops if load.fp32_flops else None


def cpu_decode_seconds(load: DeviceLoad, p: SpeedParams, t_memory: float) -> float:
    """One decoded token on a CPU: the cores prefetch the next weights while they multiply
    the last, so the token takes the longer of reading the bytes (``t_memory``) and the
    arithmetic (``cpu_decode_ops`` int8 operations per weight at the int8 dot-product rate,
    what binds on weak cores), plus attention over the cache on the FP32 units and the
    per-layer synchronisation of the threads."""
    int8 = cpu_int8_flops(load)
    t_compute = load.weight_params * p.cpu_decode_ops / int8 if int8 else 0.0
    t = max(t_memory, t_compute)
    if load.fp32_flops:
        t += load.attn_flops / (load.fp32_flops * p.decode_attention_efficiency)
    return t


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
    attn_factor = p.attention_factor if f.flash_attn else p.attention_factor_no_fa
    t = 0.0
    n_layers = sum(load.layers for load in f.loads) or 1
    for load in f.loads:
        path, peak = prefill_path(load, f.quant_family, f.mmq, f.llama_kernels)
        if not peak:
            return None
        speedup = FP4_MMQ_SPEEDUP if path == "mmq" and fp4_mma_applies(f, load) else 1.0
        gemm_flops = prefill_gemm_flops(f, p.tile_load_tokens, prompt_tokens, speedup)
        if path == "mmq":
            peak *= sustained_clock_share(load, p)
        elif load.tdp_w and load.backend in ("cuda", "rocm"):
            peak = min(peak, load.tdp_w * p.tflops_per_watt * 1e12)
        share = 1 / len(f.loads) if f.tensor_parallel else load.layers / n_layers
        # The dp4a path is the same MMQ code on CUDA and HIP: its share of 4 × FP32 is its own,
        # not scaled by a backend's matrix-path efficiency. Other paths are backend-specific.
        eta = 1.0 if path in ABSOLUTE_PATHS else p.prefill_efficiency[load.backend]
        eta *= p.prefill_path_efficiency.get(path, 1.0)
        if f.llama_kernels:  # other runtimes dequantize tiles inside their GEMMs
            eta /= p.prefill_quant_factor.get(f.quant_family, 1.0)
        attn = attn_factor * p.attention_backend_factor.get(load.backend, 1.0)
        if load.backend == "cpu":
            # Attention runs on the vector units in F16/F32 (ggml-cpu flash attention), not
            # on the int8 dot products of the weight GEMMs.
            vec = load.fp16_flops or load.fp32_flops or peak
            eta_cpu = p.prefill_efficiency["cpu"]
            t += gemm_flops * share / (peak * eta)
            t += attn * f.attn_prefill_flops * share / (vec * eta_cpu)
        else:
            t += (gemm_flops + attn * f.attn_prefill_flops) * share / (peak * eta)
        # Each micro-batch streams the device's weights once (all experts of a MoE model):
        # what bounds MoE prefill on low-bandwidth machines (DGX Spark, Strix Halo, Macs).
        eta_bw = p.bandwidth_efficiency[load.backend]
        reads = load.resident_weight_bytes / (load.bandwidth_bytes_per_s * eta_bw)
        t += reads / micro_batch(f, prompt_tokens) / (len(f.loads) if f.tensor_parallel else 1)
        if p.attention_tile_rows:
            # Flash attention streams one sequence's cache per block of query rows.
            kv = load.kv_bytes / f.sequences
            t += kv / (load.bandwidth_bytes_per_s * eta_bw) / p.attention_tile_rows
    if len(f.loads) > 1 and not f.tensor_parallel:
        in_flight = min(len(f.loads), max(1, -(-min(prompt_tokens, 2048) // 512)))
        t /= 1 + (in_flight - 1) * p.pipeline_efficiency
    if f.host_bytes and f.host_bandwidth_bytes_per_s:
        # Offloaded layers: llama.cpp streams their weights over PCIe once per 512-token batch.
        t += f.host_bytes / 25e9 / 512
    return t


def micro_batch(f: SpeedFeatures, prompt_tokens: int) -> int:
    """Tokens in one prompt micro-batch: the ubatch, or the whole prompt when shorter."""
    return max(1, min(f.ubatch, prompt_tokens or f.ubatch))


def fp4_mma_applies(f: SpeedFeatures, load: DeviceLoad) -> bool:
    """Whether a device multiplies the model's FP4 weights in llama.cpp's native FP4 MMA:
    MXFP4/NVFP4 weights, a build with it (Runtime.fp4_mma), compute capability 12.x."""
    cc = load.compute_capability
    lo, hi = FP4_MMA_COMPUTE_CAPABILITY
    return (
        f.fp4_mma
        and f.llama_kernels
        and f.quant.startswith(FP4_QUANTS)
        and cc is not None
        and lo <= cc < hi
    )


def prefill_gemm_flops(
    f: SpeedFeatures, tile_load_tokens: float, prompt_tokens: int, fp4_speedup: float = 1.0
) -> float:
    """Matrix-multiply FLOPs per prompt token, each weight's multiply-adds weighted by
    1 + tile_load_tokens / n for the n tokens that share its tiles: the whole micro-batch
    for dense weights, micro-batch × k / E for a routed expert's (each expert GEMM in
    llama.cpp's mul_mat_id sees only the tokens routed to it). ``fp4_speedup`` divides the
    FP4 tensors' share (FP4_MMQ_SPEEDUP on the native FP4 MMA): the routed experts of an
    ``_MOE`` checkpoint (gpt-oss keeps attention and the router in 8 or 16 bits), else all."""
    dense = f.active_params - f.active_expert_params
    ubatch = micro_batch(f, prompt_tokens)
    per_expert = max(ubatch * f.expert_share, 1.0)
    dense_cost = 2 * dense * (1 + tile_load_tokens / ubatch)
    expert_cost = 2 * f.active_expert_params * (1 + tile_load_tokens / per_expert)
    if "MOE" in f.quant:
        return dense_cost + expert_cost / fp4_speedup
    return (dense_cost + expert_cost) / fp4_speedup


def prefill_path(
    load: DeviceLoad, family: str, mmq: bool = True, llama_kernels: bool = True
) -> tuple[str, float | None]:
    """The arithmetic path prompt processing takes on a device, and its peak FLOP/s.

    - "mmq": NVIDIA Turing and later with quantized weights: llama.cpp's MMQ kernels with
      int8 tensor-core MMA (ggml-cuda mmq.cu, ggml_cuda_should_use_mmq). Rated per SM and
      clock (MMQ_OPS_PER_SM_CLOCK), not at the datasheet int8 rate: the kernels are bound by
      loading and unpacking tiles, so A100/H100's wider tensor cores do not speed them up.
      Builds before June 2024 (``mmq`` False) took the "matrix" path instead, as do other
      runtimes (``llama_kernels`` False: cuBLAS, Marlin and their own FP16/BF16 GEMMs).
    - "matrix": FP16 GEMMs on tensor cores / matrix cores / XMX (cuBLAS for F16 weights, and
      on Volta, which has no int8 MMA, for dequantized ones; hipBLAS; MFMA on CDNA): the
      catalog's fp16_tensor_tflops.
    - "dp4a": NVIDIA Pascal GP10x (compute capability 6.1/6.2) has no tensor cores; llama.cpp's
      quantized GEMMs (MMQ) use the int8 dot product __dp4a, 4 multiply-adds per FP32 slot
      (ggml-cuda mmq.cuh, vecdotq.cuh); F16 runs at the FP32 rate (FP16 is 1/64 there).
      AMD Vega 20 and RDNA2 under ROCm likewise (amd_dp4a_mmq).
    - "vector": GPUs whose matrix units the backend does not reach run on the vector ALUs at
      the packed-FP16 rate, 2 × FP32: Intel Arc under Vulkan (XMX is reached through SYCL;
      the Vulkan shaders' cooperative-matrix path measures far below XMX rates on Arc).
    - "int8" (CPUs, quantized weights): llama.cpp's int8 dot-product GEMMs at the CPU's
      int8 rate (cpu_int8_flops); "cpu_f16": F16/BF16 weights on the vector FMA units at the
      catalog's half-precision vector rate (fp16_tensor_tflops of a CPU record).
    Apple GPUs (no matrix units before M5) and AMD RDNA/Vega list their FP16 vector rate as
    fp16_tensor_tflops already, so they take the "matrix" line with that figure."""
    fp16, fp32 = load.fp16_flops, load.fp32_flops
    if load.backend == "cpu":
        if family == "f16":
            return "cpu_f16", fp16 or fp32
        return "int8", cpu_int8_flops(load)
    if load.backend == "cuda" and not load.tensor_cores:
        if load.dp4a and family != "f16" and fp32:
            return "dp4a", 4 * fp32
        return "fp32", fp32 or fp16
    cc = load.compute_capability
    if (
        load.backend == "cuda"
        and mmq
        and family != "f16"
        and load.sm_clock_hz
        and cc is not None
        and cc >= INT8_MMA_MIN_COMPUTE_CAPABILITY
    ):
        return "mmq", load.sm_clock_hz * MMQ_OPS_PER_SM_CLOCK
    if (
        llama_kernels
        and load.backend == "rocm"
        and family != "f16"
        and fp32
        and amd_dp4a_mmq(load.gpu_arch)
    ):
        return "dp4a", 4 * fp32
    if (load.api or load.backend) == "vulkan" and load.vendor == "Intel" and fp32:
        return "vector", 2 * fp32
    return "matrix", fp16


def sustained_clock_share(load: DeviceLoad, p: SpeedParams) -> float:
    """Share of its boost clock an NVIDIA GPU holds under a prompt's load: a watt of board
    power runs ``sm_ghz_per_watt`` SM·GHz at boost clock, and power falls with the clock as
    f^clock_power_exponent (the 300 W pro and PCIe cards with as many SMs as 450 W GeForce
    ones run well below their boost clock)."""
    if not load.sm_clock_hz or not load.tdp_w or not p.sm_ghz_per_watt:
        return 1.0
    power_share = min(1.0, load.tdp_w * p.sm_ghz_per_watt * 1e9 / load.sm_clock_hz)
    # Power grows faster than the clock (the voltage rises with it: P ∝ f·V², V ∝ f near
    # the top of the range), so a card short of power gives up less clock than power.
    return float(power_share ** (1 / p.clock_power_exponent))


def spread(table: dict[str, tuple[float, float]], backend: str) -> tuple[float, float]:
    return table.get(backend, table.get("default", (0.8, 1.2)))


def safe_rate(seconds: float | None) -> float | None:
    if seconds is None or seconds <= 0 or math.isnan(seconds):
        return None
    return 1.0 / seconds
