"""BF16 routed experts under llama.cpp's Vulkan backend: ggml_vk_use_mul_mat_vec_id takes no
BF16 weights, so a decoded token's MUL_MAT_ID runs the tiled GEMM shader and pays a one-token
prompt's arithmetic for the experts instead of the mat-vec unpacking
(speed.decode.tiled_expert_seconds), hand-computed."""

from __future__ import annotations

from dataclasses import replace

import pytest

from runlocal.speed import SpeedFeatures, SpeedParams, decode_seconds_per_token
from runlocal.speed.decode import moe_layer_share, tiled_expert_seconds, vulkan_tiled_bf16_experts

from .test_speed import _device_load, _prefill_features

# A Strix Halo-like GPU under Vulkan (RADV exposes no BF16 arithmetic: the FP32 line):
# 10 TFLOPS FP32, 200 GB/s; 3e9 active BF16 weights (6 GB), 10 layers, all MoE.
GPU = _device_load(
    backend="vulkan",
    api="vulkan",
    vendor="AMD",
    gpu_arch="gfx1151",
    fp32_flops=10e12,
    fp16_flops=20e12,
    bandwidth_bytes_per_s=200e9,
    weight_bytes=6e9,
    weight_params=3e9,
    layers=10,
    moe_layers=10,
)
PARAMS = SpeedParams(
    bandwidth_efficiency={"vulkan": 1.0, "rocm": 1.0},
    fixed_ms={"vulkan": 0.0, "rocm": 0.0},
    per_layer_us={"vulkan": 0.0, "rocm": 0.0},
    dequant_ops={"f16": 10.0},
    prefill_efficiency={"vulkan": 0.5, "rocm": 0.5},
    prefill_quant_factor={},
    attention_factor=1.0,
    pipeline_efficiency=0.5,
    tflops_per_watt=1.0,
    no_dp4a_dequant_factor=3.0,
    decode_spread={},
    prefill_spread={},
    tile_load_tokens=15.0,
    prefill_path_efficiency={"fp32": 1.0},
)


def _moe(**kw: object) -> SpeedFeatures:
    base: dict[str, object] = dict(
        loads=(GPU,),
        quant_family="f16",
        quant="BF16",
        n_layers=10,
        n_experts=128,
        expert_share=8 / 128,
        active_params=3e9,
        active_expert_params=2e9,
    )
    base.update(kw)
    return _prefill_features(**base)


def test_bf16_experts_under_vulkan_pay_a_one_token_gemm() -> None:
    """Reading 6 GB at 200 GB/s: 30 ms. Mat-vec unpacking of the 1e9 dense weights, 10 ops
    each at 10 TFLOPS: 1 ms. The 2e9 expert weights through the GEMM: 2 × 2e9 × (1 + 15) =
    64 GFLOP at 10 TFLOPS × 0.5 (prompt efficiency) × 1.0 (the fp32 path) = 12.8 ms.
    43.8 ms a token, against 30 + 3 = 33 ms on the mat-vec kernels."""
    f = _moe()
    assert vulkan_tiled_bf16_experts(f, GPU)
    assert tiled_expert_seconds(f, GPU, PARAMS) == pytest.approx(12.8e-3)
    assert decode_seconds_per_token(f, PARAMS) == pytest.approx(30e-3 + 1e-3 + 12.8e-3)


def test_other_weights_and_backends_keep_the_mat_vec_kernels() -> None:
    """Q8 experts under Vulkan, BF16 experts under ROCm (mmvf takes BF16 with expert ids), a
    dense BF16 model under Vulkan (ggml_vk_mul_mat's mat-vec test lists BF16) and other
    runtimes: 30 ms reading + 3e9 × 10 / 10e12 = 3 ms unpacking, no GEMM."""
    q8 = _moe(quant="Q8_0", quant_family="q8")
    assert not vulkan_tiled_bf16_experts(q8, GPU)
    rocm = replace(GPU, backend="rocm", api="rocm")
    assert not vulkan_tiled_bf16_experts(_moe(loads=(rocm,)), rocm)
    assert decode_seconds_per_token(_moe(loads=(rocm,)), PARAMS) == pytest.approx(33e-3)
    dense_gpu = replace(GPU, moe_layers=0)
    dense = _moe(loads=(dense_gpu,), n_experts=0, active_expert_params=0.0)
    assert decode_seconds_per_token(dense, PARAMS) == pytest.approx(33e-3)
    assert not vulkan_tiled_bf16_experts(_moe(llama_kernels=False), GPU)


def test_two_cards_split_the_experts_by_their_moe_layers() -> None:
    """Layer split 6 + 4 MoE layers: the first card computes 0.6 of the experts' GEMM,
    0.6 × 12.8 = 7.68 ms; tensor parallel (both hold all 10): half each, 6.4 ms."""
    a, b = replace(GPU, moe_layers=6), replace(GPU, moe_layers=4)
    f = _moe(loads=(a, b))
    assert moe_layer_share(f, a) == pytest.approx(0.6)
    assert tiled_expert_seconds(f, a, PARAMS) == pytest.approx(7.68e-3)
    tp = _moe(loads=(GPU, GPU), tensor_parallel=True)
    assert tiled_expert_seconds(tp, GPU, PARAMS) == pytest.approx(6.4e-3)
