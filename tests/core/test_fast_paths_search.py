"""Fast paths of the searches: the offload and context searches, the probes and the best quant,
each equal to the general computation it replaces."""

from __future__ import annotations

import random

import pytest

from runlocal import memory as mem
from runlocal.catalog import load_catalog
from runlocal.hardware import Device, parse_hardware
from runlocal.memory import llama, llama_buffers, llama_layout
from runlocal.runtimes import RUNTIMES
from runlocal.sources import inventory_for

from .test_fast_paths import _catalog_specs


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


@pytest.mark.parametrize("hardware", ["RTX 3060 12GB", "RTX 4090", "2x RTX 3090", "M3 Max"])
def test_context_and_quant_probes_from_the_cells_equal_the_rows(hardware):
    """The largest context's and the best quantization's probes from llama.cpp's per-GPU
    cells (estimate._context_probes, _comfortable_of, _best_quant_of_cells) against
    full_usage's rows and _fits_rows, probe by probe and in the searches' answers."""
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
            # With the quantization asked (on the ladder or not), as plan_answers asks it.
            for quant in ("Q8_0", "Q4_K_M", "Q2_K", "IQ4_XS"):
                inv = inventory_for(spec, entry, quant)
                known = (quant, comfortable(inv))
                args = (spec, entry, devices, None, runtime, context, kv_type, batch, known)
                kept = estimate._best_quant_of_cells(
                    spec, entry, runtime, context, cells, quant, inv
                )
                assert kept == estimate._best_quant(*args), (spec.id, hardware, quant)
    assert checked > 100
    assert comfortable_seen > 20


@pytest.mark.parametrize(
    "hardware",
    ["2x GTX 1650", "2x RTX 3060 12GB", "4x RTX 3090", "3x A100 80GB", "RTX 4070 + RTX 3060 12GB"],
)
def test_several_gpus_offload_search_in_one_call_per_probe_equals_the_general_search(hardware):
    """_LlamaLayout._search_many (several GPUs, each probe's sums in one call, the fewest
    expert layers worked out) against _search_split for dense and MoE models that fit,
    offload layers or experts, or not, on like and unlike GPUs."""
    cat = load_catalog()
    gpus = tuple(parse_hardware(cat, hardware))
    outcomes = _offload_searches_agree(
        gpus, hardware, "_search_many", seed=15, quants=("Q2_K", "Q4_K_M", "Q8_0", "F16")
    )
    assert outcomes >= {"experts", "all", "layers"}


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
    llama_compute_bytes (its parts now apart) against the formula written out."""
    from runlocal.units import MIB

    def compute_bytes(spec, n_kv, on_output, flash_attn):  # type: ignore[no-untyped-def]
        ub = min(mem.LLAMA_UBATCH, max(n_kv, 1))
        if flash_attn:
            attn = n_kv * ub * 2 + 4 * spec.n_heads * ub * 128 * 4
        else:
            # F32 scores of every head, their F32 mask, four hidden-wide activations
            attn = 4 * ub * (4 * spec.hidden_size + n_kv * (1 + spec.n_heads))
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
