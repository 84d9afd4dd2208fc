"""Apple silicon: `sysctl` (chip, memory, GPU working set) and `system_profiler` (GPU cores)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from ..hardware import apple_working_set_bytes
from ..units import MIB
from . import probe
from .found import DetectedApple
from .probe import as_int, clip, run_probe

# Every sysctl key detection reads on macOS, in one call (the CPU probe reads some of them).
DARWIN_KEYS = (
    "machdep.cpu.brand_string",
    "hw.memsize",
    "hw.physicalcpu",
    "hw.logicalcpu",
    "hw.optional.avx2_0",
    "hw.optional.avx512f",
    "hw.optional.neon",
    "iogpu.wired_limit_mb",
)


def sysctl_values(keys: Sequence[str], notes: list[str]) -> dict[str, str]:
    out = run_probe(["sysctl", *keys], notes, accept_status=True)
    values: dict[str, str] = {}
    for line in (out or "").splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() in keys:
            values[key.strip()] = value.strip()
    return values


def probe_apple(values: Mapping[str, str], notes: list[str]) -> DetectedApple | None:
    brand = values.get("machdep.cpu.brand_string", "")
    if not brand.startswith("Apple"):
        return None
    memory = as_int(values.get("hw.memsize"))
    cores: int | None = None
    out = run_probe(
        ["system_profiler", "SPDisplaysDataType", "-json"], notes, probe.SLOW_PROBE_TIMEOUT_S
    )
    if out is not None:
        try:
            for item in json.loads(out).get("SPDisplaysDataType", []):
                cores = as_int(item.get("sppci_cores"))
                if cores:
                    break
        except (ValueError, AttributeError):
            notes.append("system_profiler: its output is not JSON")
    if cores is None:
        notes.append(f"{brand}: GPU core count unknown; assuming the full chip")
    wired = as_int(values.get("iogpu.wired_limit_mb"))
    working_set = source = None
    if wired and wired > 0:
        working_set, source = wired * MIB, "iogpu.wired_limit_mb"
    elif memory:
        working_set, source = apple_working_set_bytes(memory), "macOS default share"
    return DetectedApple(
        chip=clip(brand),
        gpu_cores=cores,
        unified_memory_bytes=memory,
        working_set_bytes=working_set,
        working_set_source=source or "unknown",
    )
