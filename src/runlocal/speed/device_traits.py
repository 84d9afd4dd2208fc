"""What a device offers for a token's arithmetic, the same in every plan it is in: dp4a,
tensor cores, FP32 lanes and SM clock (NVIDIA), WMMA units (AMD RDNA3/RDNA4)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from ..hardware import Device
from .params import backend_class

# NVIDIA's __dp4a arrived with compute capability 6.1; llama.cpp (ggml-cuda common.cuh,
# ggml_cuda_dp4a) emulates it below that.
DP4A_MIN_COMPUTE_CAPABILITY = 6.1


def has_dp4a(device: Device) -> bool:
    cc = device.compute_capability
    return cc is None or device.backend != "cuda" or cc >= DP4A_MIN_COMPUTE_CAPABILITY


TENSOR_CORE_MIN_COMPUTE_CAPABILITY = 7.0  # Volta
# Turing is the one generation with chips that lack tensor cores: the GTX 16 (TU116/TU117),
# compute capability 7.5 like the RTX 20. Tensor cores are what lift the FP16 matrix rate
# above the vector units' FP16 rate (twice FP32): 8x FP32 on the RTX 20, T4 and Quadro RTX,
# 2x on the GTX 16, whose catalog FP16 figure is that vector rate.
TURING = (7.5, 8.0)
MIN_TENSOR_FP16_PER_FP32 = 3.0


def has_tensor_cores(device: Device) -> bool:
    cc = device.compute_capability
    if cc is None or device.backend != "cuda":
        return True
    if cc < TENSOR_CORE_MIN_COMPUTE_CAPABILITY:
        return False
    fp16, fp32 = device.fp16_flops, device.fp32_flops
    lo, hi = TURING
    return not (lo <= cc < hi and fp16 and fp32 and fp16 < MIN_TENSOR_FP16_PER_FP32 * fp32)


def fp32_lanes_per_sm(cc: float) -> int:
    """FP32 results per clock per SM (CUDA C++ Programming Guide, arithmetic instruction
    throughput table): 192 on Kepler, 128 on Maxwell, 64 on GP100, Volta, Turing and GA100,
    128 on GP10x, GA10x, Ada, Hopper and Blackwell."""
    if cc < 5.0:
        return 192
    if cc < 6.0 or round(cc, 1) in (6.1, 6.2) or cc >= 8.6 or round(cc, 1) == 9.0:
        return 128
    return 64


def sm_clock_hz(device: Device) -> float | None:
    """SMs × boost clock of an NVIDIA GPU: its FP32 rate over 2 FLOPs × FP32 lanes per SM."""
    cc = device.compute_capability
    if device.backend != "cuda" or cc is None or not device.fp32_flops:
        return None
    return device.fp32_flops / (2 * fp32_lanes_per_sm(cc))


@lru_cache(maxsize=1024)
def device_traits(device: Device) -> dict[str, Any]:
    """The DeviceLoad fields that only describe the device (the same in every plan it is in)."""
    return {
        "backend": backend_class(device),
        "bandwidth_bytes_per_s": device.bandwidth_bytes_per_s,
        "fp32_flops": device.fp32_flops,
        "fp16_flops": device.fp16_flops,
        "tdp_w": device.tdp_w,
        "dp4a": has_dp4a(device),
        "tensor_cores": has_tensor_cores(device),
        "vendor": device.vendor,
        "api": device.backend,
        "sm_clock_hz": sm_clock_hz(device),
        "compute_capability": device.compute_capability,
        "gpu_arch": device.gpu_arch,
        "int8_flops": device.int8_flops,
        "fp32_acc_flops": device.fp32_acc_flops,
    }


def wmma_generation(gpu_arch: str | None) -> int | None:
    """3 or 4 for an AMD RDNA3/RDNA3.5 (gfx11xx) or RDNA4 (gfx12xx) GPU, the AMD client GPUs
    with WMMA units; None otherwise."""
    if not gpu_arch:
        return None
    if gpu_arch.startswith("gfx12"):
        return 4
    return 3 if gpu_arch.startswith("gfx11") else None
