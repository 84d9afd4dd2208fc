"""Intel GPUs under llama.cpp's SYCL backend, hand-computed: BF16 weights through the FP32
GEMM path (decode and prompts), and prompt flash attention on the vector engines before the
July 2026 builds moved it to XMX."""

from __future__ import annotations

from dataclasses import replace

import pytest

from runlocal.speed import (
    DeviceLoad,
    SpeedParams,
    decode_seconds_per_token,
    load_params,
    prefill_path,
    prefill_seconds_per_token,
)

from .test_speed import _f16_prompt, _gpu_load, _no_launches, _prefill_features

# An Arc Pro B70-like card under SYCL: 600 GB/s, FP32 20 TFLOPS, XMX FP16 160 TFLOPS.
B70 = _gpu_load(
    "Intel",
    "sycl",
    bandwidth_bytes_per_s=600e9,
    fp32_flops=20e12,
    fp16_flops=160e12,
    layers=10,
)


def _params() -> SpeedParams:
    p = _no_launches(load_params())
    return replace(
        p,
        bandwidth_efficiency={**p.bandwidth_efficiency, "sycl": 0.8},
        prefill_efficiency={**p.prefill_efficiency, "sycl": 0.5},
        prefill_path_efficiency={**p.prefill_path_efficiency, "fp32": 1.0},
        attention_factor=1.0,
        attention_backend_factor={**p.attention_backend_factor, "sycl": 1.0},
        tile_load_tokens=0.0,
        attention_tile_rows=0.0,
    )


def test_sycl_decodes_bf16_weights_through_an_fp32_copy() -> None:
    """18 GB of BF16 weights (a 9B model) on 600 GB/s at efficiency 0.8: a mat-vec kernel
    reads them in 18e9 / 480e9 = 37.5 ms; SYCL's GEMM path reads 2 bytes, writes 4 and reads
    4 per weight, 5 times that: 187.5 ms, 150 ms more. The same weights as F16 (DMMV) or
    under Vulkan keep the single read."""
    from runlocal.speed.decode import SYCL_BF16_GEMM_BYTES_FACTOR

    assert SYCL_BF16_GEMM_BYTES_FACTOR == 5.0
    gpu = replace(B70, weight_bytes=18e9, weight_params=9e9)
    f16 = _f16_prompt(gpu)
    bf16 = replace(f16, quant="BF16")
    p = _params()
    t_f16, t_bf16 = decode_seconds_per_token(f16, p), decode_seconds_per_token(bf16, p)
    assert t_f16 is not None and t_bf16 is not None
    assert t_bf16 - t_f16 == pytest.approx(0.15)
    vulkan = replace(gpu, backend="vulkan-intel", api="vulkan")
    p_vk = replace(p, bandwidth_efficiency={**p.bandwidth_efficiency, "vulkan-intel": 0.8})
    assert decode_seconds_per_token(
        replace(bf16, loads=(vulkan,)), p_vk
    ) == decode_seconds_per_token(replace(f16, loads=(vulkan,)), p_vk)
    # Other runtimes bring their own kernels.
    other = replace(bf16, llama_kernels=False)
    assert decode_seconds_per_token(other, p) == decode_seconds_per_token(
        replace(f16, llama_kernels=False), p
    )


def test_sycl_prompts_multiply_bf16_weights_at_the_fp32_rate() -> None:
    """SYCL converts BF16 weights to FP32 for its GEMM; F16 and quantized weights go to XMX.
    1e9 active parameters (2e9 FLOPs per token) at 20 TFLOPS x 0.4 (the fp32 line's one
    library reach, CUDA's efficiency, not SYCL's 0.5): 2.5e-4 s per token."""
    assert prefill_path(B70, "f16", bf16=True) == ("fp32", 20e12)
    assert prefill_path(B70, "f16") == ("matrix", 160e12)
    assert prefill_path(B70, "k_quant") == ("matrix", 160e12)
    p = replace(_params(), prefill_efficiency={**_params().prefill_efficiency, "cuda": 0.4})
    f = _f16_prompt(B70, "BF16", active_params=1e9, attn_prefill_flops=0.0)
    assert prefill_seconds_per_token(f, p, 0) == pytest.approx(2.5e-4)


def test_sycl_prompt_attention_ran_on_the_vector_engines_before_july_2026() -> None:
    """1e9 attention FLOPs per token, F16 weights (1e9 active, 2e9 FLOPs at 160 TFLOPS x 0.5
    = 2.5e-5 s). On XMX: 1e9 / (160e12 x 0.5) = 1.25e-5 s; on the vector engines (FP16 at
    2 x 20 TFLOPS, of which the VEC/TILE kernels reach 0.084): 1e9 / (40e12 x 0.084) =
    2.97619e-4 s. Without flash attention the KQ and KQV products are GEMMs on XMX on any
    build."""
    p = _params()
    f = _f16_prompt(B70, active_params=1e9, attn_prefill_flops=1e9)
    assert prefill_seconds_per_token(f, p, 0) == pytest.approx(2.5e-5 + 1.25e-5)
    old = replace(f, sycl_xmx_attention=False)
    assert prefill_seconds_per_token(old, p, 0) == pytest.approx(2.5e-5 + 2.97619e-4)
    no_fa = replace(old, flash_attn=False)
    assert prefill_seconds_per_token(no_fa, replace(p, attention_factor_no_fa=1.0), 0) == (
        pytest.approx(2.5e-5 + 1.25e-5)
    )
    # Other backends do not read the flag.
    vulkan = replace(B70, backend="vulkan", api="vulkan", vendor="AMD")
    amd = replace(f, loads=(vulkan,))
    p_vk = replace(
        p,
        prefill_efficiency={**p.prefill_efficiency, "vulkan": 0.5},
        attention_backend_factor={**p.attention_backend_factor, "vulkan": 1.0},
    )
    assert prefill_seconds_per_token(
        replace(amd, sycl_xmx_attention=False), p_vk, 0
    ) == prefill_seconds_per_token(amd, p_vk, 0)


def test_the_harness_reads_whether_a_build_runs_sycl_attention_on_xmx() -> None:
    from .factories import assert_build_gate

    # PRs #25025/#25222: July 2026, after b9856; a stated month from August 2026, or none,
    # is later.
    assert_build_gate(
        "sycl_xmx_attention",
        older=[
            "build 74d6248f7 (9039); 2026-05",
            "b8840-12-gec6f7a6a5-dirty",
            "2026-06",
            "llama.cpp@b9039",
        ],
        newer=[
            "2026-10 (llama-server)",
            "build 1a2b3c4 (10100)",
            "build e9fd8dc",
            "llama.cpp@b9857",
            "llama.cpp",
        ],
    )


def test_sycl_reads_blocks_without_a_reordered_copy_at_a_third_of_the_speed() -> None:
    """PR #21527: Q8_0 decode on a B70 went from 4.88 to 15.24 tokens/s with its reorder, a
    factor 3.123. 12 GB of weights on 600 GB/s at efficiency 0.8 read in 25 ms: Q2_K (no
    reordered kernel) takes 3.123 x 25 = 78.07 ms, 53.07 ms more than Q4_K_M or Q8_0 dense
    (reordered). A MoE model with 2 of its 3e9 active parameters in routed experts: Q8_0
    experts have no reordered MUL_MAT_ID kernel, so 2/3 of the bytes read slowly:
    25 ms x (1 + 2/3 x 2.123) = 60.38 ms; Q4_K experts are reordered."""
    from runlocal.speed.decode import (
        SYCL_UNREORDERED_READ_FACTOR,
        sycl_block_type,
        sycl_unreordered_share,
    )

    assert round(SYCL_UNREORDERED_READ_FACTOR, 3) == 3.123
    assert [sycl_block_type(q) for q in ("UD-Q4_K_XL", "UD-Q8_K_XL", "Q8_0", "MXFP4_MOE")] == [
        "Q4_K_XL",
        "Q8_0",
        "Q8_0",
        "MXFP4_MOE",
    ]
    gpu = replace(B70, weight_bytes=12e9, weight_params=12e9)
    base = _prefill_features(loads=(gpu,), quant_family="k_quant", active_params=3e9)
    p = _params()

    def decode_ms(quant: str, expert_params: float = 0.0) -> float:
        f = replace(base, quant=quant, active_expert_params=expert_params)
        t = decode_seconds_per_token(f, p)
        assert t is not None
        return t * 1e3

    reordered = decode_ms("Q4_K_M")
    assert decode_ms("Q8_0") == pytest.approx(reordered)
    assert decode_ms("Q4_0") == pytest.approx(reordered)
    assert decode_ms("Q2_K") - reordered == pytest.approx(53.07, abs=0.01)
    assert decode_ms("IQ4_XS") - reordered == pytest.approx(53.07, abs=0.01)
    assert decode_ms("Q8_0", 2e9) - reordered == pytest.approx(35.38, abs=0.01)
    assert decode_ms("Q4_K_M", 2e9) == pytest.approx(reordered)
    # gpt-oss: MXFP4 experts, Q8_0 dense weights.
    moe = replace(base, quant="MXFP4_MOE", active_expert_params=2e9)
    assert sycl_unreordered_share(moe) == pytest.approx(2 / 3)
    assert sycl_unreordered_share(replace(moe, quant="F16")) == 0.0
    # Vulkan reads the same blocks with its own shaders.
    vulkan = replace(gpu, backend="vulkan-intel", api="vulkan")
    p_vk = replace(p, bandwidth_efficiency={**p.bandwidth_efficiency, "vulkan-intel": 0.8})
    q2 = replace(base, loads=(vulkan,), quant="Q2_K")
    assert decode_seconds_per_token(q2, p_vk) == decode_seconds_per_token(
        replace(q2, quant="Q4_K_M"), p_vk
    )


def _mesa_params() -> SpeedParams:
    """Intel under Vulkan with round numbers and no arithmetic or fixed costs, so a decoded
    token is its reads alone."""
    p = _no_launches(load_params())
    return replace(
        p,
        bandwidth_efficiency={**p.bandwidth_efficiency, "vulkan-intel": 0.8},
        per_layer_us={**p.per_layer_us, "vulkan-intel": 0.0},
        fixed_ms={**p.fixed_ms, "vulkan-intel": 0.0},
        dequant_ops={k: 0.0 for k in p.dequant_ops},
        decode_attention_efficiency=1.0,
    )


def test_mesa_reads_intel_quantized_blocks_at_a_third_of_the_speed() -> None:
    """8 GB of Q8_0 weights on a 600 GB/s Intel card at efficiency 0.8: 8e9 / 480e9 =
    16.67 ms read coalesced. Under Mesa's driver every quantized byte costs the geometric mean
    of PR #14001's three Windows/Mesa tg128 ratios, (3.1074 x 2.4635 x 2.6815)^(1/3) = 2.738:
    45.63 ms. BF16 weights, the types with a Mesa-tuned path (Q3_K/Q6_K block loads, Q4_0/Q5_1
    on the float shaders), Intel's own driver and other runtimes keep one read."""
    from runlocal.speed.decode import MESA_INTEL_QUANT_READ_FACTOR

    assert pytest.approx(2.738, abs=5e-4) == MESA_INTEL_QUANT_READ_FACTOR
    gpu = replace(B70, backend="vulkan-intel", api="vulkan", weight_bytes=8e9, weight_params=8e9)
    p = _mesa_params()
    windows = _prefill_features(loads=(gpu,), quant_family="q8", quant="Q8_0", n_layers=10)
    mesa = replace(windows, vulkan_mesa=True)
    assert decode_seconds_per_token(windows, p) == pytest.approx(8e9 / 480e9)
    assert decode_seconds_per_token(mesa, p) == pytest.approx(8e9 / 480e9 * 2.738, rel=2e-4)
    # An Unsloth dynamic K-quant counts as its K-quant blocks; the MoE label as its experts'.
    for quant in ("Q4_K_M", "UD-Q4_K_XL", "MXFP4_MOE", "Q5_K_M", "IQ4_XS"):
        t = decode_seconds_per_token(replace(mesa, quant=quant), p)
        assert t == pytest.approx(8e9 / 480e9 * 2.738, rel=2e-4), quant
    tuned = (("Q6_K", "k_quant"), ("Q3_K_M", "k_quant"), ("Q4_0", "q_legacy"), ("Q5_1", "q_legacy"))
    for quant, family in (*tuned, ("BF16", "f16")):
        t = decode_seconds_per_token(replace(mesa, quant=quant, quant_family=family), p)
        assert t == pytest.approx(8e9 / 480e9), quant
    # Other runtimes bring their own kernels; AMD under Mesa (RADV) is another class.
    assert decode_seconds_per_token(replace(mesa, llama_kernels=False), p) == pytest.approx(
        decode_seconds_per_token(replace(windows, llama_kernels=False), p)
    )
    radv = replace(gpu, backend="vulkan", vendor="AMD")
    p_radv = replace(p, bandwidth_efficiency={**p.bandwidth_efficiency, "vulkan": 0.8})
    assert decode_seconds_per_token(
        replace(mesa, loads=(radv,)), p_radv
    ) == decode_seconds_per_token(replace(windows, loads=(radv,)), p_radv)


def test_the_harness_reads_a_rows_vulkan_driver_from_its_notes() -> None:
    from runlocal.accuracy_setup import llama_setup

    assert llama_setup({"notes": "Vulkan toolbox, Mesa ANV (BMG G31), KHR_coopmat"}).vulkan_mesa
    assert llama_setup({"notes": "Ubuntu 26.04, Mesa 26.1.4 ANV, KHR_coopmat"}).vulkan_mesa
    assert llama_setup({"notes": "Radeon 8060S (RADV GFX1151)"}).vulkan_mesa
    assert not llama_setup({"notes": "Windows 11, driver 8626"}).vulkan_mesa
    assert not llama_setup({"notes": ""}).vulkan_mesa
    assert not llama_setup({}).vulkan_mesa


def _xe2_under_vulkan_at_half_the_vector_rate() -> tuple[DeviceLoad, SpeedParams]:
    """An Arc Pro B70 (Xe2) under Vulkan, with parameters that put its prompts on the
    "vector" path at efficiency 0.5 and no quant unpacking factor."""
    xe2 = replace(B70, backend="vulkan-intel", api="vulkan", gpu_arch="xe2-hpg")
    p = _params()
    return xe2, replace(
        p,
        prefill_efficiency={**p.prefill_efficiency, "vulkan-intel": 0.5},
        prefill_path_efficiency={**p.prefill_path_efficiency, "vector": 1.0},
        prefill_quant_factor={k: 1.0 for k in p.prefill_quant_factor},
    )


def test_xe2_runs_vulkan_prompts_on_xmx_at_the_gain_pr_14001_measured() -> None:
    """1e9 active parameters (2e9 FLOPs per token) on an Intel GPU under Vulkan with FP32
    20 TFLOPS (no weight tiles, reads or attention priced): the "vector" path's 2 x 20 = 40
    TFLOPS at efficiency 0.5 x 1.0 takes 1e-4 s.
    On Xe2 its cooperative-matrix shaders run at the PR's gain over the scalar ones: under
    Intel's driver sqrt(1631.44/490.89 x 416.53/148.60) = 3.0522, 3.2763e-5 s; under Mesa
    sqrt(583.28/420.57 x 167.94/122.42) = 1.3793, 7.2499e-5 s. Alchemist (Xe-HPG), builds
    before PR #14001 and SYCL keep their paths."""
    from runlocal.speed.vulkan_kernels import (
        INTEL_VULKAN_COOPMAT_GAIN,
        INTEL_VULKAN_COOPMAT_GAIN_MESA,
    )

    assert pytest.approx(3.0522, abs=1e-4) == INTEL_VULKAN_COOPMAT_GAIN
    assert pytest.approx(1.3793, abs=1e-4) == INTEL_VULKAN_COOPMAT_GAIN_MESA
    xe2, p = _xe2_under_vulkan_at_half_the_vector_rate()
    f = _prefill_features(
        loads=(xe2,),
        quant_family="k_quant",
        quant="Q4_K_M",
        active_params=1e9,
        attn_prefill_flops=0.0,
    )
    assert prefill_path(xe2, "k_quant") == ("vector", 40e12)
    t = prefill_seconds_per_token(f, p, 0)
    assert t == pytest.approx(1e-4 / 3.0522, rel=1e-4)
    t_mesa = prefill_seconds_per_token(replace(f, vulkan_mesa=True), p, 0)
    assert t_mesa == pytest.approx(1e-4 / 1.3793, rel=1e-4)
    for g in (
        replace(f, loads=(replace(xe2, gpu_arch="xe-hpg"),)),
        replace(f, loads=(replace(xe2, gpu_arch=None),)),
        replace(f, intel_vulkan_coopmat=False),
    ):
        assert prefill_seconds_per_token(g, p, 0) == pytest.approx(1e-4, rel=1e-4)
    sycl = replace(f, loads=(replace(B70, gpu_arch="xe2-hpg"),))
    assert prefill_seconds_per_token(sycl, p, 0) == prefill_seconds_per_token(
        replace(sycl, loads=(B70,)), p, 0
    )


def test_xe2_flash_attention_keeps_the_scalar_rate_under_vulkan() -> None:
    """PR #14001's gain was measured without flash attention (llama-bench's default then),
    so only the weight GEMMs, and attention run as plain products, take it.
    No weights, 1e12 attention FLOPs per token (factor 1) on the "vector" path, 2 x 20 = 40
    TFLOPS: with flash attention the shader reaches 0.051 of it (PR #25494's B70 rows),
    1e12 / 2.04e12 = 0.490196 s on Xe2 under Intel's driver or Mesa alike; without flash
    attention, at efficiency 0.5, 1e12 / 20e12 / 3.0522 = 0.016382 s (Mesa: 0.05 / 1.3793 =
    0.036250 s). Adding 2e12 GEMM FLOPs (1e12 active parameters) adds 2e12 / 20e12 /
    3.0522 = 0.032763 s with it."""
    xe2, p = _xe2_under_vulkan_at_half_the_vector_rate()
    p = replace(
        p,
        attention_backend_factor={**p.attention_backend_factor, "vulkan-intel": 1.0},
        attention_factor_no_fa=1.0,
    )
    f = _prefill_features(
        loads=(xe2,),
        quant_family="k_quant",
        quant="Q4_K_M",
        active_params=0.0,
        attn_prefill_flops=1e12,
    )
    assert prefill_seconds_per_token(f, p, 0) == pytest.approx(0.490196, rel=1e-4)
    assert prefill_seconds_per_token(replace(f, vulkan_mesa=True), p, 0) == pytest.approx(
        0.490196, rel=1e-4
    )
    no_fa = replace(f, flash_attn=False)
    assert prefill_seconds_per_token(no_fa, p, 0) == pytest.approx(0.016382, rel=1e-4)
    assert prefill_seconds_per_token(replace(no_fa, vulkan_mesa=True), p, 0) == pytest.approx(
        0.036250, rel=1e-4
    )
    both = replace(f, active_params=1e12)
    assert prefill_seconds_per_token(both, p, 0) == pytest.approx(0.490196 + 0.032763, rel=1e-4)


def test_intel_flash_attention_runs_at_the_share_of_the_vector_rate_its_sources_measured() -> None:
    """The shares come from long-prompt B70 measurements (22.9 TFLOPS FP32, 45.8 FP16):
    SYCL (issue #21862, Qwen3.5-27B: 16 attention layers x 24 heads x 256): 882.7 tokens/s at
    depth 0 and 227.1 at 32,000, 1/227.1 - 1/882.7 = 3.2704e-3 s for 4 x 16 x 24 x 256 x
    32,000 = 1.2583e10 FLOPs, 3.848 TFLOPS, 0.084 of 45.8; Vulkan under Mesa (PR #25494,
    Llama 3.1 8B: 32 x 32 x 128): 734.99 at depth 4,096 and 242.43 at 16,384, 2.764e-3 s for
    4 x 32 x 32 x 128 x 12,288 = 6.442e9 FLOPs, 2.331 TFLOPS, 0.051.
    1e9 attention FLOPs per token on the test card (2 x 20 TFLOPS), no weights: SYCL before
    the XMX kernels 1e9 / (40e12 x 0.084) = 2.97619e-4 s, whatever the generic attention
    factor or SYCL's GEMM efficiency; the backend's attention factor (1.5) multiplies it."""
    from runlocal.speed.intel_attention import (
        INTEL_VULKAN_ATTENTION_SHARE,
        SYCL_VECTOR_ATTENTION_SHARE,
        intel_vector_attention_share,
    )

    sycl_rate = 4 * 16 * 24 * 256 * 32_000 / (1 / 227.1 - 1 / 882.7)
    assert sycl_rate / 45.8e12 == pytest.approx(SYCL_VECTOR_ATTENTION_SHARE, abs=5e-4)
    vulkan_rate = 4 * 32 * 32 * 128 * 12_288 / (1 / 242.43 - 1 / 734.99)
    assert vulkan_rate / 45.8e12 == pytest.approx(INTEL_VULKAN_ATTENTION_SHARE, abs=5e-4)
    p = _params()
    f = _f16_prompt(B70, active_params=0.0, attn_prefill_flops=1e9, sycl_xmx_attention=False)
    assert prefill_seconds_per_token(f, p, 0) == pytest.approx(2.97619e-4, rel=1e-5)
    other = replace(
        p, attention_factor=2.0, prefill_efficiency={**p.prefill_efficiency, "sycl": 0.25}
    )
    assert prefill_seconds_per_token(f, other, 0) == pytest.approx(2.97619e-4, rel=1e-5)
    slow = replace(p, attention_backend_factor={**p.attention_backend_factor, "sycl": 1.5})
    assert prefill_seconds_per_token(f, slow, 0) == pytest.approx(1.5 * 2.97619e-4, rel=1e-5)
    # Where the rule does not apply: XMX builds, no flash attention, Alchemist under Vulkan,
    # other vendors, other runtimes' kernels.
    xe2 = replace(B70, backend="vulkan-intel", api="vulkan", gpu_arch="xe2-hpg")
    assert intel_vector_attention_share(f, B70) == SYCL_VECTOR_ATTENTION_SHARE
    assert intel_vector_attention_share(f, xe2) == INTEL_VULKAN_ATTENTION_SHARE
    assert intel_vector_attention_share(replace(f, sycl_xmx_attention=True), B70) is None
    assert intel_vector_attention_share(replace(f, flash_attn=False), xe2) is None
    assert intel_vector_attention_share(f, replace(xe2, gpu_arch="xe-hpg")) is None
    assert intel_vector_attention_share(f, replace(xe2, vendor="AMD")) is None
    assert intel_vector_attention_share(replace(f, llama_kernels=False), xe2) is None


def test_the_harness_and_runtimes_read_the_intel_vulkan_coopmat_build() -> None:
    from .factories import assert_build_gate

    # PR #14001: b5589 (June 2025); a stated month from July 2025, or none, is later.
    assert_build_gate(
        "intel_vulkan_coopmat",
        older=[
            "build a69d54f (5583)",
            "2025-05",
            "llama.cpp@b5583",
        ],
        newer=[
            "build a0dd7795 (5589)",
            "2025-08",
            "build e9fd8dc",
            "llama.cpp@b5589",
            "llama.cpp",
        ],
    )


def test_intel_catalog_records_name_their_xe_generation() -> None:
    """The rule above reads the catalog's gpu_arch: Arc B and Lunar Lake are Xe2, Arc A is
    Xe-HPG, and the validator refuses a name it does not know for an Intel record."""
    from runlocal.catalog import load_catalog
    from runlocal.hardware import device_from_entry
    from runlocal.validate import check_hardware

    by_id = load_catalog().hardware
    assert device_from_entry(by_id["intel-arc-pro-b70"]).gpu_arch == "xe2-hpg"
    assert device_from_entry(by_id["intel-core-ultra-7-258v"]).gpu_arch == "xe2-lpg"
    assert device_from_entry(by_id["intel-arc-a770-16gb"]).gpu_arch == "xe-hpg"
    b70 = by_id["intel-arc-pro-b70"]
    assert not [e for e in check_hardware(b70) if "gpu_arch" in str(e)]
    wrong = replace(b70, data={**b70.data, "gpu_arch": "gfx1100"})
    assert [e for e in check_hardware(wrong) if "gpu_arch" in str(e)]
    amd_style = replace(b70, data={**b70.data, "vendor": "AMD", "gpu_arch": "xe2-hpg"})
    assert [e for e in check_hardware(amd_style) if "gpu_arch" in str(e)]


def test_an_intel_vulkan_answer_says_what_mesa_costs_its_quantization() -> None:
    from runlocal.engine import CheckQuery, check

    def mesa_notes(model: str, hardware: str, quant: str) -> list[str]:
        notes = check(CheckQuery(model=model, hardware=(hardware,), quant=quant)).data["notes"]
        return [n for n in notes if "Mesa" in n]

    (note,) = mesa_notes("llama-3.1-8b-instruct", "Arc B580", "Q4_K_M")
    assert "Q4_K_M" in note and "2.7x" in note
    # Block types with a Mesa-tuned path, unquantized weights and other GPUs: nothing to say.
    assert mesa_notes("llama-3.1-8b-instruct", "Arc B580", "Q4_0") == []
    assert mesa_notes("llama-3.1-8b-instruct", "Arc B580", "F16") == []
    assert mesa_notes("llama-3.1-8b-instruct", "RTX 4090", "Q4_K_M") == []


def test_the_harness_and_runtimes_read_the_sycl_counting_sort_build() -> None:
    from .factories import assert_build_gate

    assert_build_gate(
        "sycl_counting_sort",
        older=[
            "build abc (8800); 2026-02",
            "2026-04",
            "llama.cpp@b9000",
        ],
        newer=[
            "build def (9900)",
            "build e9fd8dc",  # unstated: later
            "llama.cpp",
        ],
    )


def test_sycl_decoded_routed_experts_one_call_each_before_the_fused_kernel() -> None:
    """PR #21920 (Qwen3.5-35B-A3B Q4_K_M on a B70: 40 MoE layers, 8 routed experts) took
    decode from 33.32 to 46.01 tokens/s: 1/33.32 - 1/46.01 = 30.012 - 21.734 = 8.278 ms for
    40 x 3 x 7 = 840 calls, 9.854 µs each. A 48-layer model routing 8 of 128 experts makes
    48 x 3 x 7 = 1,008 more calls than the fused kernel: 9.933 ms a token; routing 6,
    48 x 3 x 5 = 720: 7.095 ms. Builds with the fused kernel, dense models and Vulkan pay
    nothing."""
    from runlocal.speed.sycl_moe_decode import SYCL_EXPERT_CALL_US, sycl_expert_call_seconds

    assert pytest.approx(9.854, abs=0.001) == SYCL_EXPERT_CALL_US
    gpu = replace(B70, layers=48, moe_layers=48, weight_bytes=2e9, weight_params=3e9)
    fused = replace(
        _prefill_features(loads=(gpu,), quant_family="k_quant", quant="Q4_K_M"),
        n_experts=128,
        expert_share=8 / 128,
    )
    before = replace(fused, sycl_fused_moe_decode=False)
    assert sycl_expert_call_seconds(before, gpu) * 1e3 == pytest.approx(9.933, abs=0.001)
    six = replace(before, expert_share=6 / 128)
    assert sycl_expert_call_seconds(six, gpu) * 1e3 == pytest.approx(7.095, abs=0.001)
    p = _params()
    t_fused, t_before = decode_seconds_per_token(fused, p), decode_seconds_per_token(before, p)
    assert t_fused is not None and t_before is not None
    assert (t_before - t_fused) * 1e3 == pytest.approx(9.933, abs=0.001)
    assert sycl_expert_call_seconds(fused, gpu) == 0.0
    dense = replace(before, n_experts=0, expert_share=1.0)
    assert sycl_expert_call_seconds(dense, replace(gpu, moe_layers=0)) == 0.0
    vulkan = replace(gpu, backend="vulkan-intel", api="vulkan")
    assert sycl_expert_call_seconds(replace(before, loads=(vulkan,)), vulkan) == 0.0


def test_the_harness_and_runtimes_read_the_sycl_fused_moe_build() -> None:
    from .factories import assert_build_gate

    assert_build_gate(
        "sycl_fused_moe_decode",
        older=[
            "build b8840-12-gec6f7a6a",
            "2026-04",
            "llama.cpp@b8800",
        ],
        newer=[
            "build abc (9039)",
            "2026-05",
            "llama.cpp",
        ],
    )
