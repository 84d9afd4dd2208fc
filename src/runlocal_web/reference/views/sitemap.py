"""sitemap.xml (every public page) and robots.txt."""

from __future__ import annotations

import datetime as dt
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve, reverse

from runlocal.catalog import Catalog, Entry
from runlocal_web.lib.context import FOOTER, NAV

from ..content import EDITORIAL, catalog, entity_url, sorted_entries
from .editorial import written_pages
from .kb import GLOSSARY_CATEGORY_LABELS, categories_of
from .learn import chapters

# Endpoints that change something (forms that POST): never for crawlers. The API's POST
# endpoints are read from the API itself (api_post_paths).
POST_ENDPOINTS = ("/digest/subscribe/",)
DISALLOW = ("/admin/", *POST_ENDPOINTS)
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# The other apps' pages without parameters (tools, forms, about), by URL name: always listed.
OTHER_APP_PAGES = (
    "checker:will_it_run",
    "tools:custom_build",
    "tools:compare",
    "tools:cost",
    "tools:choose_my_gpu",
    "tools:run_check",
    "pages:about",
    "community:contact",
    "community:digest",
)
# Pages without parameters that are left out on purpose, each with the reason. Links from
# the header and footer are listed when they resolve, except these. tests/web check that
# every other URL pattern without parameters is in the sitemap.
NOT_IN_SITEMAP = {
    "/sitemap.xml": "the sitemap itself, not a page",
    "/robots.txt": "for crawlers, not a page",
    "/search/": "a page of results for a query; noindex once something is searched for",
    "/suggest/": "suggestions for the header search box while someone types; not a page",
    "/pulse/feed.atom": "a feed, announced by Pulse's <link rel=alternate>",
    "/compare/hardware/": "the same form as /compare/, which is its canonical address",
    "/contact/thanks/": "shown after the contact form is sent; noindex",
    "/digest/subscribe/": "where the digest form posts; disallowed in robots.txt",
    "/digest/check-your-inbox/": "shown after signing up for the digest; noindex",
    "/models/remote/draft/": "where staff post a remote model to become a catalog draft; POST only",
    "/models/remote/": "a model read from the Hub or Ollama registry per ?ref=; noindex, not reviewed",
}
# URL namespaces that hold no HTML pages for readers.
NAMESPACES_NOT_IN_SITEMAP = {
    "api": "the JSON API (its human-readable docs, /api/v1/docs, are in through the footer)",
    "admin": "for editors only, behind a login; disallowed in robots.txt",
}


def _absolute(request: HttpRequest, path: str) -> str:
    if settings.SITE_URL:
        return settings.SITE_URL + path
    return request.build_absolute_uri(path)


def _lastmod(value: Any) -> str | None:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and len(value) >= 10:
        try:
            return dt.date.fromisoformat(value[:10]).isoformat()
        except ValueError:
            return None
    return None


def _resolves(path: str) -> bool:
    try:
        resolve(path.split("?", 1)[0])
    except Resolver404:
        return False
    return True


def sitemap_entries(cat: Catalog) -> list[tuple[str, str | None]]:
    """(path, lastmod) of every public page, each once, in a stable order."""
    out: dict[str, str | None] = {}

    def add(path: str | None, lastmod: Any = None) -> None:
        if path and path not in out:
            out[path] = _lastmod(lastmod)

    def add_kind(kind: str, lists: tuple[str, ...]) -> None:
        for p in lists:
            add(p)
        for e in sorted_entries(cat.entries(kind).values()):
            add(entity_url(kind, e.id), _updated(e))

    add("/")
    add_kind("models", (reverse("catalogdb:model_list"),))
    add_kind("hardware", (reverse("catalogdb:hardware_list"),))
    add_kind("runtimes", (reverse("reference:tool_list"), reverse("reference:compatibility")))
    add_kind("benchmarks", (reverse("reference:benchmark_list"),))
    add_kind("quants", (reverse("reference:quant_list"),))
    add(reverse("reference:glossary"))
    for c in categories_of(list(cat.glossary.values()), GLOSSARY_CATEGORY_LABELS):
        add(reverse("reference:glossary_category", args=[c]))
    add_kind("glossary", ())
    add_kind("errors", (reverse("reference:error_list"), reverse("reference:troubleshoot")))
    add_kind("guides", (reverse("reference:guide_list"),))
    add(reverse("reference:learn"))
    for e in sorted_entries(cat.entries("learn").values()):
        add(entity_url("learn", e.id), _updated(e))
        for ch in chapters(e):
            add(ch["url"], _updated(e))
    add_kind("kits", (reverse("reference:kit_list"),))
    add_kind("answers", (reverse("reference:answer_list"),))
    pages = cat.entries("pages")
    for p in written_pages(cat):
        add(p["url"], _updated(pages[p["id"]]) if p["id"] in pages else None)
    add(reverse("reference:pulse"))
    for name in OTHER_APP_PAGES:
        add(reverse(name))
    mine = {path for path, _label in EDITORIAL.values()}
    links = [url for _label, url in NAV]
    links += [url for _group, items in FOOTER for _label, url in items]
    for url in links:
        if url not in mine and url not in NOT_IN_SITEMAP and _resolves(url):
            add(url)
    return list(out.items())


def _updated(e: Entry) -> Any:
    return e.get("updated") or e.last_verified


def sitemap(request: HttpRequest) -> HttpResponse:
    _digest, cat = catalog()
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for path, lastmod in sitemap_entries(cat):
        lines.append(f"<url><loc>{escape(_absolute(request, path))}</loc>")
        if lastmod:
            lines.append(f"<lastmod>{lastmod}</lastmod>")
        lines.append("</url>")
    lines.append("</urlset>")
    return HttpResponse("\n".join(lines) + "\n", content_type="application/xml; charset=utf-8")


def api_post_paths() -> list[str]:
    """robots.txt patterns for the JSON API's endpoints that accept POST (django-ninja's
    routers, read at request time so a new endpoint is covered); [] if the API cannot be read.
    An exact path ends with `$` so that its GET-only neighbours stay crawlable."""
    try:
        from runlocal_web.api.api import api

        base = reverse("api:unknown", kwargs={"rest": ""}).rstrip("/")
        out = []
        for prefix, router in api._routers:
            for route, view in router.path_operations.items():
                methods = {m for op in view.operations for m in op.methods}
                if not methods & UNSAFE_METHODS:
                    continue
                full = f"{base}/{prefix.strip('/')}/{route.lstrip('/')}".replace("//", "/")
                out.append(full.split("{", 1)[0] if "{" in full else full + "$")
        return sorted(set(out))
    except Exception:  # the API's internals changed: robots.txt must still be served
        return []


def robots(request: HttpRequest) -> HttpResponse:
    lines = ["User-agent: *", "Allow: /"]
    lines += [f"Disallow: {path}" for path in (*DISALLOW, *api_post_paths())]
    lines += ["", f"Sitemap: {_absolute(request, reverse('reference:sitemap'))}"]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
