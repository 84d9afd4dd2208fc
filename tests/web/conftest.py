from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.core.hubserver import HubServer

from . import factory


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """Rate-limit counters (the "limits" cache) from other tests never count against this one."""
    from django.core.cache import caches

    caches["limits"].clear()


@pytest.fixture(autouse=True)
def _closed_breaker(monkeypatch) -> None:
    """The database breaker (ops.middleware.Breaker) starts closed and, unless a test says
    otherwise, retries at once: a database failure simulated by one test never answers
    another test's request."""
    from runlocal_web.ops.middleware import breaker

    breaker.succeeded()
    monkeypatch.setattr(breaker, "seconds", 0.0)
    yield
    breaker.succeeded()


@pytest.fixture
def real_catalog(settings, monkeypatch, db) -> None:
    """The project's own catalog synced, every page rendered (no page cache) and nothing
    cached from an earlier test: what a question about real models and hardware asks."""
    from django.core.cache import cache

    from runlocal.catalog import CATALOG_DIR

    monkeypatch.delenv("RUNLOCAL_CATALOG_DIR", raising=False)
    settings.RUNLOCAL_CATALOG_DIR = CATALOG_DIR
    settings.RUNLOCAL_PAGE_CACHE_SECONDS = 0
    cache.clear()
    factory.sync()


@pytest.fixture
def catalog_dir(tmp_path: Path, settings) -> Path:
    """An empty catalog folder that the app reads (RUNLOCAL_CATALOG_DIR points at it)."""
    root = tmp_path / "catalog"
    for kind in ("models", "hardware", "benchmarks"):
        (root / kind).mkdir(parents=True)
    settings.RUNLOCAL_CATALOG_DIR = root
    return root


@pytest.fixture
def tiny(catalog_dir: Path, db) -> Path:
    """The two-model, two-device catalog, synced into the test database."""
    factory.tiny_catalog(catalog_dir)
    factory.sync()
    return catalog_dir


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Any) -> Iterator[HubServer]:
    """The Hub- and Ollama-registry-shaped local server (tests/core/hubserver.py) with one GGUF
    repo (acme/T) and one tag (tiny:1b), and the site reading remote models from it."""
    from django.core.cache import cache

    from tests.core.hubserver import serve
    from tests.core.test_gguf import make_gguf

    cache.clear()
    monkeypatch.setenv("RUNLOCAL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    with serve() as s:
        monkeypatch.setenv("HF_ENDPOINT", s.url)
        monkeypatch.setenv("RUNLOCAL_OLLAMA_REGISTRY", s.url)
        path = make_gguf(tmp_path, filename="t-Q4_K_M.gguf")
        s.add_repo("acme/T", {path.name: path.read_bytes()})
        s.add_ollama("tiny", "1b", path.read_bytes())
        settings.RUNLOCAL_REMOTE_MODELS = True
        yield s
