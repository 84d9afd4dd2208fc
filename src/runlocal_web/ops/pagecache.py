"""Whole rendered pages, shared by every anonymous visitor and served before the view runs.

Pages are pure functions of the synced catalog and the site's code, so a page rendered once
can be handed to everyone who asks for the same address, until the catalog changes. Listed in
settings.MIDDLEWARE inside the security headers and the 503 page, and outside sessions, CSRF
and authentication (a hit skips them: it needs no session and sets no cookie).

What is looked up: GET and HEAD requests (a HEAD is answered from the GET's page) outside
/api/, /admin/ and /static/, carrying none of the cookies that change a page (session, CSRF
token, messages) and no Authorization header. Everything else passes straight through.

What is stored: a 200 answer, HTML or JSON, that sets no cookie, does not say `Cache-Control:
private/no-store/no-cache`, varies on nothing but Cookie, never asked for a CSRF token, and
holds no `csrfmiddlewaretoken` (a POST form must never be shared). A view opts out with
`@no_page_cache`, or by setting `response.page_cache = False`.

The query is made canonical first: parameters no page reads (`utm_source=…`, anything a
visitor makes up) are dropped, and the rest are sorted by name (the values of a repeated name
keep their order), before the view runs; the view sees that query, so its answer depends on
nothing the key leaves out. Made-up parameters therefore add no entries (known_parameters()).

The key: method, scheme, host, the path with its canonical query (so `?format=json` twins are
their own entries), whether Accept asks for JSON, the catalog digest (store.current(): a re-sync or
a newly approved community result starts afresh) and a hash of the site's code (a deploy
starts afresh). Entries live in Django's cache (Redis with REDIS_URL, shared by every worker;
a Redis outage is a miss) for RUNLOCAL_PAGE_CACHE_SECONDS; 0 turns the cache off.

Each process also keeps the pages it served most recently in its own memory (LOCAL_MAX_BYTES,
least recently used out first), in front of the shared cache: a hit then costs no round trip
to Redis. The copy is of the same entry under the same key, with the same expiry time.

The digest is looked up at most once a second per process (DIGEST_SECONDS), so a hit costs no
database query; a re-sync shows up within that second. When the database cannot answer, the
last digest read keeps serving hits (it is tried again every DIGEST_RETRY_SECONDS), so cached
pages are answered with the database and Redis both gone.

The CSP nonce: a page is stored with the nonce it was rendered with; a hit swaps in this
request's own nonce, which SecurityHeadersMiddleware puts in the Content-Security-Policy
header, so the two always match and no two visitors share one.

Every looked-up answer says `X-Cache: hit` or `X-Cache: miss`; a request that was not looked
up carries no X-Cache header.
"""

from __future__ import annotations

import hashlib
import importlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from functools import cache, wraps
from typing import Any

from django import forms
from django.apps import apps
from django.conf import settings
from django.core.cache import cache as django_cache
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, QueryDict

from runlocal_web.lib import params
from runlocal_web.lib.engine import code_stamp

Handler = Callable[[HttpRequest], HttpResponse]

KEY_VERSION = "v1"
EXCLUDED_PREFIXES = ("/api/", "/admin/", "/static/")
CACHED_TYPES = ("text/html", "application/json")
# Bigger answers are served but not stored (they would crowd out everything else).
MAX_BYTES = 2 * 1024 * 1024
# Response headers that are never replayed: set per request, or recomputed.
NOT_STORED_HEADERS = {
    "set-cookie",
    "content-length",
    "x-cache",
    "content-security-policy",
    "permissions-policy",
}
CSRF_TOKEN_FIELD = b"csrfmiddlewaretoken"
# How long a process reuses the catalog digest it read (seconds; 0: read it on every request).
DIGEST_SECONDS = 1.0
# With the database unreachable, how long to keep using the last digest before trying again.
DIGEST_RETRY_SECONDS = 5.0
# Query parameters that pages read outside their forms' fields.
EXTRA_PARAMETERS = frozenset({"format", "page", "q", "email", "topic"})

# Pages each process keeps in its own memory, in front of the shared cache.
LOCAL_MAX_BYTES = 32 * 1024 * 1024

_digest: tuple[float, str] | None = None
# Clocks (tests replace them): the digest's age, and entries' expiry (shared by processes).
_monotonic = time.monotonic
_wall = time.time


class LocalPages:
    """The most recently used entries of this process, up to `max_bytes` of page bodies."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry["expires"] <= _wall():
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return entry

    def put(self, key: str, entry: dict[str, Any]) -> None:
        size = len(entry["body"])
        if size > self.max_bytes // 8:
            return
        with self._lock:
            self._drop(key)
            self._entries[key] = entry
            self._bytes += size
            while self._bytes > self.max_bytes:
                self._drop(next(iter(self._entries)))

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._bytes -= len(entry["body"])


local = LocalPages(LOCAL_MAX_BYTES)


def enabled() -> bool:
    return int(getattr(settings, "RUNLOCAL_PAGE_CACHE_SECONDS", 0) or 0) > 0


def no_page_cache(view: Handler) -> Handler:
    """Never store this view's answers (they are still served to everyone fresh)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response.page_cache = False  # type: ignore[attr-defined]
        return response

    return wrapped


def _cookies_that_matter() -> tuple[str, ...]:
    return (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME, "messages")


def looked_up(request: HttpRequest) -> bool:
    """Whether this request may be answered from (and fill) the shared cache."""
    if request.method not in ("GET", "HEAD"):
        return False
    if request.path_info.startswith(EXCLUDED_PREFIXES):
        return False
    if "HTTP_AUTHORIZATION" in request.META:
        return False
    return not any(name in request.COOKIES for name in _cookies_that_matter())


def catalog_digest() -> str | None:
    """store.current()'s digest, read again after DIGEST_SECONDS; while the database cannot
    answer, the last one read (None when there is none: no lookup)."""
    global _digest
    now = _monotonic()
    memo = _digest
    if memo is not None and now - memo[0] < DIGEST_SECONDS:
        return memo[1]
    from runlocal_web.catalogdb.store import current

    from .middleware import breaker

    if breaker.is_open() and memo is not None:
        return memo[1]  # the database just failed: do not wait for it on a cached page
    try:
        digest = current()[0]
    except DatabaseError:
        if memo is None:
            return None
        # Try again in a few seconds, not on every request of a database that hangs.
        _digest = (now - DIGEST_SECONDS + DIGEST_RETRY_SECONDS, memo[1])
        return memo[1]
    _digest = (now, digest)
    return digest


@cache
def known_parameters() -> frozenset[str]:
    """Every query parameter some page reads: the fields of the site's forms (and their
    URL_FIELDS), plus EXTRA_PARAMETERS."""
    names = set(EXTRA_PARAMETERS)
    for config in apps.get_app_configs():
        if not config.name.startswith("runlocal_web."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.forms")
        except ModuleNotFoundError:
            continue
        names.update(getattr(module, "URL_FIELDS", ()))
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, forms.BaseForm):
                names.update(value.base_fields)
                names.update(getattr(value, "URL_FIELDS", ()))
    return frozenset(names)


def canonical_query(query: QueryDict) -> str:
    """Known parameters only, sorted by name (a repeated name keeps its values' order)."""
    known = known_parameters()
    pairs = [(k, v) for k, values in sorted(query.lists()) if k in known for v in values]
    out = QueryDict(mutable=True)
    for k, v in pairs:
        out.appendlist(k, v)
    return out.urlencode()


def ignored_names(request: HttpRequest) -> list[dict[str, str | None]]:
    """The names sent that no page reads (tracking ones aside), read before canonicalise
    drops them, for the page's notice (lib.params)."""
    if request.method in ("GET", "HEAD") and not request.path_info.startswith(EXCLUDED_PREFIXES):
        return params.ignored(request.GET.keys(), known_parameters())
    return []


def canonicalise(request: HttpRequest) -> None:
    """Let the view see only the canonical query (so its answer is the cached one's)."""
    query = canonical_query(request.GET)
    if query != request.META.get("QUERY_STRING", ""):
        request.META["QUERY_STRING"] = query
        request.GET = QueryDict(query)


def page_key(request: HttpRequest, digest: str) -> str:
    accept = request.META.get("HTTP_ACCEPT", "")
    parts = (
        KEY_VERSION,
        "GET" if request.method == "HEAD" else str(request.method),
        request.scheme or "",
        request.get_host(),
        request.get_full_path(),
        "json" if "application/json" in accept else "",
        digest,
        code_stamp(),
    )
    return "page:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def storable(request: HttpRequest, response: HttpResponse) -> bool:
    if request.method != "GET" or response.status_code != 200 or response.streaming:
        return False
    if getattr(response, "page_cache", True) is False or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or request.META.get("CSRF_COOKIE_USED"):
        return False
    control = response.get("Cache-Control", "").lower()
    if any(word in control for word in ("private", "no-store", "no-cache")):
        return False
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
    if vary - {"cookie"}:
        return False
    if not response.get("Content-Type", "").startswith(CACHED_TYPES):
        return False
    content = response.content
    return len(content) <= MAX_BYTES and CSRF_TOKEN_FIELD not in content


def _entry(request: HttpRequest, response: HttpResponse, seconds: int) -> dict[str, Any]:
    headers = [(k, v) for k, v in response.items() if k.lower() not in NOT_STORED_HEADERS]
    return {
        "status": response.status_code,
        "headers": headers,
        "body": response.content,
        "nonce": getattr(request, "csp_nonce", ""),
        "expires": _wall() + seconds,
    }


def _lookup(key: str) -> dict[str, Any] | None:
    entry = local.get(key)
    if entry is not None:
        return entry
    entry = django_cache.get(key)
    if not isinstance(entry, dict) or entry.get("expires", 0) <= _wall():
        return None
    local.put(key, entry)
    return entry


def _replay(request: HttpRequest, entry: dict[str, Any]) -> HttpResponse:
    body: bytes = entry["body"]
    old, new = entry.get("nonce") or "", getattr(request, "csp_nonce", "")
    if old and new and old != new:
        body = body.replace(old.encode(), new.encode())
    response = HttpResponse(body, status=entry["status"], headers=dict(entry["headers"]))
    response["Content-Length"] = str(len(body))
    return response


class PageCacheMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        ignored = ignored_names(request)
        # The page says what it ignored (lib.params), put in after the page is stored.
        return params.add_notice(self.answer(request), ignored)

    def answer(self, request: HttpRequest) -> HttpResponse:
        if not enabled() or not looked_up(request):
            return self.get_response(request)
        canonicalise(request)
        digest = catalog_digest()
        if digest is None:  # the database is down and no digest was ever read: the view says
            return self.get_response(request)
        key = page_key(request, digest)
        entry = _lookup(key)
        if entry is not None:
            response = _replay(request, entry)
            response["X-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if storable(request, response):
            seconds = int(settings.RUNLOCAL_PAGE_CACHE_SECONDS)
            entry = _entry(request, response, seconds)
            django_cache.set(key, entry, seconds)
            local.put(key, entry)
        response["X-Cache"] = "miss"
        return response
