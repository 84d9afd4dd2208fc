"""Which prompt GEMM llama.cpp runs quantized weights in, where it is neither a GPU's MMQ nor
its in-kernel unpacking: SYCL's dequantize + oneDNN for every quantized GEMM, and the CPU
backend, whose GEMMs take no share of the GPU tile kernels' unpacking factors. Hand-computed."""

from __future__ import annotations

from dataclasses import replace

import pytest

from runlocal.speed import SpeedFeatures, SpeedParams, load_params, prefill_seconds_per_token
from runlocal.speed.kernels import SYCL_MMVQ_MAX_BATCH, sycl_dequant_gemm

from .test_speed import _cpu, _gpu_load, _no_launches, _prefill_features

# An Arc Pro B70-like card under SYCL: 600 GB/s, FP32 20 TFLOPS, XMX FP16 160 TFLOPS; 1e9
# parameters in 0.5e9 bytes (4 bits a weight), all resident.
B70 = _gpu_load(
    "Intel",
    "sycl",
    bandwidth_bytes_per_s=600e9,
    fp32_flops=20e12,
    fp16_flops=160e12,
    weight_bytes=0.5e9,
    weight_params=1e9,
    resident_weight_bytes=0.5e9,
    layers=10,
)


def _params() -> SpeedParams:
    p = _no_launches(load_params())
    return replace(
        p,
        prefill_efficiency={**p.prefill_efficiency, "sycl": 0.5, "cpu": 0.2},
        prefill_quant_factor={"f16": 1.0, "k_quant": 2.0},
        prefill_path_efficiency={},
        bandwidth_efficiency={**p.bandwidth_efficiency, "sycl": 1.0, "cpu": 1.0},
        attention_factor=1.0,
        tile_load_tokens=0.0,
        attention_tile_rows=0.0,
    )


def _features(**kw: object) -> SpeedFeatures:
    base: dict[str, object] = dict(
        loads=(B70,), quant="Q4_K_M", quant_family="k_quant", active_params=1e9, ubatch=512
    )
    base.update(kw)
    return _prefill_features(**base)


def test_sycl_dequantizes_every_quantized_prompt_gemm_above_the_mat_vec_batch() -> None:
    """ggml_sycl_supports_mmq is false for every type, so a quantized matrix with more than
    MMVQ's 8 rows goes to ggml_sycl_op_mul_mat_sycl (to_fp16_sycl, then oneDNN)."""
    f = _features()
    assert SYCL_MMVQ_MAX_BATCH == 8
    assert sycl_dequant_gemm(f, B70, 512)
    assert sycl_dequant_gemm(f, B70, 9)
    assert not sycl_dequant_gemm(f, B70, 8)
    # BF16/F16 weights are not dequantized (BF16 takes the FP32 GEMM), other backends and
    # runtimes other than llama.cpp never take this path.
    assert not sycl_dequant_gemm(replace(f, quant="BF16", quant_family="f16"), B70, 512)
    assert not sycl_dequant_gemm(f, replace(B70, backend="vulkan", api="vulkan"), 512)
    assert not sycl_dequant_gemm(replace(f, llama_kernels=False), B70, 512)


def test_the_sycl_prompt_multiplies_fp16_copies_and_streams_them() -> None:
    """2e9 GEMM FLOPs per token at 160 TFLOPS x 0.5 on FP16 copies, no unpacking factor:
    2e9 / 80e12 = 2.5e-5 s. The dequantize kernel reads the 0.5e9 quantized bytes and writes
    a 2-byte copy of each of the 1e9 weights (the GEMM's read of the copy is its operand
    stream, charged once on every path): 2.5e9 bytes per 512-token micro-batch at 600 GB/s,
    8.138e-6 s per token; 3.3138e-5 s in all. Unpacked inside the GEMM (the K-quant factor 2,
    the former charge) it was 5e-5 + 0.5e9 / 600e9 / 512 = 5.1628e-5 s."""
    t = prefill_seconds_per_token(_features(), _params(), 0, 512)
    assert t == pytest.approx(2.5e-5 + 2.5e9 / 600e9 / 512)
    assert t == pytest.approx(3.3138e-5, rel=1e-4)


def test_cpu_prompt_gemms_take_no_gpu_unpacking_factor() -> None:
    """A Raspberry Pi 5-like CPU at 0.614 TOPS int8 x 0.2 efficiency: 2 x 7.5e9 GEMM FLOPs
    per token take 1.5e10 / 1.228e11 = 0.12215 s whatever the quantization family (the
    K-quant factor 2 of the GPU kernels would make it 0.2443 s); the 4.6e9 weight bytes at
    17.1 GB/s, once per 512-token micro-batch, add 5.254e-4 s."""
    pi = _cpu(resident_weight_bytes=4.6e9)
    f = _prefill_features(loads=(pi,), quant="Q4_K_M", quant_family="k_quant", active_params=7.5e9)
    f = replace(f, ubatch=512)
    t = prefill_seconds_per_token(f, _params(), 0, 512)
    assert t == pytest.approx(1.5e10 / (0.614e12 * 0.2) + 4.6e9 / 17.1e9 / 512)
    legacy = replace(f, quant="Q4_0", quant_family="q_legacy")
    assert prefill_seconds_per_token(legacy, _params(), 0, 512) == pytest.approx(t)
