"""read_safetensors_inventory against hand-written safetensors files (header + zero data)."""

from __future__ import annotations

import json
import math
import shutil
import struct
import tempfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runlocal.errors import ModelFileError
from runlocal.safetensors import read_safetensors_inventory

BITS = {"F32": 32, "BF16": 16, "F16": 16, "U8": 8, "I8": 8, "F8_E4M3": 8, "F4": 4, "I64": 64}

# name → (dtype, shape)
Tensors = dict[str, tuple[str, list[int]]]


def nbytes(dtype: str, shape: list[int]) -> int:
    return math.prod(shape) * BITS[dtype] // 8


def header_for(tensors: Tensors) -> dict[str, Any]:
    header: dict[str, Any] = {"__metadata__": {"format": "pt"}}
    at = 0
    for name, (dtype, shape) in tensors.items():
        size = nbytes(dtype, shape)
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [at, at + size]}
        at += size
    return header


def write_safetensors(
    path: Path, tensors: Tensors | None = None, *, header: Any = None, data: int | None = None
) -> Path:
    """Write the 8-byte length, the JSON header (space-padded to 8) and zeroed data."""
    if header is None:
        header = header_for(tensors or {})
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    if data is None:
        spans = [v["data_offsets"][1] for k, v in header.items() if k != "__metadata__"]
        data = max(spans, default=0)
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + b"\0" * data)
    return path


def llama_tensors(layers: range, *, hidden: int = 64, vocab: int = 100) -> Tensors:
    out: Tensors = {}
    if 0 in layers:
        out["model.embed_tokens.weight"] = ("BF16", [vocab, hidden])
    for i in layers:
        p = f"model.layers.{i}"
        out[f"{p}.input_layernorm.weight"] = ("BF16", [hidden])
        out[f"{p}.self_attn.q_proj.weight"] = ("BF16", [hidden, hidden])
        out[f"{p}.self_attn.k_proj.weight"] = ("BF16", [hidden // 2, hidden])
        out[f"{p}.self_attn.v_proj.weight"] = ("BF16", [hidden // 2, hidden])
        out[f"{p}.mlp.down_proj.weight"] = ("BF16", [hidden, 4 * hidden])
    return out


def test_it_sums_exact_bytes_by_group(tmp_path: Path) -> None:
    tensors = llama_tensors(range(2))
    tensors["model.norm.weight"] = ("BF16", [64])
    tensors["lm_head.weight"] = ("BF16", [100, 64])
    tensors["model.vision_tower.encoder.layers.0.mlp.fc1.weight"] = ("F32", [16, 64])
    write_safetensors(tmp_path / "model.safetensors", tensors)
    inv = read_safetensors_inventory(tmp_path, 2, "BF16")
    assert inv is not None
    assert (inv.quant, inv.source, inv.exact) == ("BF16", "safetensors headers", True)
    assert inv.input_bytes == 100 * 64 * 2
    assert inv.output_bytes == 64 * 2 + 100 * 64 * 2
    per_layer = (
        sum(nbytes(d, s) for n, (d, s) in tensors.items() if ".layers.0." in n) - 16 * 64 * 4
    )
    assert inv.layer_bytes == (per_layer, per_layer)
    assert inv.layer_expert_bytes == (0, 0)
    assert inv.other_bytes == 16 * 64 * 4
    assert inv.total_bytes == sum(nbytes(d, s) for d, s in tensors.values())


def test_it_reads_sharded_folders_through_the_index(tmp_path: Path) -> None:
    first, second = llama_tensors(range(2)), llama_tensors(range(2, 4))
    second["lm_head.weight"] = ("BF16", [100, 64])
    write_safetensors(tmp_path / "model-00001-of-00002.safetensors", first)
    write_safetensors(tmp_path / "model-00002-of-00002.safetensors", second)
    weight_map = {n: "model-00001-of-00002.safetensors" for n in first}
    weight_map |= {n: "model-00002-of-00002.safetensors" for n in second}
    (tmp_path / "model.safetensors.index.json").write_text(
        json.dumps({"metadata": {"total_size": 1}, "weight_map": weight_map})
    )
    # A consolidated copy next to the shards must not be counted twice.
    write_safetensors(tmp_path / "consolidated.safetensors", first | second)
    inv = read_safetensors_inventory(tmp_path, 4, "BF16")
    assert inv is not None
    expected = sum(nbytes(d, s) for d, s in (first | second).values())
    assert inv.total_bytes == expected
    assert len(set(inv.layer_bytes)) == 1
    assert inv.output_bytes == 100 * 64 * 2


def test_without_an_index_it_ignores_a_consolidated_copy(tmp_path: Path) -> None:
    tensors = llama_tensors(range(1))
    write_safetensors(tmp_path / "model-00001-of-00001.safetensors", tensors)
    write_safetensors(tmp_path / "consolidated.safetensors", tensors)
    inv = read_safetensors_inventory(tmp_path, 1, "BF16")
    assert inv is not None
    assert inv.total_bytes == sum(nbytes(d, s) for d, s in tensors.values())


def test_it_counts_routed_experts_but_not_shared_ones(tmp_path: Path) -> None:
    tensors: Tensors = {
        "model.layers.0.mlp.experts.0.down_proj.weight": ("F8_E4M3", [64, 32]),
        "model.layers.0.mlp.experts.1.down_proj.weight": ("F8_E4M3", [64, 32]),
        "model.layers.0.mlp.shared_experts.down_proj.weight": ("F8_E4M3", [64, 32]),
        "model.layers.0.mlp.gate.weight": ("BF16", [2, 64]),
        "model.layers.1.mlp.down_proj.weight": ("BF16", [64, 32]),
    }
    write_safetensors(tmp_path / "model.safetensors", tensors)
    inv = read_safetensors_inventory(tmp_path, 2, "FP8")
    assert inv is not None
    assert inv.layer_expert_bytes == (2 * 64 * 32, 0)
    assert inv.layer_bytes == (3 * 64 * 32 + 2 * 64 * 2, 64 * 32 * 2)
    assert inv.expert_bytes == 2 * 64 * 32


def test_packed_dtypes_are_sized_by_their_byte_ranges(tmp_path: Path) -> None:
    header: dict[str, Any] = {
        "model.layers.0.mlp.experts.gate_up_proj_blocks": {
            "dtype": "U8",
            "shape": [4, 8, 16],
            "data_offsets": [0, 512],
        },
        "model.layers.0.w_f4": {"dtype": "F4", "shape": [8, 16], "data_offsets": [512, 576]},
        "model.layers.0.w_unknown": {"dtype": "Q3_X", "shape": [7], "data_offsets": [576, 579]},
    }
    write_safetensors(tmp_path / "model.safetensors", header=header)
    inv = read_safetensors_inventory(tmp_path, 1, "MXFP4")
    assert inv is not None
    assert inv.layer_bytes == (579,)
    assert inv.layer_expert_bytes == (512,)


def test_layers_past_the_model_depth_count_as_other(tmp_path: Path) -> None:
    write_safetensors(tmp_path / "model.safetensors", llama_tensors(range(3)))
    inv = read_safetensors_inventory(tmp_path, 2, "BF16")
    assert inv is not None
    assert inv.other_bytes == inv.layer_bytes[1]  # the multi-token-prediction block


def test_multi_token_prediction_modules_count_as_other(tmp_path: Path) -> None:
    tensors: Tensors = {
        "model.layers.0.mlp.down_proj.weight": ("BF16", [64, 32]),
        "mtp.layers.0.mlp.down_proj.weight": ("BF16", [64, 32]),
        "mtp.norm.weight": ("BF16", [64]),
        "model.mtp_layers.0.final_layernorm.weight": ("BF16", [64]),
        "model.norm.weight": ("BF16", [64]),
    }
    write_safetensors(tmp_path / "model.safetensors", tensors)
    inv = read_safetensors_inventory(tmp_path, 1, "BF16")
    assert inv is not None
    assert inv.layer_bytes == (64 * 32 * 2,)
    assert inv.output_bytes == 64 * 2
    assert inv.other_bytes == 64 * 32 * 2 + 2 * 64 * 2


def test_a_folder_without_safetensors_gives_none(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}")
    assert read_safetensors_inventory(tmp_path, 2, "BF16") is None


def test_a_single_file_can_be_given(tmp_path: Path) -> None:
    path = write_safetensors(tmp_path / "weights.safetensors", llama_tensors(range(1)))
    inv = read_safetensors_inventory(path, 1, "BF16")
    assert inv is not None and inv.input_bytes > 0


def test_a_missing_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="no such folder"):
        read_safetensors_inventory(tmp_path / "absent", 2, "BF16")


def _index(folder: Path, weight_map: Any) -> None:
    (folder / "model.safetensors.index.json").write_text(json.dumps({"weight_map": weight_map}))


def test_a_shard_missing_from_the_index_is_an_error(tmp_path: Path) -> None:
    write_safetensors(tmp_path / "a.safetensors", llama_tensors(range(1)))
    _index(tmp_path, {"model.embed_tokens.weight": "a.safetensors", "x": "b.safetensors"})
    with pytest.raises(ModelFileError, match=r"b\.safetensors: no such file"):
        read_safetensors_inventory(tmp_path, 1, "BF16")


def test_a_tensor_missing_from_its_shard_is_an_error(tmp_path: Path) -> None:
    write_safetensors(tmp_path / "a.safetensors", llama_tensors(range(1)))
    _index(tmp_path, {"model.embed_tokens.weight": "a.safetensors", "gone": "a.safetensors"})
    with pytest.raises(ModelFileError, match=r"'gone'.*missing"):
        read_safetensors_inventory(tmp_path, 1, "BF16")


@pytest.mark.parametrize(
    "weight_map",
    [["a.safetensors"], {"x": 3}, {"x": "../outside.safetensors"}, {"x": "sub/a.safetensors"}],
)
def test_a_bad_index_is_an_error(tmp_path: Path, weight_map: Any) -> None:
    _index(tmp_path, weight_map)
    with pytest.raises(ModelFileError):
        read_safetensors_inventory(tmp_path, 1, "BF16")


def test_an_index_that_is_not_json_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "model.safetensors.index.json").write_text("{nope")
    with pytest.raises(ModelFileError, match="cannot read"):
        read_safetensors_inventory(tmp_path, 1, "BF16")


def test_a_tensor_in_two_shards_is_an_error(tmp_path: Path) -> None:
    write_safetensors(tmp_path / "a.safetensors", llama_tensors(range(1)))
    write_safetensors(tmp_path / "b.safetensors", llama_tensors(range(1)))
    with pytest.raises(ModelFileError, match="also in"):
        read_safetensors_inventory(tmp_path, 1, "BF16")


def _entry(dtype: Any = "F32", shape: Any = (4,), offsets: Any = (0, 16)) -> dict[str, Any]:
    return {"dtype": dtype, "shape": list(shape), "data_offsets": list(offsets)}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x01\x02", "shorter than 8 bytes"),
        (struct.pack("<Q", 200_000_000) + b"{}", "header length"),
        (struct.pack("<Q", 1), "header length"),
        (struct.pack("<Q", 1000) + b"{}", "truncated"),
        (struct.pack("<Q", 4) + b"{no}", "not valid JSON"),
        (struct.pack("<Q", 4) + b"\xff\xfe{}", "not valid JSON"),
        (struct.pack("<Q", 2) + b"[]", "not a JSON object"),
    ],
)
def test_it_rejects_malformed_files(tmp_path: Path, content: bytes, message: str) -> None:
    (tmp_path / "model.safetensors").write_bytes(content)
    with pytest.raises(ModelFileError, match=message) as info:
        read_safetensors_inventory(tmp_path, 1, "F32")
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ({"t": _entry(shape=[5])}, "do not hold"),
        ({"t": _entry(dtype=None)}, "dtype missing"),
        ({"t": _entry(shape=[-1])}, "shape"),
        ({"t": _entry(shape="4")}, "shape"),
        ({"t": _entry(offsets=[16, 0])}, "data_offsets"),
        ({"t": _entry(offsets=[0])}, "data_offsets"),
        ({"t": _entry(offsets=["0", "16"])}, "data_offsets"),
        ({"t": "F32"}, "not an object"),
        ({"__metadata__": [1]}, "__metadata__"),
        ({"a": _entry(), "b": _entry()}, "overlap"),
        ({"a": _entry(offsets=[16, 32])}, "gap"),
    ],
)
def test_it_rejects_inconsistent_headers(tmp_path: Path, header: Any, message: str) -> None:
    write_safetensors(tmp_path / "model.safetensors", header=header, data=64)
    with pytest.raises(ModelFileError, match=message):
        read_safetensors_inventory(tmp_path, 1, "F32")


def test_it_rejects_truncated_tensor_data(tmp_path: Path) -> None:
    tensors = llama_tensors(range(1))
    header = header_for(tensors)
    size = sum(nbytes(d, s) for d, s in tensors.values())
    write_safetensors(tmp_path / "model.safetensors", header=header, data=size - 1)
    with pytest.raises(ModelFileError, match="truncated"):
        read_safetensors_inventory(tmp_path, 1, "BF16")


# --------------------------------------------------------------------------------------------
# Fuzzing: only ModelFileError may escape


@cache
def _valid_file() -> bytes:
    tmp = Path(tempfile.mkdtemp())
    try:
        return write_safetensors(tmp / "v.safetensors", llama_tensors(range(2))).read_bytes()
    finally:
        shutil.rmtree(tmp)


@pytest.fixture(scope="module")
def fuzz_dir() -> Iterator[Path]:
    tmp = Path(tempfile.mkdtemp())
    yield tmp
    shutil.rmtree(tmp)


def _read_fuzzed(folder: Path, content: bytes) -> None:
    (folder / "model.safetensors").write_bytes(content)
    try:
        read_safetensors_inventory(folder, 2, "BF16")
    except ModelFileError as exc:
        assert "\n" not in str(exc)


FUZZ = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(st.binary(max_size=256))
def test_random_bytes_raise_only_model_file_errors(fuzz_dir: Path, content: bytes) -> None:
    _read_fuzzed(fuzz_dir, content)
    _read_fuzzed(fuzz_dir, struct.pack("<Q", len(content)) + content)


@FUZZ
@given(st.data())
def test_truncated_and_flipped_files_raise_only_model_file_errors(
    fuzz_dir: Path, data: st.DataObject
) -> None:
    content = bytearray(_valid_file())
    content = content[: data.draw(st.integers(0, len(content)))]
    for _ in range(data.draw(st.integers(0, 6))):
        if content:
            at = data.draw(st.integers(0, min(len(content), 2048) - 1))
            content[at] = data.draw(st.integers(0, 255))
    _read_fuzzed(fuzz_dir, bytes(content))


@FUZZ
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers(-5, 10**20) | st.text(max_size=8),
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(
                st.sampled_from(["dtype", "shape", "data_offsets", "x", "__metadata__"]),
                inner,
                max_size=4,
            )
        ),
        max_leaves=12,
    )
)
def test_odd_json_headers_raise_only_model_file_errors(fuzz_dir: Path, value: Any) -> None:
    raw = json.dumps({"t": value}).encode()
    _read_fuzzed(fuzz_dir, struct.pack("<Q", len(raw)) + raw + b"\0" * 64)
