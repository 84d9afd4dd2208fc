from __future__ import annotations

from pathlib import Path

import pytest

from runlocal.catalog import Catalog, load_catalog

from .factories import make_standard_catalog


@pytest.fixture
def catalog_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = make_standard_catalog(tmp_path / "catalog")
    monkeypatch.setenv("RUNLOCAL_CATALOG_DIR", str(root))
    return root


@pytest.fixture
def catalog(catalog_dir: Path) -> Catalog:
    return load_catalog(catalog_dir)
