"""runlocal.remote against a local Hub- and Ollama-shaped server (tests/core/hubserver.py):
every path, its errors, the cache and offline mode, and answers identical to the same files
read from disk."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from runlocal.catalog import Catalog
from runlocal.engine import CheckQuery, check, resolve_model
from runlocal.remote import resolve_remote
from runlocal.spec import ModelSpec

from .hubserver import HubServer, serve
from .test_gguf import make_gguf, same
from .test_safetensors import llama_tensors, write_safetensors

CONFIG: dict[str, Any] = {
    "architectures": ["LlamaForCausalLM"],
    "model_type": "llama",
    "hidden_size": 64,
    "intermediate_size": 256,
    "num_hidden_layers": 4,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "vocab_size": 100,
    "max_position_embeddings": 4096,
    "torch_dtype": "bfloat16",
}


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[HubServer]:
    with serve() as s:
        monkeypatch.setenv("HF_ENDPOINT", s.url)
        monkeypatch.setenv("RUNLOCAL_OLLAMA_REGISTRY", s.url)
        monkeypatch.setenv("RUNLOCAL_HTTP_TIMEOUT", "5")
        monkeypatch.delenv("HF_TOKEN", raising=False)
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
        yield s


def sharded_folder(folder: Path, config: dict[str, Any] | None = None) -> Path:
    """A 4-layer llama checkpoint in two shards with an index, written to folder."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps(config or CONFIG))
    first, second = llama_tensors(range(2)), llama_tensors(range(2, 4))
    second["model.norm.weight"] = ("BF16", [64])
    second["lm_head.weight"] = ("BF16", [100, 64])
    names = ("model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors")
    write_safetensors(folder / names[0], first)
    write_safetensors(folder / names[1], second)
    weight_map = {n: names[0] for n in first} | {n: names[1] for n in second}
    (folder / "model.safetensors.index.json").write_text(
        json.dumps({"metadata": {"total_size": 1}, "weight_map": weight_map})
    )
    return folder


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def answer(model: str, catalog: Catalog, where: str, **kw: Any) -> bytes:
    """check --json's bytes, with the place the files were read from (model.path, the
    architecture's provenance) written as <where> and the notes (which list remote files)
    left out: everything else must match byte for byte."""
    out = check(CheckQuery(model=model, hardware=("gpu-24",), **kw), catalog).to_dict()
    out.pop("notes")
    text = json.dumps(out, sort_keys=True)
    for place in sorted({out["model"]["path"], where}, key=len, reverse=True):
        text = text.replace(json.dumps(place)[1:-1], "<where>")
    return text.encode()


def same_spec(remote: ModelSpec, local: ModelSpec) -> bool:
    """Equal in every field; provenance may name a different place for the architecture."""

    def strip(s: ModelSpec) -> ModelSpec:
        prov = {k: v for k, v in s.provenance.items() if k != "architecture"}
        return dataclasses.replace(s, provenance=prov)

    return same(strip(remote), strip(local))


def test_smoke_safetensors(hub: HubServer, tmp_path: Path, catalog: Catalog) -> None:
    folder = sharded_folder(tmp_path / "Tiny-Llama")
    hub.add_repo("acme/Tiny-Llama", files_of(folder))
    remote = resolve_remote("acme/Tiny-Llama")
    local = resolve_model(str(folder), catalog)
    assert same_spec(remote.spec, local.spec)
    assert answer("acme/Tiny-Llama", catalog, "acme/Tiny-Llama/config.json") == answer(
        str(folder), catalog, str(folder)
    )


def test_smoke_gguf(hub: HubServer, tmp_path: Path, catalog: Catalog) -> None:
    path = make_gguf(tmp_path, filename="tiny-Q4_K_M.gguf")
    hub.add_repo("acme/Tiny-GGUF", {"tiny-Q4_K_M.gguf": path.read_bytes()})
    remote = resolve_remote("acme/Tiny-GGUF")
    assert same(remote.spec, resolve_model(str(path), catalog).spec)


def test_smoke_ollama(hub: HubServer, tmp_path: Path, catalog: Catalog) -> None:
    path = make_gguf(tmp_path)
    hub.add_ollama("tiny", "1b", path.read_bytes())
    remote = resolve_remote("tiny:1b")
    assert same(remote.spec, resolve_model(str(path), catalog).spec)
