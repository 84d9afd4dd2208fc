"""Apple GPUs' kernels, hand-computed: MLX's sorted gather GEMM for a prompt's routed experts,
by the SIMD group's rows of its tile (Neural Accelerators on the M5 family or not), and
llama.cpp's Metal tensor-API GEMM on the M5 by build."""

from __future__ import annotations

from dataclasses import replace

import pytest

from runlocal.speed import (
    SpeedFeatures,
    SpeedParams,
    load_params,
    prefill_gemm_flops,
    prefill_seconds_per_token,
)
from runlocal.speed.kernels import (
    MLX_DELTA_RULE_FP32_SHARE,
    MLX_GATHER_NAX_TILE_ROWS,
    MLX_GATHER_TILE_ROWS,
    apple_matrix_units,
    early_metal_tensor_path,
    metal_shader_attention,
    mlx_dequantizes_beside_accelerators,
    mlx_expert_tile_rows,
    serial_delta_rule_seconds,
)
from runlocal.speed.mlx_call import mlx_prompt_call_seconds
from runlocal.speed.prefill import sorted_gather_tile_factor

from .test_speed import _device_load, _f16_prompt, _no_launches, _prefill_features

# An M4 Max-like GPU (FP16 at the FP32 rate on the same ALUs) and an M5 Max-like one (its
# Neural Accelerators: the FP16 matrix rate four times FP32).
M4 = _device_load(backend="metal", fp32_flops=16e12, fp16_flops=16e12)
M5 = _device_load(backend="metal", fp32_flops=16e12, fp16_flops=64e12)


def test_only_apple_gpus_with_matrix_units_take_mlx_neural_accelerator_tiles() -> None:
    assert not apple_matrix_units(M4)
    assert apple_matrix_units(M5)
    # A CUDA GPU's tensor cores are not Apple's accelerators.
    assert not apple_matrix_units(_device_load(backend="cuda", fp32_flops=1e12, fp16_flops=8e12))
    moe = _prefill_features(engine="mlx", n_experts=256, llama_kernels=False)
    assert mlx_expert_tile_rows(moe, M4) == MLX_GATHER_TILE_ROWS == 16
    assert mlx_expert_tile_rows(moe, M5) == MLX_GATHER_NAX_TILE_ROWS == 32
    # Dense models and llama.cpp have no sorted gather GEMM.
    assert mlx_expert_tile_rows(_prefill_features(engine="mlx", llama_kernels=False), M5) == 0
    assert mlx_expert_tile_rows(_prefill_features(n_experts=256), M5) == 0


def test_a_simd_group_multiplies_its_rows_once_per_expert_it_straddles() -> None:
    """16 rows per expert: a 32-row SIMD group straddles 1 + 31/16 = 2.9375 experts, a
    16-row one 1 + 15/16 = 1.9375."""
    assert sorted_gather_tile_factor(32, 16.0) == pytest.approx(2.9375)
    assert sorted_gather_tile_factor(16, 16.0) == pytest.approx(1.9375)
    assert sorted_gather_tile_factor(16, 1024.0) == pytest.approx(1 + 15 / 1024)


def test_mlx_expert_gemm_counts_the_straddled_multiply_adds() -> None:
    """3B active, 2B of them routed experts with 8 of 256 active: 512 prompt tokens give each
    expert 16 rows. Tile loads worth 16 tokens: dense 2 × 1e9 × (1 + 16/512) = 2.0625e9; the
    experts 2 × 2e9 × (2.9375 + 16/16) = 15.75e9 on the accelerators' 32-row SIMD groups, where
    llama.cpp's mul_mat_id counts 2 × 2e9 × (1 + 1) = 8e9."""
    f = _prefill_features(
        engine="mlx", llama_kernels=False, active_expert_params=2e9, expert_share=8 / 256
    )
    assert prefill_gemm_flops(f, 16.0, 512) == pytest.approx(2.0625e9 + 8e9)
    assert prefill_gemm_flops(f, 16.0, 512, expert_tile_rows=32) == pytest.approx(
        2.0625e9 + 15.75e9
    )
    # Fewer than 4 rows per expert (64 tokens: 2 each): MLX takes its unsorted gather kernel.
    assert prefill_gemm_flops(f, 16.0, 64, expert_tile_rows=32) == prefill_gemm_flops(f, 16.0, 64)


def _metal_params() -> SpeedParams:
    p = _no_launches(load_params())
    return replace(
        p,
        prefill_efficiency={**p.prefill_efficiency, "metal": 0.5},
        prefill_quant_factor={**p.prefill_quant_factor, "f16": 1.0},
        attention_factor=1.0,
        attention_backend_factor={**p.attention_backend_factor, "metal": 1.0},
        tile_load_tokens=0.0,
        attention_tile_rows=0.0,
    )


def test_early_builds_reach_the_m5_accelerators_through_the_simdgroup_kernels_tiles() -> None:
    """1e9 F16 parameters, no attention, weight streaming left out (no resident bytes): 2e9
    FLOPs at half of the M5's 64 TFLOPS is 6.25e-5 s per token; before PR #20962 the tensor
    path runs 1.26x slower, 7.875e-5 s. The M4, without matrix units, is not affected."""
    p = _metal_params()
    f = _f16_prompt(M5, active_params=1e9)
    assert prefill_seconds_per_token(f, p, 0) == pytest.approx(6.25e-5)
    old = replace(f, metal_tensor_tiles=False)
    assert early_metal_tensor_path(old, M5)
    assert prefill_seconds_per_token(old, p, 0) == pytest.approx(7.875e-5)
    m4 = replace(old, loads=(M4,))
    assert not early_metal_tensor_path(m4, M4)
    assert prefill_seconds_per_token(m4, p, 0) == pytest.approx(2e9 / (16e12 * 0.5))
    # MLX has its own kernels.
    assert not early_metal_tensor_path(replace(old, llama_kernels=False, engine="mlx"), M5)


def test_m5_flash_attention_runs_on_the_shader_alus_not_the_accelerators() -> None:
    """1e9 F16 parameters and 1e9 attention FLOPs per token, no streaming: the GEMMs at half
    of the M5's 64 TFLOPS take 2e9 / 32e12 = 6.25e-5 s; flash attention on the ALUs' 16
    TFLOPS at the same efficiency 1e9 / 8e12 = 1.25e-4 s, 1.875e-4 s in all. Without flash
    attention the two products are MUL_MATs on the accelerators: 3e9 / 32e12 = 9.375e-5 s.
    The M4 runs both on its ALUs: 3e9 / 8e12 = 3.75e-4 s either way."""
    p = replace(_metal_params(), attention_factor_no_fa=1.0)
    f = _f16_prompt(M5, active_params=1e9, attn_prefill_flops=1e9, flash_attn=True)
    assert metal_shader_attention(f, M5)
    assert prefill_seconds_per_token(f, p, 0) == pytest.approx(1.875e-4)
    no_fa = replace(f, flash_attn=False)
    assert not metal_shader_attention(no_fa, M5)
    assert prefill_seconds_per_token(no_fa, p, 0) == pytest.approx(9.375e-5)
    for m4 in (replace(f, loads=(M4,)), replace(no_fa, loads=(M4,))):
        assert not metal_shader_attention(m4, M4)
        assert prefill_seconds_per_token(m4, p, 0) == pytest.approx(3.75e-4)
    # MLX's attention is its own kernel.
    assert not metal_shader_attention(replace(f, llama_kernels=False, engine="mlx"), M5)


def test_the_harness_reads_whether_a_build_has_metals_tensor_kernel() -> None:
    from .factories import assert_build_gate

    # PR #20962: opened 24 March 2026, merged in April; a stated month from May 2026, or none,
    # is later.
    assert_build_gate(
        "metal_tensor_tiles",
        older=[
            "PR #16634 branch (Metal4 tensor API); 2025-10-25",
            "fork build dfc1097; 2026-03-26",
            "llama.cpp@b8000",
        ],
        newer=[
            "build 2e97c5f96 (9100); 2026-05",
            "2026-06",
            "build e9fd8dc",
            "llama.cpp@b8700",
            "llama.cpp",
        ],
    )


def test_mlx_pays_for_dequantization_only_beside_neural_accelerators() -> None:
    """MLX, 1e9 parameters in 8 bits (q8 factor 1.25 here), no attention or streaming: on the
    M5 2e9 / (64e12 × 0.5) × 1.25 = 7.8125e-5 s; on the M4 2e9 / (16e12 × 0.5) = 2.5e-4 s,
    dequantization hidden behind the multiply-adds on the same ALUs."""
    p = _metal_params()
    p = replace(p, prefill_quant_factor={**p.prefill_quant_factor, "q8": 1.25})
    mlx = dict(engine="mlx", llama_kernels=False, quant_family="q8", active_params=1e9)
    on_m5 = _prefill_features(loads=(M5,), **mlx)
    on_m4 = _prefill_features(loads=(M4,), **mlx)
    assert mlx_dequantizes_beside_accelerators(on_m5, M5)
    assert not mlx_dequantizes_beside_accelerators(on_m4, M4)
    assert _mlx_tokens_seconds(on_m5, p) == pytest.approx(7.8125e-5)
    assert _mlx_tokens_seconds(on_m4, p) == pytest.approx(2.5e-4)
    # vLLM-style runtimes elsewhere keep their fused dequantization.
    assert not mlx_dequantizes_beside_accelerators(replace(on_m5, engine="vllm"), M5)


def test_m5_family_dequantizes_a_decoded_token_at_twice_the_alu_rate() -> None:
    """Apple GPU family 10 (M5, told by its Neural Accelerators) issues conversions, integer
    and FP16 work at twice the rate (APPLE_FAST_ALU_FACTOR). Hand-computed, 8e9 K-quant
    weights of 4.8 GB on a 16 TFLOPS GPU reading 600 GB/s: reading 4.8e9 / 600e9 = 8 ms;
    dequantizing 8e9 × 6 ops / 16e12 = 3 ms on an M4-like GPU, 1.5 ms on an M5-like one; no
    per-layer or fixed cost."""
    from runlocal.speed import decode_seconds_per_token
    from runlocal.speed.decode import APPLE_FAST_ALU_FACTOR, dequant_rate_factor

    params = SpeedParams(
        bandwidth_efficiency={"metal": 1.0},
        fixed_ms={"metal": 0.0},
        per_layer_us={"metal": 0.0},
        dequant_ops={"k_quant": 6.0},
        prefill_efficiency={"metal": 1.0},
        prefill_quant_factor={},
        attention_factor=1.0,
        pipeline_efficiency=0.5,
        tflops_per_watt=1.0,
        no_dp4a_dequant_factor=3.0,
        decode_spread={},
        prefill_spread={},
    )
    weights = dict(bandwidth_bytes_per_s=600e9, weight_bytes=4.8e9, weight_params=8e9)
    m4 = replace(M4, **weights)  # type: ignore[arg-type]
    m5 = replace(M5, **weights)  # type: ignore[arg-type]
    f4 = _prefill_features(loads=(m4,), quant_family="k_quant", n_layers=1)
    f5 = _prefill_features(loads=(m5,), quant_family="k_quant", n_layers=1)
    assert APPLE_FAST_ALU_FACTOR == 2.0
    assert dequant_rate_factor(f4, m4, 3.0) == 1.0
    assert dequant_rate_factor(f5, m5, 3.0) == 0.5
    assert decode_seconds_per_token(f4, params) == pytest.approx(8e-3 + 3e-3)
    assert decode_seconds_per_token(f5, params) == pytest.approx(8e-3 + 1.5e-3)
    # Only llama.cpp's kernels: MLX's qmv folds dequantization into its read.
    assert dequant_rate_factor(replace(f5, llama_kernels=False), m5, 3.0) == 1.0


def test_mlx_prefills_delta_rule_layers_one_token_after_another() -> None:
    """Qwen3.5-like: 30 gated-delta layers of 32 value heads, key and value dims 128, 7 FLOPs
    per state element and token: 7 x 524,288 x 30 = 110,100,480 FLOPs per prompt token, at
    23% of a 16e12 FP32 rate: 110,100,480 / 3.68e12 = 2.992e-5 s per token."""
    assert MLX_DELTA_RULE_FP32_SHARE == 0.23
    flops = 7 * 32 * 128 * 128 * 30
    mlx = _prefill_features(engine="mlx", llama_kernels=False, delta_rule_flops=float(flops))
    assert serial_delta_rule_seconds(mlx, M5) == pytest.approx(110_100_480 / 3.68e12)
    assert serial_delta_rule_seconds(mlx, M5) == pytest.approx(2.992e-5, rel=1e-3)
    # llama.cpp's own kernels, and models without delta-rule layers, pay nothing here.
    assert serial_delta_rule_seconds(replace(mlx, engine="llama.cpp"), M5) == 0.0
    assert serial_delta_rule_seconds(replace(mlx, delta_rule_flops=0.0), M5) == 0.0


def test_the_serial_recurrence_adds_to_mlx_prefill_per_token() -> None:
    """1e9 parameters in F16 on an M4-like GPU at 0.5 efficiency: 2e9 / 8e12 = 2.5e-4 s; a
    delta-rule recurrence of 3.68e8 FLOPs adds 3.68e8 / (16e12 x 0.23) = 1e-4 s."""
    p = _metal_params()
    mlx = dict(engine="mlx", llama_kernels=False, quant_family="f16", active_params=1e9)
    plain = _prefill_features(loads=(M4,), **mlx)
    delta = _prefill_features(loads=(M4,), delta_rule_flops=3.68e8, **mlx)
    assert _mlx_tokens_seconds(plain, p) == pytest.approx(2.5e-4)
    assert _mlx_tokens_seconds(delta, p) == pytest.approx(3.5e-4)


def _mlx_tokens_seconds(f: SpeedFeatures, p: SpeedParams, prompt_tokens: int = 512) -> float:
    """prefill_seconds_per_token without the prompt clock's per-call costs
    (mlx_call.mlx_prompt_call_seconds, shared by the prompt's tokens)."""
    t = prefill_seconds_per_token(f, p, 0, prompt_tokens)
    assert t is not None
    return t - mlx_prompt_call_seconds(f, p) / prompt_tokens
