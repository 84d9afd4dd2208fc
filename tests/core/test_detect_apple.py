"""`runlocal detect` on Apple silicon, with sysctl and system_profiler mocked: the chip, its memory
budget and the wired limit."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from runlocal.catalog import Catalog
from runlocal.detect import detect_machine, probe
from runlocal.detect.devices import usable_devices
from runlocal.units import GIB

from . import test_detect as fakes
from .test_detect import fake_psutil, tool
from .test_detect_cli import run_cli

# Fixtures shared with test_detect.py (pytest finds them by these names).
env = fakes.env
real_catalog = fakes.real_catalog

# --- Apple --------------------------------------------------------------------------------------

SYSCTL = """
values = {
    "machdep.cpu.brand_string": "Apple M2 Max",
    "hw.memsize": str(64 * 1024**3),
    "hw.physicalcpu": "12",
    "hw.logicalcpu": "12",
    "hw.optional.neon": "1",
    "iogpu.wired_limit_mb": "WIRED",
}
status = 0
for key in sys.argv[1:]:
    if key in values:
        print(f"{key}: {values[key]}")
    else:
        sys.stderr.write(f"sysctl: unknown oid '{key}'\\n")
        status = 1
sys.exit(status)
"""


SYSTEM_PROFILER = (
    'print(\'{"SPDisplaysDataType": [{"sppci_model": "Apple M2 Max", "sppci_cores": "38"}]}\')'
)


@pytest.fixture
def mac(env: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    monkeypatch.setattr(probe, "PLATFORM", "darwin")
    tool(env["bin"], "sysctl", SYSCTL.replace("WIRED", "0"))
    tool(env["bin"], "system_profiler", SYSTEM_PROFILER)
    monkeypatch.setitem(sys.modules, "psutil", fake_psutil(64 * GIB, 56 * GIB))
    return env


def test_apple_silicon_through_sysctl_and_system_profiler(
    mac: dict[str, Path], real_catalog: Catalog
) -> None:
    machine = detect_machine(real_catalog)
    apple = machine.apple
    assert apple is not None
    assert (apple.chip, apple.gpu_cores) == ("Apple M2 Max", 38)
    assert apple.unified_memory_bytes == 64 * GIB
    assert apple.working_set_bytes == 48 * GIB  # 3/4 from 64 GiB up
    assert apple.catalog_id == "apple-m2-max-38c" and apple.confidence == "matched"
    assert machine.cpu.model == "Apple M2 Max" and machine.cpu.cores == 12
    assert machine.cpu.catalog_id is None and machine.gpus == []
    (device,) = usable_devices(machine, real_catalog).devices
    assert device.kind == "unified" and device.memory_bytes == 64 * GIB
    assert device.budget_bytes == 48 * GIB and device.source == "detected"


def test_apple_budget_is_the_free_memory_when_less_than_the_working_set(
    mac: dict[str, Path], monkeypatch: pytest.MonkeyPatch, real_catalog: Catalog
) -> None:
    monkeypatch.setitem(sys.modules, "psutil", fake_psutil(64 * GIB, 30 * GIB))
    usable = usable_devices(detect_machine(real_catalog), real_catalog)
    assert usable.devices[0].budget_bytes == 30 * GIB
    assert any("budgeting the free memory" in n for n in usable.notes)


def test_apple_wired_limit_overrides_the_default_share(
    mac: dict[str, Path], real_catalog: Catalog
) -> None:
    tool(mac["bin"], "sysctl", SYSCTL.replace("WIRED", "57344"))
    machine = detect_machine(real_catalog)
    assert machine.apple is not None
    assert machine.apple.working_set_bytes == 56 * GIB
    assert machine.apple.working_set_source == "iogpu.wired_limit_mb"


def test_apple_without_system_profiler_assumes_the_full_chip(
    mac: dict[str, Path], real_catalog: Catalog
) -> None:
    (mac["bin"] / "system_profiler").unlink()
    machine = detect_machine(real_catalog)
    assert machine.apple is not None and machine.apple.gpu_cores is None
    assert machine.apple.catalog_id == "apple-m2-max-38c"
    assert any("GPU core count unknown" in n for n in machine.notes)


def test_a_hanging_sysctl_never_hangs_detection(
    mac: dict[str, Path], monkeypatch: pytest.MonkeyPatch, real_catalog: Catalog
) -> None:
    monkeypatch.setattr(probe, "PROBE_TIMEOUT_S", 0.5)
    tool(mac["bin"], "sysctl", "time.sleep(60)")
    t0 = time.perf_counter()
    machine = detect_machine(real_catalog)
    assert time.perf_counter() - t0 < 5
    assert machine.apple is None
    assert any("sysctl did not answer" in n for n in machine.notes)


def test_detect_prints_the_apple_chip(
    mac: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(capsys, "detect")
    assert code == 0
    assert "Apple M2 Max, 38-core GPU, 64.0 GiB unified memory, GPU working set 48.0 GiB" in out
    assert "apple-m2-max-38c" in out and "No GPU found" not in out
