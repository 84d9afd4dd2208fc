"""transformers' last decoded token, hand-computed: one layer's cache update and, where the
release expands grouped-query K and V to every head (repeat_kv), that copy; and the
accuracy harness's peak of a prompt generated from."""

from __future__ import annotations

from dataclasses import replace

import pytest

from runlocal.hardware import explicit_device
from runlocal.hfconfig import spec_from_config
from runlocal.memory import (
    plan_simple,
    transformers_activation_bytes,
    transformers_decode_bytes,
    transformers_repeats_kv,
)
from runlocal.memory_accuracy import generate_peak
from runlocal.runtimes import get_runtime
from runlocal.weights import estimate_inventory

from .factories import DEEPSEEK_V2_LITE, GEMMA_2_9B, LLAMA_3_1_8B, MISTRAL_7B_V01

HF = get_runtime("transformers")


def test_the_release_and_the_attention_path_decide_whether_kv_is_repeated() -> None:
    # FlashAttention-2 (Runtime.flash_attn): the Mistral-derived classes before 4.48.
    assert transformers_repeats_kv(get_runtime("transformers@4.46.0"))
    assert not transformers_repeats_kv(get_runtime("transformers@4.48"))
    # SDPA: before 4.54 always; from 4.54 only where a mask is passed.
    sdpa_451 = replace(get_runtime("transformers@4.51.3"), flash_attn=False)
    sdpa_454 = replace(get_runtime("transformers@4.54"), flash_attn=False)
    assert transformers_repeats_kv(sdpa_451)
    assert not transformers_repeats_kv(sdpa_454)
    assert transformers_repeats_kv(sdpa_454, masked=True)
    # The current release: neither path copies.
    assert not transformers_repeats_kv(HF)


@pytest.mark.parametrize("context", [1024, 4096, 8192, 32768, 65536, 131072])
def test_a_decoded_token_holds_one_layers_cache_update_or_its_repeated_kv(context: int) -> None:
    """Llama 3.1 8B (32 query heads on 8 KV heads of 128): the cache update holds one
    layer's K again, 8 × 128 × T × 2 B; under repeat_kv the expanded K and V,
    32 × (128 + 128) × T × 2 B, four times a layer's K and V."""
    spec = spec_from_config(LLAMA_3_1_8B)
    assert transformers_decode_bytes(spec, HF, context) == 8 * 128 * context * 2
    old = get_runtime("transformers@4.46.0")
    assert transformers_decode_bytes(spec, old, context) == 32 * 256 * context * 2
    assert transformers_decode_bytes(spec, old, context, sequences=2) == 2 * 32 * 256 * context * 2


@pytest.mark.parametrize("context", [1024, 4096, 8192, 32768, 131072])
def test_a_sliding_layer_updates_and_repeats_only_its_window(context: int) -> None:
    """Mistral 7B v0.1 (every layer slides over 4,096 tokens): from 4.54 the cache keeps the
    window, so its update copies at most 4,096 tokens of K; SDPA still expands K and V once
    the window is reached, because masking_utils then passes a mask."""
    spec = spec_from_config(MISTRAL_7B_V01)
    window = min(context, 4096)
    assert transformers_decode_bytes(spec, HF, context) == 8 * 128 * window * 2
    sdpa = replace(HF, flash_attn=False)
    expected = (32 * 256 if context >= 4096 else 8 * 128) * window * 2
    assert transformers_decode_bytes(spec, sdpa, context) == expected
    # Gemma 2 (16 query heads on 8 KV heads of 256): its full layers hold the context.
    gemma = spec_from_config(GEMMA_2_9B)
    assert transformers_decode_bytes(gemma, HF, context) == 8 * 256 * context * 2


def test_mla_updates_its_latent_or_its_decompressed_heads() -> None:
    """DeepSeek-V2-Lite: transformers 5 caches the 512 + 64 latent (576 elements); 4.x the
    decompressed K (192 wide) and V (128) of 16 heads, one per query head: no repeat."""
    spec = spec_from_config(DEEPSEEK_V2_LITE)
    assert transformers_decode_bytes(spec, HF, 8192) == 576 * 8192 * 2
    old = get_runtime("transformers@4.46.0")
    assert transformers_decode_bytes(spec, old, 8192) == 16 * 192 * 8192 * 2


def test_the_plan_takes_the_larger_of_the_prefill_and_the_last_token() -> None:
    """Llama 3.1 8B under 4.46 at 32,768 tokens: the prefill's MLP moment,
    32768 × (3 × 14336 + 4 × 4096 + 2 × 128) × 2 B, is above the repeated K and V,
    32768 × 32 × 256 × 2 B, so the plan's compute is the prefill's."""
    spec = spec_from_config(LLAMA_3_1_8B)
    old = get_runtime("transformers@4.46.0")
    plan = plan_simple(
        spec, estimate_inventory(spec, "BF16"), [explicit_device(80, 3350)], old, 32768, "f16", 1
    )
    prefill = transformers_activation_bytes(spec, old, 32768, 1)
    assert prefill == 32768 * (3 * 14336 + 4 * 4096 + 2 * 128) * 2
    assert plan.devices[0].compute_bytes == prefill > 32768 * 32 * 256 * 2


def test_a_generated_runs_last_token_holds_its_decode_transient() -> None:
    """A 1-token prompt then 2,048 generated: the last token holds weights 4000 + KV 1000 and
    its transient 300 beside them, above the prompt's 4001."""
    whole = {
        "memory": {"weights_bytes": 4000, "kv_cache_bytes": 1000, "total_bytes": 5500},
        "devices": [],
    }
    one = {
        "memory": {"weights_bytes": 4000, "kv_cache_bytes": 0, "compute_bytes": 1},
        "devices": [],
    }
    one["memory"].update(overhead_bytes=200, total_bytes=4201)
    assert generate_peak(one, whole, False, unit_mib=False, decode_bytes=300) == 5300
