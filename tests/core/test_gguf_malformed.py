"""read_gguf on hand-built and malformed GGUF files: what it rejects and how, and fuzzed bytes that
raise only model-file errors."""

from __future__ import annotations

import shutil
import struct
import tempfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runlocal.errors import ModelFileError, UnsupportedArchitectureError
from runlocal.gguf import read_gguf

from .test_gguf import (
    F16,
    LLAMA_KV,
    _s,
    kv_str,
    kv_u32,
    make_gguf,
    moe_tensors,
    raw_gguf,
    tensor_info,
    write,
)


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
