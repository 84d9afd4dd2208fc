"""What detection finds: the GPUs, the CPU and memory, an Apple chip, the whole machine."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Confidence = Literal["matched", "unknown"]


@dataclass
class DetectedGPU:
    name: str
    vendor: str  # NVIDIA | AMD | Intel
    memory_total_bytes: int | None = None
    memory_free_bytes: int | None = None
    bus_width_bits: int | None = None
    memory_clock_mhz: int | None = None
    bandwidth_gb_s: float | None = None  # bus width x effective memory clock, when known
    compute_capability: str | None = None
    driver: str | None = None
    pcie: str | None = None
    index: int = 0
    source: str = ""  # nvml | nvidia-smi | sysfs | amd-smi | rocm-smi
    integrated: bool = False
    catalog_id: str | None = None
    catalog_name: str | None = None
    confidence: Confidence = "unknown"


@dataclass
class DetectedCPU:
    model: str = "unknown CPU"
    arch: str = ""
    cores: int | None = None
    threads: int | None = None
    flags: dict[str, bool] = field(default_factory=dict)  # avx2, avx512, amx, neon
    ram_total_bytes: int | None = None
    ram_available_bytes: int | None = None
    catalog_id: str | None = None
    catalog_name: str | None = None
    catalog_kind: str | None = None  # "cpu", or "unified" for Strix Halo-like chips
    confidence: Confidence = "unknown"


@dataclass
class DetectedApple:
    chip: str
    gpu_cores: int | None = None
    unified_memory_bytes: int | None = None
    working_set_bytes: int | None = None
    working_set_source: str = "macOS default share"
    catalog_id: str | None = None
    catalog_name: str | None = None
    confidence: Confidence = "unknown"


@dataclass
class Machine:
    platform: str
    gpus: list[DetectedGPU] = field(default_factory=list)
    cpu: DetectedCPU = field(default_factory=DetectedCPU)
    apple: DetectedApple | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def has_gpu(self) -> bool:
        return any(not g.integrated for g in self.gpus) or self.apple is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "gpus": [asdict(g) for g in self.gpus],
            "cpu": asdict(self.cpu),
            "apple": asdict(self.apple) if self.apple is not None else None,
            "notes": list(self.notes),
        }
