"""Editorial content from catalog files: buyer guides, prompting kits, quick answers, and the
hand-written pages (Trust, Author, …). Learn's courses are in learn.py, the Methodology page
with the accuracy report in methodology.py.

A page whose file does not exist yet is a 404 that says so: never placeholder text.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from runlocal.catalog import Catalog, Entry
from runlocal.figures import fill, named_setups
from runlocal.recommend import hardware_price
from runlocal_web.lib.engine import cached_answer, run_check
from runlocal_web.lib.pages import Page, respond

from ..content import (
    EDITORIAL,
    as_list,
    catalog,
    describe,
    entity_url,
    entry_meta,
    link,
    not_found,
    resolve_or_missing,
    sorted_entries,
    text,
)
from ..live import claim_query, live_verdict, verdict_of
from .learn import course_row

# --- the hand-written pages ---------------------------------------------------------------

# Where each editorial page sits under Home (the breadcrumb between).
PARENTS = {"benchmark-protocol": ("Benchmarks", "/benchmarks/")}


def _page_entry(cat: Catalog, page_id: str) -> Entry | None:
    return cat.entries("pages").get(page_id)


def written_pages(cat: Catalog) -> list[dict[str, str]]:
    """The editorial pages that exist, for 'not written yet' pages and the sitemap."""
    out = []
    for page_id, (path, name) in EDITORIAL.items():
        if page_id == "methodology" or _page_entry(cat, page_id) is not None:
            out.append({"id": page_id, "name": name, "url": path})
    return out


def not_written(request: HttpRequest, page_id: str) -> HttpResponse:
    name = EDITORIAL[page_id][1]
    _digest, cat = catalog()
    crumbs = [PARENTS[page_id]] if page_id in PARENTS else []
    return not_found(
        request,
        title=f"{name}: not written yet",
        description=f"The {name} page has not been written yet. The pages below are.",
        error=f"the {page_id} page has not been written yet",
        suggestions=[
            {"name": p["name"], "url": p["url"]} for p in written_pages(cat) if p["id"] != page_id
        ],
        crumbs=crumbs,
        extra={"not_written": True},
    )


def _page_dict(e: Entry) -> dict[str, Any]:
    return {
        **entry_meta(e),
        "title": text(e.get("title")) or e.name,
        "summary": text(e.get("summary")),
        "body": text(e.get("body")),
    }


def editorial_page(request: HttpRequest, page_id: str) -> HttpResponse:
    _digest, cat = catalog()
    e = _page_entry(cat, page_id)
    if e is None:
        return not_written(request, page_id)
    path, name = EDITORIAL[page_id]
    doc = _page_dict(e)
    crumbs = [("Home", "/"), *([PARENTS[page_id]] if page_id in PARENTS else []), (name, path)]
    page = Page(
        title=doc["title"],
        description=describe(doc["summary"], doc["body"], fallback=f"{name} · runlocal"),
        breadcrumbs=crumbs,
        canonical_path=path,
    )
    data: dict[str, Any] = {"page_id": page_id, "content": doc}
    context: dict[str, Any] = {}
    if page_id == "start":
        data["courses"] = [course_row(c) for c in sorted_entries(cat.entries("learn").values())]
    return respond(request, "reference/editorial_page.html", page, data, context=context)


# --- buyer guides -------------------------------------------------------------------------


def filled(e: Entry, value: Any, cat: Catalog, digest: str) -> str:
    """An entry's text with its figures filled from the engine and the catalog
    (runlocal.figures): numbers are never typed into guides and answers by hand."""
    raw = text(value)
    if "{{" not in raw:
        return raw

    def compute() -> str:
        return fill(
            raw,
            named_setups(e.data),
            cat,
            answer=lambda q, c: run_check(q, c, digest),
            on_error=lambda _token, _exc: "—",
        )

    # One cache read for the filled text instead of one per figure (the home page's guide
    # summaries asked a dozen): the digest names the entry's data, so its kind, id and text
    # name the result.
    return cached_answer("filled", digest, (e.kind, e.id, raw), compute)


def _guide_row(e: Entry, cat: Catalog, digest: str) -> dict[str, Any]:
    return {
        "id": e.id,
        "name": e.name,
        "url": entity_url("guides", e.id),
        "summary": filled(e, e.get("summary"), cat, digest),
        "updated": e.get("updated") or e.last_verified,
    }


def guide_list(request: HttpRequest) -> HttpResponse:
    digest, cat = catalog()
    path = reverse("reference:guide_list")
    rows = [_guide_row(e, cat, digest) for e in sorted_entries(cat.entries("guides").values())]
    page = Page(
        title="Buyer guides: the best hardware for running AI locally",
        description=(
            "Which GPU, Mac or mini PC to buy for local AI, answer first: picks with prices, "
            "and every claim checked against the runlocal engine."
        ),
        breadcrumbs=[("Home", "/"), ("Buyer guides", path)],
        canonical_path=path,
    )
    return respond(request, "reference/guide_list.html", page, {"guides": rows})


def guide_detail(request: HttpRequest, slug: str) -> HttpResponse:
    list_url = reverse("reference:guide_list")
    found = resolve_or_missing(
        request, "guides", slug, noun="buyer guide", list_label="Buyer guides", list_url=list_url
    )
    if isinstance(found, HttpResponse):
        return found
    e = found
    digest, cat = catalog()
    url = reverse("reference:guide_detail", args=[e.id])
    picks = []
    for p in as_list(e.get("picks")):
        if not isinstance(p, dict):
            continue
        price = p.get("price_usd")
        typed = price if isinstance(price, int | float) and not isinstance(price, bool) else None
        # One price policy: the catalog's dated street price, else launch, labelled as on
        # Compare and Choose my GPU; the guide's own figure only for what the catalog lacks.
        hw = cat.hardware.get(text(p.get("hardware")))
        policy = hardware_price(hw) if hw is not None else None
        picks.append(
            {
                "hardware": link("hardware", text(p.get("hardware")), cat),
                "why": filled(e, p.get("why"), cat, digest),
                "price_usd": policy[0] if policy else typed,
                "price_basis": policy[1] if policy else None,
            }
        )
    checks = []
    for c in as_list(e.get("checks")):
        if not isinstance(c, dict):
            continue
        q = claim_query(c)
        live = live_verdict(q, cat, digest)
        claim = verdict_of(c.get("expect"))
        checks.append(
            {
                "model": link("models", q["model"], cat),
                "hardware": [link("hardware", h, cat) for h in q["hardware"]],
                "quant": q["quant"],
                "context": q["context"],
                "expect": claim,
                "live": live,
                "agrees": bool(claim and live.get("verdict") == claim["verdict"]),
            }
        )
    data = {
        "guide": {
            **entry_meta(e),
            **_guide_row(e, cat, digest),
            "body": filled(e, e.get("body"), cat, digest),
        },
        "picks": picks,
        "checks": checks,
    }
    page = Page(
        title=e.name,
        description=describe(
            data["guide"]["summary"], fallback=f"{e.name}: a runlocal buyer guide."
        ),
        breadcrumbs=[("Home", "/"), ("Buyer guides", list_url), (e.name, url)],
        canonical_path=url,
    )
    return respond(request, "reference/guide_detail.html", page, data)


# --- prompting kits -----------------------------------------------------------------------


def _kit_row(e: Entry) -> dict[str, Any]:
    return {
        "id": e.id,
        "name": e.name,
        "url": entity_url("kits", e.id),
        "family": text(e.get("family")),
        "task": text(e.get("task")),
    }


def kit_list(request: HttpRequest) -> HttpResponse:
    _digest, cat = catalog()
    path = reverse("reference:kit_list")
    rows = [_kit_row(e) for e in sorted_entries(cat.entries("kits").values())]
    families: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        families.setdefault(r["family"] or "Other", []).append(r)
    page = Page(
        title="Prompting kits: chat templates, system prompts and sampler settings",
        description=(
            "For each open model family: the exact chat template, a system prompt that works, "
            "and the temperature, top-p and min-p settings to start from."
        ),
        breadcrumbs=[("Home", "/"), ("Prompting kits", path)],
        canonical_path=path,
    )
    data = {
        "count": len(rows),
        "families": [
            {"family": f, "kits": families[f]} for f in sorted(families, key=str.casefold)
        ],
    }
    return respond(request, "reference/kit_list.html", page, data)


def kit_detail(request: HttpRequest, slug: str) -> HttpResponse:
    list_url = reverse("reference:kit_list")
    found = resolve_or_missing(
        request, "kits", slug, noun="prompting kit", list_label="Prompting kits", list_url=list_url
    )
    if isinstance(found, HttpResponse):
        return found
    e = found
    url = reverse("reference:kit_detail", args=[e.id])
    settings_ = e.get("settings") if isinstance(e.get("settings"), dict) else {}
    data = {
        "kit": {
            **entry_meta(e),
            **_kit_row(e),
            "chat_template": text(e.get("chat_template")),
            "system_prompt": text(e.get("system_prompt")),
            "body": text(e.get("body")),
        },
        "settings": [
            {"name": k, "value": v}
            for k, v in settings_.items()
            if isinstance(v, str | int | float | bool)
        ],
    }
    row = data["kit"]
    page = Page(
        title=f"{e.name}: chat template, system prompt and settings",
        description=describe(
            f"{row['task']} with {row['family']}: the chat template, a system prompt and the "
            "sampler settings to start from."
            if row["task"] and row["family"]
            else "",
            e.get("body"),
            fallback=f"{e.name}: a prompting kit.",
        ),
        breadcrumbs=[("Home", "/"), ("Prompting kits", list_url), (e.name, url)],
        canonical_path=url,
    )
    return respond(request, "reference/kit_detail.html", page, data)


# --- quick answers ------------------------------------------------------------------------


def _answer_row(e: Entry, cat: Catalog, digest: str) -> dict[str, Any]:
    return {
        "id": e.id,
        "name": e.name,
        "url": entity_url("answers", e.id),
        "question": text(e.get("question")) or e.name,
        "answer": filled(e, e.get("answer"), cat, digest),
        "expect": verdict_of(e.get("expect")),
    }


def answer_list(request: HttpRequest) -> HttpResponse:
    digest, cat = catalog()
    path = reverse("reference:answer_list")
    rows = [_answer_row(e, cat, digest) for e in sorted_entries(cat.entries("answers").values())]
    page = Page(
        title="Quick answers: can this model run on that hardware?",
        description=(
            "Short answers to “can X run Y?” for popular models and hardware, each shown beside "
            "the runlocal engine's live verdict for the same setup."
        ),
        breadcrumbs=[("Home", "/"), ("Quick answers", path)],
        canonical_path=path,
    )
    return respond(request, "reference/answer_list.html", page, {"answers": rows})


def answer_detail(request: HttpRequest, slug: str) -> HttpResponse:
    list_url = reverse("reference:answer_list")
    found = resolve_or_missing(
        request, "answers", slug, noun="quick answer", list_label="Quick answers", list_url=list_url
    )
    if isinstance(found, HttpResponse):
        return found
    e = found
    digest, cat = catalog()
    url = reverse("reference:answer_detail", args=[e.id])
    row = _answer_row(e, cat, digest)
    q = claim_query(dict(e.data))
    live = live_verdict(q, cat, digest)
    data = {
        "answer": {**entry_meta(e), **row},
        "setup": {
            "model": link("models", q["model"], cat),
            "hardware": [link("hardware", h, cat) for h in q["hardware"]],
            "quant": q["quant"],
            "context": q["context"],
            "runtime": q["runtime"],
        },
        "live": live,
        "agrees": bool(row["expect"] and live.get("verdict") == row["expect"]["verdict"]),
    }
    page = Page(
        title=row["question"],
        description=describe(row["answer"], fallback=row["question"]),
        breadcrumbs=[("Home", "/"), ("Quick answers", list_url), (e.name, url)],
        canonical_path=url,
    )
    return respond(request, "reference/answer_detail.html", page, data)
