"""Routed experts in HIP's synchronising MUL_MAT_ID fallback: each expert's slice is an
ordinary matrix multiplication, whose kernel is chosen by that expert's own rows.

Where llama.cpp's HIP build does not run a prompt's quantized MUL_MAT_ID in MMQ
(kernels.hip_dequant_blas: RDNA3 before PR #17576, RDNA4 before PR #17156, CDNA before PRs
#14624/#14949), ggml_cuda_mul_mat_id copies the routing ids to the host, gathers each
expert's rows and calls ggml_cuda_mul_mat once per expert on that expert's slice (ggml-cuda.cu,
the loop over i02 "expert matrices"). ggml_cuda_mul_mat asks ggml_cuda_should_use_mmq for the
slice with ne11 = the rows routed to that expert, and on those builds the AMD branch reads
``(!RDNA3 && !CDNA) || ne11 < MMQ_DP4A_MAX_BATCH_SIZE``: a slice of fewer than 64 rows is
multiplied in MMQ (the dp4a kernels), on the quantized weights, without an FP16 copy; only
slices of 64 rows or more are dequantized for hipBLAS. A 512-token micro-batch of a model
routing k of E experts gives each expert 512 × k / E rows: 32 for Llama-4-Scout (1 of 16) and
Qwen3-30B-A3B (8 of 128), 128 for gpt-oss-20b (4 of 32). The per-expert host calls are paid
either way (expert_reach.experts_with_rows, SpeedParams.expert_loop_us).
"""

from __future__ import annotations

from .device_traits import wmma_generation
from .features import DeviceLoad, SpeedFeatures
from .kernels import CDNA12_ARCHES, HIP_MMQ_DP4A_MAX_BATCH, HIP_MMQ_SMALL_BATCH


def hip_expert_slice_rows(f: SpeedFeatures, tokens: int) -> float:
    """The rows a micro-batch of ``tokens`` routes to each expert on average: tokens × k / E."""
    return tokens * f.expert_share


def hip_slice_mmq_rows(f: SpeedFeatures, load: DeviceLoad) -> float:
    """The most rows an expert slice can have and still take MMQ in the fallback's per-expert
    call: under MMQ_DP4A_MAX_BATCH_SIZE (64) on builds without MMQ on the GPU's matrix units;
    up to HIP_MMQ_SMALL_BATCH (128) where a build has it but sends the model's type to hipBLAS
    for large batches (RDNA3 after PR #17576 for Q2_K/Q6_K/IQ2_XS/IQ2_S, CDNA1/2 after PR
    #14949 for Q8_0 and the rest: ggml_cuda_should_use_mmq's ``ne11 <= 128``; RDNA3.5's 256 for
    Q6_K from PR #18666 is not told apart). The per-slice call passes n_experts 0, so the
    expert-count exceptions do not apply to it."""
    arch = load.gpu_arch or ""
    if (wmma_generation(arch) == 3 and f.rdna3_mmq) or (
        arch.startswith(CDNA12_ARCHES) and f.cdna_mmq
    ):
        return HIP_MMQ_SMALL_BATCH
    return HIP_MMQ_DP4A_MAX_BATCH - 1


def hip_expert_slices_take_mmq(f: SpeedFeatures, load: DeviceLoad, tokens: int) -> bool:
    """Whether the per-expert calls of HIP's MUL_MAT_ID fallback multiply a micro-batch of
    ``tokens`` in MMQ rather than dequantize + hipBLAS: a MoE whose experts each receive at
    most hip_slice_mmq_rows rows on average. Only meaningful where the fallback runs
    (kernels.hip_dequant_blas true for the model's quantized weights)."""
    if not f.n_experts:
        return False
    return hip_expert_slice_rows(f, tokens) <= hip_slice_mmq_rows(f, load)
