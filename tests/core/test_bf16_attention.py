"""A BF16 model's prompt attention over its F16 cache (speed.prefill.f16_cache_attention_rate),
hand-computed."""

from __future__ import annotations

from dataclasses import replace

import pytest

from runlocal.speed import load_params
from runlocal.speed.kernels import prefill_path
from runlocal.speed.prefill import f16_cache_attention_rate, prefill_seconds_per_token

from .test_speed import _device_load, _f16_prompt, _gpu_load

# Round efficiencies: Vulkan's and CUDA's 0.5, the F16 matrix path at 1, the FP32 line at 0.8;
# attention at its FLOPs (no flash-attention factor, no tile reads).
P = replace(
    load_params(),
    prefill_efficiency={**load_params().prefill_efficiency, "vulkan": 0.5, "cuda": 0.5},
    prefill_path_efficiency={**load_params().prefill_path_efficiency, "fp32": 0.8},
    attention_factor=1.0,
    attention_backend_factor={},
    attention_tile_rows=0.0,
    tile_load_tokens=0.0,
)
# An RDNA3.5 iGPU under Vulkan (no VK_KHR_shader_bfloat16): 60 TFLOPS FP16 on the matrix units,
# 30 FP32.
RDNA_VK = _gpu_load(
    "AMD",
    "vulkan",
    gpu_arch="gfx1151",
    fp16_flops=60e12,
    fp32_flops=30e12,
    layers=10,
)


def test_bf16_weights_take_the_fp32_line_and_their_attention_the_f16_path() -> None:
    # Vulkan's scalar BF16 shader: half the dual-issue FP32 figure (kernels.vulkan_shader_fp32_flops).
    assert prefill_path(RDNA_VK, "f16", bf16=True) == ("vulkan_fp32", 15e12)
    assert prefill_path(RDNA_VK, "f16") == ("matrix", 60e12)
    bf16 = _f16_prompt(RDNA_VK, "BF16")
    # 60e12 × 0.5 (Vulkan) × 1 (matrix path).
    assert f16_cache_attention_rate(bf16, RDNA_VK, P, "vulkan_fp32") == pytest.approx(30e12)
    assert f16_cache_attention_rate(bf16, RDNA_VK, P, "fp32") == pytest.approx(30e12)
    # F16 weights share their path with the attention; other paths are not the FP32 line.
    assert f16_cache_attention_rate(replace(bf16, quant="F16"), RDNA_VK, P, "fp32") is None
    assert f16_cache_attention_rate(bf16, RDNA_VK, P, "matrix") is None
    # A GPU whose F16 path is the FP32 line too (Maxwell: no tensor cores, slow FP16).
    maxwell = _device_load(compute_capability=5.2, tensor_cores=False, dp4a=False)
    assert prefill_path(maxwell, "f16")[0] == "fp32"
    assert f16_cache_attention_rate(bf16, maxwell, P, "fp32") is None


def test_a_bf16_prompt_pays_its_attention_at_the_f16_rate() -> None:
    """3B params: 6e9 GEMM FLOPs a token at 15e12 × 0.5 = 7.5 TFLOPS (Vulkan's scalar BF16
    shader) is 800 µs; 3e9 attention FLOPs at 60e12 × 0.5 = 30 TFLOPS is 100 µs (at the
    GEMMs' 7.5 TFLOPS it would be 400 µs)."""
    bf16 = _f16_prompt(RDNA_VK, "BF16", attn_prefill_flops=3e9)
    no_attn = replace(bf16, attn_prefill_flops=0.0)
    t_attn = prefill_seconds_per_token(bf16, P, 256) - prefill_seconds_per_token(no_attn, P, 256)
    assert t_attn == pytest.approx(3e9 / 30e12)
