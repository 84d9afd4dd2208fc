"""`runlocal scan`: the models already on this machine, each judged for its hardware.

Looks in Ollama's store (manifests name the model blob), LM Studio's models folders, the
Hugging Face cache, llama.cpp's download cache and any folder given. Every model is read by
its header only (GGUF header, config.json and safetensors headers), never its weights, and
answered by the same `check` as `runlocal check <path>`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import RunlocalError

__all__ = ["Found", "default_locations", "find_models", "scan"]

_MAX_DEPTH = 8
_MAX_MANIFEST_BYTES = 1 << 20


@dataclass
class Found:
    """One model on disk: the file (GGUF, first shard) or folder (config.json) to read."""

    path: Path
    label: str
    source: str  # ollama, lm-studio, hf-cache, llama.cpp, folder
    size_bytes: int | None = None
    aliases: list[str] = field(default_factory=list)


def _home() -> Path:
    return Path(os.path.expanduser("~"))


def default_locations() -> list[tuple[str, Path]]:
    """Where the usual tools keep downloaded models (environment overrides first)."""
    home = _home()
    hf_home = Path(os.environ.get("HF_HOME") or home / ".cache" / "huggingface")
    return [
        ("ollama", Path(os.environ.get("OLLAMA_MODELS") or home / ".ollama" / "models")),
        ("lm-studio", home / ".lmstudio" / "models"),
        ("lm-studio", home / ".cache" / "lm-studio" / "models"),
        ("hf-cache", Path(os.environ.get("HF_HUB_CACHE") or hf_home / "hub")),
        ("llama.cpp", Path(os.environ.get("LLAMA_CACHE") or home / ".cache" / "llama.cpp")),
    ]


def _is_first_gguf(p: Path) -> bool:
    from .gguf_header import split_name

    name = p.name.lower()
    if not name.endswith(".gguf") or "mmproj" in name:
        return False
    split = split_name(p.name)
    return split is None or split[1] == 1


def _size(paths: Iterable[Path]) -> int | None:
    total = 0
    try:
        for p in paths:
            total += p.stat().st_size
    except OSError:
        return None
    return total


def _gguf_size(p: Path) -> int | None:
    from .gguf_header import split_name

    split = split_name(p.name)
    if split is None:
        return _size([p])
    prefix, _, count = split
    return _size(p.with_name(f"{prefix}-{i:05d}-of-{count:05d}.gguf") for i in range(1, count + 1))


def _walk(root: Path) -> Iterator[tuple[Path, list[str]]]:
    """(folder, file names) under root, links followed (the HF cache links to its blobs)
    but each real folder visited once."""
    seen: set[tuple[int, int]] = set()
    stack = [(root, 0)]
    while stack:
        folder, depth = stack.pop()
        try:
            st = folder.stat()
            if (st.st_dev, st.st_ino) in seen:
                continue
            seen.add((st.st_dev, st.st_ino))
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        files = []
        for e in entries:
            try:
                if e.is_dir():
                    if depth < _MAX_DEPTH and not e.name.startswith("."):
                        stack.append((Path(e.path), depth + 1))
                elif e.is_file():
                    files.append(e.name)
            except OSError:
                continue
        yield folder, files


def _folder_models(root: Path, source: str) -> Iterator[Found]:
    for folder, files in _walk(root):
        names = set(files)
        if "config.json" in names and any(n.endswith(".safetensors") for n in names):
            label = _label(root, folder, source)
            sizes = _size(folder / n for n in files if n.endswith(".safetensors"))
            yield Found(folder, label, source, sizes)
        for n in files:
            p = folder / n
            if _is_first_gguf(p):
                yield Found(p, _label(root, p, source), source, _gguf_size(p))


def _label(root: Path, p: Path, source: str) -> str:
    """A readable name: owner/name[/file] for the HF cache, the path under the root else."""
    rel = p.relative_to(root) if p.is_relative_to(root) else p
    parts = rel.parts
    if source == "hf-cache" and parts and parts[0].startswith("models--"):
        repo = parts[0][len("models--") :].replace("--", "/")
        # models--o--n/snapshots/<rev>/file
        rest = parts[3:] if len(parts) > 3 else ()
        return "/".join((repo, *rest))
    return str(rel) if parts else p.name


def _ollama_models(root: Path) -> Iterator[Found]:
    from .remote.ollama import model_layer

    manifests = root / "manifests"
    blobs = root / "blobs"
    for folder, files in _walk(manifests):
        for tag in files:
            path = folder / tag
            try:
                if path.stat().st_size > _MAX_MANIFEST_BYTES:
                    continue
                manifest = json.loads(path.read_bytes())
                digest, size = model_layer(manifest, str(path))
            except (OSError, ValueError, RunlocalError):
                continue
            rel = path.relative_to(manifests).parts  # host/namespace/name/tag
            name = rel[-2] if len(rel) >= 2 else path.parent.name
            ns = rel[-3] if len(rel) >= 3 else "library"
            label = f"{name}:{tag}" if ns == "library" else f"{ns}/{name}:{tag}"
            blob = blobs / digest.replace(":", "-")
            if blob.is_file():
                yield Found(blob, label, "ollama", size)


def find_models(dirs: Iterable[Path] | None = None) -> list[Found]:
    """Models in the given folders, or in every default location that exists."""
    found: dict[Path, Found] = {}
    if dirs is None:
        locations = default_locations()
    else:
        locations = [("folder", Path(d).expanduser()) for d in dirs]
    for source, root in locations:
        if not root.is_dir():
            if source == "folder" and root.is_file() and root.name.lower().endswith(".gguf"):
                items: Iterable[Found] = [Found(root, root.name, source, _gguf_size(root))]
            else:
                continue
        elif source == "ollama" or ((root / "manifests").is_dir() and (root / "blobs").is_dir()):
            items = _ollama_models(root)
        else:
            items = _folder_models(root, source)
        for item in items:
            key = item.path.resolve()
            if key in found:
                found[key].aliases.append(item.label)
            else:
                found[key] = item
    return sorted(found.values(), key=lambda f: (f.source, f.label))


def scan(
    found: list[Found],
    answer: Callable[[Found], dict[str, Any]],
    progress: Callable[[int, int, Found | None], None] | None = None,
) -> list[dict[str, Any]]:
    """One row per model: its check answer, or the one-line error reading it gave."""
    rows = []
    for i, item in enumerate(found):
        if progress is not None:
            progress(i, len(found), item)
        row: dict[str, Any] = {
            "path": str(item.path),
            "model": item.label,
            "source": item.source,
            "size_bytes": item.size_bytes,
            "aliases": item.aliases,
        }
        try:
            r = answer(item)
        except RunlocalError as exc:
            row.update(
                quant=None,
                verdict=None,
                speed=None,
                max_context=None,
                error=str(exc).splitlines()[0],
            )
        else:
            row.update(
                name=r["model"]["name"],
                quant=r["quant"],
                verdict=r["verdict"],
                reason=r["reason"],
                speed=r["speed"],
                max_context=r["max_context"],
                weights_bytes=r["memory"]["weights_bytes"],
                error=None,
            )
        rows.append(row)
    if progress is not None:
        progress(len(found), len(found), None)
    return rows


def runtime_for(item: Found) -> str:
    """The runtime that loads a model where it was found (Ollama's store, LM Studio's folder),
    else llama.cpp for GGUF files and transformers for checkpoint folders."""
    if item.source in ("ollama", "lm-studio"):
        return item.source
    return "transformers" if item.path.is_dir() else "llama.cpp"


def format_table(rows: list[dict[str, Any]]) -> str:
    """The rows as a fixed-width table, errors listed under it."""
    from .units import GIB

    verdicts = {"comfortable": "runs", "tradeoffs": "tradeoffs", "wont-run": "won't run"}
    head = ("MODEL", "QUANT", "SIZE", "VERDICT", "DECODE", "PREFILL", "MAX CTX")
    table: list[tuple[str, ...]] = [head]
    errors = []
    for r in rows:
        if r.get("error"):
            errors.append(f"{r['model']}: {r['error']}")
            continue
        speed = r["speed"] or {}
        dec, pre = speed.get("decode_tok_s"), speed.get("prefill_tok_s")
        size = r.get("size_bytes")
        table.append(
            (
                r["model"],
                str(r["quant"]),
                f"{size / GIB:.1f} GiB" if size else "?",
                verdicts.get(str(r["verdict"]), str(r["verdict"])),
                f"{dec:g} tok/s" if dec is not None else "-",
                f"{pre:g} tok/s" if pre is not None else "-",
                f"{r['max_context']:,}" if r["max_context"] else "-",
            )
        )
    widths = [max(len(row[i]) for row in table) for i in range(len(head))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in table
    ]
    if len(table) == 1:
        lines.append("(no models found)")
    lines.extend(f"error: {e}" for e in errors)
    return "\n".join(lines) + "\n"
