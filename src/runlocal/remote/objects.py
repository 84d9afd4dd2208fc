"""Remote files read by byte ranges through the disk cache, and documents revalidated by ETag.

A file whose key names its content (a Hub LFS sha256 or git blob id from the listing, an
Ollama blob digest) never changes, so its cached header bytes are used without a request.
Documents that can change (a repo's listing, an Ollama manifest) are revalidated with
If-None-Match; with HF_HUB_OFFLINE set they are answered from the cache alone.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import BinaryIO, cast

from ..errors import RemoteError, RemoteUnavailableError
from ..gguf_header import FileAccess
from . import cache, transport


def fetch_document(
    url: str,
    key: str,
    *,
    what: str,
    headers: Mapping[str, str] | None = None,
    hub: bool = False,
    immutable: bool = False,
    limit: int = transport.MAX_DOCUMENT_BYTES,
) -> bytes:
    """A whole small document (listing, config, index, manifest), cached."""
    entry = cache.load(key)
    cached = entry.whole() if entry is not None else None
    if cached is not None and (immutable or transport.offline()):
        return cached
    if transport.offline():
        raise RemoteUnavailableError(f"{what}: not in the cache and HF_HUB_OFFLINE is set")
    reply = transport.get(
        url,
        what=what,
        headers=headers,
        hub=hub,
        limit=limit,
        etag=entry.etag if entry is not None and cached is not None else None,
    )
    if reply.status == 304 and cached is not None:
        return cached
    if reply.status == 304:
        raise RemoteError(f"{what}: the server answered 304 to a request without a cached copy")
    body = reply.body
    fresh = cache.Entry(key, reply.etag, len(body))
    fresh.segments[0] = body
    if reply.etag or immutable:
        cache.store(fresh)
    return body


class RemoteObject:
    """One remote file read in byte ranges; the pieces read are kept in the cache."""

    def __init__(
        self,
        url: str,
        key: str,
        *,
        what: str,
        size: int | None = None,
        headers: Mapping[str, str] | None = None,
        hub: bool = False,
    ) -> None:
        self.url = url
        self.what = what
        self.headers = dict(headers or {})
        self.hub = hub
        self.entry = cache.load(key) or cache.Entry(key, None, size)
        if size is not None:
            self.entry.size = size
        self._dirty = False

    @property
    def size(self) -> int:
        if self.entry.size is None:
            self.read(0, 8)  # learns the size from Content-Range
        assert self.entry.size is not None
        return self.entry.size

    def read(self, start: int, end: int) -> bytes:
        """Bytes [start, end), clipped to the file's end."""
        if self.entry.size is not None:
            end = min(end, self.entry.size)
        if end <= start:
            return b""
        hit = self.entry.read(start, end)
        if hit is not None:
            return hit
        if transport.offline():
            raise RemoteUnavailableError(
                f"{self.what}: its header is not in the cache and HF_HUB_OFFLINE is set"
            )
        reply = transport.get(
            self.url,
            what=self.what,
            headers=self.headers,
            byte_range=(start, end),
            hub=self.hub,
        )
        if reply.status == 304:
            raise RemoteError(f"{self.what}: the server answered 304 to a range request")
        if reply.url:
            # The Hub redirects LFS files to a CDN; later ranges go there directly.
            self.url = reply.url
        if self.entry.size is None:
            if reply.total_size is None:
                raise RemoteError(f"{self.what}: the server does not say how large the file is")
            self.entry.size = reply.total_size
            end = min(end, reply.total_size)
        if len(reply.body) < end - start:
            raise RemoteError(
                f"{self.what}: the server sent {len(reply.body):,} bytes for a range of "
                f"{end - start:,}"
            )
        self.entry.add(start, reply.body)
        self._dirty = True
        return reply.body

    def save(self) -> None:
        if self._dirty:
            cache.store(self.entry)
            self._dirty = False


class _RangeStream(io.RawIOBase):
    """A read-only seekable stream over a RemoteObject (what the GGUF reader expects)."""

    def __init__(self, obj: RemoteObject) -> None:
        self._obj = obj
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._obj.size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def read(self, size: int = -1) -> bytes:
        end = self._obj.size if size < 0 else self._pos + size
        data = self._obj.read(self._pos, end)
        self._pos += len(data)
        return data

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)


class RemoteFiles(FileAccess):
    """GGUF files (and their shards) named by paths that map to remote objects, each made
    the first time the reader opens it."""

    # Growing range requests: the first covers most headers; a long vocabulary doubles the
    # step up to 4 MiB so the bytes read past the header's end stay small.
    first_read = 1 << 20
    max_read = 4 << 20

    def __init__(self, objects: Mapping[Path, Callable[[], RemoteObject]]) -> None:
        self._make = dict(objects)
        self.opened: dict[Path, RemoteObject] = {}

    def open(self, path: Path) -> tuple[BinaryIO, int]:
        obj = self.opened.get(path)
        if obj is None:
            make = self._make.get(path)
            if make is None:
                raise FileNotFoundError(str(path))
            obj = self.opened[path] = make()
        return cast(BinaryIO, _RangeStream(obj)), obj.size

    def is_file(self, path: Path) -> bool:
        return path in self._make

    def save(self) -> None:
        for obj in self.opened.values():
            obj.save()
