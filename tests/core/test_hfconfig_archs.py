"""Hybrid and mixture-of-experts families whose config.json spells things its own way:
Granite 4, ERNIE 4.5 MoE, Falcon-H1, Hunyuan MoE, Kimi Linear, Qwen3-VL's text model and
NVIDIA's NAS-searched Llama derivatives (block_configs).
Each tiny config is written here and sized by hand: weights, KV bytes per token and fixed
state."""

from __future__ import annotations

from typing import Any

import pytest

from runlocal.errors import ModelFileError, UnsupportedArchitectureError
from runlocal.hfconfig import spec_from_config
from runlocal.memory import kv_cache_bytes
from runlocal.runtimes import get_runtime

HF = get_runtime("transformers")  # caches exactly the context it is given
LLAMA = get_runtime("llama.cpp")

# Shared by every config below: 4 query heads of 16 over a width of 64, 2 KV heads, a
# vocabulary of 100, so attention is q, o 2 × 64 × 64 plus k, v 2 × 64 × 32, and each layer
# has two norms of 64.
BASE: dict[str, Any] = {
    "hidden_size": 64,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "vocab_size": 100,
}
ATTENTION = 2 * 64 * 64 + 2 * 64 * 32
NORMS = 2 * 64
EMBEDDINGS = 100 * 64
FINAL_NORM = 64
KV_PER_TOKEN_F16 = 2 * 16 * 2 * 2  # 2 KV heads × 16 × (K + V) × 2 bytes

# Mamba-2 of 4 heads of 32 (inner width 128), state 16, one group, kernel 4: in_proj
# 64 × (128 x + 160 conv channels + 4 dt), out_proj 128 × 64; conv 160 × (4 + bias);
# dt bias, A and D per head; the gated norm of 128.
MAMBA = {
    "mamba_n_heads": 4,
    "mamba_d_head": 32,
    "mamba_d_state": 16,
    "mamba_n_groups": 1,
    "mamba_d_conv": 4,
}
MAMBA_PARAMS = 64 * (128 + 160 + 4) + 128 * 64 + 160 * 5 + 3 * 4
MAMBA_NORM = 128
# Conv state (4 - 1) × 160 plus one 32 × 16 matrix per head, in F32.
MAMBA_STATE_BYTES = ((4 - 1) * 160 + 16 * 128) * 4


def granite(**changes: Any) -> dict[str, Any]:
    return {
        **BASE,
        "model_type": "granitemoehybrid",
        "num_hidden_layers": 2,
        "layer_types": ["mamba", "attention"],
        "intermediate_size": 32,  # each expert
        "shared_intermediate_size": 48,  # the always-on MLP
        "num_local_experts": 4,
        "num_experts_per_tok": 2,
        "position_embedding_type": "nope",
        "tie_word_embeddings": True,
        **MAMBA,
        **changes,
    }


def test_granite_4_hybrid_layers_hold_a_mixer_experts_and_a_shared_mlp() -> None:
    spec = spec_from_config(granite())
    experts = 4 * 3 * 64 * 32
    ffn = experts + 3 * 64 * 48 + 64 * 4 + NORMS  # experts, shared MLP, router, norms
    mamba_layer = MAMBA_PARAMS + MAMBA_NORM + ffn
    attention_layer = ATTENTION + ffn
    assert [layer.kind for layer in spec.layers] == ["recurrent", "full"]
    assert [layer.params for layer in spec.layers] == [mamba_layer, attention_layer]
    assert spec.params_total == mamba_layer + attention_layer + EMBEDDINGS + FINAL_NORM
    assert spec.params_active == spec.params_total - 2 * experts // 2  # 2 of 4 experts run
    assert kv_cache_bytes(spec, 1000, HF, "f16") == 1000 * KV_PER_TOKEN_F16 + MAMBA_STATE_BYTES


def test_granite_4_reads_layers_block_type_as_its_layer_kinds() -> None:
    types = granite()
    listed = granite(layers_block_type=types.pop("layer_types"))
    del listed["layer_types"]
    assert spec_from_config(listed).params_total == spec_from_config(granite()).params_total
    assert spec_from_config(listed).layers_by_kind == {"recurrent": 1, "full": 1}


def test_granite_4_without_experts_runs_only_its_shared_mlp() -> None:
    spec = spec_from_config(
        granite(num_local_experts=0, num_experts_per_tok=0, layer_types=["attention"] * 2)
    )
    layer = ATTENTION + 3 * 64 * 48 + NORMS  # shared_intermediate_size, not intermediate_size
    assert not spec.is_moe
    assert spec.params_total == spec.params_active == 2 * layer + EMBEDDINGS + FINAL_NORM


def test_ernie_4_5_moe_reads_its_expert_keys_and_moe_layer_window() -> None:
    spec = spec_from_config(
        {
            **BASE,
            "model_type": "ernie4_5_moe",
            "num_hidden_layers": 3,
            "intermediate_size": 96,
            "moe_intermediate_size": 16,
            "moe_num_experts": 4,
            "moe_k": 2,
            "moe_num_shared_experts": 2,
            "moe_layer_start_index": 1,
            "moe_layer_end_index": 1,
            "moe_layer_interval": 1,
            "tie_word_embeddings": True,
        }
    )
    dense = ATTENTION + 3 * 64 * 96 + NORMS
    experts = 4 * 3 * 64 * 16
    # Two shared experts make one always-on MLP of 2 × 16; the router scores 4 experts.
    moe = ATTENTION + experts + 3 * 64 * 32 + 64 * 4 + NORMS
    assert [layer.moe for layer in spec.layers] == [False, True, False]
    assert [layer.params for layer in spec.layers] == [dense, moe, dense]
    assert (spec.n_experts, spec.n_experts_used) == (4, 2)
    assert spec.params_total == 2 * dense + moe + EMBEDDINGS + FINAL_NORM
    assert spec.params_active == spec.params_total - experts // 2
    assert kv_cache_bytes(spec, 1000, HF, "f16") == 3 * 1000 * KV_PER_TOKEN_F16


def test_falcon_h1_layers_run_attention_and_mamba_side_by_side() -> None:
    spec = spec_from_config(
        {
            **BASE,
            "model_type": "falcon_h1",
            "num_hidden_layers": 2,
            "head_dim": 16,
            "intermediate_size": 96,
            "mamba_d_ssm": 128,  # no mamba_rms_norm: FalconH1Config's default leaves out the norm
            **MAMBA,
        }
    )
    layer = ATTENTION + MAMBA_PARAMS + 3 * 64 * 96 + NORMS
    assert spec.layers_by_kind == {"full": 2}
    assert [layer.params for layer in spec.layers] == [layer, layer]
    # Mamba-2 mixers keep a state but prefill in chunks: no delta rule.
    assert spec.delta_rule_state_elements == 0
    # The scan's state, 16 x (4 heads x 32), is what GGML_OP_SSM_SCAN reads and rewrites.
    assert spec.ssm_scan_state_elements == 16 * 128
    # Untied: an output head of its own.
    assert spec.params_total == spec.params_active == 2 * layer + 2 * EMBEDDINGS + FINAL_NORM
    # Every layer keeps a KV cache and a Mamba-2 state.
    assert kv_cache_bytes(spec, 1000, HF, "f16") == 2 * (
        1000 * KV_PER_TOKEN_F16 + MAMBA_STATE_BYTES
    )


def hunyuan(**changes: Any) -> dict[str, Any]:
    return {
        **BASE,
        "model_type": "hunyuan_v1_moe",
        "num_hidden_layers": 2,
        "attention_head_dim": 16,
        "intermediate_size": 32,
        "moe_intermediate_size": [32, 32],
        "num_experts": 4,
        "moe_topk": [2, 2],
        "num_shared_expert": [1, 1],
        "use_mixed_mlp_moe": True,
        "use_cla": True,
        "cla_share_factor": 2,
        "tie_word_embeddings": True,
        **changes,
    }


def test_falcon_h1_mixers_have_a_gated_norm_only_with_mamba_rms_norm() -> None:
    config = {
        **BASE,
        "model_type": "falcon_h1",
        "num_hidden_layers": 1,
        "mamba_d_ssm": 128,
        **MAMBA,
    }
    plain = spec_from_config(config).params_total
    assert spec_from_config({**config, "mamba_rms_norm": True}).params_total == plain + 128


def test_hunyuan_reads_per_layer_expert_lists_its_shared_mlp_and_cross_layer_kv() -> None:
    spec = spec_from_config(hunyuan())
    experts = 4 * 3 * 64 * 32
    ffn = experts + 3 * 64 * 32 + 64 * 4 + NORMS  # experts, shared MLP, router, norms
    first = ATTENTION + ffn
    second = 2 * 64 * 64 + ffn  # attends to the first layer's cache: no K or V projection
    assert [layer.kind for layer in spec.layers] == ["full", "none"]
    assert [layer.params for layer in spec.layers] == [first, second]
    assert (spec.n_experts, spec.n_experts_used) == (4, 2)
    assert spec.params_total == first + second + EMBEDDINGS + FINAL_NORM
    assert spec.params_active == spec.params_total - 2 * experts // 2
    assert kv_cache_bytes(spec, 1000, HF, "f16") == 1000 * KV_PER_TOKEN_F16


def test_hunyuan_without_mixed_mlp_has_no_shared_mlp() -> None:
    with_shared = spec_from_config(hunyuan()).params_total
    assert spec_from_config(hunyuan(use_mixed_mlp_moe=False)).params_total == (
        with_shared - 2 * 3 * 64 * 32
    )


def test_it_refuses_expert_counts_that_differ_between_layers() -> None:
    with pytest.raises(UnsupportedArchitectureError, match="moe_topk differs between layers"):
        spec_from_config(hunyuan(moe_topk=[2, 1]))


def test_kimi_linear_interleaves_kda_layers_with_mla_layers() -> None:
    spec = spec_from_config(
        {
            **BASE,
            "model_type": "kimi_linear",
            "num_hidden_layers": 2,
            "intermediate_size": 96,
            "moe_intermediate_size": 16,
            "num_experts": 4,
            "num_experts_per_token": 2,
            "num_shared_experts": 1,
            "first_k_dense_replace": 1,
            "kv_lora_rank": 32,
            "q_lora_rank": None,
            "qk_nope_head_dim": 16,
            "qk_rope_head_dim": 8,
            "v_head_dim": 16,
            "tie_word_embeddings": False,
            "linear_attn_config": {
                "num_heads": 2,
                "head_dim": 8,
                "short_conv_kernel_size": 4,
                "kda_layers": [1],  # counted from 1
                "full_attn_layers": [2],
            },
        }
    )
    # KDA of 2 heads of 8 (width 16): q, k, v, o 4 × 64 × 16; decay and gate low-rank pairs
    # 2 × (64 × 8 + 8 × 16); beta 64 × 2; q, k, v convs 3 × 4 × 16; dt bias 16, A 2, norm 8.
    kda = 4 * 64 * 16 + 2 * (64 * 8 + 8 * 16) + 64 * 2 + 3 * 4 * 16 + 16 + 2 + 8
    first = kda + 3 * 64 * 96 + NORMS  # the dense layer before the experts
    # MLA without a query LoRA: q 64 × 4 × 24, kv_a 64 × (32 + 8), kv_b 32 × 4 × (16 + 16),
    # o 4 × 16 × 64; then 4 experts of 16, one shared expert of 16 and the router.
    mla = 64 * 4 * 24 + 64 * 40 + 32 * 4 * 32 + 4 * 16 * 64
    experts = 4 * 3 * 64 * 16
    second = mla + experts + 3 * 64 * 16 + 64 * 4 + NORMS
    assert [layer.kind for layer in spec.layers] == ["recurrent", "full"]
    assert [layer.params for layer in spec.layers] == [first, second]
    assert spec.params_total == first + second + 2 * EMBEDDINGS + FINAL_NORM
    assert spec.params_active == spec.params_total - experts // 2
    # llama.cpp caches the MLA latent, 32 + 8 elements a token; the KDA layer keeps its conv
    # state (4 - 1) × 3 × 16 and one 8 × 8 matrix per head, in F32.
    state = ((4 - 1) * 3 * 16 + 2 * 8 * 8) * 4
    assert kv_cache_bytes(spec, 1024, LLAMA, "f16") == 1024 * 40 * 2 + state
    # The delta rule rewrites its two 8 x 8 matrices per token.
    assert spec.delta_rule_state_elements == 2 * 8 * 8


def test_an_unknown_model_with_unread_expert_keys_is_refused_not_sized_dense() -> None:
    config = {**BASE, "model_type": "mystery_moe", "num_hidden_layers": 2, "n_expert": 16}
    with pytest.raises(UnsupportedArchitectureError, match="n_expert"):
        spec_from_config(config)
    # One expert is a dense model; the note on the unknown type stays.
    dense = spec_from_config({**config, "n_expert": 1})
    assert "not one the engine knows" in dense.provenance["layout"]


def test_qwen3_vl_moe_text_config_is_sized_as_qwen3_moe() -> None:
    # Qwen3-VL-30B-A3B's text_config (model_type qwen3_vl_moe_text) spells Qwen3-MoE's keys:
    # every layer has 4 experts of width 16 (gate, up, down), top 2, and a router of 64 × 4.
    config = {
        **BASE,
        "model_type": "qwen3_vl_moe_text",
        "num_hidden_layers": 2,
        "intermediate_size": 96,  # unused: no layer is dense
        "moe_intermediate_size": 16,
        "num_experts": 4,
        "num_experts_per_tok": 2,
        "decoder_sparse_step": 1,
        "mlp_only_layers": [],
        "tie_word_embeddings": False,
    }
    spec = spec_from_config(config)
    experts = 4 * 3 * 64 * 16
    layer = ATTENTION + experts + 64 * 4 + NORMS
    assert "not one the engine knows" not in spec.provenance.get("layout", "")
    assert [layer_.moe for layer_ in spec.layers] == [True, True]
    assert [layer_.params for layer_ in spec.layers] == [layer, layer]
    assert (spec.n_experts, spec.n_experts_used) == (4, 2)
    assert spec.params_total == 2 * layer + 2 * EMBEDDINGS + FINAL_NORM
    assert spec.params_active == spec.params_total - 2 * (experts // 2)
    assert kv_cache_bytes(spec, 1000, HF, "f16") == 2 * 1000 * KV_PER_TOKEN_F16


def test_qwen3_vl_dense_text_config_is_sized_as_qwen3() -> None:
    # Qwen3-VL-8B's text_config (model_type qwen3_vl_text): a dense gated MLP of 96.
    spec = spec_from_config(
        {
            **BASE,
            "model_type": "qwen3_vl_text",
            "num_hidden_layers": 2,
            "intermediate_size": 96,
            "tie_word_embeddings": True,
        }
    )
    layer = ATTENTION + 3 * 64 * 96 + NORMS
    assert "not one the engine knows" not in spec.provenance.get("layout", "")
    assert spec.params_total == 2 * layer + EMBEDDINGS + FINAL_NORM
    assert spec.params_active == spec.params_total


def test_nemotron_nas_block_configs_give_each_layer_its_own_attention_and_mlp() -> None:
    # Llama-3.3-Nemotron-Super-49B style (model_type nemotron-nas): no global KV heads or MLP
    # width; each block says its own. Widths are int(2 × ffn_mult × 64 / 3) rounded up to 256
    # (llama.cpp's DeciModel, NVIDIA's modeling_decilm.py).
    config = {
        **BASE,
        "model_type": "nemotron-nas",
        "num_hidden_layers": 4,
        "num_key_value_heads": None,
        "intermediate_size": None,
        "tie_word_embeddings": False,
        "block_configs": [
            # GQA with 4 // 2 = 2 KV heads; ffn_mult 1.0 → int(42.67) = 42 → 256.
            {"attention": {"n_heads_in_group": 2}, "ffn": {"ffn_mult": 1.0}},
            # No attention; ffn_mult 9.0 → 384 → 512.
            {"attention": {"no_op": True}, "ffn": {"ffn_mult": 9.0}},
            # Attention and MLP each replaced by one 64 × 64 linear, no KV cache.
            {
                "attention": {"n_heads_in_group": None, "replace_with_linear": True},
                "ffn": {"ffn_mult": None, "replace_with_linear": True},
            },
            # One KV head (4 // 4), no MLP.
            {"attention": {"n_heads_in_group": 4}, "ffn": {"no_op": True}},
        ],
    }
    spec = spec_from_config(config)
    layers = [
        2 * 64 * 64 + 2 * 64 * 32 + 3 * 64 * 256 + 2 * 64,  # 61,568
        3 * 64 * 512 + 64,  # 98,368
        64 * 64 + 64 * 64 + 2 * 64,  # 8,320
        2 * 64 * 64 + 2 * 64 * 16 + 64,  # 10,304
    ]
    assert "not one the engine knows" not in spec.provenance.get("layout", "")
    assert [layer.params for layer in spec.layers] == layers
    assert [layer.kind for layer in spec.layers] == ["full", "none", "none", "full"]
    assert [layer.n_kv_heads for layer in spec.layers] == [2, 0, 0, 1]
    assert spec.params_total == sum(layers) + 2 * EMBEDDINGS + FINAL_NORM == 191_424
    # KV only in layers 0 and 3: (2 + 1) KV heads × 16 × (K + V) × 2 bytes = 192 per token.
    assert kv_cache_bytes(spec, 1000, HF, "f16") == 1000 * 192


def test_nemotron_nas_block_configs_must_match_the_layer_count_and_divide_the_heads() -> None:
    config = {
        **BASE,
        "model_type": "nemotron-nas",
        "num_hidden_layers": 2,
        "block_configs": [{"attention": {"n_heads_in_group": 2}, "ffn": {"ffn_mult": 1.0}}],
    }
    with pytest.raises(ModelFileError, match="has 1 blocks"):
        spec_from_config(config)
    config["block_configs"] = [
        {"attention": {"n_heads_in_group": 3}, "ffn": {"ffn_mult": 1.0}},
        {"attention": {"no_op": True}, "ffn": {"ffn_mult": 1.0}},
    ]
    with pytest.raises(ModelFileError, match="does not divide"):
        spec_from_config(config)
