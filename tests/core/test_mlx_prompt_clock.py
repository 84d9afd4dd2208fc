"""mlx-lm's prompt clock, hand-computed: the per-call costs a prompt rate carries (the decode
step of the prompt's last token; mlx-lm 0.31.3's per-call offset), and the KV-shared layers
an mlx-lm prompt chunk never evaluates."""

from __future__ import annotations

from dataclasses import replace

import pytest

from runlocal.spec import LayerSpec
from runlocal.speed import decode_seconds_per_token, prefill_gemm_flops, prefill_seconds_per_token
from runlocal.speed.features import cache_free_tail_params
from runlocal.speed.mlx_call import (
    MLX_CALL_OFFSET_S,
    mlx_call_offset_applies,
    mlx_prompt_call_seconds,
    mlx_unevaluated_params,
)

from .specs import spec_of_layers
from .test_apple_kernels import M4, _metal_params
from .test_speed import _prefill_features

MLX = dict(engine="mlx", llama_kernels=False, quant_family="f16", active_params=1e9)


def test_the_call_costs_are_one_decode_step_and_from_0_31_3_the_offset() -> None:
    """mlx-lm issue #1435: +55-77 ms per call on 0.31.3, the midpoint 66 ms."""
    assert MLX_CALL_OFFSET_S == 0.066
    p = _metal_params()
    current = _prefill_features(loads=(M4,), **MLX)
    old = replace(current, engine_version=(0, 28, 2))
    step = decode_seconds_per_token(current, p)
    assert step is not None and step > 0
    assert mlx_call_offset_applies(current)  # an unknown release is the current one
    assert mlx_call_offset_applies(replace(current, engine_version=(0, 31, 3)))
    assert not mlx_call_offset_applies(old)
    assert mlx_prompt_call_seconds(current, p) == pytest.approx(step + 0.066)
    assert mlx_prompt_call_seconds(old, p) == pytest.approx(decode_seconds_per_token(old, p))
    # llama-bench times the prompt's batches alone: no call costs.
    llama = replace(current, engine="llama.cpp", llama_kernels=True)
    assert mlx_prompt_call_seconds(llama, p) == 0.0


def test_a_short_prompt_shares_the_call_costs_over_fewer_tokens() -> None:
    """1e9 F16 parameters on an M4-like GPU at 0.5 efficiency: 2e9 / 8e12 = 2.5e-4 s a token.
    A prompt of n tokens takes n x 2.5e-4 + C, C the call costs, so 512 tokens take
    0.128 s + C and 2,048 take 0.512 s + C: the difference is 1,536 tokens' 0.384 s whatever C
    is, and the per-token time of 512 exceeds 2,048's by C x (1/512 - 1/2048)."""
    p = _metal_params()
    f = _prefill_features(loads=(M4,), **MLX)
    c = mlx_prompt_call_seconds(f, p)
    t512 = prefill_seconds_per_token(f, p, 0, 512)
    t2048 = prefill_seconds_per_token(f, p, 0, 2048)
    assert t512 is not None and t2048 is not None
    assert t512 * 512 == pytest.approx(0.128 + c)
    assert t2048 * 2048 - t512 * 512 == pytest.approx(0.384)
    assert t512 - t2048 == pytest.approx(c * (1 / 512 - 1 / 2048))
    # (With a 10 ms decode step, C = 0.076 s: 512 / 0.204 s = 2,510 tokens/s at 512 tokens,
    # 2,048 / 0.588 s = 3,483 at 2,048, against 4,000 for the tokens alone.)


def _layer(kind: str, params: int) -> LayerSpec:
    return LayerSpec(kind=kind, n_kv_heads=2, head_dim_k=256, head_dim_v=256, params_ffn=params)  # type: ignore[arg-type]


def test_the_layers_after_the_last_cache_are_the_cache_free_tail() -> None:
    """Four layers with caches of 100 parameters each, then three KV-shared ("none") ones of
    50: the tail holds 150. A "none" layer between cache owners is not in it."""
    tail = [_layer("full", 100), _layer("swa", 100), _layer("none", 50), _layer("swa", 100)]
    tail += [_layer("none", 50)] * 3
    assert cache_free_tail_params(spec_of_layers(tail)) == 150.0
    plain = [_layer("full", 100)] * 4
    assert cache_free_tail_params(spec_of_layers(plain)) == 0.0


def test_mlx_prompt_chunks_skip_the_cache_free_tail() -> None:
    """3e9 active parameters, 1e9 of them in KV-shared tail layers, no tile loads: an mlx-lm
    prompt chunk multiplies 2 x 2e9 = 4e9 FLOPs a token, llama.cpp's graph all 2 x 3e9."""
    f = _prefill_features(engine="mlx", llama_kernels=False, cache_free_tail_params=1e9)
    assert mlx_unevaluated_params(f) == 1e9
    assert prefill_gemm_flops(f, 0.0, 512) == pytest.approx(4e9)
    llama = replace(f, engine="llama.cpp", llama_kernels=True)
    assert mlx_unevaluated_params(llama) == 0.0
    assert prefill_gemm_flops(llama, 0.0, 512) == pytest.approx(6e9)
