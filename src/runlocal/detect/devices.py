"""What was detected, as the engine's devices: free memory (not total) as each one's budget,
for `runlocal check` without --hardware."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..catalog import Catalog
from ..hardware import Device, device_from_entry, with_free_memory
from ..profile import Calibration, Profile, device_key, load_profile
from ..units import GB, GIB
from . import detect_machine
from .found import DetectedApple, DetectedCPU, DetectedGPU, Machine

if TYPE_CHECKING:
    from ..engine import LocalMachine

_BACKEND = {"NVIDIA": "cuda", "AMD": "rocm", "Intel": "sycl"}


@dataclass
class Usable:
    devices: list[Device]
    host_ram_bytes: int | None
    notes: list[str]
    unavailable: str = ""


def _cal(
    calibration: Mapping[str, Calibration], catalog_id: str | None, name: str
) -> Calibration | None:
    return calibration.get(device_key(catalog_id, name))


def usable_devices(
    machine: Machine,
    catalog: Catalog,
    calibration: Mapping[str, Calibration] | None = None,
) -> Usable:
    """What `runlocal check` plans on: discrete GPUs of one vendor (each budgeted at its free
    memory), else the Apple or Strix Halo-like unified chip, else the CPU with system RAM."""
    calibration = calibration or {}
    notes: list[str] = []
    ram_total = machine.cpu.ram_total_bytes
    ram_free = machine.cpu.ram_available_bytes
    gpus: dict[str, list[Device]] = {}
    for g in machine.gpus:
        if g.integrated:
            continue
        cal = _cal(calibration, g.catalog_id, g.name)
        device = _gpu_device(g, catalog, cal, ram_free, notes)
        if device is not None:
            gpus.setdefault(g.vendor, []).append(device)
    if gpus:
        vendor = max(gpus, key=lambda v: sum(d.budget_bytes for d in gpus[v]))
        for other in gpus:
            if other != vendor:
                notes.append(f"{other} GPUs left out: llama.cpp runs one backend at a time")
        chosen = gpus[vendor]
        shown = ", ".join(
            f"{d.name} ({d.budget_bytes / GIB:.1f} GiB free of {d.memory_bytes / GIB:.1f} GiB)"
            for d in chosen
        )
        notes.insert(0, f"hardware detected on this machine: {shown}")
        return Usable(chosen, ram_free, notes)
    apple = machine.apple
    if apple is not None:
        device = _apple_device(apple, catalog, ram_free, notes)
        if device is not None:
            notes.insert(
                0,
                f"hardware detected on this machine: {device.name}, GPU working set "
                f"{device.budget_bytes / GIB:.1f} GiB",
            )
            return Usable([device], None, notes)
    cpu = machine.cpu
    if cpu.catalog_id is not None and cpu.catalog_kind == "unified" and ram_total:
        entry = catalog.hardware[cpu.catalog_id]
        base = device_from_entry(entry)
        device = replace(
            base,
            memory_bytes=ram_total,
            usable_memory_bytes=min(x for x in (base.budget_bytes, ram_free or ram_total) if x),
            source="detected",
        )
        notes.insert(0, f"hardware detected on this machine: {device.name} (unified memory)")
        return Usable([device], None, notes)
    device = _cpu_device(cpu, catalog, _cal(calibration, cpu.catalog_id, cpu.model))
    if device is None:
        why = (
            f"this CPU ({cpu.model}) is neither in the catalog nor measured (run `runlocal bench`)"
            if ram_total
            else "this machine's memory could not be read"
        )
        return Usable([], None, notes, unavailable=f"detection found no GPU, and {why}")
    notes.insert(
        0,
        f"hardware detected on this machine: no GPU; {device.name} with "
        f"{device.budget_bytes / GIB:.1f} GiB of RAM available of {device.memory_bytes / GIB:.1f} GiB",
    )
    return Usable([device], None, notes)


def _gpu_device(
    g: DetectedGPU,
    catalog: Catalog,
    cal: Calibration | None,
    ram_free: int | None,
    notes: list[str],
) -> Device | None:
    if g.catalog_id is not None:
        base = device_from_entry(catalog.hardware[g.catalog_id])
        if g.memory_total_bytes:
            base = replace(base, memory_bytes=g.memory_total_bytes)
        free = g.memory_free_bytes
        if free is None and base.kind == "unified" and ram_free is not None:
            free = min(base.budget_bytes, ram_free)  # GB10, Jetson: the GPU shares system RAM
        if free is None:
            notes.append(f"{g.name}: free memory unknown; budgeting its total")
            free = base.memory_bytes
        return with_free_memory(base, free)
    # Its own spec first (the engine puts a bench measurement in its place, in the basis).
    bandwidth = (g.bandwidth_gb_s or 0) * GB or (cal.bandwidth_bytes_per_s if cal else 0)
    if not g.memory_total_bytes or bandwidth <= 0:
        missing = "memory size" if not g.memory_total_bytes else "memory bandwidth"
        notes.append(
            f"{g.name}: not in the catalog and its {missing} is unknown; not used "
            "(run `runlocal bench`, or give --vram-gb and --bandwidth-gb-s)"
        )
        return None
    free = g.memory_free_bytes if g.memory_free_bytes is not None else g.memory_total_bytes
    notes.append(f"{g.name}: not in the catalog; using its detected specs (low confidence)")
    return Device(
        name=g.name,
        kind="gpu",
        backend=_BACKEND.get(g.vendor, "vulkan"),
        vendor=g.vendor,
        memory_bytes=g.memory_total_bytes,
        usable_memory_bytes=free,
        bandwidth_bytes_per_s=bandwidth,
        fp16_flops=cal.fp16_flops if cal else None,
        fp32_flops=None,
        source="detected",
    )


def _apple_device(
    apple: DetectedApple, catalog: Catalog, ram_free: int | None, notes: list[str]
) -> Device | None:
    if apple.catalog_id is None or not apple.unified_memory_bytes:
        notes.append(f"{apple.chip}: not in the catalog; not used")
        return None
    entry = catalog.hardware[apple.catalog_id]
    gib = apple.unified_memory_bytes / GIB
    configs = [float(x) for x in entry.get("memory_configs_gib") or []]
    exact = next((c for c in configs if abs(c - gib) < 0.5), None)
    base = (
        device_from_entry(entry, exact)
        if exact is not None
        else replace(device_from_entry(entry), memory_bytes=apple.unified_memory_bytes)
    )
    budget = apple.working_set_bytes or base.budget_bytes
    if ram_free is not None and ram_free < budget:
        notes.append(
            f"only {ram_free / GIB:.1f} GiB of memory is free now, below the GPU working set of "
            f"{budget / GIB:.1f} GiB: budgeting the free memory"
        )
        budget = ram_free
    return with_free_memory(base, budget)


def _cpu_device(cpu: DetectedCPU, catalog: Catalog, cal: Calibration | None) -> Device | None:
    total = cpu.ram_total_bytes
    if not total:
        return None
    free = cpu.ram_available_bytes if cpu.ram_available_bytes is not None else total
    if cpu.catalog_id is not None and cpu.catalog_kind == "cpu":
        base = device_from_entry(catalog.hardware[cpu.catalog_id])
        return replace(base, memory_bytes=total, usable_memory_bytes=free, source="detected")
    if cal is None:
        return None
    return Device(
        name=cpu.model,
        kind="cpu",
        backend="cpu",
        memory_bytes=total,
        usable_memory_bytes=free,
        bandwidth_bytes_per_s=cal.bandwidth_bytes_per_s,
        # Measured FP32 matmul for both: a CPU without native FP16 math prefills at it.
        fp16_flops=cal.fp32_flops,
        fp32_flops=cal.fp32_flops,
        source="detected",
    )


def local_machine(
    catalog: Catalog,
    *,
    machine: Machine | None = None,
    profile: Profile | None = None,
) -> LocalMachine:
    """engine.LocalMachine for `runlocal check` without --hardware: this machine's usable
    devices (free memory as their budget), its free RAM and the bench profile."""
    from ..engine import LocalMachine

    profile = profile if profile is not None else load_profile()
    calibration = profile.calibration() if profile is not None else {}
    machine = machine if machine is not None else detect_machine(catalog)
    usable = usable_devices(machine, catalog, calibration)
    return LocalMachine(
        devices=tuple(usable.devices),
        host_ram_bytes=usable.host_ram_bytes,
        calibration=calibration,
        notes=tuple(usable.notes),
        unavailable=usable.unavailable or "detection found no usable device",
    )
