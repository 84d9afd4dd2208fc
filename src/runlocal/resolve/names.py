"""What a typed name was read as: the records both resolvers return, in a module of their own
so that a catalog id is answered without loading either resolver (runlocal.resolve.ids)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..catalog import Entry

# "two 3090s", "two P40s", "4 T4s": a lower-case s after a model number (or a data-centre
# card's letter and one or two digits) is a plural, read only where a count is typed (the
# hardware reading's rule; here so that runlocal.resolve.ids asks it without loading that).
PLURAL_RE = re.compile(r"(\d{3,5}|(?<![A-Za-z0-9])[A-Za-z]\d{1,2})s\b")


@dataclass(frozen=True)
class HardwareName:
    """One device as understood: the entry, the memory size chosen (None = the entry's
    default), and how many of it."""

    entry: Entry
    memory_gib: float | None
    count: int

    @property
    def label(self) -> str:
        size = f" {self.memory_gib:g}GB" if self.memory_gib is not None else ""
        many = f"{self.count}× " if self.count > 1 else ""
        return f"{many}{self.entry.name}{size}"

    @property
    def query(self) -> str:
        """The canonical text that reads back as the same thing: '2x apple-m4-max-40c 128GB'."""
        size = f" {self.memory_gib:g}GB" if self.memory_gib is not None else ""
        many = f"{self.count}x " if self.count > 1 else ""
        return f"{many}{self.entry.id}{size}"


@dataclass(frozen=True)
class ModelName:
    """A typed model name as understood: the entry and the quant the name states (None when
    it states none)."""

    entry: Entry
    quant: str | None  # stated in the name ("-Q4_K_M.gguf", "-AWQ", ":27b-it-qat")
    form: str  # "name", "hub", "ollama", "gguf-file"
    default_quant: str | None = None  # implied, not stated: what a bare Ollama tag ships
