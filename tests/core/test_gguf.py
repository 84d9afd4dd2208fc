"""read_gguf against tiny GGUF files written with the gguf package's own writer.

Exact bytes are checked against gguf.GGUFReader on the same file; layer layouts against the
rules llama.cpp applies when it loads the same metadata.
"""

from __future__ import annotations

import dataclasses
import struct
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from gguf import GGMLQuantizationType, GGUFEndian, GGUFReader, GGUFValueType, GGUFWriter

from runlocal.errors import ModelFileError
from runlocal.gguf import read_gguf
from runlocal.gguf_header import FileAccess
from runlocal.quant import GGML_TYPES
from runlocal.spec import ModelSpec

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
