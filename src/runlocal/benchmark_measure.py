"""`runlocal bench`'s measurements of this machine: CPU memory bandwidth and FP32 matmul
through numpy, GPU memory bandwidth and FP16 matmul through PyTorch or CuPy (runlocal.benchmark
runs them and stores the profile).

numpy, torch and cupy are imported inside the functions that use them.
"""

from __future__ import annotations

import importlib
import math
import os
import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .progress import Progress
from .units import GIB, MIB

# --- CPU ----------------------------------------------------------------------------------


@dataclass
class Sizes:
    """How big and how long: each measurement repeats at least ``min_reps`` times and then
    until its time budget is spent (best run kept), so a slow machine still finishes."""

    array_bytes: int  # per array for the CPU bandwidth test (at least)
    max_array_bytes: int  # and at most, however large the last-level cache
    matmul_n: int
    gpu_bytes: int
    gpu_matmul_n: int
    min_reps: int
    budget_s: float  # per measurement

    @classmethod
    def for_run(cls, quick: bool) -> Sizes:
        if quick:
            return cls(128 * MIB, 256 * MIB, 1024, 256 * MIB, 4096, 3, 0.4)
        return cls(256 * MIB, 1024 * MIB, 2048, 1024 * MIB, 8192, 5, 2.0)


def _best(run: Callable[[], None], sync: Callable[[], None], sizes: Sizes) -> float:
    """Best seconds per call after one discarded warm-up (page faults, thread start-up,
    kernel selection), repeated min_reps times and then until the budget is spent."""
    run()
    sync()
    best = math.inf
    deadline = time.perf_counter() + sizes.budget_s
    for rep in range(200):
        t0 = time.perf_counter()
        run()
        sync()
        best = min(best, time.perf_counter() - t0)
        if rep + 1 >= sizes.min_reps and time.perf_counter() > deadline:
            break
    return best


def _nothing() -> None:
    pass


def _sig(x: float) -> float:
    """Four significant digits: 27.31 GB/s, 0.01234 TFLOPS on a tiny test run."""
    return float(f"{x:.4g}")


def _numpy() -> Any:
    try:
        return importlib.import_module("numpy")
    except ImportError:
        return None


def last_level_cache_bytes(sysfs: Path = Path("/sys")) -> int | None:
    """The largest CPU cache Linux reports (None elsewhere)."""
    best = None
    for size_file in (sysfs / "devices/system/cpu/cpu0/cache").glob("index*/size"):
        try:
            text = size_file.read_text().strip()
        except OSError:
            continue
        m = re.fullmatch(r"(\d+)([KMG]?)", text)
        if m:
            size = int(m.group(1)) * {"": 1, "K": 1024, "M": MIB, "G": GIB}[m.group(2)]
            best = max(best or 0, size)
    return best


def array_bytes_for(sizes: Sizes, ram_available: int | None, llc: int | None) -> int:
    """Arrays at least twice the last-level cache (STREAM asks 4x; memory and time cap it),
    never more than a sixteenth of the free RAM."""
    size = max(sizes.array_bytes, 2 * (llc or 0))
    size = min(size, sizes.max_array_bytes)
    if ram_available:
        size = min(size, ram_available // 16)
    return max(16 * MIB, size)


def measure_cpu(
    np: Any, sizes: Sizes, ram_available: int | None, progress: Progress
) -> dict[str, Any]:
    """STREAM-style bandwidth (bytes read + written, best run) and FP32 matmul FLOP/s."""
    threads = max(1, min(os.cpu_count() or 1, 64))
    array_bytes = array_bytes_for(sizes, ram_available, last_level_cache_bytes())
    n = array_bytes // 8
    progress.step(f"CPU memory bandwidth ({3 * array_bytes // MIB} MiB, {threads} threads)")
    arrays = {
        "a": np.ones(n, dtype=np.float64),
        "b": np.full(n, 2.0, dtype=np.float64),
        "c": np.zeros(n, dtype=np.float64),
    }
    a, b, c = arrays["a"], arrays["b"], arrays["c"]
    bounds = [(n * i // threads, n * (i + 1) // threads) for i in range(threads)]

    def copy(lo: int, hi: int) -> None:
        np.copyto(c[lo:hi], a[lo:hi])

    def scale(lo: int, hi: int) -> None:
        np.multiply(a[lo:hi], 3.0, out=c[lo:hi])

    def add(lo: int, hi: int) -> None:
        np.add(a[lo:hi], b[lo:hi], out=c[lo:hi])

    kernels: dict[str, tuple[Callable[[int, int], None], int]] = {
        "copy": (copy, 2),
        "scale": (scale, 2),
        "add": (add, 3),
    }
    results: dict[str, float] = {}
    lows, highs = [lo for lo, _ in bounds], [hi for _, hi in bounds]
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for name, (fn, n_arrays) in kernels.items():

            def run(fn: Callable[[int, int], None] = fn) -> None:
                list(pool.map(fn, lows, highs))

            results[name] = n_arrays * array_bytes / _best(run, _nothing, sizes) / 1e9
    arrays.clear()  # free the memory before the matmul
    progress.step(f"CPU FP32 matmul ({sizes.matmul_n}×{sizes.matmul_n})")
    m = sizes.matmul_n
    x = np.ones((m, m), dtype=np.float32)
    y = np.ones((m, m), dtype=np.float32)

    def matmul() -> None:
        np.matmul(x, y)

    best = _best(matmul, _nothing, sizes)
    return {
        "bandwidth_gb_s": _sig(max(results.values())),
        "copy_gb_s": _sig(results["copy"]),
        "scale_gb_s": _sig(results["scale"]),
        "add_gb_s": _sig(results["add"]),
        "array_mib": array_bytes // MIB,
        "threads": threads,
        "fp32_gflops": _sig(2 * m**3 / best / 1e9),
        "matmul_n": m,
        "method": (
            f"numpy copy/scale/add, {threads} threads, 3 x {array_bytes // MIB} MiB arrays, "
            f"best run of {sizes.budget_s:g} s each; FP32 matmul {m}x{m}"
        ),
    }


# --- GPU ----------------------------------------------------------------------------------


def _gpu_package() -> tuple[str, Any] | None:
    """('torch' | 'cupy', module) for the first package that imports and sees a GPU."""
    for name in ("torch", "cupy"):
        try:
            mod = importlib.import_module(name)
        except Exception:  # ImportError, or a broken CUDA install raising on import
            continue
        try:
            if name == "torch":
                if mod.cuda.is_available():
                    return name, mod
                mps = getattr(getattr(mod, "backends", None), "mps", None)
                if mps is not None and mps.is_available():
                    return name, mod
            elif mod.cuda.runtime.getDeviceCount() > 0:
                return name, mod
        except Exception:
            continue
    return None


def _gpu_rates(
    copy_op: Callable[[], None],
    matmul_op: Callable[[], None],
    sync: Callable[[], None],
    nbytes: int,
    n: int,
    sizes: Sizes,
) -> tuple[float, float]:
    """(GB/s of a device-to-device copy, read + write; FP16 matmul TFLOPS)."""
    t_copy = _best(copy_op, sync, sizes)
    t_mm = _best(matmul_op, sync, sizes)
    return 2 * nbytes / t_copy / 1e9, 2 * n**3 / t_mm / 1e12


def _torch_ops(
    torch: Any, dev: str, nbytes: int, n: int
) -> tuple[Callable[[], None], Callable[[], None]]:
    src = torch.ones(nbytes // 2, dtype=torch.float16, device=dev)
    dst = torch.empty_like(src)
    a = torch.ones((n, n), dtype=torch.float16, device=dev)
    b = torch.ones((n, n), dtype=torch.float16, device=dev)

    def copy() -> None:
        dst.copy_(src)

    def matmul() -> None:
        torch.matmul(a, b)

    return copy, matmul


def _torch_sync(torch: Any, dev: str) -> Callable[[], None]:
    if dev == "mps":
        return lambda: torch.mps.synchronize()
    index = int(dev.split(":")[1])
    return lambda: torch.cuda.synchronize(index)


def measure_gpus_torch(torch: Any, sizes: Sizes, progress: Progress) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if torch.cuda.is_available():
        backend = "rocm" if getattr(torch.version, "hip", None) else "cuda"
        count = torch.cuda.device_count()
        devices = [(f"cuda:{i}", str(torch.cuda.get_device_name(i))) for i in range(count)]
    else:
        backend, devices = "metal", [("mps", "Apple GPU (MPS)")]
    for dev, name in devices:
        nbytes = sizes.gpu_bytes
        if dev != "mps":
            free, _total = torch.cuda.mem_get_info(int(dev.split(":")[1]))
            nbytes = max(16 * MIB, min(nbytes, int(free) // 4))
        n = sizes.gpu_matmul_n
        progress.step(f"{name}: bandwidth and FP16 matmul (PyTorch, {backend})")
        copy, matmul = _torch_ops(torch, dev, nbytes, n)
        bandwidth, tflops = _gpu_rates(copy, matmul, _torch_sync(torch, dev), nbytes, n, sizes)
        del copy, matmul
        out.append(
            {
                "name": name,
                "backend": backend,
                "bandwidth_gb_s": _sig(bandwidth),
                "fp16_tflops": _sig(tflops),
                "method": (
                    f"PyTorch {torch.__version__}: {nbytes // MIB} MiB device copy, "
                    f"FP16 matmul {n}x{n}"
                ),
            }
        )
    return out


def _cupy_ops(cp: Any, nbytes: int, n: int) -> tuple[Callable[[], None], Callable[[], None]]:
    src = cp.ones(nbytes // 2, dtype=cp.float16)
    dst = cp.empty_like(src)
    a = cp.ones((n, n), dtype=cp.float16)
    b = cp.ones((n, n), dtype=cp.float16)

    def copy() -> None:
        cp.copyto(dst, src)

    def matmul() -> None:
        cp.matmul(a, b)

    return copy, matmul


def measure_gpus_cupy(cp: Any, sizes: Sizes, progress: Progress) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    backend = "rocm" if getattr(cp.cuda.runtime, "is_hip", False) else "cuda"
    for i in range(cp.cuda.runtime.getDeviceCount()):
        raw = cp.cuda.runtime.getDeviceProperties(i).get("name", b"GPU")
        name = raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)
        with cp.cuda.Device(i):
            free, _total = cp.cuda.runtime.memGetInfo()
            nbytes = max(16 * MIB, min(sizes.gpu_bytes, int(free) // 4))
            n = sizes.gpu_matmul_n
            progress.step(f"{name}: bandwidth and FP16 matmul (CuPy, {backend})")
            copy, matmul = _cupy_ops(cp, nbytes, n)
            device = cp.cuda.Device(i)
            bandwidth, tflops = _gpu_rates(copy, matmul, device.synchronize, nbytes, n, sizes)
            del copy, matmul
        out.append(
            {
                "name": name,
                "backend": backend,
                "bandwidth_gb_s": _sig(bandwidth),
                "fp16_tflops": _sig(tflops),
                "method": (
                    f"CuPy {cp.__version__}: {nbytes // MIB} MiB device copy, FP16 matmul {n}x{n}"
                ),
            }
        )
    return out
