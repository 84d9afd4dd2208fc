"""Fast paths of a plan: sums kept per GPU, split or set of GPUs and the fit judged once, each
equal to the plan the general placement builds."""

from __future__ import annotations

import random

import pytest

from runlocal import memory as mem
from runlocal.catalog import load_catalog
from runlocal.errors import RunlocalError
from runlocal.hardware import parse_hardware
from runlocal.memory import llama, llama_layout
from runlocal.runtimes import RUNTIMES
from runlocal.sources import inventory_for

from .test_fast_paths import _catalog_specs


@pytest.mark.parametrize("hardware", ["RTX 4090", "RTX 3060 12GB", "A100 80GB", "M3 Max"])
def test_one_gpu_sums_equal_the_general_split(hardware):
    cat = load_catalog()
    (device,) = parse_hardware(cat, hardware)
    runtime = RUNTIMES["llama.cpp"]
    rng = random.Random(hardware)
    checked = 0
    for spec, entry in _catalog_specs(40, seed=2):
        for quant in ("Q4_K_M", "Q8_0", "IQ2_XS"):
            inv = inventory_for(spec, entry, quant)
            layout = llama_layout._LlamaLayout(
                llama_layout._llama_cells(spec, (device,), runtime, "f16", 1), inv
            )
            n = spec.n_layers
            for _ in range(8):
                ngl, experts = rng.randint(0, n + 1), rng.randint(0, n)
                context = rng.choice([512, 8192, 131_072])
                one = layout._usage_one(ngl, experts, context)
                assert one == layout._usage_split(ngl, experts, context), (spec.id, ngl)
                checked += 1
    assert checked > 500


@pytest.mark.parametrize(
    "hardware", ["RTX 4090", "M3 Max", "2x RTX 3090", "3x A100 80GB", "RTX 4090 + RTX 3060 12GB"]
)
def test_a_split_between_gpus_is_split_layers_answer(hardware):
    """_LlamaCells.split (GPUs of one budget, one or several, by _even_split) against
    split_layers on the blocks and output layer offloaded, the output then taken from the
    last GPU that got any, for every -ngl."""
    cat = load_catalog()
    gpus = tuple(d for part in hardware.split(" + ") for d in parse_hardware(cat, part))
    runtime = RUNTIMES["llama.cpp"]
    checked = 0
    for spec, _ in _catalog_specs(20, seed=26):
        cells = llama_layout._LlamaCells(spec, gpus, runtime, "f16", 1)
        n = spec.n_layers
        for ngl in range(n + 3):
            units = max(0, min(n, ngl - 1)) + (1 if ngl >= 1 else 0)
            counts = mem.split_layers(units, list(gpus)) if units else [0] * len(gpus)
            output_dev = max((k for k, c in enumerate(counts) if c), default=-1)
            if ngl >= 1 and output_dev >= 0:
                counts[output_dev] -= 1
            want = (counts, output_dev if ngl >= 1 else -1)
            assert cells.split(ngl) == want, (spec.id, ngl)
            checked += 1
    assert checked > 500


@pytest.mark.parametrize("hardware", ["RTX 4090", "2x RTX 3090", "3x A100 80GB", "M3 Max"])
def test_full_offload_from_kept_sums_equals_the_placement(hardware):
    # The largest context and the best quantization ask "does everything fit?" from the
    # weights per GPU and the rest per context, kept apart; the placement adds them per call.
    cat = load_catalog()
    gpus = tuple(parse_hardware(cat, hardware))
    runtime = RUNTIMES["llama.cpp"]
    checked = 0
    for spec, entry in _catalog_specs(40, seed=4):
        for kv_type, sequences in (("f16", 1), ("q8_0", 4)):
            cells = llama_layout._llama_cells(spec, gpus, runtime, kv_type, sequences)
            for quant in ("Q4_K_M", "Q8_0", "IQ2_XS"):
                inv = inventory_for(spec, entry, quant)
                layout = llama_layout._LlamaLayout(cells, inv)
                for context in (512, 8192, 131_072):
                    want = layout.usage(spec.n_layers + 1, 0, context)
                    assert cells.full_usage(inv, context) == want, (spec.id, quant, context)
                    checked += 1
    assert checked > 500


@pytest.mark.parametrize(
    "hardware", ["RTX 3060 12GB", "RTX 4090", "2x RTX 3090", "M3 Max", "GTX 1650"]
)
def test_runs_from_the_sums_equals_the_plans_fit(hardware):
    # The largest context that runs with part of the model in system RAM asks "does it run?"
    # at each step of a bisection from the placement's sums; the plan is never built there.
    cat = load_catalog()
    devices = parse_hardware(cat, hardware)
    runtime = RUNTIMES["llama.cpp"]
    rng = random.Random(hardware)
    checked = ran = 0
    for spec, entry in _catalog_specs(50, seed=6):
        for quant in ("Q4_K_M", "Q8_0", "F16"):
            inv = inventory_for(spec, entry, quant)
            for host_ram in (None, 16 * 2**30, 64 * 2**30, 256 * 2**30):
                kv_type, sequences = rng.choice([("f16", 1), ("q8_0", 1), ("f16", 4)])
                runs = llama.llama_runs_of(
                    spec, inv, list(devices), host_ram, runtime, kv_type, sequences
                )
                assert runs is not None
                for context in (512, 4096, 32_768, rng.randrange(256, 262_144, 256)):
                    plan = llama.plan_llama(
                        spec, inv, list(devices), host_ram, runtime, context, kv_type, sequences
                    )
                    assert runs(context) == plan.fits, (spec.id, quant, host_ram, context)
                    checked += 1
                    ran += plan.fits and not plan.full_offload
    assert checked > 1500
    assert ran > 50  # setups that run only with part of the model in system RAM


def test_a_plans_fit_is_every_devices_fit():
    """MemoryPlan.fits, written out, equals DeviceUse.fits over its devices and host, on
    every runtime's plans and on the edge cases of a preallocating runtime's limits."""
    from runlocal import engine
    from runlocal import solve as solving

    def plain(plan: mem.MemoryPlan) -> bool:
        return all(d.fits for d in plan.devices) and (plan.host is None or plan.host.fits)

    def plain_tight(plan: mem.MemoryPlan) -> bool:
        return any(mem.records.is_tight(*mem.records.usage(d)) for d in plan.devices)

    cat = load_catalog()
    rng = random.Random(15)
    seen, seen_tight = set(), set()
    for model_id in rng.sample(sorted(cat.models), 40):
        for hw, runtime in (
            ("nvidia-rtx-3060-12gb", "llama.cpp"),
            ("2x nvidia-rtx-4090", "vllm"),
            ("apple-m2-max-38c", "mlx"),
            ("4x amd-rx-7900-xtx", "llama.cpp"),
        ):
            q = engine.CheckQuery(model=model_id, hardware=(hw,), runtime=runtime)
            try:
                s = solving.solve(q, cat, False, None)
            except RunlocalError:
                continue
            if isinstance(s, solving.Solved):
                assert s.plan.fits == plain(s.plan)
                assert s.plan.tight == plain_tight(s.plan)
                seen.add(s.plan.fits)
                seen_tight.add(s.plan.tight)
    assert seen == seen_tight == {True, False}
    dev = mem.SYSTEM_RAM
    for limit, required, used, budget in [
        (None, None, 10, 10),
        (None, None, 11, 10),
        (10, None, 5, 10),
        (None, 10, 11, 10),
        (10, 10, 99, 1),
        (10, 11, 1, 99),
    ]:
        use = mem.DeviceUse(
            dev,
            weights_bytes=used,
            budget_bytes=budget,
            fit_limit_bytes=limit,
            required_bytes=required,
        )
        plan = mem.MemoryPlan(devices=[use], host=None, gpu_layers=0, total_layers=1)
        assert plan.fits == use.fits
        assert plan.tight == plain_tight(plan)


def test_rows_fit_and_tightness_in_one_loop():
    """estimate._fits_rows equals all()/any() over the rows it replaced."""
    from runlocal import estimate
    from runlocal.units import GIB

    rng = random.Random(14)
    values = [0, 1, GIB - 1, GIB, GIB + 1, 10 * GIB, 11 * GIB, 24 * GIB, 80 * GIB]
    for _ in range(3000):
        rows = [
            (rng.choice(values) + rng.randint(-3, 3), rng.choice(values))
            for _ in range(rng.randint(0, 4))
        ]
        expected = (
            all(u <= b for u, b in rows),
            any(mem.is_tight(u, b) for u, b in rows),
        )
        assert estimate._fits_rows(rows) == expected


@pytest.mark.parametrize("hardware", ["RTX 3060 12GB", "2x RTX 3090", "3x A100 80GB"])
def test_a_plans_gpu_uses_add_up_to_the_searchs_sums(hardware):
    """_LlamaLayout.uses (what plan_llama writes per GPU, with the GPUs' fit and total from
    the same loop) against usage(), the sums the offload search judges by."""
    cat = load_catalog()
    gpus = tuple(parse_hardware(cat, hardware))
    runtime = RUNTIMES["llama.cpp"]
    rng = random.Random(hardware)
    checked = 0
    for spec, entry in _catalog_specs(40, seed=10):
        inv = inventory_for(spec, entry, rng.choice(["Q4_K_M", "Q8_0"]))
        cells = llama_layout._llama_cells(spec, gpus, runtime, "f16", rng.choice([1, 4]))
        layout = llama_layout._LlamaLayout(cells, inv)
        n = spec.n_layers
        for _ in range(8):
            ngl, experts = rng.randint(0, n + 1), rng.randint(0, n)
            context = rng.choice([512, 8192, 131_072])
            uses, first, fits, total = layout.uses(ngl, experts, context)
            rows = layout.usage(ngl, experts, context)
            assert [(u.total_bytes, u.budget_bytes) for u in uses] == rows
            assert fits == all(u.fits for u in uses) == all(a <= b for a, b in rows)
            assert total == sum(a for a, _ in rows)
            assert first == n - max(0, min(n, ngl - 1))
            assert sum(u.layers for u in uses) == n - first  # the output layer aside
            checked += 1
    assert checked > 200


def test_a_plans_fit_judged_once_is_the_plans_fit_when_the_answer_is_written():
    """The estimate judges plan.fits once and the answer reads that judgement (verdict, notes,
    commands, max_context_where): the plan is not changed in between, so it is still the
    plan's own."""
    from runlocal import engine
    from runlocal import solve as solving
    from runlocal.engine import CheckQuery

    cat = load_catalog()
    rng = random.Random(22)
    models, devices = sorted(cat.models), sorted(cat.hardware)
    checked = 0
    seen = set()
    while checked < 400:
        q = CheckQuery(
            model=rng.choice(models),
            hardware=(f"{rng.choice([1, 1, 2])}x {rng.choice(devices)}",),
            context=rng.choice([None, 4096, 65_536]),
            runtime=rng.choice(["llama.cpp", "llama.cpp", "vllm", "mlx"]),
        )
        try:
            solved = solving.solve(q, cat, False, None)
        except RunlocalError:
            continue
        if isinstance(solved, engine.CheckResult):
            continue  # diffusion and speech models: no plan
        assert solved.fits == solved.plan.fits, q
        seen.add(solved.fits)
        checked += 1
    assert seen == {True, False}


@pytest.mark.parametrize("hardware", ["RTX 4090", "2x RTX 3090", "4x A100 80GB", "H100 SXM"])
def test_vllm_rows_from_its_sums_equal_the_plans_rows(hardware):
    """memory.vllm_usage (what must fit on each GPU and its preallocation, from plan_vllm's
    sums without a plan) against records.usage of each GPU of plan_vllm's plan, for models
    dense and MoE, contexts short and long, one and several sequences."""
    from dataclasses import replace

    cat = load_catalog()
    devices = list(parse_hardware(cat, hardware))
    rng = random.Random(hardware)
    checked = 0
    kept: dict[object, object] = {}
    for spec, entry in _catalog_specs(40, seed=27):
        runtime = RUNTIMES["vllm"]
        if rng.random() < 0.3:
            runtime = replace(runtime, gpu_memory_utilization=rng.choice([0.5, 0.8]))
        for quant in ("BF16", "FP8", "AWQ-4BIT"):
            inv = inventory_for(spec, entry, quant)
            for context in (2048, rng.randrange(256, 262_144, 256), spec.max_context):
                sequences = rng.choice([1, 4])
                plan = mem.plan_vllm(spec, inv, devices, runtime, context, "f16", sequences)
                want = [mem.usage(u) for u in plan.devices]
                got = mem.vllm_usage(spec, inv, devices, runtime, context, "f16", sequences)
                assert got == want, (spec.id, quant, context)
                # The same rows with what does not depend on the weights kept per context.
                usage = kept.setdefault(
                    (spec, runtime, sequences),
                    mem.vllm_usage_of(spec, devices, runtime, "f16", sequences),
                )
                assert usage(inv, context) == want, (spec.id, quant, context)
                checked += 1
    assert checked > 300


@pytest.mark.parametrize("hardware", ["2x RTX 3090", "RTX 4090 + RTX 3060 12GB"])
def test_a_split_kept_per_set_of_gpus_is_each_models_split(hardware):
    """_GpuSet keeps splits by count of units for every model on the GPUs: two models'
    cells on the same GPUs share it, and each split is split_layers' answer."""
    cat = load_catalog()
    gpus = tuple(d for part in hardware.split(" + ") for d in parse_hardware(cat, part))
    runtime = RUNTIMES["llama.cpp"]
    checked = 0
    for spec, _ in _catalog_specs(12, seed=44):
        cells = llama_layout._llama_cells(spec, gpus, runtime, "f16", 1)
        assert cells._split_units.__self__ is llama_layout._gpu_set(gpus)
        for ngl in range(spec.n_layers + 3):
            units = max(0, min(spec.n_layers, ngl - 1)) + (1 if ngl >= 1 else 0)
            counts = mem.split_layers(units, list(gpus)) if units else [0] * len(gpus)
            output_dev = max((k for k, c in enumerate(counts) if c), default=-1)
            if ngl >= 1 and output_dev >= 0:
                counts[output_dev] -= 1
            assert cells.split(ngl) == (counts, output_dev if ngl >= 1 else -1)
            checked += 1
    assert checked > 300


@pytest.mark.parametrize("hardware", ["Ryzen 9 7950X", "Core i9-13900K"])
def test_cpu_only_full_usage_without_a_plan_is_the_plans_row(hardware):
    """Without a GPU, llama_full_offload_usage_of adds the weights to the KV and compute
    buffers kept per context: (total, budget) of _cpu_plan's one row, at any context and
    quantization, asked in any order."""
    cat = load_catalog()
    devices = list(parse_hardware(cat, hardware))
    assert devices[0].kind == "cpu"
    rng = random.Random(45)
    checked = 0
    for spec, entry in _catalog_specs(25, seed=46):
        for runtime in (RUNTIMES["llama.cpp"], RUNTIMES["ollama"]):
            for sequences in (1, 4):
                usage = llama.llama_full_offload_usage_of(spec, devices, runtime, "f16", sequences)
                for _ in range(6):
                    inv = inventory_for(spec, entry, rng.choice(["Q4_K_M", "Q8_0", "Q2_K"]))
                    context = rng.choice([256, 4096, 4096, 32_768, 131_072])
                    plan = llama._cpu_plan(spec, inv, devices, runtime, context, "f16", sequences)
                    want = [(u.total_bytes, u.budget_bytes) for u in plan.devices]
                    assert usage(inv, context) == want
                    checked += 1
    assert checked > 400
