"""Which shaders llama.cpp's Vulkan backend runs on each GPU: NVIDIA's coopmat2, AMD's and
Intel's KHR cooperative matrices (and the builds and drivers that changed them), and its
flash-attention shaders' arithmetic and cache reads; kernels.py picks a prompt's path with
them, prefill.py prices it."""

from __future__ import annotations

from .device_traits import MIN_TENSOR_FP16_PER_FP32, wmma_generation
from .features import DeviceLoad, SpeedFeatures

# llama.cpp's Vulkan backend has two families of matrix-unit shaders (ggml-vulkan.cpp: the
# device's coopmat2 and coopmat_support flags). NVIDIA's driver exposes
# VK_NV_cooperative_matrix2, which llama.cpp prefers wherever it exists: workgroup-scope
# matrices with decode callbacks, tensor addressing and reductions, used by its matmul,
# MUL_MAT_ID and flash-attention shaders. AMD (RDNA3/RDNA4 under RADV or AMDVLK) and Intel
# drivers expose only VK_KHR_cooperative_matrix (subgroup-scope tiles). On one RTX 3090 the
# same build read Llama 3 8B Q4_0's pp512 at 3,154 tokens/s with coopmat1 and 4,259 with
# coopmat2 (PR #12135), so the two are separate prefill paths; the attention kernels differ
# as much, so coopmat2's flash attention has its own factor (VULKAN_COOPMAT2_ATTENTION).
VULKAN_COOPMAT2_ATTENTION = "vulkan-coopmat2"
# NVIDIA's Vulkan driver exposes cooperative matrices on GPUs with tensor cores: Turing on.
COOPMAT_MIN_COMPUTE_CAPABILITY = 7.5
# AMD GPUs whose Vulkan drivers expose VK_KHR_cooperative_matrix on WMMA units: RDNA3,
# RDNA3.5 and RDNA4 (device_traits.wmma_generation). Builds before PR #18749 (January 2026) ran their
# matmuls in the small tiles of every KHR_coopmat device: the PR measured pp512 1.36x
# (Q4_0), 1.50x (Q4_K_S) and 1.76x (Q8_0) faster on a Radeon 8060S with its 256 x 128 x 128
# tiles (geometric mean 1.53), and gains on an RX 9060 XT (RDNA4). Not fitted: the rows
# from those builds are few and slower still for other reasons (two-card runs, early MXFP4
# shaders), which a fitted factor would absorb and pass on to every Vulkan row.
AMD_VULKAN_SMALL_TILES_SLOWDOWN = 1.53


def vulkan_coopmat2(load: DeviceLoad) -> bool:
    """Whether llama.cpp's Vulkan backend runs this device's matmuls and flash attention in
    its VK_NV_cooperative_matrix2 shaders: an NVIDIA GPU with tensor cores (compute
    capability 7.5 on, not the GTX 16 chips) under Vulkan."""
    cc = load.compute_capability
    return (
        (load.api or load.backend) == "vulkan"
        and load.vendor == "NVIDIA"
        and cc is not None
        and cc >= COOPMAT_MIN_COMPUTE_CAPABILITY
        # Tensor cores lift the FP16 rate well above the vector units' 2 × FP32 (the GTX 16
        # chips have none: device_traits.has_tensor_cores).
        and bool(
            load.fp16_flops
            and load.fp32_flops
            and load.fp16_flops >= MIN_TENSOR_FP16_PER_FP32 * load.fp32_flops
        )
    )


def amd_vulkan_coopmat(load: DeviceLoad) -> bool:
    """Whether llama.cpp's Vulkan backend reaches this AMD GPU's WMMA units through
    VK_KHR_cooperative_matrix: RDNA3, RDNA3.5 and RDNA4 (device_traits.wmma_generation)."""
    return (
        (load.api or load.backend) == "vulkan"
        and load.vendor == "AMD"
        and wmma_generation(load.gpu_arch) is not None
    )


# llama.cpp's Vulkan backend reaches the XMX engines of Intel's Xe2 and later GPUs (Battlemage,
# Lunar Lake, Panther Lake: ggml-vulkan's INTEL_XE2 architecture) through
# VK_KHR_cooperative_matrix from PR #14001 (June 2025; ggml_vk_khr_cooperative_matrix_support:
# "Only allowing Xe2 GPU at the moment since Xe2 GPU can gain significant performance boost,
# while some older hardware (ex. Arc A770) has performance regressions"); Alchemist (Xe-HPG)
# and Meteor Lake keep the scalar shaders on the vector engines. The PR measured the gain on
# its cooperative-matrix shaders against the scalar ones it replaced, pp512 of gemma-2-2b
# Q4_K_M on the same builds (b5589 against b5583), and it depends on the driver: under
# Intel's Windows driver 1,631.44 against 490.89 tokens/s on an Arc B580 and 416.53 against
# 148.60 on a Core Ultra 7 268V (geometric mean 3.05), under Mesa 24.2.8 583.28 against
# 420.57 and 167.94 against 122.42 (1.38). Those ratios scale the "vector" path: the shaders'
# reach of XMX is read off Intel's own scalar shaders, not the generic matrix efficiency
# (Intel's cooperative-matrix shaders reach a small share of the XMX rate; PRs #19320 and
# #24407 are Intel's work on them). Arrow Lake-H (Xe-LPG+) got them under Windows only, in
# June 2026 (PR #24404), with no measurement of this kind: not modelled.
INTEL_XE2_ARCHES = ("xe2", "xe3")
INTEL_VULKAN_COOPMAT_GAIN = ((1631.44 / 490.89) * (416.53 / 148.60)) ** 0.5
INTEL_VULKAN_COOPMAT_GAIN_MESA = ((583.28 / 420.57) * (167.94 / 122.42)) ** 0.5


def intel_vulkan_coopmat(f: SpeedFeatures, load: DeviceLoad) -> float:
    """How many times the "vector" path's rate llama.cpp's Vulkan matmuls reach on this
    device: INTEL_VULKAN_COOPMAT_GAIN (or its Mesa figure, Runtime.vulkan_mesa) on an Intel
    Xe2 or later GPU (the catalog's gpu_arch) with a build that has PR #14001
    (Runtime.intel_vulkan_coopmat); 1 elsewhere."""
    if (load.api or load.backend) != "vulkan" or load.vendor != "Intel":
        return 1.0
    if not f.llama_kernels or not f.intel_vulkan_coopmat:
        return 1.0
    if not (load.gpu_arch and load.gpu_arch.startswith(INTEL_XE2_ARCHES)):
        return 1.0
    return INTEL_VULKAN_COOPMAT_GAIN_MESA if f.vulkan_mesa else INTEL_VULKAN_COOPMAT_GAIN


def intel_vulkan_attention_gain(f: SpeedFeatures, load: DeviceLoad) -> float:
    """How many times the "vector" path's rate a prompt's attention reaches on this device
    under Vulkan: intel_vulkan_coopmat's gain without flash attention, where llama.cpp
    multiplies Q·K^T and S·V in the same mul_mm shaders as the weights; 1 with it.

    PR #14001 measured its gain with llama-bench's default of the time, flash attention off
    (its tables have no fa column), so it says nothing of the flash-attention shader on Xe2.
    That shader is not Intel's tuned one before PR #24406 (June 2026, Intel's own Xe flash
    attention kernels for head sizes 64/96/128), and the maintainers call it slow there
    (issue #28721: "the Flash Attention shader does not run well on Intel Battlemage"); its
    scalar variant even runs without subgroup operations on Intel (ggml-vulkan
    get_fa_tuning_params_scalar: "Disable subgroup use due to performance issues when
    enforcing subgroup sizes"). So flash attention keeps the rate of Intel's scalar path."""
    if f.flash_attn:
        return 1.0
    return intel_vulkan_coopmat(f, load)


# llama.cpp's Vulkan flash attention on KHR_cooperative_matrix devices (the coopmat1 shader,
# flash_attn_cm1.comp, from PR #13506, May 2025) multiplied Q·K^T on the matrix units and the
# softmax result times V in scalar code on the vector ALUs, until PR #19075 (January 2026;
# Runtime.vulkan_cm1_pv): "It now uses coopmats for the Softmax result * V matrix
# multiplication", written for AMD and measured on a Radeon 8060S. The two products have the
# same multiply-adds where K and V heads are equally wide (2 x d per query-key pair each), so
# half of the attention arithmetic ran at the vector rate: the FP32 figure the catalog lists
# for RDNA3 and later, which counts dual issue (packed FP16), half RDNA4's matrix rate and
# equal to RDNA3's.
VULKAN_SCALAR_PV_SHARE = 0.5


def vulkan_scalar_pv(f: SpeedFeatures, load: DeviceLoad) -> bool:
    """Whether llama.cpp's Vulkan flash attention runs S·V on this device's vector ALUs
    (VULKAN_SCALAR_PV_SHARE of the attention arithmetic): an AMD GPU on the coopmat1 shaders
    (amd_vulkan_coopmat) with flash attention on, on a build before PR #19075."""
    return f.llama_kernels and f.flash_attn and not f.vulkan_cm1_pv and amd_vulkan_coopmat(load)


# The coopmat1 flash-attention shader (flash_attn_cm1.comp, the path of AMD RDNA3/RDNA3.5/RDNA4
# under RADV) works on tiles of 16 query rows of one query head (ggml-vulkan
# get_fa_tuning_params_coopmat1: block_rows = 16, the 16x16x16 cooperative matrix; earlier
# coopmat1_flash_attention_num_large_rows = 16), and a prompt's workgroups are (query rows / 16)
# x query heads: ggml_vk_flash_attn folds the query heads that share a KV head into one
# workgroup's rows only for a batch of at most 8 tokens ("grouped query attention - make the N
# dimension equal to gqa_ratio"), so for a prompt every query head streams its KV head's cache
# once per 16 of its rows. CUDA's MMA kernel and coopmat2 load a K/V tile for 64 columns, the
# query heads of a group packed in (fattn-mma ncols2, cm2 block_rows 64).
VULKAN_CM1_ATTENTION_ROWS = 16


def vulkan_cm1_cache_reads(f: SpeedFeatures, load: DeviceLoad) -> float | None:
    """Bytes of KV cache a prompt token reads per byte of the cache at its depth, where
    llama.cpp's Vulkan coopmat1 flash attention runs it (an AMD GPU with cooperative matrices,
    amd_vulkan_coopmat, flash attention on): query heads per KV head / 16. None elsewhere (the
    fitted ``attention_tile_rows`` of the other kernels applies)."""
    if not (f.llama_kernels and f.flash_attn and amd_vulkan_coopmat(load)):
        return None
    return f.gqa_groups / VULKAN_CM1_ATTENTION_ROWS


def attention_kernels(load: DeviceLoad) -> str:
    """The key of a device's flash-attention kernels in ``attention_backend_factor``: its
    backend class, or VULKAN_COOPMAT2_ATTENTION for NVIDIA GPUs under Vulkan."""
    return VULKAN_COOPMAT2_ATTENTION if vulkan_coopmat2(load) else load.backend
