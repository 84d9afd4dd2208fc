"""Small builders for test catalogs and configs. Architecture facts are copied from each
model's published config.json; no calibration measurements appear here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from runlocal.accuracy_setup import LlamaSetup, llama_setup

LLAMA_3_1_8B: dict[str, Any] = {
    "model_type": "llama",
    "num_hidden_layers": 32,
    "hidden_size": 4096,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
    "vocab_size": 128256,
    "intermediate_size": 14336,
    "max_position_embeddings": 131072,
    "tie_word_embeddings": False,
}
GEMMA_2_9B: dict[str, Any] = {
    "model_type": "gemma2",
    "num_hidden_layers": 42,
    "hidden_size": 3584,
    "num_attention_heads": 16,
    "num_key_value_heads": 8,
    "head_dim": 256,
    "vocab_size": 256000,
    "intermediate_size": 14336,
    "max_position_embeddings": 8192,
    "sliding_window": 4096,
}
MISTRAL_7B_V01: dict[str, Any] = {
    "model_type": "mistral",
    "num_hidden_layers": 32,
    "hidden_size": 4096,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
    "vocab_size": 32000,
    "intermediate_size": 14336,
    "max_position_embeddings": 32768,
    "sliding_window": 4096,
    "tie_word_embeddings": False,
}
DEEPSEEK_V2_LITE: dict[str, Any] = {
    "model_type": "deepseek_v2",
    "num_hidden_layers": 27,
    "hidden_size": 2048,
    "num_attention_heads": 16,
    "num_key_value_heads": 16,
    "vocab_size": 102400,
    "intermediate_size": 10944,
    "moe_intermediate_size": 1408,
    "n_routed_experts": 64,
    "num_experts_per_tok": 6,
    "n_shared_experts": 2,
    "first_k_dense_replace": 1,
    "kv_lora_rank": 512,
    "qk_rope_head_dim": 64,
    "qk_nope_head_dim": 128,
    "v_head_dim": 128,
    "max_position_embeddings": 163840,
    "tie_word_embeddings": False,
}


def gemma_4_like(**overrides: Any) -> dict[str, Any]:
    """A tiny Gemma 4 text config: sliding layers with their heads, a global layer with
    wider heads, fewer KV heads and one projection for K and V (attention_k_eq_v)."""
    config: dict[str, Any] = {
        "model_type": "gemma4_text",
        "hidden_size": 64,
        "intermediate_size": 128,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
        "head_dim": 16,
        "num_global_key_value_heads": 1,
        "global_head_dim": 32,
        "attention_k_eq_v": True,
        "sliding_window": 8,
        "layer_types": ["sliding_attention", "full_attention"],
        "vocab_size": 100,
    }
    return {**config, **overrides}


def gemma_3n_like(**overrides: Any) -> dict[str, Any]:
    """A tiny Gemma 3n text config: four layers of 4 query heads over 1 KV head of 64, with
    per-layer input embeddings."""
    config: dict[str, Any] = {
        "model_type": "gemma3n_text",
        "num_hidden_layers": 4,
        "hidden_size": 256,
        "num_attention_heads": 4,
        "num_key_value_heads": 1,
        "head_dim": 64,
        "vocab_size": 1000,
        "vocab_size_per_layer_input": 1000,
        "hidden_size_per_layer_input": 32,
        "intermediate_size": 1024,
        "max_position_embeddings": 4096,
        "tie_word_embeddings": True,
    }
    return {**config, **overrides}


GEMMA_3_4B: dict[str, Any] = {
    "model_type": "gemma3_text",
    "num_hidden_layers": 34,
    "hidden_size": 2560,
    "num_attention_heads": 8,
    "num_key_value_heads": 4,
    "head_dim": 256,
    "vocab_size": 262208,
    "intermediate_size": 10240,
    "max_position_embeddings": 131072,
    "sliding_window": 1024,
    "sliding_window_pattern": 6,
}
QWEN3_NEXT_80B_A3B: dict[str, Any] = {
    "model_type": "qwen3_next",
    "num_hidden_layers": 48,
    "hidden_size": 2048,
    "num_attention_heads": 16,
    "num_key_value_heads": 2,
    "head_dim": 256,
    "vocab_size": 151936,
    "intermediate_size": 5120,
    "moe_intermediate_size": 512,
    "shared_expert_intermediate_size": 512,
    "num_experts": 512,
    "num_experts_per_tok": 10,
    "full_attention_interval": 4,
    "linear_num_value_heads": 32,
    "linear_num_key_heads": 16,
    "linear_key_head_dim": 128,
    "linear_value_head_dim": 128,
    "linear_conv_kernel_dim": 4,
    "max_position_embeddings": 262144,
    "tie_word_embeddings": False,
}
MIXTRAL_8X7B: dict[str, Any] = {
    "model_type": "mixtral",
    "num_hidden_layers": 32,
    "hidden_size": 4096,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
    "vocab_size": 32000,
    "intermediate_size": 14336,
    "num_local_experts": 8,
    "num_experts_per_tok": 2,
    "max_position_embeddings": 32768,
    "tie_word_embeddings": False,
}


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    raise TypeError(v)


def write_toml(
    path: Path,
    data: dict[str, Any],
    tables: dict[str, dict[str, Any]] | None = None,
    arrays: dict[str, list[dict[str, Any]]] | None = None,
) -> Path:
    lines = []
    for k, v in data.items():
        if k == "last_verified":
            lines.append(f"{k} = {v}")
        else:
            lines.append(f"{k} = {_toml_value(v)}")
    for name, table in (tables or {}).items():
        lines.append(f"\n[{name}]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in table.items()]
    for name, items in (arrays or {}).items():
        for item in items:
            lines.append(f"\n[[{name}]]")
            lines += [f"{k} = {_toml_value(v)}" for k, v in item.items()]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def common(id: str, name: str, aliases: list[str] | None = None) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "id": id,
        "name": name,
        "aliases": aliases or [],
        "sources": [f"https://example.org/{id}"],
        "last_verified": "2026-11-26",
        "reviewed_by": "tests",
    }


def make_model(
    root: Path,
    id: str,
    name: str,
    arch: dict[str, Any],
    params_b: float,
    aliases: list[str] | None = None,
    active_b: float | None = None,
    **extra: Any,
) -> Path:
    data = common(id, name, aliases)
    data.update(
        {
            "params_total_b": params_b,
            "params_active_b": active_b or params_b,
            "hf_repo": f"org/{name.replace(' ', '-')}",
            "modality": "text",
        }
    )
    data.update(extra)
    return write_toml(root / "models" / f"{id}.toml", data, {"architecture": arch})


def make_hardware(
    root: Path,
    id: str,
    name: str,
    *,
    memory_gib: float,
    bandwidth_gb_s: float,
    fp16_tflops: float | None = 100.0,
    fp32_tflops: float | None = 50.0,
    kind: str = "gpu",
    vendor: str = "NVIDIA",
    backends: list[str] | None = None,
    aliases: list[str] | None = None,
    **extra: Any,
) -> Path:
    data = common(id, name, aliases)
    data.update(
        {
            "vendor": vendor,
            "kind": kind,
            "segment": "consumer",
            "memory_gib": memory_gib,
            "bandwidth_gb_s": bandwidth_gb_s,
            "backends": backends or ["cuda", "vulkan"],
        }
    )
    if fp16_tflops is not None:
        data["fp16_tensor_tflops"] = fp16_tflops
    if fp32_tflops is not None:
        data["fp32_tflops"] = fp32_tflops
    data.update(extra)
    return write_toml(root / "hardware" / f"{id}.toml", data)


def make_standard_catalog(root: Path) -> Path:
    make_model(
        root,
        "llama-3.1-8b",
        "Llama 3.1 8B",
        LLAMA_3_1_8B,
        8.03,
        aliases=["llama3.1:8b"],
        ollama_tag="llama3.1:8b",
    )
    make_model(root, "gemma-2-9b", "Gemma 2 9B", GEMMA_2_9B, 9.24)
    make_model(root, "mistral-7b-v0.1", "Mistral 7B v0.1", MISTRAL_7B_V01, 7.24)
    make_model(root, "deepseek-v2-lite", "DeepSeek V2 Lite", DEEPSEEK_V2_LITE, 15.7, active_b=2.4)
    make_model(root, "mixtral-8x7b", "Mixtral 8x7B", MIXTRAL_8X7B, 46.7, active_b=12.9)
    make_hardware(
        root, "gpu-24", "Test GPU 24", memory_gib=24, bandwidth_gb_s=1000, aliases=["TG24"]
    )
    make_hardware(
        root,
        "gpu-8",
        "Test GPU 8",
        memory_gib=8,
        bandwidth_gb_s=448,
        fp16_tflops=40,
        fp32_tflops=20,
    )
    make_hardware(
        root,
        "apple-test-max",
        "Apple Test Max",
        memory_gib=64,
        bandwidth_gb_s=400,
        kind="unified",
        vendor="Apple",
        backends=["metal"],
        memory_configs_gib=[32, 64],
    )
    make_hardware(
        root,
        "cpu-test",
        "Test CPU",
        memory_gib=64,
        bandwidth_gb_s=80,
        fp16_tflops=None,
        fp32_tflops=2.0,
        kind="cpu",
        vendor="AMD",
        backends=["cpu"],
    )
    (root / "benchmarks").mkdir(exist_ok=True)
    return root


def make_benchmark(root: Path, id: str, hardware: str, results: list[dict[str, Any]]) -> Path:
    data = common(id, f"bench {id}")
    data["hardware"] = hardware
    return write_toml(root / "benchmarks" / f"{id}.toml", data, arrays={"results": results})


def bench_row(model: str, metric: str, value: float, **kw: Any) -> dict[str, Any]:
    row = {
        "model": model,
        "quant": "Q4_K_M",
        "backend": "cuda",
        "n_devices": 1,
        "metric": metric,
        "value": value,
    }
    if metric == "tg_tok_s":
        row["gen_tokens"] = 128
    else:
        row["prompt_tokens"] = 512
    row.update(kw)
    return row


def version_setup(version: str) -> LlamaSetup:
    """The llama.cpp set-up the accuracy harness reads from a row that states only its build
    or date."""
    return llama_setup({"runtime_version_or_date": version})


def assert_build_gate(flag: str, older: list[str], newer: list[str]) -> None:
    """A llama.cpp change's gate (a LlamaSetup and Runtime flag), read alike by the accuracy
    harness (version_setup of a row's build or date) and the runtimes (get_runtime of
    "llama.cpp@bNNNN" or "llama.cpp"): unset for each name in ``older``, set for each in
    ``newer``."""
    from runlocal.runtimes import get_runtime

    def has(name: str) -> bool:
        if name.startswith("llama.cpp"):
            return bool(getattr(get_runtime(name), flag))
        return bool(getattr(version_setup(name), flag))

    for name in older:
        assert not has(name), name
    for name in newer:
        assert has(name), name
