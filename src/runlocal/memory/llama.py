"""llama.cpp's memory: where it places layers, the output layer and routed experts across
GPUs and system RAM (-ngl, --n-cpu-moe), as its loader does, and the plan that says so.
Its buffers are in llama_buffers, the placement arithmetic in llama_layout."""

from __future__ import annotations

from collections.abc import Callable

from ..hardware import Device
from ..runtimes import Runtime
from ..spec import ModelSpec, WeightInventory
from .kv import LLAMA_KV_PAD, kv_cache_bytes
from .llama_buffers import llama_compute_bytes
from .llama_layout import _llama_cells, _LlamaCells, _LlamaLayout
from .records import (
    HOST_RESERVE_SHARE,
    SYSTEM_RAM,
    DeviceUse,
    MemoryPlan,
    lookup_bytes,
    pad,
    within_edge,
)


def _llama_layout(
    spec: ModelSpec,
    inv: WeightInventory,
    gpus: tuple[Device, ...],
    runtime: Runtime,
    kv_type: str,
    sequences: int,
) -> _LlamaLayout:
    return _llama_cells(spec, gpus, runtime, kv_type, sequences).layout(inv)


def _gpus(devices: list[Device]) -> tuple[Device, ...]:
    """The devices llama.cpp offloads to: all but a CPU (a loop: a generator costs more)."""
    gpus = []
    for d in devices:
        if d.kind != "cpu":
            gpus.append(d)
    return tuple(gpus)


def llama_cells_of(
    spec: ModelSpec,
    devices: list[Device],
    runtime: Runtime,
    kv_type: str,
    sequences: int,
) -> _LlamaCells | None:
    """The per-GPU cells behind llama_full_offload_usage_of, for callers that ask their rows
    apart (weights per inventory, the rest per context); None without a GPU."""
    gpus = _gpus(devices)
    return _llama_cells(spec, gpus, runtime, kv_type, sequences) if gpus else None


def llama_full_offload_usage_of(
    spec: ModelSpec,
    devices: list[Device],
    runtime: Runtime,
    kv_type: str,
    sequences: int,
) -> Callable[[WeightInventory, int], list[tuple[int, int]]]:
    """(bytes used, budget) per device with every layer on the accelerators, as a function of
    the weights and the context — the cheap question behind the largest context and the best
    quantization, which ask it many times; the per-GPU cells are looked up once."""
    gpus = _gpus(devices)
    if gpus:
        return _llama_cells(spec, gpus, runtime, kv_type, sequences).full_usage

    # No GPU: _cpu_plan's one row, (its total, its budget), from its terms without building
    # the plan; what does not depend on the weights (KV and compute buffers) kept per context
    # (the searches ask one context at several quantizations).
    cpu = devices[0]
    budget = _cpu_budget(cpu)
    rest_at: dict[int, int] = {}

    def usage(inv: WeightInventory, context: int) -> list[tuple[int, int]]:
        rest = rest_at.get(context)
        if rest is None:
            rest = rest_at[context] = kv_cache_bytes(
                spec, context, runtime, kv_type, sequences
            ) + llama_compute_bytes(
                spec, pad(context * sequences, LLAMA_KV_PAD), True, runtime.flash_attn
            )
        # DeviceUse.total_bytes: weights + KV + compute + overhead (0 on the CPU).
        return [(inv.total_bytes + rest, budget)]

    return usage


def _cpu_budget(cpu: Device) -> int:
    """What llama.cpp may use of a CPU-only machine's memory: its RAM less what the OS and
    other programs keep, within its budget."""
    return min(int(cpu.memory_bytes * (1 - HOST_RESERVE_SHARE)), cpu.budget_bytes)


def llama_runs_of(
    spec: ModelSpec,
    inv: WeightInventory,
    devices: list[Device],
    host_ram_bytes: int | None,
    runtime: Runtime,
    kv_type: str,
    sequences: int,
) -> Callable[[int], bool] | None:
    """plan_llama(...).fits as a function of the context, the rest bound once (the layout
    looked up once, no plan built per context); None without a GPU."""
    layout = llama_layout_of(spec, inv, devices, runtime, kv_type, sequences)
    if layout is None:
        return None

    def runs(context: int) -> bool:
        return layout.runs(context, host_ram_bytes)

    return runs


def llama_layout_of(
    spec: ModelSpec,
    inv: WeightInventory,
    devices: list[Device],
    runtime: Runtime,
    kv_type: str,
    sequences: int,
) -> _LlamaLayout | None:
    """The placement arithmetic plan_llama uses for these weights on the devices' GPUs (kept
    per cells and weights); None without a GPU."""
    gpus = _gpus(devices)
    return _llama_layout(spec, inv, gpus, runtime, kv_type, sequences) if gpus else None


def plan_llama(
    spec: ModelSpec,
    inv: WeightInventory,
    devices: list[Device],
    host_ram_bytes: int | None,
    runtime: Runtime,
    context: int,
    kv_type: str,
    sequences: int,
) -> MemoryPlan:
    """llama.cpp placement: the output layer goes to the GPU first (PR #18148), blocks are
    split across GPUs by free memory, the remainder and token embeddings stay on the host."""
    n = spec.n_layers
    gpus = _gpus(devices)
    if not gpus:
        return _cpu_plan(spec, inv, devices, runtime, context, kv_type, sequences)
    cells = _llama_cells(spec, gpus, runtime, kv_type, sequences)
    # Most plans: one GPU holds it all, found from the kept rows without a layout (the offload
    # search's first probe, which then answers -ngl n + 1 and no experts on the host).
    on_one = cells.full_on_one_fitting(inv, context)
    if on_one is not None:
        ngl, experts, note = n + 1, 0, None
        use, gpu_fits, gpu_total, host_weights, host_kv, host_compute = on_one
        uses = [use]
    else:
        layout = cells.layout(inv)
        ngl, experts, note = layout.search(context)
        if ngl == n + 1 and not experts and len(gpus) == 1:
            use, gpu_fits, gpu_total, host_weights, host_kv, host_compute = layout.full_on_one(
                context
            )
            uses = [use]
        else:
            uses, first, gpu_fits, gpu_total = layout.uses(ngl, experts, context)
            host_weights, host_kv, host_compute = layout.host_parts(ngl, experts, first, context)
    # Positional (see _LlamaLayout.uses): device, layers, weights, kv_cache, compute, overhead,
    # budget.
    host_budget = cells.host_budget(host_ram_bytes, gpu_total)
    host = DeviceUse(SYSTEM_RAM, 0, host_weights, host_kv, host_compute, 0, host_budget)
    if gpu_fits and ngl == n + 1 and not experts:
        # Token embeddings stay in host RAM (mmap'd page cache); never the reason to fail.
        total = host.total_bytes
        if total > host.budget_bytes:  # max of two written out (see speed.features)
            host.budget_bytes = total
    # Positional (see _LlamaLayout.uses): devices, host, gpu_layers (min(ngl, n + 1) written
    # out, see speed.features), total_layers, experts_on_host_layers, notes, kv_tokens.
    gpu_layers = n + 1 if n + 1 < ngl else ngl
    notes = [note] if note else []
    plan = MemoryPlan(uses, host, gpu_layers, n + 1, experts, notes, context * sequences)
    if (ngl != n + 1 or experts) and not plan.fits:
        edge = _edge_plan(cells.layout(inv), n, context, sequences)
        if edge is not None:
            return edge
    return plan


def _edge_plan(layout: _LlamaLayout, n: int, context: int, sequences: int) -> MemoryPlan | None:
    """Where no offload fits (no system RAM given, or not enough): everything on the GPUs
    (-ngl 999) when every GPU is over its budget by no more than the memory estimate's
    uncertainty (records.edge_margin), the placement the verdict calls "at the edge" (it may
    load: docs/methodology.md, "Verdict"); else None."""
    uses, first, _, _ = layout.uses(n + 1, 0, context)
    for use in uses:
        if not within_edge(use.total_bytes, use.budget_bytes):
            return None
    weights, kv, compute = layout.host_parts(n + 1, 0, first, context)
    # Token embeddings stay in host RAM (mmap'd page cache), never the reason to fail: their
    # budget is their size, as in a plan that fits.
    host_total = weights + kv + compute
    host = DeviceUse(SYSTEM_RAM, 0, weights, kv, compute, 0, host_total)
    return MemoryPlan(uses, host, n + 1, n + 1, 0, [], context * sequences)


def _cpu_plan(
    spec: ModelSpec,
    inv: WeightInventory,
    devices: list[Device],
    runtime: Runtime,
    context: int,
    kv_type: str,
    sequences: int,
) -> MemoryPlan:
    cpu = devices[0]
    use = DeviceUse(
        device=cpu,
        layers=spec.n_layers,
        weights_bytes=inv.total_bytes,
        kv_cache_bytes=kv_cache_bytes(spec, context, runtime, kv_type, sequences),
        compute_bytes=llama_compute_bytes(
            spec, pad(context * sequences, LLAMA_KV_PAD), True, runtime.flash_attn
        ),
        overhead_bytes=0,
        budget_bytes=_cpu_budget(cpu),
    )
    return MemoryPlan(
        devices=[use],
        host=None,
        gpu_layers=0,
        total_layers=spec.n_layers + 1,
        kv_tokens=context * sequences,
        lookup_bytes=(lookup_bytes(spec, inv),),
    )
