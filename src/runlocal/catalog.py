"""The curated catalog: TOML files, one per entity, loaded and validated with the stdlib."""

from __future__ import annotations

import datetime as dt
import functools
import os
import pickle
import re
import zlib
from collections.abc import Callable, ItemsView, Iterable, Iterator, Mapping, ValuesView
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, TypeVar, cast

from .errors import CatalogError, InputError, RunlocalError, UnknownNameError

CATALOG_DIR = Path(__file__).with_name("catalog")
KINDS = (
    "models",
    "hardware",
    "benchmarks",
    "runtimes",
    "prices",
    "glossary",
    "errors",
    "guides",
    "learn",
    "kits",
    "answers",
    "pages",
    "quants",
)
T = TypeVar("T")
# Patterns as text where only parsing the files uses them: re compiles (and caches) them on
# first use, which a cold check served from the parse cache never makes.
_ID = r"^[a-z0-9][a-z0-9.+-]*$"
_URL = r"^https?://[^\s/$.?#].[^\s]*$"


def normalize(name: str) -> str:
    """Lowercase, punctuation to spaces: 'RTX-4090 (24GB)' → 'rtx 4090 24gb'."""
    return " ".join(re.sub(r"[^a-z0-9.+]+", " ", name.lower()).replace(".", " ").split())


@dataclass(frozen=True, eq=False)  # identity hash: entries key per-model caches
class Entry:
    """One catalog record: a TOML file's common fields, and all of it in ``data``."""

    kind: str
    id: str
    name: str
    aliases: tuple[str, ...]
    sources: tuple[str, ...]
    last_verified: dt.date
    reviewed_by: str
    data: Mapping[str, Any]
    path: Path

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def to_dict(self) -> dict[str, Any]:
        out = {k: _jsonable(v) for k, v in self.data.items()}
        out["id"] = self.id
        out["name"] = self.name
        out["sources"] = list(self.sources)
        return out


def catalog_date(value: Any) -> dt.date | None:
    """A date field of an entry: a TOML date, or the ISO text the website's database stores
    it as (runlocal_web.catalogdb.sync.jsonable), so the engine reads the same catalog from
    files and from the database; None for anything else (a datetime, a malformed string)."""
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


@dataclass(eq=False)  # identity hash: indexes over a loaded catalog are cached per object
class Catalog:
    """The catalog's entries by kind. Loaded from ``root`` one kind at a time, on first use,
    so `runlocal check` reads models, hardware and benchmarks but not the glossary."""

    root: Path | None = None
    _entries: dict[str, Mapping[str, Entry]] = field(default_factory=dict, repr=False)
    _index: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)
    _found: dict[str, dict[str, Entry]] = field(default_factory=dict, repr=False)
    # Per kind: its files and their stamp, taken once with the kind's entries, so that what
    # is derived from them is keyed by exactly the files that were read.
    _files: dict[str, _Files] = field(default_factory=dict, repr=False)

    def entries(self, kind: str) -> Mapping[str, Entry]:
        if kind not in KINDS:
            raise KeyError(kind)
        if kind not in self._entries:
            files = self._files_of(kind)
            if files is not None:
                self._entries[kind] = _load_kind_cached(kind, files)
            else:
                self._entries[kind] = {}
        return self._entries[kind]

    def _files_of(self, kind: str) -> _Files | None:
        """A kind's TOML files and their stamp (None: not read from a folder)."""
        if kind not in self._files:
            folder = self.root / kind if self.root is not None else None
            if folder is None or not folder.is_dir():
                return None
            self._files[kind] = _listing(folder)
        return self._files[kind]

    def load_all(self) -> Catalog:
        for kind in KINDS:
            self.entries(kind)
        return self

    @property
    def models(self) -> Mapping[str, Entry]:
        return self.entries("models")

    @property
    def hardware(self) -> Mapping[str, Entry]:
        return self.entries("hardware")

    @property
    def benchmarks(self) -> Mapping[str, Entry]:
        return self.entries("benchmarks")

    @property
    def runtimes(self) -> Mapping[str, Entry]:
        return self.entries("runtimes")

    @property
    def prices(self) -> Mapping[str, Entry]:
        return self.entries("prices")

    @property
    def glossary(self) -> Mapping[str, Entry]:
        return self.entries("glossary")

    @property
    def errors(self) -> Mapping[str, Entry]:
        return self.entries("errors")

    @property
    def quants(self) -> Mapping[str, Entry]:
        return self.entries("quants")

    def _names(self, kind: str) -> dict[str, str]:
        """normalized name → id, for every id, name and alias."""
        if kind not in self._index:
            index: dict[str, str] = {}
            for entry in self.entries(kind).values():
                for key in (entry.id, entry.name, *entry.aliases):
                    index.setdefault(normalize(key), entry.id)
            self._index[kind] = index
        return self._index[kind]

    def find(self, kind: str, name: str) -> Entry:
        """Resolve a name as a person types it; raises UnknownNameError with suggestions."""
        cache = self._found.setdefault(kind, {})
        if name not in cache:
            if len(cache) > 4096:
                cache.clear()
            cache[name] = self._find(kind, name)
        return cache[name]

    def _find(self, kind: str, name: str) -> Entry:
        if kind == "hardware":
            from .resolve.ids import read_hardware

            parts = read_hardware(self, name)
            if len(parts) != 1:
                raise InputError(f"{name!r} names {len(parts)} devices; one was expected")
            return parts[0].entry
        if kind == "models":
            from .resolve.ids import read_model

            return read_model(self, name).entry
        entries = self.entries(kind)
        label = {"models": "model", "hardware": "hardware", "glossary": "glossary term"}.get(
            kind, kind.rstrip("s")
        )
        if name in entries:
            return entries[name]
        index = self._names(kind)
        key = normalize(name)
        if key in index:
            return entries[index[key]]
        tokens = set(key.split())
        if tokens:
            hits = {eid for alias, eid in index.items() if tokens <= set(alias.split())}
            if len(hits) == 1:
                return entries[hits.pop()]
            if hits:
                raise UnknownNameError(label, name, sorted(entries[h].name for h in hits)[:5])
        import difflib  # only for an unknown name's suggestions

        close = difflib.get_close_matches(key, list(index), n=8, cutoff=0.5)
        seen: list[str] = []
        for alias in close:
            shown = entries[index[alias]].name
            if shown not in seen:
                seen.append(shown)
        raise UnknownNameError(label, name, seen[:5])

    def find_model(self, name: str) -> Entry:
        return self.find("models", name)

    def find_hardware(self, name: str) -> Entry:
        return self.find("hardware", name)


REQUIRED_COMMON = ("schema_version", "id", "name", "sources", "last_verified", "reviewed_by")


def _load_file(kind: str, path: Path) -> Entry:
    import tomllib  # only on a parse-cache miss: it costs a cold start ~9 ms to import

    rel = f"{kind}/{path.name}"
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(rel, "(file)", f"not valid TOML: {exc}") from None
    for key in REQUIRED_COMMON:
        if key not in data:
            raise CatalogError(rel, key, "missing")
    if data["schema_version"] != 1:
        raise CatalogError(rel, "schema_version", f"unsupported version {data['schema_version']!r}")
    if data["id"] != path.stem or not re.match(_ID, str(data["id"])):
        raise CatalogError(rel, "id", f"{data['id']!r} must equal the file name and be a slug")
    if not isinstance(data["name"], str) or not data["name"].strip():
        raise CatalogError(rel, "name", "must be a non-empty string")
    sources = data["sources"]
    if not isinstance(sources, list) or not sources:
        raise CatalogError(rel, "sources", "must be a non-empty list of URLs")
    for url in sources:
        if not isinstance(url, str) or not re.match(_URL, url):
            raise CatalogError(rel, "sources", f"{url!r} is not a URL")
    verified = data["last_verified"]
    if not isinstance(verified, dt.date) or isinstance(verified, dt.datetime):
        raise CatalogError(rel, "last_verified", "must be a TOML date (YYYY-MM-DD)")
    aliases = data.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise CatalogError(rel, "aliases", "must be a list of strings")
    return Entry(
        kind=kind,
        id=data["id"],
        name=data["name"],
        aliases=tuple(aliases),
        sources=tuple(sources),
        last_verified=verified,
        reviewed_by=str(data["reviewed_by"]),
        data=data,
        path=path,
    )


def _cache_dir() -> Path | None:
    from .startup import cache_dir

    folder = cache_dir()
    return Path(folder) if folder is not None else None


class _Files(NamedTuple):
    """A kind's TOML files (names in order, in ``folder``) and their stamp: the folder and
    every file's name, size and modification time."""

    folder: Path
    names: list[str]
    stamp: str


def _listing(folder: Path) -> _Files:
    # One directory scan and no path objects: a cold `runlocal check` stamps four kinds of
    # up to ~270 files each.
    with os.scandir(folder) as it:
        found = sorted((e.name, e.stat()) for e in it if e.name.endswith(".toml"))
    stamp = "\n".join(
        [str(folder.resolve()), *(f"{n}\0{st.st_size}\0{st.st_mtime_ns}" for n, st in found)]
    )
    return _Files(folder, [name for name, _ in found], stamp)


def code_stamp(*paths: str) -> str:
    """Source files as a derived cache is keyed by them: each file's path, size and
    modification time, what Python checks before it reuses a module's compiled code."""
    stamps = []
    for path in paths:
        st = os.stat(path)
        stamps.append(f"{path}\0{st.st_size}\0{st.st_mtime_ns}")
    return "\n".join(stamps)


def derived_cached(
    catalog: Catalog, kinds: str | tuple[str, ...], name: str, code: str, build: Callable[[], T]
) -> T:
    """Something derived from some kinds' files (the name resolver's indexes, the fitted
    quality model), pickled beside the parse cache and kept for exactly those files and
    ``code`` (code_stamp of the source that derives it). A catalog not read from a folder, or
    RUNLOCAL_CACHE_DIR="", builds it."""
    cache_dir = _cache_dir()
    if cache_dir is None:
        return build()
    kinds = (kinds,) if isinstance(kinds, str) else kinds
    stamps = [code]
    for kind in kinds:
        files = catalog._files_of(kind)
        if files is None:
            return build()
        stamps.append(files.stamp)
    return _through_pickle(cache_dir, f"{'-'.join(kinds)}-{name}", "\n\n".join(stamps), build)


def _through_pickle(cache_dir: Path, name: str, stamp: str, build: Callable[[], T]) -> T:
    """What ``build`` returns, read from the cache when it was written for exactly ``stamp``,
    else built and written (atomically; a read-only home is fine: it is built every time).

    The file holds the stamp, then the value: it is named by a checksum of the stamp, and the
    stamp in the file decides (a checksum shared by two stamps only costs a rebuild). Checking
    is cheaper than a cryptographic hash, whose module (OpenSSL) alone costs a cold
    `runlocal check` ~3 ms to load."""
    cache_file = cache_dir / f"{name}-{zlib.crc32(stamp.encode()):08x}.pickle"
    try:
        with cache_file.open("rb") as f:
            if pickle.load(f) == stamp:
                return cast(T, pickle.load(f))
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, ImportError):
        pass
    value = build()
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = cache_file.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as f:
            pickle.dump(stamp, f, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(cache_file)
    except OSError:
        pass
    return value


K = TypeVar("K")
V = TypeVar("V")


class PickledEach(Mapping[K, V]):
    """A mapping cached as one pickle per value (pickled_each), each unpickled when first read.

    A cold `runlocal check` reads one model and one device of a few hundred each, and the
    measurements of one model; unpickling all of them cost it more than answering. A value is
    read once and then kept, so it is the same object on every read (entries key per-model
    caches by identity); iterating reads them all, in the original order."""

    __slots__ = ("_pickled", "_read")

    def __init__(self, pickled: dict[K, bytes], read: dict[K, V] | None = None) -> None:
        self._pickled = pickled
        self._read: dict[K, V] = read if read is not None else {}

    def __getitem__(self, key: K) -> V:
        try:
            return self._read[key]
        except KeyError:
            value: V = pickle.loads(self._pickled[key])
            # setdefault: two threads reading one value first keep the same object
            return self._read.setdefault(key, value)

    def get(self, key: K, default: Any = None) -> Any:
        return self[key] if key in self._pickled else default

    def __contains__(self, key: object) -> bool:
        return key in self._pickled

    def __len__(self) -> int:
        return len(self._pickled)

    def __iter__(self) -> Iterator[K]:
        return iter(self._pickled)

    def values(self) -> ValuesView[V]:
        return self._every().values()

    def items(self) -> ItemsView[K, V]:
        return self._every().items()

    def _every(self) -> dict[K, V]:
        if len(self._read) < len(self._pickled):
            self._read = {key: self[key] for key in self._pickled}
        return self._read

    def __reduce__(self) -> tuple[Any, ...]:
        return (PickledEach, (self._pickled,))


def pickled_each(values: Mapping[K, Any]) -> dict[K, bytes]:
    """What PickledEach reads: each value pickled on its own, in order."""
    return {key: pickle.dumps(v, protocol=pickle.HIGHEST_PROTOCOL) for key, v in values.items()}


def _load_kind_cached(kind: str, files: _Files) -> Mapping[str, Entry]:
    """Parse a kind's TOML files, or reuse the parse cached for exactly these files.

    Parsing ~400 files costs most of a cold `runlocal check`; the cache is keyed by every
    file's name, size and modification time (its stamp), so an edited file is always re-read.
    Each entry is pickled on its own, so that a question reads only the entries it needs
    (PickledEach). RUNLOCAL_CACHE_DIR="" turns it off.
    """

    def parse() -> dict[str, Entry]:
        loaded: dict[str, Entry] = {}
        for name in files.names:
            entry = _load_file(kind, files.folder / name)
            loaded[entry.id] = entry
        return loaded

    cache_dir = _cache_dir()
    if cache_dir is None:
        return parse()
    parsed: dict[str, Entry] = {}

    def each_pickled() -> dict[str, bytes]:
        parsed.update(parse())
        return pickled_each(parsed)

    pickled = _through_pickle(cache_dir, f"{kind}-entries", files.stamp, each_pickled)
    return PickledEach(pickled, parsed or None)


def catalog_root() -> Path:
    """The catalog folder: $RUNLOCAL_CATALOG_DIR when set (tests, forks), else the packaged one."""
    override = os.environ.get("RUNLOCAL_CATALOG_DIR")
    return Path(override) if override else CATALOG_DIR


def load_catalog(root: Path | None = None) -> Catalog:
    """The catalog at ``root`` (default: catalog_root()). Kinds load on first use; a bad file
    raises CatalogError naming the file and field."""
    return _load_catalog_cached(Path(root) if root else catalog_root())


@functools.cache
def _load_catalog_cached(root: Path) -> Catalog:
    return Catalog(root=root)


def iter_errors(root: Path | None = None) -> Iterable[RunlocalError]:
    """Every problem in the catalog, for `runlocal catalog check` (full validation)."""
    from .validate import validate_catalog  # the slower plausibility checks

    base = root or catalog_root()
    catalog = Catalog()
    for kind in KINDS:
        folder = base / kind
        loaded: dict[str, Entry] = {}
        for path in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
            try:
                entry = _load_file(kind, path)
            except CatalogError as exc:
                yield exc
                continue
            loaded[entry.id] = entry
        catalog._entries[kind] = loaded
    yield from validate_catalog(catalog)
