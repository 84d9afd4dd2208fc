"""Catalog TOML files for the web tests: prices for the tool pages (electricity, cloud GPUs, API
prices) and `tools_catalog`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from .factory_models import hardware, record, tiny_catalog

# --- Prices, for the tool pages (cost vs cloud) -----------------------------------------


def electricity(root: Path, eid: str = "electricity-testland", **fields: Any) -> Path:
    return record(
        root,
        "prices",
        eid,
        "Testland household electricity",
        fields,
        sources=[f"https://example.org/prices/{eid}"],
        kind="electricity",
        region="Testland (household average)",
        usd_per_kwh=0.25,
        observed=dt.date(2026, 1, 1),
        default=True,
    )


def cloud_gpu(root: Path, eid: str = "testcloud-testgpu", **fields: Any) -> Path:
    return record(
        root,
        "prices",
        eid,
        "TestCloud TestGPU 24GB",
        fields,
        sources=[f"https://example.org/prices/{eid}"],
        kind="cloud-gpu",
        provider="TestCloud",
        hardware="testgpu-24gb",
        gpus=1,
        usd_per_hour=0.36,
        pricing="on-demand",
        observed=dt.date(2026, 2, 1),
    )


def api_price(root: Path, eid: str = "testapi-testllama-8b", **fields: Any) -> Path:
    return record(
        root,
        "prices",
        eid,
        "TestAPI TestLlama 8B",
        fields,
        sources=[f"https://example.org/prices/{eid}"],
        kind="api",
        provider="TestAPI",
        api_model="testllama-8b-instruct",
        comparable_model="testllama-8b",
        usd_per_million_input=0.1,
        usd_per_million_output=0.2,
        observed=dt.date(2026, 3, 1),
    )


def tools_catalog(root: Path) -> Path:
    """The tiny catalog, a CPU, two electricity prices, a cloud GPU and an API price."""
    tiny_catalog(root)
    hardware(
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
