"""Per-client rate limits for the API's POST endpoints, counted in Django's cache.

Fixed windows: a counter per (scope, client, window) that expires with its window. With
REDIS_URL every worker shares the counters; without it each process counts alone, so the
effective limit is the limit times the number of processes.

Limits can be changed with a setting (no environment variable yet):

    API_RATE_LIMITS = {"check": (120, 60), "submit": (30, 3600)}   # (requests, seconds)

The client is REMOTE_ADDR; behind N trusted reverse proxies set API_TRUSTED_PROXIES = N and
the N-th address from the right of X-Forwarded-For is used instead.
"""

from __future__ import annotations

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    "check": (120, 60),  # POST /check: 120 a minute
    "submit": (30, 3600),  # POST /benchmarks: 30 an hour
    "remote": (60, 600),  # requests to the Hub or the Ollama registry: 60 in 10 minutes
}


def limits(scope: str) -> tuple[int, int] | None:
    configured = getattr(settings, "API_RATE_LIMITS", None) or {}
    value = configured.get(scope, DEFAULT_LIMITS.get(scope))
    if value is None:
        return None
    count, seconds = value
    return int(count), int(seconds)


def client_ip(request: HttpRequest) -> str:
    proxies = int(getattr(settings, "API_TRUSTED_PROXIES", 0) or 0)
    if proxies > 0:
        chain = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        chain = [p for p in chain if p]
        if len(chain) >= proxies:
            return chain[-proxies]
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def hit(scope: str, client: str, now: float | None = None) -> int | None:
    """Count one request; None when allowed, else the seconds until the window resets."""
    rule = limits(scope)
    if rule is None:
        return None
    allowed, window = rule
    now = time.time() if now is None else now
    index = int(now // window)
    client_hash = hashlib.sha256(client.encode()).hexdigest()[:24]
    key = f"api:ratelimit:{scope}:{client_hash}:{index}"
    cache.add(key, 0, timeout=window + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 5)
        count = 1
    if count <= allowed:
        return None
    return max(1, math.ceil((index + 1) * window - now))
