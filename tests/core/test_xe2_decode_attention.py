"""Intel Xe2's latency-bound decode attention (speed.xe2_decode_attention): a fixed time per
cached cell and attention layer, where it is longer than the cache's read and arithmetic."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from runlocal.hfconfig import spec_from_config
from runlocal.memory import attended_cells
from runlocal.runtimes import get_runtime
from runlocal.speed import DeviceLoad, SpeedFeatures, load_params
from runlocal.speed.decode import decode_seconds_per_token
from runlocal.speed.xe2_decode_attention import xe2_decode_attention_seconds

from .test_speed import _prefill_features

LLAMA = get_runtime("llama.cpp")

# 10 attention layers x 16,384 cells = 163,840 cells: x 23 ns = 3.76832 ms.
CELLS = 10 * 16_384.0
B70 = DeviceLoad(
    "vulkan-intel",
    608e9,
    22.9e12,
    91.6e12,
    None,
    3e9,
    6e9,
    0.608e9,  # 1 ms of cache read at 608 GB/s
    40,
    attn_flops=2.29e9,  # 1 ms at 22.9 TFLOPS x 0.1
    attn_cells=CELLS,
    vendor="Intel",
    gpu_arch="xe2-hpg",
)


def _features(load: DeviceLoad) -> SpeedFeatures:
    return _prefill_features(loads=(load,), quant_family="k_quant", n_layers=40, active_params=6e9)


def _params() -> Any:
    p = load_params()
    return replace(
        p,
        bandwidth_efficiency={**p.bandwidth_efficiency, "vulkan-intel": 1.0, "sycl": 1.0},
        decode_attention_efficiency=0.1,
    )


def test_the_floor_is_23_ns_per_cell_on_xe2_under_sycl_and_vulkan_only() -> None:
    f = _features(B70)
    assert xe2_decode_attention_seconds(f, B70) == pytest.approx(3.76832e-3)
    sycl = replace(B70, backend="sycl")
    assert xe2_decode_attention_seconds(f, sycl) == pytest.approx(3.76832e-3)
    assert xe2_decode_attention_seconds(f, replace(B70, gpu_arch="xe-hpg")) == 0.0  # A770
    assert xe2_decode_attention_seconds(f, replace(B70, backend="vulkan")) == 0.0
    assert xe2_decode_attention_seconds(replace(f, llama_kernels=False), B70) == 0.0


def test_a_small_cache_pays_the_walk_less_its_read_instead_of_the_arithmetic() -> None:
    """Read 1 ms, arithmetic 1 ms, walk 3.768 ms: attention costs 3.768 - 1 = 2.768 ms on top
    of the read where it cost the 1 ms of arithmetic, 1.768 ms more."""
    p = _params()
    with_floor = decode_seconds_per_token(_features(B70), p)
    without = decode_seconds_per_token(_features(replace(B70, attn_cells=0.0)), p)
    assert with_floor is not None and without is not None
    assert with_floor - without == pytest.approx(1.76832e-3)


def test_a_large_cache_read_hides_the_walk() -> None:
    """A multi-head cache of 6.08 GB takes 10 ms to read, longer than the 3.768 ms walk."""
    p = _params()
    big = replace(B70, kv_bytes=6.08e9)
    with_floor = decode_seconds_per_token(_features(big), p)
    without = decode_seconds_per_token(_features(replace(big, attn_cells=0.0)), p)
    assert with_floor == without


def test_attended_cells_counts_full_layers_at_depth_and_sliding_ones_at_their_window() -> None:
    """Two sliding layers (window 512) and one full one at depth 4,096: 2 x 512 + 4,096."""
    config: dict[str, Any] = {
        "model_type": "gemma3_text",
        "num_hidden_layers": 3,
        "hidden_size": 256,
        "num_attention_heads": 4,
        "num_key_value_heads": 1,
        "head_dim": 64,
        "vocab_size": 1000,
        "intermediate_size": 1024,
        "max_position_embeddings": 8192,
        "sliding_window": 512,
        "layer_types": ["sliding_attention", "sliding_attention", "full_attention"],
    }
    spec = spec_from_config(config)
    assert attended_cells(spec, LLAMA, 4096, 0, 3) == 2 * 512 + 4096
    assert attended_cells(spec, LLAMA, 4096, 2, 3) == 4096
    assert attended_cells(spec, LLAMA, 100, 0, 3) == 300
