"""`check` on the user's own files: a GGUF header and a config.json folder with safetensors."""

from __future__ import annotations

import json
from pathlib import Path

from gguf import GGUFReader

from runlocal.catalog import Catalog
from runlocal.engine import CheckQuery, check

from .factories import LLAMA_3_1_8B
from .test_gguf import make_gguf
from .test_safetensors import llama_tensors, write_safetensors


def test_it_takes_weights_from_the_gguf_header(catalog: Catalog, tmp_path: Path) -> None:
    path = make_gguf(tmp_path, n_layers=4)
    r = check(
        CheckQuery(model=str(path), hardware=("Test GPU 8",), context=4096), catalog
    ).to_dict()
    header_bytes = sum(int(t.n_bytes) for t in GGUFReader(path).tensors)
    on_gpu = r["memory"]["weights_bytes"]
    on_host = r["host"]["weights_bytes"]
    assert on_gpu + on_host == header_bytes  # token embeddings stay in host memory
    assert r["model"]["weights_exact"] and r["model"]["source"] == "gguf"
    assert r["quant"] == "Q4_K_M" and r["best_quant"] is None  # the file decides the quant
    assert r["commands"]["llama.cpp"].startswith(f"llama-server -m {path}")


def test_it_notes_a_quant_flag_that_disagrees_with_the_file(
    catalog: Catalog, tmp_path: Path
) -> None:
    path = make_gguf(tmp_path)
    r = check(CheckQuery(model=str(path), hardware=("TG24",), quant="Q8_0"), catalog).to_dict()
    assert r["quant"] == "Q4_K_M"
    assert any("--quant Q8_0 ignored" in note for note in r["notes"])


def test_it_sizes_a_config_folder_with_exact_safetensors_bytes(
    catalog: Catalog, tmp_path: Path
) -> None:
    config = dict(
        LLAMA_3_1_8B,
        num_hidden_layers=2,
        hidden_size=64,
        num_attention_heads=4,
        num_key_value_heads=2,
        vocab_size=100,
        intermediate_size=256,
        torch_dtype="bfloat16",
    )
    (tmp_path / "config.json").write_text(json.dumps(config), encoding="utf-8")
    write_safetensors(tmp_path / "model.safetensors", llama_tensors(range(2)))
    r = check(
        CheckQuery(model=str(tmp_path), hardware=("TG24",), runtime="vllm", context=1024), catalog
    ).to_dict()
    assert r["model"]["source"] == "config.json" and r["model"]["weights_exact"]
    assert r["basis"]["weights"]["source"] == "safetensors headers"
    expected = sum(2 * n for n in [100 * 64] + [64, 64 * 64, 32 * 64, 32 * 64, 64 * 256] * 2)
    assert r["basis"]["weights"]["bytes"] == expected


def test_a_config_alone_is_estimated_from_parameter_counts(
    catalog: Catalog, tmp_path: Path
) -> None:
    (tmp_path / "config.json").write_text(json.dumps(LLAMA_3_1_8B), encoding="utf-8")
    r = check(
        CheckQuery(model=str(tmp_path / "config.json"), hardware=("TG24",)), catalog
    ).to_dict()
    assert not r["model"]["weights_exact"]
    assert r["model"]["params_total"] == 8_030_261_248


def test_a_server_never_opens_a_path_it_is_given(catalog: Catalog, tmp_path: Path) -> None:
    import pytest

    from runlocal.errors import UnknownNameError

    path = make_gguf(tmp_path)
    with pytest.raises(UnknownNameError):
        check(CheckQuery(model=str(path), hardware=("TG24",)), catalog, allow_files=False)
