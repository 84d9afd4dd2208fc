"""Decode, one token at a time: every device reads its share of the active weights and of
the KV cache at the current depth, and spends arithmetic dequantizing them; devices holding
consecutive layers add their times; MLX, vLLM and transformers have their own per-layer and
per-token costs, CPUs the longer of reading and unpacking."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..memory import TRANSFORMERS_FA2_REPEAT_KV_BEFORE, TRANSFORMERS_SDPA_REPEAT_KV_BEFORE
from .device_traits import TURING
from .features import (
    DeviceLoad,
    SpeedFeatures,
    apple_matrix_units,
    rdna_generation,
)
from .gcn_decode import GCN_MMVQ_DEQUANT_FACTOR, gcn_mmvq
from .op_fallback import cpu_fallback_seconds
from .params import SpeedParams, quant_family
from .sycl_moe_decode import sycl_expert_call_seconds
from .xe2_decode_attention import xe2_decode_attention_seconds


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
      one, or wraps its kernel in Python (AutoAWQ). Schemes not named here (BF16, GPTQ 4-bit
      on ExLlama) launch one kernel per linear, as an unquantized layer does.
    - ``cache_copy_passes``: passes over the KV cache (one read or one write of it) a decoded
      token's cache update adds beyond the attention kernel's read: transformers'
      DynamicCache appends with torch.cat, reading the old cache and writing a new one.
    - ``repeat_kv_flash_before`` / ``repeat_kv_sdpa_before``: releases before which the
      FlashAttention-2 path (``flash_attn``) / the SDPA path materialises grouped-query
      K and V expanded to every query head (repeat_kv) before the attention kernel: 3g - 1
      more passes over the cache (REPEAT_KV_PASSES, g = ``gqa_groups``), at
      ``repeat_kv_efficiency`` of the backend's bandwidth."""

    per_layer_us: float = 0.0
    fixed_ms: float = 0.0
    host_per_layer_us: float = 0.0
    per_expert_us: float = 0.0
    expert_loop_before: tuple[int, ...] = ()
    host_per_linear_us: Mapping[str, float] = field(default_factory=dict)
    cache_copy_passes: float = 0.0
    repeat_kv_flash_before: tuple[int, ...] = ()
    repeat_kv_sdpa_before: tuple[int, ...] = ()
    repeat_kv_efficiency: float = 1.0


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
# AWQ 33 µs each: AutoAWQ's WQLinear_GEMM (awq/modules/linear/gemm.py, 0.2.x) runs every
# linear through an autograd Function (WQLinearMMFunction.apply under torch.no_grad, with
# save_for_backward) around awq_ext.gemm_forward_cuda, whose split-k output is summed by a
# second kernel, then adds the bias in a third and reshapes twice, where nn.Linear is one
# F.linear call. 33 µs is what AWQ adds over BF16 per linear on the A100 under transformers
# 4.46 with AutoAWQ 0.2.6: 0.18-0.25 ms per layer across Qwen2.5 0.5B-32B (median 0.23 / 7).
# The H20 rows under 4.51.3 with AutoAWQ 0.2.9 (the same Python path) read AWQ faster
# than BF16 instead (10-60%), which no host cost explains (docs/methodology.md).
#
# transformers' attention over the cache (docs/methodology.md, "Other runtimes"; the engine
# reads the cache once per token at the depth, as a kernel does):
# - DynamicCache.update appends each token's K and V with torch.cat (cache_utils.py), which
#   reads the layer's whole cache and writes a new one: 2 passes more.
# - repeat_kv (modeling_*.py, integrations/sdpa_attention.py) expands grouped-query K and V
#   to one copy per query head, hidden_states[:, :, None].expand(...).reshape(...): the
#   reshape of a broadcast view reads the cache once per group and writes the expanded
#   copy, and the kernel reads that copy instead of the cache. With g query heads per KV
#   head, 3g passes where a GQA-aware kernel makes 1 (REPEAT_KV_PASSES). The Mistral-derived
#   FlashAttention-2 classes (Mistral, Mixtral, Qwen2) called it before flash_attn_func until
#   the attention refactor of transformers 4.48 (PR #35235, "All attention refactor":
#   integrations/flash_attention.py hands the grouped heads to flash-attn, which groups
#   them itself); the Llama-derived classes never did, which the engine, keyed on the
#   release, does not tell apart. SDPA called it until 4.54 (PR #39412: enable_gqa where
#   PyTorch 2.5+ has it and no mask is passed, as generate() without padding passes none).
# - The expand-reshape is an element-wise strided copy of 2-byte elements, not a vectorized
#   contiguous one: REPEAT_KV_EFFICIENCY of the backend's decode bandwidth, read off Qwen2.5
#   14B/32B/72B (40 and 64 query heads on 8 KV heads) slowing from 1K to 7K tokens of depth
#   on an A100 under transformers 4.46 with flash-attn 2.5.8 (Qwen2.5's speed benchmark:
#   14B 24.7 -> 20.5, 32B 17.5 -> 12.5 tokens/s), where the small models, host-bound, do not.
DYNAMIC_CACHE_COPY_PASSES = 2.0
REPEAT_KV_PASSES = 3
REPEAT_KV_EFFICIENCY = 0.25
RUNTIME_DECODE: dict[str, RuntimeDecode] = {
    "vllm": RuntimeDecode(per_layer_us=120.0, fixed_ms=0.6),
    "mlx": RuntimeDecode(per_layer_us=110.0),
    "transformers": RuntimeDecode(
        host_per_layer_us=750.0,
        per_expert_us=80.0,
        expert_loop_before=(5, 0),
        host_per_linear_us={"GPTQ-8BIT": 80.0, "NF4": 80.0, "INT8": 530.0, "AWQ-4BIT": 33.0},
        cache_copy_passes=DYNAMIC_CACHE_COPY_PASSES,
        repeat_kv_flash_before=TRANSFORMERS_FA2_REPEAT_KV_BEFORE,
        repeat_kv_sdpa_before=TRANSFORMERS_SDPA_REPEAT_KV_BEFORE,
        repeat_kv_efficiency=REPEAT_KV_EFFICIENCY,
    ),
}


def _read_seconds(
    load: DeviceLoad, p: SpeedParams, weight_factor: float = 1.0, kv_extra_bytes: float = 0.0
) -> float:
    """A device's active weights and KV cache read at its backend's decode efficiency;
    ``weight_factor`` scales the weights' bytes where the kernel path moves more than the
    weights themselves (sycl_weight_read_factor), ``kv_extra_bytes`` are the cache's bytes
    read again beyond its one read (metal_kv_reread_bytes)."""
    eta = p.bandwidth_efficiency[load.backend]
    weights = load.weight_bytes * weight_factor
    return (weights + load.kv_bytes + kv_extra_bytes) / (load.bandwidth_bytes_per_s * eta)


# Without flash attention llama.cpp decodes a token's attention as two matrix products,
# KQ = mul_mat(K, Q) and KQV = mul_mat(V, softmax(KQ)) (llama-graph.cpp, build_attn_mha),
# with the K and V views broadcast over the query heads that share them (ggml_mul_mat's
# ne12 % ne02 broadcast). The Metal backend's mat-vec kernels (kernel_mul_mv_f16_f32 and
# kernel_mul_mv_t_t in ggml-metal.metal) run one slice of the threadgroup grid per query
# head and index its KV head as i02 = i12 / r2: each query head reads its KV head's rows
# again, so the attention layers' cache is streamed gqa_groups times per token where flash
# attention (kernel_flash_attn_ext_vec) reads each KV block once for the group. Those reads
# are what attention_flops counts (2 x the K + V width per query head and cached token),
# so the per-head reads are attn_flops / 2 elements, of which 1 / gqa_groups is the one
# read already in kv_bytes (recurrent states, also in kv_bytes, are not attention reads and
# are not repeated). An upper bound: heads of a group that run together may hit the cache.
def metal_kv_reread_bytes(f: SpeedFeatures, load: DeviceLoad) -> float:
    """Bytes of the KV cache a decoded token reads again, beyond its one read, under
    llama.cpp's Metal backend without flash attention: the attention's per-query-head reads
    less the one read per KV head; 0 otherwise."""
    if load.backend != "metal" or not f.llama_kernels or f.flash_attn or f.gqa_groups < 2:
        return 0.0
    per_head_bytes = load.attn_flops / 2 * f.kv_element_bytes
    return per_head_bytes * (1.0 - 1.0 / f.gqa_groups)


# llama.cpp's SYCL backend has no matrix-vector kernel for BF16 weights: its DMMV and MMVQ
# kernels take F16, F32 and the quantized types (ggml-sycl.cpp, ggml_sycl_supports_dmmv and
# ggml_sycl_supports_mmvq). A decoded token's BF16 matmuls fall through to the GEMM path
# (ggml_sycl_op_mul_mat_sycl), which converts each weight matrix to FP32 in a scratch buffer
# (to_fp32_sycl) and multiplies that with oneMKL/oneDNN: per weight 2 bytes read, 4 written
# and 4 read again, where a mat-vec kernel reads the 2 once. PR #21580 ("SYCL: add BF16 to
# DMMV kernel path", April 2026) describes this path and measured ~4x faster decode without
# it on an Arc Pro B70; its kernel compiles only where the oneAPI compiler has the bfloat16
# extension header (GGML_SYCL_DMMV_HAS_BF16), and the B70's May 2026 build (b9039) still
# decoded a 9B BF16 model at 5.4 tokens/s, this path's speed, so every build is taken to
# have it.
SYCL_BF16_GEMM_BYTES_FACTOR = (2 + 4 + 4) / 2


# llama.cpp's SYCL mat-vec kernels read quantized blocks coalesced only from a reordered copy
# of the weights (scales split from the quants), made at load for the block types that have
# reordered kernels. Read in place, blocks whose size is not a power of two (Q8_0's 34 bytes,
# MXFP4's 17, Q2_K's 84) straddle cache lines and the loads do not coalesce: PR #21527 (April
# 2026) measured Q8_0 decode on an Arc Pro B70 at 4.88 tokens/s before its reorder and 15.24
# after (21% → 66% of the bandwidth), the factor below. Dense weights have reordered kernels
# for Q4_0 (PR #12858), Q4_K (#13109), Q6_K (#13885), Q8_0 (#21527) and Q5_K (#22152);
# routed experts (MUL_MAT_ID, opt_for_reorder_id) only for Q4_K, Q5_K and Q6_K (issue
# #27517: "MoE expert tensors never get the Q8_0 reorder path"). Everything else (Q2_K, Q3_K,
# Q4_1, Q5_0/Q5_1, the IQ formats, MXFP4, and Q8_0 or Q4_0 experts) is read in place.
SYCL_UNREORDERED_READ_FACTOR = 15.24 / 4.88
SYCL_REORDERED_DENSE = ("Q4_0", "Q4_K", "Q5_K", "Q6_K", "Q8_0")
SYCL_REORDERED_EXPERTS = ("Q4_K", "Q5_K", "Q6_K")


def sycl_block_type(quant: str) -> str:
    """The block type that holds most of a checkpoint's weights, from its scheme label: the
    label itself for llama.cpp's types (Q4_K_M → Q4_K…), Unsloth's dynamic "UD-" prefix
    dropped, and Q8_0 for the 8-bit schemes (Unsloth's Q8_K_XL is Q8_0 blocks with a few
    tensors left in 16 bits: llama.cpp has no Q8_K weight type)."""
    quant = quant.removeprefix("UD-")
    return "Q8_0" if quant_family(quant) == "q8" else quant


def sycl_unreordered_share(f: SpeedFeatures) -> float:
    """The share of a decoded token's weight bytes that llama.cpp's SYCL backend reads in
    place, without a reordered copy (SYCL_UNREORDERED_READ_FACTOR): by the checkpoint's block
    type (sycl_block_type), for the dense weights and the routed experts apart; an ``_MOE``
    checkpoint (gpt-oss's MXFP4_MOE) keeps its dense weights in Q8_0. Bytes are split as the
    parameters are (features reads weights at one bpw). Unquantized weights (F16, F32; BF16
    has its own path) are read coalesced."""
    if not f.quant or quant_family(f.quant) == "f16":
        return 0.0
    block = sycl_block_type(f.quant)
    dense_type = "Q8_0" if "MOE" in block else block
    dense = 0.0 if dense_type.startswith(SYCL_REORDERED_DENSE) else 1.0
    experts = 0.0 if block.startswith(SYCL_REORDERED_EXPERTS) else 1.0
    total = f.active_params
    expert_share = f.active_expert_params / total if total > 0 else 0.0
    return (1 - expert_share) * dense + expert_share * experts


def sycl_weight_read_factor(f: SpeedFeatures, load: DeviceLoad) -> float:
    """How many times its weights' bytes a decoded token costs this device to read: 1, but
    under llama.cpp's SYCL backend SYCL_BF16_GEMM_BYTES_FACTOR for BF16 weights and
    SYCL_UNREORDERED_READ_FACTOR on the share read without a reordered copy."""
    if load.backend != "sycl" or not f.llama_kernels:
        return 1.0
    if f.quant == "BF16":
        return SYCL_BF16_GEMM_BYTES_FACTOR
    return 1 + sycl_unreordered_share(f) * (SYCL_UNREORDERED_READ_FACTOR - 1)


# Intel GPUs under Mesa's Vulkan driver (ANV, Linux) read llama.cpp's quantized blocks slowly:
# the mat-vec shaders load each block's scales and quants (and the activations' blocks) as
# small loads from interleaved arrays, which Mesa's compiler does not merge into wide reads
# (PR #23056, May 2026: "mesa isn't all that great at coalescing back-to-back loads from
# alternating arrays, so we force it instead"; its block loads made Q6_K 1.48x faster on
# Intel BMG under Mesa, on top of 1.78x from moving it to the integer-dot shader). The same
# build on the same card decoded gemma-2-2b Q4_K_M 2.5-3.1x slower under Mesa than under
# Intel's Windows driver (PR #14001, b5583, tg128: Arc B580 41.82 vs 129.95, Arc A770 39.14
# vs 96.42, Core Ultra 7 268V 13.75 vs 36.87); the factor is the geometric mean of the
# three, 2.74, the cost of reading a quantized weight byte under Mesa against a coalesced
# read. (SYCL's reads of the same interleaved blocks without its reordered copy cost 3.12x
# on an Arc Pro B70: SYCL_UNREORDERED_READ_FACTOR, PR #21527.) F16/BF16/F32 weights are read
# in wide vector loads and keep one read, and so do the block types whose Intel path
# llama.cpp tuned under Mesa: Q3_K and Q6_K, whose shaders force block loads since PR #23056,
# and Q4_0 and Q5_1, which ggml_vk_should_use_mmvq keeps on the float mat-vec shaders on Intel
# GPUs because they measured faster there ("From tests on A770 Linux").
MESA_INTEL_QUANT_READ_FACTOR = (129.95 / 41.82 * 96.42 / 39.14 * 36.87 / 13.75) ** (1 / 3)
MESA_INTEL_TUNED_BLOCKS = ("Q3_K", "Q6_K", "Q4_0", "Q5_1")


def intel_vulkan_weight_read_factor(f: SpeedFeatures, load: DeviceLoad) -> float:
    """How many times its weights' bytes a decoded token costs an Intel GPU under llama.cpp's
    Vulkan backend to read: MESA_INTEL_QUANT_READ_FACTOR for quantized weights under Mesa's
    driver (Runtime.vulkan_mesa), except the block types with a path tuned under Mesa; 1
    otherwise (unquantized weights, Intel's own driver, other runtimes)."""
    if load.backend != "vulkan-intel" or not f.vulkan_mesa or not f.llama_kernels:
        return 1.0
    return MESA_INTEL_QUANT_READ_FACTOR if mesa_reads_slowly(f.quant) else 1.0


def mesa_reads_slowly(quant: str | None) -> bool:
    """Whether Mesa's Vulkan driver reads this quantization's blocks uncoalesced on Intel GPUs
    (intel_vulkan_weight_read_factor): a block-quantized type without a Mesa-tuned path."""
    if not quant or quant_family(quant) == "f16":
        return False
    return not sycl_block_type(quant).startswith(MESA_INTEL_TUNED_BLOCKS)


# Apple's GPU family 10 (the M5 and A19 GPUs, the first with Neural Accelerators in every core;
# features.apple_matrix_units tells them by those units) issues FP16 and "complex" ALU
# instructions (conversions, integer and transcendental operations) at twice the rate of the
# family before, at the same FP32 FMA rate: Apple's "Boost your graphics performance with the
# M5 and A19 GPUs" (developer.apple.com, 2025) lists "2x faster FP16/complex ALU execution"
# among the automatic gains; Taras Zakharko's microbenchmarks on an A19 measured SIMD FP16 at
# 1.7x the FP32 rate (thermally throttled; 2x dual-issued FP16 per partition on the M5) and
# SIMD FP32 unchanged per clock (tzakharko.github.io/apple-neural-accelerators-benchmark).
# A decoded token's dequantization in llama.cpp's Metal mat-vec kernels (kernel_mul_mv_*) is
# that work: masks and shifts on the packed integers, integer-to-float conversions of the
# quants, half-precision scales widened and multiplied in. The engine charges it as
# ``dequant_ops`` FP32-equivalent operations per weight at the GPU's FP32 rate (the catalog
# lists the M5's FP32 rate as the M4's); on family 10 it runs at APPLE_FAST_ALU_FACTOR times
# that rate. Taken as the whole factor of 2, an upper bound: the FP32 multiply-adds of the
# kernels' dot products stay at the old rate. The Neural Accelerators themselves are not used
# in decode (a mat-vec has one column).
APPLE_FAST_ALU_FACTOR = 2.0


def dequant_rate_factor(f: SpeedFeatures, load: DeviceLoad, no_dp4a_factor: float) -> float:
    """How many times the FP32-rate time of a device's ``dequant_ops`` a decoded token's
    dequantization takes in llama.cpp's kernels: ``no_dp4a_factor`` (fitted) on NVIDIA GPUs
    without dp4a, which emulate each int8 dot product; 1 / APPLE_FAST_ALU_FACTOR on Apple GPU
    family 10 (M5), whose conversion and integer ALUs run twice as fast;
    GCN_MMVQ_DEQUANT_FACTOR for quantized weights on Vega 20 under ROCm (gcn_decode.gcn_mmvq);
    1 otherwise."""
    if not load.dp4a:
        return no_dp4a_factor
    if gcn_mmvq(f, load):
        return GCN_MMVQ_DEQUANT_FACTOR
    if f.llama_kernels and apple_matrix_units(load):
        return 1.0 / APPLE_FAST_ALU_FACTOR
    return 1.0


# llama.cpp's Vulkan backend sends a decoded token's routed experts (MUL_MAT_ID) to its
# mat-vec shaders only for F32, F16 and quantized weights: ggml-vulkan.cpp,
# ggml_vk_use_mul_mat_vec_id, "src0->type == GGML_TYPE_F32 || src0->type == GGML_TYPE_F16
# || ggml_is_quantized(src0->type)" (BF16 is not a quantized type), while the dense mat-vec
# test (ggml_vk_mul_mat) lists GGML_TYPE_BF16. BF16 experts therefore run the tiled GEMM
# shader (ggml_vk_mul_mat_id_q_f16, pipeline_matmul_id_bf16) with one row per chosen expert:
# the token pays what a one-token prompt pays for them, the multiply-adds and the tile loads
# (prefill.expert_tile_flops at a micro-batch of one: tile_load_tokens tokens' worth), at the
# prompt path's rate, instead of the mat-vec unpacking (dequant_ops). Strix Halo's BF16 MoE
# rows under RADV decode 1.3-3.3x below the mat-vec formula while its dense BF16 rows and the
# same files under ROCm fit (docs/methodology.md, "Tiled BF16 experts under Vulkan"); this
# prices only the GEMM's arithmetic, a lower bound of that path's cost.
def vulkan_tiled_bf16_experts(f: SpeedFeatures, load: DeviceLoad) -> bool:
    """Whether a decoded token's routed experts on this device run llama.cpp's tiled
    MUL_MAT_ID GEMM instead of a mat-vec kernel: BF16 weights under the Vulkan backend."""
    return (
        load.backend in ("vulkan", "vulkan-intel")
        and f.llama_kernels
        and f.quant == "BF16"
        and bool(f.n_experts)
        and load.moe_layers > 0
        and f.active_expert_params > 0
    )


def moe_layer_share(f: SpeedFeatures, load: DeviceLoad) -> float:
    """The share of the model's routed experts a device computes: its MoE layers over all
    devices' (layer split), which is 1 / devices under tensor parallelism (each device
    holds every layer's slice)."""
    total = 0
    for other in f.loads:  # sum(...) of a generator written out (see speed.features)
        total += other.moe_layers
    return load.moe_layers / total if total else 0.0


def tiled_expert_seconds(f: SpeedFeatures, load: DeviceLoad, p: SpeedParams) -> float:
    """Seconds per decoded token of the routed experts' tiled GEMM on this device
    (vulkan_tiled_bf16_experts): 2 x the device's active expert params x (1 +
    tile_load_tokens) at the prompt path's peak x the backend's and the path's prompt
    efficiency; 0 where the experts take a mat-vec kernel."""
    if not vulkan_tiled_bf16_experts(f, load):
        return 0.0
    # Imported here: kernels imports this module (cpu_int8_flops).
    from .kernels import prefill_path

    path, peak = prefill_path(load, f.quant_family, f.mmq, f.llama_kernels, True)
    if not peak:
        return 0.0
    eta = p.prefill_efficiency[load.backend] * p.prefill_path_efficiency.get(path, 1.0)
    flops = 2 * f.active_expert_params * moe_layer_share(f, load) * (1 + p.tile_load_tokens)
    return flops / (peak * eta)


# Volta's tensor cores serve llama.cpp's decode attention only past 16 packed query rows
# (ggml-cuda/fattn.cu: "On Volta tensor cores are only faster for sufficiently large
# matrices"; a decoded token packs at most 16), and Pascal and older have none: their MMA-path
# layers run the tile kernel in half2 arithmetic on the vector units (fattn-tile.cuh), at
# twice the FP32 rate where the GPU has fast FP16 (P100, V100), at the FP32 rate on GP10x
# (whose catalog FP16 figure is the FP32 rate).
TILE_FP16_PER_FP32 = 2.0


def decode_tile_kernel_rate(load: DeviceLoad) -> float | None:
    """The arithmetic rate of llama.cpp's CUDA flash-attention tile kernel on an NVIDIA GPU
    before Turing: its vector FP16 rate, min(FP16, 2 x FP32); None elsewhere (the MMA kernel
    runs at the FP16 matrix rate)."""
    cc = load.compute_capability
    if load.backend != "cuda" or cc is None or cc >= TURING[0] or not load.fp32_flops:
        return None
    vector = TILE_FP16_PER_FP32 * load.fp32_flops
    fp16 = load.fp16_flops
    return vector if not fp16 or vector < fp16 else fp16


# llama.cpp's CUDA MMA flash-attention kernel (fattn-mma-f16.cuh) accumulates Q·K^T in FP32
# tiles (T_C_KQ of float: the softmax needs them) and softmax·V in FP16 (VKQ_C of half2 on
# Turing and later). GeForce cards and the L40 run FP16 matrix products with FP32
# accumulation at half their FP16-accumulate rate; K and V are about equally wide (MLA's 576
# against 512), so half the arithmetic runs at that rate.
MMA_ATTENTION_KQ_SHARE = 0.5


def mma_attention_rate(load: DeviceLoad) -> float:
    """The FP16 matrix rate llama.cpp's MMA flash attention reaches on a GPU: its FP16 rate,
    but with the Q·K^T half (MMA_ATTENTION_KQ_SHARE) at the FP32-accumulate rate on CUDA
    GPUs that have a slower one (GeForce, L40)."""
    fp16, acc = load.fp16_flops or 0.0, load.fp32_acc_flops
    if load.backend != "cuda" or not fp16 or not acc or acc >= fp16:
        return fp16
    return 1.0 / (MMA_ATTENTION_KQ_SHARE / acc + (1 - MMA_ATTENTION_KQ_SHARE) / fp16)


def _devices_seconds(f: SpeedFeatures, times: list[float]) -> float:
    """Layer split: devices work one after another. Tensor parallel: side by side."""
    return max(times, default=0.0) if f.tensor_parallel else sum(times)


def repeats_kv(f: SpeedFeatures, r: RuntimeDecode) -> bool:
    """Whether the runtime's attention path expands grouped-query K and V to every query head
    before its kernel (RuntimeDecode.repeat_kv_flash_before / repeat_kv_sdpa_before): a GQA
    model on a release before the path's cut-off (an unknown release is the current one)."""
    before = r.repeat_kv_flash_before if f.flash_attn else r.repeat_kv_sdpa_before
    return f.gqa_groups > 1 and f.engine_version is not None and f.engine_version < before


def cache_copy_seconds(
    f: SpeedFeatures, p: SpeedParams, r: RuntimeDecode, load: DeviceLoad
) -> float:
    """GPU time a device spends per decoded token moving its KV cache beyond the attention
    kernel's one read (RuntimeDecode): the cache update's passes at the backend's bandwidth,
    and under repeat_kv the expanded copy's 3g - 1 more at the strided copy's efficiency."""
    if not load.kv_bytes:
        return 0.0
    rate = load.bandwidth_bytes_per_s * p.bandwidth_efficiency[load.backend]
    t = r.cache_copy_passes * load.kv_bytes / rate
    if repeats_kv(f, r):
        passes = REPEAT_KV_PASSES * f.gqa_groups - 1
        t += passes * load.kv_bytes / (rate * r.repeat_kv_efficiency)
    return t


def runtime_decode_seconds(f: SpeedFeatures, p: SpeedParams, r: RuntimeDecode) -> float:
    """Seconds per decoded token on a runtime other than llama.cpp (RuntimeDecode): the bytes
    every device reads at the backend's bandwidth efficiency plus the per-layer floor
    (devices in turn, or side by side under tensor parallelism), the per-token fixed cost,
    and, for eager PyTorch, at least the host's dispatch time."""
    t = _devices_seconds(
        f,
        [
            _read_seconds(load, p)
            + load.layers * r.per_layer_us * 1e-6
            + cache_copy_seconds(f, p, r, load)
            for load in f.loads
        ],
    )
    host = f.n_layers * r.host_per_layer_us * 1e-6
    moe_layers = sum(load.moe_layers for load in f.loads) if f.n_experts else 0
    loops = f.engine_version is not None and f.engine_version < r.expert_loop_before
    if loops and moe_layers:
        host += moe_layers * f.n_experts * r.per_expert_us * 1e-6
    per_linear = r.host_per_linear_us.get(f.quant, 0.0)
    if per_linear:
        linears = f.n_layers * ATTENTION_LINEARS + (f.n_layers - moe_layers) * MLP_LINEARS
        host += linears * per_linear * 1e-6
    return (host if host > t else t) + r.fixed_ms * 1e-3  # max of two (see speed.features)


def cuda_graphs_apply(f: SpeedFeatures, load: DeviceLoad) -> bool:
    """Whether llama.cpp decodes on this device with CUDA graphs: the CUDA backend, a build
    with them for the GPU's compute capability (Runtime.cuda_graphs_min_cc) and nothing of the
    model on the host (PR #18593 turns them off with --n-cpu-moe; offloaded layers hand each
    token back and forth)."""
    cc, gate = load.compute_capability, f.cuda_graphs_min_cc
    return (
        load.backend == "cuda"
        and gate is not None
        and cc is not None
        and cc >= gate
        and not f.host_bytes
    )


# Graph nodes (kernels) of one decoded token's attention block in llama.cpp. GQA (src/models/
# llama.cpp with llm_graph_context::build_attn): the norm (RMS norm and its weight), the Q, K
# and V projections, two RoPEs, the K and V cache writes (set_rows), flash attention, the
# output projection and the residual add: 12. MLA with the absorbed projections
# (src/models/deepseek2.cpp, is_mla): the norm, Q's low-rank pair with its own norm (wq_a,
# RMS norm and weight, wq_b), the joint KV projection (wkv_a_mqa), two RoPEs, the latent's
# norm, the per-head absorption of q_nope into the latent (wk_b), two concats (Q and K), one
# cache write (V is a view of K), flash attention, the latent's expansion to the heads (wv_b,
# passed as build_attn's v_mla) and the copy that makes it contiguous (llama-graph.cpp
# build_attn_mha: ggml_cont after the v_mla product), the output projection and the
# residual add: 20, 8 more.
# A dense layer's feed-forward adds its norm, gate, up, SwiGLU, down and add: 18 in all.
GQA_LAYER_KERNELS = 18
MLA_EXTRA_ATTENTION_KERNELS = 8


def mla_layer_share(f: SpeedFeatures, p: SpeedParams) -> float:
    """A layer's per-layer cost relative to a GQA layer's: 1 + mla_layer_factor for a model
    with multi-head latent attention (the 8 more kernels of MLA_EXTRA_ATTENTION_KERNELS, each
    ramping up and draining on the GPU as the others do: about 8 / 18 of a layer's kernels
    more, the factor's prior), else 1."""
    return 1.0 + p.mla_layer_factor if f.mla else 1.0


def decode_seconds_per_token(f: SpeedFeatures, p: SpeedParams) -> float | None:
    other = RUNTIME_DECODE.get(f.engine)
    if other is not None and not f.host_bytes:
        return runtime_decode_seconds(f, p, other)
    ops = p.dequant_ops.get(f.quant_family, 0.0)
    times = []
    for load in f.loads:
        if load.backend == "sycl":
            weight_factor = sycl_weight_read_factor(f, load)
        else:
            weight_factor = intel_vulkan_weight_read_factor(f, load)
        t_dev = _read_seconds(load, p, weight_factor, metal_kv_reread_bytes(f, load))
        if load.backend == "cpu":
            t_dev = cpu_decode_seconds(load, p, t_dev)
        elif load.fp32_flops:
            factor = dequant_rate_factor(f, load, p.no_dp4a_dequant_factor)
            unpacked = load.weight_params
            # Most answers are not BF16: one comparison before the call (docs/performance.md).
            tiled = tiled_expert_seconds(f, load, p) if f.quant == "BF16" else 0.0
            if tiled:
                # The experts' GEMM replaces their mat-vec unpacking (tiled_expert_seconds).
                unpacked -= f.active_expert_params * moe_layer_share(f, load)
                unpacked = 0.0 if unpacked < 0.0 else unpacked
            t_dev += unpacked * ops * factor / load.fp32_flops + tiled
            t_attn = load.attn_flops / (load.fp32_flops * p.decode_attention_efficiency)
            latency = xe2_decode_attention_seconds(f, load)
            if latency:
                # Intel Xe2's latency-bound walk over the cache, where it is longer than the
                # cache's read and arithmetic (speed.xe2_decode_attention).
                eta = p.bandwidth_efficiency[load.backend]
                latency -= load.kv_bytes / (load.bandwidth_bytes_per_s * eta)
                t_attn = latency if latency > t_attn else t_attn
            t_dev += t_attn
            if load.attn_matrix_flops and load.fp16_flops:
                # At the matrix path's rate, as a prompt's attention runs; on RDNA3/RDNA4 at
                # the vector rate: HIP's WMMA kernel takes no head wider than 128, so these run
                # its tile kernel (memory.hip_tile_attention_flops); on CUDA GPUs before Turing
                # at the vector units' FP16 rate (decode_tile_kernel_rate). One token's share
                # of that rate is its own (SpeedParams.decode_matrix_attention_efficiency).
                eta = p.decode_matrix_attention_efficiency or p.prefill_efficiency[load.backend]
                if rdna_generation(load):
                    rate = load.fp32_flops
                else:
                    rate = decode_tile_kernel_rate(load) or mma_attention_rate(load)
                t_dev += load.attn_matrix_flops / (rate * eta)
        t_layers = load.layers * p.per_layer_us[load.backend] * mla_layer_share(f, p)
        t_layers += load.moe_layers * p.per_moe_layer_us
        if cuda_graphs_apply(f, load):
            t_layers *= p.cuda_graph_layer_factor
        t_dev += t_layers * 1e-6
        t_dev += sycl_expert_call_seconds(f, load)
        t_dev += cpu_fallback_seconds(f, load, p)
        times.append(t_dev)
    t = _devices_seconds(f, times)
    main = f.loads[0].backend if f.loads else "cpu"
    if f.host_bytes:
        if not f.host_bandwidth_bytes_per_s:
            return None
        # The CPU reads its part in turn with the GPUs (one token at a time), pays a
        # per-layer cost for each layer it takes part in and, on unified memory, at least
        # the dequantization the GPU would have done.
        t += f.host_bytes / (f.host_bandwidth_bytes_per_s * p.bandwidth_efficiency["cpu"])
        t += f.host_layers * p.per_layer_us[main] * 1e-6
        if f.host_fp32_flops:
            t += f.host_params * ops / f.host_fp32_flops
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
