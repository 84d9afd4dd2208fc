"""Which kernels llama.cpp runs a prompt in, and at what rate, hand-computed: Vulkan's matrix
shaders per vendor (coopmat2 on NVIDIA, KHR_coopmat elsewhere, AMD's tiles by build) and
attention on GPUs whose weights take the int8 dot product (dp4a)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from runlocal.speed import (
    DeviceLoad,
    SpeedFeatures,
    SpeedParams,
    load_params,
    prefill_path,
    prefill_seconds_per_token,
)

from .test_speed import _device_load, _no_launches, _prefill_features


def _gpu(**kw: object) -> DeviceLoad:
    """test_speed's neutral device load, on Vulkan with a matrix path four times FP32."""
    base: dict[str, object] = dict(
        backend="vulkan", api="vulkan", fp32_flops=80e12, fp16_flops=320e12, layers=10
    )
    return _device_load(**{**base, **kw})


# An RTX 4090-like card (compute capability 8.9, FP16 tensor rate 4x its FP32 rate), an RDNA4
# card (gfx1201) and a GTX 1660 Ti-like Turing chip without tensor cores (FP16 = 2 x FP32).
NVIDIA = _gpu(vendor="NVIDIA", compute_capability=8.9)
AMD = _gpu(vendor="AMD", gpu_arch="gfx1201", fp32_flops=50e12, fp16_flops=100e12)
GTX16 = _gpu(vendor="NVIDIA", compute_capability=7.5, fp32_flops=5.4e12, fp16_flops=10.9e12)


def test_nvidia_gpus_under_vulkan_take_the_coopmat2_shaders_and_others_khr_coopmat() -> None:
    assert prefill_path(NVIDIA, "k_quant") == ("coopmat2", 320e12)
    assert prefill_path(NVIDIA, "f16") == ("coopmat2", 320e12)
    assert prefill_path(AMD, "k_quant") == ("matrix", 100e12)
    # No tensor cores, no cooperative matrices: the plain shaders at the FP16 rate.
    assert prefill_path(GTX16, "k_quant") == ("matrix", 10.9e12)
    # The same card under CUDA keeps CUDA's paths (MMQ needs the SM clock, absent here).
    assert prefill_path(replace(NVIDIA, backend="cuda", api="cuda"), "k_quant")[0] == "matrix"
    # BF16 without VK_KHR_shader_bfloat16 runs Vulkan's scalar shader at the FP32 rate on
    # every Vulkan GPU, half the catalog's dual-issue figure on RDNA3 and later.
    assert prefill_path(NVIDIA, "f16", bf16=True) == ("vulkan_fp32", 80e12)
    assert prefill_path(AMD, "f16", bf16=True) == ("vulkan_fp32", 25e12)


def _params() -> SpeedParams:
    p = _no_launches(load_params())
    return replace(
        p,
        prefill_efficiency={**p.prefill_efficiency, "vulkan": 0.4},
        prefill_path_efficiency={**p.prefill_path_efficiency, "coopmat2": 1.5},
        attention_factor=1.0,
        attention_backend_factor={"vulkan": 2.0, "vulkan-coopmat2": 3.0},
        tile_load_tokens=0.0,
        attention_tile_rows=0.0,
    )


def _features(gpu: DeviceLoad) -> SpeedFeatures:
    return _prefill_features(
        loads=(gpu,), quant_family="f16", active_params=1e9, attn_prefill_flops=1e9
    )


def test_vulkan_prompt_time_follows_each_shader_family_and_its_attention_kernels() -> None:
    """F16 weights, 1e9 active parameters (2e9 GEMM FLOPs per token) and 1e9 attention
    FLOPs, Vulkan at efficiency 0.4, no weight stream. NVIDIA (coopmat2 at 1.5x, its own
    attention factor 3): (2e9 + 3e9) / (320e12 x 0.4 x 1.5) = 2.604e-5 s per token. AMD
    (KHR_coopmat, Vulkan's attention factor 2): (2e9 + 2e9) / (100e12 x 0.4) = 1e-4 s."""
    p = _params()
    assert prefill_seconds_per_token(_features(NVIDIA), p, 0) == pytest.approx(5e9 / 192e12)
    assert prefill_seconds_per_token(_features(AMD), p, 0) == pytest.approx(1e-4)


def test_a_parameter_file_without_coopmat2_attention_gives_it_vulkans() -> None:
    d = {
        "bandwidth_efficiency": {"vulkan": 0.8},
        "fixed_ms": {"vulkan": 1.0},
        "per_layer_us": {"vulkan": 20.0},
        "dequant_ops": {"k_quant": 6.0},
        "prefill_efficiency": {"vulkan": 0.4},
        "prefill_quant_factor": {},
        "attention_backend_factor": {"vulkan": 1.7},
        "decode_spread": {},
        "prefill_spread": {},
    }
    p = SpeedParams.from_dict(d)
    assert p.attention_backend_factor["vulkan-coopmat2"] == 1.7


def test_amd_vulkan_builds_before_the_amd_tiles_run_their_matmuls_on_the_small_tiles() -> None:
    """The RDNA4 card above, F16 weights, no attention, Vulkan at 0.4: 2e9 / (100e12 x 0.4) =
    5e-5 s per token on a 2026 build, 1.53 times that (7.65e-5 s) before PR #18749. RDNA2 (no
    cooperative matrices) and NVIDIA keep their rates on any build."""
    p = _params()
    f = replace(_features(AMD), attn_prefill_flops=0.0)
    assert prefill_seconds_per_token(f, p, 0) == pytest.approx(5e-5)
    old = replace(f, amd_vulkan_tiles=False)
    assert prefill_seconds_per_token(old, p, 0) == pytest.approx(7.65e-5)
    rdna2 = replace(old, loads=(replace(AMD, gpu_arch="gfx1030"),))
    assert prefill_seconds_per_token(rdna2, p, 0) == pytest.approx(5e-5)
    nvidia = replace(_features(NVIDIA), attn_prefill_flops=0.0)
    assert prefill_seconds_per_token(replace(nvidia, amd_vulkan_tiles=False), p, 0) == (
        prefill_seconds_per_token(nvidia, p, 0)
    )


def test_the_harness_reads_whether_a_build_has_the_amd_vulkan_tiles() -> None:
    from .factories import assert_build_gate

    # PR #18749: January 2026, about build 7700; a stated month after it, or none, is later.
    assert_build_gate(
        "amd_vulkan_tiles",
        older=[
            "build 2aa45ef9e (7423); 2025-12",
            "2025-05-17 (page date)",
            "llama.cpp@b7083",
        ],
        newer=[
            "build 0253fb21f (9187); 2026-04",
            "build e9fd8dc",
            "llama.cpp@b7700",
        ],
    )


def test_amd_vulkan_flash_attention_before_pr_19075_runs_s_v_on_the_vector_alus() -> None:
    """The RDNA4 card above (50 TFLOPS FP32, 100 matrix), F16 weights (2e9 GEMM FLOPs per
    token), 1e9 attention FLOPs at Vulkan's attention factor 2, efficiency 0.4. A 2026 build:
    (2e9 + 2 x 1e9) / (100e12 x 0.4) = 1e-4 s per token. Before PR #19075 half the attention
    (S·V, 0.5e9) runs on the vector ALUs: (2e9 + 2 x 0.5e9) / 40e12 = 7.5e-5 on the matrix
    units plus 2 x 0.5e9 / (50e12 x 0.4) = 5e-5 on the vector ALUs, 1.25e-4 s. Without flash
    attention, on RDNA2 (no cooperative matrices) and on NVIDIA (coopmat2) nothing changes."""
    p = _params()
    f = _features(AMD)
    old = replace(f, vulkan_cm1_pv=False)
    assert prefill_seconds_per_token(f, p, 0) == pytest.approx(1e-4)
    assert prefill_seconds_per_token(old, p, 0) == pytest.approx(1.25e-4)
    no_fa = replace(p, attention_factor_no_fa=1.0)
    assert prefill_seconds_per_token(replace(old, flash_attn=False), no_fa, 0) == (
        pytest.approx(1e-4)
    )
    rdna2 = replace(AMD, gpu_arch="gfx1030")
    assert prefill_seconds_per_token(replace(old, loads=(rdna2,)), p, 0) == pytest.approx(1e-4)
    nvidia = _features(NVIDIA)
    assert prefill_seconds_per_token(replace(nvidia, vulkan_cm1_pv=False), p, 0) == (
        prefill_seconds_per_token(nvidia, p, 0)
    )


def test_the_harness_reads_whether_a_build_has_vulkan_coopmat_s_v() -> None:
    from .factories import assert_build_gate

    # PR #19075: merged 28 January 2026, taken as build 7880; a month after it, or none, is later.
    assert_build_gate(
        "vulkan_cm1_pv",
        older=[
            "build 2aa45ef9e (7423); 2025-12",
            "build b7821; 2026-01",
            "llama.cpp@b7423",
        ],
        newer=[
            "build 0253fb21f (9187); 2026-04",
            "2026-02",
            "build e9fd8dc",
            "llama.cpp@b7880",
        ],
    )


def test_amd_vulkan_flash_attention_rereads_the_cache_per_16_rows_of_each_query_head() -> None:
    """The RDNA4 card above (100 TFLOPS matrix) at 1 TB/s, every bandwidth efficiency 1, F16
    weights (2e9 GEMM FLOPs per token at 0.4: 5e-5 s) and 1 GB of KV cache at the prompt's
    depth. The coopmat1 shader reads a KV head's cache once per 16 rows of each query head:
    with 8 query heads per KV head, 1e9 x 8 / 16 = 5e8 bytes per token, 5e-4 s, 5.5e-4 in
    all; multi-head (1 per KV head) 1e9 / 16 bytes, 6.25e-5 s, 1.125e-4 in all. Elsewhere the
    fitted tile of 50 rows, GQA or not: 1e9 / 50 / 1e12 = 2e-5 s, so 7e-5 on RDNA2 (no
    cooperative matrices) or without flash attention, and on NVIDIA (coopmat2, 64-row
    tiles) 2e9 / (320e12 x 0.4 x 1.5) + 2e-5 = 3.0417e-5."""
    p = replace(
        _params(),
        attention_tile_rows=50.0,
        bandwidth_efficiency={**load_params().bandwidth_efficiency, "vulkan": 1.0},
    )
    gpu = replace(AMD, bandwidth_bytes_per_s=1e12, kv_bytes=1e9)
    f = replace(_features(gpu), attn_prefill_flops=0.0, gqa_groups=8)
    assert prefill_seconds_per_token(f, p, 0) == pytest.approx(5.5e-4)
    assert prefill_seconds_per_token(replace(f, gqa_groups=1), p, 0) == pytest.approx(1.125e-4)
    no_fa = replace(f, flash_attn=False)
    assert prefill_seconds_per_token(no_fa, replace(p, attention_factor_no_fa=1.0), 0) == (
        pytest.approx(7e-5)
    )
    rdna2 = replace(f, loads=(replace(gpu, gpu_arch="gfx1030"),))
    assert prefill_seconds_per_token(rdna2, p, 0) == pytest.approx(7e-5)
    nvidia = replace(NVIDIA, bandwidth_bytes_per_s=1e12, kv_bytes=1e9)
    g = replace(f, loads=(nvidia,))
    assert prefill_seconds_per_token(g, p, 0) == pytest.approx(2e9 / 192e12 + 2e-5)


def test_attention_on_a_dp4a_gpu_runs_at_its_fp16_vector_rate() -> None:
    """A Vega 20-like GPU under ROCm (13.4 TFLOPS FP32, packed FP16 26.8), K-quant weights on
    the dp4a path (4 x FP32 = 53.6 TOPS) at 0.6 of ROCm's efficiency 0.5 (0.3), no
    unpacking factor: 2e9 GEMM FLOPs / (53.6e12 x 0.3) + 1e9 attention FLOPs / (26.8e12 x
    0.5) = 1.244e-4 + 7.46e-5 s per token (not 1e9 / (53.6e12 x 0.3) = 6.22e-5 for the
    attention, as if it ran on the int8 dot product). A Pascal GP10x-like card of the same
    FP32 rate under CUDA (FP16 at the FP32 rate) at 0.6 of CUDA's 0.6, 0.36:
    2e9 / (53.6e12 x 0.36) + 1e9 / (13.4e12 x 0.6)."""
    p = _no_launches(load_params())
    p = replace(
        p,
        prefill_efficiency={**p.prefill_efficiency, "rocm": 0.5, "cuda": 0.6},
        prefill_path_efficiency={**p.prefill_path_efficiency, "dp4a": 0.6},
        prefill_quant_factor={},
        attention_factor=1.0,
        attention_backend_factor={"rocm": 1.0},
        tile_load_tokens=0.0,
        attention_tile_rows=0.0,
    )
    vega20 = _gpu(
        backend="rocm",
        api="rocm",
        vendor="AMD",
        gpu_arch="gfx906",
        fp32_flops=13.4e12,
        fp16_flops=26.8e12,
    )
    f = replace(_features(vega20), quant_family="k_quant")
    expected = 2e9 / (53.6e12 * 0.3) + 1e9 / (26.8e12 * 0.5)
    assert prefill_seconds_per_token(f, p, 0) == pytest.approx(expected)
    pascal = replace(
        vega20,
        backend="cuda",
        api="cuda",
        vendor="NVIDIA",
        gpu_arch=None,
        compute_capability=6.1,
        tensor_cores=False,
        fp16_flops=13.4e12,
    )
    cuda = replace(f, loads=(pascal,))
    expected = 2e9 / (53.6e12 * 0.36) + 1e9 / (13.4e12 * 0.6)
    assert prefill_seconds_per_token(cuda, replace(p, attention_backend_factor={}), 0) == (
        pytest.approx(expected)
    )
