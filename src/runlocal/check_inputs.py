"""A query's inputs made concrete before anything is sized: the devices it names (or this
machine's), what a runtime can run on them, and the quantization it asks for or gets by
default."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .bounds import BANDWIDTH_TOO, MEMORY_TOO, TFLOPS_ALONE
from .catalog import Catalog, Entry
from .errors import InputError
from .estimate import fits_on_accelerators
from .hardware import (
    Device,
    explicit_device,
    gpu_memory_setting,
    parse_hardware,
    with_gpu_memory_limit,
)
from .runtimes import Runtime, get_runtime
from .sources import ResolvedModel, normalize_quant_loose
from .units import GIB
from .weights import GGUF_SCHEMES, normalize_quant, quant_family, scale_inventory

if TYPE_CHECKING:
    from .query import CheckQuery, LocalMachine


def uses_detection(q: CheckQuery, local: LocalMachine | None) -> bool:
    return (
        local is not None
        and not q.hardware
        and q.vram_gb is None
        and q.bandwidth_gb_s is None
        and bool(local.devices)
    )


def resolve_hardware(
    q: CheckQuery, catalog: Catalog, local: LocalMachine | None = None
) -> list[Device]:
    """The query's devices; with none named, this machine's (``local``, from the CLI)."""
    if uses_detection(q, local) and q.tflops is None:
        assert local is not None
        return list(local.devices)
    devices: list[Device] = []
    for text in q.hardware:
        devices.extend(parse_hardware(catalog, text))
    if q.vram_gb is not None or q.bandwidth_gb_s is not None:
        # In the page's and the API's words (runlocal.bounds), after the flag.
        if q.bandwidth_gb_s is None:
            raise InputError(f"--bandwidth-gb-s: {BANDWIDTH_TOO}")
        if q.vram_gb is None:
            raise InputError(f"--vram-gb: {MEMORY_TOO}")
        devices.append(explicit_device(q.vram_gb, q.bandwidth_gb_s, q.tflops))
    elif q.tflops is not None:
        raise InputError(f"--tflops: {TFLOPS_ALONE}")
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


def pick_quant(q: CheckQuery, runtime: Runtime, model: ResolvedModel) -> str:
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


def best_fitting_file(
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
        fits, tight = fits_on_accelerators(
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


def check_runtime_hardware(runtime: Runtime, devices: list[Device]) -> None:
    backends = {d.backend for d in devices}
    if runtime.engine == "mlx" and backends != {"metal"}:
        raise InputError("MLX runs only on Apple silicon")
    if runtime.engine in ("vllm", "exllamav2") and backends & {"metal", "cpu"}:
        raise InputError(f"{runtime.name} needs NVIDIA or AMD GPUs")
    if runtime.engine == "exllamav2" and not backends <= {"cuda", "rocm"}:
        # Say which device is the problem: an AMD card without ROCm support (Vega 56, run
        # through Vulkan) once read "needs NVIDIA or AMD GPUs".
        other = next(d for d in devices if d.backend not in ("cuda", "rocm"))
        raise InputError(
            f"{runtime.name} needs NVIDIA (CUDA) or AMD (ROCm) GPUs; {other.name} runs on "
            f"{other.backend} here"
        )
