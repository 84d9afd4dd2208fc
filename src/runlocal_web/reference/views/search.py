"""Site search over the mirrored catalog.

Portable by design (SQLite and PostgreSQL alike): every row stores `search_text`, its id,
name, aliases and a few fields normalized to lowercase words, and the query is normalized the
same way and matched word by word with `contains`. Ranking happens here: an exact id, name or
alias first, then names that start with the query, then names holding every word, then the rest.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model as DjangoModel
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from runlocal.catalog import normalize
from runlocal.resolve.suggest import KINDS as SUGGEST_KINDS
from runlocal.resolve.suggest import suggest as core_suggest
from runlocal_web.catalogdb.models import Hardware, Model, Record
from runlocal_web.lib.pages import Page, json_response, path_with_query, respond
from runlocal_web.ops.pagecache import no_page_cache

from ..content import KIND_LABELS, catalog, clip, entity_url

MAX_QUERY = 200
MAX_WORDS = 8
PER_KIND = 20
CANDIDATES = 300
# (kind, label): the order of the result groups.
SEARCH_KINDS = (
    ("models", "Models"),
    ("hardware", "Hardware"),
    ("runtimes", "Tools"),
    ("glossary", "Glossary"),
    ("quants", "Quantization types"),
    ("errors", "Errors KB"),
    ("guides", "Buyer guides"),
    ("answers", "Quick answers"),
    ("learn", "Learn"),
    ("kits", "Prompting kits"),
)
SNIPPET_FIELDS = ("short", "symptom", "summary", "question", "answer", "verdict", "task")


def _queryset(kind: str) -> QuerySet[Any]:
    if kind == "models":
        return Model.objects.all()
    if kind == "hardware":
        return Hardware.objects.all()
    return Record.objects.filter(kind=kind)


def rank(query: str, words: list[str], eid: str, name: str, aliases: list[str]) -> int:
    """0 exact id/name/alias, 1 a name or alias that starts with the query, 2 every word in
    the name or an alias, 3 the words only elsewhere (description, family, …)."""
    names = [normalize(eid), normalize(name)] + [
        normalize(a) for a in aliases if isinstance(a, str)
    ]
    if query in names:
        return 0
    if any(n.startswith(query) for n in names):
        return 1
    if any(all(w in n for w in words) for n in names):
        return 2
    return 3


def _snippet(kind: str, row: DjangoModel) -> str:
    data = getattr(row, "data", None)
    if not isinstance(data, dict):
        return ""
    if kind == "hardware":
        memory = data.get("memory_gib")
        bw = data.get("bandwidth_gb_s")
        if isinstance(memory, int | float) and isinstance(bw, int | float):
            return f"{data.get('vendor') or ''} · {memory:g} GiB · {bw:g} GB/s".strip(" ·")
    if kind == "quants":
        bits = data.get("bits_per_weight")
        if isinstance(bits, int | float) and not isinstance(bits, bool):
            return f"{bits:.2f} bits per weight"
    for key in SNIPPET_FIELDS:
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            if "{{" in value:  # figures the engine fills (guides, answers): filled here too
                from .editorial import filled

                digest, cat = catalog()
                entry = cat.entries(kind).get(str(getattr(row, "slug", "")))
                value = filled(entry, value, cat, digest) if entry is not None else ""
            return clip(value, 160)
    return ""


def run_search(q: str) -> list[dict[str, Any]]:
    query = normalize(q[:MAX_QUERY])
    words = query.split()[:MAX_WORDS]
    query = " ".join(words)
    if not words:
        return []
    groups = []
    for kind, kind_label in SEARCH_KINDS:
        qs = _queryset(kind)
        for w in words:
            qs = qs.filter(search_text__contains=w)
        hits = []
        for row in qs[:CANDIDATES]:
            eid = getattr(row, "slug", None) or row.pk
            url = entity_url(kind, eid)
            if url is None:
                continue
            aliases = row.aliases if isinstance(row.aliases, list) else []
            hits.append(
                {
                    "kind": kind,
                    "id": eid,
                    "name": row.name,
                    "url": url,
                    "snippet": _snippet(kind, row),
                    "rank": rank(query, words, eid, row.name, aliases),
                }
            )
        hits.sort(key=lambda h: (h["rank"], len(h["name"]), h["name"].casefold()))
        if hits:
            groups.append(
                {
                    "kind": kind,
                    "label": kind_label,
                    "count": len(hits),
                    "results": hits[:PER_KIND],
                }
            )
    return groups


def search(request: HttpRequest) -> HttpResponse:
    path = reverse("reference:search")
    q = request.GET.get("q", "")
    status = 200
    error = None
    if "\x00" in q or len(q) > MAX_QUERY:
        status, error, q = 400, f"a search is at most {MAX_QUERY} characters of text", ""
    groups = run_search(q) if q.strip() else []
    best = sorted(
        (h for g in groups for h in g["results"] if h["rank"] == 0),
        key=lambda h: [k for k, _ in SEARCH_KINDS].index(h["kind"]),
    )
    # What the name resolver understands the words as comes first, as on every form.
    understood = [
        {"kind": s.kind, "id": s.entry.id, "name": s.entry.name, "rank": 0}
        for s in (core_suggest(catalog()[1], q, limit=2) if q.strip() else [])
        if s.understood
    ]
    for hit in understood:
        hit["url"] = entity_url(str(hit["kind"]), str(hit["id"]))
    best = understood + [
        h for h in best if (h["kind"], h["id"]) not in {(u["kind"], u["id"]) for u in understood}
    ]
    total = sum(g["count"] for g in groups)
    shown_q = q.strip()
    page = Page(
        title=f"Search: {shown_q[:80]}" if shown_q else "Search runlocal",
        description=(
            "Search models, hardware, tools, glossary terms, error messages, buyer guides and "
            "quick answers in the runlocal catalog."
        ),
        breadcrumbs=[("Home", "/"), ("Search", path)],
        canonical_path=path_with_query(path, {"q": shown_q}),
        # Result pages are for people; the sitemap lists the real pages.
        noindex=bool(shown_q) or status != 200,
    )
    data: dict[str, Any] = {
        "q": shown_q,
        "total": total,
        "best": [{k: h[k] for k in ("kind", "id", "name", "url")} for h in best[:5]],
        "groups": groups,
        "kinds": [{"kind": k, "label": KIND_LABELS.get(k, lbl)} for k, lbl in SEARCH_KINDS],
    }
    if error:
        data["errors"] = {"q": [error]}
    return respond(request, "reference/search.html", page, data, status=status)


# Form fields that ask for suggestions (htmx sends the whole form): field → kind of name.
FIELD_KINDS = {"model": "models", "hardware": "hardware", "hw": "hardware", "gpu": "hardware"}
# The forms whose fields suggest names; a suggestion links to the form with that name filled.
FIELD_FORMS = ("/will-it-run/", "/compare/", "/will-it-run/custom/")


def _field_query(request: HttpRequest) -> tuple[str, str, int] | None:
    """(field, kind, index) when a form field asks, e.g. the second hardware box."""
    field = request.GET.get("field", "")
    if field not in FIELD_KINDS or request.GET.get("to") not in FIELD_FORMS:
        return None
    try:
        index = int(request.GET.get("index", "0"))
    except ValueError:
        return None
    values = request.GET.getlist(field)
    return (field, FIELD_KINDS[field], index) if 0 <= index < len(values) else None


def _fill_link(request: HttpRequest, field: str, index: int, name: str) -> str:
    """The form's address with the typed box replaced by a catalog name, the rest kept."""
    params: list[tuple[str, str]] = []
    seen = 0
    for key, values in request.GET.lists():
        if key in ("field", "index", "to", "format", "q", "kind"):
            continue
        for value in values:
            if key == field:
                value = name if seen == index else value
                seen += 1
            if value:
                params.append((key, value))
    return path_with_query(str(request.GET["to"]), params)


def _suggest_problem(field: str, q: str, kind: str) -> str | None:
    """What is wrong with a suggestion request, naming that alone (it once answered a NUL
    with "q is at most 200 characters; kind is one of …")."""
    if "\x00" in q:
        return f"{field} contains a NUL character"
    if len(q) > MAX_QUERY:
        return f"{field} is at most {MAX_QUERY} characters"
    if kind and kind not in SUGGEST_KINDS:
        return f"kind is one of {', '.join(SUGGEST_KINDS)}"
    return None


@no_page_cache  # one answer per keystroke: not worth a cache entry each
def suggest(request: HttpRequest) -> HttpResponse:
    """Names as someone types them, read by the same resolver as every form: an HTML list for
    the header's search box and the forms' name fields (htmx), or JSON with ?format=json."""
    asked = _field_query(request)
    q = request.GET.getlist(asked[0])[asked[2]] if asked else request.GET.get("q", "")
    kind = asked[1] if asked else request.GET.get("kind", "")
    as_json = request.GET.get("format") == "json"
    error = _suggest_problem(asked[0] if asked else "q", q, kind)
    if error:
        if as_json:
            return json_response({"error": {"code": "bad_request", "message": error}}, 400)
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    kinds = (kind,) if kind else SUGGEST_KINDS
    found = core_suggest(catalog()[1], q, kinds) if q.strip() else []
    items = [
        {
            **s.to_dict(),
            "url": _fill_link(request, asked[0], asked[2], s.fill or s.entry.name)
            if asked
            else entity_url(s.kind, s.entry.id),
        }
        for s in found
    ]
    if as_json:
        return json_response({"q": q, "suggestions": items})
    context = {"q": q, "items": items, "in_form": asked is not None}
    response = render(request, "reference/suggest.html", context)
    response["Cache-Control"] = "no-store"
    return response
