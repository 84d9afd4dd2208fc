"""runlocal.remote's cache against a local Hub-shaped server (tests/core/hubserver.py): revalidated
listings, changed repos, offline mode, cached headers, pieces merged exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runlocal.catalog import Catalog
from runlocal.errors import RemoteError
from runlocal.remote import resolve_remote

from .hubserver import HubServer
from .test_gguf import make_gguf, same
from .test_remote import CONFIG, files_of, gguf_repo, sharded_folder

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
