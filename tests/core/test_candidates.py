"""`runlocal catalog candidates` against recorded answers served from a local HTTP server."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import threading
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from runlocal import cli
from runlocal.candidates import base_name, find_candidates, remote_draft, write_drafts
from runlocal.catalog import iter_errors, load_catalog
from runlocal.errors import InputError
from runlocal.hfconfig import spec_from_config

from .factories import GEMMA_2_9B, LLAMA_3_1_8B, MIXTRAL_8X7B

DATA = Path(__file__).parent / "data" / "candidates"
NEMOTRON_H_CONFIG = {  # a nemotron_h pattern without its Mamba-2 sizes: the engine cannot size it
    "model_type": "nemotron_h",
    "hidden_size": 4096,
    "num_hidden_layers": 4,
    "num_attention_heads": 32,
    "num_key_value_heads": 2,
    "vocab_size": 131072,
    "hybrid_override_pattern": "MEM*",
}


def _routes() -> dict[str, tuple[str, bytes]]:
    return {
        "/api/models": ("application/json", (DATA / "hub-trending.json").read_bytes()),
        "/library": ("text/html", (DATA / "ollama-newest.html").read_bytes()),
        "/convert_hf_to_gguf.py": (
            "text/plain",
            (DATA / "convert_hf_to_gguf.py.txt").read_bytes(),
        ),
        "/example-org/TinyLlama-Next/resolve/main/config.json": (
            "application/json",
            json.dumps(LLAMA_3_1_8B).encode(),
        ),
        "/example-org/Hybrid-Next/resolve/main/config.json": (
            "application/json",
            json.dumps(NEMOTRON_H_CONFIG).encode(),
        ),
    }


@pytest.fixture
def server() -> Iterator[str]:
    routes = _routes()
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            path = self.path.split("?", 1)[0]
            if path not in routes:
                self.send_error(404)
                return
            kind, body = routes[path]
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def _env(base: str) -> dict[str, str]:
    return {
        "HF_ENDPOINT": base,
        "RUNLOCAL_OLLAMA_ENDPOINT": base,
        "RUNLOCAL_LLAMACPP_SOURCE": f"{base}/convert_hf_to_gguf.py",
    }


def test_it_lists_what_is_popular_and_not_in_the_catalog(server: str) -> None:
    report = find_candidates(load_catalog(), env=_env(server))
    hub = [c.name for c in report.candidates if c.source == "hub"]
    # New LLMs are listed; models the catalog has (also as a repackaged GGUF, and Nemotron 3
    # Super, Qwen3.8-Flash-Next and Qwen3.5-397B-A17B since the catalog added them) and other
    # pipelines are not.
    assert hub == [
        "example-org/Vision-Next-GGUF",
        "example-org/TinyLlama-Next",
        "example-org/Hybrid-Next",
    ]
    first = report.candidates[0]
    assert (first.downloads, first.likes, first.created) == (64000, 210, "2026-11-24")

    ollama = [c.name for c in report.candidates if c.source == "ollama"]
    assert ollama == ["granite4.1"]  # qwen3.8 and nemotron-3-super are in the catalog now

    arch = {c.name for c in report.candidates if c.source == "llama.cpp"}
    assert "BailingMoeV2ForCausalLM" in arch and "LagunaForCausalLM" in arch
    # Architectures catalog models already use are not candidates.
    assert not arch & {"LlamaForCausalLM", "Glm4MoeForCausalLM", "MiniMaxM2ForCausalLM"}
    assert report.unreachable == []


def test_a_source_that_fails_is_reported_and_the_others_still_answer(server: str) -> None:
    env = _env(server) | {"RUNLOCAL_OLLAMA_ENDPOINT": f"{server}/missing"}
    report = find_candidates(load_catalog(), env=env)
    assert any(c.source == "hub" for c in report.candidates)
    assert len(report.unreachable) == 1 and report.unreachable[0].startswith("ollama: ")
    assert "HTTP 404" in report.unreachable[0]


def test_offline_it_says_so_in_one_line() -> None:
    env = _env("http://127.0.0.1:9")  # the discard port: nothing listens
    with pytest.raises(InputError, match="no source answered"):
        find_candidates(load_catalog(), env=env, sources=["hub"])
    with pytest.raises(InputError, match="unknown source"):
        find_candidates(load_catalog(), env=env, sources=["pypi"])


def test_drafts_come_from_config_json(server: str, tmp_path: Path) -> None:
    report = find_candidates(load_catalog(), env=_env(server), sources=["hub"])
    written = write_drafts(report, tmp_path, env=_env(server), today=dt.date(2026, 12, 6))
    names = sorted(p.name for p in written)
    assert names == ["hybrid-next.toml", "tinyllama-next.toml"]

    draft = tomllib.loads((tmp_path / "tinyllama-next.toml").read_text())
    assert draft["hf_repo"] == "example-org/TinyLlama-Next"
    assert draft["architecture"]["hidden_size"] == 4096
    assert 7.9 <= draft["params_total_b"] <= 8.1  # counted by the engine from the config
    assert draft["added"] == dt.date(2026, 12, 6)
    assert draft["reviewed_by"].startswith("draft")

    unsized = tomllib.loads((tmp_path / "hybrid-next.toml").read_text())
    assert "params_total_b" not in unsized and "could not size" in unsized["notes"]
    # The GGUF repository has no config.json here: reported, not fatal.
    assert any("Vision-Next-GGUF" in u for u in report.unreachable)
    # A second run leaves existing drafts alone.
    assert write_drafts(report, tmp_path, env=_env(server)) == []


def test_the_command_prints_json(
    server: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for key, value in _env(server).items():
        monkeypatch.setenv(key, value)
    assert cli.main(["catalog", "candidates", "--source", "ollama", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [c["name"] for c in out["candidates"]] == ["granite4.1"]


def test_base_names_drop_owners_and_repackaging() -> None:
    assert base_name("unsloth/Qwen3-Coder-Next-GGUF") == "Qwen3-Coder-Next"
    assert base_name("mlx-community/gpt-oss-20b-MXFP4-Q8") == "gpt-oss-20b-MXFP4-Q8"
    assert base_name("Qwen/Qwen3.6-27B-FP8") == "Qwen3.6-27B"
    assert base_name("qwen3-coder-next:80b") == "qwen3-coder-next"


# --- drafts from models read remotely ---------------------------------------------------------


def _check_draft(root: Path, text: str) -> dict[str, Any]:
    """The draft as `runlocal catalog check` sees it in a catalog of its own."""
    draft = tomllib.loads(text)
    (root / "models").mkdir(parents=True, exist_ok=True)
    (root / "models" / f"{draft['id']}.toml").write_text(text, encoding="utf-8")
    assert [str(e) for e in iter_errors(root)] == []
    return draft


@pytest.mark.parametrize("config", [LLAMA_3_1_8B, GEMMA_2_9B, MIXTRAL_8X7B])
def test_a_gguf_read_drafts_the_same_architecture_as_its_config(
    config: dict[str, Any], tmp_path: Path
) -> None:
    spec = spec_from_config(config, name="m")
    text = remote_draft("ollama", "m:8b", "https://example.org/m", spec, None, dt.date(2026, 12, 6))
    draft = _check_draft(tmp_path, text)
    again = spec_from_config(draft["architecture"], name="m")
    assert again.params_total == spec.params_total
    assert again.params_active == spec.params_active
    assert [(la.kind, la.n_kv_heads, la.head_dim_k) for la in again.layers] == [
        (la.kind, la.n_kv_heads, la.head_dim_k) for la in spec.layers
    ]
    assert draft["ollama_tag"] == "m:8b" and "hf_repo" not in draft
    assert draft["reviewed_by"] == "draft: not reviewed"
    assert "# TO DO: family, license" in text


def test_a_config_read_from_the_hub_drafts_its_own_keys(tmp_path: Path) -> None:
    spec = spec_from_config(LLAMA_3_1_8B, name="Llama")
    url = "https://example.org/acme/Llama-8B"
    text = remote_draft("hub", "acme/Llama-8B", url, spec, LLAMA_3_1_8B, dt.date(2026, 12, 6))
    draft = _check_draft(tmp_path, text)
    assert draft["hf_repo"] == "acme/Llama-8B"
    assert draft["sources"] == [url, url + "/blob/main/config.json"]
    assert {k: draft["architecture"][k] for k in LLAMA_3_1_8B if k in draft["architecture"]} == {
        k: v for k, v in LLAMA_3_1_8B.items() if not isinstance(v, dict | list)
    }
