"""A small disk cache of what was fetched: listings, configs, indexes, manifests and the
header bytes of model files (never tensor data), each with the ETag it was served with.

An entry holds byte segments of one remote object ([start, bytes] pieces; a whole document
is one segment at 0). Files live under the runlocal cache dir (RUNLOCAL_CACHE_DIR,
XDG_CACHE_HOME/runlocal); RUNLOCAL_CACHE_DIR="" turns the cache off.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

# Nothing bigger is ever stored: a header past this is refused before it is cached.
MAX_ENTRY_BYTES = 256 << 20


def cache_root() -> Path | None:
    override = os.environ.get("RUNLOCAL_CACHE_DIR")
    if override == "":
        return None
    if override:
        return Path(override) / "remote"
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "runlocal" / "remote"


@dataclass
class Entry:
    key: str
    etag: str | None = None
    size: int | None = None  # the whole remote object's size, when known
    segments: dict[int, bytes] = field(default_factory=dict)

    def whole(self) -> bytes | None:
        """The object's bytes when one segment from 0 holds all of it."""
        body = self.segments.get(0)
        if body is None or (self.size is not None and len(body) != self.size):
            return None
        return body

    def add(self, start: int, data: bytes) -> None:
        """Merge a fetched piece with the pieces it touches."""
        merged_start, merged = start, data
        for s in sorted(self.segments):
            piece = self.segments[s]
            e = s + len(piece)
            if e < merged_start or s > merged_start + len(merged):
                continue
            lo = min(s, merged_start)
            hi = max(e, merged_start + len(merged))
            buf = bytearray(hi - lo)
            buf[s - lo : e - lo] = piece
            buf[merged_start - lo : merged_start - lo + len(merged)] = merged
            del self.segments[s]
            merged_start, merged = lo, bytes(buf)
        self.segments[merged_start] = merged

    def read(self, start: int, end: int) -> bytes | None:
        """Bytes [start, end) when one segment covers them."""
        for s, piece in self.segments.items():
            if s <= start and end <= s + len(piece):
                return piece[start - s : end - s]
        return None

    @property
    def n_bytes(self) -> int:
        return sum(len(p) for p in self.segments.values())


def _paths(key: str) -> tuple[Path, Path] | None:
    root = cache_root()
    if root is None:
        return None
    h = hashlib.sha256(key.encode()).hexdigest()[:40]
    return root / f"{h}.json", root / f"{h}.bin"


def load(key: str) -> Entry | None:
    paths = _paths(key)
    if paths is None:
        return None
    meta_path, bin_path = paths
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        blob = bin_path.read_bytes()
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or meta.get("key") != key:
        return None
    entry = Entry(key, meta.get("etag"), meta.get("size"))
    at = 0
    try:
        for start, length in meta["segments"]:
            entry.segments[int(start)] = blob[at : at + int(length)]
            at += int(length)
    except (KeyError, TypeError, ValueError):
        return None
    if at != len(blob):
        return None  # a torn write: ignore it, it is refetched
    return entry


def store(entry: Entry) -> None:
    """Write an entry atomically; a cache that cannot be written is skipped, not an error."""
    paths = _paths(entry.key)
    if paths is None or entry.n_bytes > MAX_ENTRY_BYTES:
        return
    meta_path, bin_path = paths
    order = sorted(entry.segments)
    meta = {
        "key": entry.key,
        "etag": entry.etag,
        "size": entry.size,
        "segments": [[s, len(entry.segments[s])] for s in order],
    }
    try:
        meta_path.parent.mkdir(parents=True, exist_ok=True)
        for path, data in (
            (bin_path, b"".join(entry.segments[s] for s in order)),
            (meta_path, json.dumps(meta).encode()),
        ):
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                os.replace(tmp, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
    except OSError:
        return
