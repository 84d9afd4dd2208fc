"""The catalog as the website sees it: rebuilt from the database, cached per process.

Pages and the engine read the same rows, so a page and its verdicts always agree, and a
catalog file broken after the last sync cannot take the site down: it keeps the last good data.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import DateTimeField, F, Func, IntegerField, QuerySet, Subquery

from runlocal.catalog import KINDS, Catalog
from runlocal.catalog import Entry as CoreEntry
from runlocal_web.lib.memo import request_memo

from .models import Benchmark, Entry, Hardware, Model, Record, SyncState

_cache: tuple[str, Catalog] | None = None
# Inside `one_catalog_per_request` (a GET's or HEAD's view, ops.middleware), request_memo
# holds what this request has read of the sync state, so the digest's queries run once per
# request, not once per table, template tag or footer that asks.


@contextmanager
def one_catalog_per_request() -> Iterator[None]:
    """Within the block, current() and current_state() query the database once and answer
    the same afterwards: one request reads one catalog version."""
    token = request_memo.set({})
    try:
        yield
    finally:
        request_memo.reset(token)


class DatabaseCatalog(Catalog):
    """A Catalog whose entries come from the database rows, never from files.

    Every lookup in the core (find, the engine's indexes, the kind properties) goes through
    `entries(kind)`, so overriding it is all it takes. Every kind is mirrored (models,
    hardware and benchmarks in their own tables, the rest in Record).
    """

    def __init__(
        self,
        entries: dict[str, dict[str, CoreEntry]],
        rows: dict[str, dict[str, Entry]] | None = None,
    ) -> None:
        super().__init__()
        self._db_entries = entries
        # The model and hardware rows these entries were made from: a detail page reads its
        # row from the catalog version it shows, without a query of its own.
        self.rows: dict[str, dict[str, Entry]] = rows or {}

    def entries(self, kind: str) -> dict[str, CoreEntry]:
        if kind not in KINDS:
            raise KeyError(kind)
        return self._db_entries.setdefault(kind, {})


def current_state() -> SyncState | None:
    memo = request_memo.get()
    if memo is not None and "state" in memo:
        return memo["state"]  # type: ignore[no-any-return]
    state = _read_state()
    if memo is not None:
        memo["state"] = state
    return state


def _read_state() -> SyncState | None:
    """`_state_query().first()`, from SQL compiled once per database connection.

    The query runs on every page view, and Django compiled it afresh each time: ten times
    as long (~0.4 ms) as running it. The compiled statement, the converters of its columns
    (time zones, SQLite's text dates) and how a row becomes a SyncState are kept, and each
    call only executes the statement and builds the object, as Django's own iterator does
    (tests/web/test_first_views.py compares the two)."""
    conn = connections[SyncState.objects.db]
    plan = _plans.get(conn)
    if plan is None:
        plan = _plans[conn] = _StatePlan(conn)
    return plan.fetch()


class _StatePlan:
    """The sync state query compiled for one connection (a thread's, in a threaded server)."""

    def __init__(self, conn: BaseDatabaseWrapper) -> None:
        query = _state_query().order_by("pk")[:1].query  # what first() runs
        compiler = query.get_compiler(connection=conn)
        self.sql, self.params = compiler.as_sql()
        self.db = conn.alias
        self.compiler = compiler
        self.converters = compiler.get_converters([col for col, _, _ in compiler.select])
        info = compiler.klass_info
        assert info is not None and info["model"] is SyncState
        fields = info["select_fields"]
        self.model_cols = (fields[0], fields[-1] + 1)
        self.attnames = [
            col.target.attname for col, _, _ in compiler.select[fields[0] : fields[-1] + 1]
        ]
        self.annotations = dict(compiler.annotation_col_map)

    def fetch(self) -> SyncState | None:
        with self.compiler.connection.cursor() as cursor:
            cursor.execute(self.sql, self.params)
            row = cursor.fetchone()
        if row is None:
            return None
        if self.converters:
            row = next(iter(self.compiler.apply_converters([row], self.converters)))
        start, end = self.model_cols
        state = SyncState.from_db(self.db, self.attnames, row[start:end])
        for name, pos in self.annotations.items():
            setattr(state, name, row[pos])
        return state


_plans: weakref.WeakKeyDictionary[BaseDatabaseWrapper, _StatePlan] = weakref.WeakKeyDictionary()


@cache
def _state_query() -> QuerySet[SyncState]:
    """Built once per process: its subqueries cost more to assemble than to run."""
    return _with_community_stamp(SyncState.objects.filter(pk=1))


def _with_community_stamp(states: QuerySet[SyncState]) -> QuerySet[SyncState]:
    """The sync state with the count and latest review of published community results, in
    the same query (community_n, community_latest): every page needs both for the digest."""
    from runlocal_web.api.models import Submission

    published = Submission.objects.filter(status__in=Submission.PUBLISHED).order_by()
    count = published.annotate(n=Func(F("id"), function="COUNT")).values("n")
    latest = published.annotate(
        at=Func(F("reviewed_at"), function="MAX", output_field=DateTimeField())
    ).values("at")
    return states.annotate(
        community_n=Subquery(count, output_field=IntegerField()),
        community_latest=Subquery(latest, output_field=DateTimeField()),
    )


def current_catalog() -> Catalog:
    """The synced catalog (empty before the first sync); one small query when unchanged."""
    return current()[1]


def current() -> tuple[str, Catalog]:
    """(digest, catalog): the digest names this exact content, for cache keys."""
    memo = request_memo.get()
    if memo is not None and "current" in memo:
        return memo["current"]  # type: ignore[no-any-return]
    found = _current()
    if memo is not None:
        memo["current"] = found
    return found


def _current() -> tuple[str, Catalog]:
    global _cache
    state = current_state()
    if state is None:
        return "", Catalog()
    digest = state.digest
    # Approved community results are part of what answers depend on: a new approval gives a
    # new digest, so cached answers refresh.
    digest = f"{digest}:{_community_stamp(state)}"
    cached = _cache
    if cached is not None and cached[0] == digest:
        return cached
    rows: dict[str, dict[str, Entry]] = {
        "models": {r.id: r for r in Model.objects.all()},
        "hardware": {r.id: r for r in Hardware.objects.all()},
    }
    entries: dict[str, dict[str, CoreEntry]] = {
        kind: {i: _entry(kind, r) for i, r in by_id.items()} for kind, by_id in rows.items()
    }
    entries["benchmarks"] = {r.id: _entry("benchmarks", r) for r in Benchmark.objects.all()}
    for r in Record.objects.all():
        entries.setdefault(r.kind, {})[r.slug] = _entry(r.kind, r, r.slug)
    catalog = DatabaseCatalog(entries, rows)
    entries["benchmarks"].update(_community_benchmarks(catalog))
    _cache = (digest, catalog)
    return _cache


def current_row(kind: str, entity_id: str) -> tuple[str, Catalog, Entry | None]:
    """(digest, catalog, the row of `entity_id`) for "models" or "hardware": the row as the
    catalog this request reads was loaded with (sync writes rows and digest together), so
    a detail page asks no query for it. None when the catalog has no such entry."""
    digest, catalog = current()
    return digest, catalog, _rows(catalog, kind).get(entity_id)


def current_rows(kind: str) -> dict[str, Entry]:
    """Every row of "models" or "hardware" in the catalog version this request reads, by id:
    what the lists filter and sort, with no query of their own."""
    return _rows(current()[1], kind)


def _rows(catalog: Catalog, kind: str) -> dict[str, Entry]:
    return catalog.rows.get(kind, {}) if isinstance(catalog, DatabaseCatalog) else {}


def _community_stamp(state: SyncState) -> str:
    n = getattr(state, "community_n", None) or 0
    latest = getattr(state, "community_latest", None)
    return f"{n}-{latest.isoformat() if latest else ''}"


def _community_benchmarks(catalog: Catalog) -> dict[str, CoreEntry]:
    """Approved and reproduced submissions as benchmark entries (one per hardware), so the
    engine's evidence lookup sees them, labelled `community`."""
    from runlocal_web.api.trust import community_measurements

    by_hardware: dict[str, list[dict[str, object]]] = {}
    for row in community_measurements(catalog):
        by_hardware.setdefault(str(row["hardware"]), []).append(row)
    out = {}
    for hw, rows in by_hardware.items():
        eid = f"community-{hw}"
        out[eid] = CoreEntry(
            kind="benchmarks",
            id=eid,
            name=f"Community results on {catalog.hardware[hw].name}",
            aliases=(),
            sources=(),
            last_verified=dt.date.today(),
            reviewed_by="runlocal editors (approved submissions)",
            data={"hardware": hw, "trust": "community", "results": rows},
            path=Path(f"community/{eid}"),
        )
    return out


def _entry(kind: str, row: Entry, entity_id: str | None = None) -> CoreEntry:
    return CoreEntry(
        kind=kind,
        id=entity_id or row.id,
        name=row.name,
        aliases=tuple(row.aliases),
        sources=tuple(row.sources),
        last_verified=row.last_verified,
        reviewed_by=row.reviewed_by,
        data=row.data,
        path=Path(row.source_file),
    )
