"""Exact weight bytes of a Hugging Face model folder from its safetensors headers.

A safetensors file starts with an 8-byte little-endian header length and a JSON header that
gives every tensor's dtype, shape and byte range (data_offsets). Only the headers are read,
so a 100 GB model folder is measured in milliseconds. Byte ranges are exact for every dtype,
packed 4-bit ones included, so they are preferred over dtype × shape.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from .errors import ModelFileError
from .spec import WeightInventory

__all__ = [
    "ShardHeader",
    "dtype_bytes",
    "header_length",
    "inventory_from_headers",
    "parse_header",
    "parse_index",
    "read_safetensors_inventory",
]

_MAX_HEADER = 100_000_000  # the safetensors library's own limit
_INDEX = "model.safetensors.index.json"

# Bits per element of the dtypes the safetensors format defines.
_DTYPE_BITS: dict[str, int] = {
    "F64": 64,
    "F32": 32,
    "F16": 16,
    "BF16": 16,
    "F8_E4M3": 8,
    "F8_E5M2": 8,
    "F8_E8M0": 8,
    "F6_E2M3": 6,
    "F6_E3M2": 6,
    "F4": 4,
    "I64": 64,
    "U64": 64,
    "I32": 32,
    "U32": 32,
    "I16": 16,
    "U16": 16,
    "I8": 8,
    "U8": 8,
    "BOOL": 8,
    "C64": 64,
}

_LAYER = re.compile(r"(?:^|\.)(?:layers|h|blocks|block)\.(\d+)\.")
_OUTPUT = re.compile(
    r"(?:^|\.)(?:norm|ln_f|final_layernorm|final_layer_norm|final_norm)\.(?:weight|bias)$"
)
# Parts of checkpoints that are not the language model's blocks: vision and audio towers,
# projectors, and multi-token-prediction modules (mtp.layers.N, model.mtp_layers.N).
_NOT_TEXT = (
    "mtp",
    "vision",
    "visual",
    "audio",
    "image_newline",
    "mm_projector",
    "multi_modal_projector",
    "patch_embed",
    "vpm.",
    "siglip",
)


def _fail(path: Path | str, problem: str) -> ModelFileError:
    return ModelFileError(f"{path}: {problem}")


def header_length(path: Path | str, prefix: bytes, size: int) -> int:
    """The JSON header's length from a file's first 8 bytes, checked against its size."""
    if len(prefix) < 8:
        raise _fail(path, "not a safetensors file (shorter than 8 bytes)")
    n = int.from_bytes(prefix[:8], "little")
    if n < 2 or n > _MAX_HEADER:
        raise _fail(path, f"not a safetensors file (header length {n:,})")
    if n > size - 8:
        raise _fail(path, f"truncated: the header needs {n:,} bytes, the file has fewer")
    return n


def parse_header(path: Path | str, raw: bytes, n: int) -> dict[str, Any]:
    """The JSON header from its n bytes (fewer means the file ended inside it)."""
    if len(raw) < n:
        raise _fail(path, "truncated: the file ended inside its header")
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise _fail(path, f"header is not valid JSON: {exc}") from None
    if not isinstance(header, dict):
        raise _fail(path, "header is not a JSON object")
    return header


def _read_header(path: Path) -> tuple[dict[str, Any], int]:
    """The JSON header of one file and the size of its data section."""
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            n = header_length(path, f.read(8), size)
            raw = f.read(n)
    except ModelFileError:
        raise
    except FileNotFoundError:
        raise _fail(path, "no such file") from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL or lone surrogate in the name
        raise _fail(path, f"cannot read: {exc}") from None
    return parse_header(path, raw, n), size - 8 - n


def _tensor_bytes(path: Path | str, header: Mapping[str, Any], data_len: int) -> dict[str, int]:
    """Bytes of each tensor, checked the way the safetensors library validates a header."""
    spans: list[tuple[int, int, str]] = []
    for name, info in header.items():
        if name == "__metadata__":
            if info is not None and not isinstance(info, dict):
                raise _fail(path, "__metadata__ is not an object")
            continue
        if not isinstance(info, dict):
            raise _fail(path, f"tensor {name!r}: entry is not an object")
        dtype, shape, offsets = info.get("dtype"), info.get("shape"), info.get("data_offsets")
        if not isinstance(dtype, str):
            raise _fail(path, f"tensor {name!r}: dtype missing")
        if not isinstance(shape, list) or not all(
            isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape
        ):
            raise _fail(path, f"tensor {name!r}: shape is not a list of sizes")
        if (
            not isinstance(offsets, list)
            or len(offsets) != 2
            or not all(isinstance(o, int) and not isinstance(o, bool) for o in offsets)
            or not 0 <= offsets[0] <= offsets[1]
        ):
            raise _fail(path, f"tensor {name!r}: data_offsets is not [start, end]")
        start, end = offsets
        bits = _DTYPE_BITS.get(dtype.upper())
        if bits is not None:
            n_elements = 1
            for d in shape:
                n_elements *= d
            if n_elements * bits != (end - start) * 8:
                raise _fail(
                    path,
                    f"tensor {name!r}: {end - start:,} bytes do not hold {dtype} of shape {shape}",
                )
        spans.append((start, end, name))
    spans.sort()
    at = 0
    for start, end, name in spans:
        if start != at:
            raise _fail(path, f"tensor {name!r}: data_offsets overlap or leave a gap at {at:,}")
        at = end
    if at > data_len:
        raise _fail(path, f"truncated: tensor data needs {at:,} bytes, the file holds {data_len:,}")
    return {name: end - start for start, end, name in spans}


def parse_index(path: Path | str, raw: bytes) -> tuple[list[str], dict[str, str]]:
    """The shard file names and the weight map of a model.safetensors.index.json."""
    try:
        index = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise _fail(path, f"cannot read: {exc}") from None
    weight_map = index.get("weight_map") if isinstance(index, dict) else None
    if not isinstance(weight_map, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in weight_map.items()
    ):
        raise _fail(path, "weight_map is not an object of file names")
    names = sorted(set(weight_map.values()))
    for name in names:
        if Path(name).name != name or not name:
            raise _fail(path, f"weight_map names a file outside the folder: {name!r}")
    return names, weight_map


def _files(folder: Path) -> tuple[list[Path], dict[str, str] | None]:
    """The safetensors files of a folder and, when it has an index, its weight map."""
    if folder.is_file():
        return [folder], None
    if not folder.is_dir():
        raise _fail(folder, "no such folder")
    index_path = folder / _INDEX
    if index_path.is_file():
        try:
            raw = index_path.read_bytes()
        except OSError as exc:
            raise _fail(index_path, f"cannot read: {exc}") from None
        names, weight_map = parse_index(index_path, raw)
        return [folder / name for name in names], weight_map
    single = folder / "model.safetensors"
    if single.is_file():
        return [single], None
    files = sorted(p for p in folder.glob("*.safetensors") if p.is_file())
    if len(files) > 1:
        # Mistral repos ship consolidated.safetensors next to the HF shards.
        files = [p for p in files if not p.name.startswith("consolidated")] or files
    return files, None


def _group(name: str, n_layers: int) -> tuple[str, int]:
    """("input" | "output" | "layer" | "other", layer index) of a tensor name."""
    lowered = name.lower()
    if any(part in lowered for part in _NOT_TEXT):
        return "other", -1
    m = _LAYER.search(name)
    if m is not None:
        i = int(m.group(1))
        return ("layer", i) if i < n_layers else ("other", -1)
    if "embed_tokens" in name or "tok_embeddings" in name or "word_embeddings" in name:
        return "input", -1
    if name.endswith(("wte.weight", "embed_tokens_per_layer.weight")):
        return "input", -1
    if "lm_head" in name or _OUTPUT.search(name) or name in ("output.weight", "output.bias"):
        return "output", -1
    return "other", -1


def read_safetensors_inventory(
    folder: Path, n_layers: int, quant_label: str
) -> WeightInventory | None:
    """Exact weight bytes from the safetensors headers in folder; None when it has none.

    Raises ModelFileError for a malformed, truncated or incomplete set of files.
    """
    folder = Path(folder)
    files, weight_map = _files(folder)
    if not files:
        return None
    headers = []
    for path in files:
        header, data_len = _read_header(path)
        headers.append(ShardHeader(path.name, str(path), header, data_len))
    return inventory_from_headers(headers, weight_map, n_layers, quant_label, str(folder))


class ShardHeader(NamedTuple):
    """One safetensors file's parsed header: its name in the folder, where it was read (for
    messages), the JSON header and the size of its data section."""

    name: str
    where: str
    header: Mapping[str, Any]
    data_len: int


def inventory_from_headers(
    shards: Sequence[ShardHeader],
    weight_map: Mapping[str, str] | None,
    n_layers: int,
    quant_label: str,
    folder: str,
) -> WeightInventory:
    """Exact weight bytes from already-read headers (local files or remote range reads)."""
    input_bytes = output_bytes = other_bytes = 0
    layer_bytes = [0] * n_layers
    expert_bytes = [0] * n_layers
    seen: dict[str, ShardHeader] = {}
    for shard in shards:
        for name, n_bytes in _tensor_bytes(shard.where, shard.header, shard.data_len).items():
            if name in seen:
                raise _fail(shard.where, f"tensor {name!r} is also in {seen[name].name}")
            seen[name] = shard
            group, i = _group(name, n_layers)
            if group == "layer":
                layer_bytes[i] += n_bytes
                if ".experts." in name:
                    expert_bytes[i] += n_bytes
            elif group == "input":
                input_bytes += n_bytes
            elif group == "output":
                output_bytes += n_bytes
            else:
                other_bytes += n_bytes
    if weight_map is not None:
        for name, file_name in weight_map.items():
            if name not in seen or seen[name].name != file_name:
                raise _fail(
                    f"{folder}/{file_name}", f"tensor {name!r} listed in {_INDEX} is missing"
                )
    if quant_label in ("BF16", "FP16") and _top_dtype(shards).startswith("F8_"):
        # FP8 checkpoints without a quantization_config (most bytes in an 8-bit float dtype).
        quant_label = "FP8"
    return WeightInventory(
        quant=quant_label,
        source="safetensors headers",
        exact=True,
        input_bytes=input_bytes,
        output_bytes=output_bytes,
        layer_bytes=tuple(layer_bytes),
        layer_expert_bytes=tuple(expert_bytes),
        other_bytes=other_bytes,
        unread_bytes=other_bytes,  # towers and MTP modules: not read by a plain decode step
    )


def _top_dtype(shards: Sequence[ShardHeader]) -> str:
    by_dtype = dtype_bytes(shards)
    return max(by_dtype, key=lambda d: by_dtype[d]) if by_dtype else ""


def dtype_bytes(shards: Sequence[ShardHeader]) -> dict[str, int]:
    """Bytes held in each dtype across the shards (which quantization a checkpoint uses)."""
    out: dict[str, int] = {}
    for shard in shards:
        for name, info in shard.header.items():
            if name == "__metadata__" or not isinstance(info, dict):
                continue
            offsets = info.get("data_offsets")
            dtype = info.get("dtype")
            if isinstance(dtype, str) and isinstance(offsets, list) and len(offsets) == 2:
                out[dtype.upper()] = out.get(dtype.upper(), 0) + int(offsets[1]) - int(offsets[0])
    return out
