"""The cold path's shortcuts answer as the code they skip (docs/performance.md, issue 14)."""

from __future__ import annotations

import pytest

from runlocal.catalog import Catalog, load_catalog
from runlocal.errors import RunlocalError
from runlocal.resolve import ids
from runlocal.resolve.hardware import resolve_hardware_name


def _resolved(cat: Catalog, text: str) -> object:
    try:
        return resolve_hardware_name(cat, text)
    except RunlocalError as exc:
        return type(exc), str(exc)


def _read(cat: Catalog, text: str) -> object:
    try:
        return ids.read_hardware(cat, text)
    except RunlocalError as exc:
        return type(exc), str(exc)


def test_a_catalog_hardware_label_reads_as_the_resolver_reads_it():
    cat = load_catalog()
    ids._catalog_labels.cache_clear()
    built = ids._catalog_labels(cat)  # built and pickled
    ids._catalog_labels.cache_clear()
    read = ids._catalog_labels(cat)  # read back from the pickle
    assert built is not None and read == built
    labels = [label for e in cat.hardware.values() for label in (e.id, e.name, *e.aliases)]
    assert len(built) > 1000  # nearly every label is answered from it
    for label in labels:
        assert _read(cat, label) == _resolved(cat, label), label
    # The entries are the catalog's own objects, as the resolver gives them.
    (part,) = ids.read_hardware(cat, "RTX 4090")
    assert part.entry is cat.hardware[part.entry.id]
    # Anything else, and labels the resolver refuses, go to the resolver.
    for text in ("2x RTX 3090", "rtx 4090", "RTX 4090 + RTX 3090", "RTX 4090 Ti"):
        assert text not in built
        assert _read(cat, text) == _resolved(cat, text)


def test_no_labels_where_nothing_is_pickled(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("RUNLOCAL_CACHE_DIR", "")
    ids._catalog_labels.cache_clear()
    assert ids._catalog_labels(load_catalog()) is None
    monkeypatch.undo()
    assert ids._catalog_labels(Catalog()) is None  # not read from files (the website's)
    ids._catalog_labels.cache_clear()


def test_the_labels_are_keyed_by_the_resolvers_code():
    stamp = ids._resolver_code()
    for name in ("hardware.py", "hardware_reading.py", "instances.py", "text.py", "catalog.py"):
        assert f"{name}\0" in stamp or f"{name[:-3]}." in stamp, name
