"""read_gguf's attention layouts: sliding-window and chunked layers by the pattern llama.cpp
applies per architecture, from a tiny GGUF file written with the gguf package's own writer."""

from __future__ import annotations

from pathlib import Path

import pytest

from runlocal.gguf import read_gguf
from runlocal.spec import ModelSpec

from .test_gguf import make_gguf

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


def test_wider_global_heads_with_one_kv_head_count_price_the_cache(tmp_path: Path) -> None:
    # Gemma 4 E2B/E4B GGUFs: llama.cpp's converter writes key_length = global_head_dim and
    # key_length_swa = head_dim, and a scalar head_count_kv when the config has no global
    # KV-head count. The full layer caches 2 heads × (32 + 32) × 2 bytes = 256 per token
    # (f16); the sliding one 2 × (16 + 16) × 2 = 128, for at most its window of 64 tokens.
    from runlocal.memory import kv_cache_bytes
    from runlocal.runtimes import get_runtime

    spec = read_gguf(
        make_gguf(
            tmp_path,
            arch="gemma4",
            n_layers=2,
            n_kv=2,
            kv={
                "{arch}.attention.sliding_window": 64,
                "{arch}.attention.sliding_window_pattern": [True, False],
                "{arch}.attention.key_length": 32,
                "{arch}.attention.value_length": 32,
                "{arch}.attention.key_length_swa": 16,
                "{arch}.attention.value_length_swa": 16,
            },
        )
    )
    assert [(x.kind, x.n_kv_heads, x.head_dim_k, x.head_dim_v) for x in spec.layers] == [
        ("swa", 2, 16, 16),
        ("full", 2, 32, 32),
    ]
    hf = get_runtime("transformers")
    assert kv_cache_bytes(spec, 1000, hf, "f16") == 256 * 1000 + 128 * 64


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
