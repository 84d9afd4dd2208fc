"""Intel GPUs' prompt flash attention where it runs on the vector engines (XVE), not the
XMX matrix engines: the share of their FP16 rate llama.cpp's kernels were measured at."""

from __future__ import annotations

from .features import DeviceLoad, SpeedFeatures
from .kernels import sycl_vector_attention
from .vulkan_kernels import INTEL_XE2_ARCHES

# The share of the vector engines' FP16 rate (INTEL_VECTOR_FP16_PER_FP32 x FP32) that
# llama.cpp's flash-attention kernels reach on an Intel GPU where they do not run on the
# matrix engines, all of the kernel's work (Q.K^T, softmax, mask, S.V) counted as the
# 4 x width x depth FLOPs of its two products. Measured, not fitted:
# - SYCL's VEC/TILE kernels (sycl_vector_attention): issue #21862 (April 2026, "SYCL Flash
#   Attention kernel - severe prefill throughput regression at long context on Xe2"), an Arc
#   Pro B70 (22.9 TFLOPS FP32) on Qwen3.5-27B Q4_K_M (16 full-attention layers x 24 heads x
#   256), pp2048 with -ub 2048 and flash attention: 882.7 tokens/s at depth 0 and 227.1 at
#   depth 32,000, so 32,000 tokens of depth add 1/227.1 - 1/882.7 = 3.270 ms per token for
#   4 x 16 x 24 x 256 x 32,000 = 12.58 GFLOPs: 3.85 TFLOPS, 0.084 of 45.8. The same card
#   without flash attention (the products on XMX through oneDNN) lost under a tenth of that
#   time to 16,000 tokens of depth, so the kernel, not the card, sets the rate.
# - Vulkan's flash-attention shader on Xe2 and later (intel_vulkan_attention_gain: no
#   cooperative-matrix gain): PR #25494 (August 2026; its "before" column), an Arc Pro B70
#   under Mesa 26.1.6 on Llama 3.1 8B Q4_0 (32 layers x 32 heads x 128): 734.99 tokens/s at
#   depth 4,096 and 242.43 at 16,384, 2.764 ms per token for 12,288 tokens of depth and
#   6.44 GFLOPs: 2.33 TFLOPS, 0.051 of 45.8.
# The fitted attention_backend_factor of the backend (prior 1) stays on top; the generic
# attention_factor and the backend's GEMM efficiency do not apply, as the measured rate
# holds all of the kernel's own overheads.
SYCL_VECTOR_ATTENTION_SHARE = 0.084
INTEL_VULKAN_ATTENTION_SHARE = 0.051


def intel_vector_attention_share(f: SpeedFeatures, load: DeviceLoad) -> float | None:
    """The share of the vector engines' FP16 rate a prompt's flash attention reaches on an
    Intel GPU whose attention kernel runs there: SYCL_VECTOR_ATTENTION_SHARE on SYCL builds
    before PRs #25025/#25222 (sycl_vector_attention), INTEL_VULKAN_ATTENTION_SHARE under
    Vulkan on Xe2 and later (the catalog's gpu_arch); None elsewhere."""
    if sycl_vector_attention(f, load):
        return SYCL_VECTOR_ATTENTION_SHARE
    if not (f.llama_kernels and f.flash_attn and load.vendor == "Intel"):
        return None
    if (load.api or load.backend) != "vulkan":
        return None
    if not (load.gpu_arch and load.gpu_arch.startswith(INTEL_XE2_ARCHES)):
        return None
    return INTEL_VULKAN_ATTENTION_SHARE
