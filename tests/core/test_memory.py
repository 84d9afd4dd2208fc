"""KV cache bytes, hand-computed from each model's config.json."""

from __future__ import annotations

from runlocal.hfconfig import spec_from_config
from runlocal.memory import kv_cache_bytes
from runlocal.runtimes import get_runtime

from .factories import DEEPSEEK_V2_LITE, GEMMA_2_9B, LLAMA_3_1_8B, MISTRAL_7B_V01, MIXTRAL_8X7B

LLAMA = get_runtime("llama.cpp")
VLLM = get_runtime("vllm")
HF = get_runtime("transformers")


def test_it_sizes_llama_3_1_8b_kv_exactly() -> None:
    spec = spec_from_config(LLAMA_3_1_8B)
    # 32 layers × 8 KV heads × 128 dims × (K + V) × 2 bytes × 8192 tokens = 1 GiB
    assert kv_cache_bytes(spec, 8192, LLAMA, "f16") == 32 * 8 * 128 * 2 * 2 * 8192
    assert kv_cache_bytes(spec, 8192, LLAMA, "f16") == 1024**3


def test_it_sizes_q8_0_kv_at_34_bytes_per_32_elements() -> None:
    spec = spec_from_config(LLAMA_3_1_8B)
    assert kv_cache_bytes(spec, 8192, LLAMA, "q8_0") == 32 * 8192 * 2 * (1024 * 34 // 32)


def test_it_pads_llama_cpp_kv_cells_to_256() -> None:
    spec = spec_from_config(LLAMA_3_1_8B)
    per_cell = 32 * 8 * 128 * 2 * 2
    assert kv_cache_bytes(spec, 1000, LLAMA, "f16") == 1024 * per_cell
    assert kv_cache_bytes(spec, 1000, HF, "f16") == 1000 * per_cell


def test_it_keeps_only_the_window_for_gemma_2_sliding_layers() -> None:
    spec = spec_from_config(GEMMA_2_9B)
    assert [layer.kind for layer in spec.layers[:4]] == ["swa", "full", "swa", "full"]
    per_cell = 8 * 256 * 2 * 2
    # 21 full layers hold 8192 cells; 21 SWA layers hold pad256(4096 + 512) = 4608.
    expected = 21 * 8192 * per_cell + 21 * 4608 * per_cell
    assert kv_cache_bytes(spec, 8192, LLAMA, "f16") == expected
    assert kv_cache_bytes(spec, 8192, VLLM, "f16") == 42 * 8192 * per_cell


def test_it_caps_mistral_sliding_window_in_llama_cpp_only() -> None:
    spec = spec_from_config(MISTRAL_7B_V01)
    per_cell = 8 * 128 * 2 * 2
    assert kv_cache_bytes(spec, 32768, LLAMA, "f16") == 32 * 4608 * per_cell
    assert kv_cache_bytes(spec, 32768, VLLM, "f16") == 32 * 32768 * per_cell


def test_it_caches_only_the_mla_latent_for_deepseek_v2_lite() -> None:
    spec = spec_from_config(DEEPSEEK_V2_LITE)
    assert spec.mla is not None and spec.mla.latent_elements == 576
    assert kv_cache_bytes(spec, 4096, LLAMA, "f16") == 27 * 4096 * 576 * 2
    # transformers decompresses: 16 heads × (192 K + 128 V) per token per layer.
    assert kv_cache_bytes(spec, 4096, HF, "f16") == 27 * 4096 * 16 * (192 + 128) * 2


def test_it_sizes_mixtral_kv_like_a_dense_gqa_model() -> None:
    spec = spec_from_config(MIXTRAL_8X7B)
    assert kv_cache_bytes(spec, 32768, LLAMA, "f16") == 32 * 32768 * 8 * 128 * 2 * 2


def test_it_scales_kv_with_parallel_sequences() -> None:
    spec = spec_from_config(LLAMA_3_1_8B)
    one = kv_cache_bytes(spec, 4096, LLAMA, "f16")
    assert kv_cache_bytes(spec, 4096, LLAMA, "f16", sequences=4) == 4 * one
