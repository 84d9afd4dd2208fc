"""The CPU (/proc/cpuinfo, py-cpuinfo or sysctl) and system memory (psutil, else /proc/meminfo
or sysctl)."""

from __future__ import annotations

import os
import platform
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from . import probe
from .found import DetectedCPU
from .probe import as_int, call_with_timeout, clip, read_text

_FLAG_GROUPS = {
    "avx2": ("avx2",),
    "avx512": ("avx512f",),
    "amx": ("amx_tile", "amx_bf16", "amx_int8"),
    "neon": ("asimd", "neon"),
}


def _flags(raw: Iterable[str]) -> dict[str, bool]:
    have = {f.lower() for f in raw}
    return {name: any(f in have for f in names) for name, names in _FLAG_GROUPS.items()}


def probe_cpu(
    notes: list[str], proc: Path | None = None, sysctl: Mapping[str, str] | None = None
) -> DetectedCPU:
    proc = proc or probe.PROC_ROOT
    cpu = DetectedCPU(arch=platform.machine())
    info = read_text(proc / "cpuinfo") if probe.PLATFORM.startswith("linux") else None
    if info:
        fields: dict[str, str] = {}
        cores: set[tuple[str, str]] = set()
        physical = core = ""
        for line in info.splitlines():
            key, sep, value = line.partition(":")
            if not sep:
                continue
            key, value = key.strip().lower(), value.strip()
            fields.setdefault(key, value)
            if key == "physical id":
                physical = value
            elif key == "core id":
                core = value
                cores.add((physical, core))
        model = fields.get("model name") or fields.get("hardware") or fields.get("cpu model")
        if model:
            cpu.model = clip(model)
        cpu.flags = _flags((fields.get("flags") or fields.get("features") or "").split())
        cpu.threads = len(re.findall(r"^processor\s*:", info, re.MULTILINE)) or None
        cpu.cores = len(cores) or None
    elif sysctl:
        values = sysctl
        cpu.model = clip(values.get("machdep.cpu.brand_string") or cpu.model)
        cpu.cores = as_int(values.get("hw.physicalcpu"))
        cpu.threads = as_int(values.get("hw.logicalcpu"))
        cpu.flags = {
            "avx2": values.get("hw.optional.avx2_0") == "1",
            "avx512": values.get("hw.optional.avx512f") == "1",
            "amx": False,  # Apple's AMX is not the x86 extension llama.cpp uses
            "neon": values.get("hw.optional.neon") == "1" or cpu.arch == "arm64",
        }
    if cpu.model == "unknown CPU" or not cpu.flags:
        _py_cpuinfo(cpu, notes)
    try:
        import psutil  # type: ignore[import-untyped,unused-ignore]

        cpu.cores = cpu.cores or psutil.cpu_count(logical=False)
        cpu.threads = cpu.threads or psutil.cpu_count(logical=True)
        vm = psutil.virtual_memory()
        cpu.ram_total_bytes, cpu.ram_available_bytes = int(vm.total), int(vm.available)
    except ImportError:
        notes.append("psutil is not installed: memory from /proc/meminfo or sysctl")
    except Exception as exc:
        notes.append(f"psutil: {clip(str(exc))}")
    if cpu.ram_total_bytes is None:
        _meminfo(cpu, proc, sysctl or {}, notes)
    cpu.threads = cpu.threads or os.cpu_count()
    return cpu


def _py_cpuinfo(cpu: DetectedCPU, notes: list[str]) -> None:
    try:
        import cpuinfo  # type: ignore[import-untyped,unused-ignore]  # py-cpuinfo
    except ImportError:
        return
    try:
        info = call_with_timeout(lambda: cpuinfo.get_cpu_info(), probe.PROBE_TIMEOUT_S)
    except Exception as exc:  # includes TimeoutError
        notes.append(f"py-cpuinfo: {clip(str(exc)) or type(exc).__name__}")
        return
    if not isinstance(info, dict):
        return
    brand = info.get("brand_raw")
    if isinstance(brand, str) and brand.strip() and cpu.model == "unknown CPU":
        cpu.model = clip(brand)
    flags = info.get("flags")
    if isinstance(flags, list) and not cpu.flags:
        cpu.flags = _flags(str(f) for f in flags)


def _meminfo(cpu: DetectedCPU, proc: Path, sysctl: Mapping[str, str], notes: list[str]) -> None:
    text = read_text(proc / "meminfo") if probe.PLATFORM.startswith("linux") else None
    if text:
        values = {}
        for line in text.splitlines():
            key, _, rest = line.partition(":")
            kb = as_int(rest)
            if kb is not None:
                values[key.strip()] = kb * 1024
        cpu.ram_total_bytes = values.get("MemTotal")
        cpu.ram_available_bytes = values.get("MemAvailable")
    elif sysctl.get("hw.memsize"):
        cpu.ram_total_bytes = as_int(sysctl.get("hw.memsize"))
    if cpu.ram_total_bytes is None:
        notes.append("system RAM could not be read")
