"""BF16 routed experts under llama.cpp's Vulkan backend: ggml_vk_use_mul_mat_vec_id takes no
BF16 weights, so a decoded token's MUL_MAT_ID runs the tiled GEMM shader and pays a one-token
prompt's arithmetic for the experts instead of the mat-vec unpacking
(speed.decode.tiled_expert_seconds), hand-computed."""

from __future__ import annotations

from dataclasses import replace

import pytest

from runlocal.speed import DeviceLoad, SpeedFeatures, SpeedParams, decode_seconds_per_token
from runlocal.speed.decode import moe_layer_share, tiled_expert_seconds, vulkan_tiled_bf16_experts

from .test_speed import _f16_prompt, _gpu_load, _no_launches, _prefill_features

# A Strix Halo-like GPU under Vulkan (RADV exposes no BF16 arithmetic: the FP32 line):
# 10 TFLOPS FP32, 200 GB/s; 3e9 active BF16 weights (6 GB), 10 layers, all MoE.
GPU = _gpu_load(
    "AMD",
    "vulkan",
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
    64 GFLOP at 10 TFLOPS / 2 (gfx1151's FP32 figure counts dual issue, which Vulkan's scalar
    shader does not reach: kernels.vulkan_shader_fp32_flops) × 0.5 (prompt efficiency) = 25.6
    ms. 56.6 ms a token, against 30 + 3 = 33 ms on the mat-vec kernels."""
    f = _moe()
    assert vulkan_tiled_bf16_experts(f, GPU)
    assert tiled_expert_seconds(f, GPU, PARAMS) == pytest.approx(25.6e-3)
    assert decode_seconds_per_token(f, PARAMS) == pytest.approx(30e-3 + 1e-3 + 25.6e-3)


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
    0.6 × 25.6 = 15.36 ms; tensor parallel (both hold all 10): half each, 12.8 ms."""
    a, b = replace(GPU, moe_layers=6), replace(GPU, moe_layers=4)
    f = _moe(loads=(a, b))
    assert moe_layer_share(f, a) == pytest.approx(0.6)
    assert tiled_expert_seconds(f, a, PARAMS) == pytest.approx(15.36e-3)
    tp = _moe(loads=(GPU, GPU), tensor_parallel=True)
    assert tiled_expert_seconds(tp, GPU, PARAMS) == pytest.approx(12.8e-3)


# Prompt parameters where only the GEMMs' and the attention's arithmetic count: no tile loads,
# no weight reads (infinite bandwidth), no attention re-reads, every factor 1.
PROMPT = replace(
    PARAMS,
    bandwidth_efficiency={"vulkan": 1.0, "vulkan-intel": 1.0, "cuda": 1.0, "sycl": 1.0},
    prefill_efficiency={"vulkan": 0.5, "vulkan-intel": 0.6, "cuda": 0.8, "sycl": 0.3},
    tile_load_tokens=0.0,
    attention_tile_rows=0.0,
    prefill_path_efficiency={"fp32": 0.75},
)
PROMPT = _no_launches(PROMPT)
STRIX = replace(GPU, bandwidth_bytes_per_s=float("inf"), moe_layers=0)


def _dense_bf16(load: DeviceLoad) -> SpeedFeatures:
    return _f16_prompt(load, "BF16", active_params=1e9, attn_prefill_flops=1e9, flash_attn=True)


def test_vulkan_bf16_prompts_run_the_scalar_shader_at_one_fma_per_lane() -> None:
    """1e9 BF16 weights: 2e9 FLOPs a token in Vulkan's scalar FP32 shader, on gfx1151 at half
    its 10 TFLOPS FP32 figure (dual issue), × 0.5 (the Vulkan backend's efficiency, no path
    efficiency): 0.8 ms; the 1e9 FLOPs of attention over the F16 cache on the matrix units,
    20 TFLOPS × 0.5: 0.1 ms. 0.9 ms a token."""
    from runlocal.speed import prefill_path, prefill_seconds_per_token

    assert prefill_path(STRIX, "f16", bf16=True) == ("vulkan_fp32", 5e12)
    assert prefill_seconds_per_token(_dense_bf16(STRIX), PROMPT, 0.0) == pytest.approx(0.9e-3)
    # An Arc Pro B70-like Xe2 GPU: its FP32 figure counts no dual issue, so the whole of it.
    arc = replace(STRIX, backend="vulkan-intel", vendor="Intel", gpu_arch="xe2")
    assert prefill_path(arc, "f16", bf16=True) == ("vulkan_fp32", 10e12)


def test_the_fp32_line_is_priced_at_one_library_reach_on_every_backend() -> None:
    """SYCL's BF16 weights go to an FP32 GEMM (oneMKL): 2e9 FLOPs at 10 TFLOPS × 0.8 (CUDA's
    efficiency, FP32_LINE_REACH_BACKEND) × 0.75 (the fp32 path) = 0.3333 ms, not at SYCL's
    own 0.3 (1.8 ms at 10 TFLOPS × 0.3 × 0.75 less); the line's attention, 1e9 FLOPs at the
    same rate, 0.1667 ms (flash attention off: SYCL's vector-engine kernel not taken)."""
    from runlocal.speed import prefill_path, prefill_seconds_per_token

    sycl = replace(STRIX, backend="sycl", api="sycl", vendor="Intel", gpu_arch="xe2")
    assert prefill_path(sycl, "f16", bf16=True) == ("fp32", 10e12)
    f = replace(_dense_bf16(sycl), flash_attn=False)
    t = 2e9 / (10e12 * 0.8 * 0.75) + 1e9 / (10e12 * 0.8 * 0.75)
    assert prefill_seconds_per_token(f, PROMPT, 0.0) == pytest.approx(t)
