"""Bounded probes: a command or an in-process call that never hangs detection, and small
readers that turn what a tool or sysfs prints into text or numbers (None when unreadable).

The module's settings are read at call time, so tests can change them.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from ..units import GB

# Seconds one probe (a subprocess, or NVML) may take before it is abandoned.
PROBE_TIMEOUT_S = 8.0
# system_profiler is slow on a cold start.
SLOW_PROBE_TIMEOUT_S = 15.0
SYSFS_ROOT = Path("/sys")
PROC_ROOT = Path("/proc")
# Which probes run (tests set "darwin" to exercise the Apple path on Linux).
PLATFORM = sys.platform

T = TypeVar("T")


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


def communicate_bounded(argv: Sequence[str], timeout: float) -> tuple[int, bytes, bytes]:
    """Run ``argv`` (its program already found on the PATH) without a shell, stdin closed, in
    a session of its own: (exit status, stdout, stderr). OSError when it cannot be run;
    subprocess.TimeoutExpired when it outlives ``timeout``, after it and everything it started
    are ended (end_probe)."""
    proc = subprocess.Popen(
        list(argv),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=os.name == "posix",
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        end_probe(proc)
        raise
    return proc.returncode, out, err


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
        status, out, err = communicate_bounded([exe, *cmd[1:]], timeout)
    except OSError as exc:
        notes.append(f"{label}: could not start ({exc.strerror or exc})")
        return None
    except subprocess.TimeoutExpired:
        notes.append(f"{label} did not answer within {timeout:g} s; skipped")
        return None
    text = out.decode("utf-8", errors="replace")
    if status != 0 and not (accept_status and text.strip()):
        first = err.decode("utf-8", errors="replace").strip().splitlines()
        why = f": {clip(first[0])}" if first else ""
        notes.append(f"{label} exited with status {status}{why}")
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


def clip(text: str, n: int = 120) -> str:
    text = "".join(ch if ch.isprintable() else " " for ch in text).strip()
    return text if len(text) <= n else text[: n - 1] + "…"


def read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip()
    except (OSError, ValueError):
        return None


def read_int(path: Path) -> int | None:
    text = read_text(path)
    if text is None:
        return None
    try:
        return int(text, 0)
    except ValueError:
        return None


def as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    text = clip(str(value), 200)
    return text or None


def as_int(value: Any) -> int | None:
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


def pcie_label(
    gen: int | None, width: int | None, cur_gen: int | None, cur_width: int | None
) -> str | None:
    if not gen and not cur_gen:
        return None
    best = f"Gen{gen or cur_gen} x{width or cur_width or '?'}"
    if cur_gen and (cur_gen, cur_width) != (gen, width) and gen:
        best += f" (now Gen{cur_gen} x{cur_width or '?'})"
    return best
