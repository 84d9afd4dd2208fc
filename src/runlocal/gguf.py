"""GGUF header reader: architecture facts and exact weight bytes without reading tensor data.

Only the header is read (magic, version, key/value metadata, tensor infos). Large arrays that
the engine does not need (the tokenizer's tokens, merges, scores, token types) are skipped
without decoding: string arrays by reading each length and stepping over the bytes, numeric
arrays by one seek. The header of an 8B model with a 128k-token vocabulary parses in a few
tens of milliseconds.

The metadata is mapped to a ModelSpec the way llama.cpp's ``llama_model::load_hparams`` reads
it (``src/llama-model.cpp``, ``src/llama-hparams.cpp``, ``ggml/src/gguf.cpp``): per-layer head
counts, sliding-window patterns (``set_swa_pattern``), MLA, recurrent state sizes
(``n_embd_r``/``n_embd_s``), shared-KV and multi-token-prediction layers.

Split models (``name-00001-of-00003.gguf``) are read as one: the metadata comes from the
first shard and the tensors from all of them.
"""

from __future__ import annotations

import os
import re
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, NamedTuple

from .errors import ModelFileError, RunlocalError, UnsupportedArchitectureError
from .quant import GGML_TYPES_BY_ID
from .spec import LayerKind, LayerSpec, MLASpec, ModelSpec, WeightInventory

__all__ = ["FileAccess", "read_gguf", "split_name"]

_MAGIC = b"GGUF"
_DEFAULT_ALIGNMENT = 32

# Sanity limits; anything beyond them is a damaged file, not a model.
_MAX_TENSORS = 1_000_000
_MAX_KV = 1_000_000
_MAX_DIMS = 4  # GGML_MAX_DIMS
_MAX_LAYERS = 10_000
_MAX_SHARDS = 4096
_MAX_INT_PARAM = 1 << 40  # head counts, lengths and windows are uint32 in llama.cpp
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

# general.file_type (gguf.constants.LlamaFileType) → the name quantizers print.
_FILE_TYPES: dict[int, str] = {
    0: "F32",
    1: "F16",
    2: "Q4_0",
    3: "Q4_1",
    7: "Q8_0",
    8: "Q5_0",
    9: "Q5_1",
    10: "Q2_K",
    11: "Q3_K_S",
    12: "Q3_K_M",
    13: "Q3_K_L",
    14: "Q4_K_S",
    15: "Q4_K_M",
    16: "Q5_K_S",
    17: "Q5_K_M",
    18: "Q6_K",
    19: "IQ2_XXS",
    20: "IQ2_XS",
    21: "Q2_K_S",
    22: "IQ3_XS",
    23: "IQ3_XXS",
    24: "IQ1_S",
    25: "IQ4_NL",
    26: "IQ3_S",
    27: "IQ3_M",
    28: "IQ2_S",
    29: "IQ2_M",
    30: "IQ4_XS",
    31: "IQ1_M",
    32: "BF16",
    36: "TQ1_0",
    37: "TQ2_0",
    38: "MXFP4_MOE",
    39: "NVFP4",
    40: "Q1_0",
}

# Sliding-window layouts llama.cpp hard-codes when the GGUF has no pattern key:
# arch → (period, dense_first, default window). set_swa_pattern(period) marks layer i as SWA
# when i % period < period - 1; with dense_first, when i % period != 0. Without a window
# (the arch default or a positive sliding_window key) every layer is full attention, as in
# llama.cpp (gemma3 without a window, olmo2, smallthinker).
_SWA_RULES: dict[str, tuple[int, bool, int | None]] = {
    "gemma2": (2, False, 4096),
    "gemma3": (6, False, None),
    "gemma3n": (5, False, None),
    "gemma-embedding": (6, False, None),
    "cohere2": (4, False, None),
    "llama4": (4, False, 8192),  # chunked attention, 8192-token chunks
    "gpt-oss": (2, False, None),
    "olmo2": (4, False, None),
    "exaone4": (4, False, None),
    "afmoe": (4, False, None),
    "smallthinker": (4, True, None),
    "modern-bert": (3, False, None),
}
# Archs whose sliding_window key llama.cpp ignores (it runs every layer as full attention).
_SWA_DISABLED = frozenset({"phi3"})

# llm_arch_is_recurrent: every layer keeps a recurrent state and no KV.
_RECURRENT_ARCHS = frozenset({"mamba", "mamba2", "rwkv6", "rwkv6qwen2", "rwkv7", "arwkv7"})
# Hybrids whose linear-attention layers are all but every full_attention_interval-th one.
_INTERVAL_ARCHS = frozenset({"qwen3next", "qwen35", "qwen35moe", "qwen4exp"})
# Falcon-H1 runs attention and a Mamba-2 mixer in parallel in every layer.
_PARALLEL_HYBRID_ARCHS = frozenset({"falcon-h1"})
# Diffusion and embedding archs whose attention llama.cpp hard-codes as non-causal.
_NON_CAUSAL_ARCHS = frozenset({"dream", "llada", "llada-moe", "gemma-embedding"})

_SPLIT_NAME = re.compile(
    r"^(?P<prefix>.*)-(?P<no>\d{5})-of-(?P<count>\d{5})(?P<ext>\.gguf)$", re.IGNORECASE
)


class _SkippedArray(NamedTuple):
    """An array the reader stepped over without decoding."""

    length: int
    elem_type: int


_Scalar = int | float | bool | str
_Value = _Scalar | list[int] | list[float] | list[bool] | _SkippedArray


@dataclass(frozen=True, slots=True)
class _Tensor:
    name: str
    dims: tuple[int, ...]
    type_id: int
    offset: int
    n_elements: int
    n_bytes: int


@dataclass(frozen=True, slots=True)
class _Header:
    path: Path
    kv: dict[str, _Value]
    tensors: tuple[_Tensor, ...]


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


def _read_value(r: _Reader, vtype: int, key: str) -> _Value:
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
        return _SkippedArray(count, elem)
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
    return _SkippedArray(count, elem)


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


_LOCAL = FileAccess()


def _read_header(path: Path, files: FileAccess = _LOCAL) -> _Header:
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


def _parse_header(r: _Reader, path: Path) -> _Header:
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

    kv: dict[str, _Value] = {}
    for _ in range(n_kv):
        raw_key = r.raw_string("metadata key")
        try:
            key = raw_key.decode("utf-8")
        except UnicodeDecodeError:
            raise r.fail(f"metadata key {raw_key[:40]!r} is not valid UTF-8") from None
        if key in kv:
            raise r.fail(f"duplicate metadata key {key!r}")
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
        raw_name = r.raw_string("tensor name")
        try:
            name = raw_name.decode("utf-8")
        except UnicodeDecodeError:
            raise r.fail(f"tensor name {raw_name[:40]!r} is not valid UTF-8") from None
        if name in names:
            raise r.fail(f"duplicate tensor {name!r}")
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
    tensors: list[_Tensor] = []
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
        tensors.append(_Tensor(name, dims, type_id, offset, n_elements, n_bytes))
    return _Header(path, kv, tuple(tensors))


# --------------------------------------------------------------------------------------------
# Split models


def split_name(name: str) -> tuple[str, int, int] | None:
    """(prefix, shard number from 1, shard count) of a name like x-00001-of-00003.gguf."""
    m = _SPLIT_NAME.match(name)
    if m is None:
        return None
    return m["prefix"], int(m["no"]), int(m["count"])


def _int_value(value: _Value | None) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def _read_all_shards(path: Path, files: FileAccess = _LOCAL) -> list[_Header]:
    first = _read_header(path, files)
    count = _int_value(first.kv.get("split.count"))
    if count is None or count <= 1:
        return [first]
    where = str(path)
    if count > _MAX_SHARDS:
        raise ModelFileError(f"{where}: split.count: implausible shard count {count:,}")
    no = _int_value(first.kv.get("split.no"))
    if no is None or not 0 <= no < count:
        raise ModelFileError(f"{where}: split.no: {no!r} is not a shard index below {count}")
    m = _SPLIT_NAME.match(path.name)
    if m is None:
        raise ModelFileError(
            f"{where}: shard {no + 1} of {count}, but the file name does not end in "
            "-NNNNN-of-NNNNN.gguf, so the other shards cannot be found"
        )
    headers: list[_Header] = []
    for i in range(count):
        shard = path.with_name(f"{m['prefix']}-{i + 1:05d}-of-{count:05d}{m['ext']}")
        if i == no:
            header = first
        else:
            if not files.is_file(shard):
                raise ModelFileError(f"{where}: shard {i + 1} of {count} is missing: {shard}")
            header = _read_header(shard, files)
        if (
            _int_value(header.kv.get("split.no")) != i
            or _int_value(header.kv.get("split.count")) != count
        ):
            raise ModelFileError(f"{shard}: its split.no/split.count do not match shard {i + 1}")
        headers.append(header)
    total = _int_value(headers[0].kv.get("split.tensors.count"))
    n_found = sum(len(h.tensors) for h in headers)
    if total is not None and total != n_found:
        raise ModelFileError(
            f"{where}: split.tensors.count says {total:,} tensors, the shards hold {n_found:,}"
        )
    return headers


# --------------------------------------------------------------------------------------------
# Metadata → ModelSpec


class _Meta:
    """Typed access to one architecture's metadata with one-line errors naming the key."""

    def __init__(self, kv: dict[str, _Value], arch: str, where: str) -> None:
        self.kv = kv
        self.arch = arch
        self.where = where

    def fail(self, key: str, problem: str) -> ModelFileError:
        return ModelFileError(f"{self.where}: {self.arch}.{key}: {problem}")

    def has(self, key: str) -> bool:
        return f"{self.arch}.{key}" in self.kv

    def raw(self, key: str) -> _Value | None:
        return self.kv.get(f"{self.arch}.{key}")

    def _check_int(self, key: str, value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, f"expected an integer, got {value!r}")
        if not 0 <= value <= _MAX_INT_PARAM:
            raise self.fail(key, f"{value} is out of range")
        return value

    def get_int(self, key: str) -> int | None:
        value = self.raw(key)
        if value is None:
            return None
        if isinstance(value, list | _SkippedArray):
            raise self.fail(key, "expected a single integer, got an array")
        return self._check_int(key, value)

    def get_ints(self, key: str, n: int) -> list[int] | None:
        """A per-layer value stored either once or as an array of n values."""
        value = self.raw(key)
        if value is None:
            return None
        if isinstance(value, _SkippedArray):
            raise self.fail(key, f"expected {n} per-layer values, got {value.length:,}")
        if isinstance(value, list):
            if len(value) != n:
                raise self.fail(key, f"expected {n} per-layer values, got {len(value)}")
            return [self._check_int(key, v) for v in value]
        return [self._check_int(key, value)] * n

    def get_bools(self, key: str, n: int) -> list[bool] | None:
        value = self.raw(key)
        if not isinstance(value, list | _SkippedArray):
            return None
        if isinstance(value, _SkippedArray) or len(value) != n:
            count = value.length if isinstance(value, _SkippedArray) else len(value)
            raise self.fail(key, f"expected {n} per-layer values, got {count:,}")
        if not all(isinstance(v, bool | int) for v in value):
            raise self.fail(key, "expected true/false per layer")
        return [bool(v) for v in value]

    def get_flag(self, key: str) -> bool | None:
        value = self.raw(key)
        if value is None:
            return None
        if isinstance(value, bool) or (isinstance(value, int) and value in (0, 1)):
            return bool(value)
        raise self.fail(key, f"expected true or false, got {value!r}")


def _swa_flags(m: _Meta, n: int) -> tuple[list[bool], int | None]:
    """Per-layer SWA flags and the window, following llama.cpp's set_swa_pattern rules."""
    window = m.get_int("attention.sliding_window")
    if m.arch in _SWA_DISABLED:
        return [False] * n, None
    rule = _SWA_RULES.get(m.arch)
    default_window = rule[2] if rule else None
    if m.arch == "llama4":
        # llama.cpp: chunked attention with 8192-token chunks unless sliding_window is 0.
        window = 0 if window == 0 else default_window
    elif m.arch == "smallthinker" and window:
        window = 4096  # llama.cpp overrides the GGUF's window for this arch
    elif window is None:
        window = default_window
    if not window:
        return [False] * n, None

    flags = m.get_bools("attention.sliding_window_pattern", n)
    if flags is None:
        period = m.get_int("attention.sliding_window_pattern")
        dense_first = rule[1] if rule else False
        if period is None:
            if rule is None:
                # mistral/qwen2/starcoder2 carry a window that llama.cpp does not apply.
                return [False] * n, None
            period = rule[0]
        if period == 0:
            flags = [True] * n
        elif dense_first:
            flags = [i % period != 0 for i in range(n)]
        else:
            flags = [i % period < period - 1 for i in range(n)]
    if not any(flags):
        return flags, None
    return flags, window


def _compress_ratios(m: _Meta, n: int) -> list[int] | None:
    """DeepSeek-V4's attention.compress_ratios: one per block (0: window only); entries past
    block_count belong to the multi-token-prediction layers."""
    value = m.raw("attention.compress_ratios")
    if value is None:
        return None
    key = "attention.compress_ratios"
    if not isinstance(value, list) or len(value) < n:
        raise m.fail(key, f"expected at least {n} per-layer values")
    return [m._check_int(key, v) for v in value[:n]]


def _recurrent_state(m: _Meta, hidden: int, n_head: int) -> int:
    """Elements of one recurrent layer's state per sequence (llama_hparams n_embd_r + n_embd_s)."""
    wkv = m.get_int("wkv.head_size")
    if wkv:  # RWKV: token-shift state plus the wkv state
        shift = m.get_int("token_shift_count")
        return (2 if shift is None else shift) * hidden + hidden * wkv
    d_conv = m.get_int("ssm.conv_kernel") or 0
    d_inner = m.get_int("ssm.inner_size") or 0
    d_state = m.get_int("ssm.state_size") or 0
    n_group = m.get_int("ssm.group_count") or 0
    l_cache = m.get_int("shortconv.l_cache")
    kda = m.get_int("kda.head_dim")
    if l_cache:  # LFM2 short convolution
        conv = hidden * (l_cache - 1)
    elif kda:  # Kimi delta attention: q, k, v convolutions and a head_dim² state per head
        conv = 3 * (d_conv - 1 if d_conv > 0 else 3) * n_head * kda
        return conv + kda * kda * n_head
    else:  # Mamba / Mamba-2 / gated delta net
        conv = (d_conv - 1 if d_conv > 0 else 0) * (d_inner + 2 * n_group * d_state)
    return conv + d_state * d_inner


def _tensor_role(suffix: str) -> str:
    """Which LayerSpec parameter field a tensor of a block belongs to."""
    if "_exps" in suffix:
        return "experts"
    if "norm" in suffix:
        return "other"
    if suffix.startswith(("attn_v.", "attn_v_b.", "attn_kv_b.")):
        return "attn_v"
    if suffix.startswith(("attn_", "ssm_", "time_mix_", "shortconv.")):
        return "attn"
    if suffix.startswith("ffn_down"):
        return "ffn_down"
    if suffix.startswith(("ffn_gate_inp", "ffn_gate_tp")):
        return "other"
    if suffix.startswith(("ffn_gate", "ffn_up")):
        return "ffn"
    return "other"


def _quant_label(kv: dict[str, _Value], tensors: Iterable[_Tensor]) -> str:
    file_type = _int_value(kv.get("general.file_type"))
    if file_type is not None and file_type in _FILE_TYPES:
        return _FILE_TYPES[file_type]
    by_type: dict[int, int] = {}
    for t in tensors:
        if len(t.dims) >= 2:
            by_type[t.type_id] = by_type.get(t.type_id, 0) + t.n_bytes
    if not by_type:
        return "unknown"
    return GGML_TYPES_BY_ID[max(by_type, key=lambda k: by_type[k])].name


def _model_name(kv: dict[str, _Value], path: Path) -> str:
    name = kv.get("general.name")
    if isinstance(name, str) and name.strip():
        return name.strip()
    m = _SPLIT_NAME.match(path.name)
    if m is not None:
        return m["prefix"]
    return path.stem


def _build_spec(path: Path, headers: Sequence[_Header]) -> ModelSpec:
    where = str(path)
    kv = headers[0].kv
    tensors = [t for h in headers for t in h.tensors]
    seen: set[str] = set()
    for t in tensors:
        if t.name in seen:
            raise ModelFileError(f"{where}: tensor {t.name!r} appears in more than one shard")
        seen.add(t.name)

    arch = kv.get("general.architecture")
    if not isinstance(arch, str) or not arch:
        raise ModelFileError(f"{where}: general.architecture: missing")
    if arch == "clip":
        raise UnsupportedArchitectureError(
            f"{where}: a multimodal projector (mmproj) file, not a language model"
        )
    m = _Meta(kv, arch, where)

    def need(key: str) -> None:
        if not m.has(key):
            raise UnsupportedArchitectureError(
                f"{where}: architecture {arch!r} is not supported: its GGUF has no "
                f"{arch + '.' + key!r}"
            )

    for key in ("block_count", "embedding_length", "attention.head_count"):
        need(key)
    n_layers = m.get_int("block_count") or 0
    hidden = m.get_int("embedding_length") or 0
    if not 1 <= n_layers <= _MAX_LAYERS:
        raise m.fail("block_count", f"{n_layers} layers is out of range")
    if hidden < 1:
        raise m.fail("embedding_length", "must be positive")
    heads = m.get_ints("attention.head_count", n_layers) or [0] * n_layers
    heads_kv = m.get_ints("attention.head_count_kv", n_layers) or list(heads)
    n_head0 = heads[0]
    default_dim = hidden // n_head0 if n_head0 else 0
    key_len = m.get_ints("attention.key_length", n_layers) or [default_dim] * n_layers
    val_len = m.get_ints("attention.value_length", n_layers) or [default_dim] * n_layers
    key_len_swa = m.get_int("attention.key_length_swa")
    val_len_swa = m.get_int("attention.value_length_swa")
    max_ctx = m.get_int("context_length")
    if max_ctx is None:
        raise m.fail("context_length", "missing")
    ffn = m.get_ints("feed_forward_length", n_layers)
    intermediate = max(ffn) if ffn and max(ffn) > 0 else None

    provenance = {"architecture": "GGUF header", "weights": "GGUF header"}

    # Vocabulary: {arch}.vocab_size, else the tokenizer's token count, else the embedding rows.
    vocab = m.get_int("vocab_size")
    if vocab is None:
        tokens = kv.get("tokenizer.ggml.tokens")
        if isinstance(tokens, _SkippedArray):
            vocab = tokens.length
        elif isinstance(tokens, list):
            vocab = len(tokens)
    if vocab is None:
        embd = next((t for t in tensors if t.name == "token_embd.weight"), None)
        vocab = embd.dims[1] if embd is not None and len(embd.dims) >= 2 else 0

    # Mixture of experts.
    n_experts = m.get_int("expert_count") or 0
    n_used = m.get_int("expert_used_count") or 0
    if n_used > n_experts:
        raise m.fail("expert_used_count", f"{n_used} exceeds {n_experts} experts")

    # Multi-head latent attention: the KV holds the compressed latent; the layers record the
    # decompressed head sizes (key/value_length_mla), as config.json-based specs do.
    mla: MLASpec | None = None
    kv_lora = m.get_int("attention.kv_lora_rank")
    k_mla = m.get_int("attention.key_length_mla")
    v_mla = m.get_int("attention.value_length_mla")
    if kv_lora and k_mla and v_mla:
        rope = m.get_int("rope.dimension_count")
        if rope is None:
            rope = max(key_len[0] - kv_lora, 0)
        mla = MLASpec(kv_lora_rank=kv_lora, qk_rope_head_dim=rope)
    elif kv_lora:
        provenance["layout"] = (
            "MLA model converted without key_length_mla: llama.cpp caches full per-head K and V"
        )

    # Layer kinds.
    flags, window = _swa_flags(m, n_layers)
    # DeepSeek-V4: a raw window in every layer, compressed rows where the ratio is not 0.
    ratios = _compress_ratios(m, n_layers)
    if ratios is not None:
        window = m.get_int("attention.sliding_window")
        if not window:
            raise m.fail("attention.sliding_window", "missing for a model with compress_ratios")
        flags = [True] * n_layers
    state = _recurrent_state(m, hidden, n_head0)
    nextn = m.get_int("nextn_predict_layers") or 0
    shared = m.get_int("attention.shared_kv_layers")
    if shared is None and arch == "gemma3n":
        shared = max(n_layers - 20, 0)  # llama.cpp: n_layer_kv_from_start = 20
    shared = shared or 0
    first_without_kv = n_layers - max(nextn if nextn < n_layers else 0, shared)
    first_nextn = n_layers - (nextn if nextn < n_layers else 0)
    interval = m.get_int("full_attention_interval")
    if interval is None and arch in _INTERVAL_ARCHS:
        interval = 4
    if interval == 0:
        raise m.fail("full_attention_interval", "must be positive")
    ffn_per_layer = ffn or [0] * n_layers

    kinds: list[LayerKind] = []
    for i in range(n_layers):
        kind: LayerKind
        if i >= first_without_kv:
            kind = "none"
        elif arch in _RECURRENT_ARCHS:
            kind = "recurrent"
        elif interval is not None:
            kind = "full" if (i + 1) % interval == 0 else "recurrent"
        elif heads_kv[i] == 0:
            if arch.startswith("nemotron_h") and ffn_per_layer[i] > 0:
                kind = "none"  # an MLP-only block
            else:
                kind = "recurrent" if state > 0 else "none"
        else:
            kind = "full"
        if kind == "full" and flags[i]:
            kind = "swa"
        kinds.append(kind)
    if "recurrent" in kinds and state <= 0:
        raise UnsupportedArchitectureError(
            f"{where}: architecture {arch!r} has recurrent layers but no ssm/wkv/shortconv "
            "sizes, so its state cannot be sized"
        )
    if "swa" not in kinds:
        window = None

    # Tensors → weight groups and per-layer parameter roles.
    n_groups = {"input": 0, "output": 0, "other": 0}
    b_groups = {"input": 0, "output": 0, "other": 0}
    layer_bytes = [0] * n_layers
    layer_expert_bytes = [0] * n_layers
    roles: list[dict[str, int]] = [{} for _ in range(n_layers)]
    indexed = [False] * n_layers  # blocks holding a lightning indexer
    expert_elements = 0
    has_output = False
    total = 0
    for t in tensors:
        total += t.n_elements
        name = t.name
        if name.startswith("blk."):
            parts = name.split(".", 2)
            if len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < n_layers:
                i = int(parts[1])
                layer_bytes[i] += t.n_bytes
                role = _tensor_role(parts[2])
                roles[i][role] = roles[i].get(role, 0) + t.n_elements
                if parts[2].startswith("indexer"):
                    indexed[i] = True
                if role == "experts":
                    layer_expert_bytes[i] += t.n_bytes
                    expert_elements += t.n_elements
                continue
        if name.startswith(("token_embd.", "token_embd_norm.", "per_layer_token_embd.")):
            group = "input"
        elif name.startswith(("output.", "output_norm.", "cls.")):
            group = "output"
            has_output = has_output or name == "output.weight"
        else:
            group = "other"
        n_groups[group] += t.n_elements
        b_groups[group] += t.n_bytes

    inactive = 0
    if n_experts > 1 and n_used:
        inactive = expert_elements * (n_experts - n_used) // n_experts

    layers: list[LayerSpec] = []
    for i, kind in enumerate(kinds):
        attention = kind in ("full", "swa")
        if mla is not None and attention:
            n_kv, dim_k, dim_v = heads[i], k_mla or 0, v_mla or 0
        else:
            n_kv = heads_kv[i] if attention else 0
            swa = kind == "swa"
            dim_k = key_len_swa if swa and key_len_swa else key_len[i]
            dim_v = val_len_swa if swa and val_len_swa else val_len[i]
        if attention and n_kv and not (dim_k and dim_v):
            raise UnsupportedArchitectureError(
                f"{where}: layer {i} of {arch!r} has attention but no head size"
            )
        if ratios is not None:
            dim_v = 0  # one vector per token serves as both K and V (llama.cpp caches K only)
        index_dim = index_heads = index_topk = 0
        if indexed[i]:
            index_dim = m.get_int("attention.indexer.key_length") or 0
            index_heads = m.get_int("attention.indexer.head_count") or 0
            index_topk = m.get_int("attention.indexer.top_k") or 0
        r = roles[i]
        layers.append(
            LayerSpec(
                kind=kind,
                n_kv_heads=n_kv,
                head_dim_k=dim_k,
                head_dim_v=dim_v,
                recurrent_state_elements=(
                    state
                    if kind == "recurrent" or (attention and arch in _PARALLEL_HYBRID_ARCHS)
                    else 0
                ),
                compress_ratio=ratios[i] if ratios is not None else 0,
                index_head_dim=index_dim,
                index_heads=index_heads,
                index_topk=index_topk,
                moe=r.get("experts", 0) > 0,
                params_attn_v=r.get("attn_v", 0),
                params_attn=r.get("attn", 0),
                params_ffn_down=r.get("ffn_down", 0),
                params_ffn=r.get("ffn", 0),
                params_experts=r.get("experts", 0),
                params_other=r.get("other", 0),
            )
        )

    causal = m.get_flag("attention.causal")
    if causal is None:
        causal = arch not in _NON_CAUSAL_ARCHS

    weights = WeightInventory(
        quant=_quant_label(kv, tensors),
        source="GGUF header",
        exact=True,
        input_bytes=b_groups["input"],
        output_bytes=b_groups["output"],
        layer_bytes=tuple(layer_bytes),
        layer_expert_bytes=tuple(layer_expert_bytes),
        other_bytes=b_groups["other"],
        # Multi-token-prediction blocks (the last nextn_predict_layers) are loaded but only
        # run when speculative decoding is on.
        unread_bytes=sum(layer_bytes[first_nextn:]),
    )
    return ModelSpec(
        name=_model_name(kv, path),
        architecture=arch,
        hidden_size=hidden,
        n_heads=max(heads),
        vocab_size=vocab,
        max_context=max_ctx,
        layers=tuple(layers),
        params_total=total,
        params_active=total - inactive,
        intermediate_size=intermediate,
        params_input=n_groups["input"],
        params_output=n_groups["output"],
        tied_embeddings=not has_output,
        sliding_window=window,
        n_experts=n_experts if n_experts > 1 else 0,
        n_experts_used=n_used if n_experts > 1 else 0,
        mla=mla,
        causal=causal,
        weights=weights,
        provenance=provenance,
    )


def read_gguf(path: str | os.PathLike[str], files: FileAccess = _LOCAL) -> ModelSpec:
    """Read a GGUF file's header (never its tensor data) into a ModelSpec with exact weights.

    ``files`` reaches the file and its shards (the local file system by default; a remote
    reader passes its own). Raises ModelFileError for a missing, malformed, truncated or
    unsupported file, and UnsupportedArchitectureError for an architecture whose memory
    cannot be sized.
    """
    p = Path(path)
    headers = _read_all_shards(p, files)
    return _build_spec(p, headers)
