"""Prefill, the prompt: 2 FLOPs per active parameter plus attention over the depth, on the
arithmetic path each backend takes on each hardware generation (kernels.py: llama.cpp's int8
MMQ, FP4 MMA, FP16 GEMMs, dp4a), with weight-tile loads amortised over the tokens sharing them
and the KV cache re-read per attention tile."""

from __future__ import annotations

from ..memory import LLAMA_BATCH
from .decode import mla_layer_share
from .expert_reach import experts_with_rows, touched_expert_share
from .features import (
    DeviceLoad,
    SpeedFeatures,
    rdna_generation,
)
from .hip_expert_slices import hip_expert_slices_take_mmq
from .hip_moe_tiles import HIP_PADDED_COLUMN_COST, hip_expert_padding
from .intel_attention import intel_vector_attention_share
from .kernels import (
    DEQUANT_FP16_BYTES_PER_WEIGHT,
    FP4_MMQ_SPEEDUP,
    FP32_LINE_REACH_BACKEND,
    INTEL_VECTOR_FP16_PER_FP32,
    METAL_EARLY_TENSOR_SLOWDOWN,
    MLX_SORTED_GATHER_MIN_ROWS,
    VULKAN_SHADER_FP32,
    early_metal_tensor_path,
    fp4_mma_applies,
    hip_dequant_blas,
    host_expert_id_scan_seconds,
    host_looped_expert_matrices,
    metal_shader_attention,
    mlx_dequantizes_beside_accelerators,
    mlx_expert_tile_rows,
    prefill_path,
    serial_delta_rule_seconds,
    sycl_dequant_gemm,
)
from .mlx_call import mlx_prompt_call_seconds, mlx_unevaluated_params
from .params import SpeedParams
from .ssm_scan import serial_ssm_scan_seconds
from .vulkan_kernels import (
    AMD_VULKAN_SMALL_TILES_SLOWDOWN,
    VULKAN_SCALAR_PV_SHARE,
    amd_vulkan_coopmat,
    attention_kernels,
    intel_vulkan_attention_gain,
    intel_vulkan_coopmat,
    vulkan_cm1_cache_reads,
    vulkan_scalar_pv,
)


def sorted_gather_tile_factor(tile_rows: int, rows_per_expert: float) -> float:
    """Multiply-adds a sorted gather GEMM does per useful one: 1 + (r − 1) / n, the experts a
    SIMD group's r rows straddle when each expert has n rows."""
    return 1 + (tile_rows - 1) / rows_per_expert


def alu_attention_rate(f: SpeedFeatures, load: DeviceLoad, path: str) -> float | None:
    """The vector-ALU rate a prompt's attention runs at where it does not take the weights'
    path; None where it does.

    - dp4a GPUs have no matrix units, and attention has no int8 dot products to use: flash
      attention's tile and vector kernels (or, without it, the KQ and KQV products) run at
      the FP16 rate the catalog lists (packed FP16 on Vega 20 and RDNA2, the FP32 rate on
      Pascal GP10x), half or a quarter of the 4 x FP32 the weights' int8 dot products reach.
    - Metal flash attention on an M5-family GPU (kernels.metal_shader_attention): the
      weights' GEMMs on the Neural Accelerators, the attention's simdgroup matrices on the
      shader ALUs, at the FP32 figure.
    (SYCL flash attention before PRs #25025/#25222 runs on the vector engines too, at the
    share of their rate intel_attention.intel_vector_attention_share gives.)"""
    if path == "dp4a" and load.fp16_flops:
        return load.fp16_flops
    if metal_shader_attention(f, load) and load.fp32_flops:
        return load.fp32_flops
    return None


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
    n_layers = 0
    for load in f.loads:  # sum(...) of a generator written out (see speed.features)
        n_layers += load.layers
    n_layers = n_layers or 1
    bf16 = f.quant == "BF16"  # features() stores the scheme upper-cased
    mb = micro_batch(f, prompt_tokens)
    for load in f.loads:
        path, peak = prefill_path(load, f.quant_family, f.mmq, f.llama_kernels, bf16)
        if not peak:
            return None
        speedup = FP4_MMQ_SPEEDUP if path == "mmq" and fp4_mma_applies(f, load) else 1.0
        gemm_flops = prefill_gemm_flops(
            f, p.tile_load_tokens, prompt_tokens, speedup, mlx_expert_tile_rows(f, load)
        )
        if path == "mmq":
            peak *= sustained_clock_share(load, p)
        elif load.tdp_w and load.backend in ("cuda", "rocm"):
            cap = load.tdp_w * p.tflops_per_watt * 1e12
            peak = cap if cap < peak else peak  # min of two (see speed.features)
        share = 1 / len(f.loads) if f.tensor_parallel else load.layers / n_layers
        # Every path's share of its peak is the backend's efficiency times the path's own,
        # the dp4a path too: the same MMQ source compiled by CUDA and by HIP reaches a
        # different share of the hardware on each, as the matrix path's kernels do.
        # The "fp32" line is a vendor library's FP32 GEMM on the vector ALUs, priced at the
        # reach of CUDA's (kernels.FP32_LINE_REACH_BACKEND), not at the backend's own kernels'.
        eta = p.prefill_efficiency[FP32_LINE_REACH_BACKEND if path == "fp32" else load.backend]
        eta *= p.prefill_path_efficiency.get(path, 1.0)
        if path == "matrix" and not f.amd_vulkan_tiles and amd_vulkan_coopmat(load):
            eta /= AMD_VULKAN_SMALL_TILES_SLOWDOWN
        if path == "matrix" and early_metal_tensor_path(f, load):
            eta /= METAL_EARLY_TENSOR_SLOWDOWN
        # Xe2's cooperative-matrix gain is the weight GEMMs'; flash attention may not share
        # it (intel_vulkan_attention_gain).
        gemm_gain = attn_gain = 1.0
        if path == "vector":
            gemm_gain = intel_vulkan_coopmat(f, load)
            attn_gain = intel_vulkan_attention_gain(f, load)
        eta *= gemm_gain
        # HIP's dequantize + hipBLAS, and SYCL's dequantize + oneDNN for every quantized GEMM.
        hipblas = path == "matrix" and hip_dequant_blas(f, load, mb)
        hipblas = hipblas or sycl_dequant_gemm(f, load, mb)
        # Weights dequantized to FP16 before a hipBLAS/oneDNN GEMM are not unpacked inside it.
        # The factors are the GPU tile kernels' unpacking (MMQ's tile loaders, Metal's and
        # Vulkan's dequantizing shaders); ggml-cpu's GEMMs are other code (tinyBLAS tiles for
        # some types, repacked kernels for others, else a vec_dot per weight row and token),
        # whose cost its own efficiency holds: one CPU IQ3_S row, 3x below the formula, had set
        # the I-quants' factor for every GPU in a fit without Qwen's I-quant rows (4.1).
        if (
            not hipblas
            and load.backend != "cpu"
            and (f.llama_kernels or mlx_dequantizes_beside_accelerators(f, load))
        ):
            # Other runtimes dequantize tiles inside their GEMMs, hidden behind the
            # multiply-adds, except MLX on Neural Accelerators (see the function).
            eta /= p.prefill_quant_factor.get(f.quant_family, 1.0)
        # HIP's per-expert fallback: expert slices under 64 rows go to MMQ, which unpacks
        # them inside its GEMM (hip_expert_slices); the dense weights stay on hipBLAS.
        slices_mmq = hipblas and hip_expert_slices_take_mmq(f, load, mb)
        if not hipblas:
            # HIP MMQ on AMD computes every column of a routed expert's tiles, the padding
            # too, at a measured share of a useful column's cost (hip_moe_tiles).
            pad = hip_expert_padding(f, load, path, mb)
            gemm_flops += 2 * f.active_expert_params * HIP_PADDED_COLUMN_COST * pad
        if slices_mmq:
            dense = dense_gemm_flops(f, p.tile_load_tokens, prompt_tokens)
            unpack = p.prefill_quant_factor.get(f.quant_family, 1.0)
            gemm_flops = dense + (gemm_flops - dense) * unpack
        attn = attn_factor * p.attention_backend_factor.get(attention_kernels(load), 1.0)
        if load.backend == "cpu":
            # Attention runs on the vector units in F16/F32 (ggml-cpu flash attention), not
            # on the int8 dot products of the weight GEMMs.
            vec = load.fp16_flops or load.fp32_flops or peak
            eta_cpu = p.prefill_efficiency["cpu"]
            t += gemm_flops * share / (peak * eta)
            t += attn * f.attn_prefill_flops * share / (vec * eta_cpu)
        elif (fa_share := intel_vector_attention_share(f, load)) and load.fp32_flops:
            # Intel flash attention on the vector engines at the share of their FP16 rate
            # measured for its kernel (intel_attention.intel_vector_attention_share), overheads
            # included: neither the generic attention factor nor the GEMMs' efficiency.
            t += gemm_flops * share / (peak * eta)
            rate = INTEL_VECTOR_FP16_PER_FP32 * load.fp32_flops * fa_share
            fa_factor = p.attention_backend_factor.get(attention_kernels(load), 1.0)
            t += fa_factor * f.attn_prefill_flops * share / rate
        elif f.flash_attn and rdna_generation(load) and load.fp32_flops:
            # HIP flash attention on RDNA3/RDNA4: the layers the WMMA kernel does not take run
            # the tile kernel on the vector ALUs, at the packed-FP16 rate (the catalog's FP32
            # figure for RDNA3 and later counts dual issue, the same rate).
            tile = hip_tile_attention_share(f, load) * f.attn_prefill_flops
            t += (gemm_flops + attn * (f.attn_prefill_flops - tile)) * share / (peak * eta)
            # No weights are unpacked there: the quant family's GEMM factor does not apply.
            eta_tile = p.prefill_efficiency[load.backend]
            t += attn * tile * share / (load.fp32_flops * eta_tile)
        elif alu := alu_attention_rate(f, load, path):
            # The weights' GEMMs on the path's units, the attention on the vector ALUs
            # (alu_attention_rate says where and why). No weights are unpacked there: the
            # quant family's GEMM factor does not apply.
            t += gemm_flops * share / (peak * eta)
            eta_alu = p.prefill_efficiency[load.backend]
            t += attn * f.attn_prefill_flops * share / (alu * eta_alu)
        elif vulkan_scalar_pv(f, load) and load.fp32_flops:
            # Vulkan coopmat1 flash attention before PR #19075: Q·K^T on the matrix units,
            # S·V on the vector ALUs at the FP32 (dual-issue) rate (VULKAN_SCALAR_PV_SHARE).
            pv = VULKAN_SCALAR_PV_SHARE * f.attn_prefill_flops
            t += (gemm_flops + attn * (f.attn_prefill_flops - pv)) * share / (peak * eta)
            # No weights are unpacked there: the quant family's GEMM factor does not apply.
            eta_vec = p.prefill_efficiency[load.backend]
            t += attn * pv * share / (load.fp32_flops * eta_vec)
        elif kv_rate := f16_cache_attention_rate(f, load, p, path):
            # BF16 weights on the FP32 line; the attention over the F16 cache on the F16 path
            # (f16_cache_attention_rate). No weights are unpacked there.
            t += gemm_flops * share / (peak * eta)
            t += attn * f.attn_prefill_flops * share / kv_rate
        else:
            attn_flops = attn * f.attn_prefill_flops * gemm_gain / attn_gain
            t += (gemm_flops + attn_flops) * share / (peak * eta)
        t += serial_delta_rule_seconds(f, load) * share
        t += layer_launch_seconds(f, load, p) / mb
        t += serial_ssm_scan_seconds(f, load, mb) * share
        t += no_fa_score_seconds(f, load) * share
        # Each micro-batch streams the device's weights once: the dense ones, and the experts
        # it reaches (touched_expert_share; nearly all of a 128-512-expert model at 512
        # tokens). What bounds MoE prefill on low-bandwidth machines (DGX Spark, Strix Halo,
        # Macs). An expert no token of the micro-batch routes to is not read: llama.cpp's
        # MUL_MAT_ID kernels sort the rows by expert first (ggml-cuda mmid.cu compute_row_ids
        # into expert_bounds for MMQ's ggml_cuda_mul_mat_q_id and MMF's mmf_ids_data;
        # ggml-metal kernel_mul_mm_id_map0 before kernel_mul_mm_id) and an expert without
        # rows gets no tiles.
        eta_bw = p.bandwidth_efficiency[load.backend]
        experts = load.resident_expert_bytes
        touched = load.resident_weight_bytes - experts * (1 - touched_expert_share(f, mb))
        reads = touched
        if hipblas and load.weight_bytes and load.weight_params:
            # The dequantize kernel writes each touched weight's FP16 copy (the dense ones
            # alone where the expert slices take MMQ), the GEMM reads it.
            copied = load.resident_weight_bytes - experts if slices_mmq else touched
            reads += (
                copied * load.weight_params / load.weight_bytes * (DEQUANT_FP16_BYTES_PER_WEIGHT)
            )
        reads /= load.bandwidth_bytes_per_s * eta_bw
        t += reads / mb / (len(f.loads) if f.tensor_parallel else 1)
        if f.n_experts and load.moe_layers:
            looped = host_looped_expert_matrices(f, load, path, mb)
            if looped:
                experts = experts_with_rows(f.n_experts, f.expert_share, mb)
                calls = load.moe_layers * looped * experts
                t += calls * p.expert_loop_us * 1e-6 / mb
                # The host's scan of the routing ids, per token (kernels.HOST_ID_SCAN_NS):
                # it grows with the micro-batch, so a larger one does not share it.
                t += load.moe_layers * looped * host_expert_id_scan_seconds(f, load)
        if p.attention_tile_rows:
            # Flash attention streams one sequence's cache per block of query rows.
            kv = load.kv_bytes / f.sequences
            cm1 = vulkan_cm1_cache_reads(f, load)
            # Vulkan's coopmat1 shader: every query head re-reads its KV head's cache per 16
            # of its rows (vulkan_kernels.VULKAN_CM1_ATTENTION_ROWS), GQA or not.
            if cm1 is not None:
                t += kv * cm1 / (load.bandwidth_bytes_per_s * eta_bw)
            else:
                t += kv / (load.bandwidth_bytes_per_s * eta_bw) / p.attention_tile_rows
    if len(f.loads) > 1 and not f.tensor_parallel:
        t /= 1 + (micro_batches_in_flight(f, prompt_tokens) - 1) * p.pipeline_efficiency
    if f.host_bytes and f.host_bandwidth_bytes_per_s:
        # Offloaded layers: llama.cpp streams their weights over PCIe once per micro-batch.
        t += f.host_bytes / 25e9 / mb
    if f.engine == "mlx":
        # mlx-lm's prompt clock: one decode step and, from 0.31.3, a per-call offset
        # (mlx_call.mlx_prompt_call_seconds), shared by the prompt's tokens.
        t += mlx_prompt_call_seconds(f, p) / (prompt_tokens or f.ubatch)
    return t


def f16_cache_attention_rate(
    f: SpeedFeatures, load: DeviceLoad, p: SpeedParams, path: str
) -> float | None:
    """The rate a prompt's attention runs at where BF16 weights take the "fp32" line or
    Vulkan's scalar "vulkan_fp32" one (kernels.bf16_arithmetic: no BF16 GEMM on the device's
    backend) but the F16 path does
    not; None elsewhere. The KV cache is F16 (or quantized) whatever the weights are: flash
    attention runs its F16 kernels (ggml-cuda fattn, ggml-vulkan flash_attn_cm1/cm2 with
    F16 K and V), and without it the K·Q and V·softmax products are matmuls of F16 K and V
    views (llama-graph.cpp build_attn_mha), which take the F16 weights' path. So the
    attention of a BF16 model runs where an F16 model's does: prefill_path's F16 line at
    that path's efficiency (with Intel Vulkan's attention gain and the small-tile slowdown
    of AMD Vulkan builds before PR #18749 an F16 model's attention has), not the FP32 rate
    of its weights' GEMMs."""
    if path not in ("fp32", VULKAN_SHADER_FP32) or f.quant != "BF16" or load.backend == "cpu":
        return None
    kv_path, kv_peak = prefill_path(load, "f16", f.mmq, f.llama_kernels, False)
    if not kv_peak or kv_path == "fp32":
        return None
    if kv_path == "mmq":
        return None  # not reached: MMQ takes no F16 weights
    eta = p.prefill_efficiency[load.backend] * p.prefill_path_efficiency.get(kv_path, 1.0)
    if kv_path == "matrix" and not f.amd_vulkan_tiles and amd_vulkan_coopmat(load):
        eta /= AMD_VULKAN_SMALL_TILES_SLOWDOWN
    if kv_path == "vector":
        eta *= intel_vulkan_attention_gain(f, load)
    if kv_path == "matrix" and load.tdp_w and load.backend in ("cuda", "rocm"):
        cap = load.tdp_w * p.tflops_per_watt * 1e12
        kv_peak = cap if cap < kv_peak else kv_peak  # min of two (see speed.features)
    return kv_peak * eta


def layer_launch_seconds(f: SpeedFeatures, load: DeviceLoad, p: SpeedParams) -> float:
    """Per micro-batch, the launch and synchronisation of the load's layers in llama.cpp: one
    decoded token's per-layer and per-MoE-layer costs (SpeedParams.per_layer_us,
    per_moe_layer_us), as a micro-batch runs the same graph of kernels one after another.
    Never shortened by CUDA graphs: ggml-cuda's check_node_graph_compatibility turns them off
    for any node with more than one token ("disabling CUDA graphs due to batch size > 1").
    What a 128-token prompt of a 0.6B model costs besides its arithmetic; nothing on the CPU
    backend (no launches) nor in other runtimes (their own prompt clocks)."""
    if load.backend == "cpu" or not f.llama_kernels:
        return 0.0
    us = load.layers * p.per_layer_us.get(load.backend, 0.0) * mla_layer_share(f, p)
    us += load.moe_layers * p.per_moe_layer_us
    return us * 1e-6


def micro_batches_in_flight(f: SpeedFeatures, prompt_tokens: int) -> int:
    """Micro-batches of one logical batch that layer-split GPUs work on at once (llama.cpp's
    pipeline parallelism): the batch's micro-batches, at most one per GPU. A prompt of one
    micro-batch (pp512 at the default n_ubatch 512, or any prompt up to n_ubatch 2048) has
    nothing to overlap: the GPUs take it in turn."""
    ubatch = micro_batch(f, prompt_tokens)
    batch = min(prompt_tokens or ubatch, max(LLAMA_BATCH, ubatch))
    return min(len(f.loads), max(1, -(-batch // ubatch)))


def hip_tile_attention_share(f: SpeedFeatures, load: DeviceLoad) -> float:
    """The share of a prompt's attention arithmetic that llama.cpp's HIP flash attention runs
    in its tile kernel on an RDNA3/RDNA4 GPU: all of it on builds without the WMMA kernel for
    that generation (Runtime.rdna4_fattn_mma, rdna3_fattn_mma), else the layers it does not
    take (memory.hip_tile_attention_flops)."""
    has_mma = f.rdna4_fattn_mma if rdna_generation(load) == 4 else f.rdna3_fattn_mma
    if not has_mma or not f.attn_prefill_flops:
        return 1.0
    return min(f.attn_prefill_tile_flops / f.attn_prefill_flops, 1.0)


def micro_batch(f: SpeedFeatures, prompt_tokens: int) -> int:
    """Tokens in one prompt micro-batch: the ubatch, or the whole prompt when shorter."""
    ubatch = f.ubatch
    tokens = prompt_tokens or ubatch
    # max(1, min(ubatch, tokens)) written out (see speed.features)
    tokens = tokens if tokens < ubatch else ubatch
    return tokens if tokens > 1 else 1


def prefill_gemm_flops(
    f: SpeedFeatures,
    tile_load_tokens: float,
    prompt_tokens: int,
    fp4_speedup: float = 1.0,
    expert_tile_rows: int = 0,
) -> float:
    """Matrix-multiply FLOPs per prompt token, each weight's multiply-adds weighted by
    1 + tile_load_tokens / n for the n tokens that share its tiles: the whole micro-batch
    for dense weights, micro-batch × k / E for a routed expert's (each expert GEMM in
    llama.cpp's mul_mat_id sees only the tokens routed to it). ``fp4_speedup`` divides the
    FP4 tensors' share (FP4_MMQ_SPEEDUP on the native FP4 MMA): the routed experts of an
    ``_MOE`` checkpoint (gpt-oss keeps attention and the router in 8 or 16 bits), else all.
    ``expert_tile_rows``: MLX's sorted gather GEMM (mlx_expert_tile_rows), whose routed
    experts' multiply-adds count sorted_gather_tile_factor times."""
    dense = f.active_params - f.active_expert_params - mlx_unevaluated_params(f)
    ubatch = micro_batch(f, prompt_tokens)
    per_expert = ubatch * f.expert_share
    per_expert = 1.0 if per_expert < 1.0 else per_expert  # max of two (see speed.features)
    dense_cost = 2 * dense * (1 + tile_load_tokens / ubatch)
    expert_macs = 1.0
    if expert_tile_rows and per_expert >= MLX_SORTED_GATHER_MIN_ROWS:
        expert_macs = sorted_gather_tile_factor(expert_tile_rows, per_expert)
    expert_cost = 2 * f.active_expert_params * expert_macs
    expert_cost += expert_tile_flops(f, tile_load_tokens, prompt_tokens)
    if "MOE" in f.quant:
        return dense_cost + expert_cost / fp4_speedup
    return (dense_cost + expert_cost) / fp4_speedup


def dense_gemm_flops(f: SpeedFeatures, tile_load_tokens: float, prompt_tokens: int) -> float:
    """The dense weights' part of prefill_gemm_flops (everything but the routed experts),
    per prompt token: 2 × dense params × (1 + tile_load_tokens / micro-batch)."""
    ubatch = micro_batch(f, prompt_tokens)
    return 2 * (f.active_params - f.active_expert_params) * (1 + tile_load_tokens / ubatch)


def expert_tile_flops(
    f: SpeedFeatures, tile_load_tokens: float, prompt_tokens: int, fp4_speedup: float = 1.0
) -> float:
    """The routed experts' tile loads in prefill_gemm_flops, per prompt token: each expert a
    micro-batch of n tokens reaches (touched_expert_share) has its weight tiles loaded and
    unpacked once, tile_load_tokens tokens' worth of its multiply-adds:
    2 × all experts' params × share touched × tile_load_tokens / n, which is
    2 × active expert params × tile_load_tokens × share touched / (n × k / E). (With n × k / E
    rows per expert or more nearly every expert is touched and this is the former
    tile_load_tokens / (n × k / E); with fewer, about n × k experts are, one tile load each.)
    ``fp4_speedup`` divides it as prefill_gemm_flops divides the FP4 experts."""
    if not f.active_expert_params or f.expert_share <= 0:
        return 0.0
    ubatch = micro_batch(f, prompt_tokens)
    rows = ubatch * f.expert_share
    if not f.n_experts and rows < 1.0:
        rows = 1.0  # experts' count unknown: at least one row per expert, as before
    touched = touched_expert_share(f, ubatch)
    return 2 * f.active_expert_params * tile_load_tokens * touched / rows / fp4_speedup


# Bytes of memory traffic per attention score in llama.cpp's graph without flash attention
# (llama-graph.cpp build_attn_mha): the K·Q product writes the scores as an F32 matrix (4),
# ggml_soft_max_ext reads and writes it (8), and the V·softmax product reads it (4). Each is
# its own kernel over a matrix of heads x micro-batch x cached tokens (64 x 512 x 8192 x 4 B =
# 1 GiB a layer for gpt-oss at 8K), far past any GPU's cache, so the traffic is DRAM's.
NO_FA_SCORE_BYTES = 16


def no_fa_score_seconds(f: SpeedFeatures, load: DeviceLoad) -> float:
    """Seconds per prompt token a GPU spends moving the F32 score matrix of attention
    without flash attention (NO_FA_SCORE_BYTES a score) at its memory bandwidth. Why: the
    FLOP multiplier of the unfused path (attention_factor_no_fa) grows with the depth as the
    arithmetic does, but this traffic is bandwidth's, which is what low-bandwidth devices
    lack: DGX Spark's gpt-oss-120b prompts without flash attention (PR #17906's table) fall
    further below the compute-only figure the deeper they go. Flash attention keeps the
    scores in registers and shared memory (0 then); the CPU backend's own cost holds it."""
    if f.flash_attn or not f.llama_kernels or load.backend == "cpu":
        return 0.0
    if not load.bandwidth_bytes_per_s or not f.attn_prefill_scores:
        return 0.0
    return f.attn_prefill_scores * NO_FA_SCORE_BYTES / load.bandwidth_bytes_per_s


def sustained_clock_share(load: DeviceLoad, p: SpeedParams) -> float:
    """Share of its boost clock an NVIDIA GPU holds under a prompt's load: a watt of board
    power runs ``sm_ghz_per_watt`` SM·GHz at boost clock, and power falls with the clock as
    f^clock_power_exponent (the 300 W pro and PCIe cards with as many SMs as 450 W GeForce
    ones run well below their boost clock)."""
    if not load.sm_clock_hz or not load.tdp_w or not p.sm_ghz_per_watt:
        return 1.0
    power_share = load.tdp_w * p.sm_ghz_per_watt * 1e9 / load.sm_clock_hz
    power_share = power_share if power_share < 1.0 else 1.0  # min(1.0, x) (see speed.features)
    # Power grows faster than the clock (the voltage rises with it: P ∝ f·V², V ∝ f near
    # the top of the range), so a card short of power gives up less clock than power.
    return float(power_share ** (1 / p.clock_power_exponent))
