"""Shared-KV layers (Gemma 3n, Gemma 4 E-series): no cache of their own in memory, but their
attention over the source layer's cache priced like the source layer's in speed."""

from __future__ import annotations

from typing import Any

from runlocal.hfconfig import spec_from_config
from runlocal.memory import attention_flops, kv_cache_bytes
from runlocal.memory.kv import kv_read_bytes
from runlocal.memory.layer_terms import layer_terms_of, layer_terms_uncached
from runlocal.runtimes import get_runtime
from runlocal.spec import attending_spec

from .factories import gemma_3n_like

HF = get_runtime("transformers")
LLAMA = get_runtime("llama.cpp")

# Six layers, the last two share: layers 0-3 own a cache (sliding, sliding, global, sliding),
# layer 4 (sliding) reads layer 3's cache and layer 5 (global) reads layer 2's.
SHARED: dict[str, Any] = gemma_3n_like(
    num_hidden_layers=6,
    sliding_window=512,
    layer_types=[
        "sliding_attention",
        "sliding_attention",
        "full_attention",
        "sliding_attention",
        "sliding_attention",
        "full_attention",
    ],
    num_kv_shared_layers=2,
)


def test_shared_layers_name_the_last_owning_layer_of_their_type() -> None:
    spec = spec_from_config(SHARED)
    assert [layer.kind for layer in spec.layers] == ["swa", "swa", "full", "swa", "none", "none"]
    assert [layer.kv_source for layer in spec.layers] == [-1, -1, -1, -1, 3, 2]
    seen = attending_spec(spec)
    assert [layer.kind for layer in seen.layers] == ["swa", "swa", "full", "swa", "swa", "full"]
    assert all(layer.n_kv_heads == 1 and layer.head_dim_k == 64 for layer in seen.layers)


def test_shared_layers_attend_but_store_nothing() -> None:
    spec = spec_from_config(SHARED)
    # 2 × 4 query heads × (64 K + 64 V) = 1,024 FLOPs per cached token per layer. At depth
    # 1,000 a decoded token's global layers (2 and the shared 5) read 1,000 tokens, its
    # sliding ones (0, 1, 3 and the shared 4) their 512-token window.
    assert attention_flops(spec, HF, 1000, 0, 6, decode=True) == 1024 * (2 * 1000 + 4 * 512)
    # The shared layers alone: 1,024 × (512 + 1,000).
    assert attention_flops(spec, HF, 1000, 4, 6, decode=True) == 1024 * (512 + 1000)
    # A cell of one layer: 1 KV head × (64 + 64) × 2 bytes (F16) = 256 bytes. Memory holds
    # the four owning layers' caches (1 global × 1,000 cells, 3 sliding × 512) ...
    assert kv_cache_bytes(spec, 1000, HF, "f16") == 256 * (1 * 1000 + 3 * 512)
    assert kv_cache_bytes(spec, 1000, HF, "f16", layers=range(4, 6)) == 0
    # ... and a decoded token reads six layers' worth: the shared ones read their source's.
    assert kv_read_bytes(spec, 1000, HF, "f16") == 256 * (2 * 1000 + 4 * 512)
    assert kv_read_bytes(spec, 1000, HF, "f16", layers=range(4, 6)) == 256 * (1000 + 512)


def test_layer_terms_count_the_shared_layers_as_the_reference_does() -> None:
    spec = spec_from_config(SHARED)
    terms = layer_terms_of(spec, HF, "f16", 1, False, None)
    got = terms.at(1000, 0, 6)
    assert got == layer_terms_uncached(spec, HF, "f16", 1, 1000, 0, 6, False)
    assert got[0] == 256 * (2 * 1000 + 4 * 512)
    assert got[1] == 1024 * (2 * 1000 + 4 * 512)


def test_a_model_without_shared_layers_is_its_own_attending_spec() -> None:
    plain = dict(SHARED, num_kv_shared_layers=0)
    spec = spec_from_config(plain)
    assert attending_spec(spec) is spec
    assert [layer.kv_source for layer in spec.layers] == [-1] * 6
