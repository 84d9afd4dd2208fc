"""Devices the engine budgets against: catalog entries, explicit numbers, or detection."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from fractions import Fraction
from functools import lru_cache
from typing import Literal

from .bounds import flag, out_of_range
from .catalog import Catalog, Entry
from .errors import InputError
from .frozen import hash_once
from .units import GB, GIB, TB

DeviceKind = Literal["gpu", "unified", "cpu"]


@hash_once
@dataclass(frozen=True)
class Device:
    """One accelerator, CPU or unified-memory chip: its memory, bandwidth and compute."""

    name: str
    kind: DeviceKind
    backend: str  # cuda | rocm | metal | vulkan | sycl | cpu
    memory_bytes: int
    bandwidth_bytes_per_s: float
    fp16_flops: float | None  # dense FP16 tensor FLOP/s with FP16 accumulation
    fp32_flops: float | None  # vector FLOP/s
    id: str | None = None
    vendor: str | None = None
    # Memory the GPU may use: Apple's recommendedMaxWorkingSetSize, free VRAM when detected.
    usable_memory_bytes: int | None = None
    source: str = "catalog"
    tdp_w: float | None = None
    compute_capability: float | None = None  # NVIDIA CUDA compute capability (6.1 = Pascal)
    # Dense FP16/BF16 tensor FLOP/s with FP32 accumulation, where it is lower (GeForce, L40).
    fp32_acc_flops: float | None = None
    # AMD: the LLVM target (gfx906, gfx1030, gfx1100, gfx942…); Intel: the Xe generation
    # (xe-hpg, xe2-hpg, xe2-lpg, xe3-lpg…)
    gpu_arch: str | None = None
    # Dense int8 dot-product operations/s (the catalog's int8_tops): on CPUs the rate of the
    # SIMD int8 dot product llama.cpp's quantized kernels use (NEON SDOT/i8mm, AVX-VNNI,
    # AVX-512 VNNI); None where not recorded.
    int8_flops: float | None = None
    interface: str | None = None  # the catalog's board interface: PCIe 4.0 x16, SXM5, …
    # The memory it budgets against: usable_memory_bytes where known, else memory_bytes. Set
    # once (__post_init__), read a dozen times per answer: a plain attribute, which CPython
    # reads faster than a cached_property.
    budget_bytes: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        usable = self.usable_memory_bytes
        object.__setattr__(
            self, "budget_bytes", usable if usable is not None else self.memory_bytes
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

    2/3 of RAM up to 36 GiB and 3/4 above: llama.cpp's Metal logs show 10,922.67 MiB on
    16 GiB and 21,845 MiB on 32 GiB (PR #2011), and about 36 GiB on 48 GiB Macs. Newer macOS
    gives some machines more (24 GiB → 17.76 GiB, sglang PR #29949; 128 GiB → 107.52 GiB,
    antirez/ds4 PR #893); that is left as headroom. `sudo sysctl iogpu.wired_limit_mb=N`
    changes it (see gpu_memory_setting).
    """
    share = 2 / 3 if memory_bytes <= 36 * GIB else 3 / 4
    return int(memory_bytes * share)


# AMD APUs (Strix Halo): the GPU gets the BIOS carve-out plus what the kernel lets it map
# (GTT, about half of the remaining RAM by default on Linux) or, on Windows, the Variable
# Graphics Memory chosen in AMD Software, at most 3/4 of RAM (96 of 128 GB). 3/4 is the
# most the vendor's own settings give without kernel parameters
# (rocm.docs.amd.com, "AMD Strix Halo system optimization").
AMD_APU_GPU_SHARE = 3 / 4
# Other unified-memory machines (DGX Spark, Jetson, MI300A) run Linux on the same memory:
# firmware carve-outs and the OS keep about 1/8. DGX Spark reports 119.7 GiB of its 128 GiB
# to Linux (leptonai/gpud PR #1170) and llama.cpp budgets it by MemAvailable (PR #17368).
UNIFIED_OS_RESERVE_SHARE = 1 / 8


def unified_gpu_budget_bytes(vendor: str | None, memory_bytes: int) -> int:
    """What the GPU of a unified-memory machine may use by default."""
    if vendor == "Apple":
        return apple_working_set_bytes(memory_bytes)
    if vendor == "AMD":
        return int(memory_bytes * AMD_APU_GPU_SHARE)
    return int(memory_bytes * (1 - UNIFIED_OS_RESERVE_SHARE))


def gpu_memory_default(device: Device) -> str:
    """The rule behind unified_gpu_budget_bytes for this device, in words (the pages say it
    beside the figure; they once called every machine's limit macOS's)."""
    if device.vendor == "Apple":
        return "macOS's GPU working-set limit: 2/3 of memory up to 36 GiB, 3/4 above"
    if device.vendor == "AMD":
        return (
            f"{_fraction(AMD_APU_GPU_SHARE)} of memory, the most the BIOS carve-out plus Linux's "
            "GTT or Windows' Variable Graphics Memory give without kernel parameters"
        )
    return (
        f"{_fraction(1 - UNIFIED_OS_RESERVE_SHARE)} of memory: firmware carve-outs and the OS "
        "keep the rest"
    )


def _fraction(share: float) -> str:
    f = Fraction(share).limit_denominator(16)
    return f"{f.numerator}/{f.denominator}"


def gpu_memory_setting(device: Device) -> str:
    """The setting that changes how much memory the GPU may use, in words."""
    if device.vendor == "Apple":
        return "macOS: sudo sysctl iogpu.wired_limit_mb=N"
    if device.kind == "unified" and device.vendor == "AMD":
        return (
            "the BIOS carve-out plus Linux's GTT (amdgpu.gttsize / ttm.pages_limit), "
            "or Windows' Variable Graphics Memory"
        )
    if device.kind == "unified":
        return "what the OS and other programs leave free"
    return "the VRAM other programs leave free"


def with_gpu_memory_limit(device: Device, limit_bytes: int) -> Device:
    """The device with the GPU memory the user says it may use (--gpu-memory-gb)."""
    if not 0 < limit_bytes <= device.memory_bytes:
        raise InputError(
            f"--gpu-memory-gb {limit_bytes / GIB:g} is out of range for {device.name} "
            f"(0–{device.memory_bytes / GIB:g})"
        )
    return replace(device, usable_memory_bytes=limit_bytes, source="setting")


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
    if kind == "unified":
        usable = unified_gpu_budget_bytes(d.get("vendor"), memory)
    fp16 = d.get("fp16_tensor_tflops")
    fp32 = d.get("fp32_tflops")
    acc = d.get("fp32_acc_tensor_tflops")
    int8 = d.get("int8_tops")
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
        fp32_acc_flops=float(acc) * TB if acc else None,
        gpu_arch=d.get("gpu_arch"),
        int8_flops=float(int8) * TB if int8 else None,
        interface=d.get("interface"),
    )


def _compute_capability(value: object) -> float | None:
    try:
        return float(str(value)) if value else None
    except ValueError:
        return None


def parse_hardware(catalog: Catalog, text: str) -> list[Device]:
    """'RTX 4090', '2x RTX 3090', 'M2 Max 38-core 64GB' → devices (one per physical GPU).

    The reading of the name (counts, memory sizes, variants) is
    runlocal.resolve.hardware_reading's, the matching against the catalog
    runlocal.resolve.hardware's."""
    return list(_parse_hardware(catalog, text))


@lru_cache(maxsize=4096)  # Catalog hashes by identity; its own name lookups are cached too
def _parse_hardware(catalog: Catalog, text: str) -> tuple[Device, ...]:
    from .resolve.ids import read_hardware

    devices: list[Device] = []
    for part in read_hardware(catalog, text):
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
    # The lower bounds keep byte counts and rates away from zero (runlocal.bounds).
    for key, value in (
        ("vram_gb", vram_gb),
        ("bandwidth_gb_s", bandwidth_gb_s),
        ("tflops", tflops),
    ):
        problem = None if value is None else out_of_range(key, value)
        if problem:
            raise InputError(f"{flag(key)} {problem}")
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


def tensor_rate_for(device: Device, fp32_accumulate: bool) -> Device:
    """The device as a runtime sees it: llama.cpp's cuBLAS GEMMs accumulate in FP16 on NVIDIA
    (ggml-cuda, CUBLAS_COMPUTE_16F), PyTorch runtimes in FP32 (BF16 has no FP16 accumulate),
    which GeForce cards and the L40 run at half rate."""
    if fp32_accumulate and device.fp32_acc_flops is not None:
        return _fp32_accumulating(device)
    return device


@lru_cache(maxsize=1024)
def _fp32_accumulating(device: Device) -> Device:
    """One object per device, as the catalog's own devices are: the caches keyed by devices
    find it by identity, without hashing and comparing its fields again."""
    return replace(device, fp16_flops=device.fp32_acc_flops)


def with_free_memory(device: Device, free_bytes: int) -> Device:
    return replace(device, usable_memory_bytes=free_bytes, source="detected")
