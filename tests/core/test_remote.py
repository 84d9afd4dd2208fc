"""runlocal.remote against a local Hub- and Ollama-shaped server (tests/core/hubserver.py):
every path, its errors, the cache and offline mode, and answers identical to the same files
read from disk."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runlocal.catalog import Catalog
from runlocal.cli import main
from runlocal.engine import CheckQuery, check
from runlocal.errors import RemoteError, RunlocalError, UnknownNameError
from runlocal.hfquant import hf_quant_label
from runlocal.remote import looks_remote, parse_ref, read_remote, resolve_remote
from runlocal.remote.objects import RemoteFiles
from runlocal.resolve.refs import HubRef, OllamaRef
from runlocal.sources import resolve_model
from runlocal.spec import ModelSpec

from .hubserver import Handler, HubServer
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


# --- errors --------------------------------------------------------------------------


def test_a_gated_repo_without_a_token_says_so(
    hub: HubServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = sharded_folder(tmp_path / "Gated")
    hub.add_repo("acme/Gated", files_of(folder), gated=True)
    with pytest.raises(RemoteError, match=r"gated repository; accept its terms.*HF_TOKEN"):
        resolve_remote("acme/Gated")
    monkeypatch.setenv("HF_TOKEN", hub.token)
    assert resolve_remote("acme/Gated").spec.weights is not None


def test_a_private_or_missing_repo_says_so(
    hub: HubServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hub.add_repo("acme/Private", files_of(sharded_folder(tmp_path / "P")), private=True)
    with pytest.raises(RemoteError, match=r"no such repository on the Hub \(if it is private"):
        resolve_remote("acme/Private")
    with pytest.raises(RemoteError, match="no such repository"):
        resolve_remote("acme/Missing")
    monkeypatch.setenv("HF_TOKEN", hub.token)
    assert resolve_remote("acme/Private").spec.weights is not None


def test_a_missing_file_and_revision_say_so(hub: HubServer, tmp_path: Path) -> None:
    hub.add_repo("acme/R", files_of(sharded_folder(tmp_path / "R")))
    with pytest.raises(RemoteError, match=r"no file 'x\.gguf'"):
        resolve_remote(f"{hub.url}/acme/R/blob/main/x.gguf")
    with pytest.raises(RemoteError, match="no such revision"):
        resolve_remote(f"{hub.url}/acme/R/tree/v9")
    hub.add_repo("acme/Empty", {"README.md": b"hi"})
    with pytest.raises(RemoteError, match=r"neither a config\.json nor GGUF"):
        resolve_remote("acme/Empty")
    hub.add_repo("acme/Pipe", {"model_index.json": b"{}"})
    with pytest.raises(RemoteError, match="diffusers"):
        resolve_remote("acme/Pipe")


def _answer_with(status: int, headers: dict[str, str], body: bytes = b"") -> Any:
    def fault(h: Handler) -> bool:
        h.reply(status, body, headers)
        return True

    return fault


def test_rate_limits_timeouts_and_server_errors_are_one_line(
    hub: HubServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hub.add_repo("acme/R", files_of(sharded_folder(tmp_path / "R")))
    hub.faults["/api/models/acme/R"] = _answer_with(429, {"Retry-After": "30"})
    with pytest.raises(RemoteError, match=r"rate limited .*HTTP 429.*retry after 30 s"):
        resolve_remote("acme/R")
    hub.faults["/api/models/acme/R"] = _answer_with(503, {})
    with pytest.raises(RemoteError, match="HTTP 503"):
        resolve_remote("acme/R")

    def slow(h: Handler) -> bool:
        time.sleep(1.5)
        return False

    hub.faults["/api/models/acme/R"] = slow
    monkeypatch.setenv("RUNLOCAL_HTTP_TIMEOUT", "0.3")
    with pytest.raises(RemoteError, match=r"timed out after 0\.3 s"):
        resolve_remote("acme/R")


def test_cli_errors_exit_2_with_one_line(
    hub: HubServer, capsys: pytest.CaptureFixture[str], catalog: Catalog
) -> None:
    assert main(["check", "acme/Missing", "--hardware", "gpu-24"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such repository" in err and "Traceback" not in err


def test_cli_check_json_for_a_hub_model(
    hub: HubServer, tmp_path: Path, capsys: pytest.CaptureFixture[str], catalog: Catalog
) -> None:
    hub.add_repo("acme/Tiny-Llama", files_of(sharded_folder(tmp_path / "Tiny-Llama")))
    assert main(["check", "acme/Tiny-Llama", "--hardware", "gpu-24", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["model"]["weights_exact"] is True
    assert out["speed"]["decode_tok_s"] is not None


# --- cache and offline mode -----------------------------------------------------------


def test_a_second_call_is_one_revalidated_listing(
    hub: HubServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, catalog: Catalog
) -> None:
    folder = sharded_folder(tmp_path / "Tiny-Llama")
    hub.add_repo("acme/Tiny-Llama", files_of(folder))
    first = resolve_remote("acme/Tiny-Llama")
    hub.reset_counts()
    second = resolve_remote("acme/Tiny-Llama")
    assert same(first.spec, second.spec)
    assert hub.log == ["/api/models/acme/Tiny-Llama?blobs=true"]
    # Offline: no request at all, the same answer.
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    hub.reset_counts()
    third = resolve_remote("acme/Tiny-Llama")
    assert same(first.spec, third.spec)
    assert hub.requests == 0


def test_a_changed_repo_is_read_again(hub: HubServer, tmp_path: Path) -> None:
    folder = sharded_folder(tmp_path / "Tiny-Llama")
    hub.add_repo("acme/Tiny-Llama", files_of(folder))
    before = resolve_remote("acme/Tiny-Llama").spec
    config = {**CONFIG, "max_position_embeddings": 8192}
    hub.repos["acme/Tiny-Llama"].files["config.json"] = json.dumps(config).encode()
    hub.repos["acme/Tiny-Llama"].sha = "b" * 40
    after = resolve_remote("acme/Tiny-Llama").spec
    assert (before.max_context, after.max_context) == (4096, 8192)


def test_offline_without_a_cached_copy_says_so(
    hub: HubServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(RemoteError, match="not in the cache and HF_HUB_OFFLINE is set"):
        resolve_remote("acme/Anything")
    assert hub.requests == 0


def test_gguf_and_ollama_headers_are_cached(
    hub: HubServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gguf_repo(hub, tmp_path)
    hub.add_ollama("tiny", "1b", make_gguf(tmp_path).read_bytes())
    resolve_remote("acme/Tiny-GGUF")
    resolve_remote("tiny:1b")
    hub.reset_counts()
    resolve_remote("acme/Tiny-GGUF")
    resolve_remote("tiny:1b")
    assert hub.log == [
        "/api/models/acme/Tiny-GGUF?blobs=true",
        "/v2/library/tiny/manifests/1b",
    ]
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    hub.reset_counts()
    resolve_remote("acme/Tiny-GGUF")
    resolve_remote("tiny:1b")
    assert hub.requests == 0
    # Offline, a quantization never read before is not in the cache.
    with pytest.raises(RemoteError, match="HF_HUB_OFFLINE"):
        resolve_remote("acme/Tiny-GGUF:Q8_0")


def test_the_cache_can_be_turned_off(
    hub: HubServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUNLOCAL_CACHE_DIR", "")
    hub.add_repo("acme/Tiny-Llama", files_of(sharded_folder(tmp_path / "T")))
    resolve_remote("acme/Tiny-Llama")
    hub.reset_counts()
    resolve_remote("acme/Tiny-Llama")
    assert hub.requests > 1


# --- hostile servers -----------------------------------------------------------------


def test_a_server_that_ignores_range_sends_no_more_than_was_asked(
    hub: HubServer, tmp_path: Path, catalog: Catalog
) -> None:
    path = make_gguf(tmp_path, filename="t-Q4_K_M.gguf")
    hub.add_repo("acme/T", {path.name: path.read_bytes()})

    def no_range(h: Handler) -> bool:
        body = path.read_bytes()
        h.reply(200, body, {})
        return True

    hub.faults["/cdn/"] = no_range
    assert same(resolve_remote("acme/T").spec, resolve_model(str(path), catalog).spec)


@pytest.mark.parametrize(
    ("status", "headers", "body", "match"),
    [
        (206, {"Content-Range": "bytes 0-9/999999"}, b"GGUF", "sent 4 bytes for a range"),
        (206, {"Content-Range": "bytes 50-60/999999"}, b"x" * 11, "different byte range"),
        (200, {}, b"\x00" * 64, "sent 64 bytes for a range"),
        (302, {"Location": "/nowhere"}, b"", "not found"),
    ],
)
def test_bad_file_responses_are_one_line(
    hub: HubServer,
    tmp_path: Path,
    status: int,
    headers: dict[str, str],
    body: bytes,
    match: str,
) -> None:
    path = make_gguf(tmp_path, filename="t-Q4_K_M.gguf")
    hub.add_repo("acme/T", {path.name: path.read_bytes()})
    hub.faults["/cdn/"] = _answer_with(status, headers, body)
    with pytest.raises(RunlocalError, match=match):
        resolve_remote("acme/T")


@pytest.mark.parametrize(
    "body",
    [b"", b"[]", b"{", b'{"id": "acme/G", "siblings": [{"rfilename": "../x"}]}', b"\xff" * 100],
)
def test_garbage_listings_are_one_line(hub: HubServer, body: bytes) -> None:
    hub.faults["/api/models/acme/G"] = _answer_with(200, {}, body)
    with pytest.raises(RemoteError):
        resolve_remote("acme/G")


def test_an_oversized_document_is_refused(
    hub: HubServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from runlocal.remote import ollama

    monkeypatch.setattr(ollama, "_MAX_MANIFEST_BYTES", 1000)
    hub.add_ollama("tiny", "1b", make_gguf(tmp_path).read_bytes())
    hub.ollama[("library/tiny", "1b")]["padding"] = "x" * 5000
    with pytest.raises(RemoteError, match="response over 1,000 bytes"):
        resolve_remote("tiny:1b")


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_fuzzed_files_raise_only_runlocal_errors(
    hub: HubServer, tmp_path: Path, data: st.DataObject
) -> None:
    """Truncated, flipped and garbage GGUF and safetensors files served remotely."""
    base = _fuzz_sources(tmp_path)
    kind = data.draw(st.sampled_from(sorted(base)))
    raw = bytearray(base[kind])
    action = data.draw(st.sampled_from(["truncate", "flip", "garbage"]))
    if action == "truncate":
        raw = raw[: data.draw(st.integers(0, len(raw)))]
    elif action == "flip":
        for _ in range(data.draw(st.integers(1, 8))):
            i = data.draw(st.integers(0, len(raw) - 1))
            raw[i] = data.draw(st.integers(0, 255))
    else:
        raw = bytearray(data.draw(st.binary(max_size=4096)))
    repo = f"acme/F{data.draw(st.integers(0, 10**9))}"
    if kind == "gguf":
        hub.add_repo(repo, {"f-Q4_K_M.gguf": bytes(raw)})
    else:
        hub.add_repo(repo, {"config.json": json.dumps(CONFIG).encode(), kind: bytes(raw)})
    # Anything but a RunlocalError (a traceback for the user) fails the test.
    with contextlib.suppress(RunlocalError):
        resolve_remote(repo)


_FUZZ: dict[str, bytes] = {}


def _fuzz_sources(tmp_path: Path) -> dict[str, bytes]:
    if not _FUZZ:
        _FUZZ["gguf"] = make_gguf(tmp_path, filename="fuzz.gguf").read_bytes()
        st_path = write_safetensors(tmp_path / "fuzz.safetensors", llama_tensors(range(4)))
        _FUZZ["model.safetensors"] = st_path.read_bytes()
    return _FUZZ


def test_the_cli_cold_start_does_not_import_an_http_client(catalog_dir: Path) -> None:
    code = (
        "import sys, io, contextlib\n"
        "from runlocal.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['check', 'Llama 3.1 8B', '--hardware', 'gpu-24'])\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('huggingface_hub', 'httpx2', 'httpx', 'runlocal')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "huggingface_hub" not in out and "httpx" not in out
    assert "runlocal.remote" not in out


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    status=st.sampled_from([200, 206, 206, 206, 301, 304, 400, 404, 416, 429, 500, 503]),
    start=st.integers(0, 5000),
    length=st.integers(0, 5000),
    total=st.one_of(st.none(), st.integers(0, 10**12)),
    body=st.binary(max_size=3000),
)
def test_fuzzed_range_responses_raise_only_runlocal_errors(
    hub: HubServer,
    tmp_path: Path,
    status: int,
    start: int,
    length: int,
    total: int | None,
    body: bytes,
) -> None:
    """Whatever status, Content-Range and body a CDN sends to a range request."""
    if "acme/T" not in hub.repos:
        path = make_gguf(tmp_path, filename="t-Q4_K_M.gguf")
        hub.add_repo("acme/T", {path.name: path.read_bytes()})

    def fault(h: Handler) -> bool:
        rng = f"bytes {start}-{start + length}/{'*' if total is None else total}"
        h.reply(status, body, {"Content-Range": rng, "Location": "/cdn/elsewhere"})
        return True

    hub.faults["/cdn/"] = fault
    with contextlib.suppress(RunlocalError):
        resolve_remote("acme/T")


@given(
    size=st.integers(1, 400),
    pieces=st.lists(st.tuples(st.integers(0, 399), st.integers(1, 60)), max_size=12),
    probes=st.lists(st.tuples(st.integers(0, 399), st.integers(0, 60)), max_size=12),
)
def test_cache_entries_merge_pieces_exactly(
    size: int, pieces: list[tuple[int, int]], probes: list[tuple[int, int]]
) -> None:
    from runlocal.remote.cache import Entry

    ref = bytes(range(256)) * 2
    ref = ref[:size]
    entry = Entry("k", None, size)
    covered = bytearray(size)
    for start, n in pieces:
        end = min(size, start + n)
        if start >= end:
            continue
        entry.add(start, ref[start:end])
        covered[start:end] = b"\x01" * (end - start)
    for start, n in probes:
        end = min(size, start + n)
        got = entry.read(start, end)
        if got is not None:
            assert got == ref[start:end]
        elif start < end:
            assert not all(covered[start:end])  # covered bytes are always served
    assert sum(len(p) for p in entry.segments.values()) == sum(covered)
