"""Decode and prefill on the runtimes other than llama.cpp: hand-computed from the byte counts
and the per-layer, per-token and host costs each runtime pays (docs/methodology.md, "Other
runtimes")."""

from __future__ import annotations

from dataclasses import replace

import pytest

from runlocal.accuracy import other_runtime
from runlocal.runtimes import get_runtime
from runlocal.speed import (
    RUNTIME_DECODE,
    DeviceLoad,
    SpeedFeatures,
    decode_seconds_per_token,
    load_params,
    prefill_seconds_per_token,
)

from .test_speed import _no_launches

# One GPU at 1 TB/s holding 10 GB of active weights in 32 layers, 0.5 GB of KV cache read.
GPU = DeviceLoad("cuda", 1e12, 50e12, 100e12, None, 10e9, 5e9, 0.5e9, 32)


def _features(engine: str, **kw: object) -> SpeedFeatures:
    base: dict[str, object] = {
        "loads": (GPU,),
        "host_bytes": 0.0,
        "host_bandwidth_bytes_per_s": None,
        "quant_family": "k_quant",
        "n_layers": 32,
        "active_params": 5e9,
        "attn_prefill_flops": 0.0,
        "llama_kernels": engine == "llama.cpp",
        "mmq": engine == "llama.cpp",
        "engine": engine,
    }
    base.update(kw)
    return SpeedFeatures(**base)  # type: ignore[arg-type]


def _params(eta: float = 0.8):  # type: ignore[no-untyped-def]
    p = load_params()
    return replace(p, bandwidth_efficiency={**p.bandwidth_efficiency, "cuda": eta})


def test_vllm_reads_the_bytes_and_pays_a_floor_per_layer_and_per_token() -> None:
    # 10.5 GB at 1 TB/s × 0.8 = 13.125 ms; 32 layers × 120 µs = 3.84 ms; 0.6 ms per token.
    t = decode_seconds_per_token(_features("vllm"), _params())
    assert t == pytest.approx(13.125e-3 + 3.84e-3 + 0.6e-3)


def test_mlx_pays_no_dequantization_arithmetic_only_bytes_and_its_layer_floor() -> None:
    mac = replace(GPU, backend="metal")
    p = load_params()
    p = replace(p, bandwidth_efficiency={**p.bandwidth_efficiency, "metal": 0.875})
    # 10.5 GB at 1 TB/s × 0.875 = 12 ms; 32 layers × 110 µs = 3.52 ms.
    t = decode_seconds_per_token(_features("mlx", loads=(mac,)), p)
    assert t == pytest.approx(12e-3 + 3.52e-3)


def test_transformers_takes_the_longer_of_the_gpu_and_the_host_dispatching_each_layer() -> None:
    # GPU 13.125 ms; the host dispatches 32 layers × 750 µs = 24 ms: the host binds.
    assert decode_seconds_per_token(_features("transformers"), _params()) == pytest.approx(24e-3)
    # A slow GPU binds instead: 10.5 GB at 0.25 TB/s × 0.8 = 52.5 ms, and DynamicCache's
    # torch.cat reads and writes the 0.5 GB cache once more each: 1 GB, 5 ms.
    slow = replace(GPU, bandwidth_bytes_per_s=0.25e12)
    t = decode_seconds_per_token(_features("transformers", loads=(slow,)), _params())
    assert t == pytest.approx(52.5e-3 + 5e-3)


def test_transformers_cache_update_copies_the_cache_twice_more() -> None:
    # Only the KV cache's bytes: 0.5 GB read by the kernel, then 2 passes of torch.cat:
    # 1.5 GB at 1 TB/s × 0.8 = 1.875 ms (a host-free runtime would read 0.625 ms of it).
    cache_only = replace(GPU, weight_bytes=0.0)
    f = _features("transformers", loads=(cache_only,), n_layers=0)
    assert decode_seconds_per_token(f, _params()) == pytest.approx(1.875e-3)


def test_transformers_repeat_kv_moves_the_cache_once_per_group_before_4_48() -> None:
    # GQA with 5 query heads per KV head, cache only, no host time (n_layers 0): before 4.48
    # the FlashAttention-2 path expands K and V: 3 × 5 - 1 = 14 passes more, 7 GB at
    # 1 TB/s × 0.8 × 0.25 (the strided copy) = 35 ms, on top of the kernel's read and
    # torch.cat's 2 passes (1.5 GB, 1.875 ms).
    cache_only = replace(GPU, weight_bytes=0.0)
    f = _features("transformers", loads=(cache_only,), n_layers=0, gqa_groups=5)
    old = replace(f, engine_version=(4, 46, 0))
    assert decode_seconds_per_token(old, _params()) == pytest.approx(1.875e-3 + 35e-3)
    # 4.48 hands the grouped heads to flash-attn: no copy; the current release neither.
    new = replace(f, engine_version=(4, 48, 0))
    assert decode_seconds_per_token(new, _params()) == pytest.approx(1.875e-3)
    assert decode_seconds_per_token(f, _params()) == pytest.approx(1.875e-3)
    # SDPA repeats until 4.54 (enable_gqa from then on).
    sdpa = replace(f, flash_attn=False, engine_version=(4, 51, 3))
    assert decode_seconds_per_token(sdpa, _params()) == pytest.approx(1.875e-3 + 35e-3)
    sdpa_new = replace(sdpa, engine_version=(4, 54, 0))
    assert decode_seconds_per_token(sdpa_new, _params()) == pytest.approx(1.875e-3)
    # Multi-head attention (1 group) has nothing to expand.
    mha = replace(old, gqa_groups=1)
    assert decode_seconds_per_token(mha, _params()) == pytest.approx(1.875e-3)
    # The copies are GPU time, overlapped with the host's dispatch: 32 layers × 750 µs =
    # 24 ms is shorter and the GPU binds; 64 layers' 48 ms is longer and hides them.
    hosted = replace(old, n_layers=32)
    assert decode_seconds_per_token(hosted, _params()) == pytest.approx(36.875e-3)
    assert decode_seconds_per_token(replace(old, n_layers=64), _params()) == pytest.approx(48e-3)


def test_gqa_groups_are_query_heads_per_kv_head() -> None:
    from runlocal.catalog import load_catalog
    from runlocal.sources import catalog_spec
    from runlocal.speed.features import gqa_groups

    catalog = load_catalog()
    # Qwen2.5-32B: 40 query heads on 8 KV heads; Llama 2 7B: multi-head attention (32/32).
    assert gqa_groups(catalog_spec(catalog.find_model("qwen2.5-32b-instruct"))) == 5
    assert gqa_groups(catalog_spec(catalog.find_model("llama-2-7b"))) == 1


def test_transformers_4_loops_over_every_expert_of_a_moe_layer_and_5_does_not() -> None:
    moe = replace(GPU, moe_layers=48, layers=48)
    f = _features("transformers", loads=(moe,), n_layers=48, n_experts=128)
    # Host: 48 layers × 750 µs + 48 MoE layers × 128 experts × 80 µs = 36 + 491.52 ms.
    t4 = decode_seconds_per_token(replace(f, engine_version=(4, 51, 3)), _params())
    assert t4 == pytest.approx(36e-3 + 491.52e-3)
    t5 = decode_seconds_per_token(replace(f, engine_version=(5, 0)), _params())
    assert t5 == pytest.approx(36e-3)
    assert decode_seconds_per_token(f, _params()) == pytest.approx(36e-3)  # current release


def test_transformers_quantized_linears_without_a_fused_kernel_add_host_time() -> None:
    # 32 layers × 7 linears (q, k, v, o, gate, up, down) = 224 quantized linears.
    gptq8 = decode_seconds_per_token(_features("transformers", quant="GPTQ-8BIT"), _params())
    # 24 ms of layers + 224 × 80 µs = 17.92 ms of dequantization launches.
    assert gptq8 == pytest.approx(24e-3 + 17.92e-3)
    llm_int8 = decode_seconds_per_token(_features("transformers", quant="INT8"), _params())
    # LLM.int8(): 224 × 530 µs = 118.72 ms.
    assert llm_int8 == pytest.approx(24e-3 + 118.72e-3)
    # AutoAWQ's GEMM linear: an autograd Function, the split-k sum and the bias add beside
    # its kernel, 224 × 33 µs = 7.392 ms.
    awq = decode_seconds_per_token(_features("transformers", quant="AWQ-4BIT"), _params())
    assert awq == pytest.approx(24e-3 + 7.392e-3)
    # One launch per linear (GPTQ 4-bit on ExLlama): the BF16 layer's host time.
    gptq4 = decode_seconds_per_token(_features("transformers", quant="GPTQ-4BIT"), _params())
    assert gptq4 == pytest.approx(24e-3)
    # vLLM's kernels are fused whatever the scheme: no host term.
    vllm = decode_seconds_per_token(_features("vllm", quant="INT8"), _params())
    assert vllm == pytest.approx(13.125e-3 + 3.84e-3 + 0.6e-3)


def test_transformers_moe_layers_count_only_their_attention_linears() -> None:
    moe = replace(GPU, moe_layers=48, layers=48)
    f = _features("transformers", loads=(moe,), n_layers=48, n_experts=128, engine_version=(5, 0))
    # 48 layers × 750 µs = 36 ms; 48 × 4 attention linears × 80 µs = 15.36 ms (the routed
    # experts' linears are not per-layer linears).
    t = decode_seconds_per_token(replace(f, quant="GPTQ-8BIT"), _params())
    assert t == pytest.approx(36e-3 + 15.36e-3)


def test_other_runtimes_prefill_without_llama_cpp_quant_family_cost() -> None:
    # Without the weight-tile cost (its share depends on each runtime's micro-batch) and the
    # cache streaming (a time of its own, not scaled by the efficiency).
    p = replace(load_params(), tile_load_tokens=0.0, attention_tile_rows=0.0)
    p = _no_launches(p)  # llama.cpp's kernel launches (prefill.layer_launch_seconds)
    llama = prefill_seconds_per_token(_features("llama.cpp", mmq=False), p, 0)
    vllm = prefill_seconds_per_token(_features("vllm"), p, 0)
    assert llama is not None and vllm is not None
    # Same FLOPs on the same FP16 matrix path (no resident weights to stream); only llama.cpp
    # divides its efficiency by the K-quant family's dequantization factor.
    assert llama / vllm == pytest.approx(p.prefill_quant_factor["k_quant"])


def test_mlx_prefills_in_steps_of_2048_tokens() -> None:
    assert get_runtime("mlx").ubatch == 2048
    assert set(RUNTIME_DECODE) == {"vllm", "mlx", "transformers"}


def test_the_harness_names_each_rows_runtime_and_release() -> None:
    def rt(runtime: str, version: str) -> str | None:
        return other_runtime({"runtime": runtime, "runtime_version_or_date": version})

    assert rt("vLLM", "vLLM 0.6.3, PyTorch 2.4.0; 2024-10") == "vllm@0.6.3"
    assert rt("MLX (mlx-lm)", "mlx 0.29.2, mlx-lm 0.28.2; 2025-10") == "mlx@0.28.2"
    assert rt("transformers", "transformers 4.51.3, PyTorch 2.6.0") == "transformers@4.51.3"
    assert rt("MLX (mlx-swift-lm)", "mlx-swift-lm 3.31.3; 2026-04-17") == "mlx"
    assert rt("llama.cpp (CUDA)", "b6325") is None
    assert rt("ds4 (Metal)", "2026-05") is None
