"""Per-runtime memory rules, hand-computed: Ollama's flash-attention default and llama.cpp's
compute buffer without flash attention, Meta's FP8 layout, transformers' KV cache and a small
model's fixed process from 1K to 128K tokens, and the accuracy harness's reading of old vLLM
logs and failed setups."""

from __future__ import annotations

from dataclasses import replace

import pytest

from runlocal.architectures import architecture_key
from runlocal.catalog import Catalog
from runlocal.engine import CheckQuery, check
from runlocal.hardware import explicit_device
from runlocal.hfconfig import spec_from_config
from runlocal.memory import kv_cache_bytes, llama_compute_bytes, plan_llama
from runlocal.memory_accuracy import MemoryRow, evaluate_memory, vllm_gb_is_gib
from runlocal.runtimes import get_runtime, runtime_for_architecture
from runlocal.sources import inventory_for
from runlocal.weights import estimate_inventory

from .factories import (
    DEEPSEEK_V2_LITE,
    GEMMA_2_9B,
    GEMMA_3_4B,
    LLAMA_3_1_8B,
    MISTRAL_7B_V01,
    QWEN3_NEXT_80B_A3B,
)

MIB = 1024**2
OLLAMA = get_runtime("ollama")
HF = get_runtime("transformers")


def test_ollama_turns_flash_attention_on_only_for_the_architectures_it_lists() -> None:
    # fs/ggml/ggml.go GGML.FlashAttention(): gemma3, gpt-oss, qwen3, qwen3moe, qwen35, ...
    # config.json's model_type and GGUF's general.architecture name them differently.
    assert architecture_key("gemma3_text") == "gemma3"
    assert architecture_key("gpt_oss") == architecture_key("gpt-oss") == "gptoss"
    assert architecture_key("qwen3_5_text") == "qwen35"
    for arch in ("qwen3", "qwen3_moe", "gemma3_text", "gpt_oss", "qwen3_5_text", "nemotron_h"):
        assert runtime_for_architecture(OLLAMA, arch).flash_attn, arch
    for arch in ("llama", "qwen2", "gemma2", "mistral"):
        assert not runtime_for_architecture(OLLAMA, arch).flash_attn, arch
    # llama.cpp's own default (auto, on) does not depend on the architecture.
    llama_cpp = get_runtime("llama.cpp")
    assert runtime_for_architecture(llama_cpp, "llama") is llama_cpp


def test_llama_cpp_without_flash_attention_holds_every_heads_scores() -> None:
    """Llama 3.1 8B at 8,192 cells, micro-batch 512. Without flash attention: F32 scores of
    32 heads and the F32 mask, 8192 x 512 x 33 x 4 B = 528 MiB, and four F32 hidden-wide
    activations, 4 x 4096 x 512 x 4 B = 32 MiB: 560 MiB (what llama.cpp logs, flash_attn 0),
    plus the 8 MiB fixed part. With it: the F16 mask 8192 x 512 x 2 B = 8 MiB and the per-head
    scratch 4 x 32 x 512 x 128 x 4 B = 32 MiB, below the logits 128,256 x 512 x 4 B =
    250.5 MiB: 258.5 MiB."""
    spec = spec_from_config(LLAMA_3_1_8B)
    assert llama_compute_bytes(spec, 8192, True, False) == 560 * MIB + 8 * MIB
    # 128,256 x 512 x 4 B = 250.5 MiB of logits, + 8 MiB = 258.5 MiB.
    assert llama_compute_bytes(spec, 8192, True, True) == int(258.5 * MIB)

    # Through the placement: Ollama runs Llama without flash attention, and so did llama.cpp
    # before its "auto" default (b6325).
    inv = estimate_inventory(spec, "Q4_K_M")
    gpu = explicit_device(24, 1000)
    for runtime, expected in (
        (runtime_for_architecture(OLLAMA, spec.architecture), 568 * MIB),
        (get_runtime("llama.cpp@b6000"), 568 * MIB),
        (get_runtime("llama.cpp"), int(258.5 * MIB)),
    ):
        plan = plan_llama(spec, inv, [gpu], None, runtime, 8192, "f16", 1)
        assert plan.devices[0].compute_bytes == expected, runtime.id


def test_meta_fp8_keeps_attention_and_the_end_blocks_in_bf16() -> None:
    """Llama 3.1 8B as Meta's FP8 recipe lays it out: per block, attention q 4096², k and v
    4096 x 1024, o 4096² = 41,943,040 weights in BF16 (83,886,080 B) and two norms
    (16,384 B); the MLP 3 x 4096 x 14336 = 176,160,768 weights in FP8 (1 B) in blocks 1-30,
    BF16 in blocks 0 and 31; embeddings 128,256 x 4096 x 2 B = 1,050,673,152 B and the same
    head plus the final norm (8,192 B)."""
    spec = spec_from_config(LLAMA_3_1_8B)
    inv = estimate_inventory(spec, "FP8-FFN")
    block = 83_886_080 + 16_384
    assert inv.layer_bytes[1] == block + 176_160_768
    assert inv.layer_bytes[0] == inv.layer_bytes[31] == block + 2 * 176_160_768
    assert inv.input_bytes == 1_050_673_152
    assert inv.output_bytes == 1_050_673_152 + 8_192
    assert inv.total_bytes == 32 * block + 30 * 176_160_768 + 2 * 352_321_536 + (
        2 * 1_050_673_152 + 8_192
    )
    # The generic FP8 file (every linear layer in FP8) is smaller by one byte per attention
    # weight and per end-block MLP weight.
    assert estimate_inventory(spec, "FP8").total_bytes == (
        inv.total_bytes - 32 * 41_943_040 - 2 * 176_160_768
    )


def test_a_catalog_file_can_give_the_layout_of_its_quantization(catalog: Catalog) -> None:
    entry = catalog.find_model("llama-3.1-8b")
    spec = spec_from_config(LLAMA_3_1_8B)
    laid = {"quant": "FP8", "scheme": "FP8-FFN", "url": "https://example.org/fp8"}
    data = {**entry.data, "files": [laid]}
    with_file = type(entry)(**{**entry.__dict__, "data": data})
    inv = inventory_for(spec, with_file, "FP8")
    assert inv.quant == "FP8"
    assert inv.total_bytes == estimate_inventory(spec, "FP8-FFN").total_bytes
    assert "https://example.org/fp8" in inv.source


@pytest.mark.parametrize("context", [1024, 4096, 8192, 32768, 65536, 131072])
def test_transformers_kv_cache_from_1k_to_128k(context: int) -> None:
    """transformers' DynamicCache at every context: sliding layers keep their window's
    storage (Gemma 2 and Mistral v0.1: 4,096; Gemma 3: 1,024), full layers the context, MLA
    the 512 + 64 latent, linear attention a fixed F32 state."""
    w = min(context, 4096)
    gemma2 = spec_from_config(GEMMA_2_9B)  # 21 global + 21 local, 8 KV heads x 256
    assert kv_cache_bytes(gemma2, context, HF, "f16") == (21 * context + 21 * w) * 8 * 256 * 4
    gemma3 = spec_from_config(GEMMA_3_4B)  # 5 global + 29 local, 4 KV heads x 256
    local = min(context, 1024)
    assert kv_cache_bytes(gemma3, context, HF, "f16") == (5 * context + 29 * local) * 4 * 256 * 4
    mistral = spec_from_config(MISTRAL_7B_V01)  # 32 layers, 8 KV heads x 128
    assert kv_cache_bytes(mistral, context, HF, "f16") == 32 * w * 8 * 128 * 4
    # Before 4.54 DynamicCache kept every token in every layer, window or not.
    old = get_runtime("transformers@4.53")
    assert kv_cache_bytes(mistral, context, old, "f16") == 32 * context * 8 * 128 * 4
    dsv2 = spec_from_config(DEEPSEEK_V2_LITE)  # 27 layers x (512 + 64) x 2 B
    assert kv_cache_bytes(dsv2, context, HF, "f16") == 27 * context * 576 * 2
    qnext = spec_from_config(QWEN3_NEXT_80B_A3B)  # 12 attention layers, 36 delta-net states
    state = ((4 - 1) * (2 * 16 * 128 + 32 * 128) + 32 * 128 * 128) * 4
    assert kv_cache_bytes(qnext, context, HF, "f16") == 12 * context * 2 * 256 * 4 + 36 * state


def test_old_vllm_logs_print_gib_as_gb() -> None:
    def row(version: str, runtime: str = "vllm") -> dict[str, str]:
        return {"runtime": runtime, "runtime_version_or_date": version}

    # PR #15807 (31 March 2025) changed the word to GiB: 0.8.3 is the first release with it.
    assert vllm_gb_is_gib(row("v0.8.1 (V1 engine), 2025-03"))
    assert vllm_gb_is_gib(row("0.6.3"))
    assert not vllm_gb_is_gib(row("0.8.3"))
    assert not vllm_gb_is_gib(row("vLLM 0.10.1, 2025-08"))
    # Without a release, by the row's month.
    assert vllm_gb_is_gib(row("2024-07"))
    assert not vllm_gb_is_gib(row("2025-06"))
    assert not vllm_gb_is_gib(row("2024-07", runtime="llama.cpp"))


def test_a_failed_setups_weight_buffers_are_asked_where_the_weights_alone_decide(
    catalog: Catalog,
) -> None:
    """Llama 3.1 8B at Q4_K_M on a 6 GiB GPU beside 4 GiB of RAM at 131,072 tokens (16 GiB
    of KV) does not start;
    its load log still printed the weights on the GPU. The harness compares them with the
    weights placed at one micro-batch, where every layer fits."""
    query = CheckQuery(
        model="llama-3.1-8b",
        quant="Q4_K_M",
        context=131072,
        vram_gb=6,
        bandwidth_gb_s=300,
        ram_gb=4,
        no_measured=True,
    )
    row = MemoryRow("x.csv", 2, "", "weights_mib", "weights", False, 0.0, "llama.cpp", query)
    evaluate_memory([row], catalog)
    small = check(replace(query, context=512), catalog).data
    assert row.verdict == "wont-run"
    assert row.predicted_bytes == small["memory"]["weights_bytes"]


def test_exllamav2_allocates_its_largest_modules_fixed_scratch_and_keeps_embeddings_on_the_cpu() -> (
    None
):
    """Llama 3.1 8B under ExLlamaV2 at 8,192 tokens (chunks of 2,048). The fixed scratch is
    the largest module's: the MLP's 2048 x 4096 x 2 + 128 = 16,777,344 B of state, two
    2048 x 14336 x 2 + 128 = 58,720,384 B slices and its 4096 x 14336 x 2 = 117,440,512 B
    dequantized projection, 251,658,624 B; attention's 16,777,344 + 4096 x 4096 x 2 =
    50,331,776 B; the head dequantized, 128,256 x 4096 x 2 = 1,050,673,152 B (under the
    512 Mi-element cap), the largest. With the sin/cos tables, 2 x 128 x 8192 x 2 =
    4,194,304 B: 1,054,867,456 B. The token embeddings (1,050,673,152 B at FP16) stay in
    system RAM."""
    from runlocal.memory import plan_simple
    from runlocal.memory.frameworks import exllamav2_scratch_bytes

    spec = spec_from_config(LLAMA_3_1_8B)
    assert exllamav2_scratch_bytes(spec, 8192) == 1_050_673_152 + 4_194_304
    # A 1,024-token context forwards 1,024-token chunks; the head still decides.
    assert exllamav2_scratch_bytes(spec, 1024) == 1_050_673_152 + 2 * 128 * 1024 * 2
    inv = estimate_inventory(spec, "EXL2-4.0BPW")
    gpu = explicit_device(24, 1000)
    plan = plan_simple(spec, inv, [gpu], get_runtime("exllamav2"), 8192, "f16", 1)
    use = plan.devices[0]
    assert use.compute_bytes == 1_054_867_456
    assert inv.input_bytes == 1_050_673_152
    assert use.weights_bytes == sum(inv.layer_bytes) + inv.output_bytes + inv.other_bytes
    assert plan.host is not None and plan.host.weights_bytes == inv.input_bytes


# Qwen2.5-0.5B's config.json: a small tied-embedding model, two KV heads of 64.
QWEN2_5_0_5B = {
    "model_type": "qwen2",
    "num_hidden_layers": 24,
    "hidden_size": 896,
    "num_attention_heads": 14,
    "num_key_value_heads": 2,
    "intermediate_size": 4864,
    "vocab_size": 151936,
    "max_position_embeddings": 32768,
    "tie_word_embeddings": True,
}


@pytest.mark.parametrize("context", [1024, 4096, 8192, 32768, 65536, 131072])
def test_a_small_transformers_model_pays_the_fixed_process_at_every_context(context: int) -> None:
    """Qwen2.5-0.5B in BF16 on one GPU: the KV cache, 24 layers × 2 heads × 64 × (K + V) × 2 B
    per token; the prefill's MLP moment, 3 × 4864 + 4 × 896 + 2 × 64 = 18,304 elements of 2 B
    per token (above the logits, 2 × 896 + 6 × 151,936 bytes for the last position only); and
    the process, 1 GiB that does not shrink with the model plus 10% of activations and KV:
    the whole is weights + KV + activations + that, at 1K as at 128K."""
    from runlocal.memory import TRANSFORMERS_PROCESS_BYTES, plan_simple

    spec = spec_from_config(QWEN2_5_0_5B)
    plan = plan_simple(
        spec, estimate_inventory(spec, "BF16"), [explicit_device(80, 2000)], HF, context, "f16", 1
    )
    use = plan.devices[0]
    kv = 24 * 2 * 64 * 2 * 2 * context
    act = context * 18_304 * 2
    assert use.kv_cache_bytes == kv
    assert use.compute_bytes == act
    assert use.overhead_bytes == TRANSFORMERS_PROCESS_BYTES + int((act + kv) * 0.1)
    assert use.total_bytes == use.weights_bytes + kv + act + use.overhead_bytes
    # The fixed part outweighs the 0.5B model's own weights (494 M parameters in BF16).
    assert use.weights_bytes < TRANSFORMERS_PROCESS_BYTES
