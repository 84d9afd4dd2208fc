"""Tools: the runtimes directory, one page per tool, and the compatibility matrix."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from runlocal.catalog import Catalog, Entry, normalize
from runlocal.runtimes import RUNTIMES
from runlocal_web.catalogdb.featured import featured_hardware, featured_models
from runlocal_web.lib.labels import BACKEND_LABELS
from runlocal_web.lib.pages import Page, respond

from ..content import (
    FIT_LABELS,
    FORMAT_LABELS,
    OS_LABELS,
    TOOL_CATEGORY_LABELS,
    as_list,
    catalog,
    describe,
    entity_url,
    entry_meta,
    label,
    resolve_or_missing,
    sorted_entries,
    text,
)
from ..forms import ToolFilterForm
from ..live import live_verdict

OS_ORDER = tuple(OS_LABELS)
BACKEND_ORDER = tuple(BACKEND_LABELS)


def _strings(value: Any) -> list[str]:
    return [v for v in as_list(value) if isinstance(v, str) and v]


def _ordered(values: set[str], order: tuple[str, ...]) -> list[str]:
    return [v for v in order if v in values] + sorted(v for v in values if v not in order)


def tool_row(e: Entry) -> dict[str, Any]:
    fit = text(e.get("fit"))
    category = text(e.get("category"))
    os_ids = _strings(e.get("os"))
    backends = _strings(e.get("backends"))
    formats = _strings(e.get("formats"))
    return {
        "id": e.id,
        "name": e.name,
        "url": entity_url("runtimes", e.id),
        "category": category,
        "category_label": label(TOOL_CATEGORY_LABELS, category) if category else "",
        "summary": text(e.get("summary")),
        "best_for": text(e.get("best_for")),
        "os": os_ids,
        "backends": backends,
        "formats": formats,
        "os_labels": [label(OS_LABELS, o) for o in _ordered(set(os_ids), OS_ORDER)],
        "backend_labels": [
            label(BACKEND_LABELS, b) for b in _ordered(set(backends), BACKEND_ORDER)
        ],
        "format_labels": [
            label(FORMAT_LABELS, f) for f in _ordered(set(formats), tuple(FORMAT_LABELS))
        ],
        "fit": fit,
        "fit_label": label(FIT_LABELS, fit) if fit else "",
        "engine_runtime": text(e.get("engine_runtime")),
        "license": text(e.get("license")),
    }


def _values(rows: list[dict[str, Any]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {"os": set(), "backends": set(), "formats": set()}
    for r in rows:
        for key in out:
            out[key].update(r[key])
    out["fit"] = {r["fit"] for r in rows if r["fit"]}
    out["category"] = {r["category"] for r in rows if r["category"]}
    return out


def tool_list(request: HttpRequest) -> HttpResponse:
    _digest, cat = catalog()
    path = reverse("reference:tool_list")
    all_rows = [tool_row(e) for e in sorted_entries(cat.runtimes.values())]
    form = ToolFilterForm(request.GET or None, values=_values(all_rows))
    rows = all_rows
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400
    elif form.is_bound:
        d = form.cleaned_data
        words = normalize(d.get("q") or "").split()[:8]
        for key, field in (
            ("os", "os"),
            ("backends", "backend"),
            ("formats", "file_format"),
        ):
            if d.get(field):
                rows = [r for r in rows if d[field] in r[key]]
        if d.get("fit"):
            rows = [r for r in rows if r["fit"] == d["fit"]]
        if d.get("category"):
            rows = [r for r in rows if r["category"] == d["category"]]
        if words:
            rows = [r for r in rows if _matches(cat.runtimes[r["id"]], r, words)]
    filters = form.active()
    page = Page(
        title="Local AI tools: runtimes, apps and servers compared",
        description=(
            "Every tool for running AI models locally: which operating systems, GPU backends "
            "and model formats each supports, how to install it and what it is best for."
        ),
        breadcrumbs=[("Home", "/"), ("Tools", path)],
        canonical_path=path,
        noindex=bool(filters) or status != 200,
    )
    data: dict[str, Any] = {"filters": filters, "count": len(rows), "tools": rows}
    if status != 200:
        data["errors"] = {k: list(v) for k, v in form.errors.items()}
    context = {"form": form, "compat_url": reverse("reference:compatibility")}
    return respond(request, "reference/tool_list.html", page, data, context=context, status=status)


def _matches(e: Entry, row: dict[str, Any], words: list[str]) -> bool:
    hay = normalize(
        " ".join([e.id, e.name, *e.aliases, row["summary"], row["best_for"], row["category"]])
    ).split()
    joined = " ".join(hay)
    return all(w in joined for w in words)


def tool_detail(request: HttpRequest, slug: str) -> HttpResponse:
    list_url = reverse("reference:tool_list")
    found = resolve_or_missing(
        request, "runtimes", slug, noun="tool", list_label="Tools", list_url=list_url
    )
    if isinstance(found, HttpResponse):
        return found
    e = found
    digest, cat = catalog()
    url = reverse("reference:tool_detail", args=[e.id])
    row = tool_row(e)
    install = e.get("install") if isinstance(e.get("install"), dict) else {}
    install_rows = [
        {"os": os_id, "os_label": label(OS_LABELS, os_id), "command": cmd}
        for os_id in _ordered(set(install), OS_ORDER)
        if isinstance((cmd := install.get(os_id)), str) and cmd
    ]
    engine_rt = row["engine_runtime"]
    will_it_run = None
    if engine_rt in RUNTIMES:
        will_it_run = {
            "runtime": engine_rt,
            "runtime_name": RUNTIMES[engine_rt].name,
            "url": reverse("checker:will_it_run"),
            "example": _example_check(e, engine_rt, cat, digest),
        }
    data = {
        "tool": {
            **entry_meta(e),
            **row,
            "homepage": text(e.get("homepage")),
            "repo": text(e.get("repo")),
            "caveats": _strings(e.get("caveats")),
        },
        "install": install_rows,
        "will_it_run": will_it_run,
        "errors": _errors_mentioning(e, cat),
        "compatibility_url": reverse("reference:compatibility"),
    }
    page = Page(
        title=f"{e.name}: install, supported GPUs and formats",
        description=describe(
            row["summary"], row["best_for"], fallback=f"{e.name}: a tool for running AI locally."
        ),
        breadcrumbs=[("Home", "/"), ("Tools", list_url), (e.name, url)],
        canonical_path=url,
    )
    return respond(request, "reference/tool_detail.html", page, data)


def _example_check(tool: Entry, runtime: str, cat: Catalog, digest: str) -> dict[str, Any] | None:
    """A catalog model on catalog hardware that this runtime can run, as a Will-it-run link."""
    backends = set(_strings(tool.get("backends")))
    gpu_backends = backends - {"cpu"}
    hardware = []
    for h in featured_hardware():
        entry = cat.hardware.get(h.id)
        hw_backends = set(_strings(entry.get("backends"))) if entry else set()
        if hw_backends & (gpu_backends or backends):
            hardware.append(h)
    # Mid-range hardware first: an example that says more than "a 3B model fits a 5090".
    middle = len(hardware) // 2
    hardware = hardware[middle:] + hardware[:middle]
    models = featured_models()
    models = models[len(models) // 2 :] + models[: len(models) // 2]
    for m in models[:3]:
        for h in hardware[:3]:
            q = {
                "model": m.id,
                "hardware": [h.id],
                "quant": "",
                "context": None,
                "runtime": runtime,
                "ram_gb": None,
            }
            verdict = live_verdict(q, cat, digest)
            if "error" not in verdict:
                return {
                    "label": f"{m.name} on {h.name}",
                    "url": verdict["check_url"],
                    "verdict_label": verdict["verdict_label"],
                    "verdict_class": verdict["verdict_class"],
                }
    return None


def _errors_mentioning(tool: Entry, cat: Catalog) -> list[dict[str, Any]]:
    """Errors KB entries whose `runtime` names this tool."""
    keys = {normalize(k) for k in (tool.name, tool.id, *tool.aliases) if len(normalize(k)) > 2}
    out = []
    for err in sorted_entries(cat.errors.values()):
        where = f" {normalize(text(err.get('runtime')))} "
        if any(f" {k} " in where for k in keys):
            out.append({"id": err.id, "name": err.name, "url": entity_url("errors", err.id)})
    return out[:12]


def compatibility(request: HttpRequest) -> HttpResponse:
    _digest, cat = catalog()
    path = reverse("reference:compatibility")
    rows = [tool_row(e) for e in sorted_entries(cat.runtimes.values())]
    values = _values(rows)
    columns = {
        "os": [{"id": o, "label": label(OS_LABELS, o)} for o in _ordered(values["os"], OS_ORDER)],
        "backends": [
            {"id": b, "label": label(BACKEND_LABELS, b)}
            for b in _ordered(values["backends"], BACKEND_ORDER)
        ],
        "formats": [
            {"id": f, "label": label(FORMAT_LABELS, f)}
            for f in _ordered(values["formats"], tuple(FORMAT_LABELS))
        ],
    }
    matrix = [
        {
            "id": r["id"],
            "name": r["name"],
            "url": r["url"],
            "category_label": r["category_label"],
            "fit_label": r["fit_label"],
            "os": {c["id"]: c["id"] in r["os"] for c in columns["os"]},
            "backends": {c["id"]: c["id"] in r["backends"] for c in columns["backends"]},
            "formats": {c["id"]: c["id"] in r["formats"] for c in columns["formats"]},
        }
        for r in rows
    ]
    page = Page(
        title="Runtime compatibility matrix: OS, GPU backends and model formats",
        description=(
            "Which local AI runtimes run on Linux, macOS and Windows, on CUDA, ROCm, Metal, "
            "Vulkan, SYCL or the CPU, and which model formats (GGUF, MLX, AWQ …) each loads."
        ),
        breadcrumbs=[
            ("Home", "/"),
            ("Tools", reverse("reference:tool_list")),
            ("Compatibility", path),
        ],
        canonical_path=path,
    )
    data = {"columns": columns, "runtimes": matrix}
    return respond(request, "reference/compatibility.html", page, data)
