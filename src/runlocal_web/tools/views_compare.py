"""Compare hardware: two devices at /compare/hardware/<a>-vs-<b>/, or 2–6 at /compare/."""

from __future__ import annotations

import itertools
import re
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, QueryDict
from django.urls import reverse

from runlocal.catalog import Catalog, Entry
from runlocal.errors import InputError, UnknownNameError
from runlocal_web.catalogdb.featured import featured_hardware
from runlocal_web.catalogdb.store import current
from runlocal_web.lib.engine import cached_answer
from runlocal_web.lib.pages import Page, path_with_query, respond
from runlocal_web.ops.limits import limited

from .common import (
    HardwarePick,
    hardware_names,
    resolve_hardware,
)
from .compare_data import compare_data
from .compare_present import compare_charts, spec_table
from .forms import MAX_COMPARE, CompareForm

SEP = "-vs-"
_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9.+-]{0,99}$")
_PART_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._+-]{0,99}$")
TEMPLATE = "tools/compare.html"


def pair_url(a: str, b: str) -> str:
    return reverse("tools:compare_pair", args=[f"{a}{SEP}{b}"])


def compare_url(queries: list[str], ram_gb: float | None = None) -> str:
    params = [("hw", q) for q in queries]
    if ram_gb is not None:
        params.append(("ram_gb", f"{ram_gb:g}"))
    return path_with_query(reverse("tools:compare"), params)


def _canonical(picks: list[HardwarePick], ram_gb: float | None = None) -> str:
    """The pair address for two plain catalog devices, else /compare/?hw=…"""
    queries = [p.query for p in picks]
    if len(picks) == 2 and all(p.query == p.entry.id for p in picks) and ram_gb is None:
        return pair_url(*queries)
    return compare_url(queries, ram_gb)


# --- /compare/hardware/<a>-vs-<b>/ ----------------------------------------------------------


@limited("check")
def compare_pair(request: HttpRequest, pair: str) -> HttpResponse:
    digest, catalog = current()
    parts = pair.split(SEP)
    if len(parts) != 2 or not all(parts):
        return _pair_missing(request, pair, catalog, [None, None], [[], []])
    found: list[Entry | None] = []
    names: list[list[str]] = []
    for part in parts:
        entry, suggestions = _find(catalog, part)
        found.append(entry)
        names.append(suggestions)
    a, b = found
    if a is None or b is None:
        return _pair_missing(request, pair, catalog, found, names)
    if a.id == b.id:
        return _pair_missing(request, pair, catalog, found, names, same=True)
    if parts != [a.id, b.id]:
        target = pair_url(a.id, b.id)
        fmt = request.GET.get("format")
        return HttpResponsePermanentRedirect(
            path_with_query(target, {"format": fmt}) if fmt else target
        )
    picks = [resolve_hardware(catalog, a.id), resolve_hardware(catalog, b.id)]
    return _render(request, catalog, digest, picks, CompareForm(), {})


def _find(catalog: Catalog, part: str) -> tuple[Entry | None, list[str]]:
    if part in catalog.hardware:
        return catalog.hardware[part], []
    if not _PART_RE.match(part):
        return None, []
    try:
        return catalog.find_hardware(part), []
    except UnknownNameError as exc:
        return None, list(exc.suggestions)
    except InputError:
        return None, []


def _pair_missing(
    request: HttpRequest,
    pair: str,
    catalog: Catalog,
    found: list[Entry | None],
    names: list[list[str]],
    *,
    same: bool = False,
) -> HttpResponse:
    """A 404 whose suggestions are pair pages: each unknown side swapped for a close name."""
    by_name = {e.name: e.id for e in catalog.hardware.values()}
    options: list[list[str]] = []
    for entry, suggested in zip(found, names, strict=True):
        if entry is not None:
            options.append([entry.id])
        else:
            options.append([by_name[n] for n in suggested if n in by_name][:5])
    suggestions: list[dict[str, str]] = []
    if not same and all(options):
        for side in (0, 1):
            other = options[1 - side][0]
            for choice in options[side]:
                a, b = (choice, other) if side == 0 else (other, choice)
                if a != b:
                    item = {
                        "name": f"{catalog.hardware[a].name} vs {catalog.hardware[b].name}",
                        "url": pair_url(a, b),
                    }
                    if item not in suggestions:
                        suggestions.append(item)
    if same and found[0] is not None:
        suggestions.append(
            {"name": found[0].name, "url": reverse("catalogdb:hardware_detail", args=[found[0].id])}
        )
    shown = pair[:100]
    page = Page(
        title=f"No comparison called “{shown}”",
        description=(
            "Compare two different catalog devices: /compare/hardware/<first>-vs-<second>/."
            if same
            else "One of the two devices in this address is not in the runlocal catalog."
        ),
        breadcrumbs=[
            ("Home", "/"),
            ("Compare", reverse("tools:compare")),
            ("Not found", request.path),
        ],
        canonical_path=request.path,
        noindex=True,
    )
    unknown = next((p for p, e in zip(pair.split(SEP), found, strict=False) if e is None), shown)
    data = {
        "error": "the same device twice"
        if same
        else f"no hardware called {unknown[:100]!r} in the catalog",
        "suggestions": suggestions[:8],
        "search_url": path_with_query(
            reverse("catalogdb:hardware_list"), {"q": unknown[:100].replace("-", " ")}
        ),
    }
    return respond(
        request, "errors/not_found.html", page, data, context={"list_title": "Hardware"}, status=404
    )


# --- /compare/?hw=…&hw=… -------------------------------------------------------------------


@limited("check")
def compare(request: HttpRequest) -> HttpResponse:
    digest, catalog = current()
    typed = [v for v in request.GET.getlist("hw") if v.strip()]
    form = CompareForm(request.GET if typed else None)
    if len(typed) < 2 and "\x00" not in "".join(typed) and all(len(v) <= 100 for v in typed):
        # Nothing or one device so far (a box just removed): the form, with what is there.
        return _empty(request, catalog, form, typed)
    suggestions: list[dict[str, Any]] = []
    picks: list[HardwarePick] = []
    if form.is_valid():
        for text in form.cleaned_data["hw"]:
            try:
                pick = resolve_hardware(catalog, text)
            except UnknownNameError as exc:
                plain = type(exc) is UnknownNameError  # not ambiguous, not a size unsold
                form.add_error(
                    "hw",
                    exc.headline if plain else f"{text}: {exc}",
                )
                suggestions.append(
                    {"input": text, "suggestions": _swap_links(request.GET, text, exc.suggestions)}
                )
                continue
            except InputError as exc:
                form.add_error("hw", f"{text}: {exc}")
                continue
            if all(p.query != pick.query for p in picks):
                picks.append(pick)
        if not form.errors and len(picks) < 2:
            form.add_error("hw", "Pick at least two different devices.")
    if form.errors:
        page = Page(
            title="Compare hardware: check the form",
            description="Some of the devices need fixing before runlocal can compare them.",
            breadcrumbs=[("Home", "/"), ("Compare", reverse("tools:compare"))],
            canonical_path=reverse("tools:compare"),
            noindex=True,
        )
        data = {
            "query": {"hw": request.GET.getlist("hw")},
            "errors": {k or "__all__": list(v) for k, v in form.errors.items()},
            "suggestions": suggestions,
            "hardware": None,
        }
        context = _form_context(catalog, [v for v in request.GET.getlist("hw") if v.strip()])
        # The RAM box shows what was typed, a wrong value included, beside its error.
        context.update(suggestions=suggestions, form=form, ram_gb_value=_typed_ram(request))
        return respond(request, TEMPLATE, page, data, context=context, status=400)
    return _render(request, catalog, digest, picks, form, {}, form.cleaned_data.get("ram_gb"))


def _typed_ram(request: HttpRequest) -> str:
    return request.GET.get("ram_gb", "").strip()[:100]


def _swap_links(get: QueryDict, typed: str, names: list[str]) -> list[dict[str, str]]:
    out = []
    for name in names:
        values = [name if v.strip() == typed else v for v in get.getlist("hw")]
        out.append({"name": name, "url": compare_url(values)})
    return out


def _form_context(
    catalog: Catalog, values: list[str], labels: list[str] | None = None
) -> dict[str, Any]:
    """The boxes: one per device (shown by name, removed by link), one empty to add one."""
    values = values[:MAX_COMPARE]
    shown = labels or values
    boxes = [
        {
            "value": shown[i],
            "remove_url": compare_url([x for j, x in enumerate(values) if j != i]),
        }
        for i in range(len(values))
    ]
    if len(boxes) < MAX_COMPARE:
        boxes.append({"value": "", "remove_url": None})
    if len(boxes) < 2:
        boxes.append({"value": "", "remove_url": None})
    return {"boxes": boxes, "hardware_names": hardware_names(catalog)}


def _empty(
    request: HttpRequest, catalog: Catalog, form: CompareForm, typed: list[str]
) -> HttpResponse:
    featured = [h.id for h in featured_hardware() if h.id in catalog.hardware]
    pairs = [
        {
            "name": f"{catalog.hardware[a].name} vs {catalog.hardware[b].name}",
            "url": pair_url(a, b),
        }
        for a, b in itertools.pairwise(featured)
    ]
    page = Page(
        title="Compare hardware for local AI",
        description=(
            "Put two to six GPUs, Macs or CPUs side by side: memory, bandwidth, price per GB, "
            "and how fast each runs popular models, from the runlocal engine."
        ),
        breadcrumbs=[("Home", "/"), ("Compare", reverse("tools:compare"))],
        canonical_path=reverse("tools:compare"),
        noindex=bool(typed),
    )
    data = {"query": {"hw": typed} if typed else None, "hardware": None, "popular": pairs}
    context = {**_form_context(catalog, typed), "form": form, "ram_gb_value": _typed_ram(request)}
    return respond(request, TEMPLATE, page, data, context=context)


# --- the comparison ------------------------------------------------------------------------


def _render(
    request: HttpRequest,
    catalog: Catalog,
    digest: str,
    picks: list[HardwarePick],
    form: CompareForm,
    extra: dict[str, Any],
    ram_gb: float | None = None,
) -> HttpResponse:
    canonical = _canonical(picks, ram_gb)
    data = cached_answer(
        "compare",
        digest,
        (tuple(p.query for p in picks), ram_gb),
        lambda: compare_data(picks, catalog, digest, ram_gb),
    )
    names = [h["name"] for h in data["hardware"]]
    title = " vs ".join(names)
    page = Page(
        title=f"{title}: local AI compared",
        description=_clip(
            (data["verdict"][0] + " " if data["verdict"] else "")
            + f"Memory, bandwidth, price per GB and decode speed of {title} side by side."
        ),
        breadcrumbs=[("Home", "/"), ("Compare", reverse("tools:compare")), (title, canonical)],
        canonical_path=canonical,
    )
    query: dict[str, Any] = {"hw": [p.query for p in picks]}
    if ram_gb is not None:
        query["ram_gb"] = ram_gb
    data = {**data, "share_url": canonical, "query": query}
    context = _form_context(catalog, [p.query for p in picks], [p.label for p in picks])
    context["ram_gb_value"] = f"{ram_gb:g}" if ram_gb is not None else ""
    first_model = data["reference_model"] or (
        data["models"][0]["model"] if data["models"] else None
    )
    if first_model is not None:
        context["cost_url"] = path_with_query(
            reverse("tools:cost"), {"hardware": picks[0].query, "model": first_model["id"]}
        )
    context.update(
        form=form,
        spec_table=spec_table(data["hardware"]),
        charts=compare_charts(data),
        **extra,
    )
    return respond(request, TEMPLATE, page, data, context=context)


def _clip(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
