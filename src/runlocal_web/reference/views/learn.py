"""Learn: courses from catalog files, each a list of chapters read one after another."""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from runlocal.catalog import Entry
from runlocal_web.lib.pages import Page, respond

from ..content import (
    SLUG_RE,
    as_list,
    catalog,
    close_matches,
    describe,
    entity_url,
    entry_meta,
    not_found,
    resolve_or_missing,
    sorted_entries,
    text,
)


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


def course_row(e: Entry) -> dict[str, Any]:
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
    courses = [course_row(e) for e in sorted_entries(cat.entries("learn").values())]
    page = Page(
        title="Learn local AI: short courses, chapter by chapter",
        description=(
            "Courses on running AI models on your own hardware: what fits in memory, how "
            "quantization works, which runtime to pick, and how fast to expect it to run."
        ),
        breadcrumbs=[("Home", "/"), ("Learn", path)],
        canonical_path=path,
    )
    start = "/start/" if cat.entries("pages").get("start") is not None else None
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
    row = course_row(e)
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
