from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from runlocal.catalog import Catalog, load_catalog

from .factories import make_standard_catalog
from .hubserver import HubServer, serve


@pytest.fixture(autouse=True)
def _private_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUNLOCAL_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    # Never read or write a real calibration profile from ~/.config.
    monkeypatch.setenv("RUNLOCAL_PROFILE_DIR", str(tmp_path_factory.mktemp("profile")))
    # Names the catalog does not know may be looked up on the Hub or the Ollama registry:
    # point both at a closed local port so tests never leave the machine.
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setenv("RUNLOCAL_OLLAMA_REGISTRY", "http://127.0.0.1:9")


@pytest.fixture
def catalog_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = make_standard_catalog(tmp_path / "catalog")
    monkeypatch.setenv("RUNLOCAL_CATALOG_DIR", str(root))
    return root


@pytest.fixture
def catalog(catalog_dir: Path) -> Catalog:
    return load_catalog(catalog_dir)


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[HubServer]:
    with serve() as s:
        monkeypatch.setenv("HF_ENDPOINT", s.url)
        monkeypatch.setenv("RUNLOCAL_OLLAMA_REGISTRY", s.url)
        monkeypatch.setenv("RUNLOCAL_HTTP_TIMEOUT", "5")
        monkeypatch.delenv("HF_TOKEN", raising=False)
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
        yield s
