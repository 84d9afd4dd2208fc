"""Speed per layer and per build: the per-layer cost with CUDA graphs and multi-head latent
attention, layer-split overlap, the kernel paths a llama.cpp build number had."""

from __future__ import annotations

from dataclasses import replace

import pytest

from runlocal.estimate import estimate
from runlocal.hardware import device_from_entry
from runlocal.runtimes import get_runtime
from runlocal.sources import catalog_spec, inventory_for
from runlocal.speed import SpeedFeatures, SpeedParams

from .test_speed import _P100_MOE, _device_load, _prefill_features


def _layer_cost_case() -> tuple[SpeedParams, SpeedFeatures]:
    """Per-layer costs to hand-compute with: 32 layers (all MoE) of 1 GB on an Ampere card at
    1 TB/s, 20 µs a layer and 30 µs more a MoE layer, 1 ms fixed, CUDA graphs keeping 0.4."""
    params = SpeedParams(
        bandwidth_efficiency={"cuda": 1.0},
        fixed_ms={"cuda": 1.0},
        per_layer_us={"cuda": 20.0},
        dequant_ops={"k_quant": 0.0},
        prefill_efficiency={"cuda": 1.0},
        prefill_quant_factor={},
        attention_factor=1.0,
        pipeline_efficiency=0.5,
        tflops_per_watt=1.0,
        no_dp4a_dequant_factor=1.0,
        decode_spread={},
        prefill_spread={},
        per_moe_layer_us=30.0,
        cuda_graph_layer_factor=0.4,
    )
    ampere = _device_load(
        compute_capability=8.6, weight_bytes=1e9, layers=32, moe_layers=32, dp4a=True
    )
    f = _prefill_features(
        loads=(ampere,), quant_family="k_quant", n_layers=32, cuda_graphs_min_cc=7.0
    )
    return params, f


def test_cuda_graphs_cut_the_per_layer_cost_where_the_build_has_them_for_the_gpu() -> None:
    """llama.cpp decodes with CUDA graphs from PR #6766 (May 2024) on compute capability 8.0
    and later, 7.0 and later from PR #25749 (July 2026); --n-cpu-moe and offloaded layers turn
    them off. Hand-computed: 32 layers × 20 µs + 32 MoE layers × 30 µs = 1.6 ms of per-layer
    cost without graphs, × 0.4 = 0.64 ms with them; reads 1 GB at 1 TB/s = 1 ms; fixed 1 ms."""
    from runlocal.speed import cuda_graphs_apply, decode_seconds_per_token

    params, f = _layer_cost_case()
    (ampere,) = f.loads
    assert cuda_graphs_apply(f, ampere)
    assert decode_seconds_per_token(f, params) == pytest.approx(1e-3 + 0.64e-3 + 1e-3)
    # A build from before graphs, or one that gates them at Ampere on a Volta card: host launches.
    assert decode_seconds_per_token(replace(f, cuda_graphs_min_cc=None), params) == (
        pytest.approx(1e-3 + 1.6e-3 + 1e-3)
    )
    volta = replace(ampere, compute_capability=7.0)
    assert cuda_graphs_apply(f, volta)
    assert not cuda_graphs_apply(replace(f, cuda_graphs_min_cc=8.0), volta)
    assert not cuda_graphs_apply(f, replace(ampere, compute_capability=6.1))  # Pascal: never
    # Experts or layers on the host; other backends.
    assert not cuda_graphs_apply(replace(f, host_bytes=1e9), ampere)
    assert not cuda_graphs_apply(f, replace(ampere, backend="rocm"))


def test_multi_head_latent_attention_adds_its_kernels_to_each_layers_cost() -> None:
    """llama.cpp's MLA attention block has 8 more kernels than a GQA one (20 against 12, of a
    GQA layer's 18: speed.decode.MLA_EXTRA_ATTENTION_KERNELS). With mla_layer_factor 0.5:
    32 layers × 20 µs × 1.5 + 32 MoE layers × 30 µs = 1.92 ms of per-layer cost, × 0.4 with
    CUDA graphs = 0.768 ms; reads 1 GB at 1 TB/s = 1 ms; fixed 1 ms."""
    from runlocal.speed import decode_seconds_per_token
    from runlocal.speed.decode import GQA_LAYER_KERNELS, MLA_EXTRA_ATTENTION_KERNELS

    assert (GQA_LAYER_KERNELS, MLA_EXTRA_ATTENTION_KERNELS) == (18, 8)
    params, f = _layer_cost_case()
    params, f = replace(params, mla_layer_factor=0.5), replace(f, mla=True)
    assert decode_seconds_per_token(f, params) == pytest.approx(1e-3 + 0.768e-3 + 1e-3)
    # GQA: 32 × 20 + 32 × 30 = 1.6 ms × 0.4 = 0.64 ms, as without the factor.
    assert decode_seconds_per_token(replace(f, mla=False), params) == (
        pytest.approx(1e-3 + 0.64e-3 + 1e-3)
    )
    # A parameter file without the factor (fitted before it): no change.
    assert (
        SpeedParams.from_dict(
            {
                "bandwidth_efficiency": {"cuda": 1.0},
                "fixed_ms": {"cuda": 1.0},
                "per_layer_us": {"cuda": 20.0},
                "dequant_ops": {},
                "prefill_efficiency": {"cuda": 1.0},
                "prefill_quant_factor": {},
                "decode_spread": {},
                "prefill_spread": {},
            }
        ).mla_layer_factor
        == 0.0
    )


def test_an_mla_model_is_marked_in_its_speed_features() -> None:
    from runlocal.catalog import load_catalog

    catalog = load_catalog()
    device = device_from_entry(catalog.hardware["nvidia-rtx-4090"])
    for key, mla in (("glm-4.7-flash", True), ("llama-3.1-8b-instruct", False)):
        spec = catalog_spec(catalog.models[key])
        inv = inventory_for(spec, catalog.models[key], "Q4_K_M")
        est = estimate(spec, inv, [device], None, get_runtime("llama.cpp"), 4096, "f16", 1, 512)
        assert est.features.mla is mla


def test_rows_date_llama_cpp_cuda_graphs_by_build_then_month() -> None:
    """PR #6766 merged on 8 May 2024 (about build b2830), Ampere on; PR #25749 (July 2026)
    took the gate to Volta. Rows without a build or date are recent builds of their time."""
    from .factories import version_setup

    def gate(version: str) -> float | None:
        return version_setup(version).cuda_graphs_min_cc

    assert gate("build 7a221b6 (2581); 2024-04-02") is None
    assert gate("2024-03") is None
    assert gate("build 8a8c4ce (3210)") == 8.0
    assert gate("2025-08-16") == 8.0
    assert gate("build c6e408837 (9368)") == 8.0
    assert gate("b10298; 2026-08") == 7.0
    assert gate("2026-09") == 7.0
    assert gate("build abc1234") == 8.0


def test_layer_split_gpus_overlap_only_the_micro_batches_of_one_logical_batch() -> None:
    """llama.cpp pipelines the micro-batches (n_ubatch) of a logical batch (n_batch 2048)
    across layer-split GPUs: pp2048 at n_ubatch 512 keeps four in flight on four GPUs, two on
    two; pp512, or pp2048 at n_ubatch 2048, is one micro-batch the GPUs take in turn."""
    from runlocal.speed.prefill import micro_batches_in_flight

    four = _prefill_features(loads=(_device_load(),) * 4, ubatch=512)
    assert micro_batches_in_flight(four, 2048) == 4
    assert micro_batches_in_flight(four, 8192) == 4  # one logical batch at a time
    assert micro_batches_in_flight(replace(four, loads=four.loads[:2]), 2048) == 2
    assert micro_batches_in_flight(four, 512) == 1
    assert micro_batches_in_flight(replace(four, ubatch=2048), 2048) == 1
    assert micro_batches_in_flight(replace(four, ubatch=2048), 4096) == 1
    assert micro_batches_in_flight(replace(four, ubatch=1024), 2048) == 2


def test_a_llama_cpp_build_number_sets_the_kernel_paths_that_build_had() -> None:
    """llama.cpp@bNNNN: flash attention by default from b6325, CUDA graphs from about b2830
    (Ampere on) and about b10000 (Volta on), native FP4 MMA from b7536, HIP WMMA flash attention
    on RDNA4 from about b7700 and RDNA3 from b9158, HIP MMQ's per-expert tiles from about
    b10600. Ollama's and LM Studio's release numbers
    are their own, not llama.cpp builds."""
    old = get_runtime("llama.cpp@b2000")
    assert not old.flash_attn and old.cuda_graphs_min_cc is None and not old.fp4_mma
    mid = get_runtime("llama.cpp@b8000")
    assert mid.flash_attn and mid.cuda_graphs_min_cc == 8.0
    assert mid.fp4_mma and mid.rdna4_fattn_mma and not mid.rdna3_fattn_mma
    new = get_runtime("llama.cpp@b10700")
    assert new.cuda_graphs_min_cc == 7.0 and new.rdna3_fattn_mma and new.moe_expert_tiles
    assert get_runtime("llama.cpp") == replace(new, version=None)
    assert get_runtime("ollama@0.5") == replace(get_runtime("ollama"), version="0.5")


def test_cuda_mul_mat_id_fallback_scans_every_expert_token_and_slot_on_the_host(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """ggml_cuda_mul_mat_id's fallback builds its sorted rows by a host loop over every
    expert, token and routing slot: E × k iterations per token and looped matrix, at 1 ns
    (kernels.HOST_ID_SCAN_NS). 256 experts, 8 routed, 8 MoE layers, 3 matrices on the P100's
    "fp32" path: 8 × 3 × 256 × 8 × 1 ns = 49.152 µs per prompt token at any micro-batch,
    where the per-expert calls shrink with it (8 × 3 × 256 × 20 µs / 512 = 240 µs at 512
    tokens, 60 µs at 2,048). SYCL sorts its rows by counting (no scan); MMQ's one mmid
    kernel and dense models have neither."""
    from runlocal.speed import kernels, load_params, prefill_seconds_per_token
    from runlocal.speed.kernels import host_expert_id_scan_seconds

    p = replace(load_params(), expert_loop_us=20.0)
    p100 = _P100_MOE
    moe = dict(n_experts=256, expert_share=8 / 256, active_expert_params=1e9)
    f = _prefill_features(loads=(p100,), **moe)
    assert host_expert_id_scan_seconds(f, p100) == pytest.approx(256 * 8 * 1e-9)
    assert host_expert_id_scan_seconds(f, replace(p100, backend="rocm")) > 0.0
    # SYCL sorts by counting since PR #23142; builds before it scanned as CUDA does.
    assert host_expert_id_scan_seconds(f, replace(p100, backend="sycl")) == 0.0
    before_sort = replace(f, sycl_counting_sort=False)
    assert host_expert_id_scan_seconds(before_sort, replace(p100, backend="sycl")) == (
        pytest.approx(256 * 8 * 1e-9)
    )
    assert host_expert_id_scan_seconds(replace(f, llama_kernels=False), p100) == 0.0
    assert host_expert_id_scan_seconds(replace(f, n_experts=0), p100) == 0.0
    with_scan = {}
    for ubatch in (512, 2048):
        g = replace(f, ubatch=ubatch)
        with_scan[ubatch] = prefill_seconds_per_token(g, p, 0, ubatch)
        free = prefill_seconds_per_token(g, replace(p, expert_loop_us=0.0), 0, ubatch)
        assert with_scan[ubatch] is not None and free is not None
        calls = 8 * 3 * 256 * 20e-6 / ubatch
        assert with_scan[ubatch] - free == pytest.approx(calls)
    # On MMQ (a GPU with dp4a) the experts take one kernel: no calls, no scan.
    mmq = replace(p100, dp4a=True, compute_capability=6.1)
    g = _prefill_features(loads=(mmq,), **moe)
    assert prefill_seconds_per_token(g, p, 0) == prefill_seconds_per_token(
        g, replace(p, expert_loop_us=0.0), 0
    )
    scan_on = prefill_seconds_per_token(g, p, 0)
    monkeypatch.setattr(kernels, "HOST_ID_SCAN_NS", 0.0)
    assert prefill_seconds_per_token(g, p, 0) == scan_on
    for ubatch in (512, 2048):
        without = prefill_seconds_per_token(replace(f, ubatch=ubatch), p, 0, ubatch)
        assert without is not None
        assert with_scan[ubatch] - without == pytest.approx(8 * 3 * 256 * 8 * 1e-9)
