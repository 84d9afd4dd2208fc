"""Models on the Ollama registry: the tag's manifest names the model blob (a GGUF file),
whose header is read by range requests. Blobs are named by digest, so a cached header never
needs revalidating; manifests are revalidated by ETag."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from ..errors import RemoteError
from ..gguf import read_gguf
from ..resolve.refs import OllamaRef
from .listing import ListedFile, RemoteRead
from .objects import RemoteFiles, RemoteObject, fetch_document

DEFAULT_REGISTRY = "https://registry.ollama.ai"
MODEL_MEDIA_TYPE = "application/vnd.ollama.image.model"
_ACCEPT = "application/vnd.docker.distribution.manifest.v2+json"
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_MAX_MANIFEST_BYTES = 1 << 20


def registry() -> str:
    return (os.environ.get("RUNLOCAL_OLLAMA_REGISTRY", "").strip() or DEFAULT_REGISTRY).rstrip("/")


def model_layer(manifest: Any, what: str) -> tuple[str, int]:
    """(digest, size) of the manifest's model layer (also used for Ollama's local store)."""
    layers = manifest.get("layers") if isinstance(manifest, dict) else None
    if not isinstance(layers, list):
        raise RemoteError(f"{what}: the manifest has no layers")
    for layer in layers:
        if isinstance(layer, dict) and layer.get("mediaType") == MODEL_MEDIA_TYPE:
            digest, size = layer.get("digest"), layer.get("size")
            if not isinstance(digest, str) or not _DIGEST.match(digest):
                raise RemoteError(f"{what}: the model layer's digest is not a sha256 digest")
            if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
                raise RemoteError(f"{what}: the model layer has no size")
            return digest, size
    raise RemoteError(f"{what}: the manifest has no model layer ({MODEL_MEDIA_TYPE})")


def resolve_ollama(ref: OllamaRef) -> RemoteRead:
    base = registry()
    repo = f"{ref.namespace}/{ref.name}"
    what = f"ollama {ref.label}"
    url = f"{base}/v2/{repo}/manifests/{ref.tag}"
    raw = fetch_document(
        url,
        f"ollama:{url}",
        what=what,
        headers={"Accept": _ACCEPT},
        limit=_MAX_MANIFEST_BYTES,
    )
    try:
        manifest = json.loads(raw)
    except (ValueError, RecursionError):
        raise RemoteError(f"{what}: the manifest is not JSON") from None
    digest, size = model_layer(manifest, what)
    blob_url = f"{base}/v2/{repo}/blobs/{digest}"
    path = Path(ref.label)
    files = RemoteFiles(
        {path: lambda: RemoteObject(blob_url, f"ollama-blob:{digest}", what=what, size=size)}
    )
    try:
        spec = read_gguf(path, files)
    finally:
        files.save()
    quant = spec.weights.quant if spec.weights is not None else None
    return RemoteRead(
        spec,
        "gguf",
        f"{base}/{repo}:{ref.tag}",
        ["read from the Ollama registry by range requests (header only), not reviewed"],
        (ListedFile(ref.label, size, quant, 1, True),),
    )
