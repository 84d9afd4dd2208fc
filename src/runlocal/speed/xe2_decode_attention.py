"""A decoded token's flash attention on Intel Xe2 GPUs under llama.cpp: latency-bound, a fixed
time per cached cell and attention layer whatever the heads' number and width."""

from __future__ import annotations

from .features import DeviceLoad, SpeedFeatures
from .vulkan_kernels import INTEL_XE2_ARCHES

# Why: llama.cpp issue #26581 (August 2026, "decode attention is memory-latency-bound on Intel
# Xe2 (Arc Pro B70)") measured a decoded token's time growing with depth far beyond what its
# KV reads explain, by a near-constant 21-25 ns per cached position and full-attention layer:
# the same under Vulkan (Mesa 26.1.6 ANV) and SYCL (oneAPI 2025.3), on builds b8183 and
# b10235, for Qwen3.6-35B-A3B (2 KV heads x 256), Qwen3-Coder-30B-A3B (4 x 128) and Gemma 4
# (hs 512), 1 to 8 KiB of K row alike: too few loads in flight to cover GDDR6 latency, not
# bandwidth nor arithmetic. A second B70 report there (SYCL b10450, Qwen3.8-27B, 16
# full-attention layers, q4_0 cache) found 0.49 us per position, 31 ns per layer, constant from
# 4K to 128K. The middle of the first range is taken; it is not fitted.
XE2_DECODE_ATTENTION_S_PER_CELL = 23e-9
INTEL_LLAMA_BACKENDS = ("sycl", "vulkan-intel")


def xe2_decode_attention_seconds(f: SpeedFeatures, load: DeviceLoad) -> float:
    """The least time a decoded token's attention takes on this device: its attended cells
    (DeviceLoad.attn_cells) x XE2_DECODE_ATTENTION_S_PER_CELL on an Intel Xe2-or-later GPU
    (the catalog's gpu_arch) under llama.cpp's SYCL or Vulkan backend; 0 elsewhere."""
    if not load.attn_cells or not f.llama_kernels or load.backend not in INTEL_LLAMA_BACKENDS:
        return 0.0
    if not (load.gpu_arch and load.gpu_arch.startswith(INTEL_XE2_ARCHES)):
        return 0.0
    return load.attn_cells * XE2_DECODE_ATTENTION_S_PER_CELL
