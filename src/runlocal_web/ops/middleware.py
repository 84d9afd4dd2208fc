"""Two middlewares, listed in settings.MIDDLEWARE right after WhiteNoise:

SecurityHeadersMiddleware: a strict Content-Security-Policy (with a per-request nonce for the
  rare inline script: `<script nonce="{{ request.csp_nonce }}">`), a Permissions-Policy and
  the request body limit (413). (Admin log-ins are locked by django-axes: settings.py.)
ServiceUnavailableMiddleware: the database or Redis going away answers a plain 503 page (or
  the API's JSON error shape under /api/) with Retry-After, never a traceback; the next request
  after they come back is served normally.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port
from django.template import loader
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger("runlocal.ops")

Handler = Callable[[HttpRequest], HttpResponse]

# Each directive names only what the site uses: its own scripts, styles, images and forms.
CSP = {
    "default-src": "'self'",
    "script-src": "'self' 'nonce-{nonce}'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# Swagger UI (/api/v1/docs, from django-ninja's own static files) sets inline styles.
CSP_RELAXED_PREFIXES = {"/api/v1/docs": {"style-src": "'self' 'unsafe-inline'"}}
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
DEFAULT_MAX_REQUEST_BYTES = 10 * 1024 * 1024

UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    RedisConnectionError,
    RedisTimeoutError,
)
RETRY_AFTER_SECONDS = 30
# How long a process answers 503 without asking the database after it failed (Breaker).
BREAKER_SECONDS = 1.0


def content_security_policy(path: str, nonce: str) -> str:
    directives = dict(CSP)
    for prefix, extra in CSP_RELAXED_PREFIXES.items():
        if path.startswith(prefix):
            directives.update(extra)
    return "; ".join(f"{k} {v}".format(nonce=nonce) for k, v in directives.items())


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or request.GET.get("format") == "json"


def plain_error(
    request: HttpRequest,
    status: int,
    title: str,
    message: str,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    """An error answer that needs neither the database nor the cache."""
    if _wants_json(request):
        from runlocal_web.api.errors import error_response

        response = error_response(status, message, headers=headers)
    else:
        html = loader.get_template("ops/error.html").render(
            {"status": status, "title": title, "message": message}
        )
        response = HttpResponse(html, status=status, content_type="text/html; charset=utf-8")
        for key, value in (headers or {}).items():
            response[key] = value
    response["Cache-Control"] = "no-store"
    return response


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = secrets.token_urlsafe(16)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self._limits(request) or self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = content_security_policy(request.path, nonce)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response

    def _limits(self, request: HttpRequest) -> HttpResponse | None:
        limit = int(getattr(settings, "OPS_MAX_REQUEST_BYTES", DEFAULT_MAX_REQUEST_BYTES))
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            return plain_error(
                request,
                413,
                "Request too large",
                f"the request body is larger than {limit:,} bytes",
            )
        if not settings.SITE_URL and not host_port_ok(request):
            # Links in e-mails and the sitemap come from the Host header when SITE_URL is
            # unset: a made-up port there must not reach them.
            return plain_error(
                request, 400, "Bad request", "the Host header names a port this site is not on"
            )
        return None


def host_port_ok(request: HttpRequest) -> bool:
    """No port in Host, or the one the server listens on (or the scheme's default)."""
    _, port = split_domain_port(request.get_host())
    if not port:
        return True
    return port in {str(request.META.get("SERVER_PORT", "")), "80", "443"}


def login_locked(
    request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    """django-axes' answer to a locked account or address (AXES_LOCKOUT_CALLABLE)."""
    wait = int(settings.AXES_COOLOFF_TIME.total_seconds())
    return plain_error(
        request,
        429,
        "Too many log-in attempts",
        f"too many failed log-in attempts; try again in {wait // 60} minutes",
        headers={"Retry-After": str(wait)},
    )


def _drop_database_connections() -> None:
    """A connection that failed is not asked again (a health check on one that hangs would
    hang too): the next query opens a new one."""
    for conn in connections.all(initialized_only=True):
        if conn.connection is not None and not conn.in_atomic_block:
            with contextlib.suppress(Exception):
                conn.close()


class Breaker:
    """After a database failure, this process stops asking the database for `seconds`;
    then one request at a time tries it (the others answer 503 at once) until one succeeds.
    So a database that hangs holds one thread per process, not all of them, and the site is
    back within about `seconds` of the database."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._lock = threading.Lock()
        self._open_until = 0.0  # 0: closed (the database is believed up)
        self._probing = False

    def is_open(self) -> bool:
        return self._open_until != 0.0

    def allow(self) -> bool:
        """May this request use the database? (When open, the first one after the wait.)"""
        with self._lock:
            if self._open_until == 0.0:
                return True
            if time.monotonic() < self._open_until or self._probing:
                return False
            self._probing = True
            return True

    def failed(self) -> None:
        with self._lock:
            self._open_until = time.monotonic() + self.seconds
            self._probing = False

    def succeeded(self) -> None:
        if self._open_until == 0.0:
            return
        with self._lock:
            self._open_until = 0.0
            self._probing = False


breaker = Breaker(BREAKER_SECONDS)


def unavailable(request: HttpRequest, exc: BaseException) -> HttpResponse:
    what = "database" if isinstance(exc, OperationalError | InterfaceError) else "cache"
    if what == "database":
        _drop_database_connections()
        request._ops_database_failed = True  # type: ignore[attr-defined]
        breaker.failed()
    first = (str(exc).strip().splitlines() or [""])[0][:200]
    log.warning(
        "%s unavailable on %s %s: %s: %s",
        what,
        request.method,
        request.path,
        exc.__class__.__name__,
        first,
    )
    return plain_error(
        request,
        503,
        "Temporarily unavailable",
        "the site is temporarily unavailable; please try again in a minute",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


class ServiceUnavailableMiddleware:
    """process_exception catches the views' errors; the got_request_exception signal marks the
    request when an inner middleware failed (that path reaches us as a 500 response)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response
        got_request_exception.connect(_mark_request, dispatch_uid="runlocal_ops_unavailable")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            response = self.get_response(request)
        except UNAVAILABLE_ERRORS as exc:  # the 500 handler itself needed the database
            return unavailable(request, exc)
        marked = getattr(request, "_ops_unavailable", None)
        if marked is not None and response.status_code == 500:
            return unavailable(request, marked)
        return response

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if isinstance(exc, UNAVAILABLE_ERRORS):
            return unavailable(request, exc)
        return None


def _mark_request(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    exc = sys.exc_info()[1]
    if request is not None and isinstance(exc, UNAVAILABLE_ERRORS):
        request._ops_unavailable = exc  # type: ignore[attr-defined]


class DatabaseBreakerMiddleware:
    """Inside the page cache (a hit never gets here): while the breaker is open, a request
    that would need the database answers 503 at once instead of waiting for it."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not breaker.allow():
            return plain_error(
                request,
                503,
                "Temporarily unavailable",
                "the site is temporarily unavailable; please try again in a minute",
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        response = self.get_response(request)
        if getattr(request, "_ops_database_failed", False):
            breaker.failed()
        else:
            breaker.succeeded()
        return response


class OneCatalogPerRequestMiddleware:
    """A GET or HEAD reads the catalog's sync state once (catalogdb.store.current): a page's
    tables, template tags and footer all ask for it, and each asking cost two queries.
    Requests that may write (a sync, an approval) read it afresh every time."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        from runlocal_web.catalogdb.store import one_catalog_per_request

        with one_catalog_per_request():
            return self.get_response(request)
