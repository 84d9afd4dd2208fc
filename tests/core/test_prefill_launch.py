"""A prompt micro-batch's kernel launches, hand-computed: each layer's launch and
synchronisation once per micro-batch (prefill.layer_launch_seconds), never shortened by CUDA
graphs, none on the CPU backend or in other runtimes."""

from __future__ import annotations

from dataclasses import replace

import pytest

from runlocal.speed import SpeedParams, load_params, prefill_seconds_per_token
from runlocal.speed.prefill import layer_launch_seconds

from .test_speed import _device_load, _prefill_features

# 10 layers, 8 of them MoE, on CUDA.
GPU = _device_load(layers=10, moe_layers=8)


def _params() -> SpeedParams:
    p = load_params()
    return replace(
        p,
        per_layer_us={**p.per_layer_us, "cuda": 80.0, "cpu": 20.0},
        per_moe_layer_us=50.0,
        mla_layer_factor=0.5,
    )


def test_a_micro_batch_launches_every_layer_once() -> None:
    """10 layers x 80 us + 8 MoE layers x 50 us = 1,200 us per micro-batch; an MLA model's
    layers cost 1.5 times theirs: 10 x 80 x 1.5 + 400 = 1,600 us."""
    p = _params()
    f = _prefill_features(loads=(GPU,))
    assert layer_launch_seconds(f, GPU, p) == pytest.approx(1.2e-3)
    assert layer_launch_seconds(replace(f, mla=True), GPU, p) == pytest.approx(1.6e-3)


def test_the_launches_are_shared_by_the_micro_batchs_tokens_without_cuda_graphs() -> None:
    """1,200 us over a 128-token prompt adds 9.375 us a token, over 512-token micro-batches
    2.34375 us; CUDA graphs (which decode uses on this build) take nothing off."""
    p = _params()
    f = _prefill_features(loads=(GPU,), ubatch=512, cuda_graphs_min_cc=7.0)
    none = replace(p, per_layer_us={**p.per_layer_us, "cuda": 0.0}, per_moe_layer_us=0.0)
    for prompt, extra in ((128, 9.375e-6), (2048, 2.34375e-6)):
        with_launches = prefill_seconds_per_token(f, p, 0, prompt)
        without = prefill_seconds_per_token(f, none, 0, prompt)
        assert with_launches is not None and without is not None
        assert with_launches - without == pytest.approx(extra)


def test_no_launches_on_the_cpu_backend_nor_in_other_runtimes() -> None:
    p = _params()
    cpu = replace(GPU, backend="cpu")
    assert layer_launch_seconds(_prefill_features(loads=(cpu,)), cpu, p) == 0.0
    other = _prefill_features(loads=(GPU,), llama_kernels=False)
    assert layer_launch_seconds(other, GPU, p) == 0.0
