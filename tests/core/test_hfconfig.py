from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runlocal.errors import ModelFileError, RunlocalError, UnsupportedArchitectureError
from runlocal.hfconfig import load_config, spec_from_config

from .factories import DEEPSEEK_V2_LITE, GEMMA_2_9B, LLAMA_3_1_8B, MIXTRAL_8X7B, gemma_4_like


def test_it_counts_llama_3_1_8b_parameters() -> None:
    spec = spec_from_config(LLAMA_3_1_8B)
    assert spec.params_total == 8_030_261_248
    assert spec.params_active == spec.params_total
    assert spec.n_layers == 32 and not spec.tied_embeddings


def test_it_separates_total_and_active_parameters_for_moe() -> None:
    spec = spec_from_config(MIXTRAL_8X7B)
    assert 46.5e9 < spec.params_total < 46.9e9
    assert 12.7e9 < spec.params_active < 13.0e9
    assert spec.n_experts == 8 and spec.n_experts_used == 2


def test_it_keeps_leading_dense_layers_of_deepseek() -> None:
    spec = spec_from_config(DEEPSEEK_V2_LITE)
    assert not spec.layers[0].moe and spec.layers[1].moe


def test_it_uses_explicit_head_dim() -> None:
    spec = spec_from_config(GEMMA_2_9B)
    assert spec.layers[0].head_dim_k == 256  # not 3584 / 16 = 224
    assert spec.tied_embeddings


def test_it_reads_layer_types_for_hybrid_models() -> None:
    cfg = dict(
        LLAMA_3_1_8B,
        num_hidden_layers=4,
        layer_types=["linear_attention", "linear_attention", "linear_attention", "full_attention"],
        linear_num_value_heads=32,
        linear_num_key_heads=16,
        linear_key_head_dim=128,
        linear_value_head_dim=128,
        linear_conv_kernel_dim=4,
    )
    spec = spec_from_config(cfg)
    assert [layer.kind for layer in spec.layers] == ["recurrent"] * 3 + ["full"]
    assert spec.layers[0].recurrent_state_elements == 3 * (2 * 16 * 128 + 32 * 128) + 32 * 128 * 128
    # Of that state, the delta rule rewrites one 128 x 128 matrix per value head each token.
    assert spec.delta_rule_state_elements == 32 * 128 * 128
    # Attention-only models and Mamba-2 mixers have no delta-rule state.
    assert spec_from_config(LLAMA_3_1_8B).delta_rule_state_elements == 0
    # A gated delta net runs GATED_DELTA_NET, not the Mamba scan; attention-only models neither.
    assert spec.ssm_scan_state_elements == 0
    assert spec_from_config(LLAMA_3_1_8B).ssm_scan_state_elements == 0


def test_it_lifts_text_config_of_multimodal_models() -> None:
    cfg = {
        "model_type": "llava",
        "text_config": LLAMA_3_1_8B,
        "vision_config": {"hidden_size": 1024},
    }
    assert spec_from_config(cfg).n_layers == 32


def test_it_says_when_it_does_not_know_a_model_type() -> None:
    spec = spec_from_config(dict(LLAMA_3_1_8B, model_type="brand_new"))
    assert "brand_new" in spec.provenance["layout"]


def test_it_refuses_architectures_it_cannot_size() -> None:
    with pytest.raises(UnsupportedArchitectureError, match="mamba"):
        spec_from_config({"model_type": "mamba", "hidden_size": 768})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"num_hidden_layers": None}, "num_hidden_layers: missing"),
        ({"num_hidden_layers": -1}, "out of range"),
        ({"hidden_size": "big"}, "expected an integer"),
        ({"num_key_value_heads": 64}, "exceeds"),
        ({"num_local_experts": 8, "num_experts_per_tok": 9}, "exceeds"),
        ({"layer_types": ["full_attention"]}, "expected 32 entries"),
    ],
)
def test_it_names_the_bad_key(change: dict[str, Any], message: str) -> None:
    cfg = {k: v for k, v in {**LLAMA_3_1_8B, **change}.items() if v is not None}
    with pytest.raises(ModelFileError, match=message):
        spec_from_config(cfg)


def test_it_reports_unreadable_files(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelFileError, match="not valid JSON"):
        load_config(tmp_path)
    with pytest.raises(ModelFileError, match="no such file"):
        load_config(tmp_path / "missing.json")
    (tmp_path / "list.json").write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(ModelFileError, match="JSON object"):
        load_config(tmp_path / "list.json")


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=True)
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            sorted(LLAMA_3_1_8B)
            + sorted(DEEPSEEK_V2_LITE)
            + [
                "layer_types",
                "sliding_window",
                "sliding_window_pattern",
                "text_config",
                "num_kv_shared_layers",
                "full_attention_interval",
                "linear_num_value_heads",
                "conv_L_cache",
                "mamba_d_state",
            ]
        ),
        json_values,
    )
)
def test_it_never_crashes_on_hostile_configs(overrides: dict[str, Any]) -> None:
    cfg = {**LLAMA_3_1_8B, **overrides}
    with contextlib.suppress(RunlocalError):
        spec_from_config(cfg)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_it_never_crashes_on_random_files(
    tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    path = tmp_path_factory.mktemp("cfg") / "config.json"
    path.write_bytes(data)
    with contextlib.suppress(RunlocalError):
        spec_from_config(load_config(path))


def test_it_round_trips_a_written_config(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(json.dumps(LLAMA_3_1_8B), encoding="utf-8")
    assert spec_from_config(load_config(tmp_path)).params_total == 8_030_261_248


# A Nemotron-H stack in miniature: one block of each letter (transformers' NemotronHConfig:
# M Mamba-2, * attention, - MLP, E experts), hidden 64.
TINY_NEMOTRON_H: dict[str, Any] = {
    "model_type": "nemotron_h",
    "hidden_size": 64,
    "num_hidden_layers": 4,
    "hybrid_override_pattern": "M*-E",
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "head_dim": 16,
    "mamba_num_heads": 4,
    "mamba_head_dim": 16,
    "ssm_state_size": 8,
    "n_groups": 2,
    "conv_kernel": 4,
    "intermediate_size": 96,
    "n_routed_experts": 4,
    "num_experts_per_tok": 2,
    "moe_intermediate_size": 32,
    "moe_shared_expert_intermediate_size": 48,
    "mlp_hidden_act": "relu2",
    "vocab_size": 100,
    "tie_word_embeddings": False,
}


def test_nemotron_h_blocks_hold_one_mixer_or_one_feed_forward_each() -> None:
    spec = spec_from_config(TINY_NEMOTRON_H)
    assert [layer.kind for layer in spec.layers] == ["recurrent", "full", "none", "none"]
    assert [layer.n_kv_heads for layer in spec.layers] == [0, 2, 0, 0]
    assert [layer.moe for layer in spec.layers] == [False, False, False, True]
    # Mamba-2 state: the convolution's last 3 inputs of x, B and C (64 + 2 groups x 8) and
    # one 16 x 8 state per head (4 heads): 3 x 96 + 8 x 64.
    assert spec.layers[0].recurrent_state_elements == 3 * 96 + 8 * 64
    assert spec.layers[1].recurrent_state_elements == 0
    mamba = 64 * (64 + 96 + 4) + 64 * 64 + 96 * 5 + 3 * 4 + 64 + 64  # in/out, conv, dt/A/D, norms
    attention = 64 * 64 * 2 + 64 * 32 * 2 + 64  # q, o, k, v, norm
    mlp = 2 * 64 * 96 + 64  # up and down (squared ReLU, no gate), norm
    experts = 4 * 2 * 64 * 32  # four ungated experts
    moe = experts + 2 * 64 * 48 + 4 * 64 + 4 + 64  # shared expert, router and its bias, norm
    assert [layer.params for layer in spec.layers] == [mamba, attention, mlp, moe]
    embeddings = 100 * 64 + 100 * 64 + 64  # untied input and output, final norm
    assert spec.params_total == mamba + attention + mlp + moe + embeddings
    assert spec.params_active == spec.params_total - experts // 2  # two of four experts idle


def test_nemotron_h_latent_experts_work_in_the_latent_width() -> None:
    spec = spec_from_config({**TINY_NEMOTRON_H, "moe_latent_size": 16})
    moe = spec.layers[3]
    assert moe.params_experts == 4 * 2 * 16 * 32
    # The latent down- and up-projections run for every token, as the shared expert does.
    assert moe.params_ffn + moe.params_ffn_down == 2 * 64 * 48 + 2 * 64 * 16
    assert spec.params_total - spec.params_active == 4 * 2 * 16 * 32 // 2


def test_nemotron_h_reads_the_block_list_as_the_pattern() -> None:
    listed = {k: v for k, v in TINY_NEMOTRON_H.items() if k not in ("hybrid_override_pattern",)} | {
        "layers_block_type": ["mamba", "attention", "mlp", "moe"]
    }
    renamed = {k: v for k, v in listed.items() if k != "layers_block_type"} | {
        "layer_types": ["linear_attention", "full_attention", "mlp", "moe"]
    }
    expected = spec_from_config(TINY_NEMOTRON_H)
    for config in (listed, renamed):
        spec = spec_from_config(config)
        assert spec.layers == expected.layers and spec.params_total == expected.params_total


def test_nemotron_h_multi_token_prediction_layers_are_not_counted() -> None:
    with_mtp = {
        **TINY_NEMOTRON_H,
        "num_nextn_predict_layers": 1,
        "mtp_hybrid_override_pattern": "*E",
    }
    assert spec_from_config(with_mtp).params_total == spec_from_config(TINY_NEMOTRON_H).params_total


def test_nemotron_h_refuses_what_it_cannot_size_in_one_line() -> None:
    with pytest.raises(UnsupportedArchitectureError, match="'Q'"):
        spec_from_config({**TINY_NEMOTRON_H, "hybrid_override_pattern": "M*-Q"})
    with pytest.raises(ModelFileError, match="5 layers, num_hidden_layers says 4"):
        spec_from_config({**TINY_NEMOTRON_H, "hybrid_override_pattern": "M*-EE"})
    without_state = {k: v for k, v in TINY_NEMOTRON_H.items() if k != "ssm_state_size"}
    with pytest.raises(ModelFileError, match="mamba_d_state: missing"):
        spec_from_config(without_state)


def test_gated_attention_widens_the_query_projection_by_the_gate() -> None:
    # Qwen3-Next / Qwen3.5: q_proj yields the queries and a per-head output gate.
    hybrid = dict(
        LLAMA_3_1_8B,
        model_type="qwen3_5_text",
        num_hidden_layers=4,
        full_attention_interval=4,
        linear_num_value_heads=32,
        linear_num_key_heads=16,
        linear_key_head_dim=128,
        linear_value_head_dim=128,
    )
    gated = spec_from_config(hybrid)
    ungated = spec_from_config({**hybrid, "attn_output_gate": False})
    assert gated.layers[3].params_attn - ungated.layers[3].params_attn == 4096 * 32 * 128
    assert gated.layers[0].params == ungated.layers[0].params  # the DeltaNet layers are alike
    assert spec_from_config({**hybrid, "model_type": "llama"}).params_total == (
        ungated.params_total
    )


def test_an_ngram_embedding_table_is_looked_up_not_multiplied() -> None:
    # Qwen3.8-Flash-Next (qwen4_exp): an n-gram table of ngram_vocab_size_base rows, rounded up
    # to make_ngram_vocab_size_divisible_by, of ple_embed_dim on each of the ple_layer_ids.
    config = dict(
        LLAMA_3_1_8B,
        model_type="qwen4_exp_text",
        num_hidden_layers=4,
        layer_types=["linear_attention"] * 3 + ["qwen_sparse_attention"],
        linear_num_value_heads=32,
        linear_num_key_heads=16,
        linear_key_head_dim=128,
        linear_value_head_dim=128,
        ngram_vocab_size_base=1000,
        make_ngram_vocab_size_divisible_by=128,
        ple_embed_dim=64,
        ple_layer_ids=[2],
    )
    spec = spec_from_config(config)
    assert [layer.kind for layer in spec.layers] == ["recurrent"] * 3 + ["full"]
    assert spec.params_per_layer_input == 1024 * 64  # 1000 rows rounded up to 1024
    without = spec_from_config({k: v for k, v in config.items() if k != "ngram_vocab_size_base"})
    assert spec.params_total - without.params_total == 1024 * 64
    assert spec.params_matmul_active == without.params_matmul_active  # never multiplied
    # Its sparse-attention layer is gated like Qwen3.5's: q_proj carries the output gate.
    assert spec.layers[3].params_attn == 4096 * 32 * 128 * 3 + 4096 * 8 * 128


def test_gemma_4_global_layers_cache_k_and_v_but_have_no_v_projection() -> None:
    # attention_k_eq_v: the global layers' V is the K projection under its own scale-free norm
    # and without RoPE, so runtimes cache both (llama.cpp gemma4-iswa.cpp, transformers).
    local, glob = spec_from_config(gemma_4_like()).layers
    assert (local.n_kv_heads, local.head_dim_k, local.head_dim_v) == (2, 16, 16)
    assert (glob.n_kv_heads, glob.head_dim_k, glob.head_dim_v) == (1, 32, 32)
    assert local.params_attn_v == 64 * 2 * 16
    assert glob.params_attn_v == 0  # no v_proj: the K projection serves both
    assert glob.params_attn == 64 * 4 * 32 * 2 + 64 * 1 * 32


def test_gemma_4_global_head_size_applies_without_a_global_kv_head_count() -> None:
    # Gemma 4 E2B/E4B: global_head_dim is set but num_global_key_value_heads is null and
    # attention_k_eq_v is false. transformers' Gemma4TextAttention still gives the
    # full-attention layers global_head_dim, with num_key_value_heads heads and a v_proj.
    from runlocal.memory import attention_flops, kv_cache_bytes
    from runlocal.memory.kv import kv_bytes_per_token
    from runlocal.runtimes import get_runtime

    config = gemma_4_like(num_global_key_value_heads=None, attention_k_eq_v=False)
    local, glob = spec_from_config(config).layers
    assert (local.n_kv_heads, local.head_dim_k, local.head_dim_v) == (2, 16, 16)
    assert (glob.n_kv_heads, glob.head_dim_k, glob.head_dim_v) == (2, 32, 32)
    # q and o: 64 × 4 heads × 32 each; k and v: 64 × 2 heads × 32 each.
    assert glob.params_attn == 64 * 4 * 32 * 2 + 64 * 2 * 32
    assert glob.params_attn_v == 64 * 2 * 32
    spec = spec_from_config(config)
    hf = get_runtime("transformers")
    # f16 KV per token: global 2 heads × (32 + 32) × 2 bytes = 256; sliding 2 × (16 + 16) × 2
    # = 128, capped at the window of 8 tokens.
    assert kv_bytes_per_token(spec, hf, "f16") == 256
    assert kv_cache_bytes(spec, 1000, hf, "f16") == 256 * 1000 + 128 * 8
    # Decoding at depth 100 in the global layer: 2 FLOPs × 4 query heads × (32 + 32) × 100.
    assert attention_flops(spec, hf, 100, 1, 2, True) == 2 * 4 * (32 + 32) * 100
    # Without global_head_dim the global layer keeps head_dim.
    plain = spec_from_config({k: v for k, v in config.items() if k != "global_head_dim"})
    assert plain.layers[1].head_dim_k == 16
