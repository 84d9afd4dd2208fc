"""Catalog TOML files for the web tests: the writer, and the engine's kinds (models, hardware,
benchmarks, quantizations) with the tiny catalog built from them."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path
from typing import Any

from django.core.management import call_command

LLAMA_8B_ARCH = {
    "model_type": "llama",
    "num_hidden_layers": 32,
    "hidden_size": 4096,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
    "intermediate_size": 14336,
    "vocab_size": 128256,
    "max_position_embeddings": 131072,
    "rope_theta": 500000.0,
}


LLAMA_70B_ARCH = {
    "model_type": "llama",
    "num_hidden_layers": 80,
    "hidden_size": 8192,
    "num_attention_heads": 64,
    "num_key_value_heads": 8,
    "intermediate_size": 28672,
    "vocab_size": 128256,
    "max_position_embeddings": 131072,
}


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")


def to_toml(data: dict[str, Any]) -> str:
    """Enough TOML for catalog records: scalars, lists, [tables] and [[arrays of tables]]."""
    lines: list[str] = []
    tables: list[str] = []
    for key, value in data.items():
        if isinstance(value, dict):
            tables.append(f"\n[{key}]")
            tables.extend(f"{k} = {_toml_value(v)}" for k, v in value.items())
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for item in value:
                tables.append(f"\n[[{key}]]")
                tables.extend(f"{k} = {_toml_value(v)}" for k, v in item.items())
        else:
            lines.append(f"{key} = {_toml_value(value)}")
    return "\n".join(lines + tables) + "\n"


def _common(eid: str, name: str) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "id": eid,
        "name": name,
        "aliases": [],
        "sources": [f"https://example.org/specs/{eid}"],
        "last_verified": dt.date(2026, 1, 15),
        "reviewed_by": "test editors",
    }


def write(root: Path, kind: str, data: dict[str, Any]) -> Path:
    folder = root / kind
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{data['id']}.toml"
    # A field set to None is left out of the file.
    path.write_text(to_toml({k: v for k, v in data.items() if v is not None}), encoding="utf-8")
    return path


def record(
    root: Path, folder: str, eid: str, name: str, fields: dict[str, Any], /, **defaults: Any
) -> Path:
    """Writes ``folder``'s record ``eid``: the common fields, the factory's ``defaults`` over
    them, then the test's ``fields`` over those."""
    return write(root, folder, {**_common(eid, name), **defaults, **fields})


def model(root: Path, eid: str = "testllama-8b", **fields: Any) -> Path:
    return record(
        root,
        "models",
        eid,
        "TestLlama 8B",
        fields,
        aliases=["TL 8B"],
        family="llama",
        hf_repo=f"example/{eid}",
        license="llama3.1",
        release_date=dt.date(2024, 7, 23),
        modality="text",
        params_total_b=8.0,
        params_active_b=8.0,
        ollama_tag="testllama:8b",
        verdict="A small, quick model for chat on any 8 GB card.",
        architecture=dict(LLAMA_8B_ARCH),
        files=[
            {
                "quant": "Q4_K_M",
                "size_bytes": 4920000000,
                "url": f"https://example.org/{eid}-Q4_K_M.gguf",
            }
        ],
    )


def hardware(root: Path, eid: str = "testgpu-24gb", **fields: Any) -> Path:
    return record(
        root,
        "hardware",
        eid,
        "TestGPU 24GB",
        fields,
        aliases=["TG 24"],
        vendor="NVIDIA",
        kind="gpu",
        segment="consumer",
        memory_gib=24.0,
        memory_type="GDDR6X",
        bus_width_bits=384,
        bandwidth_gb_s=1008.0,
        fp16_tensor_tflops=165.2,
        fp32_tflops=82.6,
        tdp_w=450.0,
        release_date=dt.date(2022, 10, 12),
        launch_price_usd=1599.0,
        interface="PCIe 4.0 x16",
        backends=["cuda", "vulkan"],
        cuda_compute_capability="8.9",
    )


def benchmark(root: Path, eid: str, **fields: Any) -> Path:
    return record(root, "benchmarks", eid, f"Benchmark {eid}", fields)


def tiny_catalog(root: Path) -> Path:
    """Two models (8B fits a 24 GB card, 70B does not) and two devices (a GPU and a Mac)."""
    model(root)
    model(
        root,
        "testllama-70b",
        name="TestLlama 70B",
        aliases=["TL 70B"],
        params_total_b=70.6,
        params_active_b=70.6,
        release_date=dt.date(2024, 12, 6),
        ollama_tag="testllama:70b",
        verdict="Strong, and needs 48 GB or more.",
        architecture=dict(LLAMA_70B_ARCH),
        files=[],
    )
    hardware(root)
    hardware(
        root,
        "testmac-m9-max",
        name="TestMac M9 Max",
        aliases=["M9 Max"],
        vendor="Apple",
        kind="unified",
        segment="laptop",
        memory_gib=64.0,
        memory_configs_gib=[36.0, 48.0, 64.0, 128.0],
        memory_type="LPDDR5X",
        bus_width_bits=512,
        bandwidth_gb_s=546.0,
        fp16_tensor_tflops=34.1,
        fp32_tflops=17.0,
        tdp_w=90.0,
        release_date=dt.date(2024, 11, 8),
        launch_price_usd=3199.0,
        interface="SoC",
        backends=["metal", "cpu"],
        cuda_compute_capability=None,
    )
    return root


def sync(**options: Any) -> str:
    """Run the sync_catalog command; returns what it printed."""
    out = StringIO()
    call_command("sync_catalog", stdout=out, **options)
    return out.getvalue()


def quant(root: Path, eid: str = "q4-k-m", **fields: Any) -> Path:
    """A quantization type (catalog `quants/`) with llama.cpp's LLaMA 3 8B row for Q4_K_M."""
    return record(
        root,
        "quants",
        eid,
        "Q4_K_M (4-bit k-quant, medium)",
        fields,
        aliases=["Q4_K_M", "4-bit k-quant medium"],
        quant="Q4_K_M",
        bits_per_weight=4.8944,
        notes="The default quantization of most GGUF downloads.",
        sources=["https://github.com/ggml-org/llama.cpp/blob/master/tools/perplexity/README.md"],
        measurements=[
            {
                "model": "LLaMA 3 8B",
                "ppl": 6.407115,
                "ppl_f16": 6.23316,
                "kld": 0.031273,
                "top1_agreement": 91.901,
                "imatrix": "none",
                "source": "https://github.com/ggml-org/llama.cpp/blob/master/tools/perplexity/README.md",
                "date": dt.date(2024, 4, 30),
            },
            {
                "model": "LLaMA 2 70B",
                "ppl": 3.4725,
                "ppl_f16": 3.4313,
                "source": "https://example.org/llama2-70b-table",
                "date": dt.date(2024, 4, 30),
            },
        ],
    )
