"""runlocal.remote against a local Hub- and Ollama-shaped server (tests/core/hubserver.py):
every path, its errors, the cache and offline mode, and answers identical to the same files
read from disk."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from runlocal.catalog import Catalog
from runlocal.engine import CheckQuery, check
from runlocal.errors import RemoteError, RunlocalError, UnknownNameError
from runlocal.hfquant import hf_quant_label
from runlocal.remote import looks_remote, parse_ref, read_remote, resolve_remote
from runlocal.remote.objects import RemoteFiles
from runlocal.resolve.refs import HubRef, OllamaRef
from runlocal.sources import resolve_model
from runlocal.spec import ModelSpec

from .hubserver import HubServer
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
    architecture's provenance) written as <where>, and the notes (which list remote files) and
    commands (which fetch from where the model is) left out: everything else must match byte
    for byte."""
    out = check(CheckQuery(model=model, hardware=("gpu-24",), **kw), catalog).to_dict()
    out.pop("notes")
    out.pop("commands")
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


# --- references ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("acme/Tiny-Llama", HubRef("acme/Tiny-Llama")),
        ("acme/Tiny-GGUF:Q8_0", HubRef("acme/Tiny-GGUF", quant="Q8_0")),
        ("hf.co/acme/Tiny-GGUF:Q4_K_M", HubRef("acme/Tiny-GGUF", quant="Q4_K_M")),
        (
            "https://hub.test/acme/Tiny-GGUF/blob/main/sub/t-Q4_K_M.gguf",
            HubRef("acme/Tiny-GGUF", "main", "sub/t-Q4_K_M.gguf", None, "hub.test"),
        ),
        (
            "https://hub.test/acme/Tiny-GGUF/resolve/abc/t.gguf",
            HubRef("acme/Tiny-GGUF", "abc", "t.gguf", None, "hub.test"),
        ),
        ("https://hub.test/acme/Tiny", HubRef("acme/Tiny", host="hub.test")),
        ("qwen3:30b-a3b", OllamaRef("qwen3", "30b-a3b", True)),
        ("llama3", OllamaRef("llama3", "latest", False)),
        ("Llama 3 8B", None),
        ("models/missing.gguf", None),
        ("./acme/x", None),
    ],
)
def test_references_parse(text: str, ref: HubRef | OllamaRef | None) -> None:
    assert parse_ref(text) == ref
    assert looks_remote(text) == (ref is not None)


@pytest.mark.parametrize(
    "text",
    [
        "https://hub.test/datasets/acme/x",
        "https://hub.test/acme",
        "https://hub.test/acme/x/blob/main",
        "https://hub.test/acme/x/blob/main/../../etc/passwd",
        "https://hub.test/acme/x?download=1",
        "https://hub.test/acme/x/commits/main",
    ],
)
def test_urls_that_name_no_model_file_are_refused(text: str) -> None:
    with pytest.raises(RunlocalError):
        resolve_remote(text)


# --- safetensors repos ---------------------------------------------------------------


def test_a_sharded_safetensors_repo_answers_as_the_same_folder_on_disk(
    hub: HubServer, tmp_path: Path, catalog: Catalog
) -> None:
    folder = sharded_folder(tmp_path / "Tiny-Llama")
    hub.add_repo("acme/Tiny-Llama", files_of(folder))
    remote = resolve_remote("acme/Tiny-Llama")
    local = resolve_model(str(folder), catalog)
    assert same_spec(remote.spec, local.spec)
    assert remote.spec.weights is not None and remote.spec.weights.exact
    assert answer("acme/Tiny-Llama", catalog, "acme/Tiny-Llama/config.json") == answer(
        str(folder), catalog, str(folder)
    )
    # Only headers travel: the index, config, listing and one range per shard.
    ranges = [line.split(" ")[1] for line in hub.log if line.startswith("/cdn/") and " " in line]
    assert ranges == ["bytes=0-99999", "bytes=0-99999"]


def test_a_large_header_takes_a_second_range_request(
    hub: HubServer, tmp_path: Path, catalog: Catalog
) -> None:
    folder = tmp_path / "Wide"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(CONFIG))
    tensors = llama_tensors(range(4))
    # Thousands of small tensors push the JSON header past the first 100 kB read.
    for i in range(3000):
        tensors[f"model.extra.{i}.weight"] = ("F32", [1])
    write_safetensors(folder / "model.safetensors", tensors)
    hub.add_repo("acme/Wide", files_of(folder))
    hub.reset_counts()
    remote = resolve_remote("acme/Wide")
    assert same_spec(remote.spec, resolve_model(str(folder), catalog).spec)
    assert [line.split(" ")[1] for line in hub.log if line.startswith("/cdn/")] == [
        "bytes=0-99999",
        f"bytes=8-{8 + int.from_bytes((folder / 'model.safetensors').read_bytes()[:8], 'little') - 1}",
    ]


def test_a_repo_url_with_a_revision_and_a_folder_config(
    hub: HubServer, tmp_path: Path, catalog: Catalog
) -> None:
    folder = sharded_folder(tmp_path / "sub")
    files = {f"sub/{k}": v for k, v in files_of(folder).items()}
    hub.add_repo("acme/Nested", files, sha="a" * 40)
    remote = resolve_remote(f"{hub.url}/acme/Nested/blob/{'a' * 40}/sub/config.json")
    assert remote.spec.weights is not None
    assert same_spec(remote.spec, resolve_model(str(folder / "config.json"), catalog).spec)


@pytest.mark.parametrize(
    ("qc", "label"),
    [
        ({"quant_method": "gptq", "bits": 4}, "GPTQ-4BIT"),
        ({"quant_method": "awq", "bits": 4}, "AWQ-4BIT"),
        ({"quant_method": "fp8"}, "FP8"),
        ({"quant_method": "bitsandbytes", "load_in_4bit": True}, "NF4"),
        ({"quant_method": "bitsandbytes", "load_in_8bit": True}, "INT8"),
        ({"quant_method": "mxfp4"}, "MXFP4"),
        (
            {
                "quant_method": "compressed-tensors",
                "config_groups": {"g": {"weights": {"num_bits": 8, "type": "float"}}},
            },
            "FP8",
        ),
        (
            {
                "quant_method": "compressed-tensors",
                "config_groups": {"g": {"weights": {"num_bits": 4, "type": "int"}}},
            },
            "GPTQ-4BIT",
        ),
        ({"group_size": 64, "bits": 4}, "MLX-4BIT"),
    ],
)
def test_quantized_checkpoints_are_labelled_from_their_config(
    qc: dict[str, Any], label: str
) -> None:
    key = "quantization" if "quant_method" not in qc else "quantization_config"
    assert hf_quant_label({**CONFIG, key: qc}) == label


def test_an_fp8_checkpoint_without_a_quantization_config_is_read_from_its_dtypes(
    hub: HubServer, tmp_path: Path, catalog: Catalog
) -> None:
    folder = tmp_path / "Fp8"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(CONFIG))
    tensors = {k: ("F8_E4M3", shape) for k, (_, shape) in llama_tensors(range(4)).items()}
    write_safetensors(folder / "model.safetensors", tensors)
    hub.add_repo("acme/Fp8", files_of(folder))
    remote = resolve_remote("acme/Fp8")
    local = resolve_model(str(folder), catalog)
    assert remote.spec.weights is not None and remote.spec.weights.quant == "FP8"
    assert same_spec(remote.spec, local.spec)


def test_a_gptq_repo_answers_with_its_exact_bytes(
    hub: HubServer, tmp_path: Path, catalog: Catalog
) -> None:
    cfg = {**CONFIG, "quantization_config": {"quant_method": "gptq", "bits": 4}}
    folder = sharded_folder(tmp_path / "Tiny-GPTQ", cfg)
    hub.add_repo("acme/Tiny-GPTQ", files_of(folder))
    assert answer("acme/Tiny-GPTQ", catalog, "acme/Tiny-GPTQ/config.json", runtime="vllm") == (
        answer(str(folder), catalog, str(folder), runtime="vllm")
    )
    remote = resolve_remote("acme/Tiny-GPTQ")
    assert remote.spec.weights is not None and remote.spec.weights.quant == "GPTQ-4BIT"


# --- GGUF repos ----------------------------------------------------------------------


def gguf_repo(hub: HubServer, tmp_path: Path) -> dict[str, Path]:
    """A repo with three quantizations of one tiny model (and a projector)."""
    out = {}
    for q, ft in (("Q2_K", 10), ("Q4_K_M", 15), ("Q8_0", 7)):
        out[q] = make_gguf(tmp_path, filename=f"tiny-{q}.gguf", file_type=ft)
    files: dict[str, bytes | Path] = {p.name: p.read_bytes() for p in out.values()}
    files["mmproj-tiny-f16.gguf"] = b"GGUF not read"
    files["README.md"] = b"# tiny"
    hub.add_repo("acme/Tiny-GGUF", files)
    return out


def test_a_gguf_repo_reads_q4_k_m_by_default_and_lists_the_others(
    hub: HubServer, tmp_path: Path, catalog: Catalog
) -> None:
    paths = gguf_repo(hub, tmp_path)
    remote = resolve_remote("acme/Tiny-GGUF")
    assert same(remote.spec, resolve_model(str(paths["Q4_K_M"]), catalog).spec)
    listed = " ".join(remote.notes)
    assert "Q2_K" in listed and "Q8_0" in listed and "Q4_K_M" in listed
    assert "mmproj" not in listed
    named = "acme/Tiny-GGUF:Q4_K_M"
    assert answer(named, catalog, "acme/Tiny-GGUF/tiny-Q4_K_M.gguf") == answer(
        str(paths["Q4_K_M"]), catalog, str(paths["Q4_K_M"])
    )
    cmds = check(CheckQuery(model=named, hardware=("gpu-24",)), catalog).to_dict()
    assert cmds["commands"]["llama.cpp"].startswith("llama-server -hf acme/Tiny-GGUF:Q4_K_M ")


def test_with_hardware_a_gguf_repo_answers_with_the_best_file_that_fits(
    hub: HubServer, tmp_path: Path, catalog: Catalog
) -> None:
    paths = gguf_repo(hub, tmp_path)
    out = check(CheckQuery(model="acme/Tiny-GGUF", hardware=("gpu-24",)), catalog).to_dict()
    assert out["quant"] == "Q8_0"  # every file fits: the best of them
    assert any("the largest file in acme/Tiny-GGUF that fits" in n for n in out["notes"])
    assert answer("acme/Tiny-GGUF", catalog, "acme/Tiny-GGUF/tiny-Q8_0.gguf") == answer(
        str(paths["Q8_0"]), catalog, str(paths["Q8_0"])
    )


def test_a_gguf_repo_lists_its_files_as_data(hub: HubServer, tmp_path: Path) -> None:
    paths = gguf_repo(hub, tmp_path)
    got = read_remote("acme/Tiny-GGUF:Q8_0")
    assert got.source == "hub" and got.label == "acme/Tiny-GGUF"
    files = {f.quant: f for f in got.read.files}
    assert set(files) == {"Q2_K", "Q4_K_M", "Q8_0"}  # the projector is not a model file
    assert [f.quant for f in got.read.files if f.read] == ["Q8_0"]
    for q, path in paths.items():
        assert files[q].size_bytes == path.stat().st_size
        assert files[q].name == path.name and files[q].shards == 1
    assert got.read.config is None


def test_a_safetensors_repo_lists_its_shards_and_keeps_its_config(
    hub: HubServer, tmp_path: Path
) -> None:
    folder = sharded_folder(tmp_path / "Tiny-Llama")
    hub.add_repo("acme/Tiny-Llama", files_of(folder))
    got = read_remote(f"{hub.url}/acme/Tiny-Llama")
    shards = sorted(p.name for p in folder.glob("*.safetensors"))
    assert [f.name for f in got.read.files] == shards
    assert all(f.read and f.size_bytes == (folder / f.name).stat().st_size for f in got.read.files)
    assert got.read.config == json.loads((folder / "config.json").read_text())


def test_an_ollama_tag_lists_its_model_blob(hub: HubServer, tmp_path: Path) -> None:
    path = make_gguf(tmp_path)
    hub.add_ollama("tiny", "1b", path.read_bytes())
    got = read_remote("tiny:1b")
    assert got.source == "ollama" and got.label == "tiny:1b"
    (blob,) = got.read.files
    assert blob.read and blob.size_bytes == path.stat().st_size
    assert blob.quant == got.model.spec.weights.quant  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "quant", "expected"),
    [
        ("hf.co/acme/Tiny-GGUF:Q8_0", None, "Q8_0"),
        ("acme/Tiny-GGUF:q2_k", None, "Q2_K"),
        ("acme/Tiny-GGUF", "Q8_0", "Q8_0"),
        ("acme/Tiny-GGUF:Q2_K", "Q8_0", "Q2_K"),  # the reference's own quant wins
    ],
)
def test_the_named_quantization_is_read(
    hub: HubServer,
    tmp_path: Path,
    catalog: Catalog,
    text: str,
    quant: str | None,
    expected: str,
) -> None:
    paths = gguf_repo(hub, tmp_path)
    remote = resolve_remote(text, quant=quant)
    assert same(remote.spec, resolve_model(str(paths[expected]), catalog).spec)


def test_check_passes_its_quant_to_the_repo(
    hub: HubServer, tmp_path: Path, catalog: Catalog
) -> None:
    gguf_repo(hub, tmp_path)
    out = check(CheckQuery(model="acme/Tiny-GGUF", hardware=("gpu-24",), quant="Q8_0"), catalog)
    assert out.to_dict()["quant"] == "Q8_0"


def test_a_quantization_the_repo_lacks_names_the_ones_it_has(
    hub: HubServer, tmp_path: Path
) -> None:
    gguf_repo(hub, tmp_path)
    with pytest.raises(RemoteError, match=r"no Q6_K GGUF file; it has Q2_K, Q4_K_M, Q8_0"):
        resolve_remote("acme/Tiny-GGUF:Q6_K")


def test_a_split_gguf_is_read_across_its_shards(
    hub: HubServer, tmp_path: Path, catalog: Catalog
) -> None:
    make_gguf(tmp_path, filename="big-Q4_K_M.gguf", split_max_tensors=8)
    shards = sorted(tmp_path.glob("big-Q4_K_M-*-of-*.gguf"))
    assert len(shards) > 2
    hub.add_repo("acme/Split", {f"Q4_K_M/{p.name}": p.read_bytes() for p in shards})
    remote = resolve_remote("acme/Split")
    assert same(remote.spec, resolve_model(str(shards[0]), catalog).spec)
    # A URL to a later shard reads the same model.
    url = f"{hub.url}/acme/Split/resolve/main/Q4_K_M/{shards[-1].name}"
    assert same(resolve_remote(url).spec, remote.spec)


def test_a_missing_shard_is_one_line(hub: HubServer, tmp_path: Path) -> None:
    make_gguf(tmp_path, filename="big.gguf", split_max_tensors=8)
    shards = sorted(tmp_path.glob("big-*-of-*.gguf"))
    hub.add_repo("acme/Split", {p.name: p.read_bytes() for p in shards[:-1]})
    with pytest.raises(RunlocalError, match="missing"):
        resolve_remote("acme/Split")


def test_long_headers_are_read_by_growing_range_requests(
    hub: HubServer, tmp_path: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(RemoteFiles, "first_read", 4096)
    monkeypatch.setattr(RemoteFiles, "max_read", 16384)
    path = make_gguf(tmp_path, vocab=20_000, filename="wide-Q4_K_M.gguf")
    hub.add_repo("acme/Wide-GGUF", {path.name: path.read_bytes()})
    hub.reset_counts()
    remote = resolve_remote("acme/Wide-GGUF")
    assert same(remote.spec, resolve_model(str(path), catalog).spec)
    ranges = [line.split("bytes=")[1] for line in hub.log if "bytes=" in line]
    sizes = [int(b) - int(a) + 1 for a, b in (r.split("-") for r in ranges)]
    assert len(sizes) > 3 and max(sizes) == 16384 and sizes[0] == 4096
    assert sum(sizes) < path.stat().st_size  # never the whole file


# --- Ollama --------------------------------------------------------------------------


def test_an_ollama_tag_answers_as_its_blob_on_disk(
    hub: HubServer, tmp_path: Path, catalog: Catalog
) -> None:
    path = make_gguf(tmp_path)
    hub.add_ollama("tiny", "1b", path.read_bytes())
    remote = resolve_remote("tiny:1b")
    assert same(remote.spec, resolve_model(str(path), catalog).spec)
    assert answer("tiny:1b", catalog, "tiny:1b") == answer(str(path), catalog, str(path))


def test_remote_models_get_commands_that_fetch_them(
    hub: HubServer, tmp_path: Path, catalog: Catalog
) -> None:
    hub.add_ollama("tiny", "1b", make_gguf(tmp_path).read_bytes())
    cmds = check(CheckQuery(model="tiny:1b", hardware=("gpu-24",)), catalog).to_dict()["commands"]
    assert cmds["ollama"].startswith("ollama run tiny:1b")
    assert "-m " in cmds["llama.cpp"]  # llama.cpp cannot pull an Ollama blob by tag


def test_a_bare_ollama_name_reads_its_latest_tag(hub: HubServer, tmp_path: Path) -> None:
    hub.add_ollama("tiny", "latest", make_gguf(tmp_path).read_bytes())
    assert resolve_remote("tiny").spec.weights is not None


def test_an_unknown_bare_name_keeps_the_catalogs_suggestions(
    hub: HubServer, catalog: Catalog
) -> None:
    with pytest.raises(UnknownNameError, match="unknown model 'zzyzx'"):
        resolve_model("zzyzx", catalog)
    assert hub.log == ["/v2/library/zzyzx/manifests/latest"]


def test_an_unknown_ollama_tag_is_one_line(hub: HubServer, catalog: Catalog) -> None:
    with pytest.raises(RemoteError, match=r"ollama nothing:1b: not found"):
        resolve_model("nothing:1b", catalog)


def test_a_manifest_without_a_model_layer_is_refused(hub: HubServer, tmp_path: Path) -> None:
    hub.add_ollama("tiny", "1b", make_gguf(tmp_path).read_bytes())
    hub.ollama[("library/tiny", "1b")]["layers"] = []
    with pytest.raises(RemoteError, match="no model layer"):
        resolve_remote("tiny:1b")


_FUZZ: dict[str, bytes] = {}
