"""Which kernel llama.cpp's HIP build runs a quantized prompt GEMM in on each AMD generation
and build (ggml_cuda_should_use_mmq's AMD branch: MMQ or dequantize + hipBLAS), and what the
hipBLAS path costs, hand-computed."""

from __future__ import annotations

from dataclasses import replace

import pytest

from runlocal.speed import SpeedFeatures, SpeedParams, load_params, prefill_seconds_per_token
from runlocal.speed.kernels import hip_dequant_blas, host_looped_expert_matrices

from .test_speed import _gpu_load, _no_launches, _prefill_features

# An RDNA4-like card under ROCm: 100 TFLOPS FP16 on WMMA, 50 FP32, 1 TB/s, 1e9 parameters in
# 0.5e9 bytes (4 bits a weight), all of them resident.
RDNA4 = _gpu_load(
    "AMD",
    "rocm",
    gpu_arch="gfx1201",
    fp32_flops=50e12,
    fp16_flops=100e12,
    weight_bytes=0.5e9,
    weight_params=1e9,
    resident_weight_bytes=0.5e9,
    layers=10,
)


def _features(quant: str = "Q4_K_M", family: str = "k_quant", **kw: object) -> SpeedFeatures:
    base: dict[str, object] = dict(
        loads=(RDNA4,), quant=quant, quant_family=family, active_params=1e9, ubatch=512
    )
    base.update(kw)
    return _prefill_features(**base)


def _on(arch: str) -> tuple[object, ...]:
    return (replace(RDNA4, gpu_arch=arch),)


def test_hip_takes_hipblas_where_ggml_cuda_should_use_mmq_says_so_by_generation_and_build() -> None:
    f = _features()
    # RDNA4: MMQ on WMMA from PR #17156 (November 2025); hipBLAS from 64 tokens before it.
    assert not hip_dequant_blas(f, RDNA4, 512)
    assert hip_dequant_blas(replace(f, rdna4_mmq=False), RDNA4, 512)
    assert not hip_dequant_blas(replace(f, rdna4_mmq=False), RDNA4, 32)
    # RDNA3: MMQ from PR #17576 (December 2025), but Q2_K/Q6_K/IQ2_XS/IQ2_S above 128 tokens
    # go to hipBLAS unless the model has 64 or more experts (PRs #18537, #18202).
    rdna3 = replace(f, loads=_on("gfx1100"))
    assert not hip_dequant_blas(rdna3, rdna3.loads[0], 512)
    assert hip_dequant_blas(replace(rdna3, rdna3_mmq=False), rdna3.loads[0], 512)
    q6 = replace(rdna3, quant="Q6_K")
    assert hip_dequant_blas(q6, q6.loads[0], 512)
    assert not hip_dequant_blas(q6, q6.loads[0], 128)
    assert not hip_dequant_blas(replace(q6, n_experts=128), q6.loads[0], 512)
    # CDNA1/2 (MI100, MI200): MFMA MMQ for the legacy 4/5-bit formats, Q4_K/Q5_K up to 256
    # tokens and anything up to 128; hipBLAS for the rest (Q8_0, larger K-quant batches).
    cdna2 = replace(f, loads=_on("gfx90a"))
    load = cdna2.loads[0]
    assert not hip_dequant_blas(replace(cdna2, quant="Q4_0", quant_family="q_legacy"), load, 512)
    assert hip_dequant_blas(replace(cdna2, quant="Q8_0", quant_family="q8"), load, 512)
    assert not hip_dequant_blas(replace(cdna2, quant="Q8_0", quant_family="q8"), load, 128)
    assert not hip_dequant_blas(cdna2, load, 256)
    assert hip_dequant_blas(cdna2, load, 512)
    assert not hip_dequant_blas(replace(cdna2, n_experts=128), load, 512)
    assert hip_dequant_blas(replace(cdna2, quant="Q4_0", cdna_mmq=False), load, 512)
    # CDNA3 (MI300): MMQ for every batch from PR #14624 (July 2025).
    cdna3 = replace(f, loads=_on("gfx942"))
    assert not hip_dequant_blas(cdna3, cdna3.loads[0], 4096)
    assert hip_dequant_blas(replace(cdna3, cdna_mmq=False), cdna3.loads[0], 4096)
    # RDNA2 keeps its dp4a MMQ; unquantized weights and other backends never take this path.
    rdna2 = replace(f, loads=_on("gfx1030"), rdna3_mmq=False, rdna4_mmq=False, cdna_mmq=False)
    assert not hip_dequant_blas(rdna2, rdna2.loads[0], 512)
    old = replace(f, rdna4_mmq=False)
    assert not hip_dequant_blas(replace(old, quant="F16", quant_family="f16"), RDNA4, 512)
    assert not hip_dequant_blas(old, replace(RDNA4, backend="vulkan", api="vulkan"), 512)


def _params() -> SpeedParams:
    p = _no_launches(load_params())
    return replace(
        p,
        prefill_efficiency={**p.prefill_efficiency, "rocm": 0.5},
        prefill_quant_factor={"f16": 1.0, "k_quant": 2.0},
        prefill_path_efficiency={},
        bandwidth_efficiency={**p.bandwidth_efficiency, "rocm": 1.0},
        attention_factor=1.0,
        tile_load_tokens=0.0,
        attention_tile_rows=0.0,
    )


def test_the_hipblas_path_unpacks_once_per_micro_batch_and_streams_an_fp16_copy() -> None:
    """2e9 GEMM FLOPs per token at 100 TFLOPS x 0.5, 0.5e9 weight bytes read once per
    512-token micro-batch at 1 TB/s (9.766e-7 s per token). MMQ unpacks inside the GEMM (the
    K-quant factor 2): 2e9 / 25e12 = 8e-5 s, 8.098e-5 in all. hipBLAS multiplies FP16 copies
    (no factor: 2e9 / 50e12 = 4e-5 s) that the dequantize kernel writes, 2 bytes for each of
    the 1e9 weights (the GEMM's read of them is its operand stream, as MMQ's of the quantized
    weights): (0.5e9 + 2e9) / 1e12 / 512 = 4.883e-6 s, 4.488e-5 in all."""
    p = _params()
    f = _features()
    assert prefill_seconds_per_token(f, p, 0, 512) == pytest.approx(8e-5 + 0.5e9 / 1e12 / 512)
    old = replace(f, rdna4_mmq=False)
    assert prefill_seconds_per_token(old, p, 0, 512) == pytest.approx(4e-5 + 2.5e9 / 1e12 / 512)


def test_hip_off_mmq_multiplies_a_moes_experts_one_host_call_at_a_time() -> None:
    """ggml_cuda_mul_mat_id's synchronising fallback (one call per expert) is the same source
    on HIP: a quantized MoE on a build without RDNA4 MMQ loops over gate, up and down."""
    moe = _features(n_experts=32, expert_share=4 / 32)
    assert host_looped_expert_matrices(moe, RDNA4, "matrix", 512) == 0
    old = replace(moe, rdna4_mmq=False)
    assert host_looped_expert_matrices(old, RDNA4, "matrix", 512) == 3
    assert host_looped_expert_matrices(old, RDNA4, "matrix", 32) == 0


def test_the_harness_reads_which_amd_generations_a_build_runs_mmq_on() -> None:
    from runlocal.runtimes import get_runtime

    from .factories import version_setup

    def read(version: str) -> tuple[bool, bool, bool]:
        setup = version_setup(version)
        return (setup.cdna_mmq, setup.rdna4_mmq, setup.rdna3_mmq)

    assert read("build 3007baf2 (6194); 2025-08") == (True, False, False)
    assert read("build 0bf47a1 (6829); 2025-10") == (True, False, False)
    assert read("build 2aa45ef9e (7423); 2025-12") == (True, True, True)
    assert read("2025-05-17 (page date)") == (False, False, False)
    assert read("build 8160b38") == (True, True, True)
    runtime = get_runtime("llama.cpp@b7083")
    assert (runtime.cdna_mmq, runtime.rdna4_mmq, runtime.rdna3_mmq) == (True, False, False)
    assert get_runtime("llama.cpp@b7295").rdna3_mmq


def test_hip_fallback_expert_slices_under_64_rows_take_mmq_not_an_fp16_copy() -> None:
    """ggml_cuda_mul_mat_id's per-expert calls ask ggml_cuda_should_use_mmq with the expert's
    own rows: on a build without RDNA4 MMQ, fewer than 64 rows take MMQ (hip_expert_slices).
    1e9 active params, half of them routed experts (2 of 32), in 0.5e9 bytes, a quarter of the
    bytes resident experts. 512 tokens: 512 x 2 / 32 = 32 rows an expert, MMQ: the dense 1e9
    GEMM FLOPs unpacked for hipBLAS (no factor), the experts' 1e9 in MMQ at the K-quant factor
    2: 3e9 / (100 TFLOPS x 0.5) = 6e-5 s; reads 0.5e9 bytes plus the dense 0.25e9 bytes' 0.5e9
    weights copied at 2 bytes: 1.5e9 / 1e12 / 512. 2,048 tokens: 128 rows an expert, all on
    hipBLAS: 2e9 / 50e12 = 4e-5 s; reads 0.5e9 + 1e9 x 2 = 2.5e9 bytes / 1e12 / 2048."""
    from runlocal.speed.hip_expert_slices import hip_expert_slices_take_mmq

    p = _params()
    load = replace(RDNA4, resident_expert_bytes=0.25e9)
    moe = _features(
        loads=(load,),
        n_experts=32,
        expert_share=2 / 32,
        active_expert_params=0.5e9,
        rdna4_mmq=False,
    )
    assert hip_expert_slices_take_mmq(moe, load, 512)
    assert not hip_expert_slices_take_mmq(moe, load, 2048)
    assert prefill_seconds_per_token(moe, p, 0, 512) == pytest.approx(6e-5 + 1.5e9 / 1e12 / 512)
    big = replace(moe, ubatch=2048)
    assert prefill_seconds_per_token(big, p, 0, 2048) == pytest.approx(4e-5 + 2.5e9 / 1e12 / 2048)
    # A dense model has no expert slices: the whole GEMM on hipBLAS.
    assert not hip_expert_slices_take_mmq(_features(rdna4_mmq=False), load, 512)
    # 64 rows: hipBLAS on a build without MMQ on the matrix units (ne11 < 64); on an RDNA3
    # build with it (a Q6_K MoE of under 64 experts sent to the fallback) slices up to 128
    # rows take MMQ (ne11 <= 128), as on CDNA1/2 with its MFMA MMQ.
    assert not hip_expert_slices_take_mmq(moe, load, 1024)
    rdna3 = replace(load, gpu_arch="gfx1100")
    q6 = replace(moe, loads=(rdna3,), quant="Q6_K", rdna4_mmq=True)
    assert hip_expert_slices_take_mmq(q6, rdna3, 2048)
    assert not hip_expert_slices_take_mmq(q6, rdna3, 4096)
    assert not hip_expert_slices_take_mmq(replace(q6, rdna3_mmq=False), rdna3, 2048)
    cdna2 = replace(load, gpu_arch="gfx90a")
    assert hip_expert_slices_take_mmq(replace(q6, loads=(cdna2,)), cdna2, 2048)
