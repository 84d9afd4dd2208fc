"""The JSON API's catalog endpoints: models, hardware, glossary, errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache

from . import factory
from .test_api_check import assert_error, fields


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


def _record(root: Path, kind: str, eid: str, name: str, **fields: Any) -> None:
    factory.record(root, kind, eid, name, fields, sources=[f"https://example.org/{kind}/{eid}"])


@pytest.fixture
def kb(tiny: Path) -> Path:
    """The tiny catalog plus two glossary terms, two known errors and more models."""
    _record(
        tiny,
        "glossary",
        "kv-cache",
        "KV cache",
        category="memory",
        short="What attention keeps per token.",
        definition="Keys and values of every past token.",
    )
    _record(
        tiny,
        "glossary",
        "quantization",
        "Quantization",
        category="quantization",
        short="Fewer bits per weight.",
        definition="Storing weights in fewer bits.",
    )
    _record(
        tiny,
        "errors",
        "cuda-oom",
        "CUDA out of memory",
        runtime="llama.cpp; Ollama (and apps using it)",
        error="CUDA error: out of memory",
        symptom="The model stops loading.",
        category="out-of-memory",
        cause="Too little VRAM.",
        fix=["Lower the context."],
    )
    _record(
        tiny,
        "errors",
        "vllm-kv",
        "vLLM KV cache too small",
        runtime="vLLM",
        error="ValueError: The model's max seq len is larger than the KV cache",
        symptom="vLLM refuses to start.",
        category="config",
        cause="Too long a context.",
        fix=["Pass --max-model-len."],
    )
    for i in range(5):
        factory.model(
            tiny,
            f"extra-{i}b",
            name=f"Extra {i}B",
            aliases=[],
            family="qwen",
            params_total_b=float(i + 1),
            params_active_b=float(i + 1),
        )
    factory.sync()
    return tiny


def test_it_lists_models_with_full_records(client: Any, kb: Path) -> None:
    r = client.get("/api/v1/models")
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 7 and body["offset"] == 0 and body["limit"] == 50
    assert body["next"] is None and body["previous"] is None
    names = [m["name"] for m in body["items"]]
    assert names == sorted(names, key=str.casefold)
    llama = next(m for m in body["items"] if m["id"] == "testllama-8b")
    assert llama["architecture"]["num_hidden_layers"] == 32
    assert llama["aliases"] == ["TL 8B"] and llama["last_verified"] == "2026-01-15"
    assert llama["links"]["self"] == "http://testserver/api/v1/models/testllama-8b"
    assert llama["links"]["html"] == "http://testserver/models/testllama-8b/"


def test_it_paginates_with_links(client: Any, kb: Path) -> None:
    first = client.get("/api/v1/models", {"family": "qwen", "limit": 2}).json()
    assert first["count"] == 5 and len(first["items"]) == 2
    assert first["previous"] is None
    assert "family=qwen" in first["next"] and "offset=2" in first["next"]
    second = client.get(first["next"]).json()
    assert second["offset"] == 2 and len(second["items"]) == 2
    assert "offset=0" in second["previous"]
    last = client.get(second["next"]).json()
    assert len(last["items"]) == 1 and last["next"] is None
    seen = [m["id"] for page in (first, second, last) for m in page["items"]]
    assert len(set(seen)) == 5
    past = client.get("/api/v1/models", {"offset": 100})
    assert past.status_code == 404 and past.json()["error"] == "offset: 100 is out of range (0–6)"


def test_it_filters_models(client: Any, kb: Path) -> None:
    def ids(**params: Any) -> list[str]:
        r = client.get("/api/v1/models", params)
        assert r.status_code == 200, r.content
        return [m["id"] for m in r.json()["items"]]

    assert ids(family="LLAMA") == ["testllama-70b", "testllama-8b"]
    assert ids(min_params_b=60) == ["testllama-70b"]
    assert ids(max_params_b=2) == ["extra-0b", "extra-1b"]
    assert ids(q="tl 8b") == ["testllama-8b"]
    assert ids(modality="vision-language") == []


def test_it_refuses_bad_list_parameters(client: Any, kb: Path) -> None:
    assert fields(assert_error(client.get("/api/v1/models", {"limit": 0}), 422)) == {"limit"}
    assert fields(assert_error(client.get("/api/v1/models", {"limit": 501}), 422)) == {"limit"}
    assert fields(assert_error(client.get("/api/v1/models", {"offset": -1}), 422)) == {"offset"}
    r = client.get("/api/v1/models", {"famly": "llama"})
    assert fields(assert_error(r, 422)) == {"famly"}
    r = client.get("/api/v1/hardware", {"min_memory_gib": "lots"})
    assert fields(assert_error(r, 422)) == {"min_memory_gib"}


def test_it_shows_one_model(client: Any, kb: Path) -> None:
    r = client.get("/api/v1/models/testllama-70b")
    assert r.status_code == 200
    body = r.json()
    assert body["id"] == "testllama-70b" and body["params_total_b"] == 70.6
    assert r.has_header("ETag")


def test_it_answers_404_for_unknown_ids_with_suggestions(client: Any, kb: Path) -> None:
    body = assert_error(client.get("/api/v1/models/tl-8b"), 404)
    assert body["errors"][0]["suggestions"] == ["testllama-8b"]
    body = assert_error(client.get("/api/v1/models/nothing-like-it"), 404)
    assert "nothing-like-it" in body["error"]
    assert_error(client.get("/api/v1/hardware/rtx-9999"), 404)
    assert_error(client.get("/api/v1/glossary/nope"), 404)
    assert_error(client.get("/api/v1/errors/nope"), 404)
    assert_error(client.get("/api/v1/models/testllama-8b", {"x": "1"}), 422)


def test_it_lists_and_filters_hardware(client: Any, kb: Path) -> None:
    def ids(**params: Any) -> list[str]:
        r = client.get("/api/v1/hardware", params)
        assert r.status_code == 200, r.content
        return [h["id"] for h in r.json()["items"]]

    assert ids() == ["testgpu-24gb", "testmac-m9-max"]
    assert ids(vendor="apple") == ["testmac-m9-max"]
    assert ids(kind="gpu") == ["testgpu-24gb"]
    assert ids(min_memory_gib=32) == ["testmac-m9-max"]
    assert ids(max_memory_gib=32) == ["testgpu-24gb"]
    assert ids(min_bandwidth_gb_s=600) == ["testgpu-24gb"]
    assert ids(backend="metal") == ["testmac-m9-max"]
    assert ids(segment="laptop") == ["testmac-m9-max"]
    assert ids(q="m9") == ["testmac-m9-max"]
    one = client.get("/api/v1/hardware/testmac-m9-max").json()
    assert one["memory_configs_gib"] == [36.0, 48.0, 64.0, 128.0]
    assert one["links"]["html"].endswith("/hardware/testmac-m9-max/")


def test_it_serves_the_glossary(client: Any, kb: Path) -> None:
    body = client.get("/api/v1/glossary").json()
    assert [t["id"] for t in body["items"]] == ["kv-cache", "quantization"]
    body = client.get("/api/v1/glossary", {"category": "memory"}).json()
    assert [t["id"] for t in body["items"]] == ["kv-cache"]
    term = client.get("/api/v1/glossary/kv-cache").json()
    assert term["short"] == "What attention keeps per token."


def test_it_serves_known_errors(client: Any, kb: Path) -> None:
    body = client.get("/api/v1/errors").json()
    assert body["count"] == 2
    body = client.get("/api/v1/errors", {"runtime": "ollama"}).json()
    assert [e["id"] for e in body["items"]] == ["cuda-oom"]
    body = client.get("/api/v1/errors", {"category": "config"}).json()
    assert [e["id"] for e in body["items"]] == ["vllm-kv"]
    body = client.get("/api/v1/errors", {"q": "max seq len"}).json()
    assert [e["id"] for e in body["items"]] == ["vllm-kv"]
    one = client.get("/api/v1/errors/cuda-oom").json()
    assert one["fix"] == ["Lower the context."]


def test_it_answers_an_empty_catalog(client: Any, catalog_dir: Path, db: Any) -> None:
    body = client.get("/api/v1/models").json()
    assert body["count"] == 0 and body["items"] == []
    assert_error(client.get("/api/v1/models/anything"), 404)
