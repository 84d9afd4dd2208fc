"""KV cache bytes, hand-computed from each model's config.json."""

from __future__ import annotations

import pytest

from runlocal.errors import InputError
from runlocal.hfconfig import spec_from_config
from runlocal.memory import kv_cache_bytes
from runlocal.runtimes import get_runtime

from .factories import (
    DEEPSEEK_V2_LITE,
    GEMMA_2_9B,
    GEMMA_3_4B,
    LLAMA_3_1_8B,
    MISTRAL_7B_V01,
    MIXTRAL_8X7B,
    QWEN3_NEXT_80B_A3B,
)

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
    # vLLM reserves min(4095 + 8192, 8192) = 8192 tokens → 512 + 1 blocks of 16 = 8208.
    assert kv_cache_bytes(spec, 8192, VLLM, "f16") == (21 * 8192 + 21 * 8208) * per_cell
    # transformers keeps a view of the last 4095 tokens of a sliding layer, over the storage of
    # those and the token just decoded: 4096.
    assert kv_cache_bytes(spec, 8192, HF, "f16") == (21 * 8192 + 21 * 4096) * per_cell


def test_it_keeps_five_local_layers_per_global_one_at_window_1024_for_gemma_3() -> None:
    spec = spec_from_config(GEMMA_3_4B)
    assert spec.layers_by_kind == {"swa": 29, "full": 5}
    per_cell = 4 * 256 * 2 * 2  # 4 KV heads × 256 dims × (K + V) × 2 bytes = 4 KiB
    assert kv_cache_bytes(spec, 32768, HF, "f16") == (5 * 32768 + 29 * 1024) * per_cell
    # Below the window every layer holds the whole context.
    assert kv_cache_bytes(spec, 1000, HF, "f16") == 34 * 1000 * per_cell
    # Releases before the sliding layers (4.53) kept the whole context in every layer.
    old = get_runtime("transformers@4.53")
    assert kv_cache_bytes(spec, 32768, old, "f16") == 34 * 32768 * per_cell


def test_it_caps_mistral_sliding_window_in_every_runtime_that_honours_it() -> None:
    spec = spec_from_config(MISTRAL_7B_V01)
    per_cell = 8 * 128 * 2 * 2
    assert kv_cache_bytes(spec, 32768, LLAMA, "f16") == 32 * 4608 * per_cell
    # vLLM: cdiv(min(4095 + 8192, 32768), 16) + 1 = 769 blocks = 12,304 tokens per layer.
    assert kv_cache_bytes(spec, 32768, VLLM, "f16") == 32 * 12304 * per_cell
    assert kv_cache_bytes(spec, 32768, get_runtime("vllm@0.9"), "f16") == 32 * 32768 * per_cell
    assert kv_cache_bytes(spec, 32768, HF, "f16") == 32 * 4096 * per_cell


def test_it_caches_only_the_mla_latent_for_deepseek_v2_lite() -> None:
    spec = spec_from_config(DEEPSEEK_V2_LITE)
    assert spec.mla is not None and spec.mla.latent_elements == 576
    assert kv_cache_bytes(spec, 4096, LLAMA, "f16") == 27 * 4096 * 576 * 2
    assert kv_cache_bytes(spec, 4096, VLLM, "f16") == 27 * 4096 * 576 * 2
    assert kv_cache_bytes(spec, 4096, HF, "f16") == 27 * 4096 * 576 * 2
    # transformers 4.x decompressed: 16 heads × (192 K + 128 V) per token per layer.
    old = get_runtime("transformers@4.57")
    assert kv_cache_bytes(spec, 4096, old, "f16") == 27 * 4096 * 16 * (192 + 128) * 2
    # mlx-lm decompresses deepseek_v2 but caches the latent for deepseek_v3-style code.
    mlx = get_runtime("mlx")
    assert kv_cache_bytes(spec, 4096, mlx, "f16") == 27 * 4096 * 16 * (192 + 128) * 2
    v3_like = spec_from_config({**DEEPSEEK_V2_LITE, "model_type": "deepseek_v3"})
    assert kv_cache_bytes(v3_like, 4096, mlx, "f16") == 27 * 4096 * 576 * 2


def test_linear_attention_layers_keep_a_fixed_state_not_a_kv_cache() -> None:
    spec = spec_from_config(QWEN3_NEXT_80B_A3B)
    assert spec.layers_by_kind == {"recurrent": 36, "full": 12}
    # Gated delta net: conv state (4 - 1) × (2 × 16 × 128 + 32 × 128) plus the recurrent
    # state 32 heads × 128 × 128, in F32.
    state = ((4 - 1) * (2 * 16 * 128 + 32 * 128) + 32 * 128 * 128) * 4
    per_cell = 2 * 256 * 2 * 2
    for runtime in (LLAMA, HF):
        short = kv_cache_bytes(spec, 4096, runtime, "f16")
        long = kv_cache_bytes(spec, 8192, runtime, "f16")
        assert short == 12 * 4096 * per_cell + 36 * state
        assert long - short == 12 * 4096 * per_cell  # only the attention layers grow


def test_it_sizes_mixtral_kv_like_a_dense_gqa_model() -> None:
    spec = spec_from_config(MIXTRAL_8X7B)
    assert kv_cache_bytes(spec, 32768, LLAMA, "f16") == 32 * 32768 * 8 * 128 * 2 * 2


def test_it_scales_kv_with_parallel_sequences() -> None:
    spec = spec_from_config(LLAMA_3_1_8B)
    one = kv_cache_bytes(spec, 4096, LLAMA, "f16")
    assert kv_cache_bytes(spec, 4096, LLAMA, "f16", sequences=4) == 4 * one


def test_a_runtime_version_selects_the_rules_of_that_release() -> None:
    assert get_runtime("transformers").swa_windowed and get_runtime("transformers").mla_latent
    old = get_runtime("transformers@4.50.3")
    assert not old.swa_windowed and not old.mla_latent and old.version == "4.50.3"
    assert get_runtime("vllm@0.10.1").swa_windowed
    with pytest.raises(InputError):
        get_runtime("transformers@latest-ish")


def test_a_transformers_process_pays_a_fixed_overhead_that_does_not_shrink() -> None:
    from runlocal.hardware import explicit_device
    from runlocal.memory import TRANSFORMERS_PROCESS_BYTES, plan_simple
    from runlocal.weights import estimate_inventory

    spec = spec_from_config(LLAMA_3_1_8B)
    inv = estimate_inventory(spec, "BF16")
    gpu = explicit_device(80, 3350)
    plan = plan_simple(spec, inv, [gpu], HF, 1024, "f16", 1)
    use = plan.devices[0]
    # Allocated at the peak (what torch.cuda.max_memory_allocated reports): 1024 tokens of
    # a layer's MLP (three 14336-wide tensors), four hidden-wide ones and the rotary cos and
    # sin (128 wide), 1024 × (3 × 14336 + 4 × 4096 + 2 × 128) × 2 B = 1024 × 59,648 × 2.
    assert use.compute_bytes == 122_159_104
    # KV: 32 layers × 8 heads × 128 × (K + V) × 2 B × 1024 tokens.
    assert use.kv_cache_bytes == 134_217_728
    # The process: 1 GiB of context and kernels, plus the caching allocator's reserve,
    # 10% of (activations + KV) = int(25_637_683.2).
    assert use.overhead_bytes == TRANSFORMERS_PROCESS_BYTES + 25_637_683
    assert TRANSFORMERS_PROCESS_BYTES == 1024**3


def test_a_sliding_window_model_prefilling_past_its_window_holds_a_boolean_mask() -> None:
    """Mistral 7B v0.1 (window 4096) under transformers' SDPA: a 4,000-token prompt fits the
    window (is_causal, no mask); at 8,192 tokens the (1, 1, q, kv) boolean mask is
    8192² B = 64 MiB beside the activations; at 131,072 it is 16 GiB, built from two more of
    its size while the KV cache is still empty: 48 GiB, more than the forward pass holds.
    Releases before masking_utils built it in bf16, twice the bytes. Llama (no window) never
    pays for one."""
    from runlocal.hardware import explicit_device
    from runlocal.memory import plan_simple, transformers_mask_bytes
    from runlocal.weights import estimate_inventory

    spec = spec_from_config(MISTRAL_7B_V01)
    assert transformers_mask_bytes(spec, HF, 4000, 1) == (0, 0)
    assert transformers_mask_bytes(spec, HF, 8192, 1) == (8192**2, 3 * 8192**2)
    assert transformers_mask_bytes(spec, HF, 8192, 2) == (2 * 8192**2, 6 * 8192**2)
    old = get_runtime("transformers@4.52")
    assert transformers_mask_bytes(spec, old, 8192, 1) == (2 * 8192**2, 6 * 8192**2)
    llama = spec_from_config(LLAMA_3_1_8B)
    assert transformers_mask_bytes(llama, HF, 131072, 1) == (0, 0)

    inv = estimate_inventory(spec, "BF16")
    gpu = explicit_device(141, 4800)
    act_8k = 8192 * (3 * 14336 + 4 * 4096 + 2 * 128) * 2
    # Beside them, the sliding layers' views still hold the whole prompt (swa_prefill_bytes):
    # 32 layers × (8192 - 4096) tokens × 4 KiB.
    held = 32 * 4096 * 8 * 128 * 2 * 2
    assert plan_simple(spec, inv, [gpu], HF, 8192, "f16", 1).devices[0].compute_bytes == (
        act_8k + 8192**2 + held
    )
    long = plan_simple(spec, inv, [gpu], HF, 131072, "f16", 1).devices[0]
    assert long.compute_bytes == 3 * 131072**2 - long.kv_cache_bytes


def test_transformers_before_4_45_holds_the_logits_of_every_prompt_position() -> None:
    """Llama 3.1 8B, a 1024-token prompt. From 4.45 generate() asks for the last position's
    logits only: the final norm's output, 1024 × 4096 × 2 B = 8,388,608, and one row of bf16
    logits and its float32 copy, 128,256 × 6 B = 769,536, together far below the MLP's
    122,159,104. Before, every position's logits: 1024 × 128,256 × 6 B = 788,004,864, plus
    the norm's output, 796,393,472 B, the pass's peak."""
    from runlocal.memory import transformers_activation_bytes

    spec = spec_from_config(LLAMA_3_1_8B)
    assert transformers_activation_bytes(spec, HF, 1024, 1) == 122_159_104
    old = get_runtime("transformers@4.44.2")
    assert not old.prefill_last_logits and get_runtime("transformers@4.45").prefill_last_logits
    assert transformers_activation_bytes(spec, old, 1024, 1) == 8_388_608 + 788_004_864
    # Two sequences: twice the positions, each sequence's last logits row.
    assert transformers_activation_bytes(spec, HF, 1024, 2) == 2 * 122_159_104


def test_vllm_preallocates_the_share_of_each_gpu_it_is_given() -> None:
    from dataclasses import replace

    from runlocal.hardware import explicit_device
    from runlocal.memory import plan_vllm
    from runlocal.weights import estimate_inventory

    spec = spec_from_config(LLAMA_3_1_8B)
    inv = estimate_inventory(spec, "BF16")
    gpu = explicit_device(80, 3350)
    half = replace(VLLM, gpu_memory_utilization=0.5)
    for runtime, share in ((VLLM, 0.9), (half, 0.5)):
        use = plan_vllm(spec, inv, [gpu], runtime, 8192, "f16", 1).devices[0]
        # A share of what the driver reports: 99% of the board (79.19 GiB of an H100's 80).
        reported = int(80 * 1024**3 * 0.99)
        assert use.fit_limit_bytes == int(reported * share)
        # Weights, the activation peak and non-torch memory are profiled: the rest is the
        # KV pool. CUDA graphs and the CUDA context sit outside the preallocation.
        assert use.kv_pool_bytes == use.fit_limit_bytes - inv.total_bytes - (
            use.compute_bytes + 256 * 1024**2
        )
        assert use.total_bytes == use.fit_limit_bytes + 512 * 1024**2 + 500 * 1024**2


def test_vllm_profiles_the_sampler_over_its_default_batch() -> None:
    from dataclasses import replace

    from runlocal.hardware import explicit_device
    from runlocal.memory import vllm_activation_bytes

    spec = spec_from_config(LLAMA_3_1_8B)
    h100 = explicit_device(80, 3350)
    # 80 GiB reports 79.2 (>= 70): 8192 batched tokens and 1024 sequences. The sampler's
    # logits, 1024 rows × 128256 × (2 + 4 + 4 + 4) B, beside three 8192 × 4096 bf16 hidden
    # states, outweigh the forward pass, 8192 × (3 × 14336 + 2 × 4096) × 2 B = 838,860,800.
    sampler = 1024 * 128256 * 14 + 8192 * 4096 * 6
    assert sampler == 2_040_004_608  # 1.90 GiB; vLLM 0.19 logs 1.89 on an H100
    assert vllm_activation_bytes(spec, VLLM, h100, 1, 8192) == sampler
    # Tensor parallelism shares the forward pass, not the all-gathered logits.
    assert vllm_activation_bytes(spec, VLLM, h100, 4, 8192) == sampler
    # Before 0.17 top-k/top-p sorted the float32 logits with int64 indices: 37 B an entry.
    old = get_runtime("vllm@0.16")
    assert vllm_activation_bytes(spec, old, h100, 1, 8192) == 1024 * 128256 * 37 + 8192 * 4096 * 6
    # Below 70 GiB: 2048 tokens and 256 sequences.
    rtx = explicit_device(24, 1008)
    assert vllm_activation_bytes(spec, VLLM, rtx, 1, 8192) == 256 * 128256 * 14 + 2048 * 4096 * 6
    # An A100 80GB keeps the small defaults (vLLM PR #17885).
    a100 = replace(h100, name="NVIDIA A100 80GB")
    assert vllm_activation_bytes(spec, VLLM, a100, 1, 8192) == 256 * 128256 * 14 + 2048 * 4096 * 6
    # V0 (before 0.8): 256 sequences, and a whole 8K context in one batch.
    v0 = get_runtime("vllm@0.7.3")
    assert vllm_activation_bytes(spec, v0, rtx, 1, 8192) == 256 * 128256 * 37 + 8192 * 4096 * 6


def test_vllm_holds_the_fused_moe_workspace_through_the_sampler_profile() -> None:
    from runlocal.hardware import explicit_device
    from runlocal.memory import vllm_activation_bytes, vllm_moe_workspace_bytes

    spec = spec_from_config(MIXTRAL_8X7B)
    h100 = explicit_device(80, 3350)
    # TP 2, 8192 tokens, top-2 of experts 14336 wide: N = 2 × 14336 / 2, K = 4096, bf16.
    # workspace13 (8192 × 2 × max(7168, 4096)) holds the 8192 × 4096 output too; workspace2
    # is 8192 × 2 × max(14336, 4096).
    ws13 = 8192 * 2 * 7168 * 2
    ws2 = 8192 * 2 * 14336 * 2
    assert vllm_moe_workspace_bytes(spec, 2, 8192) == ws13 + ws2 == 704_643_072
    # The WorkspaceManager keeps it while the sampler runs: logits 1024 × 32000 × 14 B and
    # three hidden states, 8192 × 4096 × 6 B, on top: 1.27 GiB (vLLM 0.19 logs 1.21).
    sampler = 1024 * 32000 * 14 + 8192 * 4096 * 6
    assert vllm_activation_bytes(spec, VLLM, h100, 2, 8192) == sampler + ws13 + ws2
    # Releases that freed it after each call profile the sampler alone (before 0.17 a
    # sorting one, 37 B an entry).
    old = get_runtime("vllm@0.11")
    assert vllm_activation_bytes(spec, old, h100, 2, 8192) == 1024 * 32000 * 37 + 8192 * 4096 * 6
    # Past 16,384 tokens the experts run in chunks and the whole output is a third buffer.
    chunked = 16384 * 2 * 7168 * 2 + 16384 * 2 * 14336 * 2 + 32768 * 4096 * 2
    assert vllm_moe_workspace_bytes(spec, 2, 32768) == chunked == 1_677_721_600
    # DeepSeek-V2-Lite, TP 1: top-6 of experts 1408 wide beside a 2048 hidden size.
    lite = spec_from_config(DEEPSEEK_V2_LITE)
    assert vllm_moe_workspace_bytes(lite, 1, 8192) == 8192 * 6 * 2048 * 2 + 8192 * 6 * 2816 * 2
    # A dense model has none.
    assert vllm_moe_workspace_bytes(spec_from_config(LLAMA_3_1_8B), 1, 8192) == 0


def test_vllm_counts_nvlink_sharp_buffers_on_nvswitch_hopper() -> None:
    from dataclasses import replace

    from runlocal.hardware import explicit_device
    from runlocal.memory import vllm_non_torch_bytes

    pcie = explicit_device(80, 2000)
    sxm = replace(pcie, interface="SXM5", compute_capability=9.0)
    mib = 1024**2
    assert vllm_non_torch_bytes([sxm]) == 256 * mib
    assert vllm_non_torch_bytes([sxm, sxm]) == (256 + 1900) * mib  # ~2.1 GiB logged at TP 2
    assert vllm_non_torch_bytes([pcie, pcie]) == 256 * mib


def test_vllm_reports_its_pool_even_when_the_context_does_not_fit() -> None:
    from runlocal.hardware import explicit_device
    from runlocal.memory import plan_vllm
    from runlocal.weights import estimate_inventory

    spec = spec_from_config(LLAMA_3_1_8B)
    inv = estimate_inventory(spec, "BF16")
    plan = plan_vllm(spec, inv, [explicit_device(24, 1008)], VLLM, 131072, "f16", 1)
    use = plan.devices[0]
    assert not plan.fits
    # 131072 tokens need 16 GiB of KV; what remains of 0.9 × 23.76 GiB after 15 GiB of
    # weights is the pool vLLM logs before it refuses to start.
    assert use.kv_cache_bytes == 16 * 1024**3
    assert use.kv_pool_bytes is not None and use.kv_pool_bytes < 16 * 1024**3
    assert use.to_dict()["kv_pool_bytes"] == use.kv_pool_bytes


def test_mlx_materialises_attention_scores_it_cannot_fuse() -> None:
    from runlocal.memory import mlx_unfused_scores_bytes

    # Head dimension 128: MLX's fused prefill kernel, no score matrix.
    assert mlx_unfused_scores_bytes(spec_from_config(LLAMA_3_1_8B), 2048, 131072) == 0
    # Head dimension 256 (Gemma 2): 16 heads × 2048 queries × 8192 keys × 2 B.
    gemma = spec_from_config(GEMMA_2_9B)
    assert mlx_unfused_scores_bytes(gemma, 2048, 8192) == 16 * 2048 * 8192 * 2
