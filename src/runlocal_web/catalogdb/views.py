"""The catalog's pages: lists of models and hardware, and one page per entry."""

from __future__ import annotations

import logging
import re
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import reverse

from runlocal.check_inputs import default_quant
from runlocal.engine import DEFAULT_RAM_GIB
from runlocal.errors import InputError, RunlocalError
from runlocal.hardware import device_from_entry, gpu_memory_default, gpu_memory_setting
from runlocal.runtimes import get_runtime
from runlocal.units import GIB
from runlocal_web.lib.engine import cached_answer
from runlocal_web.lib.labels import catalog_names
from runlocal_web.lib.pages import Page, page_of, path_with_query, respond, url_for

from .cells import TableCells
from .featured import featured_hardware, featured_models
from .forms import KIND_LABELS, HardwareFilterForm, ModelFilterForm
from .insights import (
    QUANT_LADDER,
    benchmark_rows,
    hardware_assessment,
    published_quants,
    quant_matrix,
    quant_sizes,
    run_commands,
)
from .models import Hardware, Model
from .store import current_catalog, current_row, current_rows

log = logging.getLogger(__name__)

PER_PAGE = 50
# The detail pages' rows ask the engine with its defaults (the quantization a model ships in
# or the runtime's, the runtime's context, and DEFAULT_RAM_GIB beside a discrete GPU), so a
# row and Will it run? for the same setup are one answer.
DETAIL_QUANT = "Q4_K_M"  # the label of the rows' usual quantization, for sentences
DETAIL_RAM_GB = DEFAULT_RAM_GIB
DEFAULT_RUNTIME = "llama.cpp"
# Beside every price: where it comes from, and that no retailer paid for the page.
PRICE_DISCLOSURE = (
    "Prices are the launch price and used or new street prices from the sources linked, with "
    "their dates; check a retailer before you buy. runlocal may earn a commission from some "
    "retailer links (affiliate links, labelled where they appear); no retailer pays for a "
    "listing, and commissions never change a verdict or a ranking."
)
_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9.+-]{0,99}$")


# --- lists ------------------------------------------------------------------------------


def model_list(request: HttpRequest) -> HttpResponse:
    path = reverse("catalogdb:model_list")
    form = ModelFilterForm(request.GET)
    valid = form.is_valid()
    loaded = list(current_rows("models").values())
    qs = form.apply(loaded) if valid else form.order(loaded)
    rows = [_model_row(m) for m in qs]
    return _list_page(
        request,
        form,
        rows,
        path,
        kind="models",
        title="Models",
        description=(
            "Open-weight language models in the runlocal catalog: parameters, architecture, "
            "published files and whether each runs on your hardware."
        ),
        template="catalogdb/model_list.html",
    )


def hardware_list(request: HttpRequest) -> HttpResponse:
    path = reverse("catalogdb:hardware_list")
    form = HardwareFilterForm(request.GET)
    valid = form.is_valid()
    loaded = list(current_rows("hardware").values())
    qs = form.apply(loaded) if valid else form.order(loaded)
    rows = [_hardware_row(h) for h in qs]
    return _list_page(
        request,
        form,
        rows,
        path,
        kind="hardware",
        title="Hardware",
        description=(
            "GPUs, Macs and CPUs for running AI models locally: memory, bandwidth and compute "
            "from vendor specifications, with the sources cited."
        ),
        template="catalogdb/hardware_list.html",
    )


def _list_page(
    request: HttpRequest,
    form: ModelFilterForm | HardwareFilterForm,
    rows: list[dict[str, Any]],
    path: str,
    *,
    kind: str,
    title: str,
    description: str,
    template: str,
) -> HttpResponse:
    paginator = Paginator(rows, PER_PAGE)
    page_obj = page_of(paginator, request)
    filters = form.active()
    status = 200 if form.is_valid() else 400
    page = Page(
        title=title,
        description=description,
        breadcrumbs=[("Home", "/"), (title, path)],
        canonical_path=path,
        noindex=bool(filters) or page_obj.number > 1 or status != 200,
    )
    data: dict[str, Any] = {
        "filters": filters,
        "count": paginator.count,
        "pagination": {
            "page": page_obj.number,
            "pages": paginator.num_pages,
            "per_page": PER_PAGE,
        },
        kind: list(page_obj.object_list),
    }
    if status != 200:
        data["errors"] = {k: list(v) for k, v in form.errors.items()}
    links = {}
    if page_obj.has_previous():
        links["previous"] = path_with_query(
            path, {**filters, "page": page_obj.previous_page_number()}
        )
    if page_obj.has_next():
        links["next"] = path_with_query(path, {**filters, "page": page_obj.next_page_number()})
    data["pagination"].update(links)
    context = {"form": form, "page_obj": page_obj, "rows": page_obj.object_list}
    return respond(request, template, page, data, context=context, status=status)


def _model_row(m: Model) -> dict[str, Any]:
    return {
        "id": m.id,
        "name": m.name,
        "url": url_for("catalogdb:model_detail", m.id),
        "family": m.family,
        "modality": m.modality,
        "params_total_b": m.params_total_b,
        "params_active_b": m.params_active_b,
        "release_date": m.release_date,
        "license": m.license,
    }


def _hardware_row(h: Hardware) -> dict[str, Any]:
    return {
        "id": h.id,
        "name": h.name,
        "url": url_for("catalogdb:hardware_detail", h.id),
        "vendor": h.vendor,
        "kind": h.kind,
        "kind_label": KIND_LABELS.get(h.kind, h.kind),
        "segment": h.segment,
        "memory_gib": h.memory_gib,
        "bandwidth_gb_s": h.bandwidth_gb_s,
        "fp16_tensor_tflops": h.fp16_tensor_tflops,
        "tdp_w": h.tdp_w,
        "release_date": h.release_date,
        "launch_price_usd": h.launch_price_usd,
    }


# --- detail pages -----------------------------------------------------------------------

MODEL_FIELDS = (
    ("family", "Family"),
    ("modality", "Kind"),
    ("params_total_b", "Parameters"),
    ("params_active_b", "Active parameters per token"),
    ("release_date", "Released"),
    ("license", "License"),
    ("hf_repo", "Hugging Face repository"),
    ("ollama_tag", "Ollama tag"),
)
# config.json keys worth a plain-English gloss; every other key is shown as it is.
ARCH_GLOSSARY = {
    "model_type": "architecture family",
    "num_hidden_layers": "transformer layers",
    "hidden_size": "width of the residual stream",
    "num_attention_heads": "query heads",
    "num_key_value_heads": "key/value heads (fewer than query heads = grouped-query attention)",
    "head_dim": "size of each attention head",
    "intermediate_size": "feed-forward width",
    "moe_intermediate_size": "feed-forward width of each expert",
    "vocab_size": "tokenizer vocabulary",
    "max_position_embeddings": "longest context it was trained for",
    "num_local_experts": "experts per layer",
    "num_experts": "experts per layer",
    "n_routed_experts": "routed experts per layer",
    "num_experts_per_tok": "experts used per token",
    "sliding_window": "tokens seen by sliding-window layers",
    "tie_word_embeddings": "input and output embeddings shared",
    "kv_lora_rank": "compressed KV size (multi-head latent attention)",
    "rope_theta": "RoPE base frequency",
    "torch_dtype": "weights as published",
}
ARCH_FIRST = tuple(ARCH_GLOSSARY)


def model_detail(request: HttpRequest, slug: str) -> HttpResponse:
    digest, catalog, row = current_row("models", slug)
    if row is None or not _SLUG_RE.match(slug):
        return _missing(request, "models", slug)
    d = row.data
    url = url_for("catalogdb:model_detail", row.id)
    hardware = featured_hardware()
    arch = d.get("architecture") if isinstance(d.get("architecture"), dict) else {}
    keys = [k for k in ARCH_FIRST if k in arch] + sorted(k for k in arch if k not in ARCH_GLOSSARY)
    facts = [
        {"key": key, "label": label, "value": d[key]}
        for key, label in MODEL_FIELDS
        if d.get(key) not in (None, "")
    ]
    data = {
        "model": _entry_dict(row),
        "facts": facts,
        "architecture": [
            {"key": k, "value": arch[k], "meaning": ARCH_GLOSSARY.get(k, "")} for k in keys
        ],
        "files": [
            {"quant": f.get("quant"), "size_bytes": f.get("size_bytes"), "url": f.get("url")}
            for f in d.get("files", [])
            if isinstance(f, dict)
        ],
        "quant": default_quant(catalog.models.get(row.id), get_runtime(DEFAULT_RUNTIME)),
        "ram_gb_beside_gpus": DETAIL_RAM_GB,
        "quants": list(QUANT_LADDER),
    }
    hardware_ids = tuple(h.id for h in hardware)

    def tables() -> dict[str, Any]:
        # Some 50 engine answers, computed once per catalog and engine and kept as one entry
        # (so each answer is not cached on its own too: no digest).
        cells = TableCells()
        on_hardware = [cells(catalog, "", row.id, h) for h in hardware_ids]
        by_quant = quant_matrix(
            cells.cell, catalog, "", [(row.id, h) for h in hardware_ids], by="hardware"
        )
        extra = {
            q: [cells(catalog, "", row.id, h, q) for h in hardware_ids]
            for q in published_quants(data["files"])
        }
        sizes = quant_sizes(by_quant, data["files"], extra)
        return {
            "on_hardware": on_hardware,
            "by_quant": by_quant,
            "quant_sizes": sizes,
            "quant_files_listed": any(q["file_bytes"] for q in sizes),
            "benchmarks": benchmark_rows(catalog, model=row.id),
            "run": run_commands(catalog, "", row.id, on_hardware),
        }

    data.update(cached_answer("model-page", digest, (row.id, hardware_ids), tables))
    size = f"{row.params_total_b:g}B-parameter " if row.params_total_b else ""
    page = Page(
        title=f"{row.name}: memory, speed and hardware to run it",
        description=_clip(
            f"{row.name} is a {size}{row.family or 'language'} model. "
            + (str(d.get("verdict") or "") or "See what hardware runs it and how fast.")
        ),
        breadcrumbs=[("Home", "/"), ("Models", url_for("catalogdb:model_list")), (row.name, url)],
        canonical_path=url,
    )
    names = {"hardware_names": catalog_names(catalog, "hardware")}
    return respond(request, "catalogdb/model_detail.html", page, data, context=names)


HARDWARE_FIELDS = (
    ("vendor", "Vendor", ""),
    ("kind", "Type", ""),
    ("segment", "Segment", ""),
    ("memory_gib", "Memory", "GiB"),
    ("memory_configs_gib", "Memory options", "GiB"),
    ("memory_type", "Memory type", ""),
    ("bus_width_bits", "Memory bus", "bit"),
    ("bandwidth_gb_s", "Memory bandwidth", "GB/s"),
    # Each figure's convention in its label (docs/catalog-format.md): the catalog's FP16 rate
    # is FP16-accumulate (llama.cpp's GEMMs); where FP32 accumulation runs slower (GeForce,
    # the L40: half) that rate is what vLLM, transformers and ExLlamaV2 get, shown beside it.
    ("fp16_tensor_tflops", "FP16 tensor, dense, FP16 accumulate", "TFLOPS"),
    ("fp32_acc_tensor_tflops", "FP16/BF16 tensor, dense, FP32 accumulate", "TFLOPS"),
    ("fp32_tflops", "FP32", "TFLOPS"),
    ("int8_tops", "INT8, dense", "TOPS"),
    ("tdp_w", "Power (TDP)", "W"),
    ("release_date", "Released", ""),
    ("launch_price_usd", "Launch price", "USD"),
    ("street_price_usd", "Street price", "USD"),
    ("interface", "Interface", ""),
    ("backends", "Backends", ""),
    ("cuda_compute_capability", "CUDA compute capability", ""),
    ("gpu_arch", "GPU architecture", ""),
    ("gpu_cores", "GPU cores", ""),
    ("cpu_cores", "CPU cores", ""),
    ("memory_channels", "Memory channels", ""),
)


def hardware_detail(request: HttpRequest, slug: str) -> HttpResponse:
    digest, catalog, row = current_row("hardware", slug)
    if row is None or not _SLUG_RE.match(slug):
        return _missing(request, "hardware", slug)
    d = row.data
    url = url_for("catalogdb:hardware_detail", row.id)
    specs = []
    for key, label, unit in HARDWARE_FIELDS:
        value = d.get(key)
        if value in (None, "", []):
            continue
        if key == "kind":
            value = KIND_LABELS.get(str(value), value)
        if key == "street_price_usd" and d.get("street_price_date"):
            unit = f"USD ({d['street_price_date']})"
        specs.append({"key": key, "label": label, "value": value, "unit": unit})
    street = row.street_prices()
    if street:
        # Beside the launch price (or where it would be): "used, about $X, as of DATE (source)".
        keys = [s["key"] for s in specs]
        anchor = "launch_price_usd" if "launch_price_usd" in keys else "release_date"
        at = keys.index(anchor) + 1 if anchor in keys else len(specs)
        specs.insert(
            at, {"key": "street_prices", "label": "Street price", "value": street, "unit": ""}
        )
    usable = None
    default_rule = setting = ""
    entry = catalog.hardware.get(row.id)
    if entry is not None:
        try:
            device = device_from_entry(entry)
            usable = device.budget_bytes
            default_rule, setting = gpu_memory_default(device), gpu_memory_setting(device)
        except (RunlocalError, KeyError, TypeError, ValueError):
            usable = None
    memory_bytes = row.memory_gib * GIB
    models = featured_models()
    data = {
        "hardware": _entry_dict(row),
        "specs": specs,
        "usable_memory_bytes": usable if usable is not None and usable < memory_bytes else None,
        "gpu_memory_default": default_rule,
        "gpu_memory_setting": setting,
        "quant": DETAIL_QUANT,
        "ram_gb_beside_gpus": DETAIL_RAM_GB if row.kind == "gpu" else None,
        "quants": list(QUANT_LADDER),
        "price_disclosure": PRICE_DISCLOSURE,
    }
    model_ids = tuple(m.id for m in models)

    def tables() -> dict[str, Any]:
        # As on the model page: one cache entry for the whole table, not one per answer.
        cells = TableCells()
        runs = [cells(catalog, "", m, row.id) for m in model_ids]
        return {
            "runs": runs,
            "by_quant": quant_matrix(
                cells.cell, catalog, "", [(m, row.id) for m in model_ids], by="model"
            ),
            "benchmarks": benchmark_rows(catalog, hardware=row.id),
            "assessment": hardware_assessment(d, runs, catalog),
        }

    data.update(cached_answer("hardware-page", digest, (row.id, model_ids), tables))
    # Every catalog model on this device, grouped by verdict: the custom-build page.
    build = {"cpu": row.id} if row.kind == "cpu" else {"gpu": row.id}
    if row.kind == "gpu":
        build["ram_gb"] = DETAIL_RAM_GB
    data["all_models_url"] = path_with_query(url_for("tools:custom_build"), build)
    page = Page(
        title=f"{row.name}: which AI models run on it",
        description=_clip(
            f"{row.name}: {row.memory_gib:g} GiB of memory at {row.bandwidth_gb_s:g} GB/s. "
            "Which local AI models fit, and how fast they decode."
        ),
        breadcrumbs=[
            ("Home", "/"),
            ("Hardware", url_for("catalogdb:hardware_list")),
            (row.name, url),
        ],
        canonical_path=url,
    )
    names = {"model_names": catalog_names(catalog, "models")}
    return respond(request, "catalogdb/hardware_detail.html", page, data, context=names)


def _entry_dict(row: Model | Hardware) -> dict[str, Any]:
    out = dict(row.data)
    out.update(
        id=row.id,
        name=row.name,
        aliases=list(row.aliases),
        sources=list(row.sources),
        last_verified=row.last_verified,
        reviewed_by=row.reviewed_by,
    )
    return out


def _clip(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


# --- not found ----------------------------------------------------------------------------

LABELS = {
    "models": ("model", "Models", "catalogdb:model_list", "catalogdb:model_detail"),
    "hardware": ("hardware", "Hardware", "catalogdb:hardware_list", "catalogdb:hardware_detail"),
}


def _missing(request: HttpRequest, kind: str, slug: str) -> HttpResponse:
    """An alias redirects to its entry; anything else is a 404 that suggests close names."""
    label, title, list_name, detail_name = LABELS[kind]
    catalog = current_catalog()
    names: list[str] = []
    if 0 < len(slug) <= 100:
        try:
            entry = catalog.find(kind, slug)
        except InputError as exc:  # unknown, ambiguous, or a size the device is not sold with
            names = list(getattr(exc, "suggestions", []))
        else:
            target = reverse(detail_name, args=[entry.id])
            if request.GET.get("format"):
                target = path_with_query(target, {"format": request.GET["format"]})
            return HttpResponsePermanentRedirect(target)
    by_name = {e.name: e.id for e in catalog.entries(kind).values()}
    suggestions = [
        {"name": n, "url": reverse(detail_name, args=[by_name[n]])} for n in names if n in by_name
    ]
    list_url = reverse(list_name)
    page = Page(
        title=f"No {label} called “{slug[:100]}”",
        description=f"The runlocal catalog has no {label} at this address.",
        breadcrumbs=[("Home", "/"), (title, list_url), ("Not found", request.path)],
        canonical_path=request.path,
        noindex=True,
    )
    data = {
        "error": f"no {label} called {slug[:100]!r} in the catalog",
        "suggestions": suggestions,
        "search_url": path_with_query(list_url, {"q": slug[:100].replace("-", " ")}),
    }
    return respond(
        request, "errors/not_found.html", page, data, context={"list_title": title}, status=404
    )
