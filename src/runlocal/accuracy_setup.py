"""The llama.cpp set-up a calibration row ran, as its text states it or its build implies.

Flash attention, the micro-batch and the KV cache type as the row's settings say; the kernel
paths its build had (Runtime's fields of the same names) by the build number it states, else
the month it states, else taken as later (the rows that state neither are recent builds).
runlocal.accuracy evaluates each row with the Runtime these describe.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .runtimes import (
    LLAMA_AMD_VULKAN_TILES_BUILD,
    LLAMA_CDNA_MMQ_BUILD,
    LLAMA_CUDA_GRAPHS_BUILD,
    LLAMA_CUDA_GRAPHS_VOLTA_BUILD,
    LLAMA_CUDA_SSD_SCAN_BUILD,
    LLAMA_CUDA_TILE_GQA_BUILD,
    LLAMA_FP4_MMA_BUILD,
    LLAMA_INTEL_VULKAN_COOPMAT_BUILD,
    LLAMA_METAL_TENSOR_TILES_BUILD,
    LLAMA_MOE_EXPERT_TILES_BUILD,
    LLAMA_RDNA3_FATTN_MMA_BUILD,
    LLAMA_RDNA3_MMQ_BUILD,
    LLAMA_RDNA4_FATTN_MMA_BUILD,
    LLAMA_RDNA4_MMQ_BUILD,
    LLAMA_SYCL_COUNTING_SORT_BUILD,
    LLAMA_SYCL_FUSED_MOE_BUILD,
    LLAMA_SYCL_XMX_ATTENTION_BUILD,
    LLAMA_VULKAN_CM1_PV_BUILD,
)

_FA_RE = re.compile(r"\bfa\s*[=:]?\s*([01])\b", re.IGNORECASE)
_UBATCH_RE = re.compile(r"n_ubatch\s*[=:]?\s*(\d+)", re.IGNORECASE)
# The KV cache type a row states in its settings ("KV q4_0", "-ctk q8_0"); f16 otherwise.
_KV_RE = re.compile(
    r"(?:\bKV(?:\s+cache)?|-ctk|--cache-type-k)\s*[=:]?\s*(q4_0|q4_1|q5_0|q5_1|q8_0|f16|bf16|f32)\b",
    re.IGNORECASE,
)
BUILD_RE = re.compile(r"\((\d{4,5})\)|\bb(\d{4,5})\b")
_DATE_RE = re.compile(r"\b(20\d\d)(?:-(\d\d))?")


def _since(
    rec: dict[str, str],
    build: int,
    month: tuple[int, int],
    unstated: bool,
    year_alone_unstated: bool = False,
) -> bool:
    """Whether a row's llama.cpp is at least ``build``: by the build number it states, else by
    the month it states (``month``, when that build appeared); ``unstated`` when neither, and
    with ``year_alone_unstated`` also when it states only the year of ``month``."""
    version = rec.get("runtime_version_or_date", "")
    b = BUILD_RE.search(version)
    if b:
        return int(b.group(1) or b.group(2)) >= build
    d = _DATE_RE.search(version)
    if d:
        if year_alone_unstated and not d.group(2) and int(d.group(1)) == month[0]:
            return unstated
        return (int(d.group(1)), int(d.group(2) or 1)) >= month
    return unstated


def _flash_attn(rec: dict[str, str]) -> bool:
    """Whether a llama.cpp row ran with flash attention: as its settings say, else by its
    build or date (the default became "auto" at the end of August 2025, about build 6325)."""
    text = " ".join(rec.get(k, "") for k in ("batch", "notes"))
    m = _FA_RE.search(text)
    if m:
        return m.group(1) == "1"
    return _since(rec, 6325, (2025, 9), unstated=False)


def kv_type(rec: dict[str, str]) -> str:
    m = _KV_RE.search(rec.get("batch", "") + " " + rec.get("notes", ""))
    return m.group(1).lower() if m else "f16"


def _ubatch(rec: dict[str, str]) -> int:
    m = _UBATCH_RE.search(rec.get("batch", "") + " " + rec.get("notes", ""))
    return int(m.group(1)) if m else 512


def _mmq(rec: dict[str, str]) -> bool:
    """Whether a llama.cpp CUDA row ran quantized prompt GEMMs in MMQ (the default from
    24 June 2024, PR #8075) rather than FP16 cuBLAS: by the date it states; rows that state
    none (build hashes, numbered builds) are taken as later."""
    return _since(rec, 0, (2024, 7), unstated=True)


# The kernel paths that arrived in one llama.cpp build: (Runtime field, the build, the first
# whole month with it). A row has a path by the build number it states, else the month it
# states; rows that state neither, or only the year the path arrived in, are taken as later,
# as for MMQ. (The builds and their sources: runlocal.runtimes.)
_KERNEL_PATHS: tuple[tuple[str, int, tuple[int, int]], ...] = (
    # MXFP4/NVFP4 in the native FP4 MMA on Blackwell: PR #17906, merged 2025-12-24 as b7536.
    ("fp4_mma", LLAMA_FP4_MMA_BUILD, (2026, 1)),
    # HIP flash attention in the WMMA (MMA) kernel: RDNA4 from PR #18481, merged in the second
    # week of January 2026 (after b7600 of 31 December 2025; the build number is taken as
    # 7700), RDNA3 from PR #22880, build b9158 (May 2026).
    ("rdna4_fattn_mma", LLAMA_RDNA4_FATTN_MMA_BUILD, (2026, 2)),
    ("rdna3_fattn_mma", LLAMA_RDNA3_FATTN_MMA_BUILD, (2026, 6)),
    # HIP MMQ on AMD's matrix units for prompts (kernels.hip_dequant_blas): CDNA in late July
    # 2025, RDNA4 on 24 November 2025, RDNA3 on 5 December 2025.
    ("cdna_mmq", LLAMA_CDNA_MMQ_BUILD, (2025, 8)),
    ("rdna4_mmq", LLAMA_RDNA4_MMQ_BUILD, (2025, 12)),
    ("rdna3_mmq", LLAMA_RDNA3_MMQ_BUILD, (2026, 1)),
    # Vulkan matmul tiles for AMD's cooperative matrices: PR #18749, merged in the same week as
    # PR #18481 (January 2026; the build number is taken as 7700 likewise).
    ("amd_vulkan_tiles", LLAMA_AMD_VULKAN_TILES_BUILD, (2026, 2)),
    # Vulkan coopmat1 flash attention with softmax x V on AMD's cooperative matrices: PR
    # #19075, merged on 28 January 2026.
    ("vulkan_cm1_pv", LLAMA_VULKAN_CM1_PV_BUILD, (2026, 2)),
    # SYCL prompt attention on the XMX engines: PRs #25025 and #25222, merged in July 2026
    # after b9856.
    ("sycl_xmx_attention", LLAMA_SYCL_XMX_ATTENTION_BUILD, (2026, 8)),
    # SYCL's counting sort of MUL_MAT_ID's rows instead of the host's scan: PR #23142, opened
    # on 16 May 2026 (dates from July 2026, as its merge month is not verified).
    ("sycl_counting_sort", LLAMA_SYCL_COUNTING_SORT_BUILD, (2026, 7)),
    # SYCL's fused MoE mat-vec for decode: PR #21920, opened on 14 April 2026 and in master by
    # 4 May (dates from May 2026).
    ("sycl_fused_moe_decode", LLAMA_SYCL_FUSED_MOE_BUILD, (2026, 5)),
    # Vulkan matmuls on Intel Xe2's XMX engines: PR #14001, June 2025 (b5589).
    ("intel_vulkan_coopmat", LLAMA_INTEL_VULKAN_COOPMAT_BUILD, (2025, 7)),
    # Metal prompts on the M5's Neural Accelerators in the tensor-API GEMM kernel: PR #20962,
    # opened on 24 March 2026 and merged in April.
    ("metal_tensor_tiles", LLAMA_METAL_TENSOR_TILES_BUILD, (2026, 5)),
    # CUDA flash attention's tile kernel packs grouped-query heads for decode on Pascal and
    # Volta: PR #16492, October 2025.
    ("cuda_tile_gqa_decode", LLAMA_CUDA_TILE_GQA_BUILD, (2025, 11)),
    # HIP MMQ's routed-expert tiles from the tokens per expert on RDNA3/RDNA4: PR #28552,
    # merged in September 2026 (dates from October 2026).
    ("moe_expert_tiles", LLAMA_MOE_EXPERT_TILES_BUILD, (2026, 10)),
    # CUDA's chunked SSD scan for Mamba-2 prompts: PR #22675, merged on 28 July 2026.
    ("cuda_ssd_scan", LLAMA_CUDA_SSD_SCAN_BUILD, (2026, 8)),
)


def _kernel_paths(rec: dict[str, str]) -> dict[str, bool]:
    """Which of _KERNEL_PATHS a llama.cpp row's build had, by Runtime field."""
    return {
        path: _since(rec, build, month, True, year_alone_unstated=True)
        for path, build, month in _KERNEL_PATHS
    }


# llama.cpp's CUDA graphs for decode (Runtime.cuda_graphs_min_cc): PR #6766, merged on
# 8 May 2024 (about build b2830; dates from June 2024, as a May date may precede it), for
# compute capability 8.0 and later; PR #25749 took them to Volta and Turing (7.0), merged in
# the second half of July 2026 (dates from August 2026; build b10000 taken as its number).
_CUDA_GRAPHS_DATE = (2024, 6)
_CUDA_GRAPHS_VOLTA_DATE = (2026, 8)


def _cuda_graphs_min_cc(rec: dict[str, str]) -> float | None:
    """The lowest compute capability a llama.cpp row's build decodes with CUDA graphs on, by
    its build number, else the month it states; rows that state neither are taken as recent
    builds of their time: Ampere on (the Volta gate is too recent to assume)."""
    if not _since(rec, LLAMA_CUDA_GRAPHS_BUILD, _CUDA_GRAPHS_DATE, unstated=True):
        return None
    if _since(rec, LLAMA_CUDA_GRAPHS_VOLTA_BUILD, _CUDA_GRAPHS_VOLTA_DATE, unstated=False):
        return 7.0
    return 8.0


# A row's Vulkan driver as its notes name it: Mesa's (its Intel driver ANV, its AMD driver
# RADV, or Mesa by name), else the GPU vendor's (Runtime.vulkan_mesa).
_MESA_RE = re.compile(r"\b(?:Mesa|ANV|RADV)\b")


def _vulkan_mesa(rec: dict[str, str]) -> bool:
    """Whether a row ran under Mesa's Vulkan driver (Runtime.vulkan_mesa): as its notes say;
    rows that name no driver are taken to run the vendor's."""
    return bool(_MESA_RE.search(rec.get("notes", "")))


@dataclass(frozen=True)
class LlamaSetup:
    """What a llama.cpp row ran with, as Runtime's fields of the same names."""

    flash_attn: bool
    ubatch: int
    mmq: bool
    cuda_graphs_min_cc: float | None
    vulkan_mesa: bool
    fp4_mma: bool
    rdna4_fattn_mma: bool
    rdna3_fattn_mma: bool
    cdna_mmq: bool
    rdna4_mmq: bool
    rdna3_mmq: bool
    amd_vulkan_tiles: bool
    vulkan_cm1_pv: bool
    sycl_xmx_attention: bool
    sycl_counting_sort: bool
    sycl_fused_moe_decode: bool
    intel_vulkan_coopmat: bool
    metal_tensor_tiles: bool
    cuda_tile_gqa_decode: bool
    cuda_ssd_scan: bool
    moe_expert_tiles: bool


def llama_setup(rec: dict[str, str]) -> LlamaSetup:
    """The set-up a calibration row's llama.cpp ran, from its settings, build and month."""
    return LlamaSetup(
        flash_attn=_flash_attn(rec),
        ubatch=_ubatch(rec),
        mmq=_mmq(rec),
        cuda_graphs_min_cc=_cuda_graphs_min_cc(rec),
        vulkan_mesa=_vulkan_mesa(rec),
        **_kernel_paths(rec),
    )
