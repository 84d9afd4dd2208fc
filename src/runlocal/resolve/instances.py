"""Cloud instance types typed as hardware ("p4de.24xlarge", "Standard_ND96isr_H100_v5"): the GPU
and GPU count that the catalog's price entries state for them (runlocal.resolve.hardware asks
here first)."""

from __future__ import annotations

import re
from functools import lru_cache

from ..catalog import Catalog
from ..errors import UnknownNameError
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


# Cloud instance types by their providers' naming (AWS "g5.12xlarge", "p4d.24xlarge"; Google
# Cloud "a2-highgpu-16g", "g2-standard-48"; Azure "Standard_NC40ads_H100_v5", "NC6s_v3"). Such a
# word names a machine, never a GPU's own name: the GPU words inside it ("A100", the "a2" of
# a2-highgpu, the "16g" GPU count) are no GPU name or memory size.
_INSTANCE_RE = re.compile(
    r"^(?:[a-z]+\d+[a-z]*\.(?:\d*x?large|metal(?:-\d+xl)?)"
    r"|[a-z]\d+-(?:highgpu|megagpu|ultragpu|edgegpu|standard|highmem|highcpu)-\d+g?"
    r"|(?:standard_)?n[a-z]\d+[a-z]*(?:_[a-z0-9]+)*_v\d+)$"
)
# Google Cloud's accelerator-optimized types end in the GPU count: a3-highgpu-1g, -2g, -4g, -8g
# (cloud.google.com/compute/docs/accelerator-optimized-machines).
_GCP_GPUS_RE = re.compile(r"^([a-z]\d+-[a-z]+gpu)-(\d+)g$")


def cloud_instance(catalog: Catalog, text: str) -> HardwareName | None:
    """A cloud instance type typed as a word of its own ("AWS p5.48xlarge"): the GPU the
    catalog's price entry for it states, as many as it states. Azure's types are read with or
    without their "Standard_" prefix; a Google Cloud type of a family the prices name with
    another GPU count ("a3-highgpu-8g" beside a3-highgpu-1g) has the count its name ends in.
    An instance type the catalog's prices do not name is refused (UnknownNameError): the GPU
    words inside it are not a device's name."""
    instances = _instances(catalog)
    for word in re.split(r"[\s,;()]+", text.lower()):
        # SageMaker names its instances "ml." + the EC2 type ("ml.g5.xlarge"; AWS's SageMaker
        # instance types), the same machine (session 18 names9)
        word = word.removeprefix("ml.") if _INSTANCE_RE.match(word[3:]) else word
        hit = instances.get(word) or instances.get(f"standard_{word}")
        if hit and hit[0] in catalog.hardware:
            return HardwareName(catalog.hardware[hit[0]], None, hit[1])
        gcp = _GCP_GPUS_RE.match(word)
        if gcp:
            gpus = {
                hw
                for name, (hw, _) in instances.items()
                if (m := _GCP_GPUS_RE.match(name)) and m.group(1) == gcp.group(1)
            }
            if len(gpus) == 1 and (hw := gpus.pop()) in catalog.hardware:
                return HardwareName(catalog.hardware[hw], None, int(gcp.group(2)))
        if _INSTANCE_RE.match(word):
            error = UnknownNameError("hardware", text, [])
            error.args = (
                f"unknown hardware {text!r}: {word!r} is a cloud instance type the catalog"
                " has no price entry for; type its GPU and count instead (e.g. '4x A10G')",
            )
            raise error
    return None
