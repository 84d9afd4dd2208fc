"""The memory plan and the formula's speeds for one setup, the largest context that fits and
the best quantization: pure functions of frozen inputs, cached so that a repeated setup
costs a lookup."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import lru_cache, partial
from typing import Any

from . import memory as mem
from .catalog import Entry
from .hardware import Device
from .plan_memo import PlanMemo
from .runtimes import Runtime
from .sources import inventory_for
from .spec import ModelSpec, WeightInventory
from .speed import (
    decode_seconds_per_token,
    features,
    load_params,
    prefill_seconds_per_token,
    safe_rate,
)

# Quality ladder for "best quantization that fits": highest quality first.
GGUF_LADDER = ("Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M", "Q3_K_M", "Q2_K")
HF_LADDER = ("BF16", "FP8", "INT8", "AWQ-4BIT", "NF4")
MLX_LADDER = ("MLX-BF16", "MLX-8BIT", "MLX-4BIT")
EXL2_LADDER = ("EXL2-8BPW", "EXL2-6BPW", "EXL2-5BPW", "EXL2-4BPW", "EXL2-3BPW")
EXL3_LADDER = ("EXL3-8BPW", "EXL3-6BPW", "EXL3-5BPW", "EXL3-4BPW", "EXL3-3BPW", "EXL3-2BPW")


def _plan(
    spec: ModelSpec,
    inv: WeightInventory,
    devices: list[Device],
    host_ram: int | None,
    runtime: Runtime,
    context: int,
    kv_type: str,
    batch: int,
) -> mem.MemoryPlan:
    if runtime.engine == "llama.cpp":
        return mem.plan_llama(spec, inv, devices, host_ram, runtime, context, kv_type, batch)
    if runtime.engine == "vllm":
        return mem.plan_vllm(spec, inv, devices, runtime, context, kv_type, batch)
    return mem.plan_simple(spec, inv, devices, runtime, context, kv_type, batch)


_Usage = Callable[[WeightInventory, int], list[tuple[int, int]]]


def _full_usage_of(
    spec: ModelSpec,
    devices: list[Device],
    host_ram: int | None,
    runtime: Runtime,
    kv_type: str,
    batch: int,
) -> _Usage:
    """(bytes that must fit, limit) per device with everything on the accelerators, as a
    function of the weights and the context, the rest bound once: the searches for the
    largest context and the best quantization ask it many times."""
    if runtime.engine == "llama.cpp":
        return mem.llama_full_offload_usage_of(spec, devices, runtime, kv_type, batch)
    if runtime.engine == "vllm":
        # The plan's rows from its sums, no plan built per probe.
        return mem.vllm_usage_of(spec, devices, runtime, kv_type, batch)

    def usage(inv: WeightInventory, context: int) -> list[tuple[int, int]]:
        p = _plan(spec, inv, devices, host_ram, runtime, context, kv_type, batch)
        return [mem.usage(u) for u in p.devices]

    return usage


def _fits_rows(rows: list[tuple[int, int]]) -> tuple[bool, bool]:
    """fits_on_accelerators' answer from the rows of _full_usage_of: every row within its
    budget, and any row tight (one loop, where all() and any() ran a generator each)."""
    fits, tight = True, False
    is_tight = mem.is_tight
    for used, budget in rows:
        if used > budget:
            fits = False
        if not tight and is_tight(used, budget):
            tight = True
    return fits, tight


_Fits = Callable[[int], bool]
_Rows = Callable[[int], list[tuple[int, int]]]


def _context_probes(
    full_usage: _Usage, inv: WeightInventory, cells: mem.llama_layout._LlamaCells | None
) -> tuple[_Rows, _Fits]:
    """(rows, fits) of the full offload as functions of the context alone, for the largest
    context's search: rows(ctx) is full_usage(inv, ctx), fits(ctx) every row within its
    budget. With llama.cpp's per-GPU cells the weights' row is looked up once and each context
    adds the kept rest (one GPU: one sum and one comparison); else each context's rows are
    asked once."""
    if cells is None:
        asked: dict[int, list[tuple[int, int]]] = {}  # the search probes a context twice

        def rows(ctx: int) -> list[tuple[int, int]]:
            found = asked.get(ctx)
            if found is None:
                found = asked[ctx] = full_usage(inv, ctx)
            return found

        def fits(ctx: int) -> bool:
            return all(u <= b for u, b in rows(ctx))

        return rows, fits
    weights, budgets, rest_row = cells.weights_row(inv), cells.budgets, cells.rest_row
    rest_one = cells.rest_one
    if rest_one is not None:
        # One GPU: its row is the weights, its overhead and the model's rest at the context
        # (rest_row's one entry, added up without the row).
        ((weight,), (budget,)) = weights, budgets
        fixed = weight + cells.overheads[0]

        def rows_one(ctx: int) -> list[tuple[int, int]]:
            return [(fixed + rest_one(ctx), budget)]

        def fits_one(ctx: int) -> bool:
            return fixed + rest_one(ctx) <= budget

        return rows_one, fits_one

    def rows_split(ctx: int) -> list[tuple[int, int]]:
        return [(w + r, b) for w, r, b in zip(weights, rest_row(ctx), budgets, strict=True)]

    def fits_split(ctx: int) -> bool:
        return all(w + r <= b for w, r, b in zip(weights, rest_row(ctx), budgets, strict=True))

    return rows_split, fits_split


def _comfortable_of(
    full_usage: _Usage, context: int, cells: mem.llama_layout._LlamaCells | None
) -> Callable[[WeightInventory], bool]:
    """Whether weights ``inv`` fit fully at ``context`` with the comfort margin to spare on
    every device (_fits_rows: fits and not tight), as a function of the weights alone, for
    the best quantization's search. With llama.cpp's per-GPU cells: every GPU's weights
    within a limit worked out once, its budget less its margin and the rest at ``context``
    (used <= budget and budget - used >= margin is used <= budget - margin, the margin
    being positive)."""
    if cells is None:

        def comfortable(inv: WeightInventory) -> bool:
            fits, tight = _fits_rows(full_usage(inv, context))
            return fits and not tight

        return comfortable
    margin = mem.records._comfort_margin
    limits = [
        b - margin(b) - r for r, b in zip(cells.rest_row(context), cells.budgets, strict=True)
    ]
    weights_row = cells.weights_row
    if len(limits) == 1:
        (limit,) = limits

        def comfortable_one(inv: WeightInventory) -> bool:
            return weights_row(inv)[0] <= limit

        return comfortable_one

    def comfortable_split(inv: WeightInventory) -> bool:
        for w, b in zip(weights_row(inv), limits, strict=True):  # noqa: SIM110 (a generator costs more)
            if w > b:
                return False
        return True

    return comfortable_split


def fits_on_accelerators(
    spec: ModelSpec,
    inv: WeightInventory,
    devices: list[Device],
    host_ram: int | None,
    runtime: Runtime,
    context: int,
    kv_type: str,
    batch: int,
) -> tuple[bool, bool]:
    """(fits entirely on the accelerators, too tight to be comfortable)."""
    usage = _full_usage_of(spec, devices, host_ram, runtime, kv_type, batch)
    return _fits_rows(usage(inv, context))


class Estimate:
    """One setup worked out: its memory plan, the speed features and the speeds they give.

    The prefill speed is worked out when first read and then kept: the site's model and
    hardware pages ask some 40 brief answers a page and show no prefill speed
    (check_brief(..., prefill=False)), and its formula was ~8% of such an answer's work
    (docs/performance.md, Round 12). Whoever reads it gets the value estimate() computed
    before, from the same features, parameters, depth and prompt."""

    __slots__ = (
        "_depth",
        "_params",
        "_prefill",
        "_prefill_read",
        "_prompt_tokens",
        "_runs",
        "backend",
        "decode_tok_s",
        "features",
        "fits",
        "plan",
    )

    def __init__(
        self,
        plan: mem.MemoryPlan,
        features: Any,
        decode_tok_s: float | None,
        backend: str,
        fits: bool,  # plan.fits, judged once: the answer asks it some seven times
        runs: bool,  # fits, or at the edge of memory (MemoryPlan.at_edge): it has speeds
        params: Any,
        depth: int,
        prompt_tokens: int,
    ) -> None:
        self.plan = plan
        self.features = features
        self.decode_tok_s = decode_tok_s
        self.backend = backend
        self.fits = fits
        self._runs = runs
        self._params = params
        self._depth = depth
        self._prompt_tokens = prompt_tokens
        self._prefill: float | None = None
        self._prefill_read = False

    @property
    def prefill_tok_s(self) -> float | None:
        if not self._prefill_read:
            # Two threads may both work it out: the same value.
            self._prefill = (
                safe_rate(
                    prefill_seconds_per_token(
                        self.features, self._params, self._depth, self._prompt_tokens
                    )
                )
                if self._runs
                else None
            )
            self._prefill_read = True
        return self._prefill


def estimate(
    spec: ModelSpec,
    inv: WeightInventory,
    devices: list[Device],
    host_ram: int | None,
    runtime: Runtime,
    context: int,
    kv_type: str,
    batch: int,
    depth: int,
    prompt_tokens: int | None = None,
) -> Estimate:
    """Memory plan and formula speeds at KV depth ``depth`` (no measured data).

    ``prompt_tokens`` is the prompt being prefilled (default: the whole context)."""
    prompt_tokens = context if prompt_tokens is None else prompt_tokens
    plan = _plan(spec, inv, devices, host_ram, runtime, context, kv_type, batch)
    params = load_params()
    f = features(
        spec,
        inv,
        plan,
        depth,
        _host_bandwidth(devices, host_ram),
        _host_fp32_flops(devices),
        runtime,
        kv_type,
        batch,
    )
    # Encoders (embedding models) do not generate: only their throughput over inputs counts.
    fits = plan.fits
    # A setup at the edge of memory may load (MemoryPlan.at_edge): its speeds if it does.
    runs = fits or plan.at_edge
    decode = safe_rate(decode_seconds_per_token(f, params)) if runs and spec.causal else None
    backend = f.loads[0].backend if f.loads else "cpu"
    # The prefill speed when first read (Estimate.prefill_tok_s).
    return Estimate(plan, f, decode, backend, fits, runs, params, depth, prompt_tokens)


@lru_cache(maxsize=4096)
def cached_estimate(
    spec: ModelSpec,
    inv: WeightInventory,
    devices: tuple[Device, ...],
    host_ram: int | None,
    runtime: Runtime,
    context: int,
    kv_type: str,
    batch: int,
    depth: int,
) -> Estimate:
    """estimate() for check: cached, so callers must treat the result (its plan included) as
    read-only."""
    return estimate(spec, inv, list(devices), host_ram, runtime, context, kv_type, batch, depth)


# Unified memory (Apple, Strix Halo, DGX Spark, Jetson): the CPU cores share the GPU's
# memory bus but cannot saturate it. AnandTech measured the M1 Max's CPU clusters at about
# 243 of 409.6 GB/s (59%); smaller chips reach more of their narrower bus, so 0.6 is an
# upper bound for the big ones. Offloaded weights are read at this rate, never faster.
UNIFIED_CPU_BANDWIDTH_SHARE = 0.6


def _host_bandwidth(devices: list[Device], host_ram: int | None) -> float | None:
    # any(...) over a generator written out as loops: a generator costs ~10× a comparison per
    # device here (docs/performance.md, "min and max").
    for d in devices:
        if d.kind == "unified":
            return devices[0].bandwidth_bytes_per_s * UNIFIED_CPU_BANDWIDTH_SHARE
    for d in devices:
        if d.kind == "cpu":
            return devices[0].bandwidth_bytes_per_s
    # A desktop with dual-channel DDR5 (about 80 GB/s) when only --ram-gb is known.
    return 80e9 if host_ram is not None else None


def _host_fp32_flops(devices: list[Device]) -> float | None:
    """On unified memory the CPU side dequantizes with less arithmetic than the GPU has: the
    GPU's FP32 rate bounds its cost from below. A separate host is bound by its DDR first."""
    for d in devices:  # all(...) written out (see _host_bandwidth)
        if d.kind != "unified":
            return None
    return devices[0].fp32_flops


def _max_context(
    spec: ModelSpec,
    inv: WeightInventory,
    devices: list[Device],
    host_ram: int | None,
    runtime: Runtime,
    kv_type: str,
    batch: int,
    known: tuple[int, bool] | None = None,
    full_usage: _Usage | None = None,
    cells: mem.llama_layout._LlamaCells | None = None,
) -> int | None:
    """Largest context (multiple of 256) that still fits fully on the accelerators.

    known: (a context, whether it fits fully), from the plan already made, to skip a probe.
    full_usage: _full_usage_of for these arguments, when the caller has it; cells: llama.cpp's
    per-GPU cells behind it, when the caller has them (_context_probes).

    Memory is affine in the context once sliding windows are full, so two plans give each
    device's slope and the limit follows; one more plan confirms it (bisection otherwise).
    """

    if full_usage is None:
        full_usage = _full_usage_of(spec, devices, host_ram, runtime, kv_type, batch)
    usage, fits = _context_probes(full_usage, inv, cells)

    top = spec.max_context
    if known is not None and known[0] >= top and known[1]:
        return top
    if fits(top):
        return top
    if not (known is not None and known[1]) and not fits(256):
        return None
    lo = min(top, mem.pad(max(4096, (spec.sliding_window or 0) + 1024), 256))
    if known is not None and known[1] and known[0] >= lo:
        lo = known[0] // 256 * 256
    if lo < top and fits(lo):
        a, b = usage(lo), usage(top)
        limit = top
        for (used_a, budget), (used_b, _) in zip(a, b, strict=True):
            slope = (used_b - used_a) / (top - lo)
            if slope > 0:
                limit = min(limit, lo + int((budget - used_a) / slope))
        guess = max(lo, limit // 256 * 256)
        if fits(guess) and not fits(guess + 256):
            return guess
        lo, hi = (guess, top) if fits(guess) else (lo, guess)
    else:
        lo, hi = 256, lo
    while hi - lo > 256:
        mid = (lo + hi) // 2 // 256 * 256
        if mid <= lo:
            break
        if fits(mid):
            lo = mid
        else:
            hi = mid
    return lo


def _max_context_offloaded(
    spec: ModelSpec,
    inv: WeightInventory,
    devices: list[Device],
    host_ram: int | None,
    runtime: Runtime,
    kv_type: str,
    batch: int,
    runs_at: int,
) -> int:
    """Largest context (multiple of 256, at least ``runs_at``, which runs) that still runs
    with layers or experts in system RAM: memory grows with the context, so a bisection.

    With llama.cpp's GPUs the bisection's answer is found without its probes: the last
    multiple of 256 that runs is found by interpolating the system RAM left over between a
    context that runs and one that does not (_last_running: two or three probes where the
    bisection makes eight to ten), and the bisection is replayed on it, so that its answer
    (which can stop short of that context: it steps from ``runs_at``) is given exactly.
    runs() grows false with the context (tests/core/test_fast_paths.py holds the two to each
    other)."""
    top = spec.max_context
    if runtime.engine == "llama.cpp":
        layout = mem.llama_layout_of(spec, inv, devices, runtime, kv_type, batch)
        if layout is not None:
            if runs_at >= top:
                return runs_at
            runs_spare = partial(layout.runs_spare, host_ram_bytes=host_ram)
            top_runs, top_spare = runs_spare(top)
            if top_runs:
                return top
            last = _last_running(runs_spare, runs_at, runs_spare(runs_at)[1], top, top_spare)
            return _bisect_contexts(runs_at, top, lambda ctx: ctx <= last)

    def runs(ctx: int) -> bool:
        return _plan(spec, inv, devices, host_ram, runtime, ctx, kv_type, batch).fits

    if runs_at >= top or runs(top):
        return max(top, runs_at)
    return _bisect_contexts(runs_at, top, runs)


def _bisect_contexts(lo: int, hi: int, runs: Callable[[int], bool]) -> int:
    """The bisection over multiples of 256 between a context that runs (``lo``) and one that
    does not (``hi``): the last context it finds running."""
    while hi - lo > 256:
        mid = (lo + hi) // 2 // 256 * 256
        if mid <= lo:
            break
        if runs(mid):
            lo = mid
        else:
            hi = mid
    return lo


def _last_running(
    runs_spare: Callable[[int], tuple[bool, int | None]],
    lo: int,
    lo_spare: int | None,
    hi: int,
    hi_spare: int | None,
) -> int:
    """The largest multiple of 256 strictly between ``lo`` (runs) and ``hi`` (does not) that
    runs, else ``lo``, for runs false from some context on. Each probe is where the system
    RAM left over (runs_spare) reaches zero on the line between the two ends, which close in
    (an end kept twice has its spare halved, so that the other end moves too: the Illinois
    rule of false position); a bisection step where an end's spare is not known."""
    kept = 0  # which end the last probe kept: 1 lo moved, -1 hi moved
    while True:
        first, last = lo // 256 + 1, (hi - 1) // 256
        if first > last:
            return lo
        if lo_spare is not None and hi_spare is not None and lo_spare > hi_spare:
            k = (lo + (hi - lo) * lo_spare // (lo_spare - hi_spare)) // 256
            # min and max of two written out (see speed.features)
            k = first if k < first else k
            k = last if k > last else k
        else:
            k = (first + last) // 2
        runs, spare = runs_spare(k * 256)
        if runs:
            lo, lo_spare = k * 256, spare
            if kept == 1 and hi_spare is not None:
                hi_spare //= 2
            kept = 1
        else:
            hi, hi_spare = k * 256, spare
            if kept == -1 and lo_spare is not None:
                lo_spare //= 2
            kept = -1


def plan_answers_uncached(
    spec: ModelSpec,
    inv: WeightInventory,
    entry: Entry | None,
    devices: tuple[Device, ...],
    host_ram: int | None,
    runtime: Runtime,
    context: int,
    kv_type: str,
    batch: int,
    quant: str,
) -> tuple[Estimate, int | None, str | None]:
    """check's memory and formula answers, pure functions of frozen inputs, so that repeated
    queries reuse them (see plan_answers): the estimate at half the context, the largest
    context and the best quantization."""
    est = estimate(
        spec, inv, list(devices), host_ram, runtime, context, kv_type, batch, context // 2
    )
    plan, hw = est.plan, list(devices)
    runs = est.fits
    # plan.full_offload written out (see memory.records.DeviceUse.to_dict)
    fits_fully = runs and plan.gpu_layers == plan.total_layers and plan.experts_on_host_layers == 0
    cells = (
        mem.llama_cells_of(spec, hw, runtime, kv_type, batch)
        if runtime.engine == "llama.cpp"
        else None
    )
    # _full_usage_of's answer with llama.cpp's GPUs, without looking the cells up again.
    full_usage = (
        cells.full_usage
        if cells is not None
        else _full_usage_of(spec, hw, host_ram, runtime, kv_type, batch)
    )
    max_ctx = _max_context(
        spec, inv, hw, host_ram, runtime, kv_type, batch, (context, fits_fully), full_usage, cells
    )
    if max_ctx is None and runs:
        # It runs only with part of it in system RAM: the largest context that still runs so.
        max_ctx = _max_context_offloaded(spec, inv, hw, host_ram, runtime, kv_type, batch, context)
    best_quant = None
    if spec.weights is None:
        # The best quantization does not depend on the one asked about, which only narrows the
        # search (judged as the search judges every step), so a page's table of quantizations
        # computes it once.
        # With llama.cpp's GPUs the search asks only their cells (one object per model, GPUs,
        # runtime, cache type and sequences, hashed by identity and kept alive by the key),
        # never the system RAM: they stand for those five in the key.
        key: tuple[Any, ...] = (
            (cells, entry, context)
            if cells is not None
            else (spec, entry, devices, host_ram, runtime, context, kv_type, batch)
        )
        # One lookup (another thread may clear the dict between two).
        found = _BEST_QUANTS.get(key, _UNKNOWN)
        if found is not _UNKNOWN:
            best_quant = found
        elif cells is not None:
            best_quant = _best_quant_of_cells(spec, entry, runtime, context, cells, quant, inv)
        else:
            comfortable = _comfortable_of(full_usage, context, cells)
            known = (quant, comfortable(inv))
            best_quant = _best_quant(
                spec, entry, hw, host_ram, runtime, context, kv_type, batch, known, comfortable
            )
            with _BEST_QUANTS_LOCK:  # the website answers from several threads
                if len(_BEST_QUANTS) >= BEST_QUANT_CACHE_SIZE:
                    _BEST_QUANTS.clear()
                _BEST_QUANTS[key] = best_quant
    return est, max_ctx, best_quant


BEST_QUANT_CACHE_SIZE = 4096
_BEST_QUANTS: dict[tuple[Any, ...], str | None] = {}
_BEST_QUANTS_LOCK = threading.Lock()


_UNKNOWN = "?"  # not a quantization name: "not computed yet" beside None ("none fits")


# ModelSpec and Entry hash by identity, devices by value. Callers treat the estimate (its plan
# included) as read-only. The site's brief answers are kept only among the last
# BRIEF_PLANS_KEPT (plan_memo.PlanMemo: why), more than a detail page asks (~35-48), so that
# its commands find the plan its table worked out.
BRIEF_PLANS_KEPT = 64
plan_answers: PlanMemo[tuple[Estimate, int | None, str | None]] = PlanMemo(
    plan_answers_uncached, 4096, BRIEF_PLANS_KEPT
)


_LADDERS = {
    "gguf": GGUF_LADDER,
    "hf": HF_LADDER,
    "mlx": MLX_LADDER,
    "exl2": EXL2_LADDER,
    "exl3": EXL3_LADDER,
}


def _best_quant_of_cells(
    spec: ModelSpec,
    entry: Entry | None,
    runtime: Runtime,
    context: int,
    cells: mem.llama_layout._LlamaCells,
    quant: str,
    inv: WeightInventory,
) -> str | None:
    """_best_quant with llama.cpp's per-GPU cells, ``known`` being (quant, comfortable(inv)):
    the same probes in the same order (the asked weights, when on the ladder, then the
    bisection), each a
    comparison of a kept weights row with limits worked out once, where each probe of
    _best_quant ran four Python calls (first_true's predicate, ok, comfortable, weights_row).
    The ladder's rows are kept beside the cells' weights rows (_LlamaCells.ladder_rows: for
    one GPU, the model's), so a new context or GPU finds them sized
    (tests/core/test_fast_paths_search.py holds it to _best_quant)."""
    ladder = _LADDERS[runtime.formats[0]]
    limits = cells.comfort_limits(context)
    rows = cells.ladder_rows(entry, ladder)
    weights_row = cells.weights_row
    lo, hi = 0, len(ladder)
    if len(limits) == 1:
        (limit,) = limits
        if quant in ladder:
            at = ladder.index(quant)
            lo, hi = (0, at) if weights_row(inv)[0] <= limit else (at + 1, hi)
        while lo < hi:  # mem.first_true written out
            mid = (lo + hi) // 2
            row = rows[mid]
            if row is None:
                row = rows[mid] = weights_row(inventory_for(spec, entry, ladder[mid]))
            if row[0] <= limit:
                hi = mid
            else:
                lo = mid + 1
        return ladder[lo] if lo < len(ladder) else None
    if quant in ladder:
        at = ladder.index(quant)
        lo, hi = (0, at) if _within(weights_row(inv), limits) else (at + 1, hi)
    while lo < hi:
        mid = (lo + hi) // 2
        row = rows[mid]
        if row is None:
            row = rows[mid] = weights_row(inventory_for(spec, entry, ladder[mid]))
        if _within(row, limits):
            hi = mid
        else:
            lo = mid + 1
    return ladder[lo] if lo < len(ladder) else None


def _within(row: list[int], limits: list[int]) -> bool:
    for w, b in zip(row, limits, strict=True):  # noqa: SIM110 (a generator costs more)
        if w > b:
            return False
    return True


def _best_quant(
    spec: ModelSpec,
    entry: Entry | None,
    devices: list[Device],
    host_ram: int | None,
    runtime: Runtime,
    context: int,
    kv_type: str,
    batch: int,
    known: tuple[str, bool] | None = None,
    comfortable: Callable[[WeightInventory], bool] | None = None,
) -> str | None:
    """Highest-quality quantization that fits comfortably (the ladder shrinks monotonically,
    so a bisection finds it). known: (a quant, whether it fits comfortably) narrows it.
    comfortable: _comfortable_of for these arguments, when the caller has it."""
    ladder = _LADDERS[runtime.formats[0]]

    if comfortable is None:
        full_usage = _full_usage_of(spec, devices, host_ram, runtime, kv_type, batch)
        comfortable = _comfortable_of(full_usage, context, None)

    def ok(i: int) -> bool:
        return comfortable(inventory_for(spec, entry, ladder[i]))

    lo, hi = 0, len(ladder)
    if known is not None and known[0] in ladder:
        at = ladder.index(known[0])
        lo, hi = (0, at) if known[1] else (at + 1, len(ladder))
    # ok() is false then true along the ladder; hi itself means "none fits".
    first = mem.first_true(lo, hi, lambda i: i == len(ladder) or ok(i))
    return ladder[first] if first < len(ladder) else None
