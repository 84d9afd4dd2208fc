"""`check`: will this model run on this hardware, how much memory, how fast."""

from __future__ import annotations

import errno
import hashlib
import marshal
import math
import os
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import memory as mem
from .catalog import Catalog, Entry, derived_cached, load_catalog
from .errors import AmbiguousNameError, InputError, UnknownNameError
from .hardware import (
    Device,
    explicit_device,
    gpu_memory_setting,
    parse_hardware,
    tensor_rate_for,
    with_gpu_memory_limit,
)
from .hfconfig import load_config, spec_from_config
from .quality import TASKS, effective_params_b, is_native, quality_model
from .runtimes import Runtime, get_runtime
from .spec import ModelSpec, WeightInventory
from .speed import (
    decode_seconds_per_token,
    features,
    load_params,
    prefill_seconds_per_token,
    safe_rate,
    spread,
)
from .units import GIB, parse_tokens
from .weights import (
    GGUF_SCHEMES,
    estimate_inventory,
    normalize_quant,
    quant_family,
    scale_inventory,
)

MAX_CONTEXT = 10_000_000
MAX_BATCH = 4096
SLOW_DECODE_TOK_S = 5.0
# System RAM assumed beside discrete GPUs when a query gives none: a common desktop's 32 GiB.
# Every surface (pages, tools, API, CLI) gets it from here, and every answer says it assumed it.
DEFAULT_RAM_GIB = 32.0
# Quality ladder for "best quantization that fits": highest quality first.
GGUF_LADDER = ("Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M", "Q3_K_M", "Q2_K")
HF_LADDER = ("BF16", "FP8", "INT8", "AWQ-4BIT", "NF4")
MLX_LADDER = ("MLX-BF16", "MLX-8BIT", "MLX-4BIT")
EXL2_LADDER = ("EXL2-8BPW", "EXL2-6BPW", "EXL2-5BPW", "EXL2-4BPW", "EXL2-3BPW")
EXL3_LADDER = ("EXL3-8BPW", "EXL3-6BPW", "EXL3-5BPW", "EXL3-4BPW", "EXL3-3BPW", "EXL3-2BPW")

if TYPE_CHECKING:
    from .profile import Calibration


@dataclass(frozen=True)
class CheckQuery:
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
        known = {f for f in cls.__dataclass_fields__}
        unknown = set(data) - known
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
        return cls(**kwargs)


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


def _uses_detection(q: CheckQuery, local: LocalMachine | None) -> bool:
    return (
        local is not None
        and not q.hardware
        and q.vram_gb is None
        and q.bandwidth_gb_s is None
        and bool(local.devices)
    )


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
    data: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return self.data

    @property
    def verdict(self) -> str:
        return str(self.data["verdict"])


@dataclass
class ResolvedModel:
    spec: ModelSpec
    entry: Entry | None
    source: str  # "catalog", "config.json", "gguf"
    path: str | None = None
    notes: list[str] = field(default_factory=list)
    quant: str | None = None  # the quant the typed name states ("…-Q4_K_M.gguf", "-AWQ")
    default_quant: str | None = None  # the quant it implies (a bare Ollama tag's file)
    hub_repo: str | None = None  # read from this Hub repo (runlocal.remote)
    # The repo's other GGUF files when none was named: (quant, bytes), to pick what fits.
    file_choices: tuple[tuple[str, int], ...] = ()
    ollama_tag: str | None = None  # read from this Ollama registry tag (runlocal.remote)


# --- model resolution -------------------------------------------------------------------


_WINDOWS_PATH_RE = re.compile(r"^[A-Za-z]:[\\/]")


@lru_cache(maxsize=512)
def _is_local_path(text: str) -> bool:
    """Text written as a path ('./x.gguf', '/models/x', '~/x', 'C:\\x'), or a file or folder that
    exists here. 'owner/name' and a bare 'x.gguf' that do not exist are names, not paths."""
    text = text.strip()
    if text.startswith(("/", "./", "../", "~", ".\\")) or "\\" in text:
        return True
    if _WINDOWS_PATH_RE.match(text):
        return True
    return _name_exists(text)


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


def _check_component_model(
    q: CheckQuery,
    entry: Entry,
    catalog: Catalog,
    runtime: Runtime,
    local: LocalMachine | None = None,
) -> CheckResult:
    """Diffusion and speech models: memory and a verdict; speed is not modelled."""
    from .components import check_components

    devices = resolve_hardware(q, catalog, local)
    m = check_components(entry, devices, q.quant, None)
    total_b = entry.get("params_total_b")
    params = round(float(total_b) * 1e9) if total_b else None
    d = devices[0]
    out: dict[str, Any] = {
        "model": {
            "id": entry.id,
            "name": entry.name,
            "architecture": entry.get("modality"),
            "params_total": params,
            "params_active": params,
            "source": "catalog",
            "weights_source": "component parameter counts at their shipped precision",
            "weights_exact": False,
        },
        "hardware": [
            {
                "id": x.id,
                "name": x.name,
                "memory_bytes": x.memory_bytes,
                "bandwidth_bytes_per_s": x.bandwidth_bytes_per_s,
                "usable_memory_bytes": x.budget_bytes,
                "source": x.source,
            }
            for x in devices
        ],
        "runtime": runtime.id,
        "quant": (q.quant or "as shipped").upper(),
        "context": None,
        "batch": q.batch,
        "kv_type": None,
        "memory": {
            k: m[k]
            for k in (
                "weights_bytes",
                "kv_cache_bytes",
                "compute_bytes",
                "overhead_bytes",
                "total_bytes",
                "budget_bytes",
                "host_bytes",
            )
        },
        "devices": [
            {
                "name": d.name,
                "id": d.id,
                "layers": None,
                "weights_bytes": m["weights_bytes"],
                "kv_cache_bytes": 0,
                "compute_bytes": m["compute_bytes"],
                "overhead_bytes": m["overhead_bytes"],
                "total_bytes": m["total_bytes"],
                "budget_bytes": m["budget_bytes"],
            }
        ],
        "host": None,
        "verdict": m["verdict"],
        "reason": m["reason"],
        "fits": m["fits"],
        # Components count as the units: all of them run on the accelerator (one at a time
        # when they only fit with sequential offload).
        "offload": {
            "gpu_layers": len(m["components"]) if m["fits"] else 0,
            "total_layers": len(m["components"]),
            "experts_on_host_layers": 0,
        },
        "max_context": None,
        "max_context_where": None,
        "best_quant": None,
        "speed": {
            "decode_tok_s": None,
            "decode_tok_s_low": None,
            "decode_tok_s_high": None,
            "prefill_tok_s": None,
            "prefill_tok_s_low": None,
            "prefill_tok_s_high": None,
            "at_depth_tokens": None,
        },
        "evidence": "estimated",
        "basis": {
            "components": m["components"],
            "sequential_offload_bytes": m["sequential_offload_bytes"],
            "devices": [x.to_dict() for x in devices],
        },
        "notes": [
            f"{entry.get('modality')} models: memory only; their speed is not modelled yet",
            "runtimes like ComfyUI and diffusers can offload components one at a time when the whole model does not fit",
        ],
        "commands": {},
        "assumed": {"quant": q.quant is None, "context": False, "ram_gib": None},
    }
    return CheckResult(out)


@lru_cache(maxsize=512)  # Entry hashes by identity: one parse per loaded catalog entry
def _catalog_spec(entry: Entry) -> ModelSpec:
    arch = entry.get("architecture")
    if not isinstance(arch, dict):
        raise InputError(f"{entry.name}: the catalog has no architecture for it")
    return spec_from_config(
        arch, name=entry.name, where=f"catalog models/{entry.id}.toml", model_id=entry.id
    )


def resolve_model(
    text: str, catalog: Catalog, allow_files: bool = True, quant: str | None = None
) -> ResolvedModel:
    """A catalog model, or (when ``allow_files``) a GGUF file or config.json on this machine,
    or a model on the Hugging Face Hub or the Ollama registry (runlocal.remote).

    Servers pass allow_files=False: a name from the web must never open a local file."""
    text = text.strip()
    if not text:
        raise InputError("empty model name")
    if not allow_files or not _is_local_path(text):
        try:
            return _catalog_model(text, catalog)
        except AmbiguousNameError:
            raise  # "which one?" is the answer, not a name to look up elsewhere
        except UnknownNameError as exc:
            from . import remote  # the Hub and Ollama clients load only on this path

            # Servers fetch only inside remote.serving(policy), and only explicit references.
            resolve = remote.resolve_unknown if allow_files else remote.resolve_for_server
            return resolve(text, exc, quant=quant)
    path = Path(text).expanduser()
    if not path.exists():
        raise InputError(f"{text}: no such file or folder")
    if path.suffix == ".gguf" or (path.is_file() and _is_gguf(path)):
        from .gguf import read_gguf

        return ResolvedModel(read_gguf(path), None, "gguf", str(path))
    folder = path if path.is_dir() else path.parent
    config = load_config(path)
    spec = spec_from_config(config, name=folder.name or "model", where=str(path))
    from .safetensors import read_safetensors_inventory

    inv = read_safetensors_inventory(folder, spec.n_layers, _hf_quant_label(config))
    if inv is not None:
        spec = _with_weights(spec, inv)
    return ResolvedModel(spec, None, "config.json", str(path))


# pathlib's (Python 3.11) errors that Path.exists() reads as "no such file".
_IGNORED_ERRNOS = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP)
_IGNORED_WINERRORS = (21, 123, 1921)


def _name_exists(name: str) -> bool:
    """Path(name).exists() for a plain name (no '/', no leading '.' or '~', not empty, so
    Path leaves it unchanged), with the same errors ignored, at a third of the cost."""
    try:
        os.stat(name)
    except OSError as e:
        if (
            getattr(e, "errno", None) not in _IGNORED_ERRNOS
            and getattr(e, "winerror", None) not in _IGNORED_WINERRORS
        ):
            raise
        return False
    except ValueError:
        return False
    return True


def _catalog_model(text: str, catalog: Catalog) -> ResolvedModel:
    from .resolve.ids import read_model

    name = read_model(catalog, text)
    return ResolvedModel(
        _catalog_spec(name.entry),
        name.entry,
        "catalog",
        quant=name.quant,
        default_quant=name.default_quant,
    )


def _is_gguf(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return f.read(4) == b"GGUF"
    except OSError:
        return False


def _hf_quant_label(config: dict[str, Any]) -> str:
    from .hfquant import hf_quant_label

    return hf_quant_label(config)


def _with_weights(spec: ModelSpec, inv: WeightInventory) -> ModelSpec:
    from dataclasses import replace

    prov = dict(spec.provenance)
    prov["weights"] = inv.source
    return replace(spec, weights=inv, provenance=prov)


@lru_cache(maxsize=4096)
def inventory_for(spec: ModelSpec, entry: Entry | None, quant: str) -> WeightInventory:
    inv = estimate_inventory(spec, quant)
    if entry is not None:
        for f in entry.get("files", []):
            if normalize_quant_loose(str(f.get("quant", ""))) == quant and f.get("size_bytes"):
                return scale_inventory(
                    inv, int(f["size_bytes"]), f"file size of {f.get('url', 'the published file')}"
                )
    return inv


# --- hardware resolution ----------------------------------------------------------------


def resolve_hardware(
    q: CheckQuery, catalog: Catalog, local: LocalMachine | None = None
) -> list[Device]:
    """The query's devices; with none named, this machine's (``local``, from the CLI)."""
    if _uses_detection(q, local) and q.tflops is None:
        assert local is not None
        return list(local.devices)
    devices: list[Device] = []
    for text in q.hardware:
        devices.extend(parse_hardware(catalog, text))
    explicit = (q.vram_gb, q.bandwidth_gb_s)
    if any(v is not None for v in explicit):
        if q.vram_gb is None or q.bandwidth_gb_s is None:
            raise InputError("--vram-gb and --bandwidth-gb-s go together")
        devices.append(explicit_device(q.vram_gb, q.bandwidth_gb_s, q.tflops))
    elif q.tflops is not None:
        raise InputError("--tflops needs --vram-gb and --bandwidth-gb-s")
    if not devices:
        detected = f", and {local.unavailable}" if local is not None else ""
        raise InputError(
            f"no hardware given{detected}: use --hardware NAME or --vram-gb with --bandwidth-gb-s"
        )
    kinds = {d.kind for d in devices}
    if len(devices) > 1 and "cpu" in kinds:
        raise InputError("list GPUs with --hardware and give system RAM with --ram-gb")
    if len(devices) > 1 and "unified" in kinds:
        raise InputError("unified-memory machines (Apple, Strix Halo, DGX Spark) run one at a time")
    if q.gpu_memory_gb is not None:
        if "cpu" in kinds:
            raise InputError("--gpu-memory-gb needs a GPU or a unified-memory machine")
        limit = round(q.gpu_memory_gb * GIB)
        devices = [with_gpu_memory_limit(d, limit) for d in devices]
    return devices


def gpu_memory_note(devices: list[Device], q: CheckQuery) -> str | None:
    """Where a setting decides how much memory the GPU gets, say so and name the setting."""
    device = devices[0] if len(devices) == 1 else None
    if device is None or device.kind != "unified":
        return None
    used = f"{device.budget_bytes / GIB:.1f} of {device.memory_bytes / GIB:g} GiB"
    # Said the same on every surface: the CLI's --gpu-memory-gb, the form's and the API's
    # gpu_memory_gb are the one setting, named in their own help.
    if q.gpu_memory_gb is not None:
        return f"the GPU may use {used}, as given; set by {gpu_memory_setting(device)}"
    return (
        f"the GPU may use {used} by default; {gpu_memory_setting(device)} changes it "
        "(give the GPU memory it allows to check with that)"
    )


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


_RUNTIME_FOR = {"hf": "vllm", "mlx": "mlx", "exl2": "exllamav2", "gguf": "llama.cpp"}


def default_quant(entry: Entry | None, runtime: Runtime) -> str:
    """The quantization a query without one gets: the model's native format where it ships
    one and the runtime loads it (gpt-oss: MXFP4), else the runtime's default."""
    native = entry.get("native_quant") if entry is not None else None
    if isinstance(native, str) and native:
        try:
            quant = normalize_quant(native)
        except InputError:
            return runtime.default_quant
        if quant in GGUF_SCHEMES:
            family = "gguf"
        else:
            try:
                family = quant_family(quant)
            except KeyError:
                return runtime.default_quant
        if family in runtime.formats:
            return quant
    return runtime.default_quant


def _pick_quant(q: CheckQuery, runtime: Runtime, model: ResolvedModel) -> str:
    if model.spec.weights is not None:
        file_quant = model.spec.weights.quant
        if q.quant and normalize_quant(q.quant) != normalize_quant_loose(file_quant):
            model.notes.append(f"--quant {q.quant} ignored: the file is {file_quant}")
        return file_quant
    named = model.quant
    if q.quant and named and normalize_quant(q.quant) != named:
        raise InputError(f"--quant {q.quant} contradicts the model name, which says {named}")
    quant = normalize_quant(q.quant) if q.quant else named
    if quant is None:
        implied = model.default_quant
        usable = implied if implied and _loads(runtime, implied) else None
        quant = usable or default_quant(model.entry, runtime)
    family = "gguf" if quant in GGUF_SCHEMES and "gguf" in runtime.formats else None
    if family is None:
        family = "hf" if quant in ("BF16", "F16") else quant_family(quant)
        quant = "FP16" if quant == "F16" and family == "hf" else quant
    if family not in runtime.formats:
        hint = f"; --runtime {_RUNTIME_FOR[family]} does" if family in _RUNTIME_FOR else ""
        raise InputError(
            f"{runtime.name} does not load {quant} ({family} format); it loads "
            f"{', '.join(runtime.formats)} models{hint}"
        )
    return quant


def _loads(runtime: Runtime, quant: str) -> bool:
    family = "gguf" if quant in GGUF_SCHEMES else quant_family(quant)
    return family in runtime.formats


def runtime_loads(runtime_id: str, quant: str) -> bool:
    """Whether a runtime loads a quant's format (False for an unknown runtime)."""
    try:
        return _loads(get_runtime(runtime_id), quant)
    except InputError:
        return False


def normalize_quant_loose(quant: str) -> str:
    try:
        return normalize_quant(quant)
    except InputError:
        return quant


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


def _full_usage(
    spec: ModelSpec,
    inv: WeightInventory,
    devices: list[Device],
    host_ram: int | None,
    runtime: Runtime,
    context: int,
    kv_type: str,
    batch: int,
) -> list[tuple[int, int]]:
    """(bytes that must fit, limit) per device with everything on the accelerators."""
    if runtime.engine == "llama.cpp":
        return mem.llama_full_offload_usage(spec, inv, devices, runtime, context, kv_type, batch)
    p = _plan(spec, inv, devices, host_ram, runtime, context, kv_type, batch)
    return [mem.usage(u) for u in p.devices]


def _fits_fully(
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
    rows = _full_usage(spec, inv, devices, host_ram, runtime, context, kv_type, batch)
    return all(u <= b for u, b in rows), any(mem.is_tight(u, b) for u, b in rows)


def _best_fitting_file(
    q: CheckQuery,
    model: ResolvedModel,
    devices: list[Device],
    host_ram: int | None,
    runtime: Runtime,
    context: int,
    kv_type: str,
) -> ResolvedModel:
    """For a Hub repo of GGUF files with none named: the largest file (the best quality) that
    fits the accelerators with room to spare, judged by its size on the file's own layer
    shapes, then read for real. None fits: the default file stays, and the answer says why."""
    inv = model.spec.weights
    if inv is None:
        return model
    from .remote.ggufnames import QUALITY_ORDER

    def better_first(choice: tuple[str, int]) -> tuple[int, int]:
        rank = QUALITY_ORDER.index(choice[0]) if choice[0] in QUALITY_ORDER else -1
        return -choice[1], -rank

    for quant, size_bytes in sorted(model.file_choices, key=better_first):
        trial = scale_inventory(inv, size_bytes, "the repository's file size")
        fits, tight = _fits_fully(
            model.spec, trial, devices, host_ram, runtime, context, kv_type, q.batch
        )
        if not fits or tight:
            continue
        if quant == inv.quant:
            return model
        from .remote import resolve_remote

        chosen = resolve_remote(q.model, quant=quant)
        chosen.notes.append(
            f"{quant}: the largest file in {model.hub_repo} that fits with room to spare "
            "(name a quant to choose another)"
        )
        return chosen
    return model


def _check_runtime_hardware(runtime: Runtime, devices: list[Device]) -> None:
    backends = {d.backend for d in devices}
    if runtime.engine == "mlx" and backends != {"metal"}:
        raise InputError("MLX runs only on Apple silicon")
    if runtime.engine in ("vllm", "exllamav2") and backends & {"metal", "cpu"}:
        raise InputError(f"{runtime.name} needs NVIDIA or AMD GPUs")
    if runtime.engine == "exllamav2" and not backends <= {"cuda", "rocm"}:
        raise InputError("ExLlamaV2 needs NVIDIA or AMD GPUs")


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


ANSWER_CACHE_SIZE = 4096
_ANSWERS: dict[tuple[CheckQuery, Catalog, bool], bytes] = {}
_ASKED: set[tuple[CheckQuery, Catalog, bool]] = set()
_ANSWERS_LOCK = threading.Lock()


def clear_caches() -> None:
    """Forget every answer, plan, layout, inventory and spec computed so far: for benchmarks
    and tests that time or compare checks from cold."""
    from . import hardware

    _ANSWERS.clear()
    _ASKED.clear()
    _BEST_QUANTS.clear()
    for fn in (
        _catalog_spec,
        inventory_for,
        _plan_answers,
        _estimate,
        _quality_parts,
        mem.kv_profile,
        mem._prefix,
        mem._llama_layout,
        mem._llama_cells,
        mem._llama_compute_pair,
        mem._attention_widths,
        mem._sparse_layers,
        mem._expert_layer_prefix,
        mem.kv_bytes_per_cell_check,
        hardware.device_from_entry,
        hardware._parse_hardware,
    ):
        fn.cache_clear()


def _check(
    q: CheckQuery, catalog: Catalog, allow_files: bool, local: LocalMachine | None
) -> tuple[CheckResult, bool]:
    """check's work; also whether the answer may be reused (a catalog model, not a file or
    a remote model, whose files can change)."""
    runtime = get_runtime(q.runtime)
    if q.gpu_memory_utilization is not None:
        if runtime.engine != "vllm":
            raise InputError("--gpu-memory-utilization is a vLLM setting")
        runtime = replace(runtime, gpu_memory_utilization=q.gpu_memory_utilization)
    is_path = allow_files and _is_local_path(q.model)
    entry = _component_entry(q.model, catalog) if not is_path else None
    if entry is not None:
        return _check_component_model(q, entry, catalog, runtime, local), True
    model = resolve_model(q.model, catalog, allow_files, q.quant)
    spec = model.spec
    devices, calibrated = _calibrate(resolve_hardware(q, catalog, local), q, local)
    _check_runtime_hardware(runtime, devices)
    fp32_acc = runtime.engine in ("vllm", "transformers", "exllamav2")
    devices = [tensor_rate_for(d, fp32_acc) for d in devices]
    quant = _pick_quant(q, runtime, model)
    inv = spec.weights if spec.weights is not None else inventory_for(spec, model.entry, quant)
    kv_type = q.kv_type.lower()
    mem.kv_bytes_per_cell_check(kv_type)
    context = q.context or min(_default_context(runtime, devices), spec.max_context)
    notes = list(model.notes)
    detected = _uses_detection(q, local)
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
    if host_ram is None and any(d.kind == "gpu" for d in devices):
        # A discrete GPU sits in a machine with RAM to offload to: assume a common amount,
        # and say so, rather than answer "will not run" for what runs with offload.
        assumed_ram_gib = DEFAULT_RAM_GIB
        host_ram = round(DEFAULT_RAM_GIB * GIB)
    if model.file_choices and not q.quant:
        chosen = _best_fitting_file(q, model, devices, host_ram, runtime, context, kv_type)
        if chosen is not model:
            notes = [*chosen.notes, *notes[len(model.notes) :]]
            model, spec = chosen, chosen.spec
            quant = _pick_quant(q, runtime, model)
            inv = spec.weights if spec.weights is not None else inv
    # A model read from a file gets a new spec (hashed by identity) each time: nothing to reuse.
    answers = _plan_answers if model.entry is not None else _plan_answers_uncached
    est, max_ctx, best_quant = answers(
        spec, inv, model.entry, tuple(devices), host_ram, runtime, context, kv_type, q.batch, quant
    )
    plan, decode, prefill, main_backend = est.plan, est.decode_tok_s, est.prefill_tok_s, est.backend
    # The offload search's notes describe a placement; when even that does not fit, they
    # would read as a way to run it.
    fits = plan.fits
    notes.extend(plan.notes if fits else [])
    params = load_params()
    depth = context // 2
    lo_hi = spread(params.decode_spread, main_backend)
    evidence, measured = "estimated", list[dict[str, Any]]()
    if not q.no_measured:
        evidence, decode, prefill, measured = _apply_measurements(
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

    verdict, reason = _verdict(plan, decode, devices, host_ram)
    if q.gpu_memory_gb is not None or verdict != "comfortable":
        memory_note = gpu_memory_note(devices, q)
        if memory_note:
            notes.append(memory_note)
    totals = _totals(plan, runtime)
    basis = _basis(
        spec, inv, devices, runtime, kv_type, context, host_ram, params, main_backend, measured
    )
    if calibrated:
        basis["calibration"] = calibrated
    out: dict[str, Any] = {
        "model": _model_dict(model, inv),
        "hardware": [
            {
                "id": d.id,
                "name": d.name,
                "memory_bytes": d.memory_bytes,
                "bandwidth_bytes_per_s": d.bandwidth_bytes_per_s,
                "usable_memory_bytes": d.budget_bytes,
                "source": d.source,
            }
            for d in devices
        ],
        "runtime": runtime.id,
        "quant": quant,
        "context": context,
        "batch": q.batch,
        "kv_type": kv_type,
        "memory": totals,
        "devices": [u.to_dict() for u in plan.devices],
        "host": plan.host.to_dict() if plan.host is not None else None,
        "verdict": verdict,
        "reason": reason,
        "fits": fits,
        "offload": {
            "gpu_layers": plan.gpu_layers,
            "total_layers": plan.total_layers,
            "experts_on_host_layers": plan.experts_on_host_layers,
        },
        "max_context": max_ctx,
        # Where that largest context runs: all on the accelerators, or with part of the
        # model in system RAM (the verdict's own placement); None when nothing runs.
        "max_context_where": None
        if max_ctx is None
        else ("offload" if fits and not plan.full_offload else "accelerator"),
        "best_quant": best_quant,
        "speed": {
            "decode_tok_s": _round(decode),
            "decode_tok_s_low": _round(decode * lo_hi[0]) if decode else None,
            "decode_tok_s_high": _round(decode * lo_hi[1]) if decode else None,
            "prefill_tok_s": _round(prefill),
            "prefill_tok_s_low": _round(prefill * prefill_spread[0]) if prefill else None,
            "prefill_tok_s_high": _round(prefill * prefill_spread[1]) if prefill else None,
            "at_depth_tokens": depth,
        },
        "evidence": evidence,
        "basis": basis,
        "notes": notes,
        # Commands only for a setup that runs: a command line beside "will not run" reads
        # as a way to run it.
        "commands": _commands(model, runtime, quant, context, plan, kv_type) if fits else {},
        "quality": _quality(model, quant, catalog),
        # The defaults this answer took for what the query left out: every surface states
        # them beside the answer, with a way to change them.
        "assumed": {
            "quant": q.quant is None and spec.weights is None,
            "context": q.context is None,
            "ram_gib": assumed_ram_gib,
        },
    }
    loss = out["quality"]["quant_loss"]
    if loss in ("moderate", "large"):
        notes.append(
            f"{out['quality']['quant_loss_basis']}: a higher quantization, or a smaller "
            "model at Q4_K_M, often answers better"
        )
    return CheckResult(out), model.entry is not None and not model.hub_repo and not model.path


def _quality(model: ResolvedModel, quant: str, catalog: Catalog) -> dict[str, Any]:
    """What the quantization costs in quality (llama.cpp's measured perplexity / KLD tables)
    and, for a catalog model, its quality per task at that quantization (published scores
    on one scale per task, or an estimate from size; docs/methodology.md, "Quality")."""
    size_b = effective_params_b(model.entry) if model.entry is not None else None
    if size_b is None and model.spec.params_total:
        size_b = model.spec.params_total / 1e9
    bucket, basis, tasks = _quality_parts(catalog, model.entry, quant, size_b)
    return {
        "quant_loss": bucket,
        "quant_loss_basis": basis,
        "tasks": None if tasks is None else {task: dict(t) if t else None for task, t in tasks},
    }


@lru_cache(maxsize=4096)  # Catalog and Entry hash by identity
def _quality_parts(
    catalog: Catalog, entry: Entry | None, quant: str, size_b: float | None
) -> tuple[str, str, tuple[tuple[str, tuple[tuple[str, Any], ...] | None], ...] | None]:
    qm = quality_model(catalog)
    family = str(entry.get("family") or "") or None if entry is not None else None
    loss = qm.quant_loss(
        quant, size_b, family, entry.name if entry is not None else None, is_native(entry, quant)
    )
    if entry is None:
        return loss.bucket, loss.note, None
    tasks = []
    for task in TASKS:
        merit = qm.merit(entry, task, quant)
        tasks.append(
            (
                task,
                None
                if merit is None
                else (
                    ("score", round(merit.value, 1)),
                    ("scale", merit.model.scale),
                    ("estimated", merit.estimated),
                    ("basis", merit.basis),
                ),
            )
        )
    return loss.bucket, loss.note, tuple(tasks)


@dataclass
class Estimate:
    plan: mem.MemoryPlan
    features: Any
    decode_tok_s: float | None
    prefill_tok_s: float | None
    backend: str


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
    decode = safe_rate(decode_seconds_per_token(f, params)) if fits and spec.causal else None
    prefill = (
        safe_rate(prefill_seconds_per_token(f, params, depth, prompt_tokens)) if fits else None
    )
    backend = f.loads[0].backend if f.loads else "cpu"
    return Estimate(plan, f, decode, prefill, backend)


@lru_cache(maxsize=4096)
def _estimate(
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


def _default_context(runtime: Runtime, devices: list[Device]) -> int:
    """Ollama sizes its default context by GPU memory (docs: 4k below 24 GiB, 32k up to
    48 GiB, 256k above); the others use a fixed default."""
    if runtime.id != "ollama":
        return runtime.default_context
    vram = sum(d.budget_bytes for d in devices)
    if vram < 24 * GIB:
        return 4096
    return 32768 if vram < 48 * GIB else 262144


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 1)


def _batch_decode(decode: float, batch: int) -> float:
    # Aggregate decode of concurrent sequences grows until compute binds; per sequence
    # it falls. We report per-sequence speed, which is what a reader of a chat sees.
    if batch <= 1:
        return decode
    return decode * (1 + math.log2(batch)) / batch


# Unified memory (Apple, Strix Halo, DGX Spark, Jetson): the CPU cores share the GPU's
# memory bus but cannot saturate it. AnandTech measured the M1 Max's CPU clusters at about
# 243 of 409.6 GB/s (59%); smaller chips reach more of their narrower bus, so 0.6 is an
# upper bound for the big ones. Offloaded weights are read at this rate, never faster.
UNIFIED_CPU_BANDWIDTH_SHARE = 0.6


def _host_bandwidth(devices: list[Device], host_ram: int | None) -> float | None:
    if any(d.kind == "unified" for d in devices):
        return devices[0].bandwidth_bytes_per_s * UNIFIED_CPU_BANDWIDTH_SHARE
    if any(d.kind == "cpu" for d in devices):
        return devices[0].bandwidth_bytes_per_s
    # A desktop with dual-channel DDR5 (about 80 GB/s) when only --ram-gb is known.
    return 80e9 if host_ram is not None else None


def _host_fp32_flops(devices: list[Device]) -> float | None:
    """On unified memory the CPU side dequantizes with less arithmetic than the GPU has: the
    GPU's FP32 rate bounds its cost from below. A separate host is bound by its DDR first."""
    if all(d.kind == "unified" for d in devices):
        return devices[0].fp32_flops
    return None


def _totals(plan: mem.MemoryPlan, runtime: Runtime) -> dict[str, Any]:
    weights = plan.sum("weights_bytes")
    kv = plan.sum("kv_cache_bytes")
    compute = plan.sum("compute_bytes")
    overhead = plan.sum("overhead_bytes")
    return {
        "weights_bytes": weights,
        "kv_cache_bytes": kv,
        "compute_bytes": compute,
        "overhead_bytes": overhead,
        "total_bytes": weights + kv + compute + overhead,
        "budget_bytes": plan.sum("budget_bytes"),
        "host_bytes": plan.host.total_bytes if plan.host is not None else 0,
    }


def _verdict(
    plan: mem.MemoryPlan, decode: float | None, devices: list[Device], host_ram: int | None
) -> tuple[str, str]:
    if not plan.fits:
        if plan.gpu_layers == 0 and plan.host is not None and host_ram is None:
            return "wont-run", "the model does not fit in GPU memory, and system RAM was not given"
        return "wont-run", "the model does not fit in the memory available"
    if not plan.full_offload:
        moved = (
            f"experts of {plan.experts_on_host_layers} layers"
            if plan.experts_on_host_layers
            else f"{plan.total_layers - plan.gpu_layers} of {plan.total_layers} layers"
        )
        return "tradeoffs", f"{moved} run from system RAM, which slows decoding"
    if decode is not None and decode < SLOW_DECODE_TOK_S:
        return "tradeoffs", f"it fits, but decodes at about {decode:.1f} tokens/s"
    if plan.tight:
        return (
            "tradeoffs",
            "it fits with less than 10% (or 1 GiB) to spare; other programs may push it out",
        )
    if plan.host is not None and plan.host.total_bytes > 0:
        # llama.cpp keeps the token-embedding table (a lookup, not a layer) in system RAM.
        return (
            "comfortable",
            "it fits with headroom: every layer on the accelerator, the token embeddings "
            f"({plan.host.total_bytes / GIB:.2f} GiB) in system RAM",
        )
    return "comfortable", "it fits with headroom, entirely on the accelerator"


def _max_context(
    spec: ModelSpec,
    inv: WeightInventory,
    devices: list[Device],
    host_ram: int | None,
    runtime: Runtime,
    kv_type: str,
    batch: int,
    known: tuple[int, bool] | None = None,
) -> int | None:
    """Largest context (multiple of 256) that still fits fully on the accelerators.

    known: (a context, whether it fits fully), from the plan already made, to skip a probe.

    Memory is affine in the context once sliding windows are full, so two plans give each
    device's slope and the limit follows; one more plan confirms it (bisection otherwise).
    """

    def usage(ctx: int) -> list[tuple[int, int]]:
        return _full_usage(spec, inv, devices, host_ram, runtime, ctx, kv_type, batch)

    def fits(ctx: int) -> bool:
        return all(u <= b for u, b in usage(ctx))

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
    with layers or experts in system RAM: memory grows with the context, so a bisection."""

    def runs(ctx: int) -> bool:
        return _plan(spec, inv, devices, host_ram, runtime, ctx, kv_type, batch).fits

    top = spec.max_context
    if runs_at >= top or runs(top):
        return max(top, runs_at)
    lo, hi = runs_at, top
    while hi - lo > 256:
        mid = (lo + hi) // 2 // 256 * 256
        if mid <= lo:
            break
        if runs(mid):
            lo = mid
        else:
            hi = mid
    return lo


def _plan_answers_uncached(
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
    queries reuse them (see _plan_answers): the estimate at half the context, the largest
    context and the best quantization."""
    est = estimate(
        spec, inv, list(devices), host_ram, runtime, context, kv_type, batch, context // 2
    )
    plan, hw = est.plan, list(devices)
    runs = plan.fits
    fits_fully = runs and plan.full_offload
    max_ctx = _max_context(spec, inv, hw, host_ram, runtime, kv_type, batch, (context, fits_fully))
    if max_ctx is None and runs:
        # It runs only with part of it in system RAM: the largest context that still runs so.
        max_ctx = _max_context_offloaded(spec, inv, hw, host_ram, runtime, kv_type, batch, context)
    best_quant = None
    if spec.weights is None:
        # The best quantization does not depend on the one asked about, which only narrows the
        # search (judged as the search judges every step), so a page's table of quantizations
        # computes it once.
        key = (spec, entry, devices, host_ram, runtime, context, kv_type, batch)
        # One lookup (another thread may clear the dict between two).
        found = _BEST_QUANTS.get(key, _UNKNOWN)
        if found is not _UNKNOWN:
            best_quant = found
        else:
            fits, tight = _fits_fully(spec, inv, hw, host_ram, runtime, context, kv_type, batch)
            known = (quant, fits and not tight)
            best_quant = _best_quant(
                spec, entry, hw, host_ram, runtime, context, kv_type, batch, known
            )
            with _ANSWERS_LOCK:
                if len(_BEST_QUANTS) >= ANSWER_CACHE_SIZE:
                    _BEST_QUANTS.clear()
                _BEST_QUANTS[key] = best_quant
    return est, max_ctx, best_quant


_BEST_QUANTS: dict[tuple[Any, ...], str | None] = {}
_UNKNOWN = "?"  # not a quantization name: "not computed yet" beside None ("none fits")


# ModelSpec and Entry hash by identity, devices by value. Callers treat the estimate (its plan
# included) as read-only.
_plan_answers = lru_cache(maxsize=4096)(_plan_answers_uncached)


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
) -> str | None:
    """Highest-quality quantization that fits comfortably (the ladder shrinks monotonically,
    so a bisection finds it). known: (a quant, whether it fits comfortably) narrows it."""
    ladder = {
        "gguf": GGUF_LADDER,
        "hf": HF_LADDER,
        "mlx": MLX_LADDER,
        "exl2": EXL2_LADDER,
        "exl3": EXL3_LADDER,
    }[runtime.formats[0]]

    def ok(i: int) -> bool:
        inv = inventory_for(spec, entry, ladder[i])
        fits, tight = _fits_fully(spec, inv, devices, host_ram, runtime, context, kv_type, batch)
        return fits and not tight

    lo, hi = 0, len(ladder)
    if known is not None and known[0] in ladder:
        at = ladder.index(known[0])
        lo, hi = (0, at) if known[1] else (at + 1, len(ladder))
    # ok() is false then true along the ladder; hi itself means "none fits".
    first = mem.first_true(lo, hi, lambda i: i == len(ladder) or ok(i))
    return ladder[first] if first < len(ladder) else None


@dataclass(frozen=True)
class BenchRow:
    hardware: str
    backend: str
    n_devices: int
    metric: str
    depth: int
    context: int
    value: float
    source: str
    build: str
    community: bool = False


@lru_cache(maxsize=8)
def _bench_index(catalog: Catalog) -> dict[tuple[str, str], list[BenchRow]]:
    """(model id, quant) → published llama.cpp results (kept beside the parse cache)."""
    tag = f"index-{hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]}"
    return derived_cached(catalog, "benchmarks", tag, lambda: _build_bench_index(catalog))


def _build_bench_index(catalog: Catalog) -> dict[tuple[str, str], list[BenchRow]]:
    index: dict[tuple[str, str], list[BenchRow]] = {}
    for bench in catalog.benchmarks.values():
        source = bench.sources[0] if bench.sources else ""
        community = bench.get("trust") == "community"
        for row in bench.get("results", []):
            metric = str(row.get("metric"))
            if metric not in ("tg_tok_s", "pp_tok_s"):
                continue
            base = int(row.get("context_tokens", 0) or 0)
            size = int(row.get("gen_tokens" if metric == "tg_tok_s" else "prompt_tokens", 0) or 0)
            index.setdefault((str(row.get("model")), str(row.get("quant"))), []).append(
                BenchRow(
                    hardware=str(bench.get("hardware")),
                    backend=str(row.get("backend", "")),
                    n_devices=int(row.get("n_devices", 1)),
                    metric=metric,
                    depth=base + size // 2,
                    context=max(base + size, 1),
                    value=float(row["value"]),
                    source=str(row.get("source") or source),
                    build=str(row.get("build", "")),
                    community=community,
                )
            )
    return index


def _apply_measurements(
    catalog: Catalog,
    model: ResolvedModel,
    quant: str,
    devices: list[Device],
    runtime: Runtime,
    inv: WeightInventory,
    est: Estimate,
    depth: int,
) -> tuple[str, float | None, float | None, list[dict[str, Any]]]:
    """Replace formula speeds by published measurements where they exist.

    measured: this model, quant, hardware and device count, at a similar KV depth.
    measured-near: the same setup measured at another depth, scaled by the formula's ratio.
    extrapolated: the same model and quant measured on other hardware of the same backend,
    scaled by the formula's ratio between the two.
    """
    decode, prefill = est.decode_tok_s, est.prefill_tok_s
    if model.entry is None or runtime.engine != "llama.cpp" or not est.plan.fits:
        return "estimated", decode, prefill, []
    rows = _bench_index(catalog).get((model.entry.id, quant), [])
    if not rows:
        return "estimated", decode, prefill, []
    same_hw = len({d.id for d in devices}) == 1 and devices[0].id is not None
    rank = {"measured": 4, "measured-near": 3, "community": 2, "extrapolated": 1, "estimated": 0}
    evidence = "estimated"
    used: list[dict[str, Any]] = []
    for metric in ("tg_tok_s", "pp_tok_s"):
        formula = decode if metric == "tg_tok_s" else prefill
        if formula is None:
            continue
        candidates = [r for r in rows if r.metric == metric and r.n_devices == len(devices)]
        exact = [r for r in candidates if same_hw and r.hardware == devices[0].id]
        label = "measured"
        if exact:
            # Published measurements first; approved community results when none exists.
            best = min(exact, key=lambda r: (r.community, abs(r.depth - depth)))
            near = abs(best.depth - depth) <= max(512, depth // 4)
            label = "community" if best.community else ("measured" if near else "measured-near")
            bench_devices = devices
        else:
            others = [
                r
                for r in candidates
                if r.backend == est.backend and r.hardware in catalog.hardware and not r.community
            ]
            if not others:
                continue
            bw = devices[0].bandwidth_bytes_per_s
            best = min(
                others,
                key=lambda r: (
                    abs(
                        math.log(
                            float(catalog.hardware[r.hardware].get("bandwidth_gb_s")) * 1e9 / bw
                        )
                    ),
                    abs(r.depth - depth),
                ),
            )
            label = "extrapolated"
            from .hardware import device_from_entry

            bench_devices = [device_from_entry(catalog.hardware[best.hardware])] * best.n_devices
            near = False
        value = best.value
        if not near:
            ref = _estimate(
                model.spec,
                inv,
                tuple(bench_devices),
                None,
                runtime,
                best.context,
                "f16",
                1,
                best.depth,
            )
            ref_rate = ref.decode_tok_s if metric == "tg_tok_s" else ref.prefill_tok_s
            if not ref_rate:
                continue
            value = best.value * formula / ref_rate
        if metric == "tg_tok_s":
            decode = value
        else:
            prefill = value
        if rank[label] > rank[evidence]:
            evidence = label
        used.append(
            {
                "metric": metric,
                "evidence": label,
                "measured_value": best.value,
                "hardware": best.hardware,
                "n_devices": best.n_devices,
                "depth": best.depth,
                "build": best.build,
                "source": best.source,
                "value_used": round(value, 2),
            }
        )
    return evidence, decode, prefill, used


def _model_dict(model: ResolvedModel, inv: WeightInventory) -> dict[str, Any]:
    spec = model.spec
    entry = model.entry
    total = spec.params_total
    active = spec.params_active
    if entry is not None and entry.get("params_total_b"):
        total = round(float(entry.get("params_total_b")) * 1e9)
        active = round(float(entry.get("params_active_b") or entry.get("params_total_b")) * 1e9)
    return {
        "id": entry.id if entry else spec.id,
        "name": entry.name if entry else spec.name,
        "architecture": spec.architecture,
        "params_total": total,
        "params_active": active,
        "layers": spec.n_layers,
        "source": model.source,
        "path": model.path,
        "weights_source": inv.source,
        "weights_exact": inv.exact,
    }


def _basis(
    spec: ModelSpec,
    inv: WeightInventory,
    devices: list[Device],
    runtime: Runtime,
    kv_type: str,
    context: int,
    host_ram: int | None,
    params: Any,
    backend: str,
    measured: list[dict[str, Any]],
) -> dict[str, Any]:
    return {
        "architecture": dict(spec.provenance),
        "layers_by_kind": dict(spec.layers_by_kind),
        "sliding_window": spec.sliding_window,
        "mla_latent_elements": spec.mla.latent_elements if spec.mla else None,
        "experts": {"total": spec.n_experts, "used": spec.n_experts_used} if spec.is_moe else None,
        "weights": {"source": inv.source, "exact": inv.exact, "bytes": inv.total_bytes},
        "kv_type": kv_type,
        "kv_bytes_per_token_full_layers": float(mem.kv_bytes_per_token(spec, runtime, kv_type)),
        "context": context,
        "runtime_rules": {
            "swa_windowed": runtime.swa_windowed,
            "mla_latent": runtime.mla_latent,
            "version": runtime.version,
            "ubatch": mem.LLAMA_UBATCH if runtime.engine == "llama.cpp" else None,
            "flash_attention": True if runtime.engine == "llama.cpp" else None,
        },
        "devices": [d.to_dict() for d in devices],
        "host_ram_bytes": host_ram,
        "speed_params": {
            "backend": backend,
            "bandwidth_efficiency": params.bandwidth_efficiency.get(backend),
            "fixed_ms": params.fixed_ms.get(backend),
            "per_layer_us": params.per_layer_us,
            "prefill_efficiency": params.prefill_efficiency.get(backend),
        },
        "measurements": measured,
    }


def _commands(
    model: ResolvedModel,
    runtime: Runtime,
    quant: str,
    context: int,
    plan: mem.MemoryPlan,
    kv_type: str,
) -> dict[str, str]:
    entry = model.entry
    repo = str(entry.get("hf_repo", "")) if entry else (model.hub_repo or "")
    ngl = plan.gpu_layers if plan.gpu_layers < plan.total_layers else 999
    model_arg = f"-m {model.path or repo.split('/')[-1] or 'model'}-{quant}.gguf"
    if model.path:
        model_arg = f"-m {model.path}"
    if model.hub_repo and model.source == "gguf":
        model_arg = f"-hf {model.hub_repo}:{quant}"  # llama.cpp downloads it from the Hub
    kv = f" -ctk {kv_type} -ctv {kv_type} -fa on" if kv_type != "f16" else ""
    cmds: dict[str, str] = {}
    if runtime.engine == "llama.cpp":
        moe = f" --n-cpu-moe {plan.experts_on_host_layers}" if plan.experts_on_host_layers else ""
        cmds["llama.cpp"] = f"llama-server {model_arg} -c {context} -ngl {ngl}{moe}{kv}"
        tag = entry.get("ollama_tag") if entry else model.ollama_tag
        if tag:
            cmds["ollama"] = f"ollama run {tag}  # then /set parameter num_ctx {context}"
    elif repo:
        if runtime.engine in ("vllm", "transformers"):
            tp = len(plan.devices)
            cmds["vllm"] = f"vllm serve {repo} --max-model-len {context}" + (
                f" --tensor-parallel-size {tp}" if tp > 1 else ""
            )
        if runtime.engine == "mlx":
            bits = "8" if "8" in quant else "4"
            cmds["mlx_lm"] = (
                f"mlx_lm.generate --model mlx-community/{repo.split('/')[-1]}-{bits}bit --max-tokens 512 --prompt 'Hello'"
            )
    return cmds
