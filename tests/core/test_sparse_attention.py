"""Compressed and sparse attention (DeepSeek-V3.2's lightning indexer, DeepSeek-V4's CSA/HCA):
what each layer caches per token and what one decoded token reads, hand-computed from tiny
configs shaped like the published ones."""

from __future__ import annotations

from typing import Any

import pytest

from runlocal.errors import ModelFileError, UnsupportedArchitectureError
from runlocal.hfconfig import spec_from_config
from runlocal.memory import attention_flops, kv_cache_bytes, kv_read_bytes
from runlocal.runtimes import get_runtime

LLAMA = get_runtime("llama.cpp")

# DeepSeek-V4's layout at toy size: layer 0 keeps only its raw window, layers 1 and 3
# compress 4 tokens into a row (and carry the indexer), layer 2 compresses 8 (no indexer).
TINY_V4: dict[str, Any] = {
    "architectures": ["DeepseekV4ForCausalLM"],
    "model_type": "deepseek_v4",
    "hidden_size": 64,
    "num_hidden_layers": 4,
    "num_attention_heads": 4,
    "num_key_value_heads": 1,
    "head_dim": 32,
    "q_lora_rank": 16,
    "o_lora_rank": 8,
    "o_groups": 2,
    "qk_rope_head_dim": 8,
    "sliding_window": 16,
    "compress_ratios": [0, 4, 8, 4, 0],  # the fifth belongs to the MTP layer
    "index_n_heads": 2,
    "index_head_dim": 8,
    "index_topk": 3,
    "n_routed_experts": 4,
    "n_shared_experts": 1,
    "num_experts_per_tok": 2,
    "moe_intermediate_size": 32,
    "vocab_size": 100,
    "max_position_embeddings": 1024,
    "tie_word_embeddings": False,
}

# DeepSeek-V3.2 at toy size: MLA (latent 16 + rope 8) with an 8-wide indexer key per token.
TINY_V32: dict[str, Any] = {
    "model_type": "deepseek_v32",
    "hidden_size": 64,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 4,
    "q_lora_rank": 16,
    "kv_lora_rank": 16,
    "qk_rope_head_dim": 8,
    "qk_nope_head_dim": 16,
    "v_head_dim": 16,
    "index_n_heads": 2,
    "index_head_dim": 8,
    "index_topk": 100,
    "intermediate_size": 128,
    "vocab_size": 100,
    "max_position_embeddings": 4096,
}


def test_every_v4_layer_keeps_a_window_and_some_compress_the_rest() -> None:
    spec = spec_from_config(TINY_V4)
    assert spec.sliding_window == 16
    assert [layer.kind for layer in spec.layers] == ["swa"] * 4
    assert [layer.compress_ratio for layer in spec.layers] == [0, 4, 8, 4]
    # Only the ratio-4 layers carry the indexer (the reference code's rule).
    assert [layer.index_head_dim for layer in spec.layers] == [0, 8, 0, 8]
    assert [layer.index_topk for layer in spec.layers] == [0, 3, 0, 3]
    # One K=V vector per token: a single KV head of head_dim, no separate V.
    assert {(lay.n_kv_heads, lay.head_dim_k, lay.head_dim_v) for lay in spec.layers} == {(1, 32, 0)}
    assert spec.mla is None


def test_v4_attention_parameters_follow_the_reference_shapes() -> None:
    layer0, layer1, layer2, _ = spec_from_config(TINY_V4).layers
    q = 64 * 16 + 16 + 16 * 4 * 32  # wq_a, q_norm, wq_b
    kv = 64 * 32 + 32  # wkv, kv_norm
    o = 4 * 32 * 8 + 2 * 8 * 64  # wo_a (heads·dim → groups·rank), wo_b
    sinks = 4
    assert layer0.params_attn == q + kv + o + sinks
    # ratio 8: a gated compressor of one head width (kv, gate, ape, norm)
    assert layer2.params_attn == q + kv + o + sinks + 2 * 64 * 32 + 8 * 32 + 32
    # ratio 4: overlapping compressor of twice the width, and the indexer (its query from
    # the Q latent, per-head weights, and its own overlapping compressor of 2 × 8)
    indexer = 16 * 2 * 8 + 64 * 2 + 2 * 64 * 16 + 4 * 16 + 8
    assert layer1.params_attn == q + kv + o + sinks + 2 * 64 * 64 + 4 * 64 + 32 + indexer


def test_v4_kv_is_the_raw_window_plus_compressed_rows_and_their_indexer_keys() -> None:
    spec = spec_from_config(TINY_V4)
    # llama.cpp at 1024 tokens, F16: the window takes pad256(16 + 512) = 768 cells of one
    # 32-wide K row (64 B) in each of the 4 layers; the ratio-4 layers add (64 + 16 B of
    # indexer key) per 4 tokens, the ratio-8 layer 64 B per 8 tokens.
    window = 4 * 64 * 768
    compressed = 2 * (64 + 16) * 1024 // 4 + 64 * 1024 // 8
    assert kv_cache_bytes(spec, 1024, LLAMA, "f16") == window + compressed == 245_760


def test_a_v4_token_reads_every_indexer_key_but_only_the_top_k_rows() -> None:
    spec = spec_from_config(TINY_V4)
    # At depth 1024 each ratio-4 layer holds 256 rows, and reads 3 of them: 253 rows of
    # 64 B are skipped in each of the two layers. The indexer keys are all read.
    stored = kv_cache_bytes(spec, 1024, LLAMA, "f16")
    assert kv_read_bytes(spec, 1024, LLAMA, "f16") == stored - 2 * 253 * 64
    # Below top-k rows nothing is skipped.
    assert kv_read_bytes(spec, 12, LLAMA, "f16") == kv_cache_bytes(spec, 12, LLAMA, "f16")
    # Dense models read what they store.
    dense = spec_from_config({**TINY_V32, "index_head_dim": None})
    assert kv_read_bytes(dense, 512, LLAMA, "f16") == kv_cache_bytes(dense, 512, LLAMA, "f16")


def test_v4_attention_arithmetic_counts_window_selected_rows_and_the_indexer() -> None:
    spec = spec_from_config(TINY_V4)
    # depth 100, decode, 4 query heads over one 32-wide cached vector (K, also used as V;
    # counted once, as the cache holds it once):
    width = 32
    layer0 = 2 * 4 * width * 16  # window only
    layer1 = 2 * 2 * 8 * 25 + 2 * 4 * width * (16 + 3)  # indexer over 25 rows, top 3
    layer2 = 2 * 4 * width * (16 + 100 / 8)  # every compressed row
    expected = layer0 + 2 * layer1 + layer2
    assert attention_flops(spec, LLAMA, 100, 0, 4, decode=True) == pytest.approx(expected)


def test_v32_caches_the_mla_latent_and_an_indexer_key_per_token() -> None:
    spec = spec_from_config(TINY_V32)
    assert all(layer.kind == "full" and layer.index_head_dim == 8 for layer in spec.layers)
    # (16 latent + 8 rope + 8 indexer) × 2 B × 512 tokens × 2 layers
    assert kv_cache_bytes(spec, 512, LLAMA, "f16") == 32 * 2 * 512 * 2
    # Reading at 512: all 512 indexer keys, but only 100 latent rows (48 B) per layer.
    assert kv_read_bytes(spec, 512, LLAMA, "f16") == 2 * (512 * 16 + 100 * 48)


def test_v32_counts_the_indexer_weights() -> None:
    with_indexer = spec_from_config(TINY_V32)
    without = spec_from_config({**TINY_V32, "index_head_dim": None})
    # wq_b from the Q latent (16 → 2 heads × 8), per-head weights, wk and its norm
    per_layer = 16 * 2 * 8 + 64 * 2 + 64 * 8 + 2 * 8
    assert with_indexer.params_total - without.params_total == 2 * per_layer


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"compress_ratios": [0, 4]}, "compress_ratios"),
        ({"compress_ratios": [0, 4, -1, 4]}, "compress_ratios"),
        ({"sliding_window": None}, "sliding_window"),
    ],
)
def test_a_malformed_v4_config_is_one_line_naming_the_key(
    change: dict[str, Any], message: str
) -> None:
    with pytest.raises(ModelFileError, match=message):
        spec_from_config({**TINY_V4, **change})


def test_layers_that_share_another_layers_cache_are_refused_not_guessed() -> None:
    with pytest.raises(UnsupportedArchitectureError, match="kv_source_layers"):
        spec_from_config({**TINY_V4, "kv_source_layers": [0, 1, 2, 3]})
