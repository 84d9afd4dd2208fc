"""Speed per GPU backend and kernel: FP4 on Blackwell, Intel's SYCL classes, routed experts per
call on SYCL, CUDA and HIP, RDNA's vector-rate attention, the quantization families of table-
decoded formats."""

from __future__ import annotations

from dataclasses import replace

import pytest

from runlocal.hardware import device_from_entry
from runlocal.sources import catalog_spec
from runlocal.speed import DeviceLoad, SpeedParams

from .test_speed import _P100_MOE, _device_load, _no_launches, _prefill_features
from .test_speed_layers import _layer_cost_case


def test_blackwell_fp4_mma_halves_the_cost_of_the_fp4_experts_only() -> None:
    """gpt-oss style MXFP4_MOE: 3B active, 2B routed experts (8 of 256), tile load 16 tokens.
    On int8 MMQ: dense 2.0625e9 + experts 8e9 FLOPs per token (as above). The native FP4 MMA
    (twice the int8 MMA rate, FP4 activation tiles) halves the FP4 experts' 8e9 to 4e9; the
    8/16-bit attention and router keep their cost: 6.0625e9."""
    from runlocal.speed import FP4_MMQ_SPEEDUP, fp4_mma_applies, prefill_gemm_flops

    f = _prefill_features(
        active_expert_params=2e9, expert_share=8 / 256, ubatch=512, quant="MXFP4_MOE"
    )
    assert FP4_MMQ_SPEEDUP == 2.0
    assert prefill_gemm_flops(f, 16.0, 512, FP4_MMQ_SPEEDUP) == pytest.approx(2.0625e9 + 4e9)
    # A checkpoint all in NVFP4: every GEMM halves, (2.0625e9 + 8e9) / 2.
    g = replace(f, quant="NVFP4")
    assert prefill_gemm_flops(g, 16.0, 512, FP4_MMQ_SPEEDUP) == pytest.approx(5.03125e9)
    # Which devices and builds: compute capability 12.x only (RTX 50, DGX Spark 12.1), builds
    # from PR #17906 on, FP4 weights only.
    spark = _device_load(compute_capability=12.1, sm_clock_hz=48 * 2.4e9)
    assert fp4_mma_applies(f, spark)
    assert not fp4_mma_applies(f, replace(spark, compute_capability=10.0))  # B200: tcgen05
    assert not fp4_mma_applies(f, replace(spark, compute_capability=8.9))
    assert not fp4_mma_applies(replace(f, fp4_mma=False), spark)
    assert not fp4_mma_applies(replace(f, quant="Q4_K_M"), spark)


def test_rows_date_llama_cpp_native_fp4_by_build_then_month() -> None:
    """PR #17906 merged as build b7536 on 2025-12-24."""
    from .factories import version_setup

    assert not version_setup("build 2f68ce7cf (6918); 2025-11-02").fp4_mma
    assert version_setup("build b828e18c7 (7948)").fp4_mma
    assert version_setup("PR head (merged as b7536); 2025-12-19").fp4_mma
    assert not version_setup("build c6f6e4f96; 2025-12").fp4_mma
    assert version_setup("2026-02").fp4_mma
    assert version_setup("build abc1234").fp4_mma  # no date: current


def test_intel_gpus_run_on_their_own_backend_classes() -> None:
    from runlocal.catalog import load_catalog
    from runlocal.speed import SpeedParams, backend_class

    catalog = load_catalog()
    arc = device_from_entry(catalog.hardware["intel-arc-pro-b70"])
    radeon = device_from_entry(catalog.hardware["amd-rx-7900-xtx"])
    assert backend_class(replace(arc, backend="sycl")) == "sycl"
    assert backend_class(replace(arc, backend="vulkan")) == "vulkan-intel"
    assert backend_class(replace(radeon, backend="vulkan")) == "vulkan"
    # A parameter file from before the split: the new classes start from Vulkan's values, and
    # a single per-layer cost applies to every backend.
    old = SpeedParams.from_dict(
        {
            "bandwidth_efficiency": {"cuda": 1.0, "vulkan": 0.9},
            "fixed_ms": {"cuda": 1.0, "vulkan": 0.5},
            "per_layer_us": 40.0,
            "dequant_ops": {},
            "prefill_efficiency": {"cuda": 0.5, "vulkan": 0.4},
            "prefill_quant_factor": {},
            "decode_spread": {},
            "prefill_spread": {},
        }
    )
    assert old.bandwidth_efficiency["sycl"] == old.bandwidth_efficiency["vulkan-intel"] == 0.9
    assert old.per_layer_us["sycl"] == old.per_layer_us["cuda"] == 40.0


def test_sycl_prompts_multiply_the_routed_experts_one_call_per_expert() -> None:
    """SYCL's prompt MUL_MAT_ID loops over the experts on the host. A 10-layer device with
    8 MoE layers of 128 experts, 8 routed per token: a 512-token micro-batch reaches
    128 × (1 − (1 − 1/16)^512) = 128 experts (to 1e-12), so 8 layers × 3 matrices × 128 calls
    = 3,072 calls of 20 µs, 61.44 ms per micro-batch, 0.12 ms per prompt token. Vulkan
    multiplies all experts in one kernel and decode never loops."""
    from runlocal.speed import load_params, prefill_seconds_per_token
    from runlocal.speed.prefill import experts_with_rows

    assert experts_with_rows(128, 8 / 128, 512) == pytest.approx(128.0)
    assert experts_with_rows(128, 8 / 128, 1) == pytest.approx(8.0)
    p = replace(load_params(), expert_loop_us=20.0)
    sycl = DeviceLoad("sycl", 200e9, 10e12, 50e12, None, 1e9, 2e9, 0.0, 10, moe_layers=8)
    moe = dict(n_experts=128, expert_share=8 / 128, active_expert_params=1e9)
    f = _prefill_features(loads=(sycl,), **moe)
    looped = prefill_seconds_per_token(f, p, 0)
    free = prefill_seconds_per_token(f, replace(p, expert_loop_us=0.0), 0)
    assert looped is not None and free is not None
    assert looped - free == pytest.approx(8 * 3 * 128 * 20e-6 / 512)
    vulkan = _prefill_features(loads=(replace(sycl, backend="vulkan"),), **moe)
    assert prefill_seconds_per_token(vulkan, p, 0) == prefill_seconds_per_token(
        vulkan, replace(p, expert_loop_us=0.0), 0
    )


def test_cuda_prompts_without_mmq_multiply_the_routed_experts_one_call_per_expert() -> None:
    """ggml_cuda_mul_mat_id's synchronising fallback: a quantized MoE prompt on a CUDA GPU
    that skips MMQ (P100: no dp4a, the "fp32" path; Volta and pre-MMQ builds: "matrix") calls
    dequantize + cuBLAS once per expert. The same device as the SYCL test: 8 MoE layers × 3
    matrices × 128 experts × 20 µs / 512 tokens = 0.12 ms per prompt token. With dp4a (MMQ,
    one mmid kernel) or F16 weights there is no loop."""
    from runlocal.speed import load_params, prefill_seconds_per_token
    from runlocal.speed.kernels import host_expert_loop

    p = replace(load_params(), expert_loop_us=20.0)
    p100 = _P100_MOE
    moe = dict(n_experts=128, expert_share=8 / 128, active_expert_params=1e9)
    f = _prefill_features(loads=(p100,), **moe)
    looped = prefill_seconds_per_token(f, p, 0)
    free = prefill_seconds_per_token(f, replace(p, expert_loop_us=0.0), 0)
    assert looped is not None and free is not None
    assert looped - free == pytest.approx(8 * 3 * 128 * 20e-6 / 512)
    assert host_expert_loop(f, p100, "fp32") and host_expert_loop(f, p100, "matrix")
    assert not host_expert_loop(f, p100, "mmq")
    assert not host_expert_loop(f, p100, "dp4a")
    assert not host_expert_loop(replace(f, quant_family="f16"), p100, "matrix")
    assert not host_expert_loop(replace(f, llama_kernels=False), p100, "matrix")


def test_unquantized_expert_matrices_outside_mmf_loop_over_the_experts_on_cuda_and_hip() -> None:
    """ggml_cuda_should_use_mmf (mul_mat_id): MMF takes an F16/BF16 expert matrix of at most
    1,024 output rows up to 512 tokens, a wider one up to 128; MMQ takes none. A BF16 MoE of
    128 experts (8 routed) with an expert FFN width of 768 and a hidden size of 2,048 on an
    RDNA3.5 GPU under ROCm, 8 MoE layers: at a 512-token micro-batch gate and up (768 rows)
    stay in MMF and the down projection (2,048 rows) loops: 8 layers × 1 matrix × 128 experts
    × 20 µs / 512 tokens = 40 µs per prompt token. At 2,048 tokens all three loop:
    8 × 3 × 128 × 20 µs / 2,048 = 30 µs. At 128 tokens MMF takes all three."""
    from runlocal.speed import load_params, prefill_seconds_per_token
    from runlocal.speed.kernels import host_looped_expert_matrices, mmf_takes_expert_matrix

    assert mmf_takes_expert_matrix(1024, 512) and not mmf_takes_expert_matrix(1024, 513)
    assert mmf_takes_expert_matrix(1025, 128) and not mmf_takes_expert_matrix(1025, 129)
    p = replace(load_params(), expert_loop_us=20.0)
    free_p = replace(p, expert_loop_us=0.0)
    rdna35 = _device_load(backend="rocm", gpu_arch="gfx1151", layers=10, moe_layers=8)
    moe = dict(
        n_experts=128,
        expert_share=8 / 128,
        active_expert_params=1e9,
        quant_family="f16",
        quant="BF16",
        expert_rows=(768, 2048),
    )
    f = _prefill_features(loads=(rdna35,), **moe)
    extra = {}
    for ubatch, prompt in ((512, 512), (2048, 2048), (512, 128)):
        g = replace(f, ubatch=ubatch)
        looped = prefill_seconds_per_token(g, p, 0, prompt)
        free = prefill_seconds_per_token(g, free_p, 0, prompt)
        assert looped is not None and free is not None
        extra[prompt] = looped - free
    assert extra[512] == pytest.approx(8 * 1 * 128 * 20e-6 / 512)
    assert extra[2048] == pytest.approx(8 * 3 * 128 * 20e-6 / 2048)
    assert extra[128] == 0.0
    # No MMA for the type: every matrix loops (RDNA2; BF16 before Ampere, F16 from Volta).
    rdna2 = replace(rdna35, gpu_arch="gfx1030")
    assert host_looped_expert_matrices(f, rdna2, "fp32", 512) == 3
    turing = _device_load(compute_capability=7.5, layers=10, moe_layers=8)
    ampere = replace(turing, compute_capability=8.6)
    assert host_looped_expert_matrices(f, turing, "matrix", 512) == 3
    assert host_looped_expert_matrices(f, ampere, "matrix", 512) == 1
    assert host_looped_expert_matrices(replace(f, quant="F16"), turing, "matrix", 512) == 1
    # CDNA's MFMA has MMF; Vulkan, quantized weights (MMQ) and other runtimes never loop here.
    mi300 = replace(rdna35, gpu_arch="gfx942")
    assert host_looped_expert_matrices(f, mi300, "matrix", 512) == 1
    assert host_looped_expert_matrices(f, replace(rdna35, backend="vulkan"), "fp32", 512) == 0
    assert host_looped_expert_matrices(replace(f, quant_family="q8"), rdna35, "matrix", 512) == 0
    assert host_looped_expert_matrices(replace(f, llama_kernels=False), rdna35, "matrix", 512) == 0
    # Expert widths unknown: taken to be MMF's.
    assert host_looped_expert_matrices(replace(f, expert_rows=(0, 0)), rdna35, "matrix", 512) == 0


def test_expert_matrix_rows_are_the_expert_width_and_the_hidden_size() -> None:
    """Qwen3-Coder-30B-A3B: hidden 2,048, 128 experts of width 768. A spec without the GGUF
    row lengths derives the width from the layer's expert parameters: 3 × 128 × 2,048 × 768
    = 603,979,776 gives 768 back. A dense model has none."""
    from runlocal.catalog import load_catalog
    from runlocal.speed.features import expert_matrix_rows

    catalog = load_catalog()
    spec = catalog_spec(catalog.models["qwen3-coder-30b-a3b-instruct"])
    assert expert_matrix_rows(spec) == (768, 2048)
    layers = tuple(
        replace(layer, expert_up_rows=0, expert_down_rows=0, params_experts=603_979_776)
        if layer.moe
        else layer
        for layer in spec.layers
    )
    assert expert_matrix_rows(replace(spec, layers=layers)) == (768, 2048)
    dense = catalog_spec(catalog.models["llama-3.1-8b-instruct"])
    assert expert_matrix_rows(dense) == (0, 0)


def _rdna_params() -> SpeedParams:
    from runlocal.speed import load_params

    p = _no_launches(load_params())
    return replace(
        p,
        attention_factor=1.0,
        attention_backend_factor={**p.attention_backend_factor, "rocm": 1.0},
        prefill_efficiency={**p.prefill_efficiency, "rocm": 0.5},
        tile_load_tokens=0.0,
        attention_tile_rows=0.0,
        decode_matrix_attention_efficiency=0.0,
    )


def test_hip_rdna_prompt_attention_runs_the_tile_kernel_at_the_vector_rate() -> None:
    """An RDNA4 GPU (WMMA 80 TFLOPS, vector 20) at η 0.5, F16 weights, no GEMM: 1 GFLOP of
    prompt attention per token, a quarter of it in layers the WMMA kernel does not take.
    With the WMMA kernel: 0.75e9 / (80e12 × 0.5) + 0.25e9 / (20e12 × 0.5) = 4.375e-5 s; on a
    build before it, all of it in the tile kernel: 1e9 / (20e12 × 0.5) = 1e-4 s."""
    from runlocal.speed import prefill_seconds_per_token

    p = _rdna_params()
    gpu = _device_load(
        backend="rocm", fp32_flops=20e12, fp16_flops=80e12, gpu_arch="gfx1201", layers=10
    )
    f = _prefill_features(
        loads=(gpu,),
        quant_family="f16",
        active_params=0.0,
        attn_prefill_flops=1e9,
        attn_prefill_tile_flops=0.25e9,
    )
    assert prefill_seconds_per_token(f, p, 0) == pytest.approx(4.375e-5)
    assert prefill_seconds_per_token(replace(f, rdna4_fattn_mma=False), p, 0) == pytest.approx(1e-4)
    # An RDNA3 GPU (gfx11xx) follows its own build flag; other AMD GPUs keep the matrix rate.
    rdna3 = replace(f, loads=(replace(gpu, gpu_arch="gfx1100"),), rdna3_fattn_mma=False)
    assert prefill_seconds_per_token(rdna3, p, 0) == pytest.approx(1e-4)
    cdna = replace(f, loads=(replace(gpu, gpu_arch="gfx942"),))
    assert prefill_seconds_per_token(cdna, p, 0) == pytest.approx(1e9 / (80e12 * 0.5))


def test_hip_rdna_decode_attention_over_wide_heads_runs_at_the_vector_rate() -> None:
    """0.1 GFLOP of decode attention in heads too wide for the vector kernel, η 0.5: CUDA's
    MMA kernel at the matrix rate, 1e8 / (40e12 × 0.5) = 5e-6 s; RDNA's tile kernel at the
    vector rate, 1e8 / (20e12 × 0.5) = 1e-5 s."""
    from runlocal.speed import decode_seconds_per_token

    p = _rdna_params()
    gpu = _device_load(backend="rocm", fp32_flops=20e12, fp16_flops=40e12, attn_matrix_flops=1e8)
    f = _prefill_features(loads=(gpu,), quant_family="f16")
    rdna = replace(f, loads=(replace(gpu, gpu_arch="gfx1151"),))
    t, t_rdna = decode_seconds_per_token(f, p), decode_seconds_per_token(rdna, p)
    assert t is not None and t_rdna is not None
    assert t_rdna - t == pytest.approx(1e-5 - 5e-6)


def test_one_decoded_token_reaches_its_own_share_of_the_matrix_attention_rate() -> None:
    """0.1 GFLOP of decode attention in the MMA kernel of a GPU with 40 TFLOPS of FP16 tensor
    rate: at decode_matrix_attention_efficiency 0.2, 1e8 / (40e12 × 0.2) = 1.25e-5 s, where
    the prompt's share (0.5, the parameter unset) gives 5e-6 s."""
    from runlocal.speed import decode_seconds_per_token

    p = _rdna_params()
    gpu = _device_load(backend="rocm", fp32_flops=20e12, fp16_flops=40e12, attn_matrix_flops=1e8)
    f = _prefill_features(loads=(gpu,), quant_family="f16")
    none = replace(f, loads=(replace(gpu, attn_matrix_flops=0.0),))
    t_none = decode_seconds_per_token(none, p)
    t_prompt = decode_seconds_per_token(f, p)
    t_own = decode_seconds_per_token(f, replace(p, decode_matrix_attention_efficiency=0.2))
    assert t_none is not None and t_prompt is not None and t_own is not None
    assert t_prompt - t_none == pytest.approx(5e-6)
    assert t_own - t_none == pytest.approx(1.25e-5)


def test_rows_date_hip_wmma_flash_attention_by_build_then_month() -> None:
    """RDNA4 from PR #18481 (January 2026, taken as build 7700), RDNA3 from b9158 (May 2026);
    a year alone in the year a kernel arrived says nothing, so the row counts as later."""
    from .factories import version_setup

    def dated(text: str) -> tuple[bool, bool]:
        setup = version_setup(text)
        return (setup.rdna4_fattn_mma, setup.rdna3_fattn_mma)

    assert dated("build 2aa45ef9e (7423)") == (False, False)
    assert dated("build b7600 (7600); 2026-01") == (False, False)
    assert dated("build 0253fb21f (9187); 2026-05") == (True, True)
    assert dated("2026-03") == (True, False)
    assert dated("2025-11") == (False, False)
    assert dated("2026 (PR 26284 master)") == (True, True)
    assert dated("build abc1234") == (True, True)


def test_table_decoded_four_bit_formats_are_their_own_quantization_family() -> None:
    """MXFP4, NVFP4 and IQ4_NL decode 4-bit codes through a 16-value table; the legacy
    formats subtract an offset. A parameter file without the family reads it as legacy."""
    from runlocal.speed import quant_family
    from runlocal.speed.params import SpeedParams, load_params_raw

    for q in ("MXFP4", "MXFP4_MOE", "NVFP4", "IQ4_NL"):
        assert quant_family(q) == "q_table"
    for q in ("Q4_0", "Q4_1", "Q5_0", "Q5_1"):
        assert quant_family(q) == "q_legacy"
    assert quant_family("IQ4_XS") == "iq"
    raw = dict(load_params_raw())
    old = {k: v for k, v in raw["prefill_quant_factor"].items() if k != "q_table"}
    p = SpeedParams.from_dict({**raw, "prefill_quant_factor": old})
    assert p.prefill_quant_factor["q_table"] == p.prefill_quant_factor["q_legacy"]


def _decode_of_1e9_weights(quant: str, dequant_ops: dict[str, float]) -> float:
    """_layer_cost_case's decode with 1e9 weights at 10 TFLOPS FP32, unpacked as ``quant``'s
    family at ``dequant_ops`` operations a weight."""
    from runlocal.speed import decode_seconds_per_token, quant_family

    params, f = _layer_cost_case()
    params = replace(params, dequant_ops=dequant_ops)
    (load,) = f.loads
    load = replace(load, weight_params=1e9, fp32_flops=1e13)
    f = replace(f, loads=(load,), cuda_graphs_min_cc=None, quant_family=quant_family(quant))
    return decode_seconds_per_token(f, params)


def test_unsloth_dynamic_mixes_take_the_family_of_their_block_type() -> None:
    """Unsloth's "UD-" files are llama.cpp's block types in other proportions: UD-Q8_K_XL is
    Q8_0 blocks with a few tensors in BF16 (there is no Q8_K weight type), UD-IQ2_XXS the
    IQ2_XXS grid. They unpack as their block type does. Hand-computed: 1e9 weights at
    10 TFLOPS, 3 operations a weight for Q8_0 (0.3 ms) where a K-quant's 6 would be 0.6 ms;
    1 GB read at 1 TB/s = 1 ms; 32 layers × 20 µs + 32 MoE layers × 30 µs = 1.6 ms; 1 ms
    fixed."""
    from runlocal.speed import quant_family

    assert quant_family("UD-Q8_K_XL") == quant_family("Q8_0") == "q8"
    assert quant_family("UD-IQ2_XXS") == quant_family("IQ2_XXS") == "iq"
    assert quant_family("UD-Q4_K_XL") == quant_family("Q4_K_M") == "k_quant"
    assert _decode_of_1e9_weights("UD-Q8_K_XL", {"q8": 3.0, "k_quant": 6.0}) == pytest.approx(
        1e-3 + 0.3e-3 + 1.6e-3 + 1e-3
    )


def test_two_and_three_bit_k_quants_unpack_as_their_own_family() -> None:
    """Q2_K and Q3_K hold 16-weight sub-blocks with packed scales (Q4_K and Q5_K: 32-weight ones) and
    more per weight (speed.UNPACKING_BASE): their own family, which a parameter file without
    it reads at the K-quants' cost. Hand-computed: 1e9 weights at 10 TFLOPS, 9 operations a
    weight for Q2_K (0.9 ms) where Q4_K's 6 are 0.6 ms; 1 GB read at 1 TB/s = 1 ms; 32
    layers × 20 µs + 32 MoE layers × 30 µs = 1.6 ms; 1 ms fixed."""
    from runlocal.speed import quant_family
    from runlocal.speed.params import SpeedParams, load_params_raw

    for q in ("Q2_K", "Q2_K_S", "Q3_K_S", "Q3_K_M", "Q3_K_L", "UD-Q2_K_XL", "UD-Q3_K_XL"):
        assert quant_family(q) == "k_quant_low"
    for q in ("Q4_K_M", "Q5_K_S", "Q6_K", "UD-Q4_K_XL"):
        assert quant_family(q) == "k_quant"
    raw = dict(load_params_raw())
    old = {k: v for k, v in raw["dequant_ops"].items() if k != "k_quant_low"}
    p = SpeedParams.from_dict({**raw, "dequant_ops": old})
    assert p.dequant_ops["k_quant_low"] == p.dequant_ops["k_quant"]
    assert _decode_of_1e9_weights("Q2_K", {"k_quant": 6.0, "k_quant_low": 9.0}) == pytest.approx(
        1e-3 + 0.9e-3 + 1.6e-3 + 1e-3
    )
