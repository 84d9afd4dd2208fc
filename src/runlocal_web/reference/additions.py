"""What the catalog says was added, and when: every record's `added` date
(docs/catalog-format.md). Pulse and the monthly digest announce these, newest first; the
dates come from the records themselves, never from when a database was synced."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from runlocal.catalog import KINDS, Catalog
from runlocal_web.lib.dates import as_date

from .content import KIND_LABELS, entity_url


@dataclass(frozen=True)
class Addition:
    kind: str
    entity_id: str
    name: str
    added: dt.date
    path: str | None  # the record's page on this site; None for kinds without pages

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "kind_label": self.kind_label,
            "entity_id": self.entity_id,
            "name": self.name,
            "added": self.added,
            "url": self.path,
        }


def additions(
    catalog: Catalog,
    start: dt.date | None = None,
    end: dt.date | None = None,
    kinds: Iterable[str] = KINDS,
) -> list[Addition]:
    """Records added on ``start`` or later and before ``end``, newest first; on one day in
    the catalog's kind order (models, hardware, benchmarks, ...), then by name."""
    order = {kind: i for i, kind in enumerate(KINDS)}
    out: list[Addition] = []
    for kind in kinds:
        for eid, entry in catalog.entries(kind).items():
            added = as_date(entry.get("added"))  # no date: never announced
            if added is None or (start and added < start) or (end and added >= end):
                continue
            out.append(Addition(kind, eid, entry.name, added, entity_url(kind, eid)))
    out.sort(key=lambda a: (-a.added.toordinal(), order.get(a.kind, 99), a.name.casefold()))
    return out
