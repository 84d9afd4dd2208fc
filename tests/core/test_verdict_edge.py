"""The verdict at the edge of memory: a setup over its budget by no more than the memory
estimate's uncertainty (1.5% of the budget, docs/methodology.md "At the edge of memory") is
`tradeoffs`, never `wont-run` nor `comfortable`; every surface asks the same rule."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from runlocal import memory as mem
from runlocal.accuracy_report import _verdict
from runlocal.advice import _better
from runlocal.answer import verdict_for
from runlocal.components import check_components
from runlocal.estimate import estimate
from runlocal.hardware import Device, explicit_device
from runlocal.hfconfig import spec_from_config
from runlocal.memory import DeviceUse, MemoryPlan, plan_llama
from runlocal.memory.records import SYSTEM_RAM
from runlocal.recommend import Fit, pick_tier
from runlocal.runtimes import get_runtime
from runlocal.units import GIB, MIB
from runlocal.weights import estimate_inventory

from .factories import LLAMA_3_1_8B


def gpu(gib: float, name: str = "Test GPU") -> Device:
    return Device(name, "gpu", "cuda", round(gib * GIB), 1e12, 1e14, 1e13)


def one_gpu_plan(used: int, budget_gib: float = 24) -> MemoryPlan:
    """One GPU holding every layer: ``used`` bytes, all weights, against ``budget_gib``."""
    use = DeviceUse(gpu(budget_gib), 32, used, 0, 0, 0, round(budget_gib * GIB))
    host = DeviceUse(SYSTEM_RAM, 0, 500 * MIB, 0, 0, 0, 500 * MIB)
    return MemoryPlan([use], host, 33, 33)


def test_the_band_is_one_and_a_half_percent_of_the_budget() -> None:
    # 24 GiB = 25,769,803,776 B; 1.5% of it = 386,547,056.64 B, whole bytes down.
    assert mem.EDGE_SHARE == 0.015
    assert mem.edge_margin(24 * GIB) == 386_547_056
    assert mem.within_edge(24 * GIB + 386_547_056, 24 * GIB)
    assert not mem.within_edge(24 * GIB + 386_547_057, 24 * GIB)
    # 8 GiB: 128,849,018.88 B -> 128,849,018.
    assert mem.edge_margin(8 * GIB) == 128_849_018


def test_a_plan_over_by_less_than_the_band_is_at_the_edge() -> None:
    # 24.13 GiB on a 24 GiB GPU: 0.13 GiB = 139,586,437 B over, under the 386,547,056 B band.
    over = one_gpu_plan(round(24.13 * GIB))
    assert not over.fits and over.at_edge
    # 24.4 GiB: 0.4 GiB = 429,496,730 B over, past the band.
    assert not one_gpu_plan(round(24.4 * GIB)).at_edge
    # A plan that fits is not "at the edge" (its headroom is the tight/comfortable rule's).
    assert not one_gpu_plan(23 * GIB).at_edge
    # System RAM over its own budget: not at the edge, whatever the GPU.
    short_host = one_gpu_plan(round(24.13 * GIB))
    assert short_host.host is not None
    short_host.host.budget_bytes = 100 * MIB
    assert not short_host.at_edge


def test_every_device_must_be_within_the_band() -> None:
    a = DeviceUse(gpu(24, "A"), 14, round(24.13 * GIB), 0, 0, 0, 24 * GIB)
    b = DeviceUse(gpu(24, "B"), 13, round(22.5 * GIB), 0, 0, 0, 24 * GIB)
    plan = MemoryPlan([b, a], None, 28, 28)
    assert plan.at_edge and plan.edge_device() is a
    # A second GPU at 24.5 GiB (0.5 GiB over > 0.36 GiB) leaves the edge.
    c = DeviceUse(gpu(24, "C"), 14, round(24.5 * GIB), 0, 0, 0, 24 * GIB)
    assert not MemoryPlan([a, c], None, 28, 28).at_edge


def test_a_preallocating_runtime_is_judged_inside_its_preallocation() -> None:
    # vLLM-like: 0.9 x 24 GiB = 21.6 GiB preallocated; 1.5% of it = 0.324 GiB. Needing
    # 21.8 GiB (0.2 GiB over) is at the edge; 22 GiB (0.4 GiB over) is not.
    limit = round(21.6 * GIB)
    assert mem.edge_margin(limit) == int(limit * 0.015)

    def plan(required_gib: float) -> MemoryPlan:
        use = DeviceUse(gpu(24), 32, 16 * GIB, 0, 0, 0, 24 * GIB, limit, round(required_gib * GIB))
        return MemoryPlan([use], None, 33, 33)

    assert plan(21.8).at_edge and not plan(21.8).fits
    assert not plan(22.0).at_edge


def test_the_verdict_at_the_edge_is_tradeoffs_with_its_reason() -> None:
    edge = one_gpu_plan(round(24.13 * GIB))
    verdict, reason = verdict_for(edge, 30.0, [], None)
    assert verdict == "tradeoffs"
    assert reason == (
        "it needs about 24.13 GiB of the 24 GiB it can use on Test GPU: at the edge, within "
        "the memory estimate's uncertainty (1.5% of the budget); it may fail to load"
    )
    assert verdict_for(one_gpu_plan(round(24.4 * GIB)), None, [], None)[0] == "wont-run"
    # Several GPUs: the reason names the fullest.
    a = DeviceUse(gpu(24, "A"), 14, round(24.13 * GIB), 0, 0, 0, 24 * GIB)
    b = DeviceUse(gpu(24, "B"), 13, round(22.5 * GIB), 0, 0, 0, 24 * GIB)
    _, reason = verdict_for(MemoryPlan([b, a], None, 28, 28), 30.0, [], None)
    assert reason.startswith("it needs about 24.13 GiB of the 24 GiB it can use on the fullest")
    assert "of its 2 devices (A)" in reason


def test_llama_cpp_without_system_ram_keeps_every_layer_on_the_gpu_at_the_edge() -> None:
    """Llama 3.1 8B F16 at 8,192 tokens on one GPU, no system RAM to offload to: a budget 1%
    under what the full placement needs (within 1.5%) keeps all 33 units on the GPU, at the
    edge; 2% under (past the band) is the failed offload, `wont-run`."""
    spec = spec_from_config(LLAMA_3_1_8B)
    inv = estimate_inventory(spec, "F16")
    runtime = get_runtime("llama.cpp")
    full = plan_llama(spec, inv, [explicit_device(48, 1000)], None, runtime, 8192, "f16", 1)
    need = full.devices[0].total_bytes
    for short, at_edge in ((1.01, True), (1.02, False)):
        device = explicit_device(need / short / GIB, 1000)
        plan = plan_llama(spec, inv, [device], None, runtime, 8192, "f16", 1)
        assert not plan.fits and plan.at_edge is at_edge
        if at_edge:
            assert (plan.gpu_layers, plan.total_layers) == (33, 33)
            assert plan.devices[0].total_bytes == need  # the same placement as on 48 GiB
            est = estimate(spec, inv, [device], None, runtime, 8192, "f16", 1, 4096)
            assert est.decode_tok_s is not None  # its speed, if it loads
            assert verdict_for(plan, est.decode_tok_s, [device], None)[0] == "tradeoffs"
        else:
            assert plan.gpu_layers < 33  # the offload search's placement, which fails
            assert verdict_for(plan, None, [device], None)[0] == "wont-run"
    # With system RAM to offload to, the offload comes first (as before): it fits.
    device = explicit_device(need / 1.01 / GIB, 1000)
    plan = plan_llama(spec, inv, [device], 32 * GIB, runtime, 8192, "f16", 1)
    assert plan.fits and plan.gpu_layers < 33
    assert verdict_for(plan, 20.0, [device], 32 * GIB)[1].endswith("which slows decoding")


def test_the_accuracy_report_asks_the_engines_verdict() -> None:
    edge = one_gpu_plan(round(24.13 * GIB))
    row: Any = SimpleNamespace(est=SimpleNamespace(plan=edge, decode_tok_s=30.0, fits=False))
    assert _verdict(row) == "tradeoffs"
    row.est.plan = one_gpu_plan(round(24.4 * GIB))
    assert _verdict(row) == "wont-run"
    # Slow decoding is tradeoffs there too, as in check (5 tokens/s).
    row.est = SimpleNamespace(plan=one_gpu_plan(12 * GIB), decode_tok_s=3.0, fits=True)
    assert _verdict(row) == "tradeoffs"
    row.est.decode_tok_s = 30.0
    assert _verdict(row) == "comfortable"


def answer(verdict: str, fits: bool, gpu_layers: int = 33) -> dict[str, Any]:
    return {
        "verdict": verdict,
        "fits": fits,
        "offload": {"gpu_layers": gpu_layers, "total_layers": 33, "experts_on_host_layers": 0},
    }


def test_rankings_put_the_edge_after_every_tradeoff_that_fits() -> None:
    edge = answer("tradeoffs", False)
    # The one change: a setup that fits (even with layers in system RAM) beats the edge.
    assert _better(answer("tradeoffs", True), edge)
    assert _better(answer("tradeoffs", True, 30), edge)
    assert not _better(edge, answer("tradeoffs", True, 30))
    assert _better(edge, answer("wont-run", False))
    assert _better(answer("tradeoffs", True), answer("tradeoffs", True, 30))
    # Choose my GPU: comfortable 0, tradeoffs that fit 1, at the edge 2, won't run 3.
    base: dict[str, Any] = {"quant": "Q4_K_M", "speed": {"decode_tok_s": 30.0}}
    tiers = [
        pick_tier(Fit.from_result({**base, "verdict": v, "fits": f}))[0]
        for v, f in (("comfortable", True), ("tradeoffs", True), ("tradeoffs", False))
    ]
    assert tiers == [0, 1, 2]
    assert pick_tier(Fit.from_result({**base, "verdict": "wont-run", "fits": False}))[0] == 3


def test_a_component_model_at_the_edge_is_tradeoffs() -> None:
    """One 2e9-parameter fp16 component (4e9 B) with Whisper's fixed activations (256 MiB,
    the larger of 256 and 64 MiB) and 500 MiB of runtime: 4,000,000,000 + 268,435,456 +
    524,288,000 = 4,792,723,456 B. On 4.43 GiB (4,756,676,280 B; band 71,350,144 B) it is
    36,047,176 B over: the edge. On 4.4 GiB (4,724,464,026 B; band 70,866,960 B) it is
    68,259,430 B over, also within; on 4.35 GiB (4,670,776,934 B; band 70,061,654 B) it is
    121,946,522 B over: won't run."""
    entry: Any = SimpleNamespace(
        name="Speech Test",
        get=lambda key, default=None: {
            "modality": "speech",
            "components": [{"name": "model", "params_b": 2.0, "dtype": "fp16"}],
        }.get(key, default),
    )
    for gib, verdict in ((4.43, "tradeoffs"), (4.4, "tradeoffs"), (4.35, "wont-run")):
        m = check_components(entry, [gpu(gib)], None, None)
        assert m["total_bytes"] == 4_792_723_456
        assert (m["verdict"], m["fits"]) == (verdict, False), gib
    assert "at the edge" in check_components(entry, [gpu(4.43)], None, None)["reason"]
