"""The answer's parts that describe a result: verdict, memory totals, the model's record,
quality at the quantization, the basis of every number and the commands to run it."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from . import memory as mem
from .catalog import Catalog, Entry
from .hardware import Device
from .quality import TASKS, effective_params_b, quality_model
from .quant_loss import is_native
from .runtimes import Runtime
from .sources import ResolvedModel
from .spec import ModelSpec, WeightInventory
from .units import GIB

SLOW_DECODE_TOK_S = 5.0


def quality_answer(model: ResolvedModel, quant: str, catalog: Catalog) -> dict[str, Any]:
    """What the quantization costs in quality (llama.cpp's measured perplexity / KLD tables)
    and, for a catalog model, its quality per task at that quantization (published scores
    on one scale per task, or an estimate from size; docs/methodology.md, "Quality")."""
    bucket, basis, tasks = _quality_dicts(catalog, model.entry, quant, _size_b(model))
    return {
        "quant_loss": bucket,
        "quant_loss_basis": basis,
        # The kept dicts copied: each answer's own (the same as dict() of quality_parts' pairs).
        "tasks": None if tasks is None else {task: t.copy() if t else None for task, t in tasks},
    }


@lru_cache(maxsize=4096)  # Catalog and Entry hash by identity
def _quality_dicts(
    catalog: Catalog, entry: Entry | None, quant: str, size_b: float | None
) -> tuple[str, str, tuple[tuple[str, dict[str, Any] | None], ...] | None]:
    """_quality_parts with each task's scores as a dict, kept (callers copy them)."""
    bucket, note, tasks = _quality_parts(catalog, entry, quant, size_b)
    if tasks is None:
        return bucket, note, None
    return bucket, note, tuple((task, dict(t) if t else None) for task, t in tasks)


def _size_b(model: ResolvedModel) -> float | None:
    """The parameter count (billions) that sets quality: the catalog's, else the spec's."""
    size_b = _entry_size_b(model.entry) if model.entry is not None else None
    if size_b is None and model.spec.params_total:
        size_b = model.spec.params_total / 1e9
    return size_b


@lru_cache(maxsize=4096)  # Entry hashes by identity
def _entry_size_b(entry: Entry) -> float | None:
    return effective_params_b(entry)


def quality_parts(
    model: ResolvedModel, quant: str, catalog: Catalog
) -> tuple[str, str, tuple[tuple[str, tuple[tuple[str, Any], ...] | None], ...] | None]:
    """quality_answer's loss bucket, its basis and the per-task scores (kept, immutable)."""
    return _quality_parts(catalog, model.entry, quant, _size_b(model))


def quality_loss(model: ResolvedModel, quant: str, catalog: Catalog) -> tuple[str, str]:
    """quality_parts' loss bucket and its basis alone (what a table shows), without the
    per-task scores."""
    return _quality_loss(catalog, model.entry, quant, _size_b(model))


@lru_cache(maxsize=4096)  # Catalog and Entry hash by identity
def _quality_loss(
    catalog: Catalog, entry: Entry | None, quant: str, size_b: float | None
) -> tuple[str, str]:
    qm = quality_model(catalog)
    family = str(entry.get("family") or "") or None if entry is not None else None
    loss = qm.quant_loss(
        quant, size_b, family, entry.name if entry is not None else None, is_native(entry, quant)
    )
    return loss.bucket, loss.note


@lru_cache(maxsize=4096)  # Catalog and Entry hash by identity
def _quality_parts(
    catalog: Catalog, entry: Entry | None, quant: str, size_b: float | None
) -> tuple[str, str, tuple[tuple[str, tuple[tuple[str, Any], ...] | None], ...] | None]:
    bucket, note = _quality_loss(catalog, entry, quant, size_b)
    if entry is None:
        return bucket, note, None
    qm = quality_model(catalog)
    tasks = []
    loss = None  # the same at every task: asked once (QualityModel.merit asks it per task)
    for task in TASKS:
        q = qm.model_quality(entry, task)
        if q is None:
            merit = None
        else:
            if loss is None:
                loss = qm.entry_quant_loss(entry, quant)
            merit = qm.merit_with(q, task, loss)
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
    return bucket, note, tuple(tasks)


def round_rate(x: float | None) -> float | None:
    return None if x is None else round(x, 1)


def memory_totals(plan: mem.MemoryPlan, runtime: Runtime) -> dict[str, Any]:
    # plan.sum of each field, in one pass over the devices.
    weights = kv = compute = overhead = budget = 0
    for d in plan.devices:
        weights += int(d.weights_bytes)
        kv += int(d.kv_cache_bytes)
        compute += int(d.compute_bytes)
        overhead += int(d.overhead_bytes)
        budget += int(d.budget_bytes)
    return {
        "weights_bytes": weights,
        "kv_cache_bytes": kv,
        "compute_bytes": compute,
        "overhead_bytes": overhead,
        "total_bytes": weights + kv + compute + overhead,
        "budget_bytes": budget,
        "host_bytes": _host_total(plan),
    }


def _host_total(plan: mem.MemoryPlan) -> int:
    """plan.host.total_bytes (0 without a host), written out (see records.DeviceUse.to_dict)."""
    h = plan.host
    if h is None:
        return 0
    return h.weights_bytes + h.kv_cache_bytes + h.compute_bytes + h.overhead_bytes


def verdict_for(
    plan: mem.MemoryPlan,
    decode: float | None,
    devices: list[Device],
    host_ram: int | None,
    fits: bool | None = None,
) -> tuple[str, str]:
    """The verdict and its reason, the one rule every surface asks (check, the pages, the
    API and the accuracy report). fits: plan.fits, when the caller has judged it."""
    if not (plan.fits if fits is None else fits):
        if plan.at_edge:
            return "tradeoffs", edge_reason(plan)
        if plan.gpu_layers == 0 and plan.host is not None and host_ram is None:
            return "wont-run", "the model does not fit in GPU memory, and system RAM was not given"
        return "wont-run", "the model does not fit in the memory available"
    if not (plan.gpu_layers == plan.total_layers and plan.experts_on_host_layers == 0):
        # not plan.full_offload, written out (see memory.records.DeviceUse.to_dict)
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
    host_total = _host_total(plan)
    if host_total > 0:
        # llama.cpp keeps the token-embedding table (a lookup, not a layer) in system RAM.
        return (
            "comfortable",
            "it fits with headroom: every layer on the accelerator, the token embeddings "
            f"({host_total / GIB:.2f} GiB) in system RAM",
        )
    return "comfortable", "it fits with headroom, entirely on the accelerator"


def edge_reason(plan: mem.MemoryPlan) -> str:
    """Why a plan at the edge of memory (MemoryPlan.at_edge) is "tradeoffs": what its fullest
    device needs against its budget, over by less than the estimate's uncertainty."""
    use = plan.edge_device()
    used, budget = mem.usage(use)
    where = (
        f"on {use.device.name}"
        if len(plan.devices) == 1
        else f"on the fullest of its {len(plan.devices)} devices ({use.device.name})"
    )
    return edge_words(used, budget, where)


def edge_words(used: int, budget: int, where: str) -> str:
    """The reason an edge verdict gives: ``used`` bytes of ``budget`` ``where``."""
    return (
        f"it needs about {_gib(used)} GiB of the {_gib(budget)} GiB it can use {where}: at the "
        f"edge, within the memory estimate's uncertainty ({mem.EDGE_SHARE:.1%} of the budget); "
        "it may fail to load"
    )


def _gib(n: int) -> str:
    """Bytes as GiB to two decimals, without trailing zeros (24 GiB, 24.13 GiB): an edge is a
    few hundredths of the budget."""
    return f"{round(n / GIB, 2):g}"


def model_record(model: ResolvedModel, inv: WeightInventory) -> dict[str, Any]:
    spec = model.spec
    entry = model.entry
    counts = _entry_params(entry) if entry is not None else None
    total, active = counts if counts is not None else (spec.params_total, spec.params_active)
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


@lru_cache(maxsize=4096)  # Entry hashes by identity
def _entry_params(entry: Entry) -> tuple[int, int] | None:
    """The catalog's parameter counts (total, active), where it gives them."""
    if not entry.get("params_total_b"):
        return None
    total = round(float(entry.get("params_total_b")) * 1e9)
    active = round(float(entry.get("params_active_b") or entry.get("params_total_b")) * 1e9)
    return total, active


def answer_basis(
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
            # Whether this model's sliding layers keep only their window in this runtime
            # (mlx-lm only where its model code rotates them); the release's rule otherwise.
            "swa_windowed": (
                mem.windows_swa(spec, runtime) if spec.sliding_window else runtime.swa_windowed
            ),
            "mla_latent": runtime.mla_latent,
            "version": runtime.version,
            "ubatch": mem.LLAMA_UBATCH if runtime.engine == "llama.cpp" else None,
            "flash_attention": True if runtime.engine == "llama.cpp" else None,
        },
        "devices": [_device_dict(d).copy() for d in devices],
        "host_ram_bytes": host_ram,
        "speed_params": {
            "backend": backend,
            "bandwidth_efficiency": params.bandwidth_efficiency.get(backend),
            "fixed_ms": params.fixed_ms.get(backend),
            "per_layer_us": params.per_layer_us.get(backend),
            "prefill_efficiency": params.prefill_efficiency.get(backend),
        },
        "measurements": measured,
    }


# A device's records in an answer, kept per device (frozen: the same fields every time) and
# copied per answer, so that each answer has dicts of its own.
@lru_cache(maxsize=1024)
def _device_dict(device: Device) -> dict[str, object]:
    """Device.to_dict, kept."""
    return device.to_dict()


@lru_cache(maxsize=1024)
def hardware_record(device: Device) -> dict[str, object]:
    """The answer's "hardware" entry for a device, kept (callers copy it)."""
    return {
        "id": device.id,
        "name": device.name,
        "memory_bytes": device.memory_bytes,
        "bandwidth_bytes_per_s": device.bandwidth_bytes_per_s,
        "usable_memory_bytes": device.budget_bytes,
        "source": device.source,
    }


def commands(
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
