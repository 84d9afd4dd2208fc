"""Ops a backend has no kernel for run on the CPU (speed.op_fallback)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from runlocal.speed import DeviceLoad, SpeedFeatures, load_params
from runlocal.speed.decode import decode_seconds_per_token
from runlocal.speed.op_fallback import cpu_fallback_seconds, cpu_ops

SYCL = DeviceLoad("sycl", 500e9, 20e12, 100e12, None, 10e9, 20e9, 0.0, 52)


def _mamba_features(**kw: object) -> SpeedFeatures:
    """A hybrid of 52 layers whose 23 Mamba-2 mixers each keep a 64 heads x 64 x 128 F32
    scan state (2 MiB): 23 x 524,288 x 4 bytes per token."""
    base: dict[str, object] = dict(
        loads=(SYCL,),
        host_bytes=0.0,
        host_bandwidth_bytes_per_s=100e9,
        quant_family="k_quant",
        n_layers=52,
        active_params=3e9,
        attn_prefill_flops=0.0,
        ssm_scan_state_bytes=23 * 524_288 * 4.0,
    )
    base.update(kw)
    return SpeedFeatures(**base)  # type: ignore[arg-type]


def test_sycl_runs_the_mamba_scan_on_the_cpu_and_moves_the_state_both_ways() -> None:
    """48.2 MB of state a token: to the host and back over the link at 25 GB/s (3.86 ms), and
    the CPU reads it and writes the new one at 100 GB/s x eta_cpu 0.5 (1.93 ms)."""
    p = replace(
        load_params(), bandwidth_efficiency={**load_params().bandwidth_efficiency, "cpu": 0.5}
    )
    f = _mamba_features()
    state = 23 * 524_288 * 4
    assert cpu_ops(f, SYCL) == {"SSM_SCAN"}
    expected = 2 * state / 25e9 + 2 * state / (100e9 * 0.5)
    assert cpu_fallback_seconds(f, SYCL, p) == pytest.approx(expected)
    assert expected == pytest.approx(5.79e-3, rel=1e-3)
    # The decode formula adds exactly that to the token.
    with_scan = decode_seconds_per_token(f, p)
    without = decode_seconds_per_token(replace(f, ssm_scan_state_bytes=0.0), p)
    assert with_scan is not None and without is not None
    assert with_scan - without == pytest.approx(expected)


def test_a_device_holding_half_the_layers_moves_half_the_states() -> None:
    p = load_params()
    half = replace(SYCL, layers=26)
    f = _mamba_features(loads=(half, half))
    assert cpu_fallback_seconds(f, half, p) == pytest.approx(
        cpu_fallback_seconds(_mamba_features(), SYCL, p) / 2
    )


def test_backends_with_a_scan_kernel_and_models_without_mixers_pay_nothing() -> None:
    """CUDA/HIP, Vulkan and Metal have SSM_SCAN kernels; a model without Mamba mixers has no
    scan; another runtime's own kernels are not llama.cpp's."""
    p = load_params()
    for backend in ("cuda", "rocm", "vulkan", "metal"):
        load = replace(SYCL, backend=backend)
        assert cpu_fallback_seconds(_mamba_features(loads=(load,)), load, p) == 0.0
    assert cpu_fallback_seconds(_mamba_features(ssm_scan_state_bytes=0.0), SYCL, p) == 0.0
    assert cpu_fallback_seconds(_mamba_features(llama_kernels=False), SYCL, p) == 0.0


def test_without_a_known_host_the_cpu_side_reads_a_desktops_ddr5() -> None:
    p = replace(
        load_params(), bandwidth_efficiency={**load_params().bandwidth_efficiency, "cpu": 0.5}
    )
    f = _mamba_features(host_bandwidth_bytes_per_s=None)
    state = 23 * 524_288 * 4
    assert cpu_fallback_seconds(f, SYCL, p) == pytest.approx(
        2 * state / 25e9 + 2 * state / (80e9 * 0.5)
    )
