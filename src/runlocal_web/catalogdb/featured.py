"""Which hardware and models the detail pages check against.

Preferred ids come first when the catalog has them; the rest is filled with a spread by size,
newest first within a size, so every catalog (a test's two entries included) gets a table.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db.models import F

from .models import Hardware, Model

NEWEST = F("release_date").desc(nulls_last=True)

# Common buys for local AI across memory sizes (the seed site's buyer guides name these).
PREFERRED_HARDWARE = (
    "nvidia-rtx-3060-12gb",
    "nvidia-rtx-4060-ti-16gb",
    "nvidia-rtx-3090",
    "nvidia-rtx-4090",
    "nvidia-rtx-5090",
    "apple-m4-max-40c",
    "amd-ryzen-ai-max-plus-395",
)
# Widely run open models from 3B to 120B, dense and mixture-of-experts.
PREFERRED_MODELS = (
    "llama-3.2-3b-instruct",
    "qwen3-8b",
    "gemma-3-12b-it",
    "gpt-oss-20b",
    "gemma-3-27b-it",
    "qwen3-30b-a3b",
    "llama-3.3-70b-instruct",
    "gpt-oss-120b",
)

T = TypeVar("T", Hardware, Model)


def _spread(items: Sequence[T], n: int) -> list[T]:
    """n items evenly spaced through a sorted sequence (all of them when there are few)."""
    if len(items) <= n:
        return list(items)
    if n <= 1:
        return [items[-1]]
    return [items[round(i * (len(items) - 1) / (n - 1))] for i in range(n)]


def _with_preferred(preferred: Sequence[str], pool: Sequence[T], limit: int) -> list[T]:
    by_id = {item.pk: item for item in pool}
    picked = [by_id[pk] for pk in preferred if pk in by_id][:limit]
    if len(picked) < limit:
        chosen = {item.pk for item in picked}
        # One per distinct size (the newest of that size), then a spread over the sizes.
        per_size: dict[object, T] = {}
        for item in pool:
            if item.pk not in chosen:
                per_size.setdefault(_size(item), item)
        rest = sorted(per_size.values(), key=lambda item: (_size(item) or 0.0, item.name))
        picked.extend(_spread(rest, limit - len(picked)))
    return sorted(picked, key=lambda item: (_size(item) or 0.0, item.name))


def _size(item: Hardware | Model) -> float | None:
    if isinstance(item, Hardware):
        return item.memory_gib
    return item.params_total_b


# The picks per catalog digest: they depend only on the synced rows, which the digest names,
# and choosing them loads every hardware or model row (a query and ~200 rows per page).
_picked: dict[tuple[str, str, int], list[Any]] = {}


def _per_digest(kind: str, limit: int, pick: Callable[[int], list[T]]) -> list[T]:
    from .store import current

    digest = current()[0]
    if not digest:
        return pick(limit)
    key = (digest, kind, limit)
    found = _picked.get(key)
    if found is None:
        if any(k[0] != digest for k in _picked):
            _picked.clear()  # a new sync: the old picks are never asked for again
        found = _picked[key] = pick(limit)
    return list(found)


def featured_hardware(limit: int = 7) -> list[Hardware]:
    return _per_digest("hardware", limit, _featured_hardware)


def featured_models(limit: int = 8) -> list[Model]:
    return _per_digest("models", limit, _featured_models)


def _featured_hardware(limit: int) -> list[Hardware]:
    pool = list(
        Hardware.objects.exclude(segment__in=("datacenter", "server-cpu"))
        .order_by(NEWEST, "name")
        .only("id", "name", "memory_gib", "release_date", "kind", "vendor", "segment")
    )
    if not pool:
        pool = list(Hardware.objects.order_by(NEWEST, "name"))
    return _with_preferred(PREFERRED_HARDWARE, pool, limit)


def _featured_models(limit: int) -> list[Model]:
    pool = list(
        Model.objects.filter(modality__in=("", "text", "vision-language"))
        .order_by(NEWEST, "name")
        .only("id", "name", "params_total_b", "release_date", "family")
    )
    if not pool:
        pool = list(Model.objects.order_by(NEWEST, "name"))
    return _with_preferred(PREFERRED_MODELS, pool, limit)
