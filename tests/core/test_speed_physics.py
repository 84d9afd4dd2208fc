"""What each token reads and computes: hand-computed from config shapes."""

from __future__ import annotations

from typing import Any

from runlocal.hardware import explicit_device
from runlocal.hfconfig import spec_from_config
from runlocal.memory import (
    attention_flops,
    hip_tile_attention_flops,
    kv_cache_bytes,
    plan_llama,
    plan_simple,
    vector_kernel_attention_flops,
)
from runlocal.runtimes import get_runtime
from runlocal.speed import features
from runlocal.weights import estimate_inventory

from .factories import (
    DEEPSEEK_V2_LITE,
    GEMMA_3_4B,
    LLAMA_3_1_8B,
    QWEN3_NEXT_80B_A3B,
    gemma_3n_like,
    gemma_4_like,
)

LLAMA = get_runtime("llama.cpp")
HF = get_runtime("transformers")

GEMMA_3N_LIKE = gemma_3n_like()


def test_decode_attention_arithmetic_counts_heads_widths_and_depth() -> None:
    spec = spec_from_config(LLAMA_3_1_8B)
    # 32 layers × 2 × 32 query heads × (128 K + 128 V) per cached token.
    assert attention_flops(spec, LLAMA, 1000, 0, 32, decode=True) == 32 * 2 * 32 * 256 * 1000
    assert attention_flops(spec, LLAMA, 1000, 0, 8, decode=True) == 8 * 2 * 32 * 256 * 1000


def test_sliding_layers_attend_over_their_window_only() -> None:
    spec = spec_from_config(GEMMA_3_4B)
    per_cell = 2 * 8 * (256 + 256)
    # 5 global layers over 8,000 tokens, 29 local ones over 1,024.
    expected = 5 * 8000 * per_cell + 29 * 1024 * per_cell
    assert attention_flops(spec, LLAMA, 8000, 0, 34, decode=True) == expected


def test_llama_cpp_prompts_attend_over_the_window_and_the_micro_batch() -> None:
    """llama.cpp's sliding-window cache holds window + n_ubatch cells and its flash attention
    visits all of them for each prompt query (masked, not skipped); a decoded token reads
    only its window, and so does vLLM's prompt."""
    from dataclasses import replace

    from runlocal.memory import attended_window

    spec = spec_from_config(GEMMA_3_4B)
    per_cell = 2 * 8 * (256 + 256)
    # 5 global layers over 8,000 tokens, 29 local ones over 1,024 + 512 cells.
    prompt = 5 * 8000 * per_cell + 29 * 1536 * per_cell
    assert attention_flops(spec, LLAMA, 8000, 0, 34, decode=False) == prompt
    assert attended_window(spec, LLAMA, 8000, decode=False) == 1536
    assert attended_window(spec, LLAMA, 8000, decode=True) == 1024
    # With n_ubatch 2048 the cache holds 3,072 cells.
    big = replace(LLAMA, ubatch=2048)
    assert attended_window(spec, big, 8000, decode=False) == 3072
    # Shallower than that, every layer attends over the depth, as full ones do.
    assert attention_flops(spec, big, 1200, 0, 34, decode=False) == 34 * 1200 * per_cell
    vllm = get_runtime("vllm")
    assert attended_window(spec, vllm, 8000, decode=False) == 1024
    # No sliding window: the depth.
    assert attended_window(spec_from_config(LLAMA_3_1_8B), LLAMA, 8000, decode=False) == 8000


def test_mla_attends_in_latent_space_where_the_cache_holds_the_latent() -> None:
    spec = spec_from_config(DEEPSEEK_V2_LITE)
    latent = 27 * 2 * 16 * (576 + 512) * 100
    assert attention_flops(spec, LLAMA, 100, 0, 27, decode=True) == latent
    # llama.cpp's cache holds only the latent, so prompts attend in latent space too;
    # vLLM expands it into per-head K (192) and V (128) for prefill.
    assert attention_flops(spec, LLAMA, 100, 0, 27, decode=False) == latent
    vllm = get_runtime("vllm")
    assert attention_flops(spec, vllm, 100, 0, 27, decode=False) == 27 * 2 * 16 * 320 * 100
    # A runtime that decompresses attends with the per-head widths.
    old = get_runtime("transformers@4.57")
    assert attention_flops(spec, old, 100, 0, 27, decode=True) == 27 * 2 * 16 * 320 * 100


def test_linear_attention_reads_a_fixed_state_at_any_depth() -> None:
    spec = spec_from_config(QWEN3_NEXT_80B_A3B)
    inv = estimate_inventory(spec, "Q4_K_M")
    gpu = explicit_device(80, 2000, 400)
    plan = plan_llama(spec, inv, [gpu], None, LLAMA, 32768, "f16", 1)
    reads = [features(spec, inv, plan, d, None, None, LLAMA).loads[0].kv_bytes for d in (0, 4096)]
    state = 36 * ((4 - 1) * (2 * 16 * 128 + 32 * 128) + 32 * 128 * 128) * 4
    # Read, then written back updated: the state moves twice per token.
    assert reads[0] == 2 * state
    # 12 attention layers × 2 KV heads × 256 × (K + V) × 2 bytes per token, padded to 256.
    assert reads[1] - reads[0] == 12 * 2 * 256 * 2 * 2 * 4096
    assert kv_cache_bytes(spec, 4096, LLAMA, "f16") + state == reads[1]


def test_per_layer_embeddings_are_looked_up_not_streamed() -> None:
    spec = spec_from_config(GEMMA_3N_LIKE)
    ple = 1000 * 32 * 4
    assert spec.params_per_layer_input == ple
    assert spec.params_input == 1000 * 256 + ple
    # A token multiplies the layers and the tied head, never the lookup tables.
    layers = sum(layer.params for layer in spec.layers)
    assert spec.params_matmul_active == layers + spec.params_output + 1000 * 256
    inv = estimate_inventory(spec, "F16")
    gpu = explicit_device(24, 1000, 100)
    plan = plan_simple(spec, inv, [gpu], HF, 1024, "f16", 1)
    token_table = inv.input_bytes * spec.token_embedding_share
    assert plan.lookup_bytes == (round(inv.input_bytes - token_table),)
    f = features(spec, inv, plan, 0, None, None, HF)
    assert f.loads[0].weight_bytes == plan.devices[0].weights_bytes - plan.lookup_bytes[0]
    # llama.cpp keeps both tables on the host; the GPU holds the tied head (token table) only.
    llama = plan_llama(spec, inv, [gpu], None, LLAMA, 1024, "f16", 1)
    assert llama.devices[0].weights_bytes == sum(inv.layer_bytes) + int(token_table)


def test_the_harness_reads_flash_attention_and_micro_batch_from_each_row() -> None:
    from runlocal.accuracy_setup import llama_setup

    from .factories import version_setup

    assert (
        llama_setup({"batch": "n_ubatch 2048, fa 1"}).flash_attn
        and llama_setup({"batch": "n_ubatch 2048"}).ubatch == 2048
    )
    assert not llama_setup({"batch": "llama-bench default (-ngl 99, fa 0 per profile)"}).flash_attn
    # Unstated: by build number, else by date (the default became "auto" late August 2025).
    assert version_setup("build 2f68ce7cf (6918)").flash_attn
    assert not version_setup("build fd1234cb (6096)").flash_attn
    assert not version_setup("May 2024 snapshot").flash_attn
    assert version_setup("2026-03-08").flash_attn
    assert llama_setup({"batch": "llama-bench defaults"}).ubatch == 512


def test_the_harness_reads_the_kv_cache_type_a_row_states() -> None:
    # A 131k-token Qwen3.8-27B prompt on a 24 GB card fits with a q4_0 cache, not with f16.
    from runlocal.accuracy_setup import kv_type

    assert kv_type({"batch": "llama-server -fa 1, 131,072 context, KV q4_0"}) == "q4_0"
    assert kv_type({"batch": "llama-bench -ctk q8_0 -ctv q8_0"}) == "q8_0"
    assert kv_type({"notes": "--cache-type-k=Q8_0"}) == "q8_0"
    assert kv_type({"batch": "KV as served", "notes": "q4_0 weights"}) == "f16"


def test_the_harness_reads_which_cuda_gemm_each_row_ran_by_its_date() -> None:
    from .factories import version_setup

    # MMQ became the default on 24 June 2024 (PR #8075); before, FP16 cuBLAS.
    assert not version_setup("May 2024 snapshot; CUDA 12.1.1").mmq
    assert not version_setup("reference build 8e672ef (2023-11-21)").mmq
    assert version_setup("2025-05-17 (page date)").mmq
    assert version_setup("build 2f68ce7cf (6918); CUDA 13.0").mmq
    assert version_setup("build 5143fa8").mmq


def test_llama_cpp_builds_before_auto_flash_attention_run_without_it() -> None:
    assert get_runtime("llama.cpp").flash_attn
    assert not get_runtime("llama.cpp@b6000").flash_attn
    assert get_runtime("llama.cpp@b6918").flash_attn


def test_mtp_layers_and_towers_are_held_but_not_read_per_token() -> None:
    import dataclasses

    spec = spec_from_config(LLAMA_3_1_8B)
    inv = estimate_inventory(spec, "Q4_K_M")
    gpu = explicit_device(24, 1000, 100)
    mtp = inv.layer_bytes[-1]  # as if the last block were a multi-token-prediction block
    held = dataclasses.replace(inv, unread_bytes=mtp)
    plan = plan_llama(spec, held, [gpu], None, LLAMA, 4096, "f16", 1)
    assert plan == plan_llama(spec, inv, [gpu], None, LLAMA, 4096, "f16", 1)  # same memory
    read = features(spec, inv, plan, 0, None, None, LLAMA).loads[0].weight_bytes
    assert features(spec, held, plan, 0, None, None, LLAMA).loads[0].weight_bytes == read - mtp


def _gemma_4_with_one_global_layer() -> dict[str, Any]:
    """Three Gemma-4-like layers: sliding (128-wide heads), global (512-wide), sliding."""
    return gemma_4_like(
        num_hidden_layers=3,
        head_dim=128,
        global_head_dim=512,
        layer_types=["sliding_attention", "full_attention", "sliding_attention"],
    )


def test_decode_attention_wider_than_the_vector_kernel_is_counted_apart() -> None:
    config = _gemma_4_with_one_global_layer()
    spec = spec_from_config(config)
    # At depth 100: the two sliding layers read their window of 8 with 128-wide K and V, the
    # global layer all 100 with 512-wide K and V; 2 FLOPs per head and element.
    vector, matrix = vector_kernel_attention_flops(spec, LLAMA, 100, 0, 3)
    assert vector == 2 * (2 * 4 * (128 + 128) * 8)
    assert matrix == 2 * 4 * (512 + 512) * 100
    # Layers [2, 3) hold no global layer.
    assert vector_kernel_attention_flops(spec, LLAMA, 100, 2, 3)[1] == 0


def test_hip_rdna_prompt_attention_takes_the_tile_kernel_for_wide_heads_or_no_gqa() -> None:
    config = _gemma_4_with_one_global_layer()
    spec = spec_from_config(config)
    # 4 query heads on 2 KV heads (GQA 2) of 128 in the sliding layers: the WMMA kernel. The
    # 512-wide global layer takes the tile kernel: 2 × 4 heads × (512 + 512) × 100 tokens.
    assert hip_tile_attention_flops(spec, LLAMA, 100, 0, 3) == 2 * 4 * (512 + 512) * 100
    assert hip_tile_attention_flops(spec, LLAMA, 100, 2, 3) == 0
    # One query head per KV head (no GQA): every layer in the tile kernel, the sliding ones
    # over the 100 cells too: a prompt's query visits the window and the micro-batch
    # (8 + 512 cells, memory.attended_window).
    mha = spec_from_config({**config, "num_key_value_heads": 4})
    tile = hip_tile_attention_flops(mha, LLAMA, 100, 0, 3)
    assert tile == 2 * (2 * 4 * (128 + 128) * 100) + 2 * 4 * (512 + 512) * 100
    assert tile == attention_flops(mha, LLAMA, 100, 0, 3, decode=False)
