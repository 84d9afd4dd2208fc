"""This machine's accelerators, CPU and memory, matched to the catalog (`runlocal detect`).

Probes, in order: NVIDIA through NVML (nvidia-ml-py), else `nvidia-smi`; AMD and Intel GPUs
through sysfs (names from `amd-smi` / `rocm-smi`); Apple silicon through `sysctl` and
`system_profiler`; the CPU through /proc/cpuinfo, py-cpuinfo or sysctl; memory through psutil,
else /proc/meminfo or sysctl. Every probe is optional and bounded by a timeout; one that
fails, hangs or prints garbage adds a note and never raises. Optional packages are imported
inside the functions that use them.

`local_machine()` turns what was found into the engine's devices, with free memory (not
total) as each device's budget, for `runlocal check` without --hardware (`devices.local_machine`).

One probe a module: `nvidia`, `sysfs` (AMD and Intel), `apple`, `cpu`; `probe` bounds them and
holds the settings tests change; `match` finds each device in the catalog; `devices` makes the
engine's devices; `report` prints `runlocal detect`. `detect_machine()` below runs them all.
"""

from __future__ import annotations

import platform
import sys
from collections.abc import Callable
from typing import TypeVar

from ..catalog import Catalog
from . import probe
from .apple import DARWIN_KEYS, probe_apple, sysctl_values
from .cpu import probe_cpu
from .found import DetectedCPU, Machine
from .match import match_machine
from .nvidia import probe_nvidia
from .probe import clip
from .sysfs import probe_sysfs_gpus

T = TypeVar("T")


def _guarded(label: str, fn: Callable[[], T], default: T, notes: list[str]) -> T:
    """One probe: whatever it raises becomes a note, and the other probes still run."""
    try:
        return fn()
    except Exception as exc:  # detection must never crash the CLI
        notes.append(f"{label} probe failed: {type(exc).__name__}: {clip(str(exc))}")
        return default


def detect_machine(catalog: Catalog | None = None) -> Machine:
    """Probe everything; never raises, never hangs longer than its probes' timeouts."""
    notes: list[str] = []
    machine = Machine(platform=f"{platform.system() or sys.platform} {platform.machine()}".strip())
    values: dict[str, str] = {}
    if probe.PLATFORM != "darwin":
        machine.gpus.extend(_guarded("NVIDIA", lambda: probe_nvidia(notes), [], notes))
    if probe.PLATFORM.startswith("linux"):
        machine.gpus.extend(_guarded("sysfs GPU", lambda: probe_sysfs_gpus(notes), [], notes))
    if probe.PLATFORM == "darwin":
        values = _guarded("sysctl", lambda: sysctl_values(DARWIN_KEYS, notes), {}, notes)
        machine.apple = _guarded("Apple", lambda: probe_apple(values, notes), None, notes)
    machine.cpu = _guarded(
        "CPU", lambda: probe_cpu(notes, sysctl=values), DetectedCPU(arch=platform.machine()), notes
    )
    if catalog is not None:
        _guarded("catalog", lambda: match_machine(machine, catalog), None, notes)
    for gpu in machine.gpus:
        if gpu.integrated:
            notes.append(f"{gpu.name}: integrated GPU sharing system RAM; not used")
    machine.notes = list(dict.fromkeys(notes))  # once each, in order
    return machine
