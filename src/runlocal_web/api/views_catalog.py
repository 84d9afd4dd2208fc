"""The catalog, read-only: models, hardware, glossary terms and known errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from runlocal.bounds import between
from runlocal.catalog import Entry, normalize
from runlocal_web.catalogdb.store import current_catalog

from .common import entry_dict, matches_text, not_found, paginate, reject_unknown
from .schemas import OK, bounded_count

router = Router(tags=["catalog"])

Text = Annotated[str, Field(max_length=100)]


# A page of 1 to 500 items: past 500 a page's JSON outgrows what a client reads at once.
PageLimit = bounded_count(between(1, 500))
PageOffset = bounded_count(between(0, None))


class PageParams(Schema):
    limit: PageLimit = 50
    offset: PageOffset = 0


class ModelFilters(PageParams):
    q: Text | None = Field(None, description="words in the id, name or aliases")
    family: Text | None = None
    modality: Text | None = None
    min_params_b: Annotated[float, Field(ge=0)] | None = None
    max_params_b: Annotated[float, Field(ge=0)] | None = None


class HardwareFilters(PageParams):
    q: Text | None = None
    vendor: Text | None = None
    kind: Text | None = Field(None, description="gpu, unified or cpu")
    segment: Text | None = None
    backend: Text | None = Field(None, description="cuda, rocm, metal, vulkan, sycl or cpu")
    min_memory_gib: Annotated[float, Field(ge=0)] | None = None
    max_memory_gib: Annotated[float, Field(ge=0)] | None = None
    min_bandwidth_gb_s: Annotated[float, Field(ge=0)] | None = None


class GlossaryFilters(PageParams):
    q: Text | None = None
    category: Text | None = None


class ErrorFilters(PageParams):
    q: Text | None = None
    category: Text | None = None
    runtime: Text | None = None


def _same(a: Any, b: str) -> bool:
    return normalize(str(a or "")) == normalize(b)


def _mentions(text: Any, phrase: str) -> bool:
    """The phrase, as whole words, in a prose field ('ollama' in 'llama.cpp; Ollama ...')."""
    return f" {normalize(phrase)} " in f" {normalize(str(text or ''))} "


def _number(entry: Entry, key: str) -> float | None:
    value = entry.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _at_least(value: float | None, bound: float | None) -> bool:
    return bound is None or (value is not None and value >= bound)


def _at_most(value: float | None, bound: float | None) -> bool:
    return bound is None or (value is not None and value <= bound)


def _listing(
    request: HttpRequest,
    kind: str,
    filters: PageParams,
    keep: Callable[[Entry], bool],
    api_prefix: str,
    page_name: str,
) -> dict[str, Any]:
    reject_unknown(request, type(filters).model_fields)
    catalog = current_catalog()
    entries = sorted(catalog.entries(kind).values(), key=lambda e: (e.name.casefold(), e.id))
    items = [entry_dict(request, e, f"{api_prefix}/{e.id}", page_name) for e in entries if keep(e)]
    return paginate(request, items, filters.limit, filters.offset)


def _detail(
    request: HttpRequest, kind: str, slug: str, label: str, api_prefix: str, page: str
) -> dict[str, Any]:
    reject_unknown(request, ())
    catalog = current_catalog()
    entry = catalog.entries(kind).get(slug)
    if entry is None:
        raise not_found(label, slug, catalog, kind)
    return entry_dict(request, entry, f"{api_prefix}/{entry.id}", page)


@router.get("/models", response=OK, url_name="models", summary="Catalog models")
def models(request: HttpRequest, filters: Query[ModelFilters]) -> dict[str, Any]:
    f = filters

    def keep(e: Entry) -> bool:
        return (
            (not f.q or matches_text(e, f.q, "family", "hf_repo"))
            and (not f.family or _same(e.get("family"), f.family))
            and (not f.modality or _same(e.get("modality"), f.modality))
            and _at_least(_number(e, "params_total_b"), f.min_params_b)
            and _at_most(_number(e, "params_total_b"), f.max_params_b)
        )

    return _listing(request, "models", f, keep, "models", "catalogdb:model_detail")


@router.get("/models/{model_id}", response=OK, url_name="model", summary="One catalog model")
def model(request: HttpRequest, model_id: str) -> dict[str, Any]:
    return _detail(request, "models", model_id, "model", "models", "catalogdb:model_detail")


@router.get("/hardware", response=OK, url_name="hardware", summary="Catalog hardware")
def hardware(request: HttpRequest, filters: Query[HardwareFilters]) -> dict[str, Any]:
    f = filters

    def keep(e: Entry) -> bool:
        backends = [normalize(str(b)) for b in e.get("backends") or []]
        return (
            (not f.q or matches_text(e, f.q, "vendor"))
            and (not f.vendor or _same(e.get("vendor"), f.vendor))
            and (not f.kind or _same(e.get("kind"), f.kind))
            and (not f.segment or _same(e.get("segment"), f.segment))
            and (not f.backend or normalize(f.backend) in backends)
            and _at_least(_number(e, "memory_gib"), f.min_memory_gib)
            and _at_most(_number(e, "memory_gib"), f.max_memory_gib)
            and _at_least(_number(e, "bandwidth_gb_s"), f.min_bandwidth_gb_s)
        )

    return _listing(request, "hardware", f, keep, "hardware", "catalogdb:hardware_detail")


@router.get(
    "/hardware/{hardware_id}", response=OK, url_name="hardware_detail", summary="One device"
)
def hardware_detail(request: HttpRequest, hardware_id: str) -> dict[str, Any]:
    return _detail(
        request, "hardware", hardware_id, "hardware", "hardware", "catalogdb:hardware_detail"
    )


@router.get("/glossary", response=OK, url_name="glossary", summary="Glossary terms")
def glossary(request: HttpRequest, filters: Query[GlossaryFilters]) -> dict[str, Any]:
    f = filters

    def keep(e: Entry) -> bool:
        return (not f.q or matches_text(e, f.q, "short")) and (
            not f.category or _same(e.get("category"), f.category)
        )

    return _listing(request, "glossary", f, keep, "glossary", "reference:glossary_term")


@router.get(
    "/glossary/{term_id}", response=OK, url_name="glossary_term", summary="One glossary term"
)
def glossary_term(request: HttpRequest, term_id: str) -> dict[str, Any]:
    return _detail(
        request, "glossary", term_id, "glossary term", "glossary", "reference:glossary_term"
    )


@router.get(
    "/errors", response=OK, url_name="errors", summary="Known runtime errors and their fixes"
)
def errors(request: HttpRequest, filters: Query[ErrorFilters]) -> dict[str, Any]:
    f = filters

    def keep(e: Entry) -> bool:
        return (
            (not f.q or matches_text(e, f.q, "error", "symptom"))
            and (not f.category or _same(e.get("category"), f.category))
            and (not f.runtime or _mentions(e.get("runtime"), f.runtime))
        )

    return _listing(request, "errors", f, keep, "errors", "reference:error_detail")


@router.get("/errors/{error_id}", response=OK, url_name="error", summary="One known error")
def error(request: HttpRequest, error_id: str) -> dict[str, Any]:
    return _detail(request, "errors", error_id, "error", "errors", "reference:error_detail")
