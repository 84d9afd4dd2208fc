"""Quantized decode on AMD's GCN Vega 20 (gfx906: Radeon VII, Instinct MI50/MI60) under
llama.cpp's HIP build: its mat-vec kernels are bound by the integer arithmetic that unpacks
the weights, not by the weights' stream.

llama.cpp decodes quantized weights in MMVQ (ggml-cuda mmvq.cu, mul_mat_vec_q): per 32-weight
block, loads, nibble masks and shifts, two int8 dot products (ggml_cuda_dp4a, which is
__builtin_amdgcn_sdot4 on gfx906) and the scale arithmetic. On gfx906 these run in wave64 on
SIMD16 units, each instruction issued over four cycles, with the launch geometry of
MMVQ_PARAMETERS_GCN (get_device_table_id: GCN and CDNA share it; calc_nwarps 2 warps and
calc_rows_per_block 1 row for one column), which no tuning for the chip has changed (CDNA2's
own rows carry "2 gives best perf based on tuning"). F16 and BF16 weights take another kernel
(mul_mat_vec_f), made wave64-aware by PR #11519 (January 2025: "Predictably this improves
performance on CDNA (and GCN)"); their decode reaches the bandwidth the engine gives them.

The engine's dequantization term (weight params × dequant_ops / fp32_flops, fitted on every
GPU's rows) is multiplied by GCN_MMVQ_DEQUANT_FACTOR there, read off the one published
mainline measurement of the chip's MMVQ with its build and model named: PR #5394's Radeon VII
rows (comment of 8 February 2024, build 2097): llama 13B Q6_K, 9.95 GiB, decoded 26.47
tokens/s with master's default launch and 31.32 built with LLAMA_CUDA_MMV_Y=4 (four warps a
block; the comment reports MMVQ_NWARPS_AMD=4 bringing that back under the PR), 28-33% of the
card's 1 TB/s. With the fitted parameters of December 2026 the engine gives that model 47.1 tokens/s
on the card, of which 6.32 ms per token is the dequantization term and 14.93 ms the rest
(weights and cache at the bandwidth, per-layer and fixed costs): 31.32 tokens/s needs
(1 / 31.32 − 0.01493) / 0.00632 = 2.69 times the term, 26.47 needs 3.62. The four-warp
figure is taken: later builds run more than one warp a block on GCN (MMVQ_PARAMETERS_GCN's
two), and the gfx906 rows of bench/data/measured-extra.csv (b5890 and 2026 builds) sit
between the two.
"""

from __future__ import annotations

from .features import DeviceLoad, SpeedFeatures

GCN_MMVQ_DEQUANT_FACTOR = 2.7
# Vega 20, the GCN target with the int8 dot product (v_dot4_i32_i8) that MMVQ uses; gfx900
# (Vega 10) emulates it (ggml_cuda_dp4a's v_mul_i32_i24 path) and has no rows to set a
# figure by.
GCN_MMVQ_ARCHES = frozenset({"gfx906"})


def gcn_mmvq(f: SpeedFeatures, load: DeviceLoad) -> bool:
    """Whether a decoded token's quantized weights on this device go through llama.cpp's
    MMVQ on a GCN Vega 20 GPU under ROCm (GCN_MMVQ_DEQUANT_FACTOR applies): llama.cpp's
    kernels, quantized weights (not F16/BF16), the HIP backend, a gfx906 target."""
    return (
        f.llama_kernels
        and f.quant_family != "f16"
        and load.backend == "rocm"
        and load.gpu_arch in GCN_MMVQ_ARCHES
    )
