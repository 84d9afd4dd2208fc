"""GGUF header reader: the container, not the model. Magic, version, key/value metadata and
tensor infos are read without reading tensor data.

Large arrays that the engine does not need (the tokenizer's tokens, merges, scores, token
types) are skipped without decoding: string arrays by reading each length and stepping over
the bytes, numeric arrays by one seek. The header of an 8B model with a 128k-token vocabulary
parses in a few tens of milliseconds.

Split models (``name-00001-of-00003.gguf``) are read as one: every shard's header, checked
against the first. What the metadata means is `runlocal.gguf`'s business.
"""

from __future__ import annotations

import os
import re
import struct
from collections.abc import Container
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, NamedTuple

from .errors import ModelFileError, RunlocalError
from .quant import GGML_TYPES_BY_ID

__all__ = [
    "LOCAL_FILES",
    "FileAccess",
    "Header",
    "SkippedArray",
    "Tensor",
    "Value",
    "int_value",
    "read_all_shards",
    "split_name",
]

_MAGIC = b"GGUF"
_DEFAULT_ALIGNMENT = 32

# Sanity limits; anything beyond them is a damaged file, not a model.
_MAX_TENSORS = 1_000_000
_MAX_KV = 1_000_000
_MAX_DIMS = 4  # GGML_MAX_DIMS
_MAX_SHARDS = 4096
_SMALL_ARRAY = 1 << 16  # numeric arrays up to this length are decoded (per-layer values)
_FIRST_READ = 2 << 20
_MAX_READ = 32 << 20

# GGUF value types (gguf.constants.GGUFValueType).
_T_STRING = 8
_T_ARRAY = 9
_SCALAR_FORMATS: dict[int, str] = {
    0: "B",  # UINT8
    1: "b",  # INT8
    2: "H",  # UINT16
    3: "h",  # INT16
    4: "I",  # UINT32
    5: "i",  # INT32
    6: "f",  # FLOAT32
    7: "?",  # BOOL
    10: "Q",  # UINT64
    11: "q",  # INT64
    12: "d",  # FLOAT64
}
_SCALAR_SIZES: dict[int, int] = {t: struct.calcsize("<" + f) for t, f in _SCALAR_FORMATS.items()}

_SPLIT_NAME = re.compile(
    r"^(?P<prefix>.*)-(?P<no>\d{5})-of-(?P<count>\d{5})(?P<ext>\.gguf)$", re.IGNORECASE
)


class SkippedArray(NamedTuple):
    """An array the reader stepped over without decoding."""

    length: int
    elem_type: int


_Scalar = int | float | bool | str
Value = _Scalar | list[int] | list[float] | list[bool] | SkippedArray


@dataclass(frozen=True, slots=True)
class Tensor:
    name: str
    dims: tuple[int, ...]
    type_id: int
    offset: int
    n_elements: int
    n_bytes: int


@dataclass(frozen=True, slots=True)
class Header:
    path: Path
    kv: dict[str, Value]
    tensors: tuple[Tensor, ...]


# --------------------------------------------------------------------------------------------
# Low-level reading


class _Reader:
    """Reads a file through a window of bytes that moves forward and grows as needed."""

    def __init__(
        self,
        f: BinaryIO,
        size: int,
        where: str,
        first_read: int = _FIRST_READ,
        max_read: int = _MAX_READ,
    ) -> None:
        self._f = f
        self.size = size
        self.where = where
        self.buf = b""
        self.base = 0  # file offset of buf[0]
        self.pos = 0  # absolute file offset of the next read
        self._first = first_read
        self._max = max_read
        self._chunk = first_read
        self.end = "<"
        self._u32 = struct.Struct("<I")
        self._u64 = struct.Struct("<Q")

    def fail(self, problem: str) -> ModelFileError:
        return ModelFileError(f"{self.where}: {problem}")

    def set_big_endian(self) -> None:
        self.end = ">"
        self._u32 = struct.Struct(">I")
        self._u64 = struct.Struct(">Q")

    def _fill(self, start: int, end: int, *, streaming: bool = False) -> None:
        """Make the window cover [start, end) of the file.

        Reads while streaming over a long string array grow (doubling up to _MAX_READ);
        other reads stay at _FIRST_READ so little tensor data is read past the header.
        """
        if end > self.size:
            raise self.fail(
                f"truncated: the header needs byte {end:,} but the file has {self.size:,} bytes"
            )
        chunk = self._first
        if streaming:
            chunk = self._chunk
            self._chunk = min(self._chunk * 2, self._max)
        length = min(self.size - start, max(end - start, chunk))
        self._f.seek(start)
        parts: list[bytes] = []
        got = 0
        while got < length:
            part = self._f.read(length - got)
            if not part:
                break
            parts.append(part)
            got += len(part)
        if start + got < end:
            raise self.fail("truncated: the file ended while its header was being read")
        self.buf = b"".join(parts)
        self.base = start

    def _ensure(self, n: int) -> int:
        """Offset in buf of the next n bytes, loading them if needed."""
        rel = self.pos - self.base
        if rel < 0 or rel + n > len(self.buf):
            self._fill(self.pos, self.pos + n)
            rel = 0
        return rel

    def u32(self) -> int:
        rel = self._ensure(4)
        self.pos += 4
        value: int = self._u32.unpack_from(self.buf, rel)[0]
        return value

    def u64(self) -> int:
        rel = self._ensure(8)
        self.pos += 8
        value: int = self._u64.unpack_from(self.buf, rel)[0]
        return value

    def raw_string(self, what: str) -> bytes:
        n = self.u64()
        if n > self.size - self.pos:
            raise self.fail(f"{what}: string of {n:,} bytes runs past the end of the file")
        rel = self._ensure(n)
        self.pos += n
        return self.buf[rel : rel + n]

    def scalar(self, vtype: int) -> _Scalar:
        fmt = _SCALAR_FORMATS[vtype]
        size = _SCALAR_SIZES[vtype]
        rel = self._ensure(size)
        self.pos += size
        value: _Scalar = struct.unpack_from(self.end + fmt, self.buf, rel)[0]
        return value

    def scalars(self, vtype: int, count: int) -> list[int] | list[float] | list[bool]:
        size = _SCALAR_SIZES[vtype] * count
        rel = self._ensure(size)
        self.pos += size
        return list(struct.unpack_from(f"{self.end}{count}{_SCALAR_FORMATS[vtype]}", self.buf, rel))

    def skip(self, n: int, what: str) -> None:
        if n > self.size - self.pos:
            raise self.fail(f"{what}: {n:,} bytes run past the end of the file")
        self.pos += n

    def skip_strings(self, count: int, what: str) -> None:
        """Step over count length-prefixed strings without decoding them."""
        unpack = self._u64.unpack_from
        buf = self.buf
        rel = self.pos - self.base
        done = 0
        while True:
            try:
                for idx in range(done, count):  # noqa: B007 (read in the except clause)
                    rel += 8 + unpack(buf, rel)[0]
                break
            except (struct.error, OverflowError):
                done = idx
                at = self.base + rel
                if at + 8 > self.size:
                    raise self.fail(
                        f"{what}: string {done:,} of {count:,} runs past the end of the file"
                    ) from None
                self._fill(at, at + 8, streaming=True)
                buf = self.buf
                rel = 0
        self.pos = self.base + rel
        if self.pos > self.size:
            raise self.fail(f"{what}: the last string runs past the end of the file")


def _read_value(r: _Reader, vtype: int, key: str) -> Value:
    if vtype in _SCALAR_FORMATS:
        return r.scalar(vtype)
    if vtype == _T_STRING:
        return r.raw_string(key).decode("utf-8", errors="replace")
    if vtype != _T_ARRAY:
        raise r.fail(f"{key}: unknown value type {vtype}")
    elem = r.u32()
    count = r.u64()
    remaining = r.size - r.pos
    if elem == _T_STRING:
        if count > remaining // 8:
            raise r.fail(f"{key}: array of {count:,} strings runs past the end of the file")
        r.skip_strings(count, key)
        return SkippedArray(count, elem)
    if elem == _T_ARRAY:
        raise r.fail(f"{key}: nested arrays are not supported")
    size = _SCALAR_SIZES.get(elem)
    if size is None:
        raise r.fail(f"{key}: unknown array element type {elem}")
    if count > remaining // size:
        raise r.fail(f"{key}: array of {count:,} values runs past the end of the file")
    if count <= _SMALL_ARRAY and not key.startswith("tokenizer."):
        return r.scalars(elem, count)
    r.skip(count * size, key)
    return SkippedArray(count, elem)


class FileAccess:
    """How the reader reaches a GGUF file and its sibling shards: the local file system here;
    runlocal.remote reaches them by HTTP range requests with the same parser."""

    first_read = _FIRST_READ
    max_read = _MAX_READ

    def open(self, path: Path) -> tuple[BinaryIO, int]:
        """An open binary stream and the file's size in bytes. Raises OSError."""
        f = open(path, "rb", buffering=0)  # noqa: SIM115 (closed by the caller)
        try:
            return f, os.fstat(f.fileno()).st_size
        except BaseException:
            f.close()
            raise

    def is_file(self, path: Path) -> bool:
        return path.is_file()


LOCAL_FILES = FileAccess()


def _read_header(path: Path, files: FileAccess = LOCAL_FILES) -> Header:
    where = str(path)
    try:
        f, size = files.open(path)
        with f:
            r = _Reader(f, size, where, files.first_read, files.max_read)
            return _parse_header(r, path)
    except RunlocalError:
        raise
    except FileNotFoundError:
        raise ModelFileError(f"{where}: no such file") from None
    except IsADirectoryError:
        raise ModelFileError(f"{where}: is a directory, not a GGUF file") from None
    except (OSError, struct.error, OverflowError, ValueError, MemoryError) as exc:
        raise ModelFileError(f"{where}: cannot read GGUF header: {exc}") from None


def _unique_name(r: _Reader, what: str, kind: str, seen: Container[str]) -> str:
    """The next string of the header, read as ``what``: valid UTF-8, not already in ``seen``
    (a duplicate is reported as a duplicate ``kind``)."""
    raw = r.raw_string(what)
    try:
        name = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise r.fail(f"{what} {raw[:40]!r} is not valid UTF-8") from None
    if name in seen:
        raise r.fail(f"duplicate {kind} {name!r}")
    return name


def _parse_header(r: _Reader, path: Path) -> Header:
    if r.size < 4:
        raise r.fail("not a GGUF file (too short)")
    rel = r._ensure(4)
    magic = r.buf[rel : rel + 4]
    r.pos = 4
    if magic != _MAGIC:
        raise r.fail(f"not a GGUF file (magic {magic!r}, expected b'GGUF')")
    version = r.u32()
    if version & 0xFFFF == 0 and version != 0:
        # Written on a big-endian machine: every number is byte-swapped.
        r.set_big_endian()
        version = int.from_bytes(version.to_bytes(4, "little"), "big")
    if version == 1:
        raise r.fail("GGUF version 1 is not supported (re-convert the model)")
    if version not in (2, 3):
        raise r.fail(f"unknown GGUF version {version}")
    n_tensors = r.u64()
    n_kv = r.u64()
    if n_tensors > _MAX_TENSORS:
        raise r.fail(f"implausible tensor count {n_tensors:,}")
    if n_kv > _MAX_KV:
        raise r.fail(f"implausible metadata count {n_kv:,}")
    if n_tensors * 24 + n_kv * 12 > r.size - r.pos:
        raise r.fail(
            f"truncated: {n_kv:,} metadata entries and {n_tensors:,} tensor infos cannot fit "
            f"in a file of {r.size:,} bytes"
        )

    kv: dict[str, Value] = {}
    for _ in range(n_kv):
        key = _unique_name(r, "metadata key", "metadata key", kv)
        kv[key] = _read_value(r, r.u32(), key)

    alignment = kv.get("general.alignment", _DEFAULT_ALIGNMENT)
    if (
        not isinstance(alignment, int)
        or isinstance(alignment, bool)
        or alignment <= 0
        or alignment & (alignment - 1)
        or alignment > 1 << 20
    ):
        raise r.fail(f"general.alignment: {alignment!r} is not a power of two")

    infos: list[tuple[str, tuple[int, ...], int, int]] = []
    names: set[str] = set()
    for _ in range(n_tensors):
        name = _unique_name(r, "tensor name", "tensor", names)
        names.add(name)
        n_dims = r.u32()
        if n_dims > _MAX_DIMS:
            raise r.fail(f"tensor {name!r} has {n_dims} dimensions (at most {_MAX_DIMS})")
        dims = tuple(r.u64() for _ in range(n_dims))
        type_id = r.u32()
        offset = r.u64()
        infos.append((name, dims, type_id, offset))

    # The data section starts at the next multiple of the alignment; each tensor follows the
    # previous one padded to the alignment (gguf.cpp rejects any other layout).
    data_start = -(-r.pos // alignment) * alignment
    tensors: list[Tensor] = []
    expected = 0
    for name, dims, type_id, offset in infos:
        gtype = GGML_TYPES_BY_ID.get(type_id)
        if gtype is None:
            raise r.fail(f"tensor {name!r} has unknown ggml type {type_id}")
        n_elements = 1
        for d in dims:
            n_elements *= d
        if n_elements >= 1 << 63:
            raise r.fail(f"tensor {name!r} has an implausible shape {list(dims)}")
        ne0 = dims[0] if dims else 1
        if ne0 % gtype.block_size:
            raise r.fail(
                f"tensor {name!r}: row of {ne0} is not a multiple of {gtype.name}'s block "
                f"of {gtype.block_size}"
            )
        n_bytes = n_elements // gtype.block_size * gtype.type_size
        if offset != expected:
            raise r.fail(f"tensor {name!r} has data offset {offset:,}, expected {expected:,}")
        expected = offset + -(-n_bytes // alignment) * alignment
        if data_start + offset + n_bytes > r.size:
            raise r.fail(
                f"tensor {name!r} ends at byte {data_start + offset + n_bytes:,}, past the end "
                f"of the file ({r.size:,} bytes): truncated download?"
            )
        tensors.append(Tensor(name, dims, type_id, offset, n_elements, n_bytes))
    return Header(path, kv, tuple(tensors))


# --------------------------------------------------------------------------------------------
# Split models


def split_name(name: str) -> tuple[str, int, int] | None:
    """(prefix, shard number from 1, shard count) of a name like x-00001-of-00003.gguf."""
    m = _SPLIT_NAME.match(name)
    if m is None:
        return None
    return m["prefix"], int(m["no"]), int(m["count"])


def int_value(value: Value | None) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def read_all_shards(path: Path, files: FileAccess = LOCAL_FILES) -> list[Header]:
    first = _read_header(path, files)
    count = int_value(first.kv.get("split.count"))
    if count is None or count <= 1:
        return [first]
    where = str(path)
    if count > _MAX_SHARDS:
        raise ModelFileError(f"{where}: split.count: implausible shard count {count:,}")
    no = int_value(first.kv.get("split.no"))
    if no is None or not 0 <= no < count:
        raise ModelFileError(f"{where}: split.no: {no!r} is not a shard index below {count}")
    m = _SPLIT_NAME.match(path.name)
    if m is None:
        raise ModelFileError(
            f"{where}: shard {no + 1} of {count}, but the file name does not end in "
            "-NNNNN-of-NNNNN.gguf, so the other shards cannot be found"
        )
    headers: list[Header] = []
    for i in range(count):
        shard = path.with_name(f"{m['prefix']}-{i + 1:05d}-of-{count:05d}{m['ext']}")
        if i == no:
            header = first
        else:
            if not files.is_file(shard):
                raise ModelFileError(f"{where}: shard {i + 1} of {count} is missing: {shard}")
            header = _read_header(shard, files)
        if (
            int_value(header.kv.get("split.no")) != i
            or int_value(header.kv.get("split.count")) != count
        ):
            raise ModelFileError(f"{shard}: its split.no/split.count do not match shard {i + 1}")
        headers.append(header)
    total = int_value(headers[0].kv.get("split.tensors.count"))
    n_found = sum(len(h.tensors) for h in headers)
    if total is not None and total != n_found:
        raise ModelFileError(
            f"{where}: split.tensors.count says {total:,} tensors, the shards hold {n_found:,}"
        )
    return headers
