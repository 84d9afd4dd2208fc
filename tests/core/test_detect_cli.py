"""`runlocal detect` and `runlocal check` without --hardware from the command line, with every
probe mocked; calibration of a detected GPU's bandwidth."""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from runlocal import detect
from runlocal.catalog import Catalog
from runlocal.cli import main
from runlocal.detect import detect_machine, probe
from runlocal.detect.devices import local_machine
from runlocal.detect.found import Machine
from runlocal.engine import CheckQuery, LocalMachine, check
from runlocal.errors import InputError
from runlocal.profile import Calibration
from runlocal.units import GIB, MIB

from . import test_detect as fakes
from .test_detect import RTX_4090, UNKNOWN_CPUINFO, fake_nvml

# Fixtures shared with test_detect.py (pytest finds them by these names).
env = fakes.env
real_catalog = fakes.real_catalog


# --- the CLI ---------------------------------------------------------------------------------------


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_detect_json_has_the_documented_shape(
    env: dict[str, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "pynvml", fake_nvml([RTX_4090]))
    code, out, err = run_cli(capsys, "detect", "--json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert set(data) >= {"platform", "gpus", "cpu", "apple", "notes", "has_gpu", "check_devices"}
    gpu = data["gpus"][0]
    assert set(gpu) >= {
        "name",
        "vendor",
        "memory_total_bytes",
        "memory_free_bytes",
        "bus_width_bits",
        "memory_clock_mhz",
        "bandwidth_gb_s",
        "compute_capability",
        "driver",
        "pcie",
        "catalog_id",
        "confidence",
    }
    assert gpu["catalog_id"] == "nvidia-rtx-4090" and gpu["confidence"] == "matched"
    assert set(data["cpu"]) >= {
        "model",
        "cores",
        "threads",
        "flags",
        "ram_total_bytes",
        "ram_available_bytes",
        "catalog_id",
    }
    assert data["apple"] is None and data["has_gpu"] is True
    (device,) = data["check_devices"]
    assert device["source"] == "detected" and device["usable_memory_bytes"] == 20 * GIB


def test_detect_prints_a_table(
    env: dict[str, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "pynvml", fake_nvml([RTX_4090]))
    code, out, _ = run_cli(capsys, "detect")
    assert code == 0
    assert "NVIDIA GeForce RTX 4090" in out and "20.0 / 24.0 GiB" in out
    assert "1,008 GB/s" in out and "nvidia-rtx-4090" in out
    assert "AMD Ryzen 9 7950X" in out and "48.0 GiB available of 64.0 GiB" in out


def test_detect_says_plainly_there_is_no_gpu(
    env: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(capsys, "detect")
    assert code == 0 and "No GPU found on this machine." in out
    code, out, _ = run_cli(capsys, "detect", "--json")
    assert json.loads(out)["has_gpu"] is False and json.loads(out)["gpus"] == []


def test_check_without_hardware_budgets_the_free_memory(
    env: dict[str, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    free = 4 * GIB  # a 24 GiB card with most of its memory taken by another program
    monkeypatch.setitem(sys.modules, "pynvml", fake_nvml([dict(RTX_4090, free=free)]))
    code, out, err = run_cli(capsys, "check", "llama-3.1-8b-instruct", "--json")
    assert code == 0, err
    data = json.loads(out)
    hw = data["hardware"][0]
    assert hw["id"] == "nvidia-rtx-4090" and hw["source"] == "detected"
    assert hw["usable_memory_bytes"] == free and hw["memory_bytes"] == 24564 * MIB
    assert data["basis"]["devices"][0]["usable_memory_bytes"] == free
    assert data["basis"]["devices"][0]["source"] == "detected"
    assert data["devices"][0]["budget_bytes"] == free
    # 5.9 GiB do not fit in 4 GiB free: layers go to the detected system RAM (48 GiB free).
    assert data["offload"]["gpu_layers"] < data["offload"]["total_layers"]
    assert data["basis"]["host_ram_bytes"] == 48 * GIB
    assert data["verdict"] == "tradeoffs"
    assert any("hardware detected on this machine" in n for n in data["notes"])


def test_check_with_hardware_named_never_probes(
    env: dict[str, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def forbidden(*_: Any, **__: Any) -> Machine:
        raise AssertionError("detection ran")

    monkeypatch.setattr(detect, "detect_machine", forbidden)
    code, out, _ = run_cli(
        capsys, "check", "llama-3.1-8b-instruct", "--hardware", "RTX 4090", "--json"
    )
    assert code == 0 and json.loads(out)["hardware"][0]["source"] == "catalog"
    code, out, _ = run_cli(
        capsys,
        "check",
        "llama-3.1-8b-instruct",
        "--vram-gb",
        "12",
        "--bandwidth-gb-s",
        "400",
        "--json",
    )
    assert code == 0 and json.loads(out)["hardware"][0]["source"] == "explicit"


def test_check_without_usable_hardware_keeps_the_old_error(
    env: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    (env["proc"] / "cpuinfo").write_text(UNKNOWN_CPUINFO)
    code, out, err = run_cli(capsys, "check", "llama-3.1-8b-instruct")
    assert code == 2 and out == ""
    assert "no hardware given" in err and "Mystery CPU" in err and "runlocal bench" in err
    assert err.count("\n") == 1


def test_the_engine_alone_never_detects(env: dict[str, Path], real_catalog: Catalog) -> None:
    """The API's path: check() without `local` does not look at this machine."""
    with pytest.raises(InputError, match="no hardware given: use --hardware"):
        check(CheckQuery(model="llama-3.1-8b-instruct"), real_catalog)


def test_calibration_replaces_only_the_bandwidth(real_catalog: Catalog) -> None:
    q = CheckQuery(model="llama-3.1-8b-instruct", hardware=("RTX 4090",), no_measured=False)
    plain = check(q, real_catalog).to_dict()
    local = LocalMachine(
        calibration={"nvidia-rtx-4090": Calibration(505e9, "2026-01-01T00:00:00", "test")}
    )
    data = check(q, real_catalog, local=local).to_dict()
    assert data["basis"]["calibration"] == [
        {
            "device": "nvidia-rtx-4090",
            "name": "NVIDIA GeForce RTX 4090",
            "listed_bandwidth_bytes_per_s": 1010e9,
            "measured_bandwidth_bytes_per_s": 505e9,
            "measured_at": "2026-01-01T00:00:00",
            "method": "test",
        }
    ]
    assert data["hardware"][0]["bandwidth_bytes_per_s"] == 505e9
    assert data["memory"] == plain["memory"]  # memory never depends on bandwidth
    formula_only = dataclasses.replace(q, no_measured=True)
    formula = check(formula_only, real_catalog).to_dict()
    calibrated = check(formula_only, real_catalog, local=local).to_dict()
    assert calibrated == formula  # --no-measured: catalog specs, formula only
    assert "calibration" not in plain["basis"]


def test_calibrated_is_the_evidence_when_nothing_was_measured(real_catalog: Catalog) -> None:
    q = CheckQuery(model="llama-3.1-8b-instruct", hardware=("Ryzen 9 7950X",))
    local = LocalMachine(calibration={"amd-ryzen-9-7950x": Calibration(60e9, "t", "numpy")})
    before = check(q, real_catalog).to_dict()
    after = check(q, real_catalog, local=local).to_dict()
    if before["evidence"] == "estimated":
        assert after["evidence"] == "calibrated"
    assert after["speed"]["decode_tok_s"] < before["speed"]["decode_tok_s"]  # 60 < 83.2 GB/s


def test_detection_is_fast_on_this_machine() -> None:
    """The real probes of the machine running the tests (no GPU needed) finish quickly."""
    t0 = time.perf_counter()
    machine = detect_machine(None)
    assert time.perf_counter() - t0 < 2 * probe.PROBE_TIMEOUT_S + 5
    assert machine.cpu.threads is None or machine.cpu.threads >= 1
    assert os.cpu_count() is None or machine.cpu.threads is not None


def test_an_unknown_gpu_is_calibrated_against_its_own_spec(
    env: dict[str, Path], monkeypatch: pytest.MonkeyPatch, real_catalog: Catalog
) -> None:
    from runlocal.profile import MeasuredDevice, Profile

    gpu = dict(RTX_4090, name="NVIDIA Future GPU 9000", total=32 * GIB, free=30 * GIB)
    monkeypatch.setitem(sys.modules, "pynvml", fake_nvml([gpu]))
    measured = MeasuredDevice(
        key="name:nvidia future gpu 9000",
        name="NVIDIA Future GPU 9000",
        kind="gpu",
        catalog_id=None,
        bandwidth_gb_s=900.0,
        method="PyTorch",
        fp16_tflops=150.0,
    )
    local = local_machine(real_catalog, profile=Profile(created="t", devices=[measured]))
    data = check(CheckQuery(model="llama-3.1-8b-instruct"), real_catalog, local=local).to_dict()
    (cal,) = data["basis"]["calibration"]
    assert cal["listed_bandwidth_bytes_per_s"] == pytest.approx(1008.1e9, rel=1e-3)
    assert cal["measured_bandwidth_bytes_per_s"] == 900e9
    assert data["evidence"] == "calibrated" and data["hardware"][0]["source"] == "detected"
    assert data["speed"]["prefill_tok_s"] is not None  # the measured FP16 rate stands in
