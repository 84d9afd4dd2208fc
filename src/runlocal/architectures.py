"""Architecture names as runtimes compare them, and the architectures a runtime treats apart
(Ollama's flash-attention list): kept beside runtimes.py, which reads them."""

from __future__ import annotations

# Ollama's GGML.FlashAttention() list (fs/ggml/ggml.go, early 2026): gemma3, gpt-oss, qwen3 and
# qwen3moe, qwen35 and qwen35moe, qwen3next, qwen3vl and qwen3vlmoe, mistral3, olmo3, lfm2 and
# lfm2moe, nemotron_h and nemotron_h_moe, glm4moelite, glmocr, bert.
OLLAMA_FLASH_ATTN_ARCHITECTURES = frozenset(
    {
        "bert",
        "gemma3",
        "glm4moelite",
        "glmocr",
        "gptoss",
        "lfm2",
        "lfm2moe",
        "mistral3",
        "nemotronh",
        "nemotronhmoe",
        "olmo3",
        "qwen3",
        "qwen3moe",
        "qwen35",
        "qwen35moe",
        "qwen3next",
        "qwen3vl",
        "qwen3vlmoe",
    }
)


def architecture_key(architecture: str) -> str:
    """An architecture name as GGUF files and config.json's model_type both give it, compared
    without case, underscores or hyphens and without a text-only suffix ("gemma3_text" and
    "gemma3", "gpt_oss" and "gpt-oss", "qwen3_5_text" and "qwen35" are each one)."""
    key = architecture.lower()
    if key.endswith("_text"):
        key = key[: -len("_text")]
    return key.replace("_", "").replace("-", "")
