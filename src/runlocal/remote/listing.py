"""What a remote read found, as data: the spec, where it was read, and the repository's model
files with their sizes and quants (the page for a remote model lists them; notes only name
them in a line)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ..spec import ModelSpec


@dataclass(frozen=True)
class ListedFile:
    """One model file of a repository (all shards of it), or an Ollama tag's model blob."""

    name: str  # path in the repository (the first shard), or the registry tag
    size_bytes: int | None
    quant: str | None  # the quantization the file's name (or header) declares
    shards: int = 1
    read: bool = False  # its header gave the answer

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class RemoteRead:
    spec: ModelSpec
    kind: str  # "gguf" | "config.json"
    where: str  # the URL it was read from
    notes: list[str]
    files: tuple[ListedFile, ...] = ()
    # The repository's config.json when the answer came from it (a draft entry copies it).
    config: dict[str, Any] | None = field(default=None, compare=False)
