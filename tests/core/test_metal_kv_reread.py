"""llama.cpp's Metal decode without flash attention reads the KV cache once per query head
(speed.decode.metal_kv_reread_bytes). Hand-computed."""

from __future__ import annotations

from dataclasses import replace

import pytest

from runlocal.speed import decode_seconds_per_token, load_params
from runlocal.speed.decode import metal_kv_reread_bytes

from .test_speed import _device_load, _prefill_features

# A Llama-3-8B-like token at depth 4,096: 32 layers x 32 query heads x 4,096 tokens x
# 2 x (128 + 128) FLOPs = 2,147,483,648 attention FLOPs; 4 query heads per KV head.
ATTN_FLOPS = 32 * 32 * 4096 * 2 * 256
GPU = _device_load(backend="metal", bandwidth_bytes_per_s=400e9, attn_flops=ATTN_FLOPS)


def test_each_query_head_reads_its_kv_head_again() -> None:
    """Per-head reads: 2,147,483,648 / 2 = 1,073,741,824 F16 elements = 2,147,483,648 B; one
    read in four is kv_bytes' own, so 3/4 of that, 1,610,612,736 B, is read again."""
    f = _prefill_features(loads=(GPU,), flash_attn=False, gqa_groups=4)
    assert metal_kv_reread_bytes(f, GPU) == pytest.approx(1_610_612_736)
    # A q8_0 cache: 34 bytes a 32-element block, 1.0625 B an element.
    f = _prefill_features(loads=(GPU,), flash_attn=False, gqa_groups=4, kv_element_bytes=1.0625)
    assert metal_kv_reread_bytes(f, GPU) == pytest.approx(1_073_741_824 * 1.0625 * 0.75)


def test_no_reread_with_flash_attention_mha_other_backends_or_runtimes() -> None:
    """Flash attention reads a KV block once for the group; multi-head attention has one query
    head per KV head; the rule is read off the Metal kernels and llama.cpp's graph."""
    assert metal_kv_reread_bytes(_prefill_features(loads=(GPU,), gqa_groups=4), GPU) == 0.0
    f = _prefill_features(loads=(GPU,), flash_attn=False, gqa_groups=1)
    assert metal_kv_reread_bytes(f, GPU) == 0.0
    cuda = replace(GPU, backend="cuda")
    f = _prefill_features(loads=(cuda,), flash_attn=False, gqa_groups=4)
    assert metal_kv_reread_bytes(f, cuda) == 0.0
    f = _prefill_features(loads=(GPU,), flash_attn=False, gqa_groups=4, llama_kernels=False)
    assert metal_kv_reread_bytes(f, GPU) == 0.0


def test_the_reread_adds_at_the_decode_bandwidth() -> None:
    """1,610,612,736 B at 400e9 B/s x the Metal decode efficiency, added to the token."""
    p = load_params()
    fa = decode_seconds_per_token(_prefill_features(loads=(GPU,), gqa_groups=4), p)
    no_fa = decode_seconds_per_token(
        _prefill_features(loads=(GPU,), flash_attn=False, gqa_groups=4), p
    )
    assert fa is not None and no_fa is not None
    eta = p.bandwidth_efficiency["metal"]
    assert no_fa - fa == pytest.approx(1_610_612_736 / (400e9 * eta), rel=1e-9)
