"""read_gguf against tiny GGUF files written with the gguf package's own writer.

Exact bytes are checked against gguf.GGUFReader on the same file; layer layouts against the
rules llama.cpp applies when it loads the same metadata.
"""

from __future__ import annotations

import dataclasses
import shutil
import struct
import tempfile
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from gguf import GGMLQuantizationType, GGUFEndian, GGUFReader, GGUFValueType, GGUFWriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runlocal.errors import ModelFileError, UnsupportedArchitectureError
from runlocal.gguf import read_gguf
from runlocal.gguf_header import FileAccess
from runlocal.quant import GGML_TYPES
from runlocal.spec import MLASpec, ModelSpec

Q4_K = GGMLQuantizationType.Q4_K
Q6_K = GGMLQuantizationType.Q6_K
Q8_0 = GGMLQuantizationType.Q8_0
F32 = GGMLQuantizationType.F32
F16 = GGMLQuantizationType.F16
MXFP4 = GGMLQuantizationType.MXFP4

# (name, ggml type, shape in ggml order: ne0 first)
TensorDef = tuple[str, GGMLQuantizationType, Sequence[int]]


def dense_tensors(
    n_layers: int = 2,
    hidden: int = 256,
    n_heads: int = 4,
    n_kv: int = 2,
    ff: int = 512,
    vocab: int = 32,
    *,
    tied: bool = False,
) -> list[TensorDef]:
    head = hidden // n_heads
    out: list[TensorDef] = [("token_embd.weight", Q4_K, (hidden, vocab))]
    for i in range(n_layers):
        out += [
            (f"blk.{i}.attn_norm.weight", F32, (hidden,)),
            (f"blk.{i}.attn_q.weight", Q4_K, (hidden, n_heads * head)),
            (f"blk.{i}.attn_k.weight", Q4_K, (hidden, n_kv * head)),
            (f"blk.{i}.attn_v.weight", Q6_K, (hidden, n_kv * head)),
            (f"blk.{i}.attn_output.weight", Q4_K, (n_heads * head, hidden)),
            (f"blk.{i}.ffn_norm.weight", F32, (hidden,)),
            (f"blk.{i}.ffn_gate.weight", Q4_K, (hidden, ff)),
            (f"blk.{i}.ffn_up.weight", Q4_K, (hidden, ff)),
            (f"blk.{i}.ffn_down.weight", Q6_K, (ff, hidden)),
        ]
    out.append(("output_norm.weight", F32, (hidden,)))
    if not tied:
        out.append(("output.weight", Q6_K, (hidden, vocab)))
    return out


def _add_value(w: GGUFWriter, key: str, value: Any) -> None:
    if isinstance(value, bool):
        w.add_bool(key, value)
    elif isinstance(value, int):
        w.add_uint32(key, value)
    elif isinstance(value, float):
        w.add_float32(key, value)
    elif isinstance(value, str):
        w.add_string(key, value)
    elif isinstance(value, list) and value and isinstance(value[0], bool):
        w.add_key_value(key, value, GGUFValueType.ARRAY, sub_type=GGUFValueType.BOOL)
    elif isinstance(value, list):
        w.add_key_value(key, value, GGUFValueType.ARRAY, sub_type=GGUFValueType.UINT32)
    else:  # pragma: no cover - test helper misuse
        raise TypeError(value)


def make_gguf(
    tmp_path: Path,
    arch: str = "llama",
    n_layers: int = 2,
    *,
    hidden: int = 256,
    n_heads: int | list[int] = 4,
    n_kv: int | list[int] | None = 2,
    ff: int | list[int] = 512,
    context: int = 4096,
    vocab: int = 32,
    file_type: int | None = 15,
    name: str | None = "Tiny Test Model",
    kv: dict[str, Any] | None = None,
    tensors: list[TensorDef] | None = None,
    filename: str = "model.gguf",
    endianess: GGUFEndian = GGUFEndian.LITTLE,
    split_max_tensors: int = 0,
) -> Path:
    """Write a tiny GGUF; kv keys may use {arch}. Tensors hold zeros of the exact size."""
    path = tmp_path / filename
    w = GGUFWriter(path, arch, endianess=endianess, split_max_tensors=split_max_tensors)
    if name is not None:
        w.add_name(name)
    w.add_block_count(n_layers)
    w.add_context_length(context)
    w.add_embedding_length(hidden)
    w.add_feed_forward_length(ff)
    w.add_head_count(n_heads)
    if n_kv is not None:
        w.add_head_count_kv(n_kv)
    if file_type is not None:
        w.add_file_type(file_type)
    w.add_token_list([f"t{i}" for i in range(vocab)])
    w.add_token_types([1] * vocab)
    for key, value in (kv or {}).items():
        _add_value(w, key.format(arch=arch), value)
    if tensors is None:
        heads0 = n_heads if isinstance(n_heads, int) else n_heads[0]
        kv0 = n_kv if isinstance(n_kv, int) else heads0
        ff0 = ff if isinstance(ff, int) else max(ff)
        tensors = dense_tensors(n_layers, hidden, heads0, kv0, ff0, vocab)
    for tname, qtype, ne in tensors:
        gt = GGML_TYPES[qtype.name]
        rows = int(np.prod(ne[1:])) if len(ne) > 1 else 1
        byte_shape = (*reversed(ne[1:]), ne[0] // gt.block_size * gt.type_size)
        w.add_tensor(tname, np.zeros(byte_shape, dtype=np.uint8), raw_dtype=qtype)
        assert rows * byte_shape[-1] == int(np.prod(byte_shape))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path


def same(a: ModelSpec, b: ModelSpec) -> bool:
    """ModelSpec compares by identity; compare its fields."""
    return dataclasses.astuple(a) == dataclasses.astuple(b)


def reference(path: Path) -> tuple[int, int, dict[str, int]]:
    """(total bytes, total elements, bytes by tensor name) from gguf.GGUFReader."""
    reader = GGUFReader(path)
    by_name = {t.name: int(t.n_bytes) for t in reader.tensors}
    return sum(by_name.values()), sum(int(t.n_elements) for t in reader.tensors), by_name


# --------------------------------------------------------------------------------------------
# Exact weights


def test_it_reads_exact_tensor_bytes(tmp_path: Path) -> None:
    path = make_gguf(tmp_path)
    spec = read_gguf(path)
    total, elements, by_name = reference(path)
    assert spec.weights is not None
    assert spec.weights.exact
    assert spec.weights.source == "GGUF header"
    assert spec.weights.total_bytes == total
    assert spec.params_total == elements
    assert spec.params_active == elements
    assert spec.weights.input_bytes == by_name["token_embd.weight"]
    assert spec.weights.output_bytes == by_name["output.weight"] + by_name["output_norm.weight"]
    for i in range(2):
        assert spec.weights.layer_bytes[i] == sum(
            b for n, b in by_name.items() if n.startswith(f"blk.{i}.")
        )
    assert spec.weights.layer_expert_bytes == (0, 0)
    assert spec.weights.other_bytes == 0


def test_it_reads_the_llama_architecture(tmp_path: Path) -> None:
    spec = read_gguf(make_gguf(tmp_path, context=8192, vocab=48))
    assert spec.name == "Tiny Test Model"
    assert spec.architecture == "llama"
    assert (spec.hidden_size, spec.n_heads, spec.n_layers) == (256, 4, 2)
    assert spec.vocab_size == 48
    assert spec.max_context == 8192
    assert spec.intermediate_size == 512
    assert spec.tied_embeddings is False
    assert spec.causal is True
    assert spec.mla is None
    assert spec.sliding_window is None
    assert spec.provenance == {"architecture": "GGUF header", "weights": "GGUF header"}
    for layer in spec.layers:
        assert (layer.kind, layer.n_kv_heads, layer.head_dim_k, layer.head_dim_v) == (
            "full",
            2,
            64,
            64,
        )
    assert spec.params_input == 256 * 48
    assert spec.params_output == 256 * 48 + 256


def test_it_splits_layer_parameters_by_role(tmp_path: Path) -> None:
    spec = read_gguf(make_gguf(tmp_path))
    layer = spec.layers[0]
    assert layer.params_attn_v == 256 * 128
    assert layer.params_attn == 256 * 256 * 2 + 256 * 128
    assert layer.params_ffn == 2 * 256 * 512
    assert layer.params_ffn_down == 512 * 256
    assert layer.params_other == 2 * 256
    assert spec.params_total == spec.params_input + spec.params_output + sum(
        x.params for x in spec.layers
    )


def test_it_detects_tied_embeddings(tmp_path: Path) -> None:
    path = make_gguf(tmp_path, tensors=dense_tensors(tied=True))
    spec = read_gguf(path)
    _, _, by_name = reference(path)
    assert spec.tied_embeddings is True
    assert spec.weights is not None
    assert spec.weights.output_bytes == by_name["output_norm.weight"]
    assert spec.params_output == 256


@pytest.mark.parametrize(
    ("file_type", "label"), [(15, "Q4_K_M"), (38, "MXFP4_MOE"), (7, "Q8_0"), (0, "F32")]
)
def test_it_labels_the_quant_from_the_file_type(tmp_path: Path, file_type: int, label: str) -> None:
    spec = read_gguf(make_gguf(tmp_path, file_type=file_type))
    assert spec.weights is not None
    assert spec.weights.quant == label


def test_without_a_file_type_the_label_is_the_largest_weight_type(tmp_path: Path) -> None:
    tensors: list[TensorDef] = [
        ("token_embd.weight", Q8_0, (256, 32)),
        ("blk.0.attn_q.weight", Q8_0, (256, 256)),
        ("blk.0.attn_norm.weight", F32, (256,)),
        ("blk.1.attn_q.weight", Q4_K, (256, 256)),
    ]
    spec = read_gguf(make_gguf(tmp_path, file_type=None, tensors=tensors))
    assert spec.weights is not None
    assert spec.weights.quant == "Q8_0"


def test_without_a_name_it_uses_the_file_stem(tmp_path: Path) -> None:
    spec = read_gguf(make_gguf(tmp_path, name=None, filename="My-Model-Q4_K_M.gguf"))
    assert spec.name == "My-Model-Q4_K_M"


def test_it_takes_the_vocab_size_key_over_the_token_count(tmp_path: Path) -> None:
    spec = read_gguf(make_gguf(tmp_path, kv={"{arch}.vocab_size": 1000}))
    assert spec.vocab_size == 1000


def test_it_reads_headers_larger_than_one_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = make_gguf(tmp_path, vocab=5000)
    expected = read_gguf(path)
    monkeypatch.setattr(FileAccess, "first_read", 16)
    assert same(read_gguf(path), expected)
    assert expected.vocab_size == 5000


def test_it_reads_big_endian_files(tmp_path: Path) -> None:
    little = read_gguf(make_gguf(tmp_path, filename="le.gguf"))
    big_path = make_gguf(tmp_path, filename="be.gguf", endianess=GGUFEndian.BIG)
    big = read_gguf(big_path)
    assert big.weights is not None
    assert big.weights.total_bytes == reference(big_path)[0]
    assert same(big, little)


# --------------------------------------------------------------------------------------------
# Mixture of experts


def moe_tensors(n_layers: int, n_experts: int, *, dense_lead: int = 0) -> list[TensorDef]:
    hidden, ff_exp = 256, 256
    out: list[TensorDef] = [("token_embd.weight", Q4_K, (hidden, 32))]
    for i in range(n_layers):
        out += [
            (f"blk.{i}.attn_norm.weight", F32, (hidden,)),
            (f"blk.{i}.attn_q.weight", Q4_K, (hidden, hidden)),
            (f"blk.{i}.attn_k.weight", Q4_K, (hidden, 128)),
            (f"blk.{i}.attn_v.weight", Q6_K, (hidden, 128)),
            (f"blk.{i}.attn_output.weight", Q4_K, (hidden, hidden)),
            (f"blk.{i}.ffn_norm.weight", F32, (hidden,)),
        ]
        if i < dense_lead:
            out += [
                (f"blk.{i}.ffn_gate.weight", Q4_K, (hidden, 512)),
                (f"blk.{i}.ffn_up.weight", Q4_K, (hidden, 512)),
                (f"blk.{i}.ffn_down.weight", Q6_K, (512, hidden)),
            ]
        else:
            out += [
                (f"blk.{i}.ffn_gate_inp.weight", F32, (hidden, n_experts)),
                (f"blk.{i}.ffn_gate_exps.weight", MXFP4, (hidden, ff_exp, n_experts)),
                (f"blk.{i}.ffn_up_exps.weight", MXFP4, (hidden, ff_exp, n_experts)),
                (f"blk.{i}.ffn_down_exps.weight", Q8_0, (ff_exp, hidden, n_experts)),
            ]
    out += [("output_norm.weight", F32, (hidden,)), ("output.weight", Q6_K, (hidden, 32))]
    return out


def test_it_separates_routed_expert_bytes(tmp_path: Path) -> None:
    path = make_gguf(
        tmp_path,
        arch="qwen3moe",
        n_layers=3,
        file_type=38,
        kv={"{arch}.expert_count": 8, "{arch}.expert_used_count": 2},
        tensors=moe_tensors(3, 8, dense_lead=1),
    )
    spec = read_gguf(path)
    total, elements, by_name = reference(path)
    assert spec.weights is not None
    assert spec.weights.total_bytes == total
    assert spec.is_moe
    assert (spec.n_experts, spec.n_experts_used) == (8, 2)
    assert [layer.moe for layer in spec.layers] == [False, True, True]
    assert spec.weights.layer_expert_bytes[0] == 0
    for i in (1, 2):
        assert spec.weights.layer_expert_bytes[i] == sum(
            b for n, b in by_name.items() if n.startswith(f"blk.{i}.") and "_exps" in n
        )
    expert_elements = 2 * 3 * 256 * 256 * 8
    assert sum(layer.params_experts for layer in spec.layers) == expert_elements
    assert spec.params_total == elements
    assert spec.params_active == elements - expert_elements * 6 // 8
    assert spec.layers[1].params_other == 2 * 256 + 256 * 8  # norms and the router


# --------------------------------------------------------------------------------------------
# Sliding-window attention


def kinds(spec: ModelSpec) -> str:
    return "".join(
        {"full": "F", "swa": "S", "recurrent": "R", "none": "-"}[x.kind] for x in spec.layers
    )


def test_gemma2_alternates_sliding_and_full_layers(tmp_path: Path) -> None:
    spec = read_gguf(
        make_gguf(tmp_path, arch="gemma2", n_layers=6, kv={"{arch}.attention.sliding_window": 4096})
    )
    assert kinds(spec) == "SFSFSF"  # llama.cpp set_swa_pattern(2): layer 0 slides
    assert spec.sliding_window == 4096


def test_gemma2_without_a_window_key_uses_llama_cpps_default(tmp_path: Path) -> None:
    spec = read_gguf(make_gguf(tmp_path, arch="gemma2", n_layers=4))
    assert kinds(spec) == "SFSF"
    assert spec.sliding_window == 4096


def test_gemma3_has_five_sliding_layers_then_one_full(tmp_path: Path) -> None:
    spec = read_gguf(
        make_gguf(tmp_path, arch="gemma3", n_layers=12, kv={"{arch}.attention.sliding_window": 512})
    )
    assert kinds(spec) == "SSSSSFSSSSSF"
    assert spec.sliding_window == 512


def test_gemma3_without_a_window_is_all_full_attention(tmp_path: Path) -> None:
    spec = read_gguf(make_gguf(tmp_path, arch="gemma3", n_layers=6))
    assert kinds(spec) == "FFFFFF"
    assert spec.sliding_window is None


@pytest.mark.parametrize(("arch", "expected"), [("cohere2", "SSSFSSSF"), ("gpt-oss", "SFSFSFSF")])
def test_it_applies_llama_cpps_pattern_for_arch(tmp_path: Path, arch: str, expected: str) -> None:
    spec = read_gguf(
        make_gguf(tmp_path, arch=arch, n_layers=8, kv={"{arch}.attention.sliding_window": 128})
    )
    assert kinds(spec) == expected


def test_llama4_uses_chunked_attention_on_three_of_four_layers(tmp_path: Path) -> None:
    spec = read_gguf(make_gguf(tmp_path, arch="llama4", n_layers=8))
    assert kinds(spec) == "SSSFSSSF"
    assert spec.sliding_window == 8192


def test_smallthinker_keeps_its_first_layer_of_each_four_dense(tmp_path: Path) -> None:
    spec = read_gguf(
        make_gguf(
            tmp_path, arch="smallthinker", n_layers=8, kv={"{arch}.attention.sliding_window": 2048}
        )
    )
    assert kinds(spec) == "FSSSFSSS"  # set_swa_pattern(4, dense_first=true)
    assert spec.sliding_window == 4096


def test_a_per_layer_pattern_array_wins_and_swa_layers_get_their_head_size(tmp_path: Path) -> None:
    pattern = [True, True, False, True, False]
    spec = read_gguf(
        make_gguf(
            tmp_path,
            arch="gemma4",
            n_layers=5,
            kv={
                "{arch}.attention.sliding_window": 1024,
                "{arch}.attention.sliding_window_pattern": pattern,
                "{arch}.attention.key_length": 128,
                "{arch}.attention.value_length": 128,
                "{arch}.attention.key_length_swa": 32,
                "{arch}.attention.value_length_swa": 32,
            },
        )
    )
    assert kinds(spec) == "SSFSF"
    assert [x.head_dim_k for x in spec.layers] == [32, 32, 128, 32, 128]
    assert spec.sliding_window == 1024


def test_a_scalar_pattern_sets_the_period(tmp_path: Path) -> None:
    spec = read_gguf(
        make_gguf(
            tmp_path,
            arch="afmoe",
            n_layers=6,
            kv={
                "{arch}.attention.sliding_window": 256,
                "{arch}.attention.sliding_window_pattern": 3,
            },
        )
    )
    assert kinds(spec) == "SSFSSF"


@pytest.mark.parametrize("arch", ["llama", "qwen2", "phi3"])
def test_a_sliding_window_key_that_llama_cpp_ignores_stays_full(tmp_path: Path, arch: str) -> None:
    spec = read_gguf(
        make_gguf(tmp_path, arch=arch, n_layers=3, kv={"{arch}.attention.sliding_window": 4096})
    )
    assert kinds(spec) == "FFF"
    assert spec.sliding_window is None


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


def test_it_reads_non_causal_attention(tmp_path: Path) -> None:
    spec = read_gguf(make_gguf(tmp_path, arch="bert", kv={"{arch}.attention.causal": False}))
    assert spec.causal is False


# --------------------------------------------------------------------------------------------
# Split models


def test_it_reads_all_shards_of_a_split_model(tmp_path: Path) -> None:
    make_gguf(tmp_path, filename="big.gguf", split_max_tensors=8)
    shards = sorted(tmp_path.glob("big-*-of-*.gguf"))
    assert len(shards) > 2
    total = sum(reference(p)[0] for p in shards)
    first = read_gguf(shards[0])
    assert first.weights is not None
    assert first.weights.total_bytes == total
    assert same(read_gguf(shards[-1]), first)
    assert first.name == "Tiny Test Model"


def test_a_missing_shard_is_reported(tmp_path: Path) -> None:
    make_gguf(tmp_path, filename="big.gguf", split_max_tensors=8)
    shards = sorted(tmp_path.glob("big-*-of-*.gguf"))
    shards[1].unlink()
    with pytest.raises(ModelFileError, match="missing"):
        read_gguf(shards[0])


# --------------------------------------------------------------------------------------------
# Malformed files


def _s(text: str | bytes) -> bytes:
    raw = text.encode() if isinstance(text, str) else text
    return struct.pack("<Q", len(raw)) + raw


def kv_u32(key: str, value: int) -> bytes:
    return _s(key) + struct.pack("<II", 4, value)


def kv_str(key: str, value: str) -> bytes:
    return _s(key) + struct.pack("<I", 8) + _s(value)


def tensor_info(name: str, dims: Sequence[int], type_id: int, offset: int) -> bytes:
    out = _s(name) + struct.pack("<I", len(dims))
    out += b"".join(struct.pack("<Q", d) for d in dims)
    return out + struct.pack("<IQ", type_id, offset)


LLAMA_KV = [
    kv_str("general.architecture", "llama"),
    kv_u32("llama.block_count", 1),
    kv_u32("llama.context_length", 2048),
    kv_u32("llama.embedding_length", 64),
    kv_u32("llama.attention.head_count", 4),
]


def raw_gguf(
    kv: Sequence[bytes] = tuple(LLAMA_KV),
    tensors: Sequence[bytes] = (tensor_info("blk.0.attn_norm.weight", [64], 0, 0),),
    *,
    magic: bytes = b"GGUF",
    version: int = 3,
    n_tensors: int | None = None,
    n_kv: int | None = None,
    data: int = 256,
) -> bytes:
    head = magic + struct.pack(
        "<IQQ",
        version,
        len(tensors) if n_tensors is None else n_tensors,
        len(kv) if n_kv is None else n_kv,
    )
    body = head + b"".join(kv) + b"".join(tensors)
    body += b"\0" * (-len(body) % 32)
    return body + b"\0" * data


def write(tmp_path: Path, content: bytes, name: str = "bad.gguf") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_a_hand_built_file_reads(tmp_path: Path) -> None:
    spec = read_gguf(write(tmp_path, raw_gguf()))
    assert spec.weights is not None
    assert spec.weights.layer_bytes == (256,)
    assert spec.layers[0].head_dim_k == 16


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "too short"),
        (b"GGML" + b"\0" * 60, "not a GGUF file"),
        (raw_gguf(version=1), "version 1"),
        (raw_gguf(version=7), "unknown GGUF version 7"),
        (raw_gguf(n_tensors=10**7), "implausible tensor count"),
        (raw_gguf(n_kv=10**9), "implausible metadata count"),
        (raw_gguf(n_kv=1000), "cannot fit"),
        (raw_gguf([*LLAMA_KV, struct.pack("<Q", 2**40) + b"x"]), "past the end"),
        (raw_gguf([*LLAMA_KV, _s("k") + struct.pack("<IIQ", 9, 9, 1)]), "nested arrays"),
        (raw_gguf([*LLAMA_KV, _s("k") + struct.pack("<IIQ", 9, 8, 2**60)]), "past the end"),
        (raw_gguf([*LLAMA_KV, _s("k") + struct.pack("<IIQ", 9, 4, 2**60)]), "past the end"),
        (raw_gguf([*LLAMA_KV, _s("k") + struct.pack("<I", 99)]), "unknown value type"),
        (raw_gguf([*LLAMA_KV, LLAMA_KV[1]]), "duplicate metadata key"),
        (raw_gguf([*LLAMA_KV, _s(b"\xff\xfe") + struct.pack("<II", 4, 1)]), "UTF-8"),
        (raw_gguf(tensors=[tensor_info("t", [1, 1, 1, 1, 1], 0, 0)]), "dimensions"),
        (raw_gguf(tensors=[tensor_info("t", [64], 4, 0)]), "unknown ggml type 4"),
        (raw_gguf(tensors=[tensor_info("t", [64], 0, 64)]), "offset"),
        (raw_gguf(tensors=[tensor_info("t", [100], 12, 0)]), "not a multiple"),
        (raw_gguf(tensors=[tensor_info("t", [2**40, 2**40], 0, 0)]), "implausible shape"),
        (raw_gguf(tensors=[tensor_info("t", [64], 0, 0)] * 2), "duplicate tensor"),
        (raw_gguf(data=100), "past the end of the file"),
        (raw_gguf([*LLAMA_KV, kv_u32("general.alignment", 3)]), "power of two"),
        (raw_gguf(LLAMA_KV[1:]), "general.architecture"),
        (raw_gguf([*LLAMA_KV[:4], kv_str("llama.attention.head_count", "x")]), "integer"),
        (raw_gguf([*LLAMA_KV[:2], *LLAMA_KV[3:]]), "context_length"),
    ],
)
def test_it_rejects_malformed_files(tmp_path: Path, content: bytes, message: str) -> None:
    with pytest.raises(ModelFileError, match=message) as info:
        read_gguf(write(tmp_path, content))
    assert "\n" not in str(info.value)
    assert str(tmp_path) in str(info.value)


def test_it_rejects_truncated_header(tmp_path: Path) -> None:
    content = make_gguf(tmp_path).read_bytes()
    header_end = content.index(b"\0" * 64, 200)  # tensor data are zeros after the header
    for cut in range(header_end):
        with pytest.raises(ModelFileError):
            read_gguf(write(tmp_path, content[:cut], "cut.gguf"))


def test_it_rejects_truncated_tensor_data(tmp_path: Path) -> None:
    content = make_gguf(tmp_path).read_bytes()
    with pytest.raises(ModelFileError, match="truncated download"):
        read_gguf(write(tmp_path, content[:-1], "cut.gguf"))


@pytest.mark.parametrize("key", ["block_count", "embedding_length", "attention.head_count"])
def test_it_names_an_architecture_it_cannot_size(tmp_path: Path, key: str) -> None:
    kv = [k for k in LLAMA_KV if key.encode() + b"\x04" not in k]
    assert len(kv) == len(LLAMA_KV) - 1
    with pytest.raises(UnsupportedArchitectureError, match=f"'llama'.*llama.{key}"):
        read_gguf(write(tmp_path, raw_gguf(kv)))


def test_a_projector_file_is_not_a_language_model(tmp_path: Path) -> None:
    content = raw_gguf([kv_str("general.architecture", "clip")], tensors=[])
    with pytest.raises(UnsupportedArchitectureError, match="mmproj"):
        read_gguf(write(tmp_path, content))


def test_missing_files_and_folders_are_model_file_errors(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="no such file"):
        read_gguf(tmp_path / "absent.gguf")
    with pytest.raises(ModelFileError, match="directory"):
        read_gguf(tmp_path)


# --------------------------------------------------------------------------------------------
# Fuzzing: only the engine's own errors may escape


@cache
def _valid_files() -> tuple[bytes, ...]:
    tmp = Path(tempfile.mkdtemp())
    try:
        return (
            make_gguf(tmp, filename="a.gguf").read_bytes(),
            make_gguf(
                tmp,
                arch="deepseek2",
                n_layers=3,
                filename="b.gguf",
                kv={
                    "{arch}.attention.kv_lora_rank": 512,
                    "{arch}.attention.key_length_mla": 192,
                    "{arch}.attention.value_length_mla": 128,
                    "{arch}.expert_count": 8,
                    "{arch}.expert_used_count": 2,
                    "{arch}.attention.sliding_window_pattern": [True, False, True],
                    "{arch}.attention.sliding_window": 64,
                },
                tensors=moe_tensors(3, 8, dense_lead=1),
            ).read_bytes(),
            raw_gguf(),
        )
    finally:
        shutil.rmtree(tmp)


@pytest.fixture(scope="module")
def fuzz_dir() -> Iterator[Path]:
    tmp = Path(tempfile.mkdtemp())
    yield tmp
    shutil.rmtree(tmp)


def _read_fuzzed(folder: Path, content: bytes) -> None:
    path = folder / "fuzz.gguf"
    path.write_bytes(content)
    try:
        read_gguf(path)
    except (ModelFileError, UnsupportedArchitectureError) as exc:
        assert "\n" not in str(exc)


FUZZ = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(st.binary(max_size=512))
def test_random_bytes_raise_only_model_errors(fuzz_dir: Path, content: bytes) -> None:
    _read_fuzzed(fuzz_dir, content)
    _read_fuzzed(fuzz_dir, b"GGUF\x03\0\0\0" + content)


@FUZZ
@given(st.data())
def test_truncated_files_raise_only_model_errors(fuzz_dir: Path, data: st.DataObject) -> None:
    content = data.draw(st.sampled_from(_valid_files()))
    cut = data.draw(st.integers(0, len(content)))
    _read_fuzzed(fuzz_dir, content[:cut])


@FUZZ
@given(st.data())
def test_flipped_bytes_raise_only_model_errors(fuzz_dir: Path, data: st.DataObject) -> None:
    content = bytearray(data.draw(st.sampled_from(_valid_files())))
    header_end = min(len(content), 4096)
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, header_end - 1))
        content[at] = data.draw(st.integers(0, 255))
    _read_fuzzed(fuzz_dir, bytes(content))


_ARCHS = [
    "llama",
    "gemma2",
    "gemma3",
    "gemma3n",
    "llama4",
    "deepseek2",
    "qwen3next",
    "lfm2",
    "mamba",
    "rwkv6",
    "nemotron_h",
    "falcon-h1",
    "kimi-linear",
    "unknownarch",
]


@FUZZ
@given(
    arch=st.sampled_from(_ARCHS),
    n_layers=st.integers(1, 6),
    values=st.dictionaries(
        st.sampled_from(
            [
                "{arch}.attention.key_length",
                "{arch}.attention.value_length",
                "{arch}.attention.key_length_mla",
                "{arch}.attention.value_length_mla",
                "{arch}.attention.kv_lora_rank",
                "{arch}.attention.sliding_window",
                "{arch}.attention.sliding_window_pattern",
                "{arch}.attention.shared_kv_layers",
                "{arch}.nextn_predict_layers",
                "{arch}.full_attention_interval",
                "{arch}.expert_count",
                "{arch}.expert_used_count",
                "{arch}.ssm.conv_kernel",
                "{arch}.ssm.inner_size",
                "{arch}.ssm.state_size",
                "{arch}.ssm.group_count",
                "{arch}.shortconv.l_cache",
                "{arch}.wkv.head_size",
                "{arch}.kda.head_dim",
                "{arch}.rope.dimension_count",
                "{arch}.vocab_size",
                "general.file_type",
            ]
        ),
        st.integers(0, 5000),
        max_size=8,
    ),
    heads=st.lists(st.integers(0, 8), min_size=1, max_size=6),
    heads_kv=st.lists(st.integers(0, 8), min_size=1, max_size=6),
)
def test_odd_metadata_raises_only_model_errors(
    fuzz_dir: Path,
    arch: str,
    n_layers: int,
    values: dict[str, int],
    heads: list[int],
    heads_kv: list[int],
) -> None:
    def per_layer(xs: list[int]) -> int | list[int]:
        return xs[0] if len(xs) == 1 else (xs * n_layers)[:n_layers]

    path = make_gguf(
        fuzz_dir,
        arch=arch,
        n_layers=n_layers,
        n_heads=per_layer(heads),
        n_kv=per_layer(heads_kv),
        kv=values,
        tensors=[("token_embd.weight", F16, (256, 32))],
        filename="meta.gguf",
    )
    try:
        spec = read_gguf(path)
    except (ModelFileError, UnsupportedArchitectureError) as exc:
        assert "\n" not in str(exc)
        return
    assert spec.n_layers == n_layers
    assert all(x.n_kv_heads >= 0 and x.recurrent_state_elements >= 0 for x in spec.layers)
