"""Cloud instance types typed as hardware ("p4de.24xlarge", "Standard_ND96isr_H100_v5"): the GPU
and GPU count that the catalog's price entries state for them (runlocal.resolve.hardware asks
here first)."""

from __future__ import annotations

import re
from functools import lru_cache

from ..catalog import Catalog
from .names import HardwareName


@lru_cache(maxsize=8)  # Catalog hashes by identity
def _instances(catalog: Catalog) -> dict[str, tuple[str, int]]:
    """A cloud instance type as the catalog's prices name it ("p4de.24xlarge",
    "Standard_ND96isr_H100_v5", "gpu_8x_a100_80gb_sxm4") → its GPU and how many it has."""
    out: dict[str, tuple[str, int]] = {}
    for price in catalog.prices.values():
        name = str(price.get("instance") or "")
        hardware = str(price.get("hardware") or "")
        if price.get("kind") == "cloud-gpu" and name and " " not in name and hardware:
            out[name.lower()] = (hardware, int(price.get("gpus") or 1))
    return out


def cloud_instance(catalog: Catalog, text: str) -> HardwareName | None:
    """A cloud instance type typed as a word of its own ("AWS p5.48xlarge"): the GPU the
    catalog's price entry for it states, as many as it states."""
    instances = _instances(catalog)
    for word in re.split(r"[\s,;()]+", text.lower()):
        hit = instances.get(word)
        if hit and hit[0] in catalog.hardware:
            return HardwareName(catalog.hardware[hit[0]], None, hit[1])
    return None
