"""The fitted parameters (data/speed_params.json, written by bench/calibrate_speed.py) and
the small vocabulary every speed formula shares: backend classes, quantization families, the
ranges around an estimate."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from ..hardware import Device


def release(version: str | None) -> tuple[int, ...] | None:
    if not version:
        return None
    parts = []
    for part in version.lstrip("vb").split("."):
        if not part.isdigit():
            break
        parts.append(int(part))
    return tuple(parts) or None


PARAMS_PATH = Path(__file__).parent.parent / "data" / "speed_params.json"
# The software stacks kernels run on, each with its own fitted efficiencies and latencies:
# CUDA, HIP (ROCm), Metal, Vulkan, llama.cpp's CPU backend, Intel's oneAPI (SYCL on Level
# Zero), and Vulkan on Intel GPUs (Intel's own driver, whose cost per kernel the Arc Pro B70
# rows show to be an order of magnitude above RADV's and NVIDIA's).
BACKEND_CLASSES = ("cuda", "rocm", "metal", "vulkan", "cpu", "sycl", "vulkan-intel")
# A class the parameter file predates starts from the class it splits from.
_BACKEND_ORIGIN = {"sycl": "vulkan", "vulkan-intel": "vulkan"}


# Flash-attention kernel sets the parameter file predates start from the backend they split
# from (speed.vulkan_kernels.attention_kernels: Vulkan's coopmat2 kernels on NVIDIA GPUs).
_ATTENTION_ORIGIN = {**_BACKEND_ORIGIN, "vulkan-coopmat2": "vulkan"}

# Quantization families whose unpacking does all of another family's work and more, each
# with that base family. The table-decoded 4-bit formats (MXFP4, NVFP4, IQ4_NL) hold 4-bit
# codes in 32-weight blocks (16 for NVFP4) with one scale each, as the legacy Q4_0 does, and
# unpack them by looking each nibble up in a 16-value table where Q4_0 subtracts an offset:
# llama.cpp's MMQ tile loaders (ggml-cuda mmq.cuh: load_tiles_q4_0 masks the nibbles and
# subtracts 8 with __vsubss4; load_tiles_mxfp4 and load_tiles_iq4_nl mask them and run
# get_int_from_table_16, six __byte_perm per 8 weights, and convert MXFP4's E8M0 scale), the
# mat-vec dot products (vecdotq.cuh vec_dot_mxfp4_q8_1 against vec_dot_q4_0_q8_1) and the
# Metal and CPU dequantizers (a table read, vqtbl1q on ARM, where Q4_0 subtracts). So the
# fit (bench/calibrate_speed.py) holds such a family's unpacking costs as a ratio to its
# base family's, and a fit without rows of it (a model family held out) keeps the base's
# cost rather than none; a parameter file that predates the family starts from the base.
# The 2- and 3-bit K-quants (Q2_K, Q3_K) over the other K-quants: their 256-weight super-blocks
# hold 16 sub-blocks of 16 weights, each with its own packed scale, where Q4_K/Q5_K have 8 of
# 32; per 4 weights llama.cpp's mat-vec dot products (ggml-cuda vecdotq.cuh,
# vec_dot_q2_K_q8_1_impl_mmvq: a 4-bit scale and a 4-bit min unpacked, the min replicated
# into four bytes and a second dp4a for it; vec_dot_q3_K_q8_1_impl_mmvq: a 6-bit scale put
# together from two bytes with index-dependent shifts, the third bit taken from a separate
# hmask array and subtracted with __vsubss4) do the K-quant work and more, over one int per
# thread and call (VDR 1, where Q4_K/Q5_K take 2). Metal's and Vulkan's Q2_K/Q3_K mat-vec
# kernels unpack the same layouts.
UNPACKING_BASE = {"q_table": "q_legacy", "k_quant_low": "k_quant"}
_FAMILY_ORIGIN = UNPACKING_BASE


def _with_origins(values: dict[str, float], origins: dict[str, str]) -> dict[str, float]:
    out = dict(values)
    for key, origin in origins.items():
        if key not in out and origin in out:
            out[key] = out[origin]
    return out


def _per_family(values: dict[str, float]) -> dict[str, float]:
    return _with_origins(values, _FAMILY_ORIGIN)


def _per_backend(values: dict[str, float]) -> dict[str, float]:
    return _with_origins(values, _BACKEND_ORIGIN)


@dataclass(frozen=True)
class SpeedParams:
    """The speed model's fitted parameters (data/speed_params.json), per backend or family."""

    bandwidth_efficiency: dict[str, float]  # share of peak bandwidth reached when decoding
    fixed_ms: dict[str, float]  # per-token cost independent of size, per backend
    per_layer_us: dict[str, float]  # launch and synchronisation per layer per token, by backend
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
    # the score matrix is written and re-read in FP32 and softmaxed separately. Its memory
    # traffic is charged at the bandwidth (speed.prefill.no_fa_score_seconds); this factor
    # holds the rest (separate kernels, F32 scores).
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
    # Where llama.cpp multiplies a prompt's routed experts one GEMM call per expert from the
    # host (speed.kernels.host_looped_expert_matrices: SYCL, CUDA without MMQ, CUDA/HIP with
    # unquantized experts outside MMF): the fixed cost of one such call (gather, GEMM
    # launch, scatter), in µs. 0: not counted.
    expert_loop_us: float = 0.0
    # llama.cpp CUDA decode with CUDA graphs (speed.decode.cuda_graphs_apply): the share of
    # the per-layer and per-MoE-layer costs left when a token's kernels are launched as one
    # graph rather than one by one from the host. 1: no difference.
    cuda_graph_layer_factor: float = 1.0
    # llama.cpp decode of a model with multi-head latent attention (DeepSeek-V2/V3, GLM-4.7-
    # Flash, Kimi): the extra share of a layer's per_layer_us its attention block costs, for
    # the kernels MLA adds to a GQA block (speed.decode.MLA_EXTRA_ATTENTION_KERNELS). 0: none.
    mla_layer_factor: float = 0.0
    # llama.cpp CUDA/HIP decode attention in the MMA or tile kernel (heads wider than the
    # vector kernel takes, and grouped-query layers the tile kernel packs): the share of the
    # kernel's arithmetic rate one decoded token reaches. Its few query rows (the heads that
    # share a KV head, at most 16 of a tile's) and the split of the cache across blocks with a
    # combine pass keep it below a prompt's share. 0: the backend's prefill_efficiency.
    decode_matrix_attention_efficiency: float = 0.0

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SpeedParams:
        return cls(
            bandwidth_efficiency=_per_backend(d["bandwidth_efficiency"]),
            fixed_ms=_per_backend(d["fixed_ms"]),
            per_layer_us=_per_backend(
                d["per_layer_us"]
                if isinstance(d["per_layer_us"], dict)
                else {b: float(d["per_layer_us"]) for b in BACKEND_CLASSES}
            ),
            dequant_ops=_per_family(d["dequant_ops"]),
            prefill_efficiency=_per_backend(d["prefill_efficiency"]),
            prefill_quant_factor=_per_family(d["prefill_quant_factor"]),
            attention_factor=float(d.get("attention_factor", 1.0)),
            pipeline_efficiency=float(d.get("pipeline_efficiency", 0.5)),
            tflops_per_watt=float(d.get("tflops_per_watt", 10.0)),
            no_dp4a_dequant_factor=float(d.get("no_dp4a_dequant_factor", 1.0)),
            decode_spread={k: (float(v[0]), float(v[1])) for k, v in d["decode_spread"].items()},
            prefill_spread={k: (float(v[0]), float(v[1])) for k, v in d["prefill_spread"].items()},
            decode_attention_efficiency=float(d.get("decode_attention_efficiency", 1.0)),
            per_moe_layer_us=float(d.get("per_moe_layer_us", 0.0)),
            tile_load_tokens=float(d.get("tile_load_tokens", 0.0)),
            attention_backend_factor=_with_origins(
                d.get("attention_backend_factor", {}), _ATTENTION_ORIGIN
            ),
            attention_tile_rows=float(d.get("attention_tile_rows", 0.0)),
            attention_factor_no_fa=float(
                d.get("attention_factor_no_fa", d.get("attention_factor", 1.0))
            ),
            prefill_path_efficiency=dict(d.get("prefill_path_efficiency", {})),
            sm_ghz_per_watt=float(d.get("sm_ghz_per_watt", 0.0)),
            clock_power_exponent=float(d.get("clock_power_exponent", 1.0)),
            cpu_decode_ops=float(d.get("cpu_decode_ops", 0.0)),
            expert_loop_us=float(d.get("expert_loop_us", 0.0)),
            cuda_graph_layer_factor=float(d.get("cuda_graph_layer_factor", 1.0)),
            mla_layer_factor=float(d.get("mla_layer_factor", 0.0)),
            decode_matrix_attention_efficiency=float(
                d.get("decode_matrix_attention_efficiency", 0.0)
            ),
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
    if device.backend == "vulkan" and device.vendor == "Intel":
        return "vulkan-intel"
    return device.backend if device.backend in BACKEND_CLASSES else "vulkan"


def quant_family(quant: str) -> str:
    """Groups with similar dequantization cost. Unsloth's dynamic mixes ("UD-" prefix) are
    llama.cpp's block types in other proportions (weights._unsloth): UD-Q8_K_XL is Q8_0 blocks
    with a few tensors in BF16, UD-IQ2_XXS the IQ2_XXS grid; the family is the named type's."""
    q = quant.upper().removeprefix("UD-")
    if q in ("F16", "BF16", "F32", "FP16", "MLX-BF16"):
        return "f16"
    if q.startswith(("Q8", "FP8", "INT8", "MLX-8")):
        return "q8"
    if q.startswith(("MXFP4", "NVFP4", "IQ4_NL")):
        # 4-bit codes decoded through a 16-value table (E2M1 for the FP4 formats, IQ4_NL's
        # non-linear grid: ggml-cuda get_int_from_table_16, the CPU's vqtbl1q/shuffle), where
        # the legacy formats subtract an offset.
        return "q_table"
    if q.startswith(("Q4_0", "Q4_1", "Q5_0", "Q5_1")):
        return "q_legacy"
    if q.startswith("IQ"):
        return "iq"
    if q.startswith(("Q2_K", "Q3_K")):
        # 16-weight sub-blocks with packed scales (UNPACKING_BASE).
        return "k_quant_low"
    return "k_quant"


def spread(table: dict[str, tuple[float, float]], backend: str) -> tuple[float, float]:
    return table.get(backend, table.get("default", (0.8, 1.2)))


def safe_rate(seconds: float | None) -> float | None:
    if seconds is None or seconds <= 0 or math.isnan(seconds):
        return None
    return 1.0 / seconds
