"""A query worked out: the runtime, model and devices it resolves to (the head, shared by every
quantization of a catalog model), then the memory plan, speeds, evidence and verdict at its
quantization (Solved), which runlocal.write turns into an answer."""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from . import memory as mem
from .answer import verdict_for
from .catalog import Catalog, Entry
from .check_inputs import (
    best_fitting_file,
    check_runtime_hardware,
    pick_quant,
    resolve_hardware,
    uses_detection,
)
from .errors import InputError
from .estimate import plan_answers, plan_answers_uncached
from .evidence import apply_measurements
from .hardware import Device, tensor_rate_for
from .query import DEFAULT_RAM_GIB, CheckQuery, CheckResult, LocalMachine
from .runtime_releases import release_note
from .runtimes import FP32_ACCUMULATING_ENGINES, Runtime, get_runtime, runtime_for_architecture
from .sources import ResolvedModel, inventory_for, is_local_path, resolve_model
from .speed import load_params, spread
from .speed.decode import MESA_INTEL_QUANT_READ_FACTOR, mesa_reads_slowly
from .units import GIB

# Bound of the devices kept per hardware fields and runtime (_DEVICES).
DEVICES_CACHE_SIZE = 4096


@dataclass
class Solved:
    """What one query works out before its answer is written: the resolved model, devices and
    options, the memory plan, the speeds and the verdict. check writes all of it
    (full_answer); a table writes the part it shows (check_brief)."""

    q: CheckQuery
    model: ResolvedModel
    inv: Any
    devices: list[Device]
    runtime: Runtime
    quant: str
    context: int
    kv_type: str
    host_ram: int | None
    assumed_ram_gib: float | None
    notes: list[str]
    calibrated: list[dict[str, Any]]
    plan: mem.MemoryPlan
    fits: bool  # plan.fits, judged once
    main_backend: str
    max_ctx: int | None
    best_quant: str | None
    params: Any
    depth: int
    lo_hi: tuple[float, float]
    prefill_spread: tuple[float, float]
    evidence: str
    measured: list[dict[str, Any]]
    decode: float | None
    prefill: float | None
    verdict: str
    reason: str


def solve(
    q: CheckQuery,
    catalog: Catalog,
    allow_files: bool,
    local: LocalMachine | None,
    with_prefill: bool = True,
) -> Solved | CheckResult:
    """Everything an answer says, worked out once (a component model's whole answer);
    with_prefill as solve_at's."""
    head = resolve_head(q, catalog, allow_files, local)
    if isinstance(head, CheckResult):
        return head
    quant = pick_quant(q, head.runtime, head.model)
    return solve_at(q, catalog, local, head, quant, with_prefill)


@dataclass(frozen=True)
class Head:
    """What a query resolves before its quantization: the runtime, the model and the devices
    as the runtime sees them; for a catalog model, the same for every quantization asked."""

    runtime: Runtime
    model: ResolvedModel
    devices: tuple[Device, ...]
    calibrated: list[dict[str, Any]]


def resolve_head(
    q: CheckQuery, catalog: Catalog, allow_files: bool, local: LocalMachine | None
) -> Head | CheckResult:
    runtime = get_runtime(q.runtime)
    if q.gpu_memory_utilization is not None:
        if runtime.engine != "vllm":
            raise InputError("--gpu-memory-utilization is a vLLM setting")
        runtime = replace(runtime, gpu_memory_utilization=q.gpu_memory_utilization)
    is_path = allow_files and is_local_path(q.model)
    entry = component_entry(q.model, catalog) if not is_path else None
    if entry is not None:
        from .components import component_answer

        listed = resolve_hardware(q, catalog, local)
        return CheckResult(component_answer(entry, listed, q.quant, q.batch, runtime.id))
    model = resolve_model(q.model, catalog, allow_files, q.quant)
    runtime = runtime_for_architecture(runtime, model.spec.architecture)
    # The devices as the runtime sees them depend on the query's hardware fields, the
    # runtime's engine (and name, in check_runtime_hardware's errors) and the catalog alone:
    # kept per those (without this machine's devices or calibration), so that a model new on
    # known hardware finds them resolved. Only valid hardware is kept: an error is raised
    # again, after the model's own, as before.
    devices_key = (
        (
            q.hardware,
            q.vram_gb,
            q.bandwidth_gb_s,
            q.tflops,
            q.gpu_memory_gb,
            runtime.engine,
            runtime.name,
            catalog,
        )
        if local is None
        else None
    )
    found = _DEVICES.get(devices_key) if devices_key is not None else None
    if found is not None:
        return Head(runtime, model, found, [])
    resolved, calibrated = calibrate(resolve_hardware(q, catalog, local), q, local)
    check_runtime_hardware(runtime, resolved)
    fp32_acc = runtime.engine in FP32_ACCUMULATING_ENGINES
    devices = tuple([tensor_rate_for(d, fp32_acc) for d in resolved])
    if devices_key is not None:
        with _DEVICES_LOCK:
            if len(_DEVICES) >= DEVICES_CACHE_SIZE:
                _DEVICES.clear()
            _DEVICES[devices_key] = devices
    return Head(runtime, model, devices, calibrated)


_DEVICES: dict[tuple[Any, ...], tuple[Device, ...]] = {}
_DEVICES_LOCK = threading.Lock()


def solve_at(
    q: CheckQuery,
    catalog: Catalog,
    local: LocalMachine | None,
    head: Head,
    quant: str,
    with_prefill: bool = True,
    keep_plan: bool = True,
) -> Solved:
    """solve's work from the quantization on. with_prefill=False (check_brief's tables, which show
    no prefill speed): Solved.prefill is None, and the formula's prefill is not worked out
    unless a prefill measurement could set the evidence label (evidence.apply_measurements);
    every other value is the same. keep_plan=False: the plan is kept only among the last
    few briefs' (estimate.plan_answers), the same answer."""
    runtime, model, calibrated = head.runtime, head.model, head.calibrated
    devices = list(head.devices)
    spec = model.spec
    inv = spec.weights if spec.weights is not None else inventory_for(spec, model.entry, quant)
    kv_type = q.kv_type.lower()
    mem.kv_bytes_per_cell_check(kv_type)
    context = q.context or min(default_context(runtime, devices), spec.max_context)
    notes = list(model.notes)
    if runtime.version and (said := release_note(runtime)):
        notes.append(said)
    detected = uses_detection(q, local)
    if detected:
        assert local is not None
        notes.extend(local.notes)
    if context > spec.max_context:
        notes.append(
            f"context {context:,} exceeds the model's trained {spec.max_context:,} tokens; "
            "quality degrades past it unless RoPE scaling is configured"
        )
    if kv_type in ("q8_0", "q4_0") and runtime.engine != "llama.cpp":
        raise InputError(
            f"--kv-type {kv_type} is a llama.cpp cache type; {runtime.name} uses f16/fp8"
        )
    host_ram = round(q.ram_gb * GIB) if q.ram_gb is not None else None
    if host_ram is None and detected:
        assert local is not None
        host_ram = local.host_ram_bytes
    assumed_ram_gib = None
    if host_ram is None and "gpu" in [d.kind for d in devices]:
        # A discrete GPU sits in a machine with RAM to offload to: assume a common amount,
        # and say so, rather than answer "will not run" for what runs with offload.
        assumed_ram_gib = DEFAULT_RAM_GIB
        host_ram = round(DEFAULT_RAM_GIB * GIB)
    if model.file_choices and not q.quant:
        chosen = best_fitting_file(q, model, devices, host_ram, runtime, context, kv_type)
        if chosen is not model:
            notes = [*chosen.notes, *notes[len(model.notes) :]]
            model, spec = chosen, chosen.spec
            quant = pick_quant(q, runtime, model)
            inv = spec.weights if spec.weights is not None else inv
    # A model read from a file gets a new spec (hashed by identity) each time: nothing to reuse.
    args = (spec, inv, model.entry, tuple(devices), host_ram, runtime, context, kv_type, q.batch)
    est, max_ctx, best_quant = (
        plan_answers(*args, quant, keep=keep_plan)
        if model.entry is not None
        else plan_answers_uncached(*args, quant)
    )
    plan, decode, main_backend = est.plan, est.decode_tok_s, est.backend
    # The offload search's notes describe a placement; when even that does not fit, they
    # would read as a way to run it.
    fits = est.fits
    notes.extend(plan.notes if fits else [])
    if (
        main_backend == "vulkan-intel"
        and runtime.engine == "llama.cpp"
        and mesa_reads_slowly(quant)
    ):
        # The answer assumes Intel's own driver (Runtime.vulkan_mesa): say what Linux's costs.
        notes.append(
            f"decode assumes Intel's Windows Vulkan driver; under Mesa (Linux) llama.cpp reads "
            f"{quant} blocks about {MESA_INTEL_QUANT_READ_FACTOR:.1f}x slower (llama.cpp PR "
            "#14001's measurements), so expect lower decode speed there"
        )
    params = load_params()
    depth = context // 2
    lo_hi = spread(params.decode_spread, main_backend)
    evidence = "estimated"
    measured: list[dict[str, Any]] = []  # an annotation, not a generic alias built per call
    prefill: float | None
    if not q.no_measured:
        evidence, decode, prefill, measured = apply_measurements(
            catalog, model, quant, devices, runtime, inv, est, depth, with_prefill
        )
    else:
        prefill = est.prefill_tok_s if with_prefill else None
    if evidence == "estimated" and calibrated:
        evidence = "calibrated"
    if evidence == "measured":
        lo_hi = (0.95, 1.05)
    if decode is not None and prefill is not None and prefill < decode:
        # A prompt is never read slower than one token at a time, which is decoding; a
        # compute estimate below that (a CPU's matmul rate at llama.cpp's prefill efficiency)
        # is the formula's limit, not the machine's.
        notes.append(
            f"prefill estimated from compute ({prefill:.1f} tokens/s) would be slower than "
            "decoding; a prompt is never processed slower than one token at a time, so prefill "
            "is shown at the decode rate, a lower bound"
        )
        prefill = decode
        prefill_spread: tuple[float, float] = lo_hi
    else:
        prefill_spread = spread(params.prefill_spread, main_backend)
    if decode is not None:
        decode = batch_decode(decode, q.batch)

    verdict, reason = verdict_for(plan, decode, devices, host_ram, fits)
    # Positional, each field the local of its name in Solved's order (a class called with
    # keywords builds a dict of them first, CPython).
    return Solved(
        q,
        model,
        inv,
        devices,
        runtime,
        quant,
        context,
        kv_type,
        host_ram,
        assumed_ram_gib,
        notes,
        calibrated,
        plan,
        fits,
        main_backend,
        max_ctx,
        best_quant,
        params,
        depth,
        lo_hi,
        prefill_spread,
        evidence,
        measured,
        decode,
        prefill,
        verdict,
        reason,
    )


def calibrate(
    devices: list[Device], q: CheckQuery, local: LocalMachine | None
) -> tuple[list[Device], list[dict[str, Any]]]:
    """Measured bandwidth in place of the catalog's for devices the profile describes."""
    if local is None or not local.calibration or q.no_measured:
        return devices, []
    out: list[Device] = []
    used: dict[str, dict[str, Any]] = {}
    from .profile import device_key

    for d in devices:
        key = device_key(d.id, d.name)
        cal = local.calibration.get(key)
        if cal is None or cal.bandwidth_bytes_per_s <= 0:
            out.append(d)
            continue
        if key not in used:
            # The catalog's figure, or the detected spec; none for a device known only
            # through the measurement (an uncatalogued CPU).
            own = d.id is not None or d.bandwidth_bytes_per_s != cal.bandwidth_bytes_per_s
            used[key] = {
                "device": key,
                "name": d.name,
                "listed_bandwidth_bytes_per_s": d.bandwidth_bytes_per_s if own else None,
                "measured_bandwidth_bytes_per_s": cal.bandwidth_bytes_per_s,
                "measured_at": cal.measured_at,
                "method": cal.method,
            }
        out.append(replace(d, bandwidth_bytes_per_s=cal.bandwidth_bytes_per_s))
    return out, list(used.values())


@lru_cache(maxsize=4096)  # Catalog hashes by identity; its entries do not change
def component_entry(text: str, catalog: Catalog) -> Entry | None:
    """A catalog model described by its parts (image generation, speech), else None."""
    try:
        entry = catalog.find_model(text)
    except InputError:
        return None  # resolve_model raises the error with suggestions
    if entry.get("components") and not isinstance(entry.get("architecture"), dict):
        return entry
    if entry.get("modality") in ("image", "speech") and entry.get("components"):
        return entry
    return None


def default_context(runtime: Runtime, devices: list[Device]) -> int:
    """Ollama sizes its default context by GPU memory (docs: 4k below 24 GiB, 32k up to
    48 GiB, 256k above); the others use a fixed default."""
    if runtime.id != "ollama":
        return runtime.default_context
    vram = sum(d.budget_bytes for d in devices)
    if vram < 24 * GIB:
        return 4096
    return 32768 if vram < 48 * GIB else 262144


def batch_decode(decode: float, batch: int) -> float:
    # Aggregate decode of concurrent sequences grows until compute binds; per sequence
    # it falls. We report per-sequence speed, which is what a reader of a chat sees.
    if batch <= 1:
        return decode
    return decode * (1 + math.log2(batch)) / batch
