"""Every page has an HTML form and a JSON twin at the same URL (`?format=json`).

A view builds one JSON-able dict of what the page shows and hands it to `respond`, which
either renders the template with it or returns it as JSON, so the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import quote_plus

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.core.paginator import Page as DjangoPage
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import get_script_prefix, reverse

from runlocal.bounds import between, not_a_number, outside
from runlocal_web.lib.memo import request_memo

FORMATS = ("", "html", "json")
SITE_NAME = "runlocal"


@dataclass
class Page:
    title: str
    description: str
    # (label, path) from Home to the page itself; the last one is the current page.
    breadcrumbs: list[tuple[str, str]] = field(default_factory=list)
    # Path plus the query that identifies this page's content (never `format`).
    canonical_path: str = "/"
    noindex: bool = False

    @property
    def full_title(self) -> str:
        if self.title.startswith(SITE_NAME) or self.title.endswith(SITE_NAME):
            return self.title
        return f"{self.title} · {SITE_NAME}"

    def canonical_url(self, request: HttpRequest) -> str:
        if settings.SITE_URL:
            return settings.SITE_URL + self.canonical_path
        return request.build_absolute_uri(self.canonical_path)

    def to_dict(self, request: HttpRequest) -> dict[str, Any]:
        return {
            "title": self.title,
            "description": self.description,
            "canonical": self.canonical_url(request),
            "breadcrumbs": [{"name": n, "url": u} for n, u in self.breadcrumbs],
        }


def path_with_query(path: str, params: dict[str, Any] | list[tuple[str, Any]]) -> str:
    """`/x/?a=1&b=2`, leaving out empty values; lists become repeated keys."""
    return path_with_parts(path, query_parts(params))


def query_parts(params: dict[str, Any] | list[tuple[str, Any]]) -> list[str]:
    """path_with_query's quoted `key=value` parts, in order: a page that writes a hundred
    links sharing most of their query (the custom build's rows) quotes the shared parts
    once and joins them with path_with_parts."""
    items = params.items() if isinstance(params, dict) else params
    parts: list[str] = []
    for key, value in items:
        values = value if isinstance(value, list | tuple) else [value]
        quoted = _quote(str(key))
        parts.extend(
            f"{quoted}={_quote(f'{v:g}' if isinstance(v, float) else str(v))}"
            for v in values
            if v not in (None, "")
        )
    return parts


def path_with_parts(path: str, parts: list[str]) -> str:
    """`path?` and the parts joined by `&` (query_parts'); the path alone without any."""
    return f"{path}?" + "&".join(parts) if parts else path


def quote_value(text: str) -> str:
    """One key or value of path_with_query's query, quoted as it quotes it."""
    return _quote(text)


def _quote(text: str) -> str:
    """urlencode's quoting of one key or value (quote_plus), remembered for short ones: a
    page's tables link every cell to a Will it run? answer, the same model and device ids,
    quantizations and keys in hundreds of links, each quoted afresh by urlencode (a fifth of
    the custom build's page). Long text (a visitor's) is quoted each time, never kept."""
    return _quoted(text) if len(text) <= 100 else quote_plus(text)


@lru_cache(maxsize=8192)
def _quoted(text: str) -> str:
    return quote_plus(text)


def url_for(name: str, *args: str) -> str:
    """reverse(name, args=args), remembered: the tables of a page link every row to a model,
    a device and a verdict, a few hundred reverse() calls (~20 µs each) on a ranking page."""
    return _reversed(script_prefix(), name, args)


def script_prefix() -> str:
    """get_script_prefix(), read once per GET (a thread-local lookup of ~2 µs, asked by every
    link of a page's tables: a few hundred times on a model page or a custom build)."""
    memo = request_memo.get()
    if memo is None:
        return get_script_prefix()
    prefix = memo.get("script_prefix")
    if prefix is None:
        prefix = memo["script_prefix"] = get_script_prefix()
    return prefix  # type: ignore[no-any-return]


@lru_cache(maxsize=8192)
def _reversed(prefix: str, name: str, args: tuple[str, ...]) -> str:
    return reverse(name, args=list(args))


@receiver(setting_changed)
def _forget_urls(*, setting: str, **kwargs: Any) -> None:
    if setting == "ROOT_URLCONF":
        _reversed.cache_clear()


def requested_format(request: HttpRequest) -> str | None:
    """'html' or 'json'; None for a value we do not serve."""
    fmt = request.GET.get("format", "")
    if fmt not in FORMATS:
        return None
    return fmt or "html"


def respond(
    request: HttpRequest,
    template: str,
    page: Page,
    data: dict[str, Any],
    *,
    context: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render `data` as the page's HTML, or return it as JSON for `?format=json`."""
    fmt = requested_format(request)
    if fmt is None:
        return bad_format(request)
    if fmt == "json":
        payload = {"ok": status < 400, "status": status, "page": page.to_dict(request), **data}
        return json_response(payload, status)
    ctx = {
        "page": page,
        "canonical_url": page.canonical_url(request),
        "json_url": json_twin_url(request),
        "data": data,
    }
    ctx.update(context or {})
    return render(request, template, ctx, status=status)


def json_twin_url(request: HttpRequest) -> str:
    """This page's address with format=json (other parameters kept in order)."""
    pairs = [(k, v) for k, values in request.GET.lists() if k != "format" for v in values]
    return path_with_query(request.path, [*pairs, ("format", "json")])


def json_response(payload: dict[str, Any], status: int = 200) -> JsonResponse:
    return JsonResponse(
        payload, status=status, encoder=DjangoJSONEncoder, json_dumps_params={"ensure_ascii": False}
    )


def bad_format(request: HttpRequest) -> HttpResponse:
    message = "format must be json, or left out for the HTML page"
    page = Page(
        title="Unknown format",
        description=message,
        breadcrumbs=[("Home", "/"), ("Unknown format", request.path)],
        canonical_path=request.path,
        noindex=True,
    )
    ctx = {"page": page, "canonical_url": page.canonical_url(request), "message": message}
    return render(request, "errors/error.html", ctx, status=400)


class NoSuchPage(Http404):
    """A 404 whose one-line message the not-found page shows (a list's page past its end)."""


def page_of(paginator: Paginator[Any], request: HttpRequest) -> DjangoPage[Any]:
    """The page ``?page=`` names, or a 404 saying which pages there are. Why a 404 and not the
    last page (Paginator.get_page's clamping): `?page=999` names no page, as Django's own
    ListView answers it (Paginator.page raises EmptyPage; ListView turns it into a 404) and as
    PyPI's search does (warehouse: page past page_count is HTTPNotFound); serving page 3 at
    page 999's address shows a crawler the same list under endless URLs. Page 1 of an empty
    list is a page (allow_empty_first_page), and the API's `offset` agrees
    (api.common.paginate)."""
    typed = request.GET.get("page", "")
    try:
        return paginator.page(typed.strip() or 1)
    except PageNotAnInteger:
        raise NoSuchPage(f"page: {not_a_number(typed, whole=True)}") from None
    except EmptyPage:
        number = int(typed.strip())
        shown = outside(number, between(1, paginator.num_pages))
        raise NoSuchPage(f"page: {shown}") from None
