"""`runlocal bench`: measure this machine and store a calibration profile; with --gguf, capture
llama-bench by the standard protocol (runlocal.capture) and optionally submit the record.

1. CPU memory bandwidth (numpy copy / scale / add over arrays far larger than the caches, in
   as many threads as the CPU has, best of several runs, STREAM's byte counting) and FP32
   matmul throughput (numpy's BLAS).
2. GPU memory bandwidth (device-to-device copy) and FP16 matmul throughput through PyTorch or
   CuPy when one is installed and sees a GPU; skipped with a note otherwise.
3. The results go to the calibration profile (runlocal.profile): later `runlocal check`s use
   the measured bandwidth of these devices (evidence `calibrated`).

numpy, torch and cupy are imported inside the functions that use them.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

# The measurements live in benchmark_measure; calibrate() calls _numpy and _gpu_package through
# this module's names, so that tests can replace them here (tests/core/test_benchmark.py).
from .benchmark_measure import (
    Sizes,
    _gpu_package,
    _numpy,
    measure_cpu,
    measure_gpus_cupy,
    measure_gpus_torch,
)
from .capture import capture, submit, submit_url
from .catalog import Catalog
from .detect import detect_machine
from .detect.found import DetectedGPU, Machine
from .detect.match import match_hardware
from .errors import InputError, RunlocalError
from .profile import (
    MeasuredDevice,
    Profile,
    device_key,
    load_profile,
    merged,
    profile_path,
    save_profile,
)
from .progress import Progress

EXIT_FAILED = 1


def _detected_for(name: str, machine: Machine, used: set[int]) -> DetectedGPU | None:
    for i, g in enumerate(machine.gpus):
        if i not in used and g.name == name:
            used.add(i)
            return g
    return None


# --- the calibration run ------------------------------------------------------------------


@dataclass
class BenchResult:
    platform: str
    quick: bool
    cpu: dict[str, Any] | None = None
    gpus: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    profile_path: str | None = None
    duration_s: float = 0.0
    record: dict[str, Any] | None = None
    submission: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "quick": self.quick,
            "duration_s": round(self.duration_s, 1),
            "cpu": self.cpu,
            "gpus": self.gpus,
            "profile_path": self.profile_path,
            "profile_undo": "runlocal bench --forget" if self.profile_path else None,
            "record": self.record,
            "submission": self.submission,
            "notes": self.notes,
        }


def calibrate(
    machine: Machine, catalog: Catalog | None, quick: bool, progress: Progress
) -> tuple[BenchResult, Profile | None]:
    sizes = Sizes.for_run(quick)
    result = BenchResult(platform=machine.platform, quick=quick)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    devices: list[MeasuredDevice] = []
    cpu = machine.cpu
    np = _numpy()
    if np is None:
        result.notes.append(
            "numpy is not installed: the CPU was not measured (pip install numpy, then run "
            "`runlocal bench` again)"
        )
    else:
        try:
            measured = measure_cpu(np, sizes, cpu.ram_available_bytes, progress)
        except Exception as exc:  # MemoryError on a machine short of memory, a broken BLAS
            result.notes.append(f"CPU measurement failed: {type(exc).__name__}: {exc}")
        else:
            cpu_id = cpu.catalog_id if cpu.catalog_kind == "cpu" else None
            listed = None
            if cpu_id is not None and catalog is not None:
                listed = float(catalog.hardware[cpu_id].get("bandwidth_gb_s") or 0) or None
            measured.update(
                {"name": cpu.model, "catalog_id": cpu_id, "catalog_bandwidth_gb_s": listed}
            )
            result.cpu = measured
            devices.append(
                MeasuredDevice(
                    key=device_key(cpu_id, cpu.model),
                    name=cpu.model,
                    kind="cpu",
                    catalog_id=cpu_id,
                    bandwidth_gb_s=measured["bandwidth_gb_s"],
                    method=measured["method"],
                    fp32_gflops=measured["fp32_gflops"],
                    catalog_bandwidth_gb_s=listed,
                    measured_at=now,
                )
            )
    has_gpu = any(not g.integrated for g in machine.gpus) or machine.apple is not None
    package = _gpu_package() if has_gpu else None
    if not has_gpu:
        result.notes.append("GPU: skipped: no GPU detected")
    elif package is None:
        result.notes.append(
            "GPU: skipped: no CUDA/ROCm Python package (install PyTorch or CuPy to measure it)"
        )
    else:
        name, mod = package
        try:
            found = (
                measure_gpus_torch(mod, sizes, progress)
                if name == "torch"
                else measure_gpus_cupy(mod, sizes, progress)
            )
        except Exception as exc:  # out of memory, a driver error: the CPU results stand
            result.notes.append(f"GPU measurement failed ({name}): {type(exc).__name__}: {exc}")
            found = []
        used: set[int] = set()
        for g in found:
            detected = _detected_for(g["name"], machine, used)
            catalog_id = detected.catalog_id if detected is not None else None
            if g["backend"] == "metal" and machine.apple is not None:
                catalog_id, g["name"] = machine.apple.catalog_id, machine.apple.chip
            elif catalog_id is None and catalog is not None:
                entry = match_hardware(catalog, [g["name"]], kinds=("gpu", "unified"))
                catalog_id = entry.id if entry is not None else None
            listed = None
            if catalog_id is not None and catalog is not None:
                listed = float(catalog.hardware[catalog_id].get("bandwidth_gb_s") or 0) or None
            g.update({"catalog_id": catalog_id, "catalog_bandwidth_gb_s": listed})
            result.gpus.append(g)
            devices.append(
                MeasuredDevice(
                    key=device_key(catalog_id, g["name"]),
                    name=g["name"],
                    kind="unified" if g["backend"] == "metal" else "gpu",
                    catalog_id=catalog_id,
                    bandwidth_gb_s=g["bandwidth_gb_s"],
                    method=g["method"],
                    fp16_tflops=g["fp16_tflops"],
                    catalog_bandwidth_gb_s=listed,
                    measured_at=now,
                )
            )
    from . import __version__

    profile = (
        Profile(created=now, devices=devices, runlocal_version=__version__) if devices else None
    )
    return result, profile


# --- `runlocal bench` ---------------------------------------------------------------------


def _fmt_cpu(cpu: dict[str, Any]) -> list[str]:
    listed = cpu.get("catalog_bandwidth_gb_s")
    vs = (
        f"; the catalog lists {listed:g} GB/s ({cpu['bandwidth_gb_s'] / listed:.0%})"
        if listed
        else ""
    )
    return [
        f"CPU   {cpu['name']} ({cpu['threads']} threads) · catalog: {cpu.get('catalog_id') or 'unknown'}",
        f"      memory bandwidth  {cpu['bandwidth_gb_s']:,.1f} GB/s  (copy {cpu['copy_gb_s']:,.1f}, "
        f"scale {cpu['scale_gb_s']:,.1f}, add {cpu['add_gb_s']:,.1f}; 3 × {cpu['array_mib']} MiB){vs}",
        f"      FP32 matmul       {cpu['fp32_gflops']:,.1f} GFLOP/s  ({cpu['matmul_n']}×{cpu['matmul_n']}, numpy)",
    ]


def profile_lines(result: BenchResult) -> list[str]:
    """What the run wrote, what that changes and how to take it back."""
    names = [result.cpu["name"]] if result.cpu else []
    names += [g["name"] for g in result.gpus]
    return [
        f"profile saved to {result.profile_path} (measured: {', '.join(names) or 'nothing'}).",
        "From now on `runlocal check` uses these measured bandwidths in place of the catalog's "
        "for these devices (evidence `calibrated`); `--no-measured` ignores them for one check.",
        f"To undo: `runlocal bench --forget` (deletes {result.profile_path}).",
    ]


def format_bench(result: BenchResult) -> str:
    lines = [
        f"runlocal bench · {result.platform} · {result.duration_s:.1f} s"
        + (" (quick)" if result.quick else ""),
        "",
    ]
    if result.cpu:
        lines += _fmt_cpu(result.cpu)
    for g in result.gpus:
        listed = g.get("catalog_bandwidth_gb_s")
        vs = (
            f"; the catalog lists {listed:g} GB/s ({g['bandwidth_gb_s'] / listed:.0%})"
            if listed
            else ""
        )
        lines += [
            f"GPU   {g['name']} ({g['backend']}) · catalog: {g.get('catalog_id') or 'unknown'}",
            f"      memory bandwidth  {g['bandwidth_gb_s']:,.1f} GB/s{vs}",
            f"      FP16 matmul       {g['fp16_tflops']:,.1f} TFLOPS",
        ]
    rec = result.record
    if rec is not None:
        lines += [
            "",
            f"llama-bench  {rec['model_name']} · {rec['quant']} · {rec['backend']} · build {rec['build'] or '?'}",
            f"      prompt {rec['pp_tok_s']:,.1f} tok/s (pp{rec['prompt_tokens']}), "
            f"generation {rec['tg_tok_s']:,.1f} tok/s (tg{rec['gen_tokens']}), "
            f"time to first token {rec['ttft_ms']:,.0f} ms",
            f"      spread pp {rec['spread']['pp_tok_s']:.1%}, tg {rec['spread']['tg_tok_s']:.1%} "
            f"({'stable' if rec['stable'] else 'UNSTABLE'}); sha256 {rec['file_sha256'][:16]}…",
            f"      hardware {rec['hardware'] or rec['hardware_name']} × {rec['n_devices']}, "
            f"model {rec['model'] or 'not in the catalog'}",
        ]
    if result.submission is not None:
        sub = result.submission
        answer = sub.get("response") or {}
        ident = answer.get("id") if isinstance(answer, dict) else None
        trust = answer.get("trust") if isinstance(answer, dict) else None
        lines.append(f"submitted to {sub['url']}: id {ident}, trust {trust or '?'}")
    lines.append("")
    if result.profile_path:
        lines += profile_lines(result)
    for note in result.notes:
        lines.append(f"note: {note}")
    return "\n".join(lines) + "\n"


def run_bench(
    as_json: bool, gguf: str | None, submit: str | None, quick: bool, forget: bool = False
) -> int:
    if forget:
        return forget_profile(sys.stdout)
    return _run_bench(as_json, gguf, submit, quick, sys.stdout, sys.stderr)


def forget_profile(out: TextIO) -> int:
    """`runlocal bench --forget`: delete the stored profile; later checks use the catalog."""
    path = profile_path()
    try:
        path.unlink()
    except FileNotFoundError:
        out.write(f"no profile at {path}: `runlocal check` already uses the catalog's figures\n")
        return 0
    except OSError as exc:
        raise RunlocalError(f"{path}: {exc.strerror or exc}") from None
    out.write(f"deleted {path}: `runlocal check` uses the catalog's figures again\n")
    return 0


def _run_bench(
    as_json: bool, gguf: str | None, submit_to: str | None, quick: bool, out: TextIO, err: TextIO
) -> int:
    # Bad input first, before minutes of measuring.
    gguf_path: Path | None = None
    if submit_to is not None:
        if gguf is None:
            raise InputError("--submit needs --gguf FILE: only llama-bench results are submitted")
        submit_url(submit_to)
    if gguf is not None:
        gguf_path = Path(gguf).expanduser()
        if not gguf_path.is_file():
            raise InputError(f"{gguf}: no such file")
        if shutil.which("llama-bench") is None:
            raise InputError(
                "llama-bench is not on the PATH (install llama.cpp, or leave out --gguf)"
            )
    from .catalog import load_catalog

    progress = Progress(err)
    progress.step(f"detecting hardware; the results will be saved to {profile_path()}")
    try:
        catalog: Catalog | None = load_catalog()
    except RunlocalError:
        catalog = None
    machine = detect_machine(catalog)
    result, profile = calibrate(machine, catalog, quick, progress)
    status = 0
    if profile is not None:
        try:
            path = save_profile(merged(load_profile(), profile))
            result.profile_path = str(path)
        except OSError as exc:
            result.notes.append(f"the profile could not be saved: {exc.strerror or exc}")
    if gguf_path is not None:
        try:
            result.record = capture(gguf_path, machine, catalog, progress, result.notes)
        except RunlocalError as exc:
            progress.done()
            err.write(f"runlocal: error: {str(exc).splitlines()[0]}\n")
            status = EXIT_FAILED
    if result.record is not None and submit_to is not None:
        progress.step("submitting")
        try:
            result.submission = submit(result.record, submit_to)
        except RunlocalError as exc:
            progress.done()
            err.write(f"runlocal: error: {str(exc).splitlines()[0]}\n")
            status = EXIT_FAILED
    progress.done()
    result.duration_s = progress.elapsed
    if result.cpu is None and not result.gpus and result.record is None:
        err.write(
            "runlocal: error: nothing was measured: "
            + (result.notes[0] if result.notes else "no measurement could run")
            + "\n"
        )
        status = EXIT_FAILED
    if as_json:
        json.dump(result.to_dict(), out, separators=(",", ":"))
        out.write("\n")
    else:
        out.write(format_bench(result))
    return status
