"""read_gguf's per-layer caches: MLA and DeepSeek-4 compressed layers, recurrent and hybrid layers'
state, layers that store no KV, as llama.cpp loads the same metadata."""

from __future__ import annotations

from pathlib import Path

import pytest

from runlocal.errors import ModelFileError, UnsupportedArchitectureError
from runlocal.gguf import read_gguf
from runlocal.spec import MLASpec

from .test_gguf import F16, F32, TensorDef, dense_tensors, make_gguf, moe_tensors
from .test_gguf_windows import kinds

# --------------------------------------------------------------------------------------------
# MLA, recurrent and hybrid layers


def test_mla_layers_hold_decompressed_head_sizes(tmp_path: Path) -> None:
    spec = read_gguf(
        make_gguf(
            tmp_path,
            arch="deepseek2",
            n_layers=3,
            n_heads=16,
            n_kv=1,
            kv={
                "{arch}.attention.kv_lora_rank": 512,
                "{arch}.attention.key_length": 576,
                "{arch}.attention.value_length": 512,
                "{arch}.attention.key_length_mla": 192,
                "{arch}.attention.value_length_mla": 128,
                "{arch}.rope.dimension_count": 64,
                "{arch}.expert_count": 8,
                "{arch}.expert_used_count": 2,
                "{arch}.leading_dense_block_count": 1,
            },
            tensors=moe_tensors(3, 8, dense_lead=1),
        )
    )
    assert spec.mla == MLASpec(kv_lora_rank=512, qk_rope_head_dim=64)
    assert spec.mla is not None and spec.mla.latent_elements == 576
    for layer in spec.layers:
        assert (layer.kind, layer.n_kv_heads, layer.head_dim_k, layer.head_dim_v) == (
            "full",
            16,
            192,
            128,
        )
    assert [layer.moe for layer in spec.layers] == [False, True, True]


def test_deepseek4_layers_keep_a_window_and_compress_by_their_ratio(tmp_path: Path) -> None:
    # llama.cpp's deepseek4 keys; the indexer is found by its tensors (block 1 only).
    tensors = dense_tensors(3, n_kv=1)
    tensors.insert(1, ("blk.1.indexer.attn_q_b.weight", F16, (256, 4 * 128)))
    spec = read_gguf(
        make_gguf(
            tmp_path,
            arch="deepseek4",
            n_layers=3,
            n_kv=1,
            kv={
                "{arch}.attention.key_length": 512,
                "{arch}.attention.value_length": 512,
                "{arch}.attention.sliding_window": 128,
                "{arch}.attention.compress_ratios": [0, 4, 128, 0],
                "{arch}.attention.indexer.head_count": 4,
                "{arch}.attention.indexer.key_length": 128,
                "{arch}.attention.indexer.top_k": 512,
            },
            tensors=tensors,
        )
    )
    assert spec.sliding_window == 128
    assert [layer.kind for layer in spec.layers] == ["swa"] * 3
    assert [layer.compress_ratio for layer in spec.layers] == [0, 4, 128]
    assert [(layer.index_head_dim, layer.index_topk) for layer in spec.layers] == [
        (0, 0),
        (128, 512),
        (0, 0),
    ]
    # One cached vector is both K and V.
    assert {(layer.n_kv_heads, layer.head_dim_k, layer.head_dim_v) for layer in spec.layers} == {
        (1, 512, 0)
    }


def test_deepseek4_without_its_window_is_refused_naming_the_key(tmp_path: Path) -> None:
    path = make_gguf(
        tmp_path,
        arch="deepseek4",
        n_kv=1,
        kv={"{arch}.attention.compress_ratios": [0, 4]},
        tensors=dense_tensors(2, n_kv=1),
    )
    with pytest.raises(ModelFileError, match="sliding_window"):
        read_gguf(path)


def test_an_mla_model_without_mla_lengths_is_cached_as_full_attention(tmp_path: Path) -> None:
    spec = read_gguf(
        make_gguf(
            tmp_path,
            arch="deepseek2",
            n_heads=16,
            n_kv=16,
            kv={
                "{arch}.attention.kv_lora_rank": 512,
                "{arch}.attention.key_length": 192,
                "{arch}.attention.value_length": 128,
                "{arch}.rope.dimension_count": 64,
            },
        )
    )
    assert spec.mla is None
    assert (spec.layers[0].n_kv_heads, spec.layers[0].head_dim_k) == (16, 192)
    assert "layout" in spec.provenance


def test_per_layer_kv_heads_mark_recurrent_layers_of_a_hybrid(tmp_path: Path) -> None:
    spec = read_gguf(
        make_gguf(
            tmp_path,
            arch="lfm2",
            n_layers=4,
            n_heads=4,
            n_kv=[0, 2, 0, 2],
            kv={"{arch}.shortconv.l_cache": 3},
        )
    )
    assert kinds(spec) == "RFRF"
    assert [x.n_kv_heads for x in spec.layers] == [0, 2, 0, 2]
    assert spec.layers[0].recurrent_state_elements == 256 * 2  # n_embd * (l_cache - 1)
    assert spec.layers[1].recurrent_state_elements == 0


def test_a_zero_kv_head_layer_without_recurrent_keys_stores_nothing(tmp_path: Path) -> None:
    spec = read_gguf(make_gguf(tmp_path, arch="deci", n_layers=3, n_kv=[2, 0, 2]))
    assert kinds(spec) == "F-F"


def test_nemotron_h_mlp_only_layers_store_nothing(tmp_path: Path) -> None:
    spec = read_gguf(
        make_gguf(
            tmp_path,
            arch="nemotron_h",
            n_layers=3,
            n_kv=[0, 0, 2],
            ff=[0, 512, 0],
            kv={
                "{arch}.ssm.conv_kernel": 4,
                "{arch}.ssm.inner_size": 512,
                "{arch}.ssm.state_size": 128,
                "{arch}.ssm.group_count": 8,
            },
        )
    )
    assert kinds(spec) == "R-F"
    assert spec.layers[0].recurrent_state_elements == 3 * (512 + 2 * 8 * 128) + 128 * 512


def test_nemotron_h_moe_blocks_keep_state_kv_or_nothing(tmp_path: Path) -> None:
    # llama.cpp's nemotron_h_moe: a block with KV heads is attention, one with a feed-forward
    # length is an MLP or experts (nothing kept per token), any other block is Mamba-2.
    hidden, experts = 64, 4
    tensors: list[TensorDef] = [
        ("token_embd.weight", F32, (hidden, 32)),
        ("output.weight", F32, (hidden, 32)),
        ("blk.0.ssm_in.weight", F32, (hidden, 164)),
        ("blk.1.attn_q.weight", F32, (hidden, 64)),
        ("blk.1.attn_k.weight", F32, (hidden, 32)),
        ("blk.1.attn_v.weight", F32, (hidden, 32)),
        ("blk.1.attn_output.weight", F32, (64, hidden)),
        ("blk.2.ffn_up.weight", F32, (hidden, 96)),
        ("blk.2.ffn_down.weight", F32, (96, hidden)),
        ("blk.3.ffn_gate_inp.weight", F32, (hidden, experts)),
        ("blk.3.ffn_up_exps.weight", F32, (hidden, 32, experts)),
        ("blk.3.ffn_down_exps.weight", F32, (32, hidden, experts)),
        ("blk.3.ffn_up_shexp.weight", F32, (hidden, 48)),
        ("blk.3.ffn_down_shexp.weight", F32, (48, hidden)),
    ]
    spec = read_gguf(
        make_gguf(
            tmp_path,
            arch="nemotron_h_moe",
            n_layers=4,
            hidden=hidden,
            n_kv=[0, 2, 0, 0],
            ff=[0, 0, 96, 32],
            kv={
                "{arch}.ssm.conv_kernel": 4,
                "{arch}.ssm.inner_size": 64,
                "{arch}.ssm.state_size": 8,
                "{arch}.ssm.group_count": 2,
                "{arch}.expert_count": experts,
                "{arch}.expert_used_count": 2,
                "{arch}.attention.key_length": 16,
                "{arch}.attention.value_length": 16,
            },
            tensors=tensors,
        )
    )
    assert kinds(spec) == "RF--"
    assert spec.layers[0].recurrent_state_elements == 3 * (64 + 2 * 2 * 8) + 8 * 64
    assert [layer.moe for layer in spec.layers] == [False, False, False, True]
    routed = 2 * hidden * 32 * experts
    assert spec.layers[3].params_experts == routed
    assert spec.params_total - spec.params_active == routed // 2  # two of four experts idle


def test_qwen3next_uses_full_attention_every_fourth_layer(tmp_path: Path) -> None:
    spec = read_gguf(
        make_gguf(
            tmp_path,
            arch="qwen3next",
            n_layers=8,
            kv={
                "{arch}.full_attention_interval": 4,
                "{arch}.ssm.conv_kernel": 4,
                "{arch}.ssm.inner_size": 4096,
                "{arch}.ssm.state_size": 128,
                "{arch}.ssm.group_count": 16,
            },
        )
    )
    assert kinds(spec) == "RRRFRRRF"
    # conv state (d_conv-1)·(d_inner + 2·n_group·d_state) plus d_state·d_inner
    assert spec.layers[0].recurrent_state_elements == 3 * 8192 + 128 * 4096


def test_mamba_layers_are_all_recurrent(tmp_path: Path) -> None:
    spec = read_gguf(
        make_gguf(
            tmp_path,
            arch="mamba",
            n_layers=2,
            n_heads=0,
            n_kv=0,
            kv={
                "{arch}.ssm.conv_kernel": 4,
                "{arch}.ssm.inner_size": 512,
                "{arch}.ssm.state_size": 16,
            },
            tensors=[("token_embd.weight", F32, (256, 32))],
        )
    )
    assert kinds(spec) == "RR"
    assert spec.layers[0].recurrent_state_elements == 3 * 512 + 16 * 512  # no groups: Mamba-1


def test_rwkv_state_is_token_shift_plus_wkv(tmp_path: Path) -> None:
    spec = read_gguf(
        make_gguf(
            tmp_path,
            arch="rwkv6",
            n_heads=0,
            n_kv=0,
            kv={"{arch}.wkv.head_size": 64},
            tensors=[("token_embd.weight", F32, (256, 32))],
        )
    )
    assert kinds(spec) == "RR"
    assert spec.layers[0].recurrent_state_elements == 2 * 256 + 256 * 64


def test_recurrent_layers_without_state_sizes_are_unsupported(tmp_path: Path) -> None:
    path = make_gguf(
        tmp_path, arch="mamba", n_heads=0, n_kv=0, tensors=[("token_embd.weight", F32, (256, 32))]
    )
    with pytest.raises(UnsupportedArchitectureError, match="mamba"):
        read_gguf(path)


def test_multi_token_prediction_layers_store_no_kv(tmp_path: Path) -> None:
    spec = read_gguf(
        make_gguf(tmp_path, arch="glm4moe", n_layers=4, kv={"{arch}.nextn_predict_layers": 1})
    )
    assert kinds(spec) == "FFF-"
    # Loaded, but read per token only under speculative decoding.
    assert spec.weights is not None and spec.weights.unread_bytes == spec.weights.layer_bytes[3]


def test_shared_kv_layers_store_no_kv(tmp_path: Path) -> None:
    spec = read_gguf(
        make_gguf(
            tmp_path,
            arch="gemma3n",
            n_layers=10,
            kv={"{arch}.attention.sliding_window": 512, "{arch}.attention.shared_kv_layers": 3},
        )
    )
    assert kinds(spec) == "SSSSFSS---"
    # Each reads the last cache-owning layer of its type: 7 and 8 slide (layer 6), 9 is
    # global (layer 4).
    assert [layer.kv_source for layer in spec.layers] == [-1] * 7 + [6, 6, 4]


def test_it_reads_non_causal_attention(tmp_path: Path) -> None:
    spec = read_gguf(make_gguf(tmp_path, arch="bert", kv={"{arch}.attention.causal": False}))
    assert spec.causal is False
