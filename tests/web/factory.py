"""Catalogs written as TOML files in a temporary folder, for the web and browser tests: the
tiny one (two models, two devices, benchmarks), every reference kind (`reference_catalog`)
and prices for the tool pages (`tools_catalog`).

Plain functions with keyword overrides (no factory_boy): `model(root, "x", name="X")`. Test
modules declare their own fixtures from these (a fixture imported from another module would
shadow it).

The functions live by topic in factory_models.py (the writer, models, hardware, benchmarks,
quantizations, the tiny catalog), factory_references.py and factory_prices.py; this module
names them all, as the tests have always imported them.
"""

from __future__ import annotations

from .factory_models import (
    LLAMA_8B_ARCH,
    LLAMA_70B_ARCH,
    benchmark,
    hardware,
    model,
    quant,
    record,
    sync,
    tiny_catalog,
    to_toml,
    write,
)
from .factory_prices import api_price, cloud_gpu, electricity, tools_catalog
from .factory_references import (
    BENCH_ID,
    COMMUNITY_BENCH_ID,
    EDITORIAL_IDS,
    answer,
    benchmark_set,
    community_set,
    course,
    error,
    glossary,
    guide,
    kit,
    page,
    reference_catalog,
    runtime,
)

__all__ = [
    "BENCH_ID",
    "COMMUNITY_BENCH_ID",
    "EDITORIAL_IDS",
    "LLAMA_8B_ARCH",
    "LLAMA_70B_ARCH",
    "answer",
    "api_price",
    "benchmark",
    "benchmark_set",
    "cloud_gpu",
    "community_set",
    "course",
    "electricity",
    "error",
    "glossary",
    "guide",
    "hardware",
    "kit",
    "model",
    "page",
    "quant",
    "record",
    "reference_catalog",
    "runtime",
    "sync",
    "tiny_catalog",
    "to_toml",
    "tools_catalog",
    "write",
]
