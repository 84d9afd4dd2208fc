"""Names read as a catalog id first, without loading the resolvers.

Both resolvers answer a catalog id before reading anything else in the text: the same answer
comes from the entry itself, so a cold `runlocal check` by id (and every table of the
website, which asks by id) loads neither resolver's code nor its indexes."""

from __future__ import annotations

from ..catalog import Catalog
from .names import HardwareName, ModelName


def read_hardware(catalog: Catalog, text: str) -> tuple[HardwareName, ...]:
    """runlocal.resolve.hardware.resolve_hardware_name, an id answered directly."""
    entry = catalog.entries("hardware").get(text)  # (the property's call saved)
    if entry is not None:
        return (HardwareName(entry, None, 1),)
    from .hardware import resolve_hardware_name

    return resolve_hardware_name(catalog, text)


def read_model(catalog: Catalog, text: str) -> ModelName:
    """runlocal.resolve.models.resolve_model_name, an id answered directly."""
    entry = catalog.entries("models").get(text)
    if entry is not None:
        return ModelName(entry, None, "name")
    from .models import resolve_model_name

    return resolve_model_name(catalog, text)
