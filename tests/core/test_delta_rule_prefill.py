"""llama.cpp's token-serial gated-delta-net kernel on CUDA and HIP, hand-computed: a prompt's
delta-rule recurrence at 6.4% of the FP32 rate (PR #22587's RTX 5090 timing of
gated_delta_net_cuda), where MLX's Metal kernel keeps its own share and the backends whose
kernel nobody timed pay nothing."""

from __future__ import annotations

from dataclasses import replace

import pytest

from runlocal.speed import load_params, prefill_seconds_per_token
from runlocal.speed.kernels import (
    LLAMA_CUDA_DELTA_RULE_FP32_SHARE,
    MLX_DELTA_RULE_FP32_SHARE,
    serial_delta_rule_seconds,
)

from .test_speed import _device_load, _prefill_features

# Qwen3.5-9B-like: 24 gated-delta layers of 32 value heads, key and value dims 128, 7 FLOPs per
# state element and token: 7 x 32 x 128 x 128 = 3,670,016 FLOPs per layer, 88,080,384 in all.
LAYER_FLOPS = 7 * 32 * 128 * 128
QWEN35_9B = _prefill_features(delta_rule_flops=float(24 * LAYER_FLOPS))
# An RTX 5090-like GPU (104.8 TFLOPS FP32) and a Radeon of half that rate under HIP.
RTX5090 = _device_load(backend="cuda", fp32_flops=104.8e12, fp16_flops=419e12)
RADEON = _device_load(backend="rocm", fp32_flops=52.4e12, fp16_flops=209.6e12)


def test_llama_cuda_walks_the_prompt_through_the_recurrence_one_token_at_a_time() -> None:
    """3,670,016 FLOPs at 6.4% of 104.8e12 (6.7072e12 FLOP/s) is 0.547 us per token and layer:
    PR #22587's 279.6 us for 512 tokens on master (0.546 us); 24 layers, 13.13 us."""
    assert LLAMA_CUDA_DELTA_RULE_FP32_SHARE == 0.064
    one_layer = _prefill_features(delta_rule_flops=float(LAYER_FLOPS))
    assert serial_delta_rule_seconds(one_layer, RTX5090) == pytest.approx(5.4718e-7, rel=1e-4)
    assert serial_delta_rule_seconds(one_layer, RTX5090) * 512 == pytest.approx(279.6e-6, rel=3e-3)
    assert serial_delta_rule_seconds(QWEN35_9B, RTX5090) == pytest.approx(1.3132e-5, rel=1e-4)
    # HIP compiles the same kernel: half the FP32 rate, twice the time.
    assert serial_delta_rule_seconds(QWEN35_9B, RADEON) == pytest.approx(2.6265e-5, rel=1e-4)


def test_backends_without_a_timed_serial_kernel_and_other_runtimes_pay_nothing() -> None:
    for backend in ("metal", "vulkan", "sycl", "cpu"):
        assert serial_delta_rule_seconds(QWEN35_9B, replace(RTX5090, backend=backend)) == 0.0
    # vLLM and transformers run their own (chunked) kernels on the same GPU.
    other = replace(QWEN35_9B, engine="vllm", llama_kernels=False)
    assert serial_delta_rule_seconds(other, RTX5090) == 0.0
    # Models without delta-rule layers (Mamba-2 hybrids included) pay nothing.
    assert serial_delta_rule_seconds(replace(QWEN35_9B, delta_rule_flops=0.0), RTX5090) == 0.0
    # MLX keeps its own share of the FP32 rate on Apple GPUs: 88,080,384 / (16e12 x 0.23).
    m5 = _device_load(backend="metal", fp32_flops=16e12, fp16_flops=64e12)
    mlx = replace(QWEN35_9B, engine="mlx", llama_kernels=False)
    assert MLX_DELTA_RULE_FP32_SHARE == 0.23
    assert serial_delta_rule_seconds(mlx, m5) == pytest.approx(2.3935e-5, rel=1e-4)


def test_the_recurrence_adds_its_time_to_each_prompt_token() -> None:
    """Whatever the GEMMs cost, the model with the recurrence takes 13.13 us more per token on
    the 5090-like GPU, all its layers on that one device."""
    p = load_params()
    plain = replace(QWEN35_9B, loads=(RTX5090,), delta_rule_flops=0.0)
    delta = replace(QWEN35_9B, loads=(RTX5090,))
    t_plain = prefill_seconds_per_token(plain, p, 0)
    t_delta = prefill_seconds_per_token(delta, p, 0)
    assert t_plain is not None and t_delta is not None
    assert t_delta - t_plain == pytest.approx(1.3132e-5, rel=1e-4)
