"""runlocal.remote's refusals against a local Hub- and Ollama-shaped server
(tests/core/hubserver.py): gated, private and missing repos, rate limits and server errors,
hostile servers (ranges ignored, bad or oversized responses, fuzzed files)."""

from __future__ import annotations

import contextlib
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
from runlocal.errors import RemoteError, RunlocalError
from runlocal.remote import resolve_remote
from runlocal.sources import resolve_model

from .hubserver import Handler, HubServer
from .test_gguf import make_gguf, same
from .test_remote import _FUZZ, CONFIG, files_of, sharded_folder
from .test_safetensors import llama_tensors, write_safetensors

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
