"""Quantized decode on GCN Vega 20 (gfx906) under llama.cpp's HIP build: its MMVQ kernels are
bound by unpacking the weights, GCN_MMVQ_DEQUANT_FACTOR times the engine's generic
dequantization term (speed.gcn_decode), hand-computed."""

from __future__ import annotations

from dataclasses import replace

import pytest

from runlocal.speed import SpeedParams, decode_seconds_per_token
from runlocal.speed.decode import dequant_rate_factor
from runlocal.speed.gcn_decode import GCN_MMVQ_DEQUANT_FACTOR, gcn_mmvq

from .test_speed import _gpu_load, _prefill_features

# An MI50-like card: 13 TFLOPS FP32, 1 TB/s, 10e9 weights in 5 GB (4 bits a weight).
MI50 = _gpu_load(
    "AMD",
    "rocm",
    gpu_arch="gfx906",
    fp32_flops=13e12,
    fp16_flops=26e12,
    bandwidth_bytes_per_s=1e12,
    weight_bytes=5e9,
    weight_params=10e9,
)
PARAMS = SpeedParams(
    bandwidth_efficiency={"rocm": 1.0, "vulkan": 1.0},
    fixed_ms={"rocm": 0.0, "vulkan": 0.0},
    per_layer_us={"rocm": 0.0, "vulkan": 0.0},
    dequant_ops={"k_quant": 6.5, "f16": 13.0},
    prefill_efficiency={"rocm": 1.0},
    prefill_quant_factor={},
    attention_factor=1.0,
    pipeline_efficiency=0.5,
    tflops_per_watt=1.0,
    no_dp4a_dequant_factor=3.0,
    decode_spread={},
    prefill_spread={},
)


def test_vega20_decodes_quantized_weights_at_the_gcn_mmvq_factor() -> None:
    """Reading 5e9 bytes at 1 TB/s: 5 ms. Dequantizing 10e9 weights × 6.5 ops at 13 TFLOPS:
    5 ms generically, × 2.7 = 13.5 ms on gfx906 under ROCm: 18.5 ms a token (54 tokens/s
    against 100), no per-layer or fixed cost."""
    f = _prefill_features(loads=(MI50,), quant_family="k_quant", n_layers=1)
    assert GCN_MMVQ_DEQUANT_FACTOR == 2.7
    assert gcn_mmvq(f, MI50)
    assert dequant_rate_factor(f, MI50, 3.0) == 2.7
    assert decode_seconds_per_token(f, PARAMS) == pytest.approx(5e-3 + 13.5e-3)
    # The same card under Vulkan (its own shaders), and an RDNA2 card under ROCm: 10 ms.
    vulkan = replace(MI50, backend="vulkan", api="vulkan")
    fv = replace(f, loads=(vulkan,))
    assert not gcn_mmvq(fv, vulkan)
    assert decode_seconds_per_token(fv, PARAMS) == pytest.approx(5e-3 + 5e-3)
    rdna2 = replace(MI50, gpu_arch="gfx1030")
    assert decode_seconds_per_token(replace(f, loads=(rdna2,)), PARAMS) == pytest.approx(10e-3)


def test_vega20_f16_weights_take_the_wave64_mat_vec_kernel_without_the_factor() -> None:
    """F16/BF16 weights go to mul_mat_vec_f (wave64-aware since PR #11519), not MMVQ: 20 GB at
    1 TB/s = 20 ms plus 10e9 × 13 / 13e12 = 10 ms, no factor; other runtimes neither."""
    f16 = replace(MI50, weight_bytes=20e9)
    f = _prefill_features(loads=(f16,), quant_family="f16", n_layers=1)
    assert not gcn_mmvq(f, f16)
    assert decode_seconds_per_token(f, PARAMS) == pytest.approx(20e-3 + 10e-3)
    q = _prefill_features(loads=(MI50,), quant_family="k_quant", n_layers=1)
    assert not gcn_mmvq(replace(q, llama_kernels=False), MI50)
