"""The glossary, the errors knowledge base and the troubleshooting hub."""

from __future__ import annotations

import string
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from runlocal.catalog import Catalog, Entry
from runlocal_web.lib.pages import Page, respond

from ..content import (
    ERROR_CATEGORY_LABELS,
    GLOSSARY_CATEGORY_LABELS,
    SLUG_RE,
    as_list,
    catalog,
    close_matches,
    describe,
    entity_url,
    entry_meta,
    label,
    link,
    not_found,
    resolve_or_missing,
    sorted_entries,
    text,
)

# The runtimes a glossary term explains itself in: key in `in_runtimes` → (label, tool id).
IN_RUNTIMES = (
    ("llama_cpp", "llama.cpp", "llama-cpp"),
    ("ollama", "Ollama", "ollama"),
    ("lm_studio", "LM Studio", "lm-studio"),
    ("vllm", "vLLM", "vllm"),
)
OTHER = "other"


# --- glossary -----------------------------------------------------------------------------


def _category(e: Entry) -> str:
    value = text(e.get("category"))
    return value if SLUG_RE.match(value) else OTHER


def categories_of(entries: list[Entry], labels: dict[str, str]) -> list[str]:
    present = {_category(e) for e in entries}
    return (
        [c for c in labels if c in present]
        + sorted(c for c in present if c not in labels and c != OTHER)
        + ([OTHER] if OTHER in present else [])
    )


def _term_row(e: Entry) -> dict[str, Any]:
    cat = _category(e)
    return {
        "id": e.id,
        "name": e.name,
        "url": entity_url("glossary", e.id),
        "short": text(e.get("short")),
        "category": cat,
        "category_label": label(GLOSSARY_CATEGORY_LABELS, cat),
    }


def _letter(name: str) -> str:
    first = name.strip()[:1].upper()
    return first if first in string.ascii_uppercase else "#"


def glossary(request: HttpRequest) -> HttpResponse:
    _digest, cat = catalog()
    path = reverse("reference:glossary")
    terms = sorted_entries(cat.glossary.values())
    rows = [_term_row(e) for e in terms]
    categories = [
        {
            "id": c,
            "label": label(GLOSSARY_CATEGORY_LABELS, c),
            "url": reverse("reference:glossary_category", args=[c]),
            "terms": [r for r in rows if r["category"] == c],
        }
        for c in categories_of(terms, GLOSSARY_CATEGORY_LABELS)
    ]
    letters: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        letters.setdefault(_letter(r["name"]), []).append(r)
    az = [{"letter": k, "terms": letters[k]} for k in sorted(letters)]
    page = Page(
        title="Local AI glossary: quantization, memory, hardware and runtime terms",
        description=(
            "Plain definitions of the terms of running AI models locally, from KV cache and "
            "Q4_K_M to tensor parallelism, each with real numbers and how the runtimes use it."
        ),
        breadcrumbs=[("Home", "/"), ("Glossary", path)],
        canonical_path=path,
    )
    data = {"count": len(rows), "categories": categories, "az": az}
    return respond(request, "reference/glossary.html", page, data)


def glossary_category(request: HttpRequest, slug: str) -> HttpResponse:
    _digest, cat = catalog()
    list_url = reverse("reference:glossary")
    terms = sorted_entries(cat.glossary.values())
    present = categories_of(terms, GLOSSARY_CATEGORY_LABELS)
    if slug not in present:
        options = {
            label(GLOSSARY_CATEGORY_LABELS, c): reverse("reference:glossary_category", args=[c])
            for c in present
        }
        return not_found(
            request,
            title=f"No glossary category called “{slug[:100]}”",
            description="The glossary has no category at this address; its categories are below.",
            error=f"no glossary category called {slug[:100]!r}",
            suggestions=close_matches(slug, options)
            or [{"name": n, "url": u} for n, u in options.items()],
            crumbs=[("Glossary", list_url)],
            query=slug,
        )
    name = label(GLOSSARY_CATEGORY_LABELS, slug)
    url = reverse("reference:glossary_category", args=[slug])
    rows = [_term_row(e) for e in terms if _category(e) == slug]
    page = Page(
        title=f"{name}: glossary of local AI terms",
        description=describe(
            f"{len(rows)} terms about {name.lower()} for running AI models locally: "
            + ", ".join(r["name"] for r in rows[:6])
            + ("…" if len(rows) > 6 else "."),
            fallback="",
        ),
        breadcrumbs=[("Home", "/"), ("Glossary", list_url), (name, url)],
        canonical_path=url,
    )
    data = {"category": {"id": slug, "label": name}, "terms": rows}
    return respond(request, "reference/glossary_category.html", page, data)


def _measured_quant(e: Entry, category: str, cat: Catalog) -> dict[str, Any] | None:
    """The measured table for a quantization term: the type's own page when the term is one
    (q4-k-m), else the table of every type; None for other terms or without tables."""
    if e.id in cat.quants:
        q = cat.quants[e.id]
        url = reverse("reference:quant_detail", args=[q.id])
        return {"name": q.name, "url": url, "all": False}
    if category == "quantization" and cat.quants:
        return {"name": "Quantization types", "url": reverse("reference:quant_list"), "all": True}
    return None


def glossary_term(request: HttpRequest, slug: str) -> HttpResponse:
    list_url = reverse("reference:glossary")
    found = resolve_or_missing(
        request, "glossary", slug, noun="glossary term", list_label="Glossary", list_url=list_url
    )
    if isinstance(found, HttpResponse):
        return found
    e = found
    _digest, cat = catalog()
    category = _category(e)
    category_label = label(GLOSSARY_CATEGORY_LABELS, category)
    category_url = reverse("reference:glossary_category", args=[category])
    url = reverse("reference:glossary_term", args=[e.id])
    in_rt = e.get("in_runtimes") if isinstance(e.get("in_runtimes"), dict) else {}
    runtimes = []
    for key, rt_label, tool_id in IN_RUNTIMES:
        value = in_rt.get(key)
        if isinstance(value, str) and value.strip():
            tool = link("runtimes", tool_id, cat)
            runtimes.append({"key": key, "label": rt_label, "text": value, "url": tool["url"]})
    related = [link("glossary", r, cat) for r in as_list(e.get("related")) if isinstance(r, str)]
    errors = [
        {"id": err.id, "name": err.name, "url": entity_url("errors", err.id)}
        for err in sorted_entries(cat.errors.values())
        if e.id in as_list(err.get("glossary"))
    ]
    data = {
        "term": {
            **entry_meta(e),
            "category": category,
            "category_label": category_label,
            "category_url": category_url,
            "short": text(e.get("short")),
            "definition": text(e.get("definition")),
            "deeper": text(e.get("deeper")),
            "example": text(e.get("example")),
        },
        "in_runtimes": runtimes,
        "related": related,
        "errors": errors,
        "measured": _measured_quant(e, category, cat),
    }
    page = Page(
        title=f"{e.name}: what it means for running AI locally",
        description=describe(e.get("short"), e.get("definition"), fallback=f"{e.name}, explained."),
        breadcrumbs=[
            ("Home", "/"),
            ("Glossary", list_url),
            (category_label, category_url),
            (e.name, url),
        ],
        canonical_path=url,
    )
    return respond(request, "reference/glossary_term.html", page, data)


# --- errors -------------------------------------------------------------------------------


def _error_row(e: Entry) -> dict[str, Any]:
    category = _category(e)
    return {
        "id": e.id,
        "name": e.name,
        "url": entity_url("errors", e.id),
        "error": text(e.get("error")),
        "symptom": text(e.get("symptom")),
        "runtime": text(e.get("runtime")),
        "category": category,
        "category_label": label(ERROR_CATEGORY_LABELS, category),
    }


def _error_groups(cat: Catalog) -> list[dict[str, Any]]:
    entries = sorted_entries(cat.errors.values())
    rows = [_error_row(e) for e in entries]
    return [
        {
            "id": c,
            "label": label(ERROR_CATEGORY_LABELS, c),
            "errors": [r for r in rows if r["category"] == c],
        }
        for c in categories_of(entries, ERROR_CATEGORY_LABELS)
    ]


def error_list(request: HttpRequest) -> HttpResponse:
    _digest, cat = catalog()
    path = reverse("reference:error_list")
    groups = _error_groups(cat)
    page = Page(
        title="Errors KB: local AI error messages, their causes and fixes",
        description=(
            "The exact error messages of llama.cpp, Ollama, LM Studio, vLLM, PyTorch, CUDA and "
            "ROCm, with what causes each one and the steps that fix it."
        ),
        breadcrumbs=[("Home", "/"), ("Errors KB", path)],
        canonical_path=path,
    )
    data = {"count": sum(len(g["errors"]) for g in groups), "categories": groups}
    context = {"troubleshoot_url": reverse("reference:troubleshoot")}
    return respond(request, "reference/error_list.html", page, data, context=context)


def error_detail(request: HttpRequest, slug: str) -> HttpResponse:
    list_url = reverse("reference:error_list")
    found = resolve_or_missing(
        request, "errors", slug, noun="error", list_label="Errors KB", list_url=list_url
    )
    if isinstance(found, HttpResponse):
        return found
    e = found
    _digest, cat = catalog()
    url = reverse("reference:error_detail", args=[e.id])
    row = _error_row(e)
    data = {
        "error": {
            **entry_meta(e),
            **row,
            "cause": text(e.get("cause")),
            "fix": [s for s in as_list(e.get("fix")) if isinstance(s, str) and s.strip()],
            "alternatives": [
                s for s in as_list(e.get("alternatives")) if isinstance(s, str) and s.strip()
            ],
        },
        "related": [
            link("errors", r, cat) for r in as_list(e.get("related")) if isinstance(r, str)
        ],
        "glossary": [
            link("glossary", g, cat) for g in as_list(e.get("glossary")) if isinstance(g, str)
        ],
        "troubleshoot_url": reverse("reference:troubleshoot"),
        "will_it_run_url": reverse("checker:will_it_run")
        if row["category"] == "out-of-memory"
        else None,
    }
    page = Page(
        title=f"{e.name}: cause and fix",
        description=describe(
            f"{row['symptom']}. What causes it and how to fix it, step by step."
            if row["symptom"]
            else "",
            fallback=f"{e.name}: what causes it and how to fix it.",
        ),
        breadcrumbs=[
            ("Home", "/"),
            ("Errors KB", list_url),
            (row["category_label"], f"{list_url}#{row['category']}"),
            (e.name, url),
        ],
        canonical_path=url,
    )
    return respond(request, "reference/error_detail.html", page, data)


def troubleshoot(request: HttpRequest) -> HttpResponse:
    _digest, cat = catalog()
    path = reverse("reference:troubleshoot")
    groups = _error_groups(cat)
    page = Page(
        title="Troubleshoot local AI: find your symptom, get the fix",
        description=(
            "Out of memory, a GPU that is not detected, a model file that will not load, slow "
            "generation: pick what you see and go to the exact error, its cause and its fix."
        ),
        breadcrumbs=[("Home", "/"), ("Troubleshoot", path)],
        canonical_path=path,
    )
    data = {
        "categories": [
            {
                "id": g["id"],
                "label": g["label"],
                "symptoms": [
                    {
                        "symptom": r["symptom"] or r["name"],
                        "error": {"id": r["id"], "name": r["name"], "url": r["url"]},
                        "runtime": r["runtime"],
                    }
                    for r in g["errors"]
                ],
            }
            for g in groups
        ],
        "errors_url": reverse("reference:error_list"),
        "will_it_run_url": reverse("checker:will_it_run"),
    }
    return respond(request, "reference/troubleshoot.html", page, data)
