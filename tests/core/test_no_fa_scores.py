"""The F32 score matrix of llama.cpp's attention without flash attention, moved at the GPU's
memory bandwidth (speed.prefill.no_fa_score_seconds). Hand-computed."""

from __future__ import annotations

from dataclasses import replace

import pytest

from runlocal.speed import load_params, prefill_seconds_per_token
from runlocal.speed.prefill import NO_FA_SCORE_BYTES, no_fa_score_seconds

from .test_speed import _device_load, _prefill_features

# A 273 GB/s unified-memory GPU; 64 heads x 18 full-attention layers x 4,096 cached tokens =
# 4,718,592 scores per prompt token.
GPU = _device_load(bandwidth_bytes_per_s=273e9, layers=36)
SCORES = 64 * 18 * 4096


def test_the_score_matrix_is_written_read_written_and_read_in_f32() -> None:
    """K·Q writes 4 bytes a score, the softmax reads and writes 8, V·softmax reads 4: 16.
    4,718,592 x 16 B = 75,497,472 B at 273e9 B/s = 276.55 µs per prompt token."""
    assert NO_FA_SCORE_BYTES == 16
    f = _prefill_features(loads=(GPU,), flash_attn=False, attn_prefill_scores=SCORES)
    assert no_fa_score_seconds(f, GPU) == pytest.approx(276.548e-6, rel=1e-4)


def test_no_traffic_with_flash_attention_on_the_cpu_or_outside_llama_cpp() -> None:
    """Flash attention keeps the scores on chip; the CPU backend's cost is its own fit;
    other runtimes run fused attention kernels."""
    f = _prefill_features(loads=(GPU,), flash_attn=True, attn_prefill_scores=SCORES)
    assert no_fa_score_seconds(f, GPU) == 0.0
    cpu = replace(GPU, backend="cpu")
    f = _prefill_features(loads=(cpu,), flash_attn=False, attn_prefill_scores=SCORES)
    assert no_fa_score_seconds(f, cpu) == 0.0
    f = _prefill_features(
        loads=(GPU,), flash_attn=False, attn_prefill_scores=SCORES, llama_kernels=False
    )
    assert no_fa_score_seconds(f, GPU) == 0.0


def test_the_traffic_adds_to_the_prompt_time_without_flash_attention() -> None:
    """With the same attention factor either way, the prompt without flash attention takes
    exactly the score traffic longer: 276.55 µs per token."""
    p = load_params()
    p = replace(p, attention_factor=2.0, attention_factor_no_fa=2.0)
    kw: dict[str, object] = dict(loads=(GPU,), attn_prefill_flops=1e9, attn_prefill_scores=SCORES)
    fa = prefill_seconds_per_token(_prefill_features(flash_attn=True, **kw), p, 512)
    no_fa = prefill_seconds_per_token(_prefill_features(flash_attn=False, **kw), p, 512)
    assert fa is not None and no_fa is not None
    assert no_fa - fa == pytest.approx(276.548e-6, rel=1e-4)
