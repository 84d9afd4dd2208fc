"""Names read as a catalog id first, without loading the resolvers.

Both resolvers answer a catalog id before reading anything else in the text: the same answer
comes from the entry itself, so a cold `runlocal check` by id (and every table of the
website, which asks by id) loads neither resolver's code nor its indexes.

A hardware name the catalog itself spells (an entry's name or one of its aliases, exactly as
written: "RTX 4090") is answered from the hardware resolver's own answers to every such
label, worked out once per catalog and resolver code and pickled beside the parse cache: a
cold `runlocal check … --hardware "RTX 4090"` then loads neither the resolver nor its
readings' ~80 regular expressions (about a sixth of its instructions, docs/performance.md).
"""

from __future__ import annotations

import os
from functools import lru_cache

from ..catalog import Catalog, _cache_dir, code_stamp, derived_cached
from .names import HardwareName, ModelName

# resolve.hardware.MAX_DEVICES, without loading the resolver (a larger count goes to it, which
# refuses it).
_MAX_COUNT = 64

# (entry id, memory size, count) of each part, as resolve_hardware_name answered the label.
_Parts = tuple[tuple[str, float | None, int], ...]


def read_hardware(catalog: Catalog, text: str) -> tuple[HardwareName, ...]:
    """runlocal.resolve.hardware.resolve_hardware_name, an id or a catalog label answered
    directly."""
    entries = catalog.entries("hardware")  # (the property's call saved)
    entry = entries.get(text)
    if entry is not None:
        return (HardwareName(entry, None, 1),)
    labels = _catalog_labels(catalog)
    parts = labels.get(text) if labels is not None else None
    if parts is not None:
        return tuple(HardwareName(entries[i], gib, count) for i, gib, count in parts)
    # "2x nvidia-rtx-3090": a count before an id, as a batch's multi-GPU lines write it. The
    # resolver reads the count and answers the id after it (resolve.hardware._resolve_read,
    # "an id after a count") in ~1 M instructions a new text; here a split and a lookup
    # (tests/core/test_fast_paths_records.py holds it to the resolver for every id and count).
    count, x, rest = text.partition("x ")
    if x and 0 < len(count) <= 2 and count.isascii() and count.isdigit() and count[0] != "0":
        entry = entries.get(rest)
        n = int(count)
        if entry is not None and n <= _MAX_COUNT:
            return (HardwareName(entry, None, n),)
    from .hardware import resolve_hardware_name

    return resolve_hardware_name(catalog, text)


@lru_cache(maxsize=8)  # Catalog hashes by identity
def _catalog_labels(catalog: Catalog) -> dict[str, _Parts] | None:
    """Every hardware name and alias of a catalog read from files → resolve_hardware_name's
    answer to it (labels it refuses are left out: asked, the resolver refuses them again).
    None where nothing is pickled (a catalog not read from files, as the website's, or
    RUNLOCAL_CACHE_DIR=""): resolving every label there would cost more than it saves."""
    if _cache_dir() is None:
        return None
    if catalog._files_of("hardware") is None or catalog._files_of("prices") is None:
        return None
    return derived_cached(
        catalog, ("hardware", "prices"), "labels", _resolver_code(), lambda: _read_labels(catalog)
    )


def _resolver_code() -> str:
    """code_stamp of everything resolve_hardware_name runs: this package (source or compiled
    build's modules), and the catalog, bounds and errors modules it reads names with."""
    here = os.path.dirname(os.path.abspath(__file__))
    top = os.path.dirname(here)
    own = sorted(n for n in os.listdir(here) if n.endswith((".py", ".so", ".pyd")))
    shared = sorted(
        n
        for n in os.listdir(top)
        if n.endswith((".py", ".so", ".pyd")) and n.split(".")[0] in ("catalog", "bounds", "errors")
    )
    return code_stamp(
        *(os.path.join(here, n) for n in own), *(os.path.join(top, n) for n in shared)
    )


def _read_labels(catalog: Catalog) -> dict[str, _Parts]:
    from ..errors import RunlocalError
    from .hardware import resolve_hardware_name

    out: dict[str, _Parts] = {}
    for entry in catalog.hardware.values():
        for label in (entry.name, *entry.aliases):
            if label in out or label in catalog.hardware:
                continue
            try:
                parts = resolve_hardware_name(catalog, label)
            except RunlocalError:
                continue
            out[label] = tuple((p.entry.id, p.memory_gib, p.count) for p in parts)
    return out


def read_model(catalog: Catalog, text: str) -> ModelName:
    """runlocal.resolve.models.resolve_model_name, an id answered directly."""
    entry = catalog.entries("models").get(text)
    if entry is not None:
        return ModelName(entry, None, "name")
    from .models import resolve_model_name

    return resolve_model_name(catalog, text)
