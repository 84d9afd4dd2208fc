"""Which flash-attention kernel llama.cpp's CUDA backend decodes a grouped-query layer in on
GPUs before Turing, and at what rate: hand-computed from config shapes and catalog rates."""

from __future__ import annotations

from dataclasses import replace

import pytest

from runlocal.accuracy_setup import llama_setup
from runlocal.hfconfig import spec_from_config
from runlocal.memory import GqaPacking, vector_kernel_attention_flops
from runlocal.runtimes import get_runtime
from runlocal.speed.decode import decode_tile_kernel_rate, mma_attention_rate
from runlocal.speed.features import (
    GQA_PACKING_PASCAL,
    GQA_PACKING_VOLTA,
    DeviceLoad,
    gqa_decode_packing,
)

from .factories import gemma_4_like

LLAMA = get_runtime("llama.cpp")


def test_volta_packs_only_ratios_with_a_power_of_two_above_two() -> None:
    # gqa_ratio_eff: the largest power of two dividing the ratio; the tile kernel from 4.
    assert GQA_PACKING_VOLTA.packs(8, 100)  # 8
    assert GQA_PACKING_VOLTA.packs(4, 100)  # 4
    assert GQA_PACKING_VOLTA.packs(20, 100)  # 4 (GLM-4.7-Flash's 20 heads on one latent)
    assert not GQA_PACKING_VOLTA.packs(6, 100)  # 2 (Qwen3.6-27B's 24 on 4)
    assert not GQA_PACKING_VOLTA.packs(2, 100)
    # Pascal: any grouped-query layer; none without GQA.
    assert GQA_PACKING_PASCAL.packs(2, 100) and GQA_PACKING_PASCAL.packs(6, 100)
    assert not GQA_PACKING_PASCAL.packs(1, 100)
    assert not GqaPacking(min_cells=8192).packs(8, 8191)


def test_packed_layers_leave_the_vector_kernel() -> None:
    spec = spec_from_config(
        gemma_4_like(
            num_hidden_layers=3,
            head_dim=128,
            global_head_dim=512,
            layer_types=["sliding_attention", "full_attention", "sliding_attention"],
        )
    )
    # 4 query heads on 2 KV heads (2 per KV head). At depth 100 the sliding layers read their
    # window of 8 cells of 128-wide K and V, the global layer 100 of 512-wide.
    sliding = 2 * (2 * 4 * (128 + 128) * 8)
    wide = 2 * 4 * (512 + 512) * 100
    assert vector_kernel_attention_flops(spec, LLAMA, 100, 0, 3) == (sliding, wide)
    # Pascal packs the two sliding layers too; Volta does not (a ratio of 2).
    assert vector_kernel_attention_flops(spec, LLAMA, 100, 0, 3, GQA_PACKING_PASCAL) == (
        0.0,
        wide + sliding,
    )
    assert vector_kernel_attention_flops(spec, LLAMA, 100, 0, 3, GQA_PACKING_VOLTA) == (
        sliding,
        wide,
    )
    # Only the layers in range: [2, 3) is one sliding layer.
    assert vector_kernel_attention_flops(spec, LLAMA, 100, 2, 3, GQA_PACKING_PASCAL) == (
        0.0,
        sliding / 2,
    )


def test_the_tile_kernel_is_chosen_by_generation_build_and_cache_type() -> None:
    assert gqa_decode_packing(6.0, LLAMA, "f16") is GQA_PACKING_PASCAL
    assert gqa_decode_packing(6.1, LLAMA, "q8_0") is None  # quantized: the vector kernel
    assert gqa_decode_packing(7.0, LLAMA, "q8_0") is GQA_PACKING_VOLTA
    assert gqa_decode_packing(7.5, LLAMA, "f16") is None  # Turing on: MMA, costed as vector
    assert gqa_decode_packing(8.9, LLAMA, "f16") is None
    assert gqa_decode_packing(None, LLAMA, "f16") is None
    assert gqa_decode_packing(7.0, replace(LLAMA, flash_attn=False), "f16") is None
    assert gqa_decode_packing(7.0, get_runtime("llama.cpp@b6759"), "f16") is None
    assert gqa_decode_packing(7.0, get_runtime("llama.cpp@b6760"), "f16") is GQA_PACKING_VOLTA


def _cuda_tile_gqa_decode(rec: dict[str, str]) -> bool:
    return llama_setup(rec).cuda_tile_gqa_decode


def test_rows_date_the_tile_kernel_by_build_or_month() -> None:
    assert _cuda_tile_gqa_decode({"runtime_version_or_date": "build c6e408837 (9368)"})
    assert not _cuda_tile_gqa_decode({"runtime_version_or_date": "b6000"})
    assert not _cuda_tile_gqa_decode({"runtime_version_or_date": "2025-10"})
    assert _cuda_tile_gqa_decode({"runtime_version_or_date": "2025-11"})
    assert _cuda_tile_gqa_decode({"runtime_version_or_date": ""})


def _gpu(cc: float, fp32: float, fp16: float) -> DeviceLoad:
    return DeviceLoad("cuda", 900e9, fp32, fp16, None, 1e9, 1e9, 0.0, 10, compute_capability=cc)


def test_the_tile_kernel_runs_at_the_vector_fp16_rate() -> None:
    # V100: 14 TFLOPS FP32, half2 at 28; its 112 TFLOPS of tensor cores are not used.
    assert decode_tile_kernel_rate(_gpu(7.0, 14e12, 112e12)) == 28e12
    # P100: 2 x 9.3 = 18.6 TFLOPS of half2, just under the 18.7 its datasheet rounds to.
    assert decode_tile_kernel_rate(_gpu(6.0, 9.3e12, 18.7e12)) == 18.6e12
    # GTX 1080 Ti: no fast FP16, its FP16 figure is the FP32 rate.
    assert decode_tile_kernel_rate(_gpu(6.1, 11.34e12, 11.34e12)) == 11.34e12
    # Turing on: the MMA kernel, at the matrix rate.
    assert decode_tile_kernel_rate(_gpu(8.6, 35.6e12, 71e12)) is None


def test_geforce_mma_attention_accumulates_q_k_at_half_rate() -> None:
    # RTX 3090: 142.3 TFLOPS FP16 with FP16 accumulation, 71.2 with FP32 (the Q·K^T half):
    # 1 / (0.5 / 71.2 + 0.5 / 142.3) = 94.9 TFLOPS.
    rtx_3090 = replace(_gpu(8.6, 35.58e12, 142.3e12), fp32_acc_flops=71.2e12)
    assert mma_attention_rate(rtx_3090) == pytest.approx(1 / (0.5 / 71.2e12 + 0.5 / 142.3e12))
    assert mma_attention_rate(rtx_3090) == pytest.approx(94.87e12, rel=1e-3)
    # A datacenter GPU accumulates in FP32 at full rate: its FP16 rate.
    a100 = replace(_gpu(8.0, 19.5e12, 312e12), fp32_acc_flops=312e12)
    assert mma_attention_rate(a100) == 312e12
    assert mma_attention_rate(_gpu(8.0, 19.5e12, 312e12)) == 312e12
