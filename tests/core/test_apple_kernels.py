"""Apple GPUs' kernels, hand-computed: MLX's sorted gather GEMM for a prompt's routed experts,
by the SIMD group's rows of its tile (Neural Accelerators on the M5 family or not)."""

from __future__ import annotations

import pytest

from runlocal.speed import prefill_gemm_flops
from runlocal.speed.prefill import (
    MLX_GATHER_NAX_TILE_ROWS,
    MLX_GATHER_TILE_ROWS,
    apple_matrix_units,
    mlx_expert_tile_rows,
    sorted_gather_tile_factor,
)

from .test_speed import _device_load, _prefill_features

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
