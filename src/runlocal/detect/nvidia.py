"""NVIDIA GPUs: NVML (nvidia-ml-py), else `nvidia-smi`."""

from __future__ import annotations

import contextlib
import re
import shutil
from typing import Any

from ..units import MIB
from . import probe
from .found import DetectedGPU
from .probe import as_int, as_text, bandwidth_gb_s, call_with_timeout, clip, pcie_label, run_probe


def _nvml_gpus(nv: Any) -> tuple[list[DetectedGPU], list[str]]:
    """Everything NVML says about each GPU; a call a GPU does not support gives None."""
    notes: list[str] = []

    def q(name: str, *args: Any) -> Any:
        fn = getattr(nv, name, None)
        if fn is None:
            return None
        try:
            return fn(*args)
        except Exception:  # NVMLError_NotSupported and friends
            return None

    nv.nvmlInit()
    try:
        driver = as_text(q("nvmlSystemGetDriverVersion"))
        cuda = as_int(q("nvmlSystemGetCudaDriverVersion"))
        if driver and cuda:
            driver = f"{driver} (CUDA {cuda // 1000}.{cuda % 1000 // 10})"
        count = int(nv.nvmlDeviceGetCount())
        gpus: list[DetectedGPU] = []
        clock_mem = getattr(nv, "NVML_CLOCK_MEM", 2)
        for i in range(count):
            h = q("nvmlDeviceGetHandleByIndex", i)
            if h is None:
                notes.append(f"NVML: GPU {i} could not be opened")
                continue
            name = as_text(q("nvmlDeviceGetName", h)) or f"NVIDIA GPU {i}"
            mem = q("nvmlDeviceGetMemoryInfo", h)
            total = as_int(getattr(mem, "total", None)) if mem is not None else None
            free = as_int(getattr(mem, "free", None)) if mem is not None else None
            if total is None:
                notes.append(f"NVML: {name} does not report its memory (unified memory?)")
            bus = as_int(q("nvmlDeviceGetMemoryBusWidth", h))
            clock = as_int(q("nvmlDeviceGetMaxClockInfo", h, clock_mem))
            cc = q("nvmlDeviceGetCudaComputeCapability", h)
            capability = (
                f"{cc[0]}.{cc[1]}" if isinstance(cc, tuple | list) and len(cc) == 2 else None
            )
            gen = as_int(q("nvmlDeviceGetMaxPcieLinkGeneration", h))
            width = as_int(q("nvmlDeviceGetMaxPcieLinkWidth", h))
            cur_gen = as_int(q("nvmlDeviceGetCurrPcieLinkGeneration", h))
            cur_width = as_int(q("nvmlDeviceGetCurrPcieLinkWidth", h))
            gpus.append(
                DetectedGPU(
                    name=name,
                    vendor="NVIDIA",
                    memory_total_bytes=total,
                    memory_free_bytes=free,
                    bus_width_bits=bus,
                    memory_clock_mhz=clock,
                    bandwidth_gb_s=bandwidth_gb_s(bus, clock),
                    compute_capability=capability,
                    driver=driver,
                    pcie=pcie_label(gen, width, cur_gen, cur_width),
                    index=i,
                    source="nvml",
                )
            )
        return gpus, notes
    finally:
        with contextlib.suppress(Exception):
            nv.nvmlShutdown()


def probe_nvidia(notes: list[str]) -> list[DetectedGPU]:
    """NVML first; nvidia-smi when NVML is missing, broken or hangs."""
    why = ""
    nv: Any = None
    try:
        import pynvml  # type: ignore[import-untyped,unused-ignore]  # nvidia-ml-py

        nv = pynvml
    except ImportError:
        why = "nvidia-ml-py is not installed"
    if nv is not None:
        try:
            gpus, extra = call_with_timeout(lambda: _nvml_gpus(nv), probe.PROBE_TIMEOUT_S)
            notes.extend(extra)
            return gpus
        except TimeoutError:
            why = f"NVML did not answer within {probe.PROBE_TIMEOUT_S:g} s"
        except Exception as exc:  # NVMLError: no driver, no library
            why = f"NVML: {clip(str(exc)) or type(exc).__name__}"
    if shutil.which("nvidia-smi") is None:
        # No driver library and no nvidia-smi: simply no NVIDIA GPU, nothing to report.
        quiet = nv is None or "Library Not Found" in why or "Driver Not Loaded" in why
        if why and not quiet:
            notes.append(f"NVIDIA: {why}")
        return []
    notes.append(f"NVIDIA: {why}; asking nvidia-smi")
    return _nvidia_smi(notes)


_SMI_FIELDS = (
    "index,name,memory.total,memory.free,driver_version,pcie.link.gen.max,"
    "pcie.link.width.max,clocks.max.memory,compute_cap"
)


def _nvidia_smi(notes: list[str]) -> list[DetectedGPU]:
    fields = _SMI_FIELDS
    out = run_probe(["nvidia-smi", f"--query-gpu={fields}", "--format=csv,noheader,nounits"], notes)
    if out is None and notes and "exited with status" in notes[-1]:
        # Drivers before 510 do not know compute_cap: ask again without it.
        failed = notes.pop()
        fields = fields.rsplit(",", 1)[0]
        out = run_probe(
            ["nvidia-smi", f"--query-gpu={fields}", "--format=csv,noheader,nounits"], notes
        )
        if out is None:
            notes[-1:] = [failed]
    if out is None:
        return []
    n_fields = fields.count(",") + 1
    gpus: list[DetectedGPU] = []
    bad = 0
    for line in out.splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(",")]
        if len(parts) != n_fields or as_int(parts[0]) is None or not parts[1]:
            bad += 1
            continue

        def num(s: str) -> int | None:
            return int(float(s)) if re.fullmatch(r"\d+(\.\d+)?", s) else None

        total, free = num(parts[2]), num(parts[3])
        cc = parts[8] if n_fields > 8 and re.fullmatch(r"\d+\.\d+", parts[8]) else None
        gpus.append(
            DetectedGPU(
                name=clip(parts[1]),
                vendor="NVIDIA",
                memory_total_bytes=total * MIB if total is not None else None,
                memory_free_bytes=free * MIB if free is not None else None,
                memory_clock_mhz=num(parts[7]),
                compute_capability=cc,
                driver=parts[4] if re.fullmatch(r"[\w.\-]+", parts[4]) else None,
                pcie=pcie_label(num(parts[5]), num(parts[6]), None, None),
                index=as_int(parts[0]) or 0,
                source="nvidia-smi",
            )
        )
    if bad:
        notes.append(f"nvidia-smi: {bad} line(s) of its output could not be read")
    if gpus:
        notes.append("nvidia-smi gives no memory bus width: bandwidth comes from the catalog")
    return gpus
