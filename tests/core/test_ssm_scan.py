"""llama.cpp's token-serial Mamba scan in a prompt (speed.ssm_scan), hand-computed."""

from __future__ import annotations

from dataclasses import replace

import pytest

from runlocal.speed.prefill import prefill_seconds_per_token
from runlocal.speed.ssm_scan import (
    LLAMA_SSM_SCAN_FP32_SHARE,
    SSM_SCAN_FLOPS_PER_ELEMENT,
    cuda_ssd_applies,
    serial_ssm_scan_seconds,
)

from .test_speed import _device_load, _prefill_features

# A million F32 state elements over the model's mixers.
MAMBA = _prefill_features(ssm_scan_state_bytes=4e6)
RDNA = _device_load(backend="rocm", fp32_flops=20e12)
AMPERE = _device_load(backend="cuda", fp32_flops=20e12, compute_capability=8.6)
VOLTA = _device_load(backend="cuda", fp32_flops=20e12, compute_capability=7.0)


def test_the_scan_runs_at_the_profiled_share_of_the_fp32_rate() -> None:
    """5 FLOPs per element and token: 5e6 FLOPs at 4.3% of 20 TFLOPS is 5.814 us a token."""
    assert SSM_SCAN_FLOPS_PER_ELEMENT == 5
    assert LLAMA_SSM_SCAN_FP32_SHARE == 0.043
    assert serial_ssm_scan_seconds(MAMBA, RDNA, 512) == pytest.approx(5e6 / 8.6e11)
    assert serial_ssm_scan_seconds(MAMBA, RDNA, 512) == pytest.approx(5.814e-6, rel=1e-3)


def test_the_scan_is_charged_where_the_serial_kernel_runs() -> None:
    # HIP never takes the chunked SSD path; CUDA does from Turing on, on builds with it, for
    # micro-batches of 128 tokens or more.
    assert serial_ssm_scan_seconds(MAMBA, AMPERE, 512) == 0.0
    assert cuda_ssd_applies(MAMBA, AMPERE, 128)
    assert not cuda_ssd_applies(MAMBA, AMPERE, 127)
    assert serial_ssm_scan_seconds(MAMBA, AMPERE, 64) == pytest.approx(5e6 / 8.6e11)
    assert serial_ssm_scan_seconds(MAMBA, VOLTA, 512) == pytest.approx(5e6 / 8.6e11)
    before = replace(MAMBA, cuda_ssd_scan=False)
    assert serial_ssm_scan_seconds(before, AMPERE, 512) == pytest.approx(5e6 / 8.6e11)
    # Not timed on other backends; other runtimes and attention-only models have none.
    assert serial_ssm_scan_seconds(MAMBA, _device_load(backend="vulkan"), 512) == 0.0
    assert serial_ssm_scan_seconds(replace(MAMBA, llama_kernels=False), RDNA, 512) == 0.0
    assert serial_ssm_scan_seconds(_prefill_features(), RDNA, 512) == 0.0


def test_a_prompt_pays_the_scan_once_per_token() -> None:
    load = replace(RDNA, layers=10)
    with_scan = replace(MAMBA, loads=(load,))
    without = replace(with_scan, ssm_scan_state_bytes=0.0)
    from runlocal.speed import load_params

    p = load_params()
    extra = prefill_seconds_per_token(with_scan, p, 256) - prefill_seconds_per_token(
        without, p, 256
    )
    assert extra == pytest.approx(5e6 / 8.6e11)


def test_the_harness_and_runtimes_read_the_cuda_ssd_scan_build() -> None:
    from .factories import assert_build_gate

    assert_build_gate(
        "cuda_ssd_scan",
        older=[
            "build abc (9739); 2026-07-17",
            "2026-07",
            "llama.cpp@b9800",
        ],
        newer=[
            "build def (10050); 2026-08-07",
            "build e9fd8dc",  # unstated: later
            "llama.cpp",
        ],
    )
