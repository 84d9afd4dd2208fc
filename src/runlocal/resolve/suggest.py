"""Names to offer while someone types: the same reading as the resolver, ranked for a list."""

from __future__ import annotations

from dataclasses import dataclass

from ..catalog import Catalog, Entry, normalize
from ..errors import InputError
from .hardware import resolve_hardware_name
from .models import resolve_model_name

KINDS = ("models", "hardware")


@dataclass(frozen=True)
class Suggestion:
    kind: str  # "models" | "hardware"
    entry: Entry
    understood: bool  # the resolver reads the typed text as exactly this entry
    # The text to put back in the box: the name plus what else was read from the typed text
    # ("2x NVIDIA GeForce RTX 3090", "Apple M4 Max (40-core GPU) 128GB", "… Q4_K_M").
    fill: str = ""

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "id": self.entry.id,
            "name": self.entry.name,
            "fill": self.fill or self.entry.name,
            "understood": self.understood,
        }


def suggest(
    catalog: Catalog, text: str, kinds: tuple[str, ...] = KINDS, limit: int = 8
) -> list[Suggestion]:
    """What the typed text names (first, when the resolver understands it), then the entries
    whose name or an alias starts with it, then those holding every typed word."""
    typed = normalize(text)
    if not typed or len(text) > 200:
        return []
    out: list[Suggestion] = []
    seen: set[tuple[str, str]] = set()

    def add(kind: str, entry: Entry, understood: bool, fill: str = "") -> None:
        if (kind, entry.id) not in seen and len(out) < limit:
            seen.add((kind, entry.id))
            out.append(Suggestion(kind, entry, understood, fill))

    for kind in kinds:
        hit = _understood(catalog, kind, text)
        if hit is not None:
            add(kind, *hit)
    words = typed.split()
    for rank in (0, 1):
        for kind in kinds:
            for entry in catalog.entries(kind).values():
                labels = [normalize(x) for x in (entry.name, entry.id, *entry.aliases)]
                starts = any(label.startswith(typed) for label in labels)
                holds = any(all(w in label.split() for w in words) for label in labels)
                if (rank == 0 and starts) or (rank == 1 and holds):
                    add(kind, entry, False)
    return out


def _understood(catalog: Catalog, kind: str, text: str) -> tuple[Entry, bool, str] | None:
    try:
        if kind == "models":
            name = resolve_model_name(catalog, text)
            quant = f" {name.quant}" if name.quant else ""
            return name.entry, True, f"{name.entry.name}{quant}"
        parts = resolve_hardware_name(catalog, text)
    except InputError:
        return None
    if len(parts) != 1:
        return None
    part = parts[0]
    many = f"{part.count}x " if part.count > 1 else ""
    size = f" {part.memory_gib:g}GB" if part.memory_gib is not None else ""
    return part.entry, True, f"{many}{part.entry.name}{size}"
