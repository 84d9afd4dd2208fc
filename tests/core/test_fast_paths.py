"""The engine's shortcuts give exactly the answers of the straightforward computation they
replace: the one-GPU placement sums against the general split between devices, attention
FLOPs from prefix sums against a layer-by-layer count."""

from __future__ import annotations

import random

import pytest

from runlocal import memory as mem
from runlocal.catalog import load_catalog
from runlocal.errors import RunlocalError
from runlocal.hardware import Device, parse_hardware
from runlocal.memory import kv, llama, llama_buffers, llama_layout
from runlocal.runtimes import RUNTIMES
from runlocal.sources import catalog_spec, inventory_for


def _catalog_specs(n: int, seed: int):  # type: ignore[no-untyped-def]
    cat = load_catalog()
    rng = random.Random(seed)
    out = []
    for model_id in rng.sample(sorted(cat.models), n):
        entry = cat.models[model_id]
        try:
            spec = catalog_spec(entry)
        except RunlocalError:
            continue  # diffusion and speech entries have no transformer spec
        out.append((spec, entry))
    return out


def test_attention_flops_equal_a_layer_by_layer_count():
    rng = random.Random(3)
    checked = 0
    for spec, _ in _catalog_specs(60, seed=1):
        for runtime in RUNTIMES.values():
            n = spec.n_layers
            for _ in range(6):
                start = rng.randint(0, n)
                stop = rng.randint(start, n)
                depth = rng.choice([0, 1, 511, 4096, 70_000, 262_144])
                for decode in (True, False):
                    got = mem.attention_flops(spec, runtime, depth, start, stop, decode)
                    latent = mem.caches_mla_latent(spec, runtime) and (
                        decode or runtime.engine == "llama.cpp"
                    )
                    want = kv._attention_flops_by_layer(
                        spec, runtime, depth, start, stop, latent, decode
                    )
                    assert got == want, (spec.id, runtime.id, depth, start, stop, decode)
                    checked += 1
    assert checked > 1000


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


def test_the_last_running_context_replays_the_bisection():
    # For runs false from some context on, the interpolated search and the replay give the
    # bisection's own answer, which can stop short of the last context that runs: stepping
    # from 1,000 towards 1,200 it never asks 1,024.
    from runlocal.estimate import _bisect_contexts, _last_running

    def answers(runs_at: int, top: int, limit: int, step: int) -> tuple[int, int]:
        def runs(ctx: int) -> bool:
            return ctx <= limit

        def runs_spare(ctx: int) -> tuple[bool, int | None]:
            # The system RAM left: falls with the context, in steps (a layer moved to it).
            return runs(ctx), (limit - ctx) // step * step if step else None

        last = _last_running(runs_spare, runs_at, runs_spare(runs_at)[1], top, runs_spare(top)[1])
        return _bisect_contexts(runs_at, top, runs), _bisect_contexts(
            runs_at, top, lambda ctx: ctx <= last
        )

    assert answers(1000, 1200, 1100, 1) == (1000, 1000)
    assert answers(1000, 1280, 1100, 1) == (1024, 1024)
    assert answers(4096, 131_072, 40_000, 1) == (39_936, 39_936)
    rng = random.Random(5)
    for _ in range(3000):
        top = rng.choice([2048, 8192, 32_768, 131_072, 1_048_576, rng.randrange(512, 300_000)])
        runs_at = rng.randrange(1, top)
        limit = rng.randrange(runs_at, top)  # runs at runs_at, not at top
        want, got = answers(runs_at, top, limit, rng.choice([0, 1, 256, 3000, 70_000]))
        assert got == want, (runs_at, top, limit)


@pytest.mark.parametrize(
    "hardware", ["RTX 3060 12GB", "GTX 1650", "2x RTX 3060 12GB", "RTX 4070 + RTX 3060 12GB"]
)
def test_the_largest_offloaded_context_is_the_bisections(hardware):
    # llama.cpp's largest context with part of the model in system RAM, found by
    # interpolation and replayed, against the bisection over runs() it replaces.
    from runlocal import estimate

    cat = load_catalog()
    devices = parse_hardware(cat, hardware)
    runtime = RUNTIMES["llama.cpp"]
    rng = random.Random(hardware)
    searched = 0
    for spec, entry in _catalog_specs(80, seed=9):
        for quant in ("Q4_K_M", "Q8_0", "Q3_K_M"):
            inv = inventory_for(spec, entry, quant)
            for host_ram in (16 * 2**30, 64 * 2**30, 256 * 2**30):
                kv_type, sequences = rng.choice([("f16", 1), ("q8_0", 1), ("f16", 4)])
                context = rng.choice([512, 1000, 4096, 8192])
                if context >= spec.max_context:
                    continue
                plan = llama.plan_llama(
                    spec, inv, list(devices), host_ram, runtime, context, kv_type, sequences
                )
                if not plan.fits or plan.full_offload:
                    continue
                runs = llama.llama_runs_of(
                    spec, inv, list(devices), host_ram, runtime, kv_type, sequences
                )
                assert runs is not None
                top = spec.max_context
                want = top if runs(top) else estimate._bisect_contexts(context, top, runs)
                got = estimate._max_context_offloaded(
                    spec, inv, list(devices), host_ram, runtime, kv_type, sequences, context
                )
                assert got == want, (spec.id, quant, host_ram, kv_type, sequences, context)
                searched += want < top
    assert searched > 10  # setups whose largest context is searched for


def test_a_tables_quality_loss_is_the_answers():
    from runlocal.answer import quality_loss, quality_parts
    from runlocal.sources import resolve_model

    cat = load_catalog()
    for model_id in sorted(cat.models)[::3]:
        try:
            model = resolve_model(model_id, cat, False, None)
        except RunlocalError:
            continue
        for quant in ("Q4_K_M", "Q8_0", "F16", "IQ2_XS", "MXFP4", "BF16", "AWQ-4BIT"):
            assert quality_loss(model, quant, cat) == quality_parts(model, quant, cat)[:2]


def test_layers_with_experts_count_as_the_layers_themselves_say():
    rng = random.Random(5)
    for spec, _ in _catalog_specs(60, seed=4):
        n = spec.n_layers
        for _ in range(10):
            start = rng.randint(0, n)
            stop = rng.randint(start, n)
            want = sum(1 for layer in spec.layers[start:stop] if layer.moe)
            assert mem.layers_with_experts(spec, start, stop) == want, (spec.id, start, stop)


def test_a_catalog_id_reads_as_the_resolvers_read_it():
    from runlocal.resolve.hardware import resolve_hardware_name
    from runlocal.resolve.ids import read_hardware, read_model
    from runlocal.resolve.models import resolve_model_name

    cat = load_catalog()
    for hardware_id in cat.hardware:
        assert read_hardware(cat, hardware_id) == resolve_hardware_name(cat, hardware_id)
    for model_id in cat.models:
        assert read_model(cat, model_id) == resolve_model_name(cat, model_id)
    # Anything else goes to the resolvers themselves.
    assert read_hardware(cat, "2x RTX 3090") == resolve_hardware_name(cat, "2x RTX 3090")
    assert read_model(cat, "llama3.1:8b") == resolve_model_name(cat, "llama3.1:8b")


def test_non_ascii_escapes_equal_the_standard_encoder():
    """batch's escape of orjson's UTF-8 (C's ASCII decoder, each run of non-ASCII bytes escaped
    by its handler and kept) against json.dumps, on characters from every range the standard
    encoder treats differently (below U+0100, the rest of the BMP, above U+FFFF), DEL and
    backslashes; twice, so that runs kept from the first round are asked again."""
    import json

    from runlocal.batch import _RUN_ESCAPES, _ascii_json

    rng = random.Random(5)
    alphabet = ["a", "x", "U", "\\", '"', "\x7f", "é", "µ", "→", "−", "–", "€", "\ufffd", "😀"]
    alphabet += ["\u0100", "\u00ff", "\U0010ffff", "\x80"]
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(3000)]
    _RUN_ESCAPES.clear()
    for _ in range(2):
        for text in texts:
            raw = json.dumps(text, ensure_ascii=False).encode()  # what orjson writes: UTF-8
            assert _ascii_json(raw) == json.dumps(text), repr(text)
    assert _RUN_ESCAPES


def test_the_one_step_constructors_build_what_the_dataclass_builds():
    """builder()'s objects equal the generated __init__'s: same fields, in the same order, the
    same defaults, frozen as before; unknown and missing keywords raise as the constructor does."""
    import dataclasses
    import importlib

    from runlocal import engine
    from runlocal import solve as solving
    from runlocal.frozen import builder

    feat = importlib.import_module("runlocal.speed.features")  # the package exports features()

    cat = load_catalog()
    rng = random.Random(14)
    seen = 0
    for model_id in rng.sample(sorted(cat.models), 40):
        for hw, runtime in (("2x nvidia-rtx-4090", "llama.cpp"), ("apple-m2-max-38c", "mlx")):
            q = engine.CheckQuery(model=model_id, hardware=(hw,), runtime=runtime)
            try:
                s = solving.solve(q, cat, False, None)
            except RunlocalError:
                continue
            if not isinstance(s, solving.Solved):
                continue
            f = feat.features(
                s.model.spec, s.inv, s.plan, s.depth, 80e9, None, s.runtime, s.kv_type, 1
            )
            for obj, cls in [(f, feat.SpeedFeatures), *((ld, feat.DeviceLoad) for ld in f.loads)]:
                kwargs = {k.name: getattr(obj, k.name) for k in dataclasses.fields(cls)}
                slow = cls(**kwargs)
                assert obj == slow and hash(obj) == hash(slow) and repr(obj) == repr(slow)
                assert list(vars(obj)) == list(vars(slow))
                with pytest.raises(dataclasses.FrozenInstanceError):
                    obj.quant = "x"  # type: ignore[misc]
                seen += 1
    assert seen > 60
    build = builder(feat.DeviceLoad)
    load = {k.name: getattr(f.loads[0], k.name) for k in dataclasses.fields(feat.DeviceLoad)}
    required = {k: v for k, v in load.items() if k in {"backend", "layers", "kv_bytes"}}
    with pytest.raises(TypeError):
        build(**required)
    with pytest.raises(TypeError):
        build(**load, colour="red")
    partial = {k: v for k, v in load.items() if k not in ("dp4a", "moe_layers", "gpu_arch")}
    assert build(**partial) == feat.DeviceLoad(**partial)
    with pytest.raises(TypeError):  # a default factory: not for builder()
        builder(engine.LocalMachine)


def test_a_query_read_from_json_is_the_constructors():
    """CheckQuery.from_mapping builds its query in one step (frozen.builder): the same
    object, hash and field order as CheckQuery(...), and the same errors."""
    import dataclasses

    from runlocal.engine import CheckQuery
    from runlocal.errors import InputError

    rows = [
        {"model": "m"},
        {"model": "m", "hardware": "a", "context": "32k", "ram_gb": 64},
        {"model": "m", "hardware": ["2x a"], "quant": "Q4_K_M", "batch": 4, "no_measured": True},
        {
            "model": "m",
            "runtime": "vllm",
            "gpu_memory_utilization": 0.8,
            "vram_gb": 24,
            "bandwidth_gb_s": 900,
            "tflops": 80,
            "gpu_memory_gb": 20,
            "kv_type": "q8_0",
            "context": None,
        },
    ]
    for row in rows:
        q = CheckQuery.from_mapping(row)
        slow = CheckQuery(**{f.name: getattr(q, f.name) for f in dataclasses.fields(q)})
        assert q == slow and hash(q) == hash(slow) and repr(q) == repr(slow)
        assert list(vars(q))[: len(vars(slow))] == list(vars(slow))
        with pytest.raises(dataclasses.FrozenInstanceError):
            q.model = "x"  # type: ignore[misc]
    with pytest.raises(InputError, match=r"unknown key\(s\): b, colour$"):
        CheckQuery.from_mapping({"model": "m", "colour": 1, "b": 2})
    with pytest.raises(InputError, match="model: missing"):
        CheckQuery.from_mapping({"hardware": ["a"]})


def test_an_inventorys_running_sums_are_its_layers_added_in_turn():
    """WeightInventory.layer_sums and expert_sums (kept on the inventory, where a cache keyed
    by the tuple of layer sizes was) equal the sums of every run of blocks."""
    for spec, entry in _catalog_specs(30, seed=14):
        for quant in ("Q4_K_M", "Q8_0", "BF16"):
            inv = inventory_for(spec, entry, quant)
            for sums, values in (
                (inv.layer_sums, inv.layer_bytes),
                (inv.expert_sums, inv.layer_expert_bytes),
            ):
                assert len(sums) == len(values) + 1
                for start in range(len(values) + 1):
                    for stop in range(start, len(values) + 1, 7):
                        assert sums[stop] - sums[start] == sum(values[start:stop])
            assert inv.total_bytes == (
                inv.input_bytes + inv.output_bytes + sum(inv.layer_bytes) + inv.other_bytes
            )
            assert inv.expert_bytes == sum(inv.layer_expert_bytes)


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


def _offload_searches_agree(
    gpus: tuple[Device, ...], seed_text: str, search: str, seed: int, quants: tuple[str, ...]
) -> set[str]:
    """Asserts a fast offload search (``search``, a _LlamaLayout method) answers as
    _search_split for 80 catalog models at each quantization and four contexts (the largest
    leaves no room for the output layer's buffers), and so does _search (its first probe from
    the cells' full-offload rows, then ``search``); returns the outcomes seen."""
    runtime = RUNTIMES["llama.cpp"]
    rng = random.Random(seed_text)
    outcomes = set()
    for spec, entry in _catalog_specs(80, seed=seed):
        for quant in quants:
            inv = inventory_for(spec, entry, quant)
            kv_type, sequences = rng.choice([("f16", 1), ("q8_0", 1), ("f16", 4)])
            layout = llama_layout._LlamaLayout(
                llama_layout._llama_cells(spec, gpus, runtime, kv_type, sequences), inv
            )
            for context in (512, 8192, rng.randrange(256, 262_144, 256), 4_000_000):
                got = getattr(layout, search)(context)
                assert got == layout._search_split(context), (spec.id, quant, context)
                assert layout._search(context) == got, (spec.id, quant, context)
                ngl, experts, _ = got
                ends = {0: "none", spec.n_layers + 1: "all"}
                outcomes.add("experts" if experts else ends.get(ngl, "layers"))
    return outcomes


@pytest.mark.parametrize("hardware", ["1.5", "GTX 1650", "RTX 3060 12GB", "RTX 4090", "M3 Max"])
def test_one_gpus_offload_search_from_sums_equals_the_general_search(hardware):
    """_LlamaLayout._search_one (one GPU, its probes written out as sums) against
    _search_split, the search over any number of GPUs it stands in for: the same -ngl,
    --n-cpu-moe and note for dense and MoE models that fit, offload layers or experts, or do
    not fit at all."""
    from runlocal.hardware import explicit_device

    cat = load_catalog()
    if hardware[0].isdigit():  # a GPU of that many GiB, too small for some output layers
        gpus: tuple[Device, ...] = (explicit_device(float(hardware), 100.0),)
    else:
        gpus = tuple(parse_hardware(cat, hardware))
    outcomes = _offload_searches_agree(
        gpus, hardware, "_search_one", seed=9, quants=("Q2_K", "Q4_K_M", "Q8_0")
    )
    assert outcomes >= {"experts", "all", "layers"}
    if hardware[0].isdigit():
        assert "none" in outcomes


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


def test_speed_records_from_templates_are_the_one_step_constructors():
    """features() copies a per-device and a per-runtime template and sets the plan's share;
    each record equals what _new_load(**device_traits(device), ...) and
    _new_features(**runtime_traits(runtime), ...) build from the same values, field order
    included, and the RDNA flag is rdna_generation of the loads."""
    import importlib
    from dataclasses import fields

    from runlocal.estimate import _host_bandwidth, _host_fp32_flops, _plan

    sf = importlib.import_module("runlocal.speed.features")  # the package exports features()

    cat = load_catalog()
    rng = random.Random(21)
    hardware = ["RTX 4090", "2x RTX 3090", "RX 7900 XTX", "M3 Max", "GTX 1650", "A100 80GB"]
    checked = rdna = 0
    for spec, entry in _catalog_specs(30, seed=12):
        for name in hardware:
            devices = list(parse_hardware(cat, name))
            runtime = RUNTIMES["llama.cpp" if rng.random() < 0.7 else "ollama"]
            inv = inventory_for(spec, entry, rng.choice(["Q4_K_M", "Q8_0"]))
            context = rng.choice([4096, 32_768])
            ram = rng.choice([None, 64 * 2**30])
            plan = _plan(spec, inv, devices, ram, runtime, context, "f16", 1)
            f = sf.features(
                spec,
                inv,
                plan,
                context // 2,
                _host_bandwidth(devices, ram),
                _host_fp32_flops(devices),
                runtime,
            )
            for load, use in zip(f.loads, plan.devices, strict=True):
                traits = sf.device_traits(use.device)
                rest = {k: v for k, v in vars(load).items() if k not in traits}
                assert load == sf._new_load(**traits, **rest)
                assert list(vars(load)) == [x.name for x in fields(sf.DeviceLoad)]
                flag = sf._load_template(use.device)[1]
                assert flag == (sf.rdna_generation(load) is not None)
                rdna += flag
            traits = sf.runtime_traits(runtime)
            rest = {k: v for k, v in vars(f).items() if k not in traits}
            assert f == sf._new_features(**traits, **rest)
            assert list(vars(f)) == [x.name for x in fields(sf.SpeedFeatures)]
            checked += 1
    assert checked > 100
    assert rdna > 0


@pytest.mark.parametrize("hardware", ["RTX 3060 12GB", "RTX 4090", "2x RTX 3090", "M3 Max"])
def test_context_and_quant_probes_from_the_cells_equal_the_rows(hardware):
    """The largest context's and the best quantization's probes from llama.cpp's per-GPU
    cells (estimate._context_probes, _comfortable_of) against full_usage's rows and
    _fits_rows, probe by probe and in the searches' answers."""
    from runlocal import estimate

    cat = load_catalog()
    devices = list(parse_hardware(cat, hardware))
    runtime = RUNTIMES["llama.cpp"]
    rng = random.Random(hardware)
    checked = comfortable_seen = 0
    for spec, entry in _catalog_specs(40, seed=13):
        kv_type, batch = rng.choice([("f16", 1), ("q8_0", 1), ("f16", 4)])
        full_usage = estimate._full_usage_of(spec, devices, None, runtime, kv_type, batch)
        cells = mem.llama_cells_of(spec, devices, runtime, kv_type, batch)
        assert cells is not None
        for quant in ("Q2_K", "Q4_K_M", "Q8_0"):
            inv = inventory_for(spec, entry, quant)
            rows, fits = estimate._context_probes(full_usage, inv, cells)
            for ctx in (256, 4096, rng.randrange(256, 262_144, 256), spec.max_context):
                want = full_usage(inv, ctx)
                assert rows(ctx) == want
                assert fits(ctx) == all(u <= b for u, b in want)
            for known in (None, (4096, True), (spec.max_context, False)):
                args = (spec, inv, devices, None, runtime, kv_type, batch, known, full_usage)
                assert estimate._max_context(*args, cells) == estimate._max_context(*args)
            checked += 1
        for context in (4096, 32_768):
            comfortable = estimate._comfortable_of(full_usage, context, cells)
            plain = estimate._comfortable_of(full_usage, context, None)
            for quant in estimate.GGUF_LADDER:
                inv = inventory_for(spec, entry, quant)
                fits, tight = estimate._fits_rows(full_usage(inv, context))
                assert comfortable(inv) == plain(inv) == (fits and not tight)
                comfortable_seen += comfortable(inv)
            args = (spec, entry, devices, None, runtime, context, kv_type, batch, None)
            assert estimate._best_quant(*args, comfortable) == estimate._best_quant(*args)
    assert checked > 100
    assert comfortable_seen > 20


@pytest.mark.parametrize(
    "hardware", ["2x GTX 1650", "2x RTX 3060 12GB", "4x RTX 3090", "3x A100 80GB"]
)
def test_several_gpus_offload_search_in_one_call_per_probe_equals_the_general_search(hardware):
    """_LlamaLayout._search_many (several GPUs, each probe's sums in one call) against
    _search_split for dense and MoE models that fit, offload layers or experts, or not."""
    cat = load_catalog()
    gpus = tuple(parse_hardware(cat, hardware))
    outcomes = _offload_searches_agree(
        gpus, hardware, "_search_many", seed=15, quants=("Q2_K", "Q4_K_M", "Q8_0", "F16")
    )
    assert outcomes >= {"experts", "all", "layers"}


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


@pytest.mark.parametrize("hardware", ["RTX 3060 12GB", "2x RTX 3090", "M3 Max"])
def test_the_best_quant_with_llama_cpps_gpus_does_not_depend_on_system_ram(hardware):
    """plan_answers keeps the best quantization under llama.cpp's per-GPU cells, the entry
    and the context, without the system RAM: the search's answer is the same for any RAM."""
    from runlocal import estimate

    cat = load_catalog()
    devices = list(parse_hardware(cat, hardware))
    runtime = RUNTIMES["llama.cpp"]
    found = set()
    for spec, entry in _catalog_specs(40, seed=23):
        for context in (4096, 65_536):
            answers = {
                estimate._best_quant(spec, entry, devices, ram, runtime, context, "f16", 1)
                for ram in (None, 8 * 2**30, 256 * 2**30)
            }
            assert len(answers) == 1, (spec.id, context)
            found |= answers
    assert len(found) > 2


def test_cells_at_a_context_equal_the_cell_counts_and_compute_buffers():
    """_ModelCells._cells_at (llama.cpp's cell counts and compute buffers with the model's
    constants bound once) against kv_cell_counts and _llama_compute_pair, and
    llama_compute_bytes (its parts now apart) against the formula it was."""
    from runlocal.units import MIB

    def compute_bytes(spec, n_kv, on_output, flash_attn):  # type: ignore[no-untyped-def]
        ub = min(mem.LLAMA_UBATCH, max(n_kv, 1))
        if flash_attn:
            attn = n_kv * ub * 2 + 4 * spec.n_heads * ub * 128 * 4
        else:
            attn = n_kv * ub * spec.n_heads * 4
        inter = spec.intermediate_size or 4 * spec.hidden_size
        ffn = inter * ub * 4 * 2
        if spec.is_moe:
            ffn += spec.n_experts * ub * 4 + spec.hidden_size * spec.n_experts_used * ub * 4
        logits = spec.vocab_size * ub * 4 if on_output else 0
        return max(attn, ffn, logits) + 8 * MIB

    rng = random.Random(24)
    checked = windowed = 0
    for spec, _ in _catalog_specs(80, seed=25):
        runtime = RUNTIMES[rng.choice(["llama.cpp", "ollama", "vllm"])]
        sequences = rng.choice([1, 2, 4, 16])
        cells = llama_buffers._ModelCells(spec, runtime, "f16", sequences)
        window = spec.sliding_window or 0
        contexts = [1, 100, 255, 256, 257, 511, 512, 4096, 131_072, 1_000_000]
        contexts += [max(1, window + d) for d in (-1, 0, 1, 511, 512, 513, 1024)]
        contexts += [rng.randint(1, 300_000) for _ in range(5)]
        for context in contexts:
            n_kv = mem.pad(context * sequences, mem.LLAMA_KV_PAD)
            want = (
                *mem.kv_cell_counts(spec, context, runtime),
                *llama_buffers._llama_compute_pair(spec, n_kv),
            )
            assert cells._cells_at(context) == want, (spec.id, runtime.id, context)
            for on_output in (True, False):
                for flash_attn in (True, False):
                    got = mem.llama_compute_bytes(spec, n_kv, on_output, flash_attn)
                    assert got == compute_bytes(spec, n_kv, on_output, flash_attn)
            checked += 1
            windowed += bool(window) and context > window + 512
    assert checked > 1000
    assert windowed > 20


def test_quality_and_model_record_from_kept_parts_are_what_they_were_built_from():
    """quality_answer's task dicts and model_record's parameter counts kept per entry (and
    per quantization), against the same written out from the catalog entry each time; every
    answer gets its own dicts."""
    from runlocal.answer import _quality_parts, model_record, quality_answer
    from runlocal.quality import effective_params_b
    from runlocal.sources import resolve_model

    cat = load_catalog()
    checked = 0
    for model_id in sorted(cat.models)[::2]:
        try:
            model = resolve_model(model_id, cat, False, None)
        except RunlocalError:
            continue
        entry, spec = model.entry, model.spec
        assert entry is not None
        size_b = effective_params_b(entry)
        if size_b is None and spec.params_total:
            size_b = spec.params_total / 1e9
        total, active = spec.params_total, spec.params_active
        if entry.get("params_total_b"):
            total = round(float(entry.get("params_total_b")) * 1e9)
            active = round(float(entry.get("params_active_b") or entry.get("params_total_b")) * 1e9)
        for quant in ("Q4_K_M", "Q8_0", "F16", "IQ2_XS", "BF16"):
            bucket, basis, tasks = _quality_parts(cat, entry, quant, size_b)
            want = {
                "quant_loss": bucket,
                "quant_loss_basis": basis,
                "tasks": None if tasks is None else {t: dict(s) if s else None for t, s in tasks},
            }
            first, second = quality_answer(model, quant, cat), quality_answer(model, quant, cat)
            assert first == want == second, (model_id, quant)
            for task, scores in (first["tasks"] or {}).items():
                if scores is not None:
                    assert scores is not second["tasks"][task]
                    scores["score"] = None  # a caller's change stays in its answer
            assert quality_answer(model, quant, cat) == want
            inv = inventory_for(spec, entry, quant)
            record = model_record(model, inv)
            assert (record["params_total"], record["params_active"]) == (total, active)
            checked += 1
    assert checked > 300


def test_a_hash_kept_once_is_the_dataclass_hash():
    """hash_once's hash (a C callable kept on the instance, read through a property) against
    the hash dataclasses generate (the tuple of the compared fields), for devices, runtimes,
    inventories and queries, fresh, pickled, copied and replaced; and inventories and devices
    keep their worked-out attributes through replace()."""
    import copy
    import dataclasses
    import pickle

    from runlocal.engine import CheckQuery

    def dataclass_hash(obj):  # type: ignore[no-untyped-def]
        return hash(tuple(getattr(obj, f.name) for f in dataclasses.fields(obj) if f.compare))

    cat = load_catalog()
    spec, _ = next(iter(_catalog_specs(1, seed=3)))
    inv = inventory_for(spec, None, "Q4_K_M")
    objects = [
        *parse_hardware(cat, "2x RTX 4090"),
        *parse_hardware(cat, "M3 Max"),
        *RUNTIMES.values(),
        inv,
        CheckQuery.from_mapping({"model": "llama-3.1-8b", "hardware": ["RTX 4090"], "context": 8}),
        CheckQuery("llama-3.1-8b", ("RTX 4090",), context=8),
    ]
    for obj in objects:
        want = dataclass_hash(obj)
        assert hash(obj) == want == hash(obj) == obj.__hash__()
        for other in (pickle.loads(pickle.dumps(obj)), copy.copy(obj), copy.deepcopy(obj)):
            assert other == obj
            assert hash(other) == want
        first = dataclasses.fields(obj)[0].name
        changed = dataclasses.replace(obj, **{first: getattr(obj, first)})
        assert hash(changed) == want
    assert objects[-2] == objects[-1] and {objects[-2]: 1}[objects[-1]] == 1
    device = parse_hardware(cat, "RTX 4090")[0]
    smaller = dataclasses.replace(device, usable_memory_bytes=device.memory_bytes // 2)
    assert smaller.budget_bytes == device.memory_bytes // 2 != device.budget_bytes
    halved = dataclasses.replace(inv, layer_bytes=tuple(b // 2 for b in inv.layer_bytes))
    assert halved.layer_sums[-1] == sum(halved.layer_bytes) != inv.layer_sums[-1]
    assert halved.total_bytes == (
        halved.input_bytes + halved.output_bytes + sum(halved.layer_bytes) + halved.other_bytes
    )


def test_quality_and_component_lookups_kept_are_the_computations():
    """A model's quality per task (kept per model and task), whether a quantization is its
    native format (kept per entry and quantization) and whether a name is a component model
    (kept per name and catalog) against the same worked out afresh."""
    from runlocal import solve as solving
    from runlocal.answer import _quality_parts
    from runlocal.quality import TASKS, quality_model
    from runlocal.quant_loss import is_native

    cat = load_catalog()
    qm = quality_model(cat)
    names = [*sorted(cat.models), "Llama 3.1 8B", "no such model", "flux.1 dev"]
    for name in names:
        assert solving.component_entry(name, cat) is solving.component_entry.__wrapped__(name, cat)
    for entry in cat.models.values():
        for task in TASKS:
            assert qm.model_quality(entry, task) == qm._model_quality(entry, task)
            assert qm.model_quality(entry, task) is qm.model_quality(entry, task)
        for quant in ("Q4_K_M", "BF16", "MXFP4", "FP8", "AWQ-4BIT", "NVFP4", "nonsense"):
            assert is_native(entry, quant) == is_native.__wrapped__(entry, quant)
            # An answer's quality per task asks the quantization's loss once for every task.
            _, _, tasks = _quality_parts.__wrapped__(cat, entry, quant, None)
            for task, parts in tasks:
                merit = qm.merit(entry, task, quant)
                want = None if merit is None else (round(merit.value, 1), merit.basis)
                assert (None if parts is None else (parts[0][1], parts[3][1])) == want


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


def _layer_types_asked_per_role(quant: str, n: int, moe: bool) -> tuple[tuple[str, ...], ...]:
    """weights._layer_types as it was: every rule asked for every role of every layer."""
    from runlocal.weights import _ROLES, GGUF_SCHEMES

    rule = GGUF_SCHEMES[quant]
    return tuple(tuple(rule(role, i, n, moe) for role in _ROLES) for i in range(n))


def test_layer_types_by_layer_class_equal_every_role_asked():
    """A rule's layer class (weights._LAYER_CLASS) captures everything its types depend on
    in a layer: the mix's types per layer, asked once per class, are those asked per role and
    layer, for every scheme, and equal types are one tuple."""
    from runlocal import weights

    counts = [*range(0, 50), 61, 62, 64, 78, 80, 88, 94, 126]
    for quant in weights.GGUF_SCHEMES:
        for moe in (False, True):
            for n in counts:
                weights._layer_types.cache_clear()
                got = weights._layer_types(quant, n, moe)
                assert got == _layer_types_asked_per_role(quant, n, moe), (quant, n, moe)
                assert len({id(t) for t in got}) == len(set(got)), (quant, n, moe)
    weights._layer_types.cache_clear()


def test_inventories_and_kv_profiles_sized_per_distinct_layer_equal_a_layer_by_layer_sum():
    """_gguf_inventory, _dense_inventory and kv_profile size each distinct layer once and build
    their per-layer tuples by C loops: the same tuples as sizing and adding layer by layer."""
    import math

    from runlocal import weights

    quants = ["Q4_K_M", "Q3_K_M", "Q2_K", "Q8_0", "UD-Q4_K_XL", "IQ4_XS", "BF16", "FP8", "AWQ"]
    checked = 0
    for spec, _ in _catalog_specs(50, seed=7):
        for quant in quants:
            try:
                inv = weights.estimate_inventory(spec, quant)
            except (RunlocalError, KeyError):
                continue
            if quant in weights.GGUF_SCHEMES:
                types = weights._layer_types(quant, spec.n_layers, spec.is_moe)
                want = [
                    weights._gguf_layer_bytes(spec, layer, t)
                    for layer, t in zip(spec.layers, types, strict=True)
                ]
                assert inv.layer_bytes == tuple(w[0] for w in want), (spec.id, quant)
                assert inv.layer_expert_bytes == tuple(w[1] for w in want), (spec.id, quant)
            else:  # _dense_inventory's sums, layer by layer
                scheme = weights.DENSE_SCHEMES[quant]
                mlp = scheme.mlp_bits or scheme.linear_bits
                ffn = scheme.linear_bits if spec.is_moe else mlp

                def nbytes(params: int, bits) -> int:  # type: ignore[no-untyped-def]
                    return params * bits.numerator // (8 * bits.denominator)

                want_experts = [nbytes(layer.params_experts, mlp) for layer in spec.layers]
                want_totals = [
                    nbytes(layer.params_attn_v + layer.params_attn, scheme.linear_bits)
                    + nbytes(layer.params_ffn_down + layer.params_ffn, ffn)
                    + e
                    + nbytes(layer.params_other, weights._f(16))
                    for layer, e in zip(spec.layers, want_experts, strict=True)
                ]
                assert inv.layer_bytes == tuple(want_totals), (spec.id, quant)
                assert inv.layer_expert_bytes == tuple(want_experts), (spec.id, quant)
            checked += 1
        for runtime in RUNTIMES.values():
            for kv_type in ("f16", "q8_0"):
                profile = kv.kv_profile(spec, runtime, kv_type)
                full, swa, state = [0], [0], [0]
                for layer in spec.layers:
                    row = kv.kv_layer_bytes_per_cell(layer, spec, runtime, kv_type)
                    if not layer.compress_ratio:
                        row += kv.index_row_bytes(layer, kv_type)
                    per_cell = math.ceil(row * 32)
                    stream = kv.compressed_bytes_per_token(layer, spec, runtime, kv_type)
                    compressed = math.ceil(stream * 32)
                    windowed = layer.kind == "swa" and kv.windows_swa(spec, runtime)
                    full.append(full[-1] + (0 if windowed else per_cell) + compressed)
                    swa.append(swa[-1] + (per_cell if windowed else 0))
                    state.append(state[-1] + layer.recurrent_state_elements * 4)
                assert profile == kv.KVProfile(tuple(full), tuple(swa), tuple(state)), spec.id
    assert checked > 100


def test_layers_built_in_one_step_and_merged_by_field_tuples_are_the_dataclass_ones():
    """hfconfig builds each LayerSpec with builder() and ModelSpec merges equal layers by the
    tuple of their compared fields: the same objects as LayerSpec(**fields), and the same
    merging as the dataclass's own equality (the first of equal layers kept)."""
    import dataclasses

    from runlocal.spec import LayerSpec

    checked = 0
    for spec, _ in _catalog_specs(60, seed=11):
        distinct: dict[LayerSpec, LayerSpec] = {}
        want = tuple(distinct.setdefault(layer, layer) for layer in spec.layers)
        assert all(a is b for a, b in zip(spec.layers, want, strict=True)), spec.id
        rebuilt = dataclasses.replace(spec, layers=spec.layers)  # merged again: a fixed point
        assert all(a is b for a, b in zip(rebuilt.layers, spec.layers, strict=True)), spec.id
        for layer in set(spec.layers):
            kwargs = {f.name: getattr(layer, f.name) for f in dataclasses.fields(LayerSpec)}
            slow = LayerSpec(**kwargs)
            assert layer == slow and hash(layer) == hash(slow) and repr(layer) == repr(slow)
            assert list(vars(layer)) == list(vars(slow))
            with pytest.raises(dataclasses.FrozenInstanceError):
                layer.kind = "full"  # type: ignore[misc]
        # Equal but distinct objects given: merged into the first of them.
        copies = tuple(LayerSpec(**dataclasses.asdict(layer)) for layer in spec.layers)
        merged = dataclasses.replace(spec, layers=copies).layers
        firsts: dict[LayerSpec, LayerSpec] = {}
        assert all(a is firsts.setdefault(c, c) for a, c in zip(merged, copies, strict=True)), (
            spec.id
        )
        checked += 1
    assert checked > 40


def test_attention_widths_and_wide_head_runs_judged_per_distinct_layer_equal_a_layer_scan():
    """kv._attention_widths and kv._wide_head_runs judge each distinct layer object once: the
    same prefix sums and runs as judging every layer in turn."""

    def widths_by_layer(spec, swa_windowed, latent):  # type: ignore[no-untyped-def]
        if any(layer.compress_ratio or layer.index_head_dim for layer in spec.layers):
            return None, None
        full, swa = [0], [0]
        for layer in spec.layers:
            width, windowed = 0, False
            if layer.kind not in ("recurrent", "none") and layer.n_kv_heads:
                if latent and spec.mla is not None:
                    width = spec.mla.latent_elements + spec.mla.kv_lora_rank
                else:
                    width = layer.head_dim_k + layer.head_dim_v
                windowed = layer.kind == "swa" and swa_windowed
            full.append(full[-1] + (0 if windowed else width))
            swa.append(swa[-1] + (width if windowed else 0))
        return full, swa

    def runs_by_layer(spec, latent, max_width, min_gqa):  # type: ignore[no-untyped-def]
        runs: list[tuple[int, int]] = []
        for i, layer in enumerate(spec.layers):
            if layer.kind in ("recurrent", "none") or not layer.n_kv_heads:
                continue
            here = latent and spec.mla is not None
            width = spec.mla.latent_elements if here and spec.mla else layer.head_dim_k
            kv_heads = 1 if here else layer.n_kv_heads
            if width <= max_width and spec.n_heads >= min_gqa * kv_heads:
                continue
            if runs and runs[-1][1] == i:
                runs[-1] = (runs[-1][0], i + 1)
            else:
                runs.append((i, i + 1))
        return tuple(runs)

    wide = 0
    for spec, _ in _catalog_specs(120, seed=5):
        for flag in (False, True):
            for latent in (False, True):
                got = kv._attention_widths(spec, flag, latent)
                assert got == widths_by_layer(spec, flag, latent), spec.id
            for max_width, min_gqa in ((kv.VECTOR_KERNEL_MAX_HEAD_DIM, 1), (128, 2), (64, 1)):
                got_runs = kv._wide_head_runs(spec, flag, max_width, min_gqa)
                assert got_runs == runs_by_layer(spec, flag, max_width, min_gqa), spec.id
                wide += bool(got_runs)
    assert wide > 20


def test_speed_fields_kept_per_model_and_weights_are_the_specs_own():
    """features() starts from a template kept per runtime, model and weights
    (_model_features_template): its model fields are what the spec and the inventory give
    (gqa_groups from every layer's KV heads, the quant family, the experts' share), in
    SpeedFeatures' field order."""
    import importlib
    from dataclasses import fields

    from runlocal.speed.params import quant_family

    sf = importlib.import_module("runlocal.speed.features")
    checked = 0
    for spec, entry in _catalog_specs(40, seed=41):
        kv_heads = max((layer.n_kv_heads for layer in spec.layers), default=0)
        groups = max(spec.n_heads // kv_heads, 1) if kv_heads else 1
        share = spec.n_experts_used / spec.n_experts if spec.n_experts > 1 else 1.0
        for quant in ("Q4_K_M", "Q8_0"):
            inv = inventory_for(spec, entry, quant)
            for runtime in (RUNTIMES["llama.cpp"], RUNTIMES["vllm"], None):
                got = sf._model_features_template(runtime, spec, inv)
                assert list(got) == [x.name for x in fields(sf.SpeedFeatures)]
                assert got["gqa_groups"] == groups
                assert got["quant_family"] == quant_family(inv.quant)
                assert got["quant"] == inv.quant.upper()
                assert got["n_layers"] == len(spec.layers)
                assert got["expert_share"] == share
                assert got["active_params"] == float(spec.params_matmul_active)
                assert got["active_expert_params"] == float(spec.routed_expert_params * share)
                assert got["n_experts"] == (spec.n_experts if spec.n_experts > 1 else 0)
                rows = sf.expert_matrix_rows(spec) if spec.n_experts > 1 else (0, 0)
                assert got["expert_rows"] == rows
                assert got["mla"] == (spec.mla is not None)
                base = sf._features_template(runtime)
                for key in sf.runtime_traits(runtime):
                    assert got[key] == base[key]
                checked += 1
    assert checked > 150


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


def test_devices_kept_per_hardware_and_runtime_are_the_resolved_ones():
    """_head keeps the devices as a runtime sees them per hardware fields, runtime and
    catalog: the kept tuple is what resolving them gives, for any model; hardware a runtime
    cannot use is refused every time, after an unknown model's own error."""
    from runlocal import engine
    from runlocal import solve as solving
    from runlocal.check_inputs import resolve_hardware
    from runlocal.engine import CheckQuery
    from runlocal.errors import InputError
    from runlocal.hardware import tensor_rate_for

    cat = load_catalog()
    engine.clear_caches()
    for hardware, runtime in [
        (("RTX 4090",), "llama.cpp"),
        (("2x RTX 3090",), "vllm"),
        (("RTX 4090", "RTX 3060 12GB"), "transformers"),
        (("M3 Max",), "mlx"),
    ]:
        fp32 = runtime in ("vllm", "transformers")
        for model in ("llama-3.1-8b-instruct", "qwen2.5-32b-instruct"):
            q = CheckQuery(model=model, hardware=hardware, runtime=runtime, gpu_memory_gb=10.0)
            head = solving.resolve_head(q, cat, False, None)
            assert not isinstance(head, engine.CheckResult)
            want = tuple(tensor_rate_for(d, fp32) for d in resolve_hardware(q, cat))
            assert head.devices == want
            assert head.calibrated == []
    for _ in range(2):
        with pytest.raises(InputError, match="vLLM needs"):
            solving.resolve_head(
                CheckQuery("llama-3.1-8b-instruct", ("M3 Max",), runtime="vllm"), cat, False, None
            )
        with pytest.raises(RunlocalError) as err:
            solving.resolve_head(
                CheckQuery("no-such-model-zz9", ("M3 Max",), runtime="vllm"), cat, False, None
            )
        assert "vLLM" not in str(err.value)


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


def test_a_catalog_model_kept_per_name_is_resolved_afresh_each_time():
    """_catalog_model keeps what a name reads as per name and catalog: each call gives the
    record resolving it gives, with a notes list of its own."""
    from runlocal import sources
    from runlocal.resolve.ids import read_model

    cat = load_catalog()
    sources._CATALOG_MODELS.clear()
    for text in ("llama-3.1-8b-instruct", "llama 3.1 8b", "qwen2.5-32b-instruct", "gpt-oss-20b"):
        first, second = sources._catalog_model(text, cat), sources._catalog_model(text, cat)
        name = read_model(cat, text)
        for got in (first, second):
            assert got.entry is name.entry
            assert got.spec is sources.catalog_spec(name.entry)
            assert (got.source, got.path, got.notes) == ("catalog", None, [])
            assert (got.quant, got.default_quant) == (name.quant, name.default_quant)
        assert first.notes is not second.notes


def test_an_answers_device_records_kept_per_device_are_its_fields():
    """The answer's "hardware" entries and the basis' devices come from dicts kept per device
    and copied: the same keys, order and values as written from the device, and each answer's
    own dicts."""
    from runlocal import answer
    from runlocal.engine import CheckQuery, check

    cat = load_catalog()
    q = CheckQuery(model="llama-3.1-8b-instruct", hardware=("RTX 4090", "RTX 3090"))
    first, second = check(q, cat).data, check(q, cat).data
    devices = [d for h in q.hardware for d in parse_hardware(cat, h)]
    want = [
        {
            "id": d.id,
            "name": d.name,
            "memory_bytes": d.memory_bytes,
            "bandwidth_bytes_per_s": d.bandwidth_bytes_per_s,
            "usable_memory_bytes": d.budget_bytes,
            "source": d.source,
        }
        for d in devices
    ]
    for data in (first, second):
        assert [list(h.items()) for h in data["hardware"]] == [list(h.items()) for h in want]
        assert data["basis"]["devices"] == [d.to_dict() for d in devices]
    first["hardware"][0]["name"] = first["basis"]["devices"][0]["name"] = "changed"
    assert answer.hardware_record(devices[0])["name"] == devices[0].name
    assert answer._device_dict(devices[0])["name"] == devices[0].name
