"""The memo of check's plans (estimate.plan_answers): the answers a whole check or its
commands ask, kept up to a bound, and the brief answers of the site's tables, kept in a
small ring of their own."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class PlanMemo(Generic[T]):
    """compute(*args) memoized, as functools.lru_cache was, in two parts. ``keep=True`` (a
    whole check, its commands): kept up to ``kept_size`` answers, oldest dropped first.
    ``keep=False`` (the detail pages' and rankings' brief answers): kept only among the last
    ``brief_size``, enough for a page's commands to find the answer its table just worked out.
    Why: a brief's plan (an Estimate with its MemoryPlan, SpeedFeatures, DeviceLoad and
    DeviceUses, ~17 tracked objects) is not asked again once its page's tables are cached
    whole (docs/performance.md, Rounds 6 and 13), and kept it grows the heap the collector
    walks on every full collection by ~700 objects a first view, which sets a full collection
    off every ~50 pages (~150 ms, Round 13). Either part answers a lookup."""

    def __init__(self, compute: Callable[..., T], kept_size: int, brief_size: int) -> None:
        self.compute = compute
        self.kept_size, self.brief_size = kept_size, brief_size
        self._kept: dict[tuple[Any, ...], T] = {}
        self._briefs: dict[tuple[Any, ...], T] = {}
        self._lock = threading.Lock()  # the website answers from several threads

    def __call__(self, *args: Any, keep: bool = True) -> T:
        found = self._kept.get(args)
        if found is None:
            found = self._briefs.get(args)
        if found is not None:
            return found
        found = self.compute(*args)
        memo, size = (self._kept, self.kept_size) if keep else (self._briefs, self.brief_size)
        with self._lock:
            if len(memo) >= size:
                del memo[next(iter(memo))]  # the oldest entry
            memo[args] = found
        return found

    def cache_clear(self) -> None:
        with self._lock:
            self._kept.clear()
            self._briefs.clear()

    def sizes(self) -> tuple[int, int]:
        """How many answers each part holds (kept, briefs): for tests."""
        return len(self._kept), len(self._briefs)
