"""`runlocal catalog candidates` against recorded answers served from a local HTTP server."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import threading
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from runlocal import cli
from runlocal.candidates import base_name, find_candidates, write_drafts
from runlocal.catalog import load_catalog
from runlocal.errors import InputError

from .factories import LLAMA_3_1_8B

DATA = Path(__file__).parent / "data" / "candidates"
NEMOTRON_H_CONFIG = {  # keys as nemotron_h configs carry them; the engine cannot size the pattern
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
        "/nvidia/NVIDIA-Nemotron-3-Super-120B-A12B-BF16/resolve/main/config.json": (
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
    # New LLMs are listed; models the catalog has (also as a repackaged GGUF) and other
    # pipelines are not.
    assert hub == [
        "unsloth/Qwen3.8-Flash-Next-GGUF",
        "example-org/TinyLlama-Next",
        "nvidia/NVIDIA-Nemotron-3-Super-120B-A12B-BF16",
    ]
    first = report.candidates[0]
    assert (first.downloads, first.likes, first.created) == (1160000, 909, "2026-11-20")

    ollama = [c.name for c in report.candidates if c.source == "ollama"]
    assert ollama == ["qwen3.8", "nemotron-3-super"]

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
    assert names == ["nvidia-nemotron-3-super-120b-a12b.toml", "tinyllama-next.toml"]

    draft = tomllib.loads((tmp_path / "tinyllama-next.toml").read_text())
    assert draft["hf_repo"] == "example-org/TinyLlama-Next"
    assert draft["architecture"]["hidden_size"] == 4096
    assert 7.9 <= draft["params_total_b"] <= 8.1  # counted by the engine from the config
    assert draft["added"] == dt.date(2026, 12, 6)
    assert draft["reviewed_by"].startswith("draft")

    unsized = tomllib.loads((tmp_path / "nvidia-nemotron-3-super-120b-a12b.toml").read_text())
    assert "params_total_b" not in unsized and "could not size" in unsized["notes"]
    # The Qwen3.8 GGUF repository has no config.json here: reported, not fatal.
    assert any("Qwen3.8-Flash-Next-GGUF" in u for u in report.unreachable)
    # A second run leaves existing drafts alone.
    assert write_drafts(report, tmp_path, env=_env(server)) == []


def test_the_command_prints_json(
    server: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for key, value in _env(server).items():
        monkeypatch.setenv(key, value)
    assert cli.main(["catalog", "candidates", "--source", "ollama", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [c["name"] for c in out["candidates"]] == ["qwen3.8", "nemotron-3-super"]


def test_base_names_drop_owners_and_repackaging() -> None:
    assert base_name("unsloth/Qwen3-Coder-Next-GGUF") == "Qwen3-Coder-Next"
    assert base_name("mlx-community/gpt-oss-20b-MXFP4-Q8") == "gpt-oss-20b-MXFP4-Q8"
    assert base_name("Qwen/Qwen3.6-27B-FP8") == "Qwen3.6-27B"
    assert base_name("qwen3-coder-next:80b") == "qwen3-coder-next"
