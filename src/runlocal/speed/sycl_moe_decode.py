"""llama.cpp's SYCL decode of a token's routed experts before its fused MoE mat-vec kernel:
one mat-vec call per routed expert, after a host sync, for each expert matrix."""

from __future__ import annotations

from .features import EXPERT_MATMULS_PER_LAYER, DeviceLoad, SpeedFeatures

# The fixed cost of one routed expert's own mat-vec call on SYCL's per-expert decode path.
# Before PR #21920 (April 2026, "sycl : fused MoE mul_mat_vec_q for TG";
# Runtime.sycl_fused_moe_decode), ggml_sycl_mul_mat_id copied a decoded token's routing ids
# to the host (stream->wait()) and called ggml_sycl_mul_mat once per routed expert, each
# call quantizing the activations and launching its own mat-vec kernel; the PR does all of
# a matrix's k experts in one launch that reads the ids on the device. Its measurement, an
# Arc Pro B70 on Qwen3.5-35B-A3B Q4_K_M (40 MoE layers, 8 routed experts), tg128 at depth
# 16,384 with -fa 0: 33.32 tokens/s before (the mean of its three runs, 33.47, 33.31,
# 33.17) and 46.01 after (45.85, 45.95, 46.22): 1/33.32 - 1/46.01 = 8.28 ms per token for
# 40 x 3 x (8 - 1) = 840 calls more, 9.85 µs each. Two kernel submissions per call (the
# quantization and the mat-vec) at PR #28931's ~5 µs per Level-Zero dispatch give 10 µs.
# The weights read are the same on both paths (the routed experts, once each).
SYCL_EXPERT_CALL_US = (1 / 33.32 - 1 / 46.01) * 1e6 / (40 * EXPERT_MATMULS_PER_LAYER * 7)


def sycl_expert_call_seconds(f: SpeedFeatures, load: DeviceLoad) -> float:
    """The time a decoded token spends on SYCL's per-expert calls beyond the one call a fused
    kernel makes per expert matrix: each MoE layer's EXPERT_MATMULS_PER_LAYER matrices times
    k - 1 more calls at SYCL_EXPERT_CALL_US, on llama.cpp builds before the fused MoE
    mat-vec (Runtime.sycl_fused_moe_decode); 0 elsewhere."""
    if load.backend != "sycl" or not f.llama_kernels or f.sycl_fused_moe_decode:
        return 0.0
    if not load.moe_layers or not f.n_experts:
        return 0.0
    k = round(f.expert_share * f.n_experts)
    extra_calls = load.moe_layers * EXPERT_MATMULS_PER_LAYER * max(k - 1, 0)
    return extra_calls * SYCL_EXPERT_CALL_US * 1e-6
