"""Site search: normalized word matching on the mirrored records, exact names ranked first."""

from __future__ import annotations

from pathlib import Path

import pytest

from runlocal_web.reference.views.search import rank

from . import factory
from .factory import glossary, reference_catalog

pytestmark = pytest.mark.django_db


@pytest.fixture
def ref(catalog_dir: Path, db) -> Path:
    reference_catalog(catalog_dir)
    factory.sync()
    return catalog_dir


def search(client, q: str) -> dict:
    r = client.get("/search/", {"q": q, "format": "json"})
    assert r.status_code == 200, r.content[:300]
    return r.json()


def ids(doc: dict, kind: str) -> list[str]:
    return [h["id"] for g in doc["groups"] if g["kind"] == kind for h in g["results"]]


def test_it_shows_an_empty_search_form_without_a_query(client, ref) -> None:
    r = client.get("/search/")
    assert r.status_code == 200
    assert b'<input id="search-q" name="q" type="search"' in r.content
    assert search(client, "")["groups"] == []
    assert search(client, "   ")["total"] == 0


def test_it_finds_every_kind_it_covers(client, ref) -> None:
    assert ids(search(client, "testllama 8b"), "models")[0] == "testllama-8b"
    assert ids(search(client, "TG 24"), "hardware") == ["testgpu-24gb"]
    assert ids(search(client, "vllm"), "runtimes") == ["vllm"]
    assert ids(search(client, "kv cache"), "glossary")[0] == "kv-cache"
    assert ids(search(client, "out of memory"), "errors") == ["cuda-out-of-memory"]
    assert ids(search(client, "best gpu"), "guides") == ["best-gpu-for-local-ai"]
    assert ids(search(client, "can testllama"), "answers") == [
        "can-testllama-8b-run-on-testgpu-24gb"
    ]
    assert ids(search(client, "basics"), "learn") == ["local-ai-basics"]
    assert ids(search(client, "testllama chat"), "kits") == ["testllama-chat"]


def test_it_ignores_case_and_punctuation(client, ref) -> None:
    for q in ("KV-Cache", "kv_cache", "  KV   CACHE ", "kv.cache"):
        assert ids(search(client, q), "glossary")[0] == "kv-cache", q
    assert ids(search(client, "q4_k_m"), "glossary")[0] == "q4-k-m"


def test_it_ranks_exact_and_alias_matches_first(client, ref) -> None:
    doc = search(client, "Q4_K_M")
    assert doc["best"][0] == {
        "kind": "glossary",
        "id": "q4-k-m",
        "name": "Q4_K_M",
        "url": "/glossary/q4-k-m/",
    }
    # An alias is an exact match too.
    doc = search(client, "video memory")
    assert [b["id"] for b in doc["best"]] == ["vram"]
    # The exact name beats a term that merely mentions the word.
    glossary(factory_root(client), "kv-cache-quantization", name="KV cache quantization",
             aliases=[], short="Storing the KV cache in 8 or 4 bits.")  # fmt: skip
    factory.sync()
    assert ids(search(client, "kv cache"), "glossary")[:2] == [
        "kv-cache",
        "kv-cache-quantization",
    ]
    assert ids(search(client, "kv cache quant"), "glossary")[0] == "kv-cache-quantization"


def factory_root(client) -> Path:
    from django.conf import settings

    return Path(settings.RUNLOCAL_CATALOG_DIR)


def test_it_ranks_by_exact_then_prefix_then_name_then_text() -> None:
    assert rank("kv cache", ["kv", "cache"], "kv-cache", "KV cache", []) == 0
    assert rank("video memory", ["video", "memory"], "vram", "VRAM", ["video memory"]) == 0
    assert rank("kv", ["kv"], "kv-cache", "KV cache", []) == 1
    assert rank("cache kv", ["cache", "kv"], "kv-cache", "KV cache", []) == 2
    assert rank("grows", ["grows"], "kv-cache", "KV cache", []) == 3


def test_it_says_when_nothing_matches(client, ref) -> None:
    doc = search(client, "zzzzqqq")
    assert doc["total"] == 0 and doc["groups"] == []
    assert "Nothing matches" in client.get("/search/", {"q": "zzzzqqq"}).content.decode()


@pytest.mark.parametrize("q", ["\x00", "a" * 201, "kv\x00cache"])
def test_it_refuses_a_query_it_cannot_search(client, ref, q: str) -> None:
    r = client.get("/search/", {"q": q})
    assert r.status_code == 400
    r = client.get("/search/", {"q": q, "format": "json"})
    assert r.status_code == 400 and "q" in r.json()["errors"]


def test_it_echoes_the_query_escaped(client, ref) -> None:
    r = client.get("/search/", {"q": "<script>alert(1)</script>"})
    assert r.status_code == 200
    assert b"<script>alert(1)" not in r.content
    assert b"&lt;script&gt;" in r.content
