from __future__ import annotations

from pathlib import Path

import pytest

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
