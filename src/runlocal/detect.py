"""`runlocal detect`: this machine's accelerators, CPU and memory, matched to the catalog.

Probes, in order: NVIDIA through NVML (nvidia-ml-py), else `nvidia-smi`; AMD and Intel GPUs
through sysfs (names from `amd-smi` / `rocm-smi`); Apple silicon through `sysctl` and
`system_profiler`; the CPU through /proc/cpuinfo, py-cpuinfo or sysctl; memory through psutil,
else /proc/meminfo or sysctl. Every probe is optional and bounded by a timeout; one that
fails, hangs or prints garbage adds a note and never raises. Optional packages are imported
inside the functions that use them.

`local_machine()` turns what was found into the engine's devices, with free memory (not
total) as each device's budget, for `runlocal check` without --hardware.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from .catalog import Catalog, Entry, normalize
from .errors import RunlocalError
from .hardware import Device, apple_working_set_bytes, device_from_entry, with_free_memory
from .profile import Calibration, Profile, device_key, load_profile
from .units import GB, GIB, MIB

if TYPE_CHECKING:
    from .engine import LocalMachine

# Seconds one probe (a subprocess, or NVML) may take before it is abandoned.
PROBE_TIMEOUT_S = 8.0
# system_profiler is slow on a cold start.
SLOW_PROBE_TIMEOUT_S = 15.0
SYSFS_ROOT = Path("/sys")
PROC_ROOT = Path("/proc")
# Which probes run (tests set "darwin" to exercise the Apple path on Linux).
PLATFORM = sys.platform

Confidence = Literal["matched", "unknown"]
T = TypeVar("T")


# --- what is found ------------------------------------------------------------------------


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


# --- bounded probes -----------------------------------------------------------------------


def end_probe(proc: subprocess.Popen[bytes]) -> None:
    """End a timed-out probe and everything it started (it runs in its own session)."""
    try:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
    except (ProcessLookupError, PermissionError, OSError):
        pass
    try:
        proc.communicate(timeout=2)
    except (subprocess.TimeoutExpired, OSError, ValueError):
        for stream in (proc.stdout, proc.stderr):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass


def run_probe(
    cmd: Sequence[str],
    notes: list[str],
    timeout: float | None = None,
    *,
    accept_status: bool = False,
) -> str | None:
    """A command's stdout, or None (with a note) when it is missing, fails or hangs.

    Never a shell, always a timeout; a probe that outlives it is killed with its children.
    accept_status: keep the output of a non-zero exit (sysctl with an unknown key)."""
    timeout = PROBE_TIMEOUT_S if timeout is None else timeout
    exe = shutil.which(cmd[0])
    if exe is None:
        return None
    label = os.path.basename(cmd[0])
    try:
        proc = subprocess.Popen(
            [exe, *cmd[1:]],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=os.name == "posix",
        )
    except OSError as exc:
        notes.append(f"{label}: could not start ({exc.strerror or exc})")
        return None
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        end_probe(proc)
        notes.append(f"{label} did not answer within {timeout:g} s; skipped")
        return None
    text = out.decode("utf-8", errors="replace")
    if proc.returncode != 0 and not (accept_status and text.strip()):
        first = err.decode("utf-8", errors="replace").strip().splitlines()
        why = f": {_clip(first[0])}" if first else ""
        notes.append(f"{label} exited with status {proc.returncode}{why}")
        return None
    return text


def call_with_timeout(fn: Callable[[], T], timeout: float) -> T:
    """Run an in-process probe (NVML, py-cpuinfo) in a daemon thread; TimeoutError if it
    does not return in time (the thread is abandoned, the process can still exit)."""
    result: list[T] = []
    error: list[BaseException] = []

    def target() -> None:
        try:
            result.append(fn())
        except BaseException as exc:  # reported to the caller
            error.append(exc)

    thread = threading.Thread(target=target, name="runlocal-probe", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise TimeoutError(f"no answer within {timeout:g} s")
    if error:
        raise error[0]
    return result[0]


def _clip(text: str, n: int = 120) -> str:
    text = "".join(ch if ch.isprintable() else " " for ch in text).strip()
    return text if len(text) <= n else text[: n - 1] + "…"


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip()
    except (OSError, ValueError):
        return None


def _read_int(path: Path) -> int | None:
    text = _read(path)
    if text is None:
        return None
    try:
        return int(text, 0)
    except ValueError:
        return None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    text = _clip(str(value), 200)
    return text or None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return int(value)
    if isinstance(value, str | bytes):
        m = re.search(r"-?\d+", value.decode() if isinstance(value, bytes) else value)
        return int(m.group()) if m else None
    return None


def bandwidth_gb_s(bus_width_bits: int | None, memory_clock_mhz: int | None) -> float | None:
    """Peak bandwidth from NVML's bus width and maximum memory clock.

    NVML reports the memory clock at half the data rate for every memory type (RTX 4090:
    10,501 MHz x 384 bits -> 1,008 GB/s; A100 80GB: 1,593 MHz x 5,120 bits -> 2,039 GB/s;
    H100 SXM: 2,619 MHz x 5,120 bits -> 3,352 GB/s), so bytes/s = bits / 8 x MHz x 2.
    """
    if not bus_width_bits or not memory_clock_mhz or bus_width_bits <= 0 or memory_clock_mhz <= 0:
        return None
    return round(bus_width_bits / 8 * memory_clock_mhz * 1e6 * 2 / GB, 1)


# --- NVIDIA -------------------------------------------------------------------------------


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
        driver = _text(q("nvmlSystemGetDriverVersion"))
        cuda = _int(q("nvmlSystemGetCudaDriverVersion"))
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
            name = _text(q("nvmlDeviceGetName", h)) or f"NVIDIA GPU {i}"
            mem = q("nvmlDeviceGetMemoryInfo", h)
            total = _int(getattr(mem, "total", None)) if mem is not None else None
            free = _int(getattr(mem, "free", None)) if mem is not None else None
            if total is None:
                notes.append(f"NVML: {name} does not report its memory (unified memory?)")
            bus = _int(q("nvmlDeviceGetMemoryBusWidth", h))
            clock = _int(q("nvmlDeviceGetMaxClockInfo", h, clock_mem))
            cc = q("nvmlDeviceGetCudaComputeCapability", h)
            capability = (
                f"{cc[0]}.{cc[1]}" if isinstance(cc, tuple | list) and len(cc) == 2 else None
            )
            gen = _int(q("nvmlDeviceGetMaxPcieLinkGeneration", h))
            width = _int(q("nvmlDeviceGetMaxPcieLinkWidth", h))
            cur_gen = _int(q("nvmlDeviceGetCurrPcieLinkGeneration", h))
            cur_width = _int(q("nvmlDeviceGetCurrPcieLinkWidth", h))
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
                    pcie=_pcie(gen, width, cur_gen, cur_width),
                    index=i,
                    source="nvml",
                )
            )
        return gpus, notes
    finally:
        with contextlib.suppress(Exception):
            nv.nvmlShutdown()


def _pcie(
    gen: int | None, width: int | None, cur_gen: int | None, cur_width: int | None
) -> str | None:
    if not gen and not cur_gen:
        return None
    best = f"Gen{gen or cur_gen} x{width or cur_width or '?'}"
    if cur_gen and (cur_gen, cur_width) != (gen, width) and gen:
        best += f" (now Gen{cur_gen} x{cur_width or '?'})"
    return best


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
            gpus, extra = call_with_timeout(lambda: _nvml_gpus(nv), PROBE_TIMEOUT_S)
            notes.extend(extra)
            return gpus
        except TimeoutError:
            why = f"NVML did not answer within {PROBE_TIMEOUT_S:g} s"
        except Exception as exc:  # NVMLError: no driver, no library
            why = f"NVML: {_clip(str(exc)) or type(exc).__name__}"
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
        if len(parts) != n_fields or _int(parts[0]) is None or not parts[1]:
            bad += 1
            continue

        def num(s: str) -> int | None:
            return int(float(s)) if re.fullmatch(r"\d+(\.\d+)?", s) else None

        total, free = num(parts[2]), num(parts[3])
        cc = parts[8] if n_fields > 8 and re.fullmatch(r"\d+\.\d+", parts[8]) else None
        gpus.append(
            DetectedGPU(
                name=_clip(parts[1]),
                vendor="NVIDIA",
                memory_total_bytes=total * MIB if total is not None else None,
                memory_free_bytes=free * MIB if free is not None else None,
                memory_clock_mhz=num(parts[7]),
                compute_capability=cc,
                driver=parts[4] if re.fullmatch(r"[\w.\-]+", parts[4]) else None,
                pcie=_pcie(num(parts[5]), num(parts[6]), None, None),
                index=_int(parts[0]) or 0,
                source="nvidia-smi",
            )
        )
    if bad:
        notes.append(f"nvidia-smi: {bad} line(s) of its output could not be read")
    if gpus:
        notes.append("nvidia-smi gives no memory bus width: bandwidth comes from the catalog")
    return gpus


# --- AMD and Intel through sysfs ------------------------------------------------------------

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
        text = _read(dev / name) or ""
        m = re.match(r"([\d.]+)\s*GT/s", text)
        return _GT_S_TO_GEN.get(m.group(1)) if m else None

    return _pcie(
        gen("max_link_speed"),
        _read_int(dev / "max_link_width"),
        gen("current_link_speed"),
        _read_int(dev / "current_link_width"),
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
    sysfs = sysfs or SYSFS_ROOT
    gpus: list[DetectedGPU] = []
    amd: list[DetectedGPU] = []
    for index, card, dev in _drm_devices(sysfs):
        vendor = (_read(dev / "vendor") or "").lower()
        device_id = _read_int(dev / "device")
        if vendor == "0x1002":
            total = _read_int(dev / "mem_info_vram_total")
            used = _read_int(dev / "mem_info_vram_used")
            version = _read(sysfs / "module" / "amdgpu" / "version")
            driver = _driver(dev)
            gpu = DetectedGPU(
                name=_read(dev / "product_name") or f"AMD GPU {device_id or 0:#06x}",
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
            total = _read_int(card / "lmem_total_bytes") or _read_int(dev / "lmem_total_bytes")
            if total is None:
                total = _read_int(dev / "tile0" / "vram0" / "physical_vram_size_bytes")
            avail = _read_int(card / "lmem_avail_bytes") or _read_int(dev / "lmem_avail_bytes")
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
                    found.append(_clip(value))
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


# --- Apple --------------------------------------------------------------------------------


def _sysctl(keys: Sequence[str], notes: list[str]) -> dict[str, str]:
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
    memory = _int(values.get("hw.memsize"))
    cores: int | None = None
    out = run_probe(["system_profiler", "SPDisplaysDataType", "-json"], notes, SLOW_PROBE_TIMEOUT_S)
    if out is not None:
        try:
            for item in json.loads(out).get("SPDisplaysDataType", []):
                cores = _int(item.get("sppci_cores"))
                if cores:
                    break
        except (ValueError, AttributeError):
            notes.append("system_profiler: its output is not JSON")
    if cores is None:
        notes.append(f"{brand}: GPU core count unknown; assuming the full chip")
    wired = _int(values.get("iogpu.wired_limit_mb"))
    working_set = source = None
    if wired and wired > 0:
        working_set, source = wired * MIB, "iogpu.wired_limit_mb"
    elif memory:
        working_set, source = apple_working_set_bytes(memory), "macOS default share"
    return DetectedApple(
        chip=_clip(brand),
        gpu_cores=cores,
        unified_memory_bytes=memory,
        working_set_bytes=working_set,
        working_set_source=source or "unknown",
    )


# --- CPU and memory -----------------------------------------------------------------------

_FLAG_GROUPS = {
    "avx2": ("avx2",),
    "avx512": ("avx512f",),
    "amx": ("amx_tile", "amx_bf16", "amx_int8"),
    "neon": ("asimd", "neon"),
}


def _flags(raw: Iterable[str]) -> dict[str, bool]:
    have = {f.lower() for f in raw}
    return {name: any(f in have for f in names) for name, names in _FLAG_GROUPS.items()}


_DARWIN_KEYS = (
    "machdep.cpu.brand_string",
    "hw.memsize",
    "hw.physicalcpu",
    "hw.logicalcpu",
    "hw.optional.avx2_0",
    "hw.optional.avx512f",
    "hw.optional.neon",
    "iogpu.wired_limit_mb",
)


def probe_cpu(
    notes: list[str], proc: Path | None = None, sysctl: Mapping[str, str] | None = None
) -> DetectedCPU:
    proc = proc or PROC_ROOT
    cpu = DetectedCPU(arch=platform.machine())
    info = _read(proc / "cpuinfo") if PLATFORM.startswith("linux") else None
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
            cpu.model = _clip(model)
        cpu.flags = _flags((fields.get("flags") or fields.get("features") or "").split())
        cpu.threads = len(re.findall(r"^processor\s*:", info, re.MULTILINE)) or None
        cpu.cores = len(cores) or None
    elif sysctl:
        values = sysctl
        cpu.model = _clip(values.get("machdep.cpu.brand_string") or cpu.model)
        cpu.cores = _int(values.get("hw.physicalcpu"))
        cpu.threads = _int(values.get("hw.logicalcpu"))
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
        notes.append(f"psutil: {_clip(str(exc))}")
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
        info = call_with_timeout(lambda: cpuinfo.get_cpu_info(), PROBE_TIMEOUT_S)
    except Exception as exc:  # includes TimeoutError
        notes.append(f"py-cpuinfo: {_clip(str(exc)) or type(exc).__name__}")
        return
    if not isinstance(info, dict):
        return
    brand = info.get("brand_raw")
    if isinstance(brand, str) and brand.strip() and cpu.model == "unknown CPU":
        cpu.model = _clip(brand)
    flags = info.get("flags")
    if isinstance(flags, list) and not cpu.flags:
        cpu.flags = _flags(str(f) for f in flags)


def _meminfo(cpu: DetectedCPU, proc: Path, sysctl: Mapping[str, str], notes: list[str]) -> None:
    text = _read(proc / "meminfo") if PLATFORM.startswith("linux") else None
    if text:
        values = {}
        for line in text.splitlines():
            key, _, rest = line.partition(":")
            kb = _int(rest)
            if kb is not None:
                values[key.strip()] = kb * 1024
        cpu.ram_total_bytes = values.get("MemTotal")
        cpu.ram_available_bytes = values.get("MemAvailable")
    elif sysctl.get("hw.memsize"):
        cpu.ram_total_bytes = _int(sysctl.get("hw.memsize"))
    if cpu.ram_total_bytes is None:
        notes.append("system RAM could not be read")


# --- catalog matching ---------------------------------------------------------------------

# Vendor and filler words drivers add to names ("NVIDIA GeForce", "(R)", "Processor").
_NOISE = frozenset(
    (
        "nvidia", "geforce", "amd", "ati", "radeon", "intel", "apple", "tesla", "corporation",
        "generation", "gpu", "graphics", "instinct", "r", "tm", "c", "processor", "cpu",
        "edition",
    )
)  # fmt: skip
_SOFT_RE = re.compile(r"^(\d+gb|hbm\d?e?|gddr\d+x?|sxm\d?|pcie|nvl|oam|hgx|mxm)$")


def _tokens(text: str) -> list[str]:
    text = re.sub(r"\((r|tm|c)\)", " ", text, flags=re.IGNORECASE)
    text = re.sub(r"(\d+)\s*gb\b", r"\1gb", text, flags=re.IGNORECASE)
    return normalize(text).split()


def _split(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """(hard tokens that must agree exactly, soft tokens: memory size, type, form factor)."""
    hard: set[str] = set()
    soft: set[str] = set()
    for tok in _tokens(text):
        if tok in _NOISE:
            continue
        (soft if _SOFT_RE.match(tok) else hard).add(tok)
    return frozenset(hard), frozenset(soft)


@lru_cache(maxsize=8)
def _hardware_keys(
    catalog: Catalog,
) -> list[tuple[Entry, str, frozenset[str], frozenset[str], bool]]:
    """(entry, normalized key, hard tokens, soft tokens, is the full name) for every
    id, name and alias of every hardware entry."""
    rows = []
    for entry in catalog.hardware.values():
        for i, key in enumerate((entry.id, entry.name, *entry.aliases)):
            hard, soft = _split(key)
            if hard:
                rows.append((entry, normalize(key), hard, soft, i == 1))
    return rows


def _memory_ok(entry: Entry, memory_bytes: int | None) -> bool:
    """The detected memory is one the entry comes with (NVML reports ECC-reserved and
    rounded sizes: a T4 shows 15 GiB, an H100 79.6 GiB)."""
    if memory_bytes is None:
        return True
    gib = memory_bytes / GIB
    sizes = [float(x) for x in entry.get("memory_configs_gib") or [entry.get("memory_gib") or 0]]
    return any(s > 0 and 0.86 <= gib / s <= 1.04 for s in sizes)


def match_hardware(
    catalog: Catalog,
    names: Sequence[str],
    *,
    kinds: Iterable[str],
    vendor: str | None = None,
    memory_bytes: int | None = None,
    bandwidth: float | None = None,
) -> Entry | None:
    """The catalog entry for a detected device, or None when no entry is certain.

    Names as drivers print them ("NVIDIA A100-SXM4-80GB", "NVIDIA H100 80GB HBM3",
    "AMD Ryzen 9 7950X 16-Core Processor") are reduced to tokens without vendor words; the
    model tokens must equal an alias's exactly (so an RTX 4060 never becomes a 4060 Ti),
    while memory sizes, memory types and form factors (SXM4, PCIe, NVL) only rank the
    candidates, with the detected memory size and bandwidth.
    """
    kinds = set(kinds)
    best: tuple[tuple[float, ...], Entry] | None = None
    exact_keys = {normalize(n) for n in names}
    for name in names:
        q_hard, q_soft = _split(name)
        if not q_hard:
            continue
        for entry, key, hard, soft, _full in _hardware_keys(catalog):
            if hard != q_hard or entry.get("kind", "gpu") not in kinds:
                continue
            if vendor and entry.get("vendor") not in (None, vendor):
                continue
            if not _memory_ok(entry, memory_bytes):
                continue
            listed = float(entry.get("bandwidth_gb_s") or 0)
            score = (
                float(len(q_soft - soft)),
                0.0 if key in exact_keys else 1.0,
                abs(math.log(bandwidth / listed)) if bandwidth and listed else 0.0,
                abs(math.log(memory_bytes / (float(entry.get("memory_gib") or 1) * GIB)))
                if memory_bytes
                else 0.0,
            )
            if best is None or score < best[0]:
                best = (score, entry)
    return best[1] if best is not None else None


def _alternatives(name: str) -> list[str]:
    """'Navi 31 [Radeon RX 7900 XT/7900 XTX]' → the bracketed names, each complete."""
    out = [name]
    m = re.search(r"\[(.+?)\]", name)
    if m:
        parts = [p.strip() for p in m.group(1).split("/") if p.strip()]
        if parts:
            head = parts[0]
            prefix = re.split(r"\s(?=\S*\d)", head, maxsplit=1)[0] if " " in head else ""
            out.append(head)
            for p in parts[1:]:
                out.append(p if not prefix or p.startswith(prefix) else f"{prefix} {p}")
    return out


_CPU_NOISE_RE = re.compile(
    r"(\d+-core processor|\d+-cores?|processor|cpu @ [\d.]+\s*ghz|@ [\d.]+\s*ghz|"
    r"\d+(st|nd|rd|th) gen|w/ .*|with radeon.*)",
    re.IGNORECASE,
)


def match_machine(machine: Machine, catalog: Catalog) -> None:
    """Fill catalog_id / confidence of every detected device."""
    for gpu in machine.gpus:
        if gpu.integrated:
            continue
        entry = match_hardware(
            catalog,
            _alternatives(gpu.name),
            kinds=("gpu", "unified"),
            vendor=gpu.vendor,
            memory_bytes=gpu.memory_total_bytes,
            bandwidth=gpu.bandwidth_gb_s,
        )
        if entry is not None:
            gpu.catalog_id, gpu.catalog_name, gpu.confidence = entry.id, entry.name, "matched"
    apple = machine.apple
    if apple is not None:
        chip = apple.chip
        names = [f"{chip} ({apple.gpu_cores}-core GPU)"] if apple.gpu_cores else [chip]
        entry = match_hardware(
            catalog,
            names,
            kinds=("unified",),
            vendor="Apple",
            memory_bytes=apple.unified_memory_bytes,
        )
        if entry is None and apple.gpu_cores:
            entry = match_hardware(catalog, [chip], kinds=("unified",), vendor="Apple")
        if entry is not None:
            apple.catalog_id, apple.catalog_name, apple.confidence = entry.id, entry.name, "matched"
    cpu = machine.cpu
    cleaned = _CPU_NOISE_RE.sub(" ", cpu.model)
    entry = match_hardware(catalog, [cleaned], kinds=("cpu", "unified"))
    if entry is not None and entry.get("vendor") != "Apple":
        cpu.catalog_id, cpu.catalog_name, cpu.confidence = entry.id, entry.name, "matched"
        cpu.catalog_kind = str(entry.get("kind", "cpu"))


# --- the whole machine --------------------------------------------------------------------


def _guarded(label: str, fn: Callable[[], T], default: T, notes: list[str]) -> T:
    """One probe: whatever it raises becomes a note, and the other probes still run."""
    try:
        return fn()
    except Exception as exc:  # detection must never crash the CLI
        notes.append(f"{label} probe failed: {type(exc).__name__}: {_clip(str(exc))}")
        return default


def detect_machine(catalog: Catalog | None = None) -> Machine:
    """Probe everything; never raises, never hangs longer than its probes' timeouts."""
    notes: list[str] = []
    machine = Machine(platform=f"{platform.system() or sys.platform} {platform.machine()}".strip())
    values: dict[str, str] = {}
    if PLATFORM != "darwin":
        machine.gpus.extend(_guarded("NVIDIA", lambda: probe_nvidia(notes), [], notes))
    if PLATFORM.startswith("linux"):
        machine.gpus.extend(_guarded("sysfs GPU", lambda: probe_sysfs_gpus(notes), [], notes))
    if PLATFORM == "darwin":
        values = _guarded("sysctl", lambda: _sysctl(_DARWIN_KEYS, notes), {}, notes)
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


# --- devices for the engine ---------------------------------------------------------------

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
    from .engine import LocalMachine

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


# --- `runlocal detect` --------------------------------------------------------------------


def _gib(n: int | None) -> str:
    return "?" if n is None else f"{n / GIB:.1f}"


def format_machine(machine: Machine, usable: Usable) -> str:
    lines = [f"runlocal detect · {machine.platform}", ""]
    discrete = [g for g in machine.gpus if not g.integrated]
    if discrete:
        rows = [("GPU", "name", "memory free / total", "bandwidth", "catalog")]
        for g in discrete:
            rows.append(
                (
                    str(g.index),
                    g.name,
                    f"{_gib(g.memory_free_bytes)} / {_gib(g.memory_total_bytes)} GiB",
                    f"{g.bandwidth_gb_s:,.0f} GB/s" if g.bandwidth_gb_s else "?",
                    g.catalog_id or "unknown (raw specs, low confidence)",
                )
            )
        widths = [max(len(r[i]) for r in rows) for i in range(5)]
        for r in rows:
            lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
        for g in discrete:
            extra = [
                f"driver {g.driver}" if g.driver else "",
                f"compute {g.compute_capability}" if g.compute_capability else "",
                f"PCIe {g.pcie}" if g.pcie else "",
                f"{g.bus_width_bits}-bit bus" if g.bus_width_bits else "",
                f"memory clock {g.memory_clock_mhz} MHz" if g.memory_clock_mhz else "",
                f"via {g.source}",
            ]
            lines.append(f"  GPU {g.index}: " + ", ".join(x for x in extra if x))
        lines.append("")
    apple = machine.apple
    if apple is not None:
        cores = f", {apple.gpu_cores}-core GPU" if apple.gpu_cores else ""
        lines.append(
            f"Apple  {apple.chip}{cores}, {_gib(apple.unified_memory_bytes)} GiB unified memory, "
            f"GPU working set {_gib(apple.working_set_bytes)} GiB ({apple.working_set_source})"
        )
        lines.append(f"       catalog: {apple.catalog_id or 'unknown (low confidence)'}")
        lines.append("")
    cpu = machine.cpu
    flags = ", ".join(
        f"{label} {'yes' if cpu.flags.get(key) else 'no'}"
        for key, label in (("avx2", "AVX2"), ("avx512", "AVX-512"), ("amx", "AMX"))
    )
    cores = f"{cpu.cores or '?'} cores / {cpu.threads or '?'} threads"
    lines.append(
        f"CPU    {cpu.model} ({cpu.arch}), {cores}; {flags}"
        if cpu.flags
        else f"CPU    {cpu.model}, {cores}"
    )
    lines.append(f"       catalog: {cpu.catalog_id or 'unknown (low confidence)'}")
    lines.append(
        f"RAM    {_gib(cpu.ram_available_bytes)} GiB available of {_gib(cpu.ram_total_bytes)} GiB"
    )
    lines.append("")
    if not machine.has_gpu:
        lines.append("No GPU found on this machine.")
    if usable.devices:
        names = " + ".join(d.name for d in usable.devices)
        budget = sum(d.budget_bytes for d in usable.devices)
        lines.append(
            f"`runlocal check MODEL` without --hardware plans for: {names} "
            f"({budget / GIB:.1f} GiB budget, free memory)"
        )
    else:
        lines.append(f"`runlocal check MODEL` needs --hardware here: {usable.unavailable}")
    detected = "hardware detected on this machine"
    for note in [*machine.notes, *(n for n in usable.notes if not n.startswith(detected))]:
        lines.append(f"note: {note}")
    return "\n".join(lines) + "\n"


def run_detect(as_json: bool) -> int:
    from .catalog import load_catalog

    try:
        catalog: Catalog | None = load_catalog()
    except RunlocalError as exc:
        catalog = None
        print(f"runlocal: warning: catalog not loaded: {exc}", file=sys.stderr)
    machine = detect_machine(catalog)
    profile = load_profile()
    calibration = profile.calibration() if profile is not None else {}
    usable = (
        usable_devices(machine, catalog, calibration)
        if catalog is not None
        else Usable([], None, [], "the catalog could not be loaded")
    )
    if as_json:
        data = machine.to_dict()
        data["check_devices"] = [d.to_dict() for d in usable.devices]
        data["check_host_ram_bytes"] = usable.host_ram_bytes
        data["check_unavailable"] = usable.unavailable or None
        data["check_notes"] = usable.notes
        data["has_gpu"] = machine.has_gpu
        json.dump(data, sys.stdout, separators=(",", ":"))
        sys.stdout.write("\n")
    else:
        sys.stdout.write(format_machine(machine, usable))
    return 0
