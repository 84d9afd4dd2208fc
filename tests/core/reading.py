"""What the name-reading tests ask of a typed name: the catalog entry it reads as, with the
GPU count (hardware) or the quantization it names (models)."""

from __future__ import annotations

from runlocal.catalog import load_catalog
from runlocal.resolve.hardware import resolve_hardware_name
from runlocal.resolve.models import resolve_model_name


def hardware(text: str) -> tuple[str, int]:
    (part,) = resolve_hardware_name(load_catalog(), text)
    return part.entry.id, part.count


def hardware_sized(text: str) -> tuple[str, float | None, int]:
    """hardware(), with the memory size the name gives (None where it gives none)."""
    (part,) = resolve_hardware_name(load_catalog(), text)
    return part.entry.id, part.memory_gib, part.count


def model(text: str) -> tuple[str, str | None]:
    name = resolve_model_name(load_catalog(), text)
    return name.entry.id, name.quant
