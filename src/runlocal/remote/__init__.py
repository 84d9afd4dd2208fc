"""Models that are not in the catalog: on the Hugging Face Hub or the Ollama registry.

Only headers are read (config.json, safetensors headers, GGUF headers), by HTTP range
requests through huggingface_hub's client, with the same parsers as files on disk, so a
model answers the same whether it was read remotely or locally. This package imports only
the standard library; huggingface_hub is imported when a remote model is actually read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import RemoteError, UnknownNameError
from ..resolve.refs import HubRef, OllamaRef, looks_remote, parse_ref
from .listing import ListedFile, RemoteRead
from .policy import ServerPolicy, current, serving

if TYPE_CHECKING:
    from ..sources import ResolvedModel

__all__ = [
    "ListedFile",
    "RemoteError",
    "RemoteModel",
    "RemoteRead",
    "ServerPolicy",
    "looks_remote",
    "parse_ref",
    "read_remote",
    "resolve_for_server",
    "resolve_remote",
    "resolve_unknown",
    "serving",
]


@dataclass(frozen=True)
class RemoteModel:
    """A remote model as read: the reference, what the read found, and the engine's model."""

    ref: HubRef | OllamaRef
    read: RemoteRead
    model: ResolvedModel

    @property
    def source(self) -> str:
        return "hub" if isinstance(self.ref, HubRef) else "ollama"

    @property
    def label(self) -> str:
        """owner/name for the Hub, name:tag (namespace/ kept when not library) for Ollama."""
        if isinstance(self.ref, HubRef):
            return self.ref.repo
        ns = self.ref.namespace
        return self.ref.label if ns == "library" else f"{ns}/{self.ref.label}"


def read_remote(text: str, *, quant: str | None = None) -> RemoteModel:
    """Read a Hub id or URL, an hf.co/owner/name:QUANT reference or an Ollama tag.

    ``quant`` picks the GGUF file of a repo holding several (the reference's own :QUANT
    wins). Raises RemoteError (a RunlocalError) with one line for every failure."""
    from ..sources import ResolvedModel

    ref = parse_ref(text)
    if ref is None:
        raise RemoteError(f"{text.strip()}: not a Hub id, Hub URL, hf.co reference or Ollama tag")
    if isinstance(ref, HubRef):
        from .hub import resolve_hub

        r = resolve_hub(ref, quant)
        named = quant or ref.quant or ref.filename or ref.folder
        choices = tuple(
            (f.quant, f.size_bytes)
            for f in r.files
            if f.quant and f.size_bytes and r.kind == "gguf" and not named
        )
        model = ResolvedModel(
            r.spec, None, r.kind, r.where, r.notes, hub_repo=ref.repo, file_choices=choices
        )
        return RemoteModel(ref, r, model)
    assert isinstance(ref, OllamaRef)
    from .ollama import resolve_ollama

    r = resolve_ollama(ref)
    model = ResolvedModel(r.spec, None, r.kind, r.where, r.notes, ollama_tag=ref.label)
    return RemoteModel(ref, r, model)


def resolve_remote(text: str, *, quant: str | None = None) -> ResolvedModel:
    """The engine's model for a remote reference (read_remote's model)."""
    return read_remote(text, quant=quant).model


def resolve_unknown(
    text: str, unknown: UnknownNameError, *, quant: str | None = None
) -> ResolvedModel:
    """A name the catalog does not know, read remotely when it reads as a remote reference.

    A bare name (no tag, no owner) may be an Ollama model or a typo of a catalog name: when
    the registry cannot answer for it, the catalog's error (with its suggestions) stands."""
    ref = parse_ref(text)
    if ref is None:
        raise unknown
    if isinstance(ref, OllamaRef) and not ref.explicit_tag:
        try:
            return resolve_remote(text, quant=quant)
        except RemoteError:
            raise unknown from None
    return resolve_remote(text, quant=quant)


def resolve_for_server(
    text: str, unknown: UnknownNameError, *, quant: str | None = None
) -> ResolvedModel:
    """A server's name lookup: a remote model only inside ``serving(policy)`` (the site
    turned it on) and only for an explicit reference (a Hub id or URL, hf.co/…, name:tag);
    a bare name stays a catalog name and keeps the catalog's error."""
    ref = parse_ref(text) if current() is not None else None
    if ref is None or (isinstance(ref, OllamaRef) and not ref.explicit_tag):
        raise unknown
    return resolve_remote(text, quant=quant)
