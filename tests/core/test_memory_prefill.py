"""What a runtime holds beyond the model's plain text weights and windowed KV cache: the
sliding-window layers while a prompt is prefilled, and a multimodal checkpoint's tower;
hand-computed from each model's config.json."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from runlocal.catalog import Entry
from runlocal.hardware import explicit_device
from runlocal.hfconfig import spec_from_config
from runlocal.memory import kv_cache_bytes, plan_simple, plan_vllm, swa_prefill_bytes
from runlocal.memory.frameworks import tower_bytes
from runlocal.runtimes import get_runtime
from runlocal.sources import catalog_spec
from runlocal.weights import estimate_inventory

from .factories import GEMMA_2_9B, GEMMA_3_4B, LLAMA_3_1_8B, MISTRAL_7B_V01

HF = get_runtime("transformers")
MLX = get_runtime("mlx")


def test_transformers_sliding_layers_hold_the_whole_prompt_when_its_prefill_ends() -> None:
    """DynamicSlidingWindowLayer keeps a view of the prompt's K and V: every layer of Mistral
    7B v0.1 (window 4096, 8 KV heads × 128 × (K + V) × 2 B = 4 KiB a token) holds the 32,768
    prompt tokens, 28,672 more than its window; Gemma 3 4B's 29 local layers (window 1024,
    4 KV heads × 256 × 2 × 2 B = 4 KiB) hold 31,744 more."""
    mistral = spec_from_config(MISTRAL_7B_V01)
    assert swa_prefill_bytes(mistral, 32768, HF, "f16") == 32 * 28672 * 4096
    assert swa_prefill_bytes(mistral, 32768, HF, "f16", sequences=2) == 2 * 32 * 28672 * 4096
    gemma = spec_from_config(GEMMA_3_4B)
    assert swa_prefill_bytes(gemma, 32768, HF, "f16") == 29 * 31744 * 4096
    # Within the window nothing is held beyond it; releases that kept the whole context in
    # every layer (before 4.54) count it in the KV cache itself; llama.cpp and vLLM allocate
    # their windowed caches up front.
    assert swa_prefill_bytes(gemma, 1000, HF, "f16") == 0
    assert swa_prefill_bytes(gemma, 32768, get_runtime("transformers@4.53"), "f16") == 0
    assert swa_prefill_bytes(gemma, 32768, get_runtime("llama.cpp"), "f16") == 0
    assert swa_prefill_bytes(gemma, 32768, get_runtime("vllm"), "f16") == 0
    # A model without a window holds nothing extra.
    assert swa_prefill_bytes(spec_from_config(LLAMA_3_1_8B), 32768, HF, "f16") == 0


def test_mlx_rotating_caches_hold_the_window_and_a_prefill_step() -> None:
    """mlx-lm's RotatingKVCache keeps max_size - 1 tokens and appends the 2048-token step:
    Gemma 3 4B's local layers hold 1023 + 2048 = 3071 tokens, 2047 beyond the window; a
    1,500-token prompt (one step) holds 1,500, 476 beyond it."""
    gemma = spec_from_config(GEMMA_3_4B)
    assert swa_prefill_bytes(gemma, 32768, MLX, "f16") == 29 * 2047 * 4096
    assert swa_prefill_bytes(gemma, 1500, MLX, "f16") == 29 * 476 * 4096
    # Once decoding, the window: 5 global layers × 32,768 + 29 × 1024 tokens.
    assert kv_cache_bytes(gemma, 32768, MLX, "f16") == (5 * 32768 + 29 * 1024) * 4096


def test_the_prefill_hold_is_part_of_transformers_compute_not_its_kv_cache() -> None:
    """The KV cache is what decoding keeps (the window); the prompt's storage is a transient
    of the prefill, beside its activations, and counts towards what must fit."""
    mistral = spec_from_config(MISTRAL_7B_V01)
    inv = estimate_inventory(mistral, "BF16")
    gpu = explicit_device(141, 4800)
    use = plan_simple(mistral, inv, [gpu], HF, 32768, "f16", 1).devices[0]
    assert use.kv_cache_bytes == 32 * 4096 * 4096
    # The MLP moment: 32,768 × (3 × 14336 + 4 × 4096 + 2 × 128) × 2 B, the boolean mask
    # 32768² B, the held prompt 32 × 28,672 × 4 KiB; building the mask (3 × 32768² B, before
    # any KV) is smaller.
    mlp = 32768 * (3 * 14336 + 4 * 4096 + 2 * 128) * 2
    assert use.compute_bytes == mlp + 32768**2 + 32 * 28672 * 4096
    # Split over two GPUs, each holds its 16 layers' share, as with the KV cache.
    two = plan_simple(mistral, inv, [gpu, gpu], HF, 32768, "f16", 1).devices
    assert [d.compute_bytes for d in two] == [mlp + 32768**2 + 16 * 28672 * 4096] * 2


def _entry(modality: str, params_total_b: float) -> Entry:
    return Entry(
        kind="models",
        id="gemma-like",
        name="Gemma-like",
        aliases=(),
        sources=(),
        last_verified=dt.date(2026, 12, 7),
        reviewed_by="test",
        data={"modality": modality, "params_total_b": params_total_b, "architecture": GEMMA_3_4B},
        path=Path("/catalog/models/gemma-like.toml"),
    )


def test_a_vision_language_checkpoint_holds_its_tower_where_it_is_loaded_whole() -> None:
    """Gemma 3 4B's text architecture has 3,880,071,680 parameters; the checkpoint's 4.3 B
    leave 419,928,320 to the SigLIP tower and projector, 839,856,640 bytes at 16 bits, held by
    transformers (on the first GPU) and vLLM (split over tensor-parallel GPUs), not by mlx-lm
    or llama.cpp (whose mmproj is a file of its own)."""
    spec = catalog_spec(_entry("vision-language", 4.3))
    assert spec.params_total == 3_880_071_680
    assert spec.params_tower == 419_928_320
    assert tower_bytes(spec) == 839_856_640
    # A text model, or a total not above the text model's, has no tower.
    assert catalog_spec(_entry("text", 4.3)).params_tower == 0
    assert catalog_spec(_entry("vision-language", 3.8)).params_tower == 0

    inv = estimate_inventory(spec, "BF16")
    gpu = explicit_device(80, 3350)
    with_tower = plan_simple(spec, inv, [gpu], HF, 4096, "f16", 1).devices[0].weights_bytes
    assert with_tower == inv.total_bytes + 839_856_640
    assert plan_simple(spec, inv, [gpu], MLX, 4096, "f16", 1).devices[0].weights_bytes == (
        inv.total_bytes
    )
    vllm = get_runtime("vllm")
    two = [gpu, gpu]
    per_gpu = plan_vllm(spec, inv, two, vllm, 4096, "f16", 1).devices[0].weights_bytes
    assert per_gpu == -(-(inv.total_bytes + 839_856_640) // 2)


def test_mlx_windows_only_the_layers_its_model_code_rotates() -> None:
    """mlx-lm's llama.py (Mistral's code) makes a RotatingKVCache only for the layers
    layer_types marks sliding; a bare sliding_window (Mistral 7B v0.1: every layer) keeps the
    whole context, 32 layers × 32,768 tokens × 4 KiB; gemma2.py keeps every layer whole
    (42 layers × 8,192 × 8 KV heads × 256 × 2 × 2 B). The same Mistral with alternating
    layer_types keeps 16 full layers and 16 of 4,096 tokens."""
    mistral = spec_from_config(MISTRAL_7B_V01)
    assert kv_cache_bytes(mistral, 32768, MLX, "f16") == 32 * 32768 * 4096
    assert swa_prefill_bytes(mistral, 32768, MLX, "f16") == 0
    gemma2 = spec_from_config(GEMMA_2_9B)
    assert kv_cache_bytes(gemma2, 8192, MLX, "f16") == 42 * 8192 * 8 * 256 * 2 * 2
    types = ["sliding_attention", "full_attention"] * 16
    mixed = spec_from_config({**MISTRAL_7B_V01, "layer_types": types})
    assert kv_cache_bytes(mixed, 32768, MLX, "f16") == (16 * 32768 + 16 * 4096) * 4096
    # transformers and llama.cpp window the bare sliding_window too.
    assert kv_cache_bytes(mistral, 32768, HF, "f16") == 32 * 4096 * 4096
