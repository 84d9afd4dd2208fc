"""The runtimes the engine models, with the defaults each one ships."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import InputError


@dataclass(frozen=True)
class Runtime:
    id: str
    name: str
    engine: str  # llama.cpp | vllm | transformers | mlx | exllamav2
    default_quant: str
    default_context: int
    formats: tuple[str, ...]  # quant families it loads: gguf, hf, mlx, exl2, exl3
    # llama.cpp keeps only the window for sliding-window layers; vLLM's hybrid allocator and
    # transformers' default dynamic cache reserve the full context.
    swa_windowed: bool
    url: str


RUNTIMES: dict[str, Runtime] = {
    r.id: r
    for r in (
        Runtime(
            "llama.cpp",
            "llama.cpp",
            "llama.cpp",
            "Q4_K_M",
            8192,
            ("gguf",),
            True,
            "https://github.com/ggml-org/llama.cpp",
        ),
        Runtime(
            "ollama",
            "Ollama",
            "llama.cpp",
            "Q4_K_M",
            4096,
            ("gguf",),
            True,
            "https://github.com/ollama/ollama",
        ),
        Runtime(
            "lm-studio",
            "LM Studio",
            "llama.cpp",
            "Q4_K_M",
            4096,
            ("gguf",),
            True,
            "https://lmstudio.ai/docs",
        ),
        Runtime("vllm", "vLLM", "vllm", "BF16", 8192, ("hf",), False, "https://docs.vllm.ai/"),
        Runtime(
            "transformers",
            "Hugging Face transformers",
            "transformers",
            "BF16",
            4096,
            ("hf",),
            False,
            "https://huggingface.co/docs/transformers",
        ),
        Runtime(
            "mlx",
            "MLX (mlx-lm)",
            "mlx",
            "MLX-4BIT",
            8192,
            ("mlx",),
            True,
            "https://github.com/ml-explore/mlx-lm",
        ),
        Runtime(
            "exllamav2",
            "ExLlamaV2",
            "exllamav2",
            "EXL2-4BPW",
            8192,
            ("exl2", "hf"),
            False,
            "https://github.com/turboderp-org/exllamav2",
        ),
        # ExLlamaV3 loads EXL3 (and plain safetensors); its cache and scratch behave like
        # ExLlamaV2's, so the engine plans it with the same model.
        Runtime(
            "exllamav3",
            "ExLlamaV3",
            "exllamav2",
            "EXL3-4BPW",
            8192,
            ("exl3", "hf"),
            False,
            "https://github.com/turboderp-org/exllamav3",
        ),
    )
}
_ALIASES = {
    "llamacpp": "llama.cpp",
    "llama-cpp": "llama.cpp",
    "llama.cpp": "llama.cpp",
    "llama-server": "llama.cpp",
    "ollama": "ollama",
    "lmstudio": "lm-studio",
    "lm-studio": "lm-studio",
    "lm studio": "lm-studio",
    "vllm": "vllm",
    "transformers": "transformers",
    "hf": "transformers",
    "pytorch": "transformers",
    "huggingface": "transformers",
    "mlx": "mlx",
    "mlx-lm": "mlx",
    "mlx_lm": "mlx",
    "exllamav2": "exllamav2",
    "exl2": "exllamav2",
    "tabbyapi": "exllamav2",
    "exllamav3": "exllamav3",
    "exl3": "exllamav3",
}


def get_runtime(name: str) -> Runtime:
    key = _ALIASES.get(name.strip().lower())
    if key is None:
        raise InputError(f"unknown runtime {name!r}; known: {', '.join(RUNTIMES)}")
    return RUNTIMES[key]
