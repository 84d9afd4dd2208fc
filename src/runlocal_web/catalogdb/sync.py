"""Load the TOML catalog into the database: all of it in one transaction, or nothing.

Every file is read and checked before the first write, so a bad file (CatalogError naming the
file and the field) leaves the database exactly as it was. Running it twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from runlocal.catalog import KINDS, Catalog, normalize
from runlocal.catalog import Entry as CoreEntry
from runlocal.errors import CatalogError

from .models import Benchmark, Change, Hardware, Model, Record, SyncState

HARDWARE_KINDS = ("gpu", "unified", "cpu")


@dataclass
class TableReport:
    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    newest: dt.datetime | None = None  # the latest time among the changes it logged

    @property
    def total(self) -> int:
        return self.added + self.updated + self.unchanged

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.deleted)

    def line(self, label: str) -> str:
        return (
            f"{label}: {self.added} added, {self.updated} updated, {self.deleted} deleted, "
            f"{self.unchanged} unchanged ({self.total} in all)"
        )


@dataclass
class SyncReport:
    catalog_dir: Path
    digest: str
    tables: dict[str, TableReport] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(t.changed for t in self.tables.values())

    def lines(self) -> list[str]:
        return [f"catalog: {self.catalog_dir}"] + [t.line(k) for k, t in self.tables.items()]


def load_files(root: Path) -> Catalog:
    """The catalog as it is on disk now: a fresh Catalog, not load_catalog()'s per-process
    cached one, so files edited since the last sync are seen. Entries load (and raise
    CatalogError) when first read."""
    if not root.is_dir():
        raise CatalogError(str(root), "(folder)", "no such catalog folder")
    return Catalog(root=root)


def jsonable(value: Any) -> Any:
    """TOML values → JSON values (dates and times become ISO 8601 strings)."""
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def _where(entry: CoreEntry) -> str:
    return f"{entry.kind}/{entry.path.name}"


def _number(entry: CoreEntry, key: str, *, required: bool = False) -> float | None:
    value = entry.get(key)
    if value is None:
        if required:
            raise CatalogError(_where(entry), key, "missing")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CatalogError(_where(entry), key, f"expected a number, got {value!r}")
    if required and value <= 0:
        raise CatalogError(_where(entry), key, f"must be above zero, got {value!r}")
    return float(value)


def _text(entry: CoreEntry, key: str, max_length: int, default: str = "") -> str:
    value = entry.get(key, default)
    if not isinstance(value, str):
        raise CatalogError(_where(entry), key, f"expected a string, got {value!r}")
    if len(value) > max_length:
        raise CatalogError(_where(entry), key, f"longer than {max_length} characters")
    return value


def _date(entry: CoreEntry, key: str) -> dt.date | None:
    value = entry.get(key)
    if value is None:
        return None
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise CatalogError(_where(entry), key, "must be a TOML date (YYYY-MM-DD)")
    return value


def _search_text(*parts: object) -> str:
    words = [normalize(str(p)) for p in parts if p]
    return " ".join(w for w in words if w)


def _check_storable(entry: CoreEntry, value: Any, path: str) -> None:
    """Values every database can store: finite numbers, text without NUL characters."""
    if isinstance(value, float) and not math.isfinite(value):
        raise CatalogError(_where(entry), path, f"{value!r} is not a finite number")
    if isinstance(value, str) and "\x00" in value:
        raise CatalogError(_where(entry), path, "contains a NUL character")
    if isinstance(value, dict):
        for k, v in value.items():
            _check_storable(entry, v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _check_storable(entry, v, f"{path}[{i}]")


def _common(entry: CoreEntry) -> dict[str, Any]:
    _check_storable(entry, dict(entry.data), "")
    if len(entry.id) > 100:
        raise CatalogError(_where(entry), "id", "longer than 100 characters")
    if len(entry.name) > 200:
        raise CatalogError(_where(entry), "name", "longer than 200 characters")
    return {
        "name": entry.name,
        "aliases": list(entry.aliases),
        "sources": list(entry.sources),
        "last_verified": entry.last_verified,
        "reviewed_by": entry.reviewed_by[:200],
        "source_file": _where(entry),
        "data": jsonable(dict(entry.data)),
    }


def model_fields(entry: CoreEntry) -> dict[str, Any]:
    fields = _common(entry)
    fields.update(
        family=_text(entry, "family", 50),
        modality=_text(entry, "modality", 30),
        params_total_b=_number(entry, "params_total_b"),
        params_active_b=_number(entry, "params_active_b"),
        release_date=_date(entry, "release_date"),
        license=_text(entry, "license", 100),
        hf_repo=_text(entry, "hf_repo", 200),
    )
    fields["search_text"] = _search_text(
        entry.id, entry.name, *entry.aliases, fields["family"], fields["hf_repo"]
    )
    return fields


def hardware_fields(entry: CoreEntry) -> dict[str, Any]:
    fields = _common(entry)
    kind = _text(entry, "kind", 20, default="gpu")
    if kind not in HARDWARE_KINDS:
        raise CatalogError(
            _where(entry), "kind", f"{kind!r} is not one of {', '.join(HARDWARE_KINDS)}"
        )
    fields.update(
        vendor=_text(entry, "vendor", 50),
        kind=kind,
        segment=_text(entry, "segment", 30),
        memory_gib=_number(entry, "memory_gib", required=True),
        bandwidth_gb_s=_number(entry, "bandwidth_gb_s", required=True),
        fp16_tensor_tflops=_number(entry, "fp16_tensor_tflops"),
        tdp_w=_number(entry, "tdp_w"),
        release_date=_date(entry, "release_date"),
        launch_price_usd=_number(entry, "launch_price_usd"),
    )
    fields["search_text"] = _search_text(
        entry.id, entry.name, *entry.aliases, fields["vendor"], fields["segment"]
    )
    return fields


def benchmark_fields(entry: CoreEntry) -> dict[str, Any]:
    fields = _common(entry)
    results = entry.get("results", [])
    if not isinstance(results, list):
        raise CatalogError(_where(entry), "results", "must be an array of tables")
    fields.update(hardware_id=_text(entry, "hardware", 100), n_results=len(results))
    fields["search_text"] = _search_text(entry.id, entry.name, fields["hardware_id"])
    return fields


TABLES: tuple[tuple[str, type[models.Model], Any], ...] = (
    ("models", Model, model_fields),
    ("hardware", Hardware, hardware_fields),
    ("benchmarks", Benchmark, benchmark_fields),
)
# Every other kind is mirrored whole into Record, keyed "kind/id".
RECORD_KINDS = tuple(k for k in KINDS if k not in {kind for kind, _m, _f in TABLES})


def record_fields(entry: CoreEntry) -> dict[str, Any]:
    fields = _common(entry)
    category = entry.get("category") or entry.get("kind") or entry.get("family") or ""
    fields.update(
        kind=entry.kind,
        slug=entry.id,
        category=str(category)[:60] if isinstance(category, str) else "",
    )
    text_fields = ("short", "summary", "question", "error", "symptom", "title")
    fields["search_text"] = _search_text(
        entry.id, entry.name, *entry.aliases, *(entry.get(k) for k in text_fields)
    )
    return fields


def digest_of(rows: dict[str, dict[str, dict[str, Any]]]) -> str:
    payload = json.dumps(rows, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def sync_catalog(root: Path) -> SyncReport:
    """Make the database mirror the catalog at `root`. Raises CatalogError before any write."""
    catalog = load_files(root)
    wanted: dict[str, dict[str, dict[str, Any]]] = {}
    for kind, _model, to_fields in TABLES:
        wanted[kind] = {eid: to_fields(e) for eid, e in sorted(catalog.entries(kind).items())}
    wanted["records"] = {
        f"{kind}/{eid}": record_fields(e)
        for kind in RECORD_KINDS
        for eid, e in sorted(catalog.entries(kind).items())
    }
    report = SyncReport(catalog_dir=root, digest=digest_of(wanted))
    now = timezone.now()
    with transaction.atomic():
        for kind, model, _to_fields in TABLES:
            report.tables[kind] = _sync_table(model, wanted[kind], now, kind)
        report.tables["records"] = _sync_table(Record, wanted["records"], now, None)
        state = SyncState.objects.select_for_update().filter(pk=1).first()
        if state is None:
            state = SyncState(pk=1, changed_at=now)
        if state.digest != report.digest:
            # The newest date among the entries this sync changed (the catalog's own dates).
            newest = [t.newest for t in report.tables.values() if t.newest is not None]
            state.changed_at = max(newest) if newest else now
        state.digest = report.digest
        state.catalog_dir = str(root)[:500]
        state.n_models = report.tables["models"].total
        state.n_hardware = report.tables["hardware"].total
        state.n_benchmarks = report.tables["benchmarks"].total
        state.synced_at = now
        state.save()
    return report


def _sync_table(
    model: type[models.Model],
    rows: dict[str, dict[str, Any]],
    now: dt.datetime,
    kind: str | None,
) -> TableReport:
    """Make one table equal `rows`, logging each change for Pulse. `kind` None: the
    Record table, whose keys are "kind/id"."""
    report = TableReport()
    existing = {obj.pk: obj for obj in model._default_manager.all()}
    to_create = []
    to_update = []
    changes: list[Change] = []

    def log(
        pk: str, name: str, action: str, fields: list[str] | None = None, when: Any = None
    ) -> None:
        k, entity = (kind, pk) if kind is not None else pk.split("/", 1)
        changes.append(
            Change(
                at=entry_time(when, now),
                kind=k,
                entity_id=entity[:100],
                name=name[:200],
                action=action,
                fields=fields or [],
            )
        )

    for pk, fields in rows.items():
        obj = existing.pop(pk, None)
        if obj is None:
            to_create.append(model(pk=pk, **fields))
            log(pk, fields["name"], Change.ADDED, when=fields.get("last_verified"))
            continue
        changed = False
        dated_changed = getattr(obj, "last_verified", None) != fields.get("last_verified")
        before = dict(getattr(obj, "data", {}) or {})
        for name, value in fields.items():
            if getattr(obj, name) != value:
                setattr(obj, name, value)
                changed = True
        if changed:
            to_update.append(obj)
            after = fields.get("data", {})
            touched = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
            # Dated by the entry when its editors dated the change; an edit that left
            # last_verified alone happened, as far as the catalog says, when it was synced.
            when = fields.get("last_verified") if dated_changed else None
            log(pk, fields["name"], Change.UPDATED, touched, when)
        else:
            report.unchanged += 1
    if to_create:
        model._default_manager.bulk_create(to_create)
    if to_update:
        columns = list(next(iter(rows.values())).keys())
        model._default_manager.bulk_update(to_update, columns)
    if existing:
        for pk, obj in existing.items():
            log(pk, str(obj), Change.DELETED)
        model._default_manager.filter(pk__in=list(existing)).delete()
    if changes:
        Change.objects.bulk_create(changes)
    report.added, report.updated, report.deleted = len(to_create), len(to_update), len(existing)
    report.newest = max((c.at for c in changes), default=None)
    return report


def entry_time(when: Any, now: dt.datetime) -> dt.datetime:
    """When a change happened, by the catalog's own history: the entry's `last_verified` date
    (the day its editors last changed or checked it), never later than now. A fresh install
    syncs hundreds of entries at once: they did not all change on the install date."""
    if isinstance(when, str):
        try:
            when = dt.date.fromisoformat(when)
        except ValueError:
            when = None
    if isinstance(when, dt.datetime):
        when = when.date()
    if not isinstance(when, dt.date):
        return now
    return min(dt.datetime.combine(when, dt.time.min, tzinfo=dt.UTC), now)
