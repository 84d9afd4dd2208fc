"""One rate-limit mechanism for the whole site: django-ratelimit's counters, per client.

Scopes (requests, seconds), per client address:

- "check": every engine answer a client asks for by query: the API's /check, /compare,
  /cost, /recommend and /recommend/models, and the pages Will it run?, Compare, Cost vs
  cloud, Choose my GPU and the custom build (also as ?format=json), counted together;
- "submit": benchmark submissions (POST /api/v1/benchmarks);
- "contact" and "subscribe": the two forms' POSTs;
- "remote": reads of models outside the catalog from the Hub or the Ollama registry
  (RUNLOCAL_REMOTE_MODELS), counted per fetch.

Defaults below; the settings API_RATE_LIMITS and COMMUNITY_RATE_LIMITS override them
(`{"check": (120, 60)}`). A page answered from the page cache is not counted: it costs no
engine work.

The counters live in the "limits" cache (settings.CACHES): Redis with REDIS_URL, shared by
every worker, falling back to each process's own memory while Redis is unreachable
(ops.cache.FallbackRedisCache), so a Redis outage never turns the limits off: each worker
then enforces the limit on its own. Without REDIS_URL each process counts alone.

The client is REMOTE_ADDR; behind N trusted reverse proxies (API_TRUSTED_PROXIES = N) the
N-th address from the right of X-Forwarded-For.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django_ratelimit.core import get_usage

DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    "check": (120, 60),
    "submit": (30, 3600),
    "contact": (5, 600),
    "subscribe": (5, 600),
    "remote": (60, 600),
}


def limits(scope: str) -> tuple[int, int]:
    configured = {
        **(getattr(settings, "API_RATE_LIMITS", None) or {}),
        **(getattr(settings, "COMMUNITY_RATE_LIMITS", None) or {}),
    }
    count, seconds = configured.get(scope, DEFAULT_LIMITS[scope])
    return int(count), int(seconds)


def client_ip(request: HttpRequest) -> str:
    proxies = int(getattr(settings, "API_TRUSTED_PROXIES", 0) or 0)
    if proxies > 0:
        chain = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        chain = [p for p in chain if p]
        if len(chain) >= proxies:
            return chain[-proxies][:64]
    return str(request.META.get("REMOTE_ADDR") or "unknown")[:64]


def login_client_ip(request: HttpRequest) -> str | None:
    """client_ip for django-axes, which stores it in an IP address column: None when it is
    not an address (a forged X-Forwarded-For, a request built without REMOTE_ADDR)."""
    try:
        return str(ipaddress.ip_address(client_ip(request)))
    except ValueError:
        return None


def _client_key(group: str, request: HttpRequest) -> str:
    return hashlib.sha256(client_ip(request).encode()).hexdigest()[:24]


def hit(scope: str, request: HttpRequest) -> int | None:
    """Count one request; None when allowed, else the seconds until the client may try again."""
    count, seconds = limits(scope)
    usage = get_usage(
        request,
        group=f"runlocal:{scope}",
        key=_client_key,
        rate=f"{count}/{seconds}s",
        increment=True,
    )
    if usage is None or not usage["should_limit"]:
        return None
    return max(1, int(usage["time_left"]))


def limited(scope: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A page view counted in `scope`: over the limit, a 429 page (or JSON) with Retry-After."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            wait = hit(scope, request)
            if wait is not None:
                from .middleware import plain_error

                return plain_error(
                    request,
                    429,
                    "Too many requests",
                    f"too many requests from your address; try again in {wait} seconds",
                    headers={"Retry-After": str(wait)},
                )
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
