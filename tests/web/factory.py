"""Catalogs written as TOML files in a temporary folder, for the web and browser tests: the
tiny one (two models, two devices, benchmarks), every reference kind (`reference_catalog`)
and prices for the tool pages (`tools_catalog`).

Plain functions with keyword overrides (no factory_boy): `model(root, "x", name="X")`. Test
modules declare their own fixtures from these (a fixture imported from another module would
shadow it).
"""

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


def model(root: Path, eid: str = "testllama-8b", **fields: Any) -> Path:
    data = _common(eid, "TestLlama 8B")
    data.update(
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
    data.update(fields)
    return write(root, "models", data)


def hardware(root: Path, eid: str = "testgpu-24gb", **fields: Any) -> Path:
    data = _common(eid, "TestGPU 24GB")
    data.update(
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
    data.update(fields)
    return write(root, "hardware", data)


def benchmark(root: Path, eid: str, **fields: Any) -> Path:
    data = _common(eid, f"Benchmark {eid}")
    data.update(fields)
    return write(root, "benchmarks", data)


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
    data = _common(eid, "Q4_K_M (4-bit k-quant, medium)")
    data.update(
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
    data.update(fields)
    return write(root, "quants", data)


# --- Reference kinds: tools, glossary, errors, benchmarks, guides, Learn, kits, answers,
# editorial pages ----------------------------------------------------------------------

BENCH_ID = "example-org-bench-testgpu-24gb"
COMMUNITY_BENCH_ID = "community-testgpu-24gb"
EDITORIAL_IDS = (
    "trust",
    "author",
    "how-we-make-money",
    "editorial-policy",
    "privacy",
    "terms",
    "start",
)


def _record(eid: str, name: str, **fields: Any) -> dict[str, Any]:
    return {**_common(eid, name), "sources": [f"https://example.org/{eid}"], **fields}


def runtime(root: Path, eid: str = "llama-cpp", **fields: Any) -> Path:
    data = _record(
        eid,
        "llama.cpp",
        aliases=["llamacpp", "llama-server"],
        category="engine",
        homepage="https://github.com/ggml-org/llama.cpp",
        repo="https://github.com/ggml-org/llama.cpp",
        license="MIT",
        os=["linux", "macos", "windows"],
        backends=["cuda", "metal", "vulkan", "cpu"],
        formats=["gguf"],
        fit="production",
        engine_runtime="llama.cpp",
        best_for="Squeezing a quantized model onto whatever hardware you have.",
        summary="The C/C++ engine under most local tools, and the origin of **GGUF**.",
        caveats=["Loads GGUF only: convert with `convert_hf_to_gguf.py` first."],
        install={
            "linux": "brew install llama.cpp",
            "macos": "brew install llama.cpp",
            "windows": "winget install llama.cpp",
        },
    )
    data.update(fields)
    return write(root, "runtimes", data)


def glossary(root: Path, eid: str = "kv-cache", **fields: Any) -> Path:
    data = _record(
        eid,
        "KV cache",
        aliases=["key-value cache"],
        category="memory",
        short="The attention keys and values of every token so far, kept in memory.",
        definition="Each layer stores a key and a value row per token so decoding reads them.",
        deeper="It grows **linearly** with context.\n\n## Per layer\n\nSliding-window layers keep less.",
        example="| model | 8K tokens |\n|---|---|\n| TestLlama 8B | 1.0 GiB |\n",
        in_runtimes={
            "llama_cpp": "`-ctk q8_0 -ctv q8_0` halves it.",
            "ollama": "`OLLAMA_KV_CACHE_TYPE=q8_0`.",
            "lm_studio": "The K/V cache quantization setting.",
            "vllm": "`--kv-cache-dtype fp8`.",
        },
        related=["quantization", "vram"],
    )
    data.update(fields)
    return write(root, "glossary", data)


def error(root: Path, eid: str = "cuda-out-of-memory", **fields: Any) -> Path:
    data = _record(
        eid,
        "CUDA out of memory",
        aliases=["CUDA OOM"],
        runtime="llama.cpp and PyTorch",
        error="torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB",
        symptom="loading or generating stops with CUDA out of memory",
        category="out-of-memory",
        cause="The weights plus the **KV cache** do not fit the card.",
        fix=[
            "Lower the context: `-c 8192`.",
            "Offload fewer layers: `-ngl 28`.",
            "Pick a smaller quantization, e.g. Q4_K_M.",
        ],
        alternatives=["Run a smaller model."],
        related=["ollama-model-not-found"],
        glossary=["kv-cache", "vram"],
    )
    data.update(fields)
    return write(root, "errors", data)


def benchmark_set(root: Path, eid: str = BENCH_ID, **fields: Any) -> Path:
    data = _record(
        eid,
        "TestGPU 24GB: published llama.cpp measurements",
        hardware="testgpu-24gb",
        trust="published",
        capture="llama-bench, as published by the source",
        results=[
            {
                "model": "testllama-8b",
                "quant": "Q4_K_M",
                "runtime": "llama.cpp (CUDA)",
                "backend": "cuda",
                "build": "b4000",
                "n_devices": 1,
                "metric": "pp_tok_s",
                "prompt_tokens": 512,
                "gen_tokens": 0,
                "value": 9876.5,
                "command": "llama-bench -m testllama-8b-Q4_K_M.gguf -ngl 99 -p 512 -n 0",
            },
            {
                "model": "testllama-8b",
                "quant": "Q4_K_M",
                "runtime": "llama.cpp (CUDA)",
                "backend": "cuda",
                "build": "b4000",
                "n_devices": 1,
                "metric": "tg_tok_s",
                "prompt_tokens": 0,
                "gen_tokens": 128,
                "value": 150.25,
                "command": "llama-bench -m testllama-8b-Q4_K_M.gguf -ngl 99 -p 0 -n 128",
            },
            {
                "model": "testllama-70b",
                "quant": "Q8_0",
                "runtime": "llama.cpp (Vulkan)",
                "backend": "vulkan",
                "build": "b4000",
                "n_devices": 2,
                "metric": "tg_tok_s",
                "prompt_tokens": 0,
                "gen_tokens": 128,
                "context_tokens": 4096,
                "value": 9.5,
                "command": "llama-bench -m testllama-70b-Q8_0.gguf -ngl 99 -p 0 -n 128 -d 4096",
            },
        ],
    )
    data.update(fields)
    return write(root, "benchmarks", data)


def community_set(root: Path) -> Path:
    """Community rows at each step of the ladder: queued (hidden), approved, reproduced."""

    def row(trust: str, value: float) -> dict[str, Any]:
        return {
            "model": "testllama-8b",
            "quant": "Q8_0",
            "runtime": "llama.cpp (Metal)",
            "backend": "metal",
            "build": "b5000",
            "n_devices": 1,
            "metric": "tg_tok_s",
            "prompt_tokens": 0,
            "gen_tokens": 128,
            "value": value,
            "command": f"llama-bench -m testllama-8b-Q8_0.gguf -n 128 # {trust}",
            "trust": trust,
        }

    return benchmark_set(
        root,
        COMMUNITY_BENCH_ID,
        name="TestMac M9 Max: community runs",
        hardware="testmac-m9-max",
        trust="approved",
        results=[row("queued", 11.0), row("approved", 22.0), row("reproduced", 33.0)],
    )


def guide(root: Path, eid: str = "best-gpu-for-local-ai", **fields: Any) -> Path:
    data = _record(
        eid,
        "The best GPU for local AI",
        summary="Buy the **TestGPU 24GB**: 24 GB runs every 8B model with room to spare.",
        body="## Why 24 GB\n\nBecause the [KV cache](/glossary/kv-cache/) grows with context.",
        picks=[
            {"hardware": "testgpu-24gb", "why": "The most memory per dollar.", "price_usd": 1599},
            {"hardware": "testmac-m9-max", "why": "Quiet, and 64 GB.", "price_usd": 3199},
        ],
        checks=[
            {
                "model": "testllama-8b",
                "hardware": "testgpu-24gb",
                "quant": "Q4_K_M",
                "context": 8192,
                "expect": "comfortable",
            },
            {
                "model": "testllama-70b",
                "hardware": "testgpu-24gb",
                "quant": "Q4_K_M",
                "context": 8192,
                "expect": "wont-run",
            },
        ],
        updated=dt.date(2026, 1, 20),
    )
    data.update(fields)
    return write(root, "guides", data)


def course(root: Path, eid: str = "local-ai-basics", **fields: Any) -> Path:
    data = _record(
        eid,
        "Local AI basics",
        summary="What runs on your hardware, and why.",
        chapters=[
            {
                "slug": "what-fits",
                "title": "What fits in memory",
                "body": "Weights plus the KV cache must fit.\n\n## Weights\n\nAt Q4_K_M about 4.8 bits.",
                "minutes": 6,
            },
            {
                "slug": "how-fast",
                "title": "How fast it runs",
                "body": "Decode is limited by memory bandwidth.",
                "minutes": 8,
            },
            {
                "slug": "which-runtime",
                "title": "Which runtime",
                "body": "See [the tools](/tools/).",
                "minutes": 5,
            },
        ],
    )
    data.update(fields)
    return write(root, "learn", data)


def kit(root: Path, eid: str = "testllama-chat", **fields: Any) -> Path:
    data = _record(
        eid,
        "TestLlama chat",
        family="llama",
        task="chat",
        chat_template="<|start_header_id|>user<|end_header_id|>\n\n{{ prompt }}<|eot_id|>",
        system_prompt="You are a helpful assistant.",
        body="Keep the temperature low for facts.",
        settings={"temperature": 0.6, "top_p": 0.9, "min_p": 0.05},
    )
    data.update(fields)
    return write(root, "kits", data)


def answer(root: Path, eid: str = "can-testllama-8b-run-on-testgpu-24gb", **fields: Any) -> Path:
    data = _record(
        eid,
        "Can TestLlama 8B run on a TestGPU 24GB?",
        question="Can TestLlama 8B run on a TestGPU 24GB?",
        model="testllama-8b",
        hardware="testgpu-24gb",
        quant="Q4_K_M",
        context=8192,
        runtime="llama.cpp",
        expect="comfortable",
        answer="Yes, comfortably: it needs about 6 GiB of the card's 24.",
    )
    data.update(fields)
    return write(root, "answers", data)


def page(root: Path, eid: str, **fields: Any) -> Path:
    title = eid.replace("-", " ").capitalize()
    data = _record(
        eid,
        title,
        title=f"{title} at runlocal",
        summary=f"What {title.lower()} means here, in one paragraph.",
        body=f"## {title}\n\nWritten by the editors. See [the glossary](/glossary/).",
    )
    data.update(fields)
    return write(root, "pages", data)


def reference_catalog(root: Path) -> Path:
    """The tiny catalog plus every reference kind; not yet synced."""
    tiny_catalog(root)
    runtime(root)
    runtime(
        root,
        "ollama",
        name="Ollama",
        aliases=["ollama serve"],
        category="app",
        fit="beginner",
        engine_runtime="ollama",
        best_for="The easiest start.",
        summary="A wrapper around llama.cpp with a model library.",
        install={"linux": "curl -fsSL https://ollama.com/install.sh | sh"},
    )
    runtime(
        root,
        "mlx-lm",
        name="MLX-LM",
        aliases=["mlx_lm"],
        os=["macos"],
        backends=["metal"],
        formats=["mlx", "safetensors"],
        fit="beginner",
        engine_runtime="mlx",
        summary="Apple's MLX runtime for language models.",
        install={"macos": "pip install mlx-lm"},
    )
    runtime(
        root,
        "vllm",
        name="vLLM",
        aliases=[],
        category="server",
        os=["linux"],
        backends=["cuda", "rocm"],
        formats=["safetensors", "awq", "gptq"],
        fit="production",
        engine_runtime="vllm",
        summary="A high-throughput serving engine.",
        install={"linux": "pip install vllm"},
    )
    runtime(
        root,
        "open-webui",
        name="Open WebUI",
        aliases=[],
        category="ui",
        os=["linux", "macos", "windows"],
        backends=[],
        formats=[],
        fit="beginner",
        engine_runtime=None,
        summary="A web chat front end for Ollama and OpenAI-compatible servers.",
        caveats=[],
        install={"linux": "pip install open-webui"},
    )
    glossary(root)
    glossary(
        root,
        "quantization",
        name="Quantization",
        aliases=[],
        category="quantization",
        short="Storing weights in fewer bits.",
        related=["kv-cache", "q4-k-m"],
    )
    glossary(
        root,
        "q4-k-m",
        name="Q4_K_M",
        aliases=["Q4 K M"],
        category="quantization",
        short="llama.cpp's 4-bit K-quant, medium mix.",
        related=["quantization", "no-such-term"],
    )
    glossary(
        root,
        "vram",
        name="VRAM",
        aliases=["video memory"],
        category="hardware",
        short="The memory on a graphics card.",
        related=[],
    )
    error(root)
    error(
        root,
        "ollama-model-not-found",
        name="Ollama: model not found",
        aliases=[],
        runtime="Ollama",
        error="Error: model 'llama3' not found, try pulling it first",
        symptom="ollama run says the model is not found",
        category="config",
        related=["cuda-out-of-memory"],
        glossary=[],
    )
    benchmark_set(root)
    community_set(root)
    guide(root)
    course(root)
    kit(root)
    answer(root)
    for eid in EDITORIAL_IDS:
        page(root, eid)
    return root


# --- Prices, for the tool pages (cost vs cloud) -----------------------------------------


def _price(eid: str, name: str, **fields: Any) -> dict[str, Any]:
    return {**_common(eid, name), "sources": [f"https://example.org/prices/{eid}"], **fields}


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
    return write(root, "prices", data)


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
    return write(root, "prices", data)


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
    return write(root, "prices", data)


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
