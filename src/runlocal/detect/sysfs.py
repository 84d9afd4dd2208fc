"""AMD and Intel GPUs through sysfs, with AMD's marketing names from `amd-smi` / `rocm-smi`."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..units import GIB
from . import probe
from .found import DetectedGPU
from .probe import clip, pcie_label, read_int, read_text, run_probe

_GT_S_TO_GEN = {
    "2.5": 1,
    "5.0": 2,
    "5": 2,
    "8.0": 3,
    "8": 3,
    "16.0": 4,
    "16": 4,
    "32.0": 5,
    "32": 5,
    "64.0": 6,
    "64": 6,
}
# Intel discrete GPUs by PCI device id (the kernel gives no marketing name).
INTEL_DISCRETE = {
    0x56A0: "Intel Arc A770",
    0x56A1: "Intel Arc A750",
    0x56A2: "Intel Arc A580",
    0x56A5: "Intel Arc A380",
    0x56A6: "Intel Arc A310",
    0xE20B: "Intel Arc B580",
    0xE20C: "Intel Arc B570",
}


def _sysfs_pcie(dev: Path) -> str | None:
    def gen(name: str) -> int | None:
        text = read_text(dev / name) or ""
        m = re.match(r"([\d.]+)\s*GT/s", text)
        return _GT_S_TO_GEN.get(m.group(1)) if m else None

    return pcie_label(
        gen("max_link_speed"),
        read_int(dev / "max_link_width"),
        gen("current_link_speed"),
        read_int(dev / "current_link_width"),
    )


def _drm_devices(sysfs: Path) -> list[tuple[int, Path, Path]]:
    """(card index, card dir, PCI device dir) for each DRM card, once per PCI device."""
    base = sysfs / "class" / "drm"
    found: list[tuple[int, Path, Path]] = []
    seen: set[str] = set()
    try:
        names = sorted(os.listdir(base))
    except OSError:
        return []
    for name in names:
        m = re.fullmatch(r"card(\d+)", name)
        if not m:
            continue
        card = base / name
        dev = card / "device"
        try:
            real = os.path.realpath(dev)
        except OSError:
            continue
        if real in seen or not (dev / "vendor").exists():
            continue
        seen.add(real)
        found.append((int(m.group(1)), card, dev))
    return sorted(found, key=lambda t: t[0])


def _driver(dev: Path) -> str | None:
    try:
        return os.path.basename(os.readlink(dev / "driver"))
    except OSError:
        return None


def probe_sysfs_gpus(notes: list[str], sysfs: Path | None = None) -> list[DetectedGPU]:
    sysfs = sysfs or probe.SYSFS_ROOT
    gpus: list[DetectedGPU] = []
    amd: list[DetectedGPU] = []
    for index, card, dev in _drm_devices(sysfs):
        vendor = (read_text(dev / "vendor") or "").lower()
        device_id = read_int(dev / "device")
        if vendor == "0x1002":
            total = read_int(dev / "mem_info_vram_total")
            used = read_int(dev / "mem_info_vram_used")
            version = read_text(sysfs / "module" / "amdgpu" / "version")
            driver = _driver(dev)
            gpu = DetectedGPU(
                name=read_text(dev / "product_name") or f"AMD GPU {device_id or 0:#06x}",
                vendor="AMD",
                memory_total_bytes=total,
                memory_free_bytes=total - used if total is not None and used is not None else None,
                driver=f"{driver} {version}" if driver and version else driver,
                pcie=_sysfs_pcie(dev),
                index=index,
                source="sysfs",
                # APUs carve a small VRAM window out of system RAM (Strix Halo: see the CPU).
                integrated=total is not None and total < 4 * GIB,
            )
            amd.append(gpu)
            gpus.append(gpu)
        elif vendor == "0x8086":
            name = INTEL_DISCRETE.get(device_id or 0)
            total = read_int(card / "lmem_total_bytes") or read_int(dev / "lmem_total_bytes")
            if total is None:
                total = read_int(dev / "tile0" / "vram0" / "physical_vram_size_bytes")
            avail = read_int(card / "lmem_avail_bytes") or read_int(dev / "lmem_avail_bytes")
            gpus.append(
                DetectedGPU(
                    name=name or f"Intel GPU {device_id or 0:#06x}",
                    vendor="Intel",
                    memory_total_bytes=total,
                    memory_free_bytes=avail,
                    driver=_driver(dev),
                    pcie=_sysfs_pcie(dev) if name else None,
                    index=index,
                    source="sysfs",
                    integrated=name is None and total is None,
                )
            )
    if amd:
        _amd_names(amd, notes)
    return gpus


def _json_names(data: Any, keys: Sequence[str]) -> list[str]:
    """Marketing names in document order from amd-smi / rocm-smi JSON (any version)."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in keys:
                value = node.get(key)
                if isinstance(value, str) and value.strip() and value.strip().upper() != "N/A":
                    found.append(clip(value))
                    return
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(data)
    return found


def _amd_names(gpus: list[DetectedGPU], notes: list[str]) -> None:
    """Names the kernel does not give: amd-smi, else rocm-smi (in card order)."""
    tools = (
        (["amd-smi", "static", "--asic", "--json"], ("market_name", "MARKET_NAME")),
        (
            ["rocm-smi", "--showproductname", "--json"],
            ("Card Series", "Card series", "Card SKU", "Card model"),
        ),
    )
    for cmd, keys in tools:
        if shutil.which(cmd[0]) is None:
            continue
        out = run_probe(cmd, notes)
        if out is None:
            continue
        try:
            names = _json_names(json.loads(out), keys)
        except ValueError:
            notes.append(f"{cmd[0]}: its output is not JSON; names from the kernel")
            continue
        discrete = [g for g in gpus if not g.integrated] or gpus
        if len(names) < len(discrete):
            if names:
                notes.append(f"{cmd[0]}: named {len(names)} of {len(discrete)} AMD GPUs")
            continue
        for gpu, name in zip(discrete, names, strict=False):
            gpu.name = name
            gpu.source = f"sysfs+{cmd[0]}"
        return
