"""A model as the engine sizes it: a catalog entry, a file on this machine or a remote
reference, with its spec and its weights at a quantization."""

from __future__ import annotations

import errno
import os
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from .bounds import MODEL_REQUIRED
from .catalog import Catalog, Entry
from .errors import AmbiguousNameError, InputError, UnknownNameError
from .hfconfig import load_config, spec_from_config
from .resolve.ids import read_model
from .spec import ModelSpec, WeightInventory
from .weights import estimate_inventory, normalize_quant, scale_inventory


@dataclass
class ResolvedModel:
    """A model as read from the catalog, a file or a remote reference: its spec, and
    where it came from."""

    spec: ModelSpec
    entry: Entry | None
    source: str  # "catalog", "config.json", "gguf"
    path: str | None = None
    notes: list[str] = field(default_factory=list)
    quant: str | None = None  # the quant the typed name states ("…-Q4_K_M.gguf", "-AWQ")
    default_quant: str | None = None  # the quant it implies (a bare Ollama tag's file)
    hub_repo: str | None = None  # read from this Hub repo (runlocal.remote)
    # The repo's other GGUF files when none was named: (quant, bytes), to pick what fits.
    file_choices: tuple[tuple[str, int], ...] = ()
    ollama_tag: str | None = None  # read from this Ollama registry tag (runlocal.remote)


_WINDOWS_PATH_RE = re.compile(r"^[A-Za-z]:[\\/]")


@lru_cache(maxsize=512)
def is_local_path(text: str) -> bool:
    """Text written as a path ('./x.gguf', '/models/x', '~/x', 'C:\\x'), or a file or folder that
    exists here. 'owner/name' and a bare 'x.gguf' that do not exist are names, not paths."""
    text = text.strip()
    if text.startswith(("/", "./", "../", "~", ".\\")) or "\\" in text:
        return True
    if _WINDOWS_PATH_RE.match(text):
        return True
    return _name_exists(text)


@lru_cache(maxsize=512)  # Entry hashes by identity: one parse per loaded catalog entry
def catalog_spec(entry: Entry) -> ModelSpec:
    arch = entry.get("architecture")
    if not isinstance(arch, dict):
        raise InputError(f"{entry.name}: the catalog has no architecture for it")
    spec = spec_from_config(
        arch, name=entry.name, where=f"catalog models/{entry.id}.toml", model_id=entry.id
    )
    tower = tower_params(entry, spec)
    return replace(spec, params_tower=tower) if tower else spec


def tower_params(entry: Entry, spec: ModelSpec) -> int:
    """The parameters of a vision-language entry beyond its text architecture: the catalog's
    [architecture] is the text model (a config's text_config), its params_total_b the whole
    checkpoint's, vision tower and projector included (Gemma 3 4B: 4.3 B against 3.88 B, the
    SigLIP encoder's 0.42 B). 0 for other modalities, or where the published total, rounded,
    is not above the text model's."""
    if entry.get("modality") != "vision-language":
        return 0
    total_b = entry.get("params_total_b")
    if not isinstance(total_b, (int, float)) or isinstance(total_b, bool):
        return 0
    extra = round(total_b * 1e9) - spec.params_total
    return extra if extra > 0 else 0


def resolve_model(
    text: str, catalog: Catalog, allow_files: bool = True, quant: str | None = None
) -> ResolvedModel:
    """A catalog model, or (when ``allow_files``) a GGUF file or config.json on this machine,
    or a model on the Hugging Face Hub or the Ollama registry (runlocal.remote).

    Servers pass allow_files=False: a name from the web must never open a local file."""
    text = text.strip()
    if not text:
        raise InputError(f"model: {MODEL_REQUIRED}")
    if not allow_files or not is_local_path(text):
        try:
            return _catalog_model(text, catalog)
        except AmbiguousNameError:
            raise  # "which one?" is the answer, not a name to look up elsewhere
        except UnknownNameError as exc:
            from . import remote  # the Hub and Ollama clients load only on this path

            # Servers fetch only inside remote.serving(policy), and only explicit references.
            resolve = remote.resolve_unknown if allow_files else remote.resolve_for_server
            return resolve(text, exc, quant=quant)
    path = Path(text).expanduser()
    try:
        found = path.exists()
    except OSError as exc:  # a name too long for this file system, a path past a file
        raise InputError(f"{text[:200]}: cannot be read ({exc.strerror})") from None
    if not found:
        raise InputError(f"{text}: no such file or folder")
    if path.suffix == ".gguf" or (path.is_file() and _is_gguf(path)):
        from .gguf import read_gguf

        return ResolvedModel(read_gguf(path), None, "gguf", str(path))
    folder = path if path.is_dir() else path.parent
    config = load_config(path)
    spec = spec_from_config(config, name=folder.name or "model", where=str(path))
    from .safetensors import read_safetensors_inventory

    inv = read_safetensors_inventory(folder, spec.n_layers, hf_quant_label(config))
    if inv is not None:
        spec = with_weights(spec, inv)
    return ResolvedModel(spec, None, "config.json", str(path))


# pathlib's (Python 3.11) errors that Path.exists() reads as "no such file", and a name too
# long to be a file here (ENAMETOOLONG: a pasted paragraph is a name, not a path).
_IGNORED_ERRNOS = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP, errno.ENAMETOOLONG)
_IGNORED_WINERRORS = (21, 123, 1921)


def _name_exists(name: str) -> bool:
    """Path(name).exists() for a plain name (no '/', no leading '.' or '~', not empty, so
    Path leaves it unchanged), with the same errors ignored, at a third of the cost."""
    try:
        os.stat(name)
    except OSError as e:
        if (
            getattr(e, "errno", None) not in _IGNORED_ERRNOS
            and getattr(e, "winerror", None) not in _IGNORED_WINERRORS
        ):
            raise
        return False
    except ValueError:
        return False
    return True


def _catalog_model(text: str, catalog: Catalog) -> ResolvedModel:
    # What the name reads as and the entry's spec, kept per name and loaded catalog (a name
    # that does not read raises each time); each answer gets its own record (its notes list).
    found = _CATALOG_MODELS.get((text, catalog))
    if found is None:
        name = read_model(catalog, text)
        found = (catalog_spec(name.entry), name.entry, name.quant, name.default_quant)
        if len(_CATALOG_MODELS) >= 4096:
            _CATALOG_MODELS.clear()
        _CATALOG_MODELS[(text, catalog)] = found
    spec, entry, quant, default_quant = found
    # Positional (a class called with keywords builds a dict of them first): spec, entry,
    # source, path, notes, quant, default_quant.
    return ResolvedModel(spec, entry, "catalog", None, [], quant, default_quant)


_CATALOG_MODELS: dict[tuple[str, Catalog], tuple[ModelSpec, Entry, str | None, str | None]] = {}


def _is_gguf(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return f.read(4) == b"GGUF"
    except OSError:
        return False


def hf_quant_label(config: dict[str, Any]) -> str:
    from .hfquant import hf_quant_label

    return hf_quant_label(config)


def with_weights(spec: ModelSpec, inv: WeightInventory) -> ModelSpec:

    prov = dict(spec.provenance)
    prov["weights"] = inv.source
    return replace(spec, weights=inv, provenance=prov)


@lru_cache(maxsize=4096)
def inventory_for(spec: ModelSpec, entry: Entry | None, quant: str) -> WeightInventory:
    if entry is not None:
        for f in entry.get("files", []):
            if normalize_quant_loose(str(f.get("quant", ""))) != quant:
                continue
            if f.get("size_bytes"):
                return scale_inventory(
                    estimate_inventory(spec, quant),
                    int(f["size_bytes"]),
                    f"file size of {f.get('url', 'the published file')}",
                )
            if f.get("scheme"):
                # The published file of this quantization is laid out as a named scheme
                # (Meta's FP8 checkpoints: weights_dense "FP8-FFN"): sized as that scheme,
                # still called by the quantization asked.
                laid = estimate_inventory(spec, str(f["scheme"]))
                where = f.get("url", "the published file")
                return replace(laid, quant=quant, source=f"{laid.source}, the layout of {where}")
    return estimate_inventory(spec, quant)


def normalize_quant_loose(quant: str) -> str:
    try:
        return normalize_quant(quant)
    except InputError:
        return quant
