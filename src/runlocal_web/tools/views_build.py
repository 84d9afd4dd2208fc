"""Will it run, custom build: describe a machine → its effective memory, a runtime, and the
catalog's text models grouped as comfortable, borderline and not practical."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import NoReverseMatch, reverse

from runlocal.build_advice import (
    GROUPS,
    MIN_PRACTICAL_TOK_S,
    ModelFit,
    fit_models,
    group_models,
    recommend_runtime,
)
from runlocal.catalog import Catalog, Entry
from runlocal.engine import DEFAULT_RAM_GIB, CheckQuery
from runlocal.errors import InputError, RunlocalError, UnknownNameError
from runlocal.hardware import Device, gpu_memory_default
from runlocal.recommend import CONTEXT_FOR_USE, MIN_USEFUL_TOK_S
from runlocal.runtimes import RUNTIMES, get_runtime
from runlocal.units import GIB
from runlocal_web.catalogdb.store import current
from runlocal_web.checker.present import verdict_class, verdict_label
from runlocal_web.lib.engine import cached_answer, ranking_brief, run_check
from runlocal_web.lib.pages import (
    Page,
    path_with_parts,
    path_with_query,
    query_parts,
    respond,
    url_for,
)
from runlocal_web.ops.limits import limited

from .common import (
    ENGINE_FAILED,
    HardwarePick,
    hardware_names,
    model_url,
    query_object,
    resolve_hardware,
)
from .forms import MAX_BUILD_GPUS, BuildForm

log = logging.getLogger(__name__)
TEMPLATE = "tools/custom_build.html"
# The quantization each runtime is checked at: the one people run locally with it.
BUILD_QUANT = {"vllm": "AWQ-4BIT"}
CATALOG_RUNTIME = {
    "llama.cpp": "llama-cpp",
    "ollama": "ollama",
    "lm-studio": "lm-studio",
    "vllm": "vllm",
    "transformers": "transformers",
    "mlx": "mlx-lm",
    "exllamav2": "exllamav2",
}
GROUP_LABELS = {
    "comfortable": "Fit comfortably",
    "borderline": "Borderline",
    "not_practical": "Not practical",
}
GROUP_HELP = {
    "comfortable": f"Everything on the accelerator with headroom, at {MIN_USEFUL_TOK_S:g} tokens/s "
    "or more. Best first: the largest models, then the fastest.",
    "borderline": "They run, but with layers in system RAM, little headroom, slowly, or with "
    "less context than asked for.",
    "not_practical": "They do not fit in the memory this build has, or run part-offloaded "
    f"below {MIN_PRACTICAL_TOK_S:g} tokens/s (the nearest misses first).",
}


@limited("check")
def custom_build(request: HttpRequest) -> HttpResponse:
    digest, catalog = current()
    path = reverse("tools:custom_build")
    crumbs = [
        ("Home", "/"),
        ("Will it run?", reverse("checker:will_it_run")),
        ("Custom build", path),
    ]
    asked = any(name in request.GET for name in BuildForm.URL_FIELDS)
    form = BuildForm(request.GET if asked else None)
    gpu_values = [v for v in request.GET.getlist("gpu") if v.strip()][:MAX_BUILD_GPUS]
    context: dict[str, Any] = {
        "form": form,
        "hardware_names": hardware_names(catalog),
        "gpu_boxes": [*gpu_values, ""] if len(gpu_values) < MAX_BUILD_GPUS else gpu_values,
    }
    options = {
        "runtimes": [{"id": r.id, "name": r.name} for r in RUNTIMES.values()],
        "uses": list(CONTEXT_FOR_USE),
    }
    if not asked:
        page = Page(
            title="Will it run? Describe your build",
            description=(
                "Any GPUs, CPU, RAM, OS, runtime and use case: the memory your build really has, "
                "a runtime to start with, and which models fit comfortably, borderline or not."
            ),
            breadcrumbs=crumbs,
            canonical_path=path,
        )
        data = {"query": None, "result": None, "options": options}
        return respond(request, TEMPLATE, page, data, context=context)

    solved = solve_build(request.GET, catalog, digest)
    form, result, picks = solved.form, solved.result, solved.picks
    context["form"] = form
    suggestions = [
        {
            **{k: v for k, v in miss.items() if k != "names"},
            "suggestions": _swap(
                request.GET, miss.get("field", "gpu"), miss["input"], miss["names"]
            ),
        }
        for miss in solved.suggestions
    ]
    if result is None:
        page = Page(
            title="Custom build: check the form",
            description="Some of the inputs need fixing before runlocal can check this build.",
            breadcrumbs=crumbs,
            canonical_path=path,
            noindex=True,
        )
        data = {
            "query": {k: request.GET.getlist(k) for k in BuildForm.URL_FIELDS if k in request.GET},
            "result": None,
            "errors": {k or "__all__": list(v) for k, v in form.errors.items()},
            "suggestions": suggestions,
            "options": options,
        }
        context["suggestions"] = suggestions
        return respond(request, TEMPLATE, page, data, context=context, status=400)

    params = solved.params
    share = path_with_query(path, params)
    summary = result["build"]["summary"]
    counts = {g: len(result["groups"][g]) for g in GROUPS}
    best = result["groups"]["comfortable"][0]["name"] if result["groups"]["comfortable"] else None
    desc = (
        f"{summary}: {counts['comfortable']} models fit comfortably, {counts['borderline']} "
        f"borderline, {counts['not_practical']} not practical with {result['runtime']['name']}."
        + (f" Best fit: {best}." if best else "")
    )
    page = Page(
        title=f"What runs on {summary}",
        description=desc,
        breadcrumbs=[*crumbs[:-1], ("Custom build", path), (summary, share)],
        canonical_path=share,
    )
    data = {"query": query_object(params), "share_url": share, "result": result, "options": options}
    context["gpu_boxes"] = [*(p.label for p in picks), ""][: max(MAX_BUILD_GPUS, 1)]
    context["model_groups"] = [
        {"key": g, "label": GROUP_LABELS[g], "help": GROUP_HELP[g], "rows": result["groups"][g]}
        for g in GROUPS
    ]
    return respond(request, TEMPLATE, page, data, context=context)


@dataclasses.dataclass
class BuildSolution:
    """The form after validation and, when it was valid, the answer. Each entry of
    `suggestions` is an unknown name: its `input`, `field` (`gpu` when absent) and the
    closest catalog `names`."""

    form: BuildForm
    suggestions: list[dict[str, Any]]
    picks: list[HardwarePick] = dataclasses.field(default_factory=list)
    result: dict[str, Any] | None = None
    params: list[tuple[str, Any]] = dataclasses.field(default_factory=list)


def solve_build(data: QueryDict, catalog: Catalog, digest: str) -> BuildSolution:
    """Validate the build and check every model on it: the page and `/api/v1/recommend/models`
    both call this, so their numbers are the same."""
    form = BuildForm(data)
    solved = BuildSolution(form=form, suggestions=[])
    suggestions = solved.suggestions
    picks: list[HardwarePick] = []
    cpu: Entry | None = None
    if form.is_valid():
        d = form.cleaned_data
        for text in d["gpu"]:
            try:
                pick = resolve_hardware(catalog, text)
            except UnknownNameError as exc:
                plain = type(exc) is UnknownNameError  # not ambiguous, not a size unsold
                form.add_error(
                    "gpu",
                    exc.headline if plain else f"{text}: {exc}",
                )
                suggestions.append({"input": text, "names": list(exc.suggestions)})
                continue
            except InputError as exc:
                form.add_error("gpu", f"{text}: {exc}")
                continue
            if pick.entry.get("kind") == "cpu":
                form.add_error("gpu", f"{pick.entry.name} is a CPU: put it in the CPU box.")
                continue
            picks.append(pick)
        typed_cpu = d["cpu"]  # add_error drops the field from cleaned_data
        if typed_cpu:
            try:
                cpu = catalog.find_hardware(typed_cpu)
            except UnknownNameError as exc:
                form.add_error("cpu", exc.headline)
                suggestions.append(
                    {"input": typed_cpu, "field": "cpu", "names": list(exc.suggestions)}
                )
            except InputError as exc:
                form.add_error("cpu", f"{typed_cpu}: {exc}")
            else:
                if cpu.get("kind") != "cpu":
                    form.add_error("cpu", f"{cpu.name} is not a CPU: put it in a GPU box.")
        _check_build(form, picks, d)
    result: dict[str, Any] | None = None
    ram_assumed = False
    if not form.errors:
        d = form.cleaned_data
        d["gpu"] = [p.query for p in picks]
        if cpu is not None:
            d["cpu"] = cpu.id
        devices = [dev for p in picks for dev in p.devices]
        hardware = tuple(p.query for p in picks) or ((cpu.id,) if cpu else ())
        if not devices and cpu is not None:
            devices = list(resolve_hardware(catalog, cpu.id).devices)
        advice = recommend_runtime(devices, d["os"] or "", d["use"])
        runtime = d["runtime"] or advice.runtime
        context_tokens = d["context"] or CONTEXT_FOR_USE[d["use"]]
        discrete = any(dev.kind == "gpu" for dev in devices)
        # Beside discrete GPUs the engine's stated default RAM when none is given, as on
        # every other page; the answer says it assumed it.
        ram_gb = (d["ram_gb"] if d["ram_gb"] is not None else DEFAULT_RAM_GIB) if discrete else None
        ram_assumed = discrete and d["ram_gb"] is None
        key = (
            hardware,
            runtime,
            context_tokens,
            ram_gb,
            d["use"],
            d["os"],
        )
        try:
            result = cached_answer(
                "build",
                digest,
                key,
                lambda: build_data(
                    catalog,
                    digest,
                    hardware,
                    devices,
                    runtime=runtime,
                    context=context_tokens,
                    ram_gb=ram_gb,
                    use=d["use"],
                    advice=(advice.runtime, advice.reason),
                ),
            )
        except RunlocalError as exc:
            form.add_error(None, str(exc))
        except Exception:
            log.exception("custom build failed on %r", key)
            form.add_error(None, ENGINE_FAILED)
    if result is not None:
        result = {**result, "ram_assumed": ram_assumed}  # the cached answer stays as it is
    solved.picks, solved.result = picks, result
    if result is not None:
        solved.params = form.url_params()
    return solved


def _check_build(form: BuildForm, picks: list[HardwarePick], d: dict[str, Any]) -> None:
    """Combinations the engine would refuse, said in the form's words."""
    if sum(p.count for p in picks) > MAX_BUILD_GPUS:
        form.add_error("gpu", f"At most {MAX_BUILD_GPUS} GPUs in one build.")
    kinds = {p.entry.get("kind") for p in picks}
    if "unified" in kinds and sum(p.count for p in picks) > 1:
        form.add_error(
            "gpu", "A Mac or another unified-memory machine runs alone: list it without other GPUs."
        )
    apple = any(p.entry.get("vendor") == "Apple" for p in picks)
    if apple and d.get("os") in ("linux", "windows"):
        form.add_error("os", "Apple silicon runs macOS here.")
    if not apple and picks and d.get("os") == "macos":
        form.add_error("os", "macOS runs on Apple silicon only; pick Linux or Windows.")
    if d.get("runtime") == "vllm" and d.get("os") == "windows":
        form.add_error("runtime", "vLLM runs on Linux (on Windows, inside WSL).")


def _swap(get: QueryDict, field: str, typed: str, names: list[str]) -> list[dict[str, str]]:
    out = []
    for name in names:
        params = [
            (k, name if k == field and v.strip() == typed else v)
            for k, values in get.lists()
            for v in values
        ]
        out.append({"name": name, "url": path_with_query(reverse("tools:custom_build"), params)})
    return out


def _runtime_link(catalog: Catalog, runtime_id: str) -> str | None:
    slug = CATALOG_RUNTIME.get(runtime_id)
    if slug is None or slug not in catalog.runtimes:
        slug = next(
            (e.id for e in catalog.runtimes.values() if e.get("engine_runtime") == runtime_id), None
        )
    if slug is None:
        return None
    try:
        return reverse("reference:tool_detail", args=[slug])
    except NoReverseMatch:
        return None


def build_data(
    catalog: Catalog,
    digest: str,
    hardware: tuple[str, ...],
    devices: list[Device],
    *,
    runtime: str,
    context: int,
    ram_gb: float | None,
    use: str,
    advice: tuple[str, str],
) -> dict[str, Any]:
    """The JSON-able answer. Raises RunlocalError when the engine rejects the build itself."""
    rt = get_runtime(runtime)
    # None: the engine's default (a model's native format where it ships one), as elsewhere.
    quant = BUILD_QUANT.get(rt.id)

    brief = ranking_brief(set())

    def check_fn(q: CheckQuery, c: Catalog) -> dict[str, Any]:
        try:
            # The part of the answer a ranking reads; uncached: the whole answer is cached.
            return brief(q, c)
        except RunlocalError:
            raise
        except Exception as exc:
            log.exception("engine failed on %r", q)
            raise RunlocalError(ENGINE_FAILED) from exc

    fits = fit_models(
        catalog,
        hardware,
        runtime=rt.id,
        quant=quant,
        context=context,
        ram_gb=ram_gb,
        use=use,
        check_fn=check_fn,
    )
    if fits and all(f.fit is None for f in fits):
        # The same refusal for every model: the build or runtime itself is the problem.
        raise InputError(str(fits[0].error))
    groups = group_models(fits)
    reference = _reference(groups)
    memory = None
    if reference is not None:
        q = CheckQuery(
            model=reference.model_id,
            hardware=hardware,
            quant=quant,
            context=context,
            runtime=rt.id,
            ram_gb=ram_gb,
        )
        memory = effective_memory(run_check(q, catalog, digest), devices, rt.engine, ram_gb)
    links = CheckLinks(hardware, rt.id, context, ram_gb)
    rows = {g: [_row(m, links, rt.id, quant) for m in items] for g, items in groups.items()}
    advised_id, reason = advice
    return {
        "build": {
            "hardware": list(hardware),
            "summary": _summary(devices, ram_gb),
            "devices": [
                {"id": dev.id, "name": dev.name, "kind": dev.kind, "backend": dev.backend}
                for dev in devices
            ],
            "ram_gb": ram_gb,
        },
        "runtime": {
            "id": rt.id,
            "name": rt.name,
            "quant": quant or rt.default_quant,
            "context": context,
            "url": _runtime_link(catalog, rt.id),
        },
        "recommended_runtime": {
            "id": advised_id,
            "name": RUNTIMES[advised_id].name,
            "reason": reason,
            "url": _runtime_link(catalog, advised_id),
        },
        "use": use,
        "min_useful_tok_s": MIN_USEFUL_TOK_S,
        "memory": memory,
        "groups": rows,
    }


def _reference(groups: dict[str, list[ModelFit]]) -> ModelFit | None:
    """The model the memory explanation uses: the best comfortable one, else the best that
    runs, else the smallest checked."""
    for g in ("comfortable", "borderline"):
        if groups[g]:
            return groups[g][0]
    return next((m for m in groups["not_practical"] if m.fit is not None), None)


def _summary(devices: list[Device], ram_gb: float | None) -> str:
    counted: dict[str, int] = {}
    for dev in devices:
        counted[dev.name] = counted.get(dev.name, 0) + 1
    text = " + ".join(f"{c}× {n}" if c > 1 else n for n, c in counted.items())
    if ram_gb is not None:
        text += f" with {ram_gb:g} GiB RAM"
    return text


def effective_memory(
    r: dict[str, Any], devices: list[Device], engine: str, ram_gb: float | None
) -> dict[str, Any]:
    """Per device: what is sold, what the runtime may use, what its context and buffers take,
    and what is left for weights and the KV cache; plus the sentences that explain it."""
    rows = []
    for i, d in enumerate(r["devices"]):
        dev = devices[i] if i < len(devices) else None
        budget = int(d["budget_bytes"])
        overhead = int(d["overhead_bytes"])
        compute = int(d["compute_bytes"])
        rows.append(
            {
                "name": d["name"],
                "memory_bytes": dev.memory_bytes if dev else budget,
                "budget_bytes": budget,
                "overhead_bytes": overhead,
                "compute_bytes": compute,
                "for_model_bytes": max(budget - overhead - compute, 0),
            }
        )
    sold = sum(x["memory_bytes"] for x in rows)
    effective = sum(x["for_model_bytes"] for x in rows)
    model = r["model"]["name"]
    lines: list[str] = []
    kinds = {dev.kind for dev in devices}
    g = 1 / GIB
    if len(rows) > 1:
        each = rows[0]
        split = (
            "every layer is split across them (tensor parallelism)"
            if engine == "vllm"
            else "layers are split whole between them, so a card's last few hundred MiB may stay "
            "empty"
        )
        lines.append(
            f"{len(rows)} cards with {sold * g:.0f} GiB between them are not one {sold * g:.0f} GiB "
            f"pool: each keeps its own runtime context (about {each['overhead_bytes'] * g:.2f} GiB) "
            f"and compute buffer (about {each['compute_bytes'] * g:.2f} GiB for {model}), and "
            f"{split}; about {effective * g:.1f} GiB holds weights and the KV cache."
        )
    elif rows:
        x = rows[0]
        lines.append(
            f"Of {x['memory_bytes'] * g:.1f} GiB, about {x['for_model_bytes'] * g:.1f} GiB holds "
            f"weights and the KV cache: the runtime's context takes {x['overhead_bytes'] * g:.2f} "
            f"GiB and its compute buffer {x['compute_bytes'] * g:.2f} GiB (for {model})."
        )
    if "unified" in kinds and rows:
        x = rows[0]
        lines.append(
            f"The GPU may use {x['budget_bytes'] * g:.1f} of the {x['memory_bytes'] * g:.0f} GiB "
            f"of unified memory by default ({gpu_memory_default(devices[0])}); the rest stays "
            "with the system."
        )
    if kinds == {"cpu"} and rows:
        x = rows[0]
        lines.append(
            f"A CPU-only build budgets {x['budget_bytes'] * g:.1f} of the CPU's "
            f"{x['memory_bytes'] * g:.0f} GiB of RAM (the catalog's memory for it: a RAM size given "
            "here is not used yet), leaving the rest to the system; decode speed follows its "
            "memory bandwidth."
        )
    if engine == "vllm":
        lines.append(
            "vLLM reserves 90% of each GPU up front (gpu_memory_utilization) and fills what the "
            "weights leave with its KV cache pool."
        )
    if "gpu" in kinds:
        if ram_gb is not None:
            lines.append(
                f"With {ram_gb:g} GiB of system RAM, layers that do not fit can run from RAM, "
                "at its speed (dual-channel DDR5 assumed, about 80 GB/s): those models are "
                "borderline."
            )
        else:
            lines.append("Without system RAM for offload, only what fits on the GPUs runs.")
    return {
        "reference_model": {"id": r["model"]["id"], "name": model},
        "devices": rows,
        "memory_bytes": sold,
        "for_model_bytes": effective,
        "explanation": lines,
    }


def _reason(m: ModelFit) -> str | None:
    """Why a model is where it is; nothing for the plainly comfortable."""
    f = m.fit
    if f is None:
        return m.error
    short = (
        f"only {f.max_context:,} of the {f.context:,} tokens of context asked for"
        if m.short_context and f.max_context and f.context
        else None
    )
    if f.runs and (f.decode_tok_s or 0.0) < MIN_PRACTICAL_TOK_S:
        return f"{f.reason}: {f.decode_tok_s or 0:g} tokens/s"
    if f.verdict != "comfortable":
        return f"{f.reason}; {short}" if short else f.reason
    if short:
        return short
    if (f.decode_tok_s or 0.0) < MIN_USEFUL_TOK_S:
        return f"under {MIN_USEFUL_TOK_S:g} tokens/s"
    return None


class CheckLinks:
    """A row's Will it run? link: the model, the build's hardware and runtime, the row's
    quantization, the build's context and RAM, as path_with_query writes them; what every
    row of the build shares quoted once (path_with_query's ~6-12 µs a link, 150-250 rows
    a build)."""

    def __init__(
        self, hardware: tuple[str, ...], runtime: str, context: int, ram_gb: float | None
    ) -> None:
        self.path = url_for("checker:will_it_run")
        self.middle = query_parts([("hardware", h) for h in hardware] + [("runtime", runtime)])
        self.tail = query_parts([("context", context), ("ram_gb", ram_gb)])

    def __call__(self, model_id: str, quant: str | None) -> str:
        parts = query_parts([("model", model_id)])
        parts += self.middle
        parts += query_parts([("quant", quant)])
        return path_with_parts(self.path, parts + self.tail)


def _row(m: ModelFit, links: CheckLinks, runtime: str, quant: str | None) -> dict[str, Any]:
    f = m.fit
    row_quant = f.quant if f else quant
    return {
        "id": m.model_id,
        "name": m.name,
        "url": model_url(m.model_id),
        "params_total_b": m.params_b,
        "specialised": m.specialised,
        "quality": m.quality,
        "quality_basis": m.quality_basis,
        "quality_estimated": m.quality_estimated,
        "error": m.error,
        "verdict": f.verdict if f else None,
        "verdict_label": verdict_label(f.verdict) if f else "Not checked",
        "verdict_class": verdict_class(f.verdict) if f else "neutral",
        "reason": _reason(m),
        "quant": row_quant,
        # Checked at another quantization than the build's (None: the runtime's default):
        # a lower one that fits comfortably, or the model's own format (gpt-oss: MXFP4).
        "lower_quant": row_quant != (quant or RUNTIMES[runtime].default_quant),
        "decode_tok_s": f.decode_tok_s if f else None,
        "decode_tok_s_low": f.decode_tok_s_low if f else None,
        "decode_tok_s_high": f.decode_tok_s_high if f else None,
        "max_context": f.max_context if f else None,
        "max_context_offloaded": f.offloaded if f else False,
        "best_quant": f.best_quant if f else None,
        "total_bytes": f.total_bytes if f else None,
        "host_bytes": f.host_bytes if f else None,
        "budget_bytes": f.budget_bytes if f else None,
        "check_url": links(m.model_id, row_quant),
    }
