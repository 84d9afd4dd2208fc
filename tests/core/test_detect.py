"""`runlocal detect` and `runlocal check` without --hardware, with every probe mocked.

NVML is a fake `pynvml` module, psutil a fake too; sysfs and /proc are trees in tmp_path;
nvidia-smi, rocm-smi, sysctl and system_profiler are small Python scripts on a PATH that
holds nothing else (some hang, some print garbage). No GPU and no network are needed.
"""

from __future__ import annotations

import stat
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from runlocal import detect
from runlocal.catalog import CATALOG_DIR, Catalog, load_catalog
from runlocal.detect import detect_machine, match_machine, probe
from runlocal.detect.devices import usable_devices
from runlocal.detect.found import DetectedCPU, Machine
from runlocal.detect.match import match_hardware
from runlocal.detect.probe import bandwidth_gb_s, run_probe
from runlocal.profile import Calibration
from runlocal.units import GIB, MIB

RYZEN_CPUINFO = """processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: AMD Ryzen 9 7950X 16-Core Processor
physical id\t: 0
core id\t: 0
flags\t\t: fpu sse sse2 avx avx2 fma avx512f avx512bw
processor\t: 1
model name\t: AMD Ryzen 9 7950X 16-Core Processor
physical id\t: 0
core id\t: 1
flags\t\t: fpu sse sse2 avx avx2 fma avx512f avx512bw
"""


UNKNOWN_CPUINFO = RYZEN_CPUINFO.replace("AMD Ryzen 9 7950X 16-Core Processor", "Mystery CPU")


# --- fakes ----------------------------------------------------------------------------------


class NVMLError(Exception):
    pass


def fake_nvml(
    gpus: list[dict[str, Any]] | None = None,
    *,
    init_error: str | None = None,
    init_sleep: float = 0.0,
) -> types.ModuleType:
    """A pynvml stand-in: each GPU a dict of name, total, free, bus, clock, cc, gen, width."""
    mod = types.ModuleType("pynvml")
    gpus = gpus or []
    state = {"shutdown": 0}

    def init() -> None:
        if init_sleep:
            time.sleep(init_sleep)
        if init_error:
            raise NVMLError(init_error)

    def handle(i: int) -> dict[str, Any]:
        return gpus[i]

    def unsupported(*_: Any) -> Any:
        raise NVMLError("Not Supported")

    def field(key: str) -> Callable[..., Any]:
        def get(h: dict[str, Any], *_: Any) -> Any:
            if key not in h:
                raise NVMLError("Not Supported")
            return h[key]

        return get

    def memory(h: dict[str, Any]) -> Any:
        if "total" not in h:
            raise NVMLError("Not Supported")
        return types.SimpleNamespace(total=h["total"], free=h["free"], used=h["total"] - h["free"])

    mod.NVMLError = NVMLError  # type: ignore[attr-defined]
    mod.NVML_CLOCK_MEM = 2  # type: ignore[attr-defined]
    mod.nvmlInit = init  # type: ignore[attr-defined]
    mod.nvmlShutdown = lambda: state.__setitem__("shutdown", state["shutdown"] + 1)  # type: ignore[attr-defined]
    mod.nvmlSystemGetDriverVersion = lambda: b"550.54.14"  # type: ignore[attr-defined]
    mod.nvmlSystemGetCudaDriverVersion = lambda: 12040  # type: ignore[attr-defined]
    mod.nvmlDeviceGetCount = lambda: len(gpus)  # type: ignore[attr-defined]
    mod.nvmlDeviceGetHandleByIndex = handle  # type: ignore[attr-defined]
    mod.nvmlDeviceGetName = field("name")  # type: ignore[attr-defined]
    mod.nvmlDeviceGetMemoryInfo = memory  # type: ignore[attr-defined]
    mod.nvmlDeviceGetMemoryBusWidth = field("bus")  # type: ignore[attr-defined]
    mod.nvmlDeviceGetMaxClockInfo = field("clock")  # type: ignore[attr-defined]
    mod.nvmlDeviceGetCudaComputeCapability = field("cc")  # type: ignore[attr-defined]
    mod.nvmlDeviceGetMaxPcieLinkGeneration = field("gen")  # type: ignore[attr-defined]
    mod.nvmlDeviceGetMaxPcieLinkWidth = field("width")  # type: ignore[attr-defined]
    mod.nvmlDeviceGetCurrPcieLinkGeneration = unsupported  # type: ignore[attr-defined]
    mod.nvmlDeviceGetCurrPcieLinkWidth = unsupported  # type: ignore[attr-defined]
    mod.state = state  # type: ignore[attr-defined]
    return mod


RTX_4090 = {
    "name": b"NVIDIA GeForce RTX 4090",
    "total": 24564 * MIB,
    "free": 20 * GIB,
    "bus": 384,
    "clock": 10501,
    "cc": (8, 9),
    "gen": 4,
    "width": 16,
}


def fake_psutil(total: int = 64 * GIB, available: int = 48 * GIB) -> types.ModuleType:
    mod = types.ModuleType("psutil")
    mod.cpu_count = lambda logical=True: 32 if logical else 16  # type: ignore[attr-defined]
    mod.virtual_memory = lambda: types.SimpleNamespace(total=total, available=available)  # type: ignore[attr-defined]
    return mod


def tool(bin_dir: Path, name: str, body: str) -> Path:
    """An executable Python script named like the real tool."""
    path = bin_dir / name
    path.write_text(f"#!{sys.executable}\nimport json, os, sys, time\n{body}\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


@pytest.fixture(scope="module")
def real_catalog() -> Catalog:
    return load_catalog(CATALOG_DIR)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """A machine with nothing: empty sysfs, a Ryzen in /proc, no tools, NVML without a driver."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    sysfs = tmp_path / "sys"
    (sysfs / "class" / "drm").mkdir(parents=True)
    proc = tmp_path / "proc"
    proc.mkdir()
    (proc / "cpuinfo").write_text(RYZEN_CPUINFO)
    (proc / "meminfo").write_text("MemTotal: 67108864 kB\nMemAvailable: 50331648 kB\n")
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setenv("RUNLOCAL_PROFILE_DIR", str(tmp_path / "profile"))
    monkeypatch.delenv("RUNLOCAL_CATALOG_DIR", raising=False)
    monkeypatch.setattr(probe, "SYSFS_ROOT", sysfs)
    monkeypatch.setattr(probe, "PROC_ROOT", proc)
    monkeypatch.setattr(probe, "PLATFORM", "linux")
    # Fake tools are Python scripts: on a busy machine one can take over a second to start.
    # Tests of tools that hang set their own short timeout.
    monkeypatch.setattr(probe, "PROBE_TIMEOUT_S", 5.0)
    monkeypatch.setattr(probe, "SLOW_PROBE_TIMEOUT_S", 5.0)
    monkeypatch.setitem(
        sys.modules, "pynvml", fake_nvml(init_error="NVML Shared Library Not Found")
    )
    monkeypatch.setitem(sys.modules, "psutil", fake_psutil())
    cpuinfo = types.ModuleType("cpuinfo")
    cpuinfo.get_cpu_info = lambda: {}  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "cpuinfo", cpuinfo)
    return {"bin": bin_dir, "sys": sysfs, "proc": proc, "tmp": tmp_path}


def amd_card(sysfs: Path, index: int, vram_total: int, vram_used: int, **files: str) -> Path:
    dev = sysfs / "devices" / f"0000:0{index}:00.0"
    dev.mkdir(parents=True)
    (dev / "vendor").write_text("0x1002\n")
    (dev / "device").write_text("0x744c\n")
    (dev / "mem_info_vram_total").write_text(f"{vram_total}\n")
    (dev / "mem_info_vram_used").write_text(f"{vram_used}\n")
    (dev / "current_link_speed").write_text("16.0 GT/s PCIe\n")
    (dev / "current_link_width").write_text("16\n")
    (dev / "max_link_speed").write_text("16.0 GT/s PCIe\n")
    (dev / "max_link_width").write_text("16\n")
    for name, text in files.items():
        (dev / name).write_text(text)
    card = sysfs / "class" / "drm" / f"card{index}"
    card.mkdir(parents=True)
    (card / "device").symlink_to(dev)
    # A connector of the same card: must not count as a second GPU.
    conn = sysfs / "class" / "drm" / f"card{index}-DP-1"
    conn.mkdir()
    return dev


def intel_card(sysfs: Path, index: int, device_id: str, lmem: int | None) -> Path:
    dev = sysfs / "devices" / f"0000:1{index}:00.0"
    dev.mkdir(parents=True)
    (dev / "vendor").write_text("0x8086\n")
    (dev / "device").write_text(f"{device_id}\n")
    card = sysfs / "class" / "drm" / f"card{index}"
    card.mkdir(parents=True)
    (card / "device").symlink_to(dev)
    if lmem is not None:
        (card / "lmem_total_bytes").write_text(f"{lmem}\n")
    return dev


# --- NVIDIA -----------------------------------------------------------------------------------


def test_the_bandwidth_comes_from_bus_width_and_memory_clock() -> None:
    assert bandwidth_gb_s(384, 10501) == pytest.approx(1008.1, abs=0.1)  # RTX 4090
    assert bandwidth_gb_s(5120, 1593) == pytest.approx(2039.0, abs=0.5)  # A100 80GB
    assert bandwidth_gb_s(5120, 2619) == pytest.approx(3352.3, abs=0.5)  # H100 SXM
    assert bandwidth_gb_s(None, 10501) is None and bandwidth_gb_s(384, 0) is None


def test_nvml_gives_every_field_and_the_catalog_match(
    env: dict[str, Path], monkeypatch: pytest.MonkeyPatch, real_catalog: Catalog
) -> None:
    nvml = fake_nvml([RTX_4090])
    monkeypatch.setitem(sys.modules, "pynvml", nvml)
    machine = detect_machine(real_catalog)
    (gpu,) = machine.gpus
    assert gpu.name == "NVIDIA GeForce RTX 4090" and gpu.vendor == "NVIDIA"
    assert gpu.memory_total_bytes == 24564 * MIB and gpu.memory_free_bytes == 20 * GIB
    assert gpu.bus_width_bits == 384 and gpu.memory_clock_mhz == 10501
    assert gpu.bandwidth_gb_s == pytest.approx(1008.1, abs=0.1)
    assert gpu.compute_capability == "8.9"
    assert gpu.driver == "550.54.14 (CUDA 12.4)"
    assert gpu.pcie == "Gen4 x16"
    assert (gpu.catalog_id, gpu.confidence) == ("nvidia-rtx-4090", "matched")
    assert nvml.state["shutdown"] == 1  # type: ignore[attr-defined]
    assert machine.has_gpu


def test_a_gpu_that_reports_no_memory_is_noted(
    env: dict[str, Path], monkeypatch: pytest.MonkeyPatch, real_catalog: Catalog
) -> None:
    monkeypatch.setitem(sys.modules, "pynvml", fake_nvml([{"name": "NVIDIA GB10"}]))
    machine = detect_machine(real_catalog)
    assert machine.gpus[0].memory_total_bytes is None
    assert any("does not report its memory" in n for n in machine.notes)
    assert machine.gpus[0].catalog_id == "nvidia-dgx-spark"
    (device,) = usable_devices(machine, real_catalog).devices
    assert device.kind == "unified" and device.budget_bytes == 48 * GIB  # the free RAM


@pytest.mark.parametrize(
    ("name", "memory_gib", "bandwidth", "expected"),
    [
        ("NVIDIA GeForce RTX 4090", 23.99, 1008.1, "nvidia-rtx-4090"),
        ("NVIDIA GeForce RTX 4090 D", 23.99, None, "nvidia-rtx-4090-d"),
        ("NVIDIA GeForce RTX 4090 Laptop GPU", 15.99, None, "nvidia-rtx-4090-laptop"),
        ("NVIDIA GeForce RTX 4060", 8, None, "nvidia-rtx-4060"),
        ("NVIDIA GeForce RTX 4060 Ti", 16, None, "nvidia-rtx-4060-ti-16gb"),
        ("NVIDIA GeForce RTX 4060 Ti", 8, None, "nvidia-rtx-4060-ti-8gb"),
        ("NVIDIA GeForce RTX 3060", 12, None, "nvidia-rtx-3060-12gb"),
        ("NVIDIA A100-SXM4-80GB", 80, 2039.0, "nvidia-a100-sxm4-80gb"),
        ("NVIDIA A100-SXM4-40GB", 40, None, "nvidia-a100-sxm4-40gb"),
        ("NVIDIA A100-PCIE-40GB", 40, None, "nvidia-a100-pcie-40gb"),
        ("NVIDIA A100 80GB PCIe", 80, 1935.0, "nvidia-a100-pcie-80gb"),
        ("NVIDIA H100 80GB HBM3", 79.65, 3352.3, "nvidia-h100-sxm5-80gb"),
        ("NVIDIA H100 PCIe", 79.65, 2039.0, "nvidia-h100-pcie-80gb"),
        ("NVIDIA H100 NVL", 93.6, None, "nvidia-h100-nvl"),
        ("NVIDIA H200", 140.4, None, "nvidia-h200-sxm-141gb"),
        ("NVIDIA H200 NVL", 140.4, None, "nvidia-h200-nvl"),
        ("NVIDIA GH200 480GB", 95.6, None, "nvidia-gh200-96gb"),
        ("Tesla T4", 15.0, None, "nvidia-tesla-t4"),
        ("Tesla V100-SXM2-16GB", 15.8, None, "nvidia-tesla-v100-sxm2-16gb"),
        ("NVIDIA L4", 22.5, None, "nvidia-l4"),
        ("NVIDIA RTX 6000 Ada Generation", 47.99, None, "nvidia-rtx-6000-ada"),
        ("NVIDIA RTX A6000", 47.99, None, "nvidia-rtx-a6000"),
        ("AMD Radeon RX 7900 XTX", 23.98, None, "amd-rx-7900-xtx"),
        ("AMD Instinct MI300X", 191.5, None, "amd-mi300x"),
        ("Intel(R) Arc(TM) A770 Graphics", 16, None, "intel-arc-a770-16gb"),
        # Unknown, or a known name whose memory says it is another card: no guess.
        ("NVIDIA GeForce RTX 9999", 24, None, None),
        ("NVIDIA GeForce RTX 4090", 12, None, None),
        ("NVIDIA Graphics Device", 24, None, None),
    ],
)
def test_driver_names_match_their_catalog_entries(
    real_catalog: Catalog,
    name: str,
    memory_gib: float,
    bandwidth: float | None,
    expected: str | None,
) -> None:
    entry = match_hardware(
        real_catalog,
        [name],
        kinds=("gpu", "unified"),
        memory_bytes=round(memory_gib * GIB),
        bandwidth=bandwidth,
    )
    assert (entry.id if entry else None) == expected


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("AMD Ryzen 9 7950X 16-Core Processor", "amd-ryzen-9-7950x"),
        ("AMD Ryzen 7 9800X3D 8-Core Processor", "amd-ryzen-7-9800x3d"),
        ("Intel(R) Core(TM) i9-14900K", "intel-core-i9-14900k"),
        ("AMD EPYC 9654 96-Core Processor", "amd-epyc-9654"),
        ("Intel(R) Xeon(R) Platinum 8480+", "intel-xeon-platinum-8480plus"),
        ("AMD Ryzen Threadripper PRO 7995WX 96-Cores", "amd-threadripper-pro-7995wx"),
        ("AMD RYZEN AI MAX+ 395 w/ Radeon 8060S", "amd-ryzen-ai-max-plus-395"),
        ("Intel(R) Xeon(R) Processor", None),
        ("Intel(R) Xeon(R) CPU @ 2.20GHz", None),
        ("Apple M2 Max", None),  # Apple chips are matched as the unified device
    ],
)
def test_cpu_names_match_their_catalog_entries(
    real_catalog: Catalog, model: str, expected: str | None
) -> None:
    machine = Machine(platform="test", cpu=DetectedCPU(model=model))
    match_machine(machine, real_catalog)
    assert machine.cpu.catalog_id == expected
    assert machine.cpu.confidence == ("matched" if expected else "unknown")


def test_nvml_that_hangs_times_out_and_nvidia_smi_answers(
    env: dict[str, Path], monkeypatch: pytest.MonkeyPatch, real_catalog: Catalog
) -> None:
    monkeypatch.setitem(sys.modules, "pynvml", fake_nvml([RTX_4090], init_sleep=30))
    monkeypatch.setattr(probe, "PROBE_TIMEOUT_S", 0.5)
    tool(
        env["bin"],
        "nvidia-smi",
        'print("0, NVIDIA GeForce RTX 3090, 24576, 20000, 550.54.14, 4, 16, 9751, 8.6")',
    )
    t0 = time.perf_counter()
    machine = detect_machine(real_catalog)
    assert time.perf_counter() - t0 < 5
    assert any("NVML did not answer within 0.5 s" in n for n in machine.notes)
    (gpu,) = machine.gpus
    assert gpu.source == "nvidia-smi" and gpu.catalog_id == "nvidia-rtx-3090"
    assert gpu.memory_free_bytes == 20000 * MIB and gpu.compute_capability == "8.6"
    assert gpu.pcie == "Gen4 x16" and gpu.driver == "550.54.14"


def test_a_hanging_nvidia_smi_is_killed_within_its_timeout(
    env: dict[str, Path], monkeypatch: pytest.MonkeyPatch, real_catalog: Catalog
) -> None:
    monkeypatch.setitem(sys.modules, "pynvml", fake_nvml(init_error="Driver Not Loaded"))
    monkeypatch.setattr(probe, "PROBE_TIMEOUT_S", 0.5)
    tool(env["bin"], "nvidia-smi", "time.sleep(60)")
    t0 = time.perf_counter()
    machine = detect_machine(real_catalog)
    assert time.perf_counter() - t0 < 5
    assert machine.gpus == []
    assert any("nvidia-smi did not answer within 0.5 s" in n for n in machine.notes)


@pytest.mark.parametrize(
    "body",
    [
        'print("this is not csv at all\\n\\x01\\x02 garbage, , ,")',
        "sys.stdout.buffer.write(bytes(range(256)) * 4)",
        'print("0, NVIDIA GeForce RTX 3090, lots, none, ???, x, y, z, w")',
        'sys.stderr.write("NVIDIA-SMI has failed\\n"); sys.exit(9)',
    ],
)
def test_nvidia_smi_printing_garbage_is_a_note_never_a_crash(
    env: dict[str, Path], monkeypatch: pytest.MonkeyPatch, real_catalog: Catalog, body: str
) -> None:
    monkeypatch.setitem(sys.modules, "pynvml", fake_nvml(init_error="Unknown Error"))
    tool(env["bin"], "nvidia-smi", body)
    machine = detect_machine(real_catalog)
    assert machine.notes  # what went wrong is said
    for gpu in machine.gpus:  # and anything half-read carries no invented numbers
        assert gpu.catalog_id is None or gpu.memory_total_bytes is None


def test_a_probe_and_its_children_die_at_the_timeout(env: dict[str, Path]) -> None:
    tool(
        env["bin"],
        "slowtool",
        "import subprocess\n"
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        "time.sleep(60)",
    )
    notes: list[str] = []
    t0 = time.perf_counter()
    assert run_probe(["slowtool"], notes, timeout=0.5) is None
    assert time.perf_counter() - t0 < 4
    assert notes == ["slowtool did not answer within 0.5 s; skipped"]


def test_a_missing_tool_is_silent(env: dict[str, Path]) -> None:
    notes: list[str] = []
    assert run_probe(["no-such-tool"], notes) is None and notes == []


# --- AMD and Intel ------------------------------------------------------------------------------


def test_amd_through_sysfs_named_by_rocm_smi(env: dict[str, Path], real_catalog: Catalog) -> None:
    amd_card(env["sys"], 0, 24 * GIB, 2 * GIB)
    tool(
        env["bin"],
        "rocm-smi",
        'print(json.dumps({"card0": {"Card Series": "Radeon RX 7900 XTX", "Card SKU": "x"}}))',
    )
    machine = detect_machine(real_catalog)
    (gpu,) = machine.gpus
    assert gpu.vendor == "AMD" and gpu.name == "Radeon RX 7900 XTX"
    assert gpu.memory_total_bytes == 24 * GIB and gpu.memory_free_bytes == 22 * GIB
    assert gpu.pcie == "Gen4 x16" and gpu.source == "sysfs+rocm-smi"
    assert gpu.catalog_id == "amd-rx-7900-xtx"
    usable = usable_devices(machine, real_catalog)
    (device,) = usable.devices
    assert device.backend == "rocm" and device.budget_bytes == 22 * GIB
    assert device.source == "detected"


def test_amd_with_a_hanging_rocm_smi_keeps_the_kernel_name(
    env: dict[str, Path], monkeypatch: pytest.MonkeyPatch, real_catalog: Catalog
) -> None:
    monkeypatch.setattr(probe, "PROBE_TIMEOUT_S", 0.5)
    amd_card(env["sys"], 1, 20 * GIB, 0, product_name="AMD Radeon RX 7900 XT\n")
    tool(env["bin"], "rocm-smi", "time.sleep(60)")
    machine = detect_machine(real_catalog)
    assert machine.gpus[0].name == "AMD Radeon RX 7900 XT"
    assert machine.gpus[0].catalog_id == "amd-rx-7900-xt"
    assert any("rocm-smi did not answer" in n for n in machine.notes)


def test_amd_smi_names_with_bracketed_alternatives(
    env: dict[str, Path], real_catalog: Catalog
) -> None:
    amd_card(env["sys"], 0, 20 * GIB, GIB)
    tool(
        env["bin"],
        "amd-smi",
        'print(\'[{"gpu": 0, "asic": {"market_name": "Navi 31 [Radeon RX 7900 XT/7900 XTX]"}}]\')',
    )
    machine = detect_machine(real_catalog)
    assert machine.gpus[0].catalog_id == "amd-rx-7900-xt"  # 20 GiB: the XT, not the XTX


def test_amd_smi_printing_garbage(env: dict[str, Path], real_catalog: Catalog) -> None:
    amd_card(env["sys"], 0, 24 * GIB, GIB)
    tool(env["bin"], "amd-smi", "print('{{{ not json')")
    machine = detect_machine(real_catalog)
    assert machine.gpus[0].name.startswith("AMD GPU")
    assert machine.gpus[0].confidence == "unknown"
    assert any("not JSON" in n for n in machine.notes)


def test_intel_arc_through_sysfs_and_the_integrated_gpu_left_out(
    env: dict[str, Path], real_catalog: Catalog
) -> None:
    intel_card(env["sys"], 0, "0x56a0", 16 * GIB)
    intel_card(env["sys"], 1, "0x46a6", None)  # UHD graphics
    machine = detect_machine(real_catalog)
    arc, uhd = machine.gpus
    assert arc.name == "Intel Arc A770" and arc.catalog_id == "intel-arc-a770-16gb"
    assert uhd.integrated and uhd.catalog_id is None
    assert any("integrated GPU" in n for n in machine.notes)
    usable = usable_devices(machine, real_catalog)
    assert [d.id for d in usable.devices] == ["intel-arc-a770-16gb"]
    assert any("free memory unknown" in n for n in usable.notes)


# --- no GPU, and robustness -----------------------------------------------------------------------


def test_no_gpu_plans_for_the_catalog_cpu_with_available_ram(
    env: dict[str, Path], real_catalog: Catalog
) -> None:
    machine = detect_machine(real_catalog)
    assert machine.gpus == [] and not machine.has_gpu
    cpu = machine.cpu
    assert cpu.model == "AMD Ryzen 9 7950X 16-Core Processor"
    assert cpu.flags == {"avx2": True, "avx512": True, "amx": False, "neon": False}
    assert (cpu.cores, cpu.threads) == (2, 2)  # from /proc/cpuinfo
    assert (cpu.ram_total_bytes, cpu.ram_available_bytes) == (64 * GIB, 48 * GIB)
    assert cpu.catalog_id == "amd-ryzen-9-7950x"
    usable = usable_devices(machine, real_catalog)
    (device,) = usable.devices
    assert device.kind == "cpu" and device.id == "amd-ryzen-9-7950x"
    assert device.memory_bytes == 64 * GIB and device.budget_bytes == 48 * GIB
    assert "no GPU" in usable.notes[0]


def test_an_unknown_cpu_needs_a_bench_profile(env: dict[str, Path], real_catalog: Catalog) -> None:
    (env["proc"] / "cpuinfo").write_text(UNKNOWN_CPUINFO)
    machine = detect_machine(real_catalog)
    usable = usable_devices(machine, real_catalog)
    assert usable.devices == [] and "runlocal bench" in usable.unavailable
    cal = {"name:mystery cpu": Calibration(50e9, "2026-01-01", "test", fp32_flops=400e9)}
    (device,) = usable_devices(machine, real_catalog, cal).devices
    assert device.bandwidth_bytes_per_s == 50e9 and device.fp32_flops == 400e9
    assert device.source == "detected" and device.id is None


def test_memory_falls_back_to_proc_meminfo_without_psutil(
    env: dict[str, Path], monkeypatch: pytest.MonkeyPatch, real_catalog: Catalog
) -> None:
    monkeypatch.setitem(sys.modules, "psutil", None)  # import raises ImportError
    machine = detect_machine(real_catalog)
    assert machine.cpu.ram_total_bytes == 64 * GIB
    assert machine.cpu.ram_available_bytes == 48 * GIB
    assert any("psutil is not installed" in n for n in machine.notes)


def test_a_probe_that_raises_is_a_note(
    env: dict[str, Path], monkeypatch: pytest.MonkeyPatch, real_catalog: Catalog
) -> None:
    broken = types.ModuleType("psutil")

    def boom(*_: Any, **__: Any) -> Any:
        raise RuntimeError("sensor exploded")

    broken.cpu_count = boom  # type: ignore[attr-defined]
    broken.virtual_memory = boom  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "psutil", broken)
    machine = detect_machine(real_catalog)
    assert any("sensor exploded" in n for n in machine.notes)
    assert machine.cpu.ram_total_bytes == 64 * GIB  # /proc/meminfo took over


def test_an_unknown_gpu_is_used_from_its_raw_specs(
    env: dict[str, Path], monkeypatch: pytest.MonkeyPatch, real_catalog: Catalog
) -> None:
    gpu = dict(RTX_4090, name="NVIDIA Future GPU 9000", total=32 * GIB, free=30 * GIB)
    monkeypatch.setitem(sys.modules, "pynvml", fake_nvml([gpu]))
    machine = detect_machine(real_catalog)
    assert machine.gpus[0].confidence == "unknown"
    usable = usable_devices(machine, real_catalog)
    (device,) = usable.devices
    assert device.source == "detected" and device.id is None and device.backend == "cuda"
    assert device.bandwidth_bytes_per_s == pytest.approx(1008.1e9, rel=1e-3)
    assert device.budget_bytes == 30 * GIB and device.fp16_flops is None
    assert any("low confidence" in n for n in usable.notes)


def test_several_gpus_of_one_vendor_are_all_used(
    env: dict[str, Path], monkeypatch: pytest.MonkeyPatch, real_catalog: Catalog
) -> None:
    second = dict(RTX_4090, free=12 * GIB)
    monkeypatch.setitem(sys.modules, "pynvml", fake_nvml([RTX_4090, second]))
    amd_card(env["sys"], 2, 16 * GIB, 0, product_name="AMD Radeon RX 6800\n")
    usable = usable_devices(detect_machine(real_catalog), real_catalog)
    assert [d.budget_bytes for d in usable.devices] == [20 * GIB, 12 * GIB]
    assert usable.host_ram_bytes == 48 * GIB
    assert any("AMD GPUs left out" in n for n in usable.notes)


def test_one_crashing_probe_leaves_the_others_running(
    env: dict[str, Path], monkeypatch: pytest.MonkeyPatch, real_catalog: Catalog
) -> None:
    def crash(*_: Any, **__: Any) -> Any:
        raise KeyError("unexpected")

    monkeypatch.setattr(detect, "probe_sysfs_gpus", crash)
    monkeypatch.setattr(detect, "match_machine", crash)
    machine = detect_machine(real_catalog)
    assert machine.cpu.model == "AMD Ryzen 9 7950X 16-Core Processor"
    assert any(n.startswith("sysfs GPU probe failed: KeyError") for n in machine.notes)
    assert any(n.startswith("catalog probe failed") for n in machine.notes)


def test_an_old_nvidia_smi_without_compute_cap_is_asked_again(
    env: dict[str, Path], monkeypatch: pytest.MonkeyPatch, real_catalog: Catalog
) -> None:
    monkeypatch.setitem(sys.modules, "pynvml", fake_nvml(init_error="Unknown Error"))
    tool(
        env["bin"],
        "nvidia-smi",
        "if 'compute_cap' in sys.argv[1]:\n"
        "    sys.stderr.write('Field \"compute_cap\" is not a valid field to query.\\n')\n"
        "    sys.exit(2)\n"
        "print('0, Tesla P40, 24576, 24000, 470.82.01, 3, 16, 3615')",
    )
    machine = detect_machine(real_catalog)
    (gpu,) = machine.gpus
    assert gpu.catalog_id == "nvidia-tesla-p40" and gpu.compute_capability is None
    assert not any("exited with status" in n for n in machine.notes)
