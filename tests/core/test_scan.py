"""`runlocal scan` over fake download folders laid out like Ollama's store, LM Studio's
models folder, the Hugging Face cache and llama.cpp's cache."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from runlocal.catalog import Catalog
from runlocal.cli import main
from runlocal.scan import find_models

from .test_gguf import make_gguf
from .test_remote import sharded_folder


def ollama_store(root: Path, tmp_path: Path) -> Path:
    gguf = make_gguf(tmp_path, filename="ollama-src.gguf").read_bytes()
    digest = "sha256:" + hashlib.sha256(gguf).hexdigest()
    (root / "blobs").mkdir(parents=True)
    blob = root / "blobs" / digest.replace(":", "-")
    blob.write_bytes(gguf)
    for tag in ("1b", "latest"):  # two tags of one blob: one model, two names
        manifest = root / "manifests" / "registry.example" / "library" / "tiny" / tag
        manifest.parent.mkdir(parents=True, exist_ok=True)
        layers = [
            {"mediaType": "application/vnd.ollama.image.model", "digest": digest, "size": len(gguf)}
        ]
        manifest.write_text(json.dumps({"schemaVersion": 2, "layers": layers}))
    bad = root / "manifests" / "registry.example" / "library" / "broken" / "x"
    bad.parent.mkdir(parents=True)
    bad.write_text("not json")
    return blob


def hf_cache(root: Path, tmp_path: Path) -> Path:
    """models--acme--Tiny-Llama/snapshots/<rev>/* linking to blobs/, as huggingface_hub lays
    out its cache."""
    src = sharded_folder(tmp_path / "hf-src")
    repo = root / "models--acme--Tiny-Llama"
    snap = repo / "snapshots" / ("c" * 40)
    snap.mkdir(parents=True)
    (repo / "blobs").mkdir()
    for f in src.iterdir():
        blob = repo / "blobs" / hashlib.sha256(f.read_bytes()).hexdigest()
        blob.write_bytes(f.read_bytes())
        os.symlink(os.path.relpath(blob, snap), snap / f.name)
    return snap


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    h = tmp_path / "home"
    for var in ("OLLAMA_MODELS", "HF_HOME", "HF_HUB_CACHE", "LLAMA_CACHE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(h))
    ollama_store(h / ".ollama" / "models", tmp_path)
    lms = h / ".lmstudio" / "models" / "acme" / "Tiny-GGUF"
    lms.mkdir(parents=True)
    make_gguf(lms, filename="tiny-Q4_K_M.gguf")
    (lms / "mmproj-tiny-f16.gguf").write_bytes(b"GGUF projector, not a model")
    hf_cache(h / ".cache" / "huggingface" / "hub", tmp_path)
    lc = h / ".cache" / "llama.cpp"
    lc.mkdir(parents=True)
    make_gguf(lc, filename="split-Q4_K_M.gguf", split_max_tensors=8)
    return h


def test_it_finds_every_kind_of_download(home: Path) -> None:
    found = {f.label: f for f in find_models()}
    assert len(found) == 4
    assert {label for label, f in found.items() if f.source != "ollama"} == {
        "acme/Tiny-GGUF/tiny-Q4_K_M.gguf",
        "acme/Tiny-Llama",
        min(p.name for p in (home / ".cache" / "llama.cpp").glob("split-*")),
    }
    ollama = next(f for f in found.values() if f.source == "ollama")
    assert {ollama.label, *ollama.aliases} == {"tiny:1b", "tiny:latest"}
    split = next(f for f in found.values() if f.source == "llama.cpp")
    shards = sorted((home / ".cache" / "llama.cpp").glob("split-*"))
    assert len(shards) > 1 and split.size_bytes == sum(p.stat().st_size for p in shards)


def test_scan_json_answers_like_check(
    home: Path, catalog: Catalog, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scan", "--hardware", "gpu-24", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 4
    for row in rows:
        assert {"path", "model", "quant", "verdict", "speed"} <= set(row)
        assert row["error"] is None
        runtime = {"ollama": "ollama", "lm-studio": "lm-studio", "hf-cache": "transformers"}
        argv = ["check", row["path"], "--hardware", "gpu-24", "--json"]
        argv += ["--runtime", runtime.get(row["source"], "llama.cpp")]
        assert main(argv) == 0
        checked = json.loads(capsys.readouterr().out)
        assert row["speed"] == checked["speed"]
        assert (row["quant"], row["verdict"]) == (checked["quant"], checked["verdict"])
        assert row["max_context"] == checked["max_context"]


def test_scan_table_and_given_folders(
    home: Path, tmp_path: Path, catalog: Catalog, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    make_gguf(folder, filename="a-Q4_K_M.gguf")
    (folder / "broken-Q4_K_M.gguf").write_bytes(b"GGUF\x03\x00\x00\x00")
    assert main(["scan", str(folder), "--hardware", "gpu-24"]) == 0
    out = capsys.readouterr()
    lines = out.out.splitlines()
    assert lines[0].split() == [
        "MODEL",
        "QUANT",
        "SIZE",
        "VERDICT",
        "DECODE",
        "PREFILL",
        "MAX",
        "CTX",
    ]
    assert lines[1].startswith("a-Q4_K_M.gguf") and "Q4_K_M" in lines[1] and "tok/s" in lines[1]
    assert lines[2].startswith("error: broken-Q4_K_M.gguf: ")
    assert "\r" not in out.err  # no progress bar when stderr is not a terminal


def test_an_empty_machine_says_so(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    catalog: Catalog,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "nobody"))
    for var in ("OLLAMA_MODELS", "HF_HOME", "HF_HUB_CACHE", "LLAMA_CACHE"):
        monkeypatch.delenv(var, raising=False)
    assert main(["scan", "--hardware", "gpu-24", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
