"""Editorial content from catalog files: buyer guides, Learn, prompting kits, quick answers,
and the hand-written pages (Methodology, Trust, Author, …).

A page whose file does not exist yet is a 404 that says so: never placeholder text.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

import runlocal
from runlocal.catalog import Catalog, Entry
from runlocal.figures import fill, named_setups
from runlocal.recommend import hardware_price
from runlocal_web.lib.engine import cached_answer, run_check
from runlocal_web.lib.pages import Page, respond

from .. import markup
from ..content import (
    EDITORIAL,
    SLUG_RE,
    as_list,
    catalog,
    close_matches,
    describe,
    entity_url,
    entry_meta,
    link,
    not_found,
    resolve_or_missing,
    sorted_entries,
    text,
)
from ..forms import TRUST_LABELS
from ..live import claim_query, live_verdict, verdict_of

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
        data["courses"] = [_course_row(c) for c in sorted_entries(cat.entries("learn").values())]
    return respond(request, "reference/editorial_page.html", page, data, context=context)


# --- methodology and the accuracy report ----------------------------------------------------

REPO_DOCS = Path(runlocal.__file__).resolve().parents[2] / "docs"
DOC_LINKS = {
    "accuracy.md": ("#accuracy", "the accuracy report below"),
    "methodology.md": ("#top", "this page"),
}
FAMILY_ORDER_LAST = "all"


@lru_cache(maxsize=1)
def accuracy_report() -> dict[str, Any] | None:
    """The engine's accuracy report, as packaged (src/runlocal/data/accuracy.json)."""
    try:
        raw = resources.files("runlocal").joinpath("data/accuracy.json").read_text("utf-8")
        report = json.loads(raw)
    except (OSError, ValueError):
        return None
    return report if isinstance(report, dict) else None


def _metric_table(table: Any) -> list[dict[str, Any]]:
    if not isinstance(table, dict):
        return []
    rows = [
        {
            "family": str(fam),
            "n": t.get("n"),
            "median_ape": t.get("median_ape"),
            "p90_ape": t.get("p90_ape"),
            "overall": fam == FAMILY_ORDER_LAST,
        }
        for fam, t in table.items()
        if isinstance(t, dict)
    ]
    return sorted(rows, key=lambda r: (r["overall"], r["family"]))


def accuracy_tables(report: dict[str, Any] | None) -> dict[str, Any] | None:
    if report is None:
        return None
    metrics = report.get("metrics") if isinstance(report.get("metrics"), dict) else {}
    fit = report.get("fit") if isinstance(report.get("fit"), dict) else {}

    def baseline(key: str) -> dict[str, Any] | None:
        b = metrics.get(key)
        return b if isinstance(b, dict) else None

    skipped = report.get("rows_skipped") if isinstance(report.get("rows_skipped"), dict) else {}
    return {
        "rows_evaluated": report.get("rows_evaluated"),
        "rows_skipped": [{"reason": k, "rows": v} for k, v in sorted(skipped.items())],
        "decode": _metric_table(metrics.get("tg_tok_s")),
        "decode_llmfit_baseline": baseline("tg_tok_s_llmfit_baseline"),
        "prefill": _metric_table(metrics.get("pp_tok_s")),
        "prefill_llmfit_baseline": baseline("pp_tok_s_llmfit_baseline"),
        "fit": {
            "oom_rows": fit.get("oom_rows"),
            "oom_predicted_comfortable": fit.get("oom_predicted_comfortable"),
            "oom_predicted_wont_run": fit.get("oom_predicted_wont_run"),
            "running_rows": fit.get("running_rows"),
            "running_predicted_wont_run": fit.get("running_predicted_wont_run"),
            "violations": [str(v) for v in as_list(fit.get("violations"))],
        },
    }


def _repo_methodology() -> tuple[str, str] | None:
    """(title, body) of docs/methodology.md when the site runs from a checkout."""
    path = REPO_DOCS / "methodology.md"
    try:
        raw = path.read_text("utf-8")
    except OSError:
        return None
    title = "Methodology"
    lines = raw.splitlines()
    if lines and lines[0].startswith("# "):
        title, lines = lines[0][2:].strip(), lines[1:]
    return title, markup.relink("\n".join(lines), DOC_LINKS)


def methodology(request: HttpRequest) -> HttpResponse:
    _digest, cat = catalog()
    path = EDITORIAL["methodology"][0]
    e = _page_entry(cat, "methodology")
    content: dict[str, Any]
    if e is not None:
        content = {**_page_dict(e), "origin": "catalog"}
    else:
        doc = _repo_methodology()
        content = {
            "title": doc[0] if doc else "Methodology",
            "summary": "",
            "body": doc[1] if doc else "",
            "origin": "docs" if doc else "none",
        }
    tables = accuracy_tables(accuracy_report())
    page = Page(
        title=content["title"] or "Methodology",
        description=describe(
            content["summary"],
            fallback=(
                "How runlocal computes memory and speed, and how accurate it is: the engine's "
                "errors against published measurements, by hardware family."
            ),
        ),
        breadcrumbs=[("Home", "/"), ("Methodology", path)],
        canonical_path=path,
    )
    data = {
        "content": content,
        "accuracy": tables,
        "trust_labels": [{"id": k, "label": v} for k, v in TRUST_LABELS.items()],
        "benchmarks_url": reverse("reference:benchmark_list"),
    }
    return respond(request, "reference/methodology.html", page, data)


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


# --- Learn --------------------------------------------------------------------------------


def chapters(e: Entry) -> list[dict[str, Any]]:
    out = []
    seen: set[str] = set()
    for ch in as_list(e.get("chapters")):
        if not isinstance(ch, dict):
            continue
        slug = text(ch.get("slug"))
        if not SLUG_RE.match(slug) or slug in seen:
            continue
        seen.add(slug)
        minutes = ch.get("minutes")
        out.append(
            {
                "slug": slug,
                "title": text(ch.get("title")) or slug,
                "minutes": minutes
                if isinstance(minutes, int | float) and not isinstance(minutes, bool)
                else None,
                "url": reverse("reference:chapter", args=[e.id, slug]),
                "body": text(ch.get("body")),
            }
        )
    return out


def _course_row(e: Entry) -> dict[str, Any]:
    chs = chapters(e)
    return {
        "id": e.id,
        "name": e.name,
        "url": entity_url("learn", e.id),
        "summary": text(e.get("summary")),
        "chapters": [{k: c[k] for k in ("slug", "title", "minutes", "url")} for c in chs],
        "minutes": sum(c["minutes"] or 0 for c in chs) or None,
    }


def learn(request: HttpRequest) -> HttpResponse:
    _digest, cat = catalog()
    path = reverse("reference:learn")
    courses = [_course_row(e) for e in sorted_entries(cat.entries("learn").values())]
    page = Page(
        title="Learn local AI: short courses, chapter by chapter",
        description=(
            "Courses on running AI models on your own hardware: what fits in memory, how "
            "quantization works, which runtime to pick, and how fast to expect it to run."
        ),
        breadcrumbs=[("Home", "/"), ("Learn", path)],
        canonical_path=path,
    )
    start = "/start/" if _page_entry(cat, "start") is not None else None
    return respond(request, "reference/learn.html", page, {"courses": courses, "start_url": start})


def _course_or_missing(request: HttpRequest, slug: str) -> Entry | HttpResponse:
    return resolve_or_missing(
        request,
        "learn",
        slug,
        noun="course",
        list_label="Learn",
        list_url=reverse("reference:learn"),
    )


def course(request: HttpRequest, slug: str) -> HttpResponse:
    found = _course_or_missing(request, slug)
    if isinstance(found, HttpResponse):
        return found
    e = found
    url = reverse("reference:course", args=[e.id])
    row = _course_row(e)
    page = Page(
        title=f"{e.name}: a runlocal course",
        description=describe(row["summary"], fallback=f"{e.name}, chapter by chapter."),
        breadcrumbs=[("Home", "/"), ("Learn", reverse("reference:learn")), (e.name, url)],
        canonical_path=url,
    )
    data = {"course": {**entry_meta(e), **row}}
    return respond(request, "reference/course.html", page, data)


def chapter(request: HttpRequest, slug: str, chapter: str) -> HttpResponse:
    found = _course_or_missing(request, slug)
    if isinstance(found, HttpResponse):
        return found
    e = found
    course_url = reverse("reference:course", args=[e.id])
    chs = chapters(e)
    index = next((i for i, c in enumerate(chs) if c["slug"] == chapter), None)
    if index is None:
        return not_found(
            request,
            title=f"No chapter called “{chapter[:100]}” in {e.name}",
            description=f"{e.name} has no chapter at this address; its closest chapters are below.",
            error=f"no chapter called {chapter[:100]!r} in {e.id}",
            suggestions=close_matches(chapter, {c["title"]: c["url"] for c in chs})
            or [{"name": c["title"], "url": c["url"]} for c in chs[:10]],
            crumbs=[("Learn", reverse("reference:learn")), (e.name, course_url)],
            query=chapter,
        )
    ch = chs[index]

    def nav(i: int) -> dict[str, Any] | None:
        if 0 <= i < len(chs):
            return {"title": chs[i]["title"], "url": chs[i]["url"]}
        return None

    data = {
        "course": {"id": e.id, "name": e.name, "url": course_url},
        "chapter": {**ch, "number": index + 1, "of": len(chs)},
        "previous": nav(index - 1),
        "next": nav(index + 1),
        "sources": list(e.sources),
        "last_verified": e.last_verified,
        "reviewed_by": e.reviewed_by,
    }
    page = Page(
        title=f"{ch['title']} · {e.name}",
        description=describe(
            _first_paragraph(ch["body"]), fallback=f"Chapter {index + 1} of {e.name}."
        ),
        breadcrumbs=[
            ("Home", "/"),
            ("Learn", reverse("reference:learn")),
            (e.name, course_url),
            (ch["title"], ch["url"]),
        ],
        canonical_path=ch["url"],
    )
    return respond(request, "reference/chapter.html", page, data)


def _first_paragraph(body: str) -> str:
    for para in re.split(r"\n\s*\n", body):
        para = para.strip()
        if para and not para.startswith(("#", "|", "```", "-", "*", ">")):
            return para
    return ""


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
