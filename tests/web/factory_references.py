"""Catalog TOML files for the web tests: every reference kind (tools, glossary, errors, benchmark
sets, guides, Learn, kits, answers, pages) and `reference_catalog`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from .factory_models import record, tiny_catalog

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


def runtime(root: Path, eid: str = "llama-cpp", **fields: Any) -> Path:
    return record(
        root,
        "runtimes",
        eid,
        "llama.cpp",
        fields,
        sources=[f"https://example.org/{eid}"],
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


def glossary(root: Path, eid: str = "kv-cache", **fields: Any) -> Path:
    return record(
        root,
        "glossary",
        eid,
        "KV cache",
        fields,
        sources=[f"https://example.org/{eid}"],
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


def error(root: Path, eid: str = "cuda-out-of-memory", **fields: Any) -> Path:
    return record(
        root,
        "errors",
        eid,
        "CUDA out of memory",
        fields,
        sources=[f"https://example.org/{eid}"],
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


def benchmark_set(root: Path, eid: str = BENCH_ID, **fields: Any) -> Path:
    return record(
        root,
        "benchmarks",
        eid,
        "TestGPU 24GB: published llama.cpp measurements",
        fields,
        sources=[f"https://example.org/{eid}"],
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
    return record(
        root,
        "guides",
        eid,
        "The best GPU for local AI",
        fields,
        sources=[f"https://example.org/{eid}"],
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


def course(root: Path, eid: str = "local-ai-basics", **fields: Any) -> Path:
    return record(
        root,
        "learn",
        eid,
        "Local AI basics",
        fields,
        sources=[f"https://example.org/{eid}"],
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


def kit(root: Path, eid: str = "testllama-chat", **fields: Any) -> Path:
    return record(
        root,
        "kits",
        eid,
        "TestLlama chat",
        fields,
        sources=[f"https://example.org/{eid}"],
        family="llama",
        task="chat",
        chat_template="<|start_header_id|>user<|end_header_id|>\n\n{{ prompt }}<|eot_id|>",
        system_prompt="You are a helpful assistant.",
        body="Keep the temperature low for facts.",
        settings={"temperature": 0.6, "top_p": 0.9, "min_p": 0.05},
    )


def answer(root: Path, eid: str = "can-testllama-8b-run-on-testgpu-24gb", **fields: Any) -> Path:
    return record(
        root,
        "answers",
        eid,
        "Can TestLlama 8B run on a TestGPU 24GB?",
        fields,
        sources=[f"https://example.org/{eid}"],
        question="Can TestLlama 8B run on a TestGPU 24GB?",
        model="testllama-8b",
        hardware="testgpu-24gb",
        quant="Q4_K_M",
        context=8192,
        runtime="llama.cpp",
        expect="comfortable",
        answer="Yes, comfortably: it needs about 6 GiB of the card's 24.",
    )


def page(root: Path, eid: str, **fields: Any) -> Path:
    title = eid.replace("-", " ").capitalize()
    return record(
        root,
        "pages",
        eid,
        title,
        fields,
        sources=[f"https://example.org/{eid}"],
        title=f"{title} at runlocal",
        summary=f"What {title.lower()} means here, in one paragraph.",
        body=f"## {title}\n\nWritten by the editors. See [the glossary](/glossary/).",
    )


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
