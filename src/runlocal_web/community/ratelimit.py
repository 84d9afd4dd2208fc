"""Per-client limits on the contact and subscribe forms, counted in Django's cache.

The same fixed windows as the API's limits (api/ratelimit.py) and the same client address
(API_TRUSTED_PROXIES hops back in X-Forwarded-For). Every POST counts, valid or not.
Override with a setting: COMMUNITY_RATE_LIMITS = {"contact": (5, 600)}  # (posts, seconds)
"""

from __future__ import annotations

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from runlocal_web.api.ratelimit import client_ip

DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    "contact": (5, 600),
    "subscribe": (5, 600),
}


def hit(scope: str, request: HttpRequest, now: float | None = None) -> int | None:
    """Count one POST; None when allowed, else the seconds until the client may try again."""
    configured = getattr(settings, "COMMUNITY_RATE_LIMITS", None) or {}
    allowed, window = configured.get(scope, DEFAULT_LIMITS[scope])
    now = time.time() if now is None else now
    index = int(now // window)
    client = hashlib.sha256(client_ip(request).encode()).hexdigest()[:24]
    key = f"community:ratelimit:{scope}:{client}:{index}"
    cache.add(key, 0, timeout=window + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 5)
        count = 1
    if count <= allowed:
        return None
    return max(1, math.ceil((index + 1) * window - now))
