"""A Redis cache that never breaks a page: when Redis is unreachable, reads miss and writes
are dropped, and the site keeps answering (slower, without shared caching).

After a failure the backend stops trying for `retry_after` seconds, so an outage costs one
connection attempt per process every few seconds instead of one per cache call; the first
call after that window tries again, so the cache comes back by itself.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

log = logging.getLogger("runlocal.ops")


class TolerantRedisCache(RedisCache):
    retry_after = 5.0

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._down_until = 0.0

    def _call(self, method: str, default: Any, *args: Any, **kwargs: Any) -> Any:
        if time.monotonic() < self._down_until:
            return default
        try:
            return getattr(super(), method)(*args, **kwargs)
        except RedisError as exc:
            self._down_until = time.monotonic() + self.retry_after
            log.warning("cache unavailable (%s): %s", exc.__class__.__name__, _first_line(exc))
            return default

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._call("get", default, key, default, version)

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        return self._call("set", None, key, value, timeout, version)

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        return bool(self._call("add", False, key, value, timeout, version))

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return bool(self._call("touch", False, key, timeout, version))

    def delete(self, key: Any, version: int | None = None) -> bool:
        return bool(self._call("delete", False, key, version))

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        return dict(self._call("get_many", {}, keys, version))

    def set_many(
        self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[Any]:
        return list(self._call("set_many", list(data), data, timeout, version))

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        return self._call("delete_many", None, keys, version)

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return bool(self._call("has_key", False, key, version))

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        # Callers already handle a missing key (ValueError); an outage looks the same.
        result = self._call("incr", None, key, delta, version)
        if result is None:
            raise ValueError(f"Key '{key}' not found (cache unavailable)")
        return int(result)

    def clear(self) -> bool:
        return bool(self._call("clear", False))


class FallbackRedisCache(TolerantRedisCache):
    """For counters that must keep counting (rate limits): while Redis is unreachable, every
    call goes to this process's own memory instead of missing."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._local = LocMemCache(f"fallback-{server}", {"OPTIONS": {"MAX_ENTRIES": 100_000}})

    def _call(self, method: str, default: Any, *args: Any, **kwargs: Any) -> Any:
        if time.monotonic() >= self._down_until:
            try:
                return getattr(RedisCache, method)(self, *args, **kwargs)
            except RedisError as exc:
                self._down_until = time.monotonic() + self.retry_after
                log.warning(
                    "cache unavailable, counting in this process (%s): %s",
                    exc.__class__.__name__,
                    _first_line(exc),
                )
        return getattr(self._local, method)(*args, **kwargs)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        return int(self._call("incr", None, key, delta, version))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else ""
