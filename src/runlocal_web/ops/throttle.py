"""Failed admin log-ins, counted per client address in Django's cache.

Each failed attempt (Django's `user_login_failed` signal) adds one to a counter for the client
and the current window; once it reaches OPS_LOGIN_MAX_FAILURES, further log-in POSTs from that
address answer 429 until the window ends. With REDIS_URL every worker shares the counters;
without it each process counts alone. If the cache is down the limit is not enforced (the
site stays up), and an outage is logged.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.http import HttpRequest

DEFAULT_MAX_FAILURES = 10
DEFAULT_WINDOW_SECONDS = 15 * 60


def limits() -> tuple[int, int]:
    return (
        int(getattr(settings, "OPS_LOGIN_MAX_FAILURES", DEFAULT_MAX_FAILURES)),
        int(getattr(settings, "OPS_LOGIN_WINDOW_SECONDS", DEFAULT_WINDOW_SECONDS)),
    )


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or the address API_TRUSTED_PROXIES hops back in X-Forwarded-For."""
    proxies = int(getattr(settings, "API_TRUSTED_PROXIES", 0) or 0)
    if proxies > 0:
        chain = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        chain = [p for p in chain if p]
        if len(chain) >= proxies:
            return chain[-proxies][:64]
    return str(request.META.get("REMOTE_ADDR") or "unknown")[:64]


def _key(client: str, now: float) -> tuple[str, int]:
    _, window = limits()
    index = int(now // window)
    return f"ops:login-failures:{client}:{index}", int(window - now % window) + 1


def record_failure(client: str, now: float | None = None) -> int:
    now = time.time() if now is None else now
    key, left = _key(client, now)
    cache.add(key, 0, timeout=left + 5)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired in between, or the cache is unavailable
        cache.set(key, 1, timeout=left + 5)
        return 1


def retry_after(client: str, now: float | None = None) -> int | None:
    """Seconds until this client may try again, or None when it may try now."""
    now = time.time() if now is None else now
    maximum, _ = limits()
    key, left = _key(client, now)
    count = cache.get(key) or 0
    return left if int(count) >= maximum else None


def _on_failure(
    sender: Any, credentials: Any = None, request: HttpRequest | None = None, **kwargs: Any
) -> None:
    if request is not None:
        record_failure(client_ip(request))


def connect() -> None:
    user_login_failed.connect(_on_failure, dispatch_uid="runlocal_ops_login_failed")
