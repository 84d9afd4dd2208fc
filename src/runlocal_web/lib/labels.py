"""Display names the pages share: one spelling of each backend and loss bucket."""

from __future__ import annotations

import weakref

from runlocal.catalog import Catalog

BACKEND_LABELS = {
    "cuda": "CUDA",
    "rocm": "ROCm",
    "metal": "Metal",
    "vulkan": "Vulkan",
    "sycl": "SYCL",
    "cpu": "CPU",
}
# runlocal.quant_loss's buckets for a quantization's measured loss.
LOSS_LABELS = {
    "none": "none",
    "negligible": "negligible",
    "small": "small",
    "moderate": "moderate",
    "large": "large",
    "unknown": "not measured",
}


_names: weakref.WeakKeyDictionary[Catalog, dict[str, tuple[str, ...]]] = weakref.WeakKeyDictionary()


def catalog_names(catalog: Catalog, kind: str) -> tuple[str, ...]:
    """The names of a kind's entries, sorted: the forms' suggestion lists. Worked out once
    per loaded catalog (a sync loads a new one), not on every page that offers them."""
    by_kind = _names.setdefault(catalog, {})
    names = by_kind.get(kind)
    if names is None:
        names = by_kind[kind] = tuple(sorted(e.name for e in catalog.entries(kind).values()))
    return names
