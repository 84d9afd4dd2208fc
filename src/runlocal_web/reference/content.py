"""Shared helpers of the reference pages: catalog access, labels, URLs, the helpful 404.

Every page reads the synced catalog (`current()`: rebuilt from the database once per catalog
digest and cached per process), never the TOML files, so a page and the engine agree.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import reverse

from runlocal.catalog import Catalog, Entry, normalize
from runlocal.errors import InputError, RunlocalError
from runlocal.hardware import parse_hardware
from runlocal_web.catalogdb.store import current
from runlocal_web.lib.pages import Page, path_with_query, respond, url_for

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9.+-]{0,99}$")

# Editorial pages (catalog `pages/<id>.toml`) served by this app: id → (path, label).
EDITORIAL = {
    "methodology": ("/methodology/", "Methodology"),
    "trust": ("/trust/", "Trust"),
    "author": ("/author/", "Author"),
    "how-we-make-money": ("/how-we-make-money/", "How we make money"),
    "editorial-policy": ("/editorial-policy/", "Editorial policy"),
    "privacy": ("/privacy/", "Privacy"),
    "terms": ("/terms/", "Terms"),
    "start": ("/start/", "Start here"),
    "benchmark-protocol": ("/benchmarks/protocol/", "Benchmark capture protocol"),
}
# Pages served elsewhere that a catalog page file may also describe.
OTHER_PAGES = {"about": "/about/"}

OS_LABELS = {
    "linux": "Linux",
    "macos": "macOS",
    "windows": "Windows",
    "android": "Android",
    "ios": "iOS",
}
FORMAT_LABELS = {
    "gguf": "GGUF",
    "ggml": "GGML",
    "safetensors": "safetensors",
    "gptq": "GPTQ",
    "awq": "AWQ",
    "exl2": "EXL2",
    "exl3": "EXL3",
    "mlx": "MLX",
    "onnx": "ONNX",
    "fp8": "FP8",
    "nvfp4": "NVFP4",
    "bitsandbytes": "bitsandbytes",
    "llamafile": "llamafile",
    "mlc": "MLC",
    "ckpt": "ckpt",
}
FIT_LABELS = {
    "beginner": "Beginner",
    "production": "Production",
    "distributed": "Distributed",
}
TOOL_CATEGORY_LABELS = {
    "engine": "Inference engine",
    "app": "Desktop app",
    "server": "Server",
    "ui": "Web UI",
    "library": "Library",
}
GLOSSARY_CATEGORY_LABELS = {
    "quantization": "Quantization",
    "memory": "Memory",
    "hardware": "Hardware & infrastructure",
    "inference": "Inference",
    "runtimes": "Runtimes & tools",
    "models": "Models",
    "prompting": "Prompting",
    "formats": "File formats",
}
ERROR_CATEGORY_LABELS = {
    "out-of-memory": "Out of memory",
    "install": "Installation",
    "driver": "Drivers and GPU detection",
    "model-file": "Model files",
    "config": "Configuration",
    "performance": "Performance",
}
KIND_LABELS = {
    "models": "Models",
    "hardware": "Hardware",
    "benchmarks": "Benchmarks",
    "runtimes": "Tools",
    "prices": "Prices",
    "glossary": "Glossary",
    "errors": "Errors KB",
    "guides": "Buyer guides",
    "learn": "Learn",
    "kits": "Prompting kits",
    "answers": "Quick answers",
    "pages": "Editorial pages",
    "quants": "Quantization types",
}
VERDICT_LABELS = {
    "comfortable": ("Runs comfortably", "good"),
    "tradeoffs": ("Runs with tradeoffs", "warn"),
    "wont-run": ("Will not run", "bad"),
}


def label(mapping: dict[str, str], key: Any) -> str:
    text = str(key)
    return mapping.get(text, text.replace("-", " ").replace("_", " ").capitalize())


def catalog() -> tuple[str, Catalog]:
    """(digest, catalog) of the last sync."""
    return current()


def sorted_entries(entries: Iterable[Entry]) -> list[Entry]:
    return sorted(entries, key=lambda e: (e.name.casefold(), e.id))


def as_list(value: Any) -> list[Any]:
    """A catalog value that should be a list: a lone string becomes one item, junk nothing."""
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def clip(value: str, limit: int = 200) -> str:
    value = " ".join(str(value).split())
    # Markdown emphasis and code marks read badly in a meta description.
    # Not the underscores inside a word: Q4_K_M stays Q4_K_M.
    value = re.sub(r"(\*{1,3}|`)(.+?)\1", r"\2", value)
    value = re.sub(r"(?<!\w)_{1,2}([^_]+?)_{1,2}(?!\w)", r"\1", value)
    value = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", value)
    return value if len(value) <= limit else value[: limit - 1].rsplit(" ", 1)[0] + "…"


def describe(*candidates: Any, fallback: str) -> str:
    """The first non-empty text, clipped for a meta description."""
    for c in candidates:
        if isinstance(c, str) and c.strip():
            return clip(c)
    return fallback


def entry_meta(entry: Entry) -> dict[str, Any]:
    """The provenance every record carries, for the JSON twin and the Sources block."""
    return {
        "id": entry.id,
        "name": entry.name,
        "aliases": list(entry.aliases),
        "sources": list(entry.sources),
        "last_verified": entry.last_verified,
        "reviewed_by": entry.reviewed_by,
        "notes": text(entry.get("notes")),
    }


def entity_url(kind: str, eid: str) -> str | None:
    """The page of one catalog record, or None when the record has no page of its own."""
    if not SLUG_RE.match(eid):
        return None
    routes = {
        "models": "catalogdb:model_detail",
        "hardware": "catalogdb:hardware_detail",
        "benchmarks": "reference:benchmark_detail",
        "runtimes": "reference:tool_detail",
        "glossary": "reference:glossary_term",
        "errors": "reference:error_detail",
        "guides": "reference:guide_detail",
        "learn": "reference:course",
        "kits": "reference:kit_detail",
        "answers": "reference:answer_detail",
        "quants": "reference:quant_detail",
    }
    if kind in routes:
        return url_for(routes[kind], eid)
    if kind == "pages":
        if eid in EDITORIAL:
            return EDITORIAL[eid][0]
        return OTHER_PAGES.get(eid)
    return None


def link(kind: str, eid: str, catalog_: Catalog) -> dict[str, Any]:
    """{id, name, url}: url None when the catalog has no such record (shown as plain text)."""
    entry = catalog_.entries(kind).get(eid) if isinstance(eid, str) else None
    if entry is None and kind == "hardware" and isinstance(eid, str) and eid.strip():
        return _hardware_setup_link(eid, catalog_)
    if entry is None:
        return {"id": eid, "name": str(eid), "url": None}
    return {"id": entry.id, "name": entry.name, "url": entity_url(kind, entry.id)}


def _hardware_setup_link(text_: str, catalog_: Catalog) -> dict[str, Any]:
    """A setup as the engine reads it ("apple-m4-max-40c 128GB", "2x RTX 3090"): the
    devices' names, never the raw text, linked to the catalog record."""
    try:
        devices = parse_hardware(catalog_, text_)
    except RunlocalError:
        return {"id": text_, "name": text_, "url": None}
    first = devices[0]
    name = first.name if len(devices) == 1 else f"{len(devices)}× {first.name}"
    url = entity_url("hardware", first.id) if first.id in catalog_.hardware else None
    return {"id": first.id or text_, "name": name, "url": url}


# --- the helpful 404 ----------------------------------------------------------------------


def resolve_or_missing(
    request: HttpRequest,
    kind: str,
    slug: str,
    *,
    noun: str,
    list_label: str,
    list_url: str,
) -> Entry | HttpResponse:
    """The entry at `slug`; an alias or a differently written name redirects to it (301);
    anything else is a 404 page that suggests the closest names."""
    _digest, cat = catalog()
    entries = cat.entries(kind)
    if SLUG_RE.match(slug) and slug in entries:
        return entries[slug]
    names: list[str] = []
    if 0 < len(slug) <= 100:
        try:
            entry = cat.find(kind, slug)
        except InputError as exc:  # unknown, ambiguous, or a size the device is not sold with
            names = list(getattr(exc, "suggestions", []))
        else:
            target = entity_url(kind, entry.id)
            if target is not None:
                fmt = request.GET.get("format")
                if fmt:
                    target = path_with_query(target, {"format": fmt})
                return HttpResponsePermanentRedirect(target)
    by_name = {e.name: e.id for e in entries.values()}
    suggestions = []
    for n in names:
        url = entity_url(kind, by_name[n]) if n in by_name else None
        if url:
            suggestions.append({"name": n, "url": url})
    return not_found(
        request,
        title=f"No {noun} called “{slug[:100]}”",
        description=f"runlocal has no {noun} at this address. The closest names are below.",
        error=f"no {noun} called {slug[:100]!r}",
        suggestions=suggestions,
        crumbs=[(list_label, list_url)],
        query=slug[:100].replace("-", " "),
    )


def close_matches(word: str, options: dict[str, str], n: int = 5) -> list[dict[str, str]]:
    """{name, url} for the options (name → url) closest to `word`."""
    key = normalize(word[:100])
    by_key = {normalize(name): name for name in options}
    hits = difflib.get_close_matches(key, list(by_key), n=n, cutoff=0.4)
    return [{"name": by_key[h], "url": options[by_key[h]]} for h in hits]


def not_found(
    request: HttpRequest,
    *,
    title: str,
    description: str,
    error: str,
    suggestions: list[dict[str, Any]],
    crumbs: list[tuple[str, str]],
    query: str = "",
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    page = Page(
        title=title,
        description=description,
        breadcrumbs=[("Home", "/"), *crumbs, ("Not found", request.path)],
        canonical_path=request.path,
        noindex=True,
    )
    q = " ".join(normalize(query).split()[:8])
    data: dict[str, Any] = {
        "error": error,
        "suggestions": suggestions,
        "query": q,
        "search_url": path_with_query(reverse("reference:search"), {"q": q}) if q else None,
    }
    data.update(extra or {})
    context = {"back": crumbs[-1] if crumbs else None}
    return respond(request, "reference/not_found.html", page, data, context=context, status=404)
