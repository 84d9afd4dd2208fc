"""Devices the engine budgets against: catalog entries, explicit numbers, or detection."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal

from .catalog import Catalog, Entry
from .errors import InputError
from .units import GB, GIB, TB

DeviceKind = Literal["gpu", "unified", "cpu"]


@dataclass(frozen=True)
class Device:
    name: str
    kind: DeviceKind
    backend: str  # cuda | rocm | metal | vulkan | sycl | cpu
    memory_bytes: int
    bandwidth_bytes_per_s: float
    fp16_flops: float | None  # dense tensor FLOP/s
    fp32_flops: float | None  # vector FLOP/s
    id: str | None = None
    vendor: str | None = None
    # Memory the GPU may use: Apple's recommendedMaxWorkingSetSize, free VRAM when detected.
    usable_memory_bytes: int | None = None
    source: str = "catalog"
    tdp_w: float | None = None
    compute_capability: float | None = None  # NVIDIA CUDA compute capability (6.1 = Pascal)

    @property
    def budget_bytes(self) -> int:
        return (
            self.usable_memory_bytes if self.usable_memory_bytes is not None else self.memory_bytes
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "backend": self.backend,
            "memory_bytes": self.memory_bytes,
            "usable_memory_bytes": self.budget_bytes,
            "bandwidth_bytes_per_s": self.bandwidth_bytes_per_s,
            "fp16_flops": self.fp16_flops,
            "fp32_flops": self.fp32_flops,
            "source": self.source,
        }


def apple_working_set_bytes(memory_bytes: int) -> int:
    """macOS's default GPU working set (recommendedMaxWorkingSetSize).

    Measured: 16 GiB → 10,922.67 MiB (2/3), 32 GiB → 21,845 MiB (2/3), 24 GiB → 17.76 GiB (74%),
    128 GiB → 107.52 GiB (84%); llama.cpp PR #2011, sglang PR #29949, antirez/ds4 PR #893.
    Machines of 64 GiB and more get 3/4 here; the larger measured share on newer macOS is
    left as headroom.
    """
    share = 2 / 3 if memory_bytes < 64 * GIB else 3 / 4
    return int(memory_bytes * share)


_BACKEND_PREFERENCE = ("cuda", "metal", "rocm", "vulkan", "sycl", "cpu")


@lru_cache(maxsize=2048)
def device_from_entry(entry: Entry, memory_gib: float | None = None) -> Device:
    d = entry.data
    kind: DeviceKind = d.get("kind", "gpu")
    configs = [float(x) for x in d.get("memory_configs_gib", [])]
    mem_gib = float(d["memory_gib"]) if memory_gib is None else memory_gib
    if memory_gib is not None and configs and memory_gib not in configs:
        shown = ", ".join(f"{c:g}" for c in configs)
        raise InputError(f"{entry.name} comes with {shown} GiB, not {memory_gib:g}")
    memory = round(mem_gib * GIB)
    backends = d.get("backends", [])
    backend = next(
        (b for b in _BACKEND_PREFERENCE if b in backends), "cpu" if kind == "cpu" else "vulkan"
    )
    usable = None
    if d.get("vendor") == "Apple":
        usable = apple_working_set_bytes(memory)
    fp16 = d.get("fp16_tensor_tflops")
    fp32 = d.get("fp32_tflops")
    return Device(
        id=entry.id,
        name=entry.name if memory_gib is None else f"{entry.name} {mem_gib:g}GB",
        kind=kind,
        backend=backend,
        vendor=d.get("vendor"),
        memory_bytes=memory,
        usable_memory_bytes=usable,
        bandwidth_bytes_per_s=float(d["bandwidth_gb_s"]) * GB,
        fp16_flops=float(fp16) * TB if fp16 else None,
        fp32_flops=float(fp32) * TB if fp32 else None,
        tdp_w=float(d["tdp_w"]) if d.get("tdp_w") else None,
        compute_capability=_compute_capability(d.get("cuda_compute_capability")),
    )


def _compute_capability(value: object) -> float | None:
    try:
        return float(str(value)) if value else None
    except ValueError:
        return None


def parse_hardware(catalog: Catalog, text: str) -> list[Device]:
    """'RTX 4090', '2x RTX 3090', 'M2 Max 38-core 64GB' → devices (one per physical GPU).

    The reading of the name (counts, memory sizes, variants) is runlocal.resolve.hardware's."""
    return list(_parse_hardware(catalog, text))


@lru_cache(maxsize=4096)  # Catalog hashes by identity; its own name lookups are cached too
def _parse_hardware(catalog: Catalog, text: str) -> tuple[Device, ...]:
    from .resolve.hardware import resolve_hardware_name

    devices: list[Device] = []
    for part in resolve_hardware_name(catalog, text):
        devices.extend([device_from_entry(part.entry, part.memory_gib)] * part.count)
    if len(devices) > 64:
        raise InputError(f"{len(devices)} devices is out of range (1–64)")
    return tuple(devices)


def explicit_device(
    vram_gb: float,
    bandwidth_gb_s: float,
    tflops: float | None = None,
    name: str = "custom device",
) -> Device:
    """A device described by numbers, for hardware the catalog lacks.

    VRAM is sold in binary units (a "24 GB" card has 24 GiB), so vram_gb is read as the number
    on the box, i.e. GiB; the basis of every answer records the byte count used.
    """
    # The lower bounds keep byte counts and rates away from zero (1 MiB, 1 MB/s, 1 GFLOPS).
    if not 0.001 <= vram_gb <= 4096:
        raise InputError(f"--vram-gb {vram_gb:g} is out of range (0.001–4096)")
    if not 0.001 <= bandwidth_gb_s <= 50_000:
        raise InputError(f"--bandwidth-gb-s {bandwidth_gb_s:g} is out of range (0.001–50000)")
    if tflops is not None and not 0.001 <= tflops <= 100_000:
        raise InputError(f"--tflops {tflops:g} is out of range (0.001–100000)")
    return Device(
        name=name,
        kind="gpu",
        backend="cuda",
        memory_bytes=round(vram_gb * GIB),
        bandwidth_bytes_per_s=bandwidth_gb_s * GB,
        fp16_flops=tflops * TB if tflops else None,
        fp32_flops=None,
        source="explicit",
    )


def with_free_memory(device: Device, free_bytes: int) -> Device:
    return replace(device, usable_memory_bytes=free_bytes, source="detected")
