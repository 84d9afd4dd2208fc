"""Prices beside tests/web/factory.py's tiny catalog, for the tool pages (cost vs cloud).

Plain functions with keyword overrides, like factory.py. Test modules build their own fixture
from `tools_catalog` (a fixture imported from another module would shadow it).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from runlocal_web.catalogdb.store import current_catalog

from . import factory

pytestmark = pytest.mark.django_db


def _price(eid: str, name: str, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "schema_version": 1,
        "id": eid,
        "name": name,
        "aliases": [],
        "sources": [f"https://example.org/prices/{eid}"],
        "last_verified": dt.date(2026, 1, 15),
        "reviewed_by": "test editors",
    }
    data.update(fields)
    return data


def electricity(root: Path, eid: str = "electricity-testland", **fields: Any) -> Path:
    data = _price(
        eid,
        "Testland household electricity",
        kind="electricity",
        region="Testland (household average)",
        usd_per_kwh=0.25,
        observed=dt.date(2026, 1, 1),
        default=True,
    )
    data.update(fields)
    return factory.write(root, "prices", data)


def cloud_gpu(root: Path, eid: str = "testcloud-testgpu", **fields: Any) -> Path:
    data = _price(
        eid,
        "TestCloud TestGPU 24GB",
        kind="cloud-gpu",
        provider="TestCloud",
        hardware="testgpu-24gb",
        gpus=1,
        usd_per_hour=0.36,
        pricing="on-demand",
        observed=dt.date(2026, 2, 1),
    )
    data.update(fields)
    return factory.write(root, "prices", data)


def api_price(root: Path, eid: str = "testapi-testllama-8b", **fields: Any) -> Path:
    data = _price(
        eid,
        "TestAPI TestLlama 8B",
        kind="api",
        provider="TestAPI",
        api_model="testllama-8b-instruct",
        comparable_model="testllama-8b",
        usd_per_million_input=0.1,
        usd_per_million_output=0.2,
        observed=dt.date(2026, 3, 1),
    )
    data.update(fields)
    return factory.write(root, "prices", data)


def tools_catalog(root: Path) -> Path:
    """The tiny catalog, a CPU, two electricity prices, a cloud GPU and an API price."""
    factory.tiny_catalog(root)
    factory.hardware(
        root,
        "testcpu-16c",
        name="TestCPU 16-core",
        aliases=["TC 16"],
        vendor="AMD",
        kind="cpu",
        segment="desktop-cpu",
        memory_gib=64.0,
        memory_type="DDR5-5600",
        bandwidth_gb_s=89.6,
        fp16_tensor_tflops=None,
        fp32_tflops=2.0,
        tdp_w=170.0,
        launch_price_usd=549.0,
        interface="Socket AM5",
        backends=["cpu"],
        cuda_compute_capability=None,
    )
    electricity(root)
    electricity(
        root,
        "electricity-otherland",
        name="Otherland household electricity",
        region="Otherland",
        usd_per_kwh=0.5,
        default=None,
    )
    cloud_gpu(root)
    api_price(root)
    return root


@pytest.fixture
def tools(catalog_dir: Path, db) -> Path:
    tools_catalog(catalog_dir)
    factory.sync()
    return catalog_dir


def test_it_mirrors_the_prices_into_the_synced_catalog(tools: Path) -> None:
    prices = current_catalog().prices
    assert {p.get("kind") for p in prices.values()} == {"electricity", "cloud-gpu", "api"}
    assert prices["electricity-testland"].get("default") is True
    assert prices["testcloud-testgpu"].get("hardware") == "testgpu-24gb"
    assert "testcpu-16c" in current_catalog().hardware
