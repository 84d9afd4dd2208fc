"""HIP MMQ's column tiles for routed experts on AMD GPUs (speed.hip_moe_tiles): the tile width
llama.cpp picks, the padding an expert's tiles compute, and what it adds to a prompt,
hand-computed."""

from __future__ import annotations

from dataclasses import replace

import pytest

from runlocal.accuracy_setup import llama_setup
from runlocal.runtimes import get_runtime
from runlocal.speed import SpeedFeatures, load_params, prefill_seconds_per_token
from runlocal.speed.hip_moe_tiles import (
    HIP_PADDED_COLUMN_COST,
    hip_expert_padding,
    mmq_tile_width,
)

from .test_hip_kernels import RDNA4
from .test_speed import _prefill_features

STRIX = replace(RDNA4, gpu_arch="gfx1151")
MI50 = replace(RDNA4, gpu_arch="gfx906", fp16_flops=26.5e12, fp32_flops=13.3e12)


def _moe(**kw: object) -> SpeedFeatures:
    """A MoE with 8 of 128 experts per token (k/E = 1/16), 1e9 of its 1.5e9 active
    parameters in the routed experts, Q4_K_M, -ub 512, on a build before PR #28552."""
    base: dict[str, object] = dict(
        loads=(RDNA4,),
        quant="Q4_K_M",
        quant_family="k_quant",
        active_params=1.5e9,
        active_expert_params=1e9,
        n_experts=128,
        expert_share=8 / 128,
        ubatch=512,
        moe_expert_tiles=False,
    )
    base.update(kw)
    return _prefill_features(**base)


def test_the_tile_width_is_the_narrowest_that_covers_the_columns_in_fewest_tiles() -> None:
    # 512 columns: four tiles of 128, the widest; 32 columns fit one 32-wide tile; 24 need
    # one too (16 would take two), 100 one of 112 (widths step by 16 below 128).
    assert mmq_tile_width(512, 128, 16, 32) == 128
    assert mmq_tile_width(32, 128, 16, 32) == 32
    assert mmq_tile_width(24, 128, 16, 32) == 32
    assert mmq_tile_width(100, 128, 16, 32) == 112
    # The dp4a path of AMD GPUs without matrix units: at most 64 columns, steps of 8.
    assert mmq_tile_width(512, 64, 8, 8) == 64
    assert mmq_tile_width(20, 64, 8, 8) == 24


def test_an_experts_tiles_are_mostly_padding_before_the_per_expert_width() -> None:
    """-ub 512 and k/E = 1/16: every expert is reached (1 − (15/16)^512 ≈ 1) with 32 tokens,
    in a 128-wide tile: 96 padded columns per 32 useful, 3.0. -ub 1024: 64 in 128, 1.0;
    -ub 2048: 128 in 128, none."""
    assert hip_expert_padding(_moe(), RDNA4, "matrix", 512) == pytest.approx(3.0)
    assert hip_expert_padding(_moe(), RDNA4, "matrix", 1024) == pytest.approx(1.0)
    assert hip_expert_padding(_moe(), RDNA4, "matrix", 2048) == 0.0
    # PR #28552's builds size the tile from the 32 tokens an expert gets: no padding.
    new = _moe(moe_expert_tiles=True)
    assert hip_expert_padding(new, RDNA4, "matrix", 512) == 0.0
    # ... on RDNA3 and RDNA4 only: RDNA3.5 keeps the micro-batch's width.
    assert hip_expert_padding(new, STRIX, "matrix", 512) == pytest.approx(3.0)
    # dp4a (gfx906): 64-wide tiles, 32 padded columns per 32 useful.
    assert hip_expert_padding(_moe(loads=(MI50,)), MI50, "dp4a", 512) == pytest.approx(1.0)


def test_a_few_tokens_reach_few_experts_each_in_a_whole_tile() -> None:
    """4 tokens, k/E = 1/16: 1 − (15/16)^4 = 0.22752 of the experts are reached, each with
    0.25 / 0.22752 = 1.0988 tokens in a 16-wide tile: 0.22752 × (16 − 1.0988) / 0.25 =
    13.5615 padded columns per useful one."""
    assert hip_expert_padding(_moe(), RDNA4, "matrix", 4) == pytest.approx(13.5615, rel=1e-4)


def test_no_padding_is_charged_off_hip_mmq_or_without_routed_experts() -> None:
    cuda = replace(RDNA4, backend="cuda", api="cuda", vendor="NVIDIA", gpu_arch=None)
    assert hip_expert_padding(_moe(loads=(cuda,)), cuda, "mmq", 512) == 0.0
    assert hip_expert_padding(_moe(n_experts=0), RDNA4, "matrix", 512) == 0.0
    assert hip_expert_padding(_moe(quant="F16", quant_family="f16"), RDNA4, "matrix", 512) == 0


def test_the_padding_adds_its_measured_share_of_the_experts_multiply_adds() -> None:
    """At the efficiency 0.5, no unpacking factor, tile load, cache term or weight stream
    difference between the builds, the padding adds 2 × 1e9 × 0.22 × 3.0 = 1.32e9 FLOPs a
    token at 100 TFLOPS × 0.5: 2.64e-5 s."""
    p = load_params()
    p = replace(
        p,
        prefill_efficiency={**p.prefill_efficiency, "rocm": 0.5},
        prefill_path_efficiency={},
        prefill_quant_factor={"k_quant": 1.0},
        tile_load_tokens=0.0,
        attention_tile_rows=0.0,
    )
    old = prefill_seconds_per_token(_moe(), p, 0)
    new = prefill_seconds_per_token(_moe(moe_expert_tiles=True), p, 0)
    assert old is not None and new is not None
    assert HIP_PADDED_COLUMN_COST == 0.22
    assert old - new == pytest.approx(2 * 1e9 * 0.22 * 3.0 / (100e12 * 0.5))


def test_the_harness_and_runtimes_read_whether_a_build_sizes_expert_tiles() -> None:
    def setup(version: str) -> bool:
        return llama_setup({"runtime_version_or_date": version}).moe_expert_tiles

    assert not setup("build 2aa45ef9e (7423); 2025-12")
    assert not setup("build b10298; 2026-08")
    assert setup("2026-11")
    assert not get_runtime("llama.cpp@b7670").moe_expert_tiles
    assert get_runtime("llama.cpp@b10700").moe_expert_tiles
