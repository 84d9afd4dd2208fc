"""`check`: will this model run on this hardware, how much memory, how fast."""

from __future__ import annotations

import marshal
import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from . import memory as mem
from .answer import (
    _device_dict,
    _entry_params,
    _entry_size_b,
    _quality_dicts,
    _quality_loss,
    _quality_parts,
    answer_basis,
    commands,
    hardware_record,
    memory_totals,
    model_record,
    quality_answer,
    quality_loss,
    verdict_for,
)
from .catalog import Catalog, Entry, load_catalog
from .check_inputs import (
    best_fitting_file,
    check_runtime_hardware,
    gpu_memory_note,
    pick_quant,
    resolve_hardware,
    uses_detection,
)
from .errors import InputError
from .estimate import (
    _BEST_QUANTS,
    cached_estimate,
    plan_answers,
    plan_answers_uncached,
)
from .evidence import apply_measurements
from .frozen import builder, hash_once
from .hardware import (
    Device,
    tensor_rate_for,
)
from .runtimes import FP32_ACCUMULATING_ENGINES, Runtime, get_runtime
from .sources import (
    _CATALOG_MODELS,
    ResolvedModel,
    catalog_spec,
    inventory_for,
    is_local_path,
    resolve_model,
)
from .speed import load_params, spread
from .speed.decode import MESA_INTEL_QUANT_READ_FACTOR, mesa_reads_slowly
from .units import GIB, parse_tokens

MAX_CONTEXT = 10_000_000
MAX_BATCH = 4096
# System RAM assumed beside discrete GPUs when a query gives none: a common desktop's 32 GiB.
# Every surface (pages, tools, API, CLI) gets it from here, and every answer says it assumed it.
DEFAULT_RAM_GIB = 32.0

if TYPE_CHECKING:
    from .profile import Calibration


@hash_once  # keys the answer memo: a query asked again hashes once
@dataclass(frozen=True)
class CheckQuery:
    """One question: a model on some hardware, with the quantization, context, batch and
    runtime asked for (None: the default), and a device the catalog lacks described by its
    numbers."""

    model: str
    hardware: tuple[str, ...] = ()
    quant: str | None = None
    context: int | None = None
    batch: int = 1
    runtime: str = "llama.cpp"
    kv_type: str = "f16"
    no_measured: bool = False
    vram_gb: float | None = None
    bandwidth_gb_s: float | None = None
    tflops: float | None = None
    ram_gb: float | None = None
    # GPU memory a setting allows (Apple iogpu.wired_limit_mb, Strix Halo carve-out + GTT).
    gpu_memory_gb: float | None = None
    gpu_memory_utilization: float | None = None  # vLLM's --gpu-memory-utilization

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> CheckQuery:
        """Build from JSON keys (the CLI's long flags with dashes as underscores)."""
        unknown = data.keys() - cls.__dataclass_fields__.keys()
        if unknown:
            raise InputError(f"unknown key(s): {', '.join(sorted(unknown))}")
        if "model" not in data:
            raise InputError("model: missing")
        kwargs: dict[str, Any] = {}
        for key, value in data.items():
            if value is None:
                continue
            if key == "hardware":
                if isinstance(value, str):
                    value = [value]
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise InputError("hardware: expected a list of names")
                kwargs[key] = tuple(value)
            elif key in ("model", "quant", "runtime", "kv_type"):
                if not isinstance(value, str):
                    raise InputError(f"{key}: expected a string")
                kwargs[key] = value
            elif key == "context" and isinstance(value, str):
                kwargs[key] = parse_tokens(value)
            elif key in ("context", "batch"):
                if isinstance(value, bool) or not isinstance(value, int):
                    raise InputError(f"{key}: expected an integer")
                kwargs[key] = value
            elif key == "no_measured":
                if not isinstance(value, bool):
                    raise InputError(f"{key}: expected true or false")
                kwargs[key] = value
            else:
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise InputError(f"{key}: expected a number")
                kwargs[key] = float(value)
        return _new_query(**kwargs) if cls is CheckQuery else cls(**kwargs)


# A batch builds a query per line: builder's one-step constructor, the same object.
_new_query = builder(CheckQuery)


@dataclass(frozen=True)
class LocalMachine:
    """This machine, for the CLI (never the API): the devices `runlocal detect` found, used
    when a query names no hardware, with free memory as their budget; the system RAM they
    may offload to; and the bandwidths `runlocal bench` measured, by profile.device_key."""

    devices: tuple[Device, ...] = ()
    host_ram_bytes: int | None = None
    calibration: Mapping[str, Calibration] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    unavailable: str = "detection found no usable device"


def _calibrate(
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


@dataclass
class CheckResult:
    """The answer to a CheckQuery, as the JSON object `runlocal check --json` prints."""

    data: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return self.data

    @property
    def verdict(self) -> str:
        return str(self.data["verdict"])


# --- model resolution -------------------------------------------------------------------


@lru_cache(maxsize=4096)  # Catalog hashes by identity; its entries do not change
def _component_entry(text: str, catalog: Catalog) -> Entry | None:
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


# --- the check --------------------------------------------------------------------------


def _validate(q: CheckQuery) -> None:
    if q.context is not None and not 0 < q.context <= MAX_CONTEXT:
        raise InputError(f"--context {q.context} is out of range (1–{MAX_CONTEXT:,})")
    if not 0 < q.batch <= MAX_BATCH:
        raise InputError(f"--batch {q.batch} is out of range (1–{MAX_BATCH})")
    if q.ram_gb is not None and not 0 < q.ram_gb <= 65536:
        raise InputError(f"--ram-gb {q.ram_gb:g} is out of range (0–65536)")
    if q.gpu_memory_gb is not None and not 0 < q.gpu_memory_gb <= 65536:
        raise InputError(f"--gpu-memory-gb {q.gpu_memory_gb:g} is out of range (0–65536)")
    if q.gpu_memory_utilization is not None and not 0.05 <= q.gpu_memory_utilization <= 1:
        raise InputError(
            f"--gpu-memory-utilization {q.gpu_memory_utilization:g} is out of range (0.05–1)"
        )


def check(
    q: CheckQuery,
    catalog: Catalog | None = None,
    *,
    allow_files: bool = True,
    local: LocalMachine | None = None,
) -> CheckResult:
    """Answer one query. Raises InputError (or another RunlocalError) for bad input.

    allow_files=False (servers): the model must be a catalog name, never a local path.
    local (the CLI only): this machine's detected devices, used when the query names no
    hardware, and its bench calibration."""
    catalog = catalog or load_catalog()
    # A catalog model's answer is a pure function of the query and the loaded catalog: a
    # repeated query is answered from a marshalled copy (callers get their own dicts). The
    # copy costs a tenth of an answer, so it is kept from a query's second asking on: a
    # batch of different queries pays nothing for it.
    key = (q, catalog, allow_files) if local is None else None
    hit = _ANSWERS.get(key) if key is not None else None
    if hit is not None:  # an answered query was valid
        return CheckResult(marshal.loads(hit))
    _validate(q)
    result, cacheable = _check(q, catalog, allow_files, local)
    if key is not None and cacheable:
        with _ANSWERS_LOCK:  # the website answers from several threads
            if key not in _ASKED:
                if len(_ASKED) >= 4 * ANSWER_CACHE_SIZE:
                    _ASKED.clear()
                _ASKED.add(key)
                return result
            if len(_ANSWERS) >= ANSWER_CACHE_SIZE:
                del _ANSWERS[next(iter(_ANSWERS))]  # the oldest entry
            _ANSWERS[key] = marshal.dumps(result.data)
    return result


def check_brief(
    q: CheckQuery, catalog: Catalog | None = None, *, allow_files: bool = True
) -> dict[str, Any]:
    """The part of check's answer that a table of answers shows (BRIEF_KEYS; of the quality,
    the quantization's loss), the same values check gives, worked out by the same code but
    without the basis, notes, commands, model record and quality per task that a full answer
    writes: the site's model and hardware pages ask dozens per page."""
    catalog = catalog or load_catalog()
    key = (q, catalog, allow_files)
    hit = _ANSWERS.get(key)
    if hit is not None:
        return _brief(marshal.loads(hit))
    _validate(q)
    # A table asks one model on the same devices at several quantizations: what precedes the
    # quantization is resolved once (catalog models only: a file or a remote model is read
    # afresh).
    head_key = (
        q.model,
        q.hardware,
        q.runtime,
        q.gpu_memory_utilization,
        q.gpu_memory_gb,
        q.vram_gb,
        q.bandwidth_gb_s,
        q.tflops,
        catalog,
        allow_files,
    )
    head = _HEADS.get(head_key)
    if head is None:
        found = _head(q, catalog, allow_files, None)
        if isinstance(found, CheckResult):
            return _brief(found.data)
        head = found
        model = head.model
        if model.entry is not None and not (model.hub_repo or model.path or model.file_choices):
            with _HEADS_LOCK:
                if len(_HEADS) >= ANSWER_CACHE_SIZE:
                    _HEADS.clear()
                _HEADS[head_key] = head
    quant = pick_quant(q, head.runtime, head.model)
    return _brief_of(_solve_at(q, catalog, None, head, quant), catalog)


_HEADS: dict[tuple[Any, ...], _Head] = {}
_HEADS_LOCK = threading.Lock()


def _brief_of(solved: _Solved, catalog: Catalog) -> dict[str, Any]:
    plan = solved.plan
    bucket, basis = quality_loss(solved.model, solved.quant, catalog)
    return {
        "quant": solved.quant,
        "context": solved.context,
        "memory": memory_totals(plan, solved.runtime),
        "host": plan.host.to_dict() if plan.host is not None else None,
        "verdict": solved.verdict,
        "reason": solved.reason,
        "fits": solved.fits,
        "offload": {
            "gpu_layers": plan.gpu_layers,
            "total_layers": plan.total_layers,
            "experts_on_host_layers": plan.experts_on_host_layers,
        },
        "max_context": solved.max_ctx,
        "max_context_where": _max_context_where(solved),
        "best_quant": solved.best_quant,
        "speed": _speeds(solved),
        "evidence": solved.evidence,
        "quality": {"quant_loss": bucket, "quant_loss_basis": basis},
    }


# check_brief's keys, in check's order.
BRIEF_KEYS = (
    "quant",
    "context",
    "memory",
    "host",
    "verdict",
    "reason",
    "fits",
    "offload",
    "max_context",
    "max_context_where",
    "best_quant",
    "speed",
    "evidence",
    "quality",
)


def _brief(answer: dict[str, Any]) -> dict[str, Any]:
    """check_brief's part of a full answer (a component model's has no quality)."""
    out = {k: answer[k] for k in BRIEF_KEYS if k in answer}
    if "quality" in out:
        quality = out["quality"]
        out["quality"] = {k: quality[k] for k in ("quant_loss", "quant_loss_basis")}
    return out


ANSWER_CACHE_SIZE = 4096
_ANSWERS: dict[tuple[CheckQuery, Catalog, bool], bytes] = {}
_ASKED: set[tuple[CheckQuery, Catalog, bool]] = set()
_ANSWERS_LOCK = threading.Lock()


def clear_caches() -> None:
    """Forget every answer, plan, layout, inventory and spec computed so far: for benchmarks
    and tests that time or compare checks from cold."""
    from . import hardware
    from .speed.features import (
        _features_template,
        _layer_terms,
        _load_template,
        _model_features_template,
        _prefill_attention,
        device_traits,
        runtime_traits,
    )

    _ANSWERS.clear()
    _ASKED.clear()
    _HEADS.clear()
    _DEVICES.clear()
    _CATALOG_MODELS.clear()
    _BEST_QUANTS.clear()
    for fn in (
        catalog_spec,
        inventory_for,
        plan_answers,
        cached_estimate,
        _component_entry,
        _quality_parts,
        _quality_dicts,
        _quality_loss,
        _entry_size_b,
        _entry_params,
        _device_dict,
        hardware_record,
        hardware.device_from_entry,
        hardware._parse_hardware,
        hardware._fp32_accumulating,
        device_traits,
        runtime_traits,
        _load_template,
        _features_template,
        _layer_terms,
        _model_features_template,
        _prefill_attention,
    ):
        fn.cache_clear()
    mem.clear_caches()


@dataclass
class _Solved:
    """What one query works out before its answer is written: the resolved model, devices and
    options, the memory plan, the speeds and the verdict. check writes all of it
    (_full_answer); a table writes the part it shows (check_brief)."""

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


def _check(
    q: CheckQuery, catalog: Catalog, allow_files: bool, local: LocalMachine | None
) -> tuple[CheckResult, bool]:
    """check's work; also whether the answer may be reused (a catalog model, not a file or
    a remote model, whose files can change)."""
    solved = _solve(q, catalog, allow_files, local)
    if isinstance(solved, CheckResult):
        return solved, True
    model = solved.model
    cacheable = model.entry is not None and not model.hub_repo and not model.path
    return CheckResult(_full_answer(solved, catalog)), cacheable


def _solve(
    q: CheckQuery, catalog: Catalog, allow_files: bool, local: LocalMachine | None
) -> _Solved | CheckResult:
    """Everything an answer says, worked out once (a component model's whole answer)."""
    head = _head(q, catalog, allow_files, local)
    if isinstance(head, CheckResult):
        return head
    return _solve_at(q, catalog, local, head, pick_quant(q, head.runtime, head.model))


@dataclass(frozen=True)
class _Head:
    """What a query resolves before its quantization: the runtime, the model and the devices
    as the runtime sees them; for a catalog model, the same for every quantization asked."""

    runtime: Runtime
    model: ResolvedModel
    devices: tuple[Device, ...]
    calibrated: list[dict[str, Any]]


def _head(
    q: CheckQuery, catalog: Catalog, allow_files: bool, local: LocalMachine | None
) -> _Head | CheckResult:
    runtime = get_runtime(q.runtime)
    if q.gpu_memory_utilization is not None:
        if runtime.engine != "vllm":
            raise InputError("--gpu-memory-utilization is a vLLM setting")
        runtime = replace(runtime, gpu_memory_utilization=q.gpu_memory_utilization)
    is_path = allow_files and is_local_path(q.model)
    entry = _component_entry(q.model, catalog) if not is_path else None
    if entry is not None:
        from .components import component_answer

        listed = resolve_hardware(q, catalog, local)
        return CheckResult(component_answer(entry, listed, q.quant, q.batch, runtime.id))
    model = resolve_model(q.model, catalog, allow_files, q.quant)
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
        return _Head(runtime, model, found, [])
    resolved, calibrated = _calibrate(resolve_hardware(q, catalog, local), q, local)
    check_runtime_hardware(runtime, resolved)
    fp32_acc = runtime.engine in FP32_ACCUMULATING_ENGINES
    devices = tuple([tensor_rate_for(d, fp32_acc) for d in resolved])
    if devices_key is not None:
        with _HEADS_LOCK:
            if len(_DEVICES) >= ANSWER_CACHE_SIZE:
                _DEVICES.clear()
            _DEVICES[devices_key] = devices
    return _Head(runtime, model, devices, calibrated)


_DEVICES: dict[tuple[Any, ...], tuple[Device, ...]] = {}


def _solve_at(
    q: CheckQuery, catalog: Catalog, local: LocalMachine | None, head: _Head, quant: str
) -> _Solved:
    """_solve's work from the quantization on."""
    runtime, model, calibrated = head.runtime, head.model, head.calibrated
    devices = list(head.devices)
    spec = model.spec
    inv = spec.weights if spec.weights is not None else inventory_for(spec, model.entry, quant)
    kv_type = q.kv_type.lower()
    mem.kv_bytes_per_cell_check(kv_type)
    context = q.context or min(_default_context(runtime, devices), spec.max_context)
    notes = list(model.notes)
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
    answers = plan_answers if model.entry is not None else plan_answers_uncached
    est, max_ctx, best_quant = answers(
        spec, inv, model.entry, tuple(devices), host_ram, runtime, context, kv_type, q.batch, quant
    )
    plan, decode, prefill, main_backend = est.plan, est.decode_tok_s, est.prefill_tok_s, est.backend
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
    if not q.no_measured:
        evidence, decode, prefill, measured = apply_measurements(
            catalog, model, quant, devices, runtime, inv, est, depth
        )
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
        decode = _batch_decode(decode, q.batch)

    verdict, reason = verdict_for(plan, decode, devices, host_ram, fits)
    # Positional, each field the local of its name in _Solved's order (a class called with
    # keywords builds a dict of them first, CPython).
    return _Solved(
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


def _max_context_where(s: _Solved) -> str | None:
    """Where the largest context runs: all on the accelerators, or with part of the model in
    system RAM (the verdict's own placement); None when nothing runs."""
    if s.max_ctx is None:
        return None
    plan = s.plan  # plan.full_offload written out (see memory.records.DeviceUse.to_dict)
    full_offload = plan.gpu_layers == plan.total_layers and plan.experts_on_host_layers == 0
    return "offload" if s.fits and not full_offload else "accelerator"


def _speeds(s: _Solved) -> dict[str, float | int | None]:
    """The answer's speeds with their ranges, rounded as every surface shows them."""
    decode, lo_hi, prefill, spread_ = s.decode, s.lo_hi, s.prefill, s.prefill_spread
    # round_rate written out (a call each saved).
    return {
        "decode_tok_s": None if decode is None else round(decode, 1),
        "decode_tok_s_low": round(decode * lo_hi[0], 1) if decode else None,
        "decode_tok_s_high": round(decode * lo_hi[1], 1) if decode else None,
        "prefill_tok_s": None if prefill is None else round(prefill, 1),
        "prefill_tok_s_low": round(prefill * spread_[0], 1) if prefill else None,
        "prefill_tok_s_high": round(prefill * spread_[1], 1) if prefill else None,
        "at_depth_tokens": s.depth,
    }


def _full_answer(s: _Solved, catalog: Catalog) -> dict[str, Any]:
    """check's answer: everything _solve worked out, with its basis, notes and commands."""
    q, model, inv, devices, runtime, plan = s.q, s.model, s.inv, s.devices, s.runtime, s.plan
    quant, context, kv_type, notes = s.quant, s.context, s.kv_type, s.notes
    spec = model.spec
    fits = s.fits
    if q.gpu_memory_gb is not None or s.verdict != "comfortable":
        memory_note = gpu_memory_note(devices, q)
        if memory_note:
            notes.append(memory_note)
    totals = memory_totals(plan, runtime)
    basis = answer_basis(
        spec,
        inv,
        devices,
        runtime,
        kv_type,
        context,
        s.host_ram,
        s.params,
        s.main_backend,
        s.measured,
    )
    if s.calibrated:
        basis["calibration"] = s.calibrated
    out: dict[str, Any] = {
        "model": model_record(model, inv),
        "hardware": [hardware_record(d).copy() for d in devices],
        "runtime": runtime.id,
        "quant": quant,
        "context": context,
        "batch": q.batch,
        "kv_type": kv_type,
        "memory": totals,
        "devices": [u.to_dict() for u in plan.devices],
        "host": plan.host.to_dict() if plan.host is not None else None,
        "verdict": s.verdict,
        "reason": s.reason,
        "fits": fits,
        "offload": {
            "gpu_layers": plan.gpu_layers,
            "total_layers": plan.total_layers,
            "experts_on_host_layers": plan.experts_on_host_layers,
        },
        "max_context": s.max_ctx,
        "max_context_where": _max_context_where(s),
        "best_quant": s.best_quant,
        "speed": _speeds(s),
        "evidence": s.evidence,
        "basis": basis,
        "notes": notes,
        "commands": _answer_commands(s),
        "quality": quality_answer(model, quant, catalog),
        # The defaults this answer took for what the query left out: every surface states
        # them beside the answer, with a way to change them.
        "assumed": {
            "quant": q.quant is None and spec.weights is None,
            "context": q.context is None,
            "ram_gib": s.assumed_ram_gib,
        },
    }
    loss = out["quality"]["quant_loss"]
    if loss in ("moderate", "large"):
        notes.append(
            f"{out['quality']['quant_loss_basis']}: a higher quantization, or a smaller "
            "model at Q4_K_M, often answers better"
        )
    return out


def _answer_commands(s: _Solved) -> dict[str, Any]:
    """Commands only for a setup that runs: a command line beside "will not run" reads as a
    way to run it."""
    if not s.fits:
        return {}
    return commands(s.model, s.runtime, s.quant, s.context, s.plan, s.kv_type)


def _default_context(runtime: Runtime, devices: list[Device]) -> int:
    """Ollama sizes its default context by GPU memory (docs: 4k below 24 GiB, 32k up to
    48 GiB, 256k above); the others use a fixed default."""
    if runtime.id != "ollama":
        return runtime.default_context
    vram = sum(d.budget_bytes for d in devices)
    if vram < 24 * GIB:
        return 4096
    return 32768 if vram < 48 * GIB else 262144


def _batch_decode(decode: float, batch: int) -> float:
    # Aggregate decode of concurrent sequences grows until compute binds; per sequence
    # it falls. We report per-sequence speed, which is what a reader of a chat sees.
    if batch <= 1:
        return decode
    return decode * (1 + math.log2(batch)) / batch


def check_commands(
    q: CheckQuery, catalog: Catalog | None = None, *, allow_files: bool = True
) -> dict[str, Any]:
    """check's quantization, context and commands for one query (the same values under the
    same keys, worked out by the same code: _solve, then answer.commands when it fits),
    without the rest of a whole answer (the basis, notes, model record, quality per task,
    device records): the site's model pages show one setup's commands beside tables of
    brief answers, whose plan for that setup _solve finds already worked out. A component
    model's answer (image and speech pipelines), and an answer check already kept, is the
    whole answer, as check gives it."""
    catalog = catalog or load_catalog()
    hit = _ANSWERS.get((q, catalog, allow_files))
    if hit is not None:  # a whole answer check kept: given as it is
        return marshal.loads(hit)  # type: ignore[no-any-return]
    _validate(q)
    solved = _solve(q, catalog, allow_files, None)
    if isinstance(solved, CheckResult):
        return dict(solved.data)
    return {
        "quant": solved.quant,
        "context": solved.context,
        "commands": _answer_commands(solved),
    }
