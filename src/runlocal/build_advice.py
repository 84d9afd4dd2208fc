"""A build the user has or plans: which runtime suits it, and which catalog models it runs
best (the custom build page and `/api/v1/recommend/models`).

Pure functions over the catalog and the engine's answers, like `recommend`, whose Fit, quality
merit and use cases they share.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from .catalog import Catalog, Entry
from .engine import CheckQuery
from .errors import InputError, RunlocalError
from .hardware import Device
from .recommend import (
    MIN_USEFUL_TOK_S,
    QUANT,
    USES,
    CheckFn,
    Fit,
    engine_check,
    is_text_model,
    model_merit,
    params_b,
)

# Below this a model that runs part-offloaded is not practical: minutes per answer.
MIN_PRACTICAL_TOK_S = 3.0


# --- runtimes for a build ------------------------------------------------------------------


@dataclass(frozen=True)
class RuntimeAdvice:
    runtime: str  # an engine runtime id (runlocal.runtimes.RUNTIMES)
    reason: str


def recommend_runtime(devices: Sequence[Device], os: str, use: str) -> RuntimeAdvice:
    """A sensible first runtime for these devices, operating system and use."""
    if not devices:
        raise InputError("no devices")
    backends = {d.backend for d in devices}
    kinds = {d.kind for d in devices}
    same = len({d.id or d.name for d in devices}) == 1
    if "metal" in backends:
        return RuntimeAdvice(
            "mlx",
            "MLX is Apple's own framework for unified memory; mlx-lm serves models from it, "
            "and LM Studio and Ollama are the one-click alternatives.",
        )
    if kinds == {"cpu"}:
        return RuntimeAdvice(
            "llama.cpp",
            "llama.cpp's CPU backend is the reference for running from system RAM: it uses "
            "every core and memory channel, and reads GGUF quantizations that halve the reads.",
        )
    if (
        len(devices) > 1
        and same
        and backends <= {"cuda", "rocm"}
        and os == "linux"
        and use != "chat"
    ):
        return RuntimeAdvice(
            "vllm",
            "Identical cards on Linux: vLLM's tensor parallelism splits every layer across them, "
            "so all cards work on each token, and it serves the parallel requests agents make.",
        )
    if len(devices) > 1 and not same:
        return RuntimeAdvice(
            "llama.cpp",
            "Different cards: llama.cpp splits the layers in proportion to each card's memory, "
            "which tensor parallelism (vLLM) cannot do with unequal cards.",
        )
    if use == "chat":
        return RuntimeAdvice(
            "ollama",
            "For chat, Ollama gets a model running with one command on Linux, Windows and macOS, "
            "and serves it to chat apps over a local API.",
        )
    return RuntimeAdvice(
        "llama.cpp",
        "llama-server (llama.cpp) lets you set the context length, KV cache type and GPU layers "
        "yourself: a coding agent or a reasoning model needs a long context, and Ollama starts "
        "at 4k below 24 GiB of VRAM.",
    )


# --- models for a build -------------------------------------------------------------------

GROUPS = ("comfortable", "borderline", "not_practical")
SPECIALISED = {
    "coding": ("coder", "devstral", "codestral", "starcoder"),
    "reasoning": ("-r1", "qwq", "reason", "thinking", "magistral"),
}


@dataclass(frozen=True)
class ModelFit:
    model_id: str
    name: str
    params_b: float | None
    fit: Fit | None  # None when the engine could not check it
    error: str | None = None
    # Merit for the use at the quantization checked, on the use's scale (runlocal.quality):
    # published scores mapped onto one benchmark, less the quantization's measured loss.
    quality: float | None = None
    quality_basis: str | None = None  # the numbers behind it, one line
    quality_estimated: bool = False  # no published score for the use: estimated from size
    specialised: bool = False  # built for the use (a coding or reasoning model)

    @property
    def group(self) -> str:
        f = self.fit
        if f is None or not f.runs or (f.decode_tok_s or 0.0) < MIN_PRACTICAL_TOK_S:
            return "not_practical"
        if (
            f.verdict == "comfortable"
            and (f.decode_tok_s or 0.0) >= MIN_USEFUL_TOK_S
            and not self.short_context
        ):
            return "comfortable"
        return "borderline"

    @property
    def short_context(self) -> bool:
        """True when the context asked for does not fit whole (or passes the model's training)."""
        f = self.fit
        return f is not None and f.context is not None and (f.max_context or 0) < f.context


def is_specialised(entry: Entry, use: str) -> bool:
    words = SPECIALISED.get(use, ())
    text = f"{entry.id} {entry.name}".lower()
    return any(w in text for w in words)


def model_rank_key(m: ModelFit) -> tuple[float, float, float, float, str]:
    """Useful speed first, then the best model for the use at its quantization (quality
    merit; a model without one after, by size), then the fastest."""
    decode = (m.fit.decode_tok_s if m.fit else None) or 0.0
    rated = m.quality is not None
    merit = m.quality if m.quality is not None else (m.params_b or 0.0)
    return (
        0.0 if decode >= MIN_USEFUL_TOK_S else 1.0,
        0.0 if rated else 1.0,
        -merit,
        -decode,
        m.name,
    )


def group_models(fits: Iterable[ModelFit]) -> dict[str, list[ModelFit]]:
    """Comfortable (≥ 10 tokens/s, with headroom, the whole context), borderline (runs at
    3 tokens/s or more), not practical; each ranked."""
    groups: dict[str, list[ModelFit]] = {g: [] for g in GROUPS}
    for m in fits:
        groups[m.group].append(m)
    for name, items in groups.items():
        if name == "not_practical":
            # The nearest misses first: what runs (slowly), then the smallest that does not.
            items.sort(
                key=lambda m: (
                    0 if m.fit is not None and m.fit.runs else 1,
                    m.params_b or math.inf,
                    m.name,
                )
            )
        else:
            items.sort(key=model_rank_key)
    return groups


def fit_models(
    catalog: Catalog,
    hardware: Sequence[str],
    *,
    runtime: str,
    quant: str | None,
    context: int,
    ram_gb: float | None,
    use: str,
    check_fn: CheckFn = engine_check,
) -> list[ModelFit]:
    """Every text model of the catalog checked on the build; an engine error on a model is
    kept as that model's row. A model that is not comfortable at `quant` is checked again at
    the best quantization the engine says fits comfortably, and that row is kept when it
    lands in a better group: its quality loss then ranks it (a 70B at Q2_K against a 32B at
    Q4_K_M)."""
    if use not in USES:
        raise InputError(f"unknown use {use!r}; known: {', '.join(USES)}")
    out: list[ModelFit] = []
    for entry in sorted(catalog.models.values(), key=lambda e: e.id):
        if not is_text_model(entry):
            continue
        q = CheckQuery(
            model=entry.id,
            hardware=tuple(hardware),
            quant=quant,
            context=context,
            runtime=runtime,
            ram_gb=ram_gb,
        )
        fit: Fit | None
        error: str | None = None
        try:
            fit = Fit.from_result(check_fn(q, catalog))
        except RunlocalError as exc:
            fit, error = None, str(exc)
        row = rate(catalog, entry, fit, use, quant=quant or QUANT, error=error)
        lower = fit.best_quant if fit is not None else None
        if row.group != "comfortable" and fit is not None and lower and lower != fit.quant:
            try:
                refit = Fit.from_result(check_fn(replace(q, quant=lower), catalog))
            except RunlocalError:
                refit = None
            if refit is not None:
                alt = rate(catalog, entry, refit, use, quant=lower)
                if GROUPS.index(alt.group) < GROUPS.index(row.group):
                    row = alt
        out.append(row)
    return out


def rate(
    catalog: Catalog,
    entry: Entry,
    fit: Fit | None,
    use: str,
    *,
    quant: str = QUANT,
    error: str | None = None,
) -> ModelFit:
    """A model's row: its fit and its quality merit for the use at the quantization the fit
    ran (or `quant` when the engine could not check it)."""
    merit = model_merit(catalog, entry, use, fit.quant if fit is not None else quant)
    return ModelFit(
        model_id=entry.id,
        name=entry.name,
        params_b=params_b(entry),
        fit=fit,
        error=error,
        quality=None if merit is None else round(merit.value, 2),
        quality_basis=None if merit is None else merit.basis,
        quality_estimated=merit is not None and merit.estimated,
        specialised=is_specialised(entry, use),
    )
